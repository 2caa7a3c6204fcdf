"""Alerts: stockout risk, demand spikes, price anomalies and compliance failures.

One alert per kind and subject (a SKU in a store, or a document): raising it again while it is open,
acknowledged or snoozed updates it instead of adding another, and notifies only when it is new,
reopened, back from a snooze or more severe. Users acknowledge, snooze or resolve alerts; each of
those is audited. The scheduled evaluation (`evaluate`) checks every series of a tenant against the
thresholds its managers set; the document pipeline raises compliance failures through its
ComplianceAlerts port, which AlertService implements (`document_failed`).

Standard library only: this runs in Lambda functions.
"""

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from statistics import median
from typing import Any, Callable, Literal, Protocol

from pydantic import BaseModel, Field, model_validator

from .audit import AuditTrail
from .auth import ADMINS, MANAGERS, Principal
from .errors import Conflict, InvalidRequest, NotFound
from .inventory.policy import ForecastDay, ReorderPlan
from .ports import ForecastStore, ItemStore, Notifier
from .tenant_policy import TenantPolicy

ALERT = "alert#"
SEVERITY = {"low": 1, "medium": 2, "high": 3}
ACTIVE = ("open", "acknowledged", "snoozed")
MAX_SNOOZE_DAYS = 30
AlertType = Literal["stockout_risk", "demand_spike", "price_anomaly", "competitor_price_drop", "compliance_failure",
                    "forecast_accuracy"]


class SnoozeRequest(BaseModel):
    hours: int | None = Field(default=None, ge=1, le=MAX_SNOOZE_DAYS * 24)
    until: datetime | None = None

    @model_validator(mode="after")
    def _one(self) -> "SnoozeRequest":
        if (self.hours is None) == (self.until is None):
            raise ValueError("give exactly one of hours or until")
        return self


class SubscribeRequest(BaseModel):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                       description="who receives this tenant's new alerts by email (they confirm it first)")
    alert_types: list[AlertType] | None = Field(default=None, min_length=1, max_length=6,
                                                description="only these kinds of alert (for example stockout_risk); all when left out")


def _masked(email: str) -> str:
    """An address as the audit log keeps it: enough to recognise, not to harvest."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def alert_id(kind: str, subject: str) -> str:
    return "al-" + hashlib.sha1(f"{kind}|{subject}".encode()).hexdigest()[:16]


class AlertService:
    def __init__(self, items: ItemStore, audit: AuditTrail, notifier: Notifier | None = None,
                 clock: Callable[[], datetime] = _now):
        self._items = items
        self._audit = audit
        self._notifier = notifier
        self._clock = clock

    def raise_alert(self, tenant_id: str, kind: AlertType, subject: str, severity: str, title: str,
                    details: dict[str, Any], store_id: str | None = None, sku_id: str | None = None) -> tuple[dict[str, Any], bool]:
        """Create or refresh the alert of `kind` about `subject`; (alert, whether users were notified)."""
        now = self._clock().isoformat(timespec="seconds")
        key = ALERT + alert_id(kind, subject)
        current = self._items.get(tenant_id, key)
        fresh = {"alert_id": alert_id(kind, subject), "type": kind, "subject": subject, "store_id": store_id, "sku_id": sku_id,
                 "severity": severity, "title": title, "details": details, "last_seen": now}
        if current is None:
            alert = {**fresh, "status": "open", "created_at": now, "occurrences": 1}
            notify, condition = True, {"if_absent": True}
        else:
            status = current["status"]
            notify = False
            if status == "resolved":
                status, notify = "open", True
            elif status == "snoozed" and _status(current, now) == "open":
                status, notify = "open", True
            if SEVERITY[severity] > SEVERITY[current["severity"]]:
                notify = True
            alert = {**_public(current), **fresh, "status": status, "occurrences": current.get("occurrences", 1) + 1}
            condition = {"if_version": current["version"]}
        try:
            stored = self._items.put(tenant_id, key, alert, **condition)
        except Conflict:  # evaluated twice at once: the other run recorded it
            return self._items.get(tenant_id, key), False
        if notify and self._notifier is not None:
            self._notifier.publish(tenant_id, f"[{severity}] {title}"[:100], {"tenant_id": tenant_id, **_public(stored)})
        return _public(stored), notify

    def list(self, tenant_id: str, status: str | None = None, kind: str | None = None, severity: str | None = None,
             store_id: str | None = None, sku_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        now = self._clock().isoformat(timespec="seconds")
        found = []
        for alert in self._items.query(tenant_id, ALERT):
            alert["status"] = _status(alert, now)
            if ((status and alert["status"] != status) or (kind and alert["type"] != kind)
                    or (severity and alert["severity"] != severity) or (store_id and alert.get("store_id") != store_id)
                    or (sku_id and alert.get("sku_id") != sku_id)):
                continue
            found.append(_public(alert))
        found.sort(key=lambda a: (SEVERITY[a["severity"]], a["last_seen"]), reverse=True)
        return found[:limit]

    def subscribe(self, principal: Principal, request: SubscribeRequest) -> dict[str, Any]:
        """An email address receives the caller's tenant's new alerts, and only those: the subscription
        filters on the tenant every alert is published with."""
        principal.require_any((MANAGERS, ADMINS))
        if self._notifier is None:
            raise RuntimeError("this AlertService was built without a notifier")
        types = sorted(set(request.alert_types)) if request.alert_types else None
        subscription = self._notifier.subscribe(principal.tenant_id, request.email, types)
        self._audit.record(principal, "alerts.subscribed", "alerts", after={"email": _masked(request.email), "alert_types": types or "all"})
        return {"email": request.email, "alert_types": types or "all", "status": "pending_confirmation" if subscription == "pending confirmation" else "subscribed",
                "note": "the address receives a message from AWS to confirm the subscription; alerts follow once it is confirmed"}

    def acknowledge(self, principal: Principal, alert_id_: str) -> dict[str, Any]:
        return self._move(principal, alert_id_, ("open", "snoozed"), "acknowledged", {"acknowledged_by": principal.user_id})

    def resolve(self, principal: Principal, alert_id_: str, note: str | None = None) -> dict[str, Any]:
        return self._move(principal, alert_id_, ACTIVE, "resolved", {"resolved_by": principal.user_id, "resolution_note": note})

    def snooze(self, principal: Principal, alert_id_: str, request: SnoozeRequest) -> dict[str, Any]:
        now = self._clock()
        until = now + timedelta(hours=request.hours) if request.hours else request.until
        if until.tzinfo is None:
            until = until.replace(tzinfo=timezone.utc)
        if not now < until <= now + timedelta(days=MAX_SNOOZE_DAYS):
            raise InvalidRequest(f"until must be in the future and at most {MAX_SNOOZE_DAYS} days away", field="until")
        return self._move(principal, alert_id_, ("open", "acknowledged"), "snoozed",
                          {"snoozed_by": principal.user_id, "snoozed_until": until.isoformat(timespec="seconds")})

    def _move(self, principal: Principal, alert_id_: str, allowed: tuple[str, ...], to: str, changes: dict[str, Any]) -> dict[str, Any]:
        current = self._items.get(principal.tenant_id, ALERT + alert_id_)
        if current is None:
            raise NotFound(f"no alert {alert_id_}")
        status = _status(current, self._clock().isoformat(timespec="seconds"))
        if status not in allowed:
            raise Conflict(f"alert {alert_id_} is {status}: only an alert that is {' or '.join(allowed)} can be {to}")
        updated = {**_public(current), **changes, "status": to, f"{to}_at": self._clock().isoformat(timespec="seconds")}
        stored = self._items.put(principal.tenant_id, ALERT + alert_id_, updated, if_version=current["version"])
        self._audit.record(principal, f"alert.{to}", alert_id_, before=_public(current), after=_public(stored))
        return _public(stored)

    def document_failed(self, tenant_id: str, doc_id: str, doc_type: str, reasons: Sequence[str]) -> dict[str, Any]:
        """The document pipeline's ComplianceAlerts port: a document failed its validation rules."""
        alert, _ = self.raise_alert(tenant_id, "compliance_failure", f"document#{doc_id}", "high",
                                    f"{doc_type} {doc_id} failed validation",
                                    {"doc_id": doc_id, "doc_type": doc_type, "reasons": list(reasons)})
        return alert


class SeriesPlans(Protocol):
    """Every series of a tenant with its reorder plan (None where stock is unknown): pricing's service."""

    def plans(self, tenant_id: str) -> list[tuple[dict[str, Any], ReorderPlan | None]]: ...


def evaluate(tenant_id: str, policy: TenantPolicy, series: SeriesPlans, forecasts: ForecastStore,
             alerts: AlertService) -> dict[str, int]:
    """Check every series of the tenant; raise (or refresh) an alert for each finding."""
    thresholds = policy.alerts
    counts = {"series": 0, "raised": 0, "notified": 0}
    dropped: set[str] = set()
    for position, plan in series.plans(tenant_id):
        counts["series"] += 1
        store, sku = position["store_id"], position["sku_id"]
        subject = f"{store}#{sku}"
        findings = []
        if plan is not None and plan.stockout_risk["7d"] > thresholds.stockout_risk:
            risk = plan.stockout_risk["7d"]
            findings.append(("stockout_risk", "high" if risk >= 0.6 or position["on_hand"] <= 0 else "medium",
                             f"{sku} in {store}: {risk:.0%} risk of running out within 7 days",
                             {"stockout_risk": plan.stockout_risk, "on_hand": position["on_hand"], "on_order": position.get("on_order"),
                              "reorder_point": round(plan.reorder_point, 1), "suggested_order": plan.order_quantity,
                              "explanation": plan.explanation["stockout_risk"]}))
        spike = _demand_spike(tenant_id, position, forecasts, thresholds.demand_spike_z)
        if spike:
            findings.append(spike)
        findings.extend(_price_findings(position, policy.pricing.competitor_band_pct, thresholds.price_gap_pct,
                                        thresholds.competitor_drop_pct))
        for kind, severity, title, details in findings:
            if kind == "competitor_price_drop":
                # A competitor's quote is the same for every store: one alert per SKU, not one per store.
                if sku in dropped:
                    continue
                dropped.add(sku)
                _, notified = alerts.raise_alert(tenant_id, kind, sku, severity, title, details, None, sku)
            else:
                _, notified = alerts.raise_alert(tenant_id, kind, subject, severity, title, details, store, sku)
            counts["raised"] += 1
            counts["notified"] += int(notified)
    return counts


def _demand_spike(tenant_id: str, position: dict[str, Any], forecasts: ForecastStore, threshold: float):
    """Actual units far above what was forecast for the same days, on days without a promotion."""
    recent = position.get("recent") or []
    if not recent:
        return None
    stored = {d["date"]: d for d in forecasts.series(tenant_id, position["store_id"], position["sku_id"],
                                                     recent[0]["date"], recent[-1]["date"])}
    worst = None
    for day in recent:
        forecast = stored.get(day["date"])
        if forecast is None or day["promo"]:
            continue
        sd = ForecastDay(day["date"], forecast["p10"], forecast["p50"], forecast["p90"]).sd
        z = (day["units"] - forecast["p50"]) / max(sd, 0.5)
        if z > threshold and (worst is None or z > worst[0]):
            worst = (z, day, forecast)
    if worst is None:
        return None
    z, day, forecast = worst
    return ("demand_spike", "high" if z > 2 * threshold else "medium",
            f"{position['sku_id']} in {position['store_id']}: {day['units']:.0f} sold on {day['date']} against "
            f"{forecast['p50']:.1f} forecast (z {z:.1f}, no promotion)",
            {"date": day["date"], "units": day["units"], "forecast_p50": forecast["p50"], "forecast_p90": forecast["p90"],
             "z_score": round(z, 2)})


def _price_findings(position: dict[str, Any], band_pct: float, gap_pct: float, drop_pct: float) -> list[tuple]:
    findings = []
    quotes = position.get("competitor_prices") or {}
    price = position.get("current_price")
    if quotes and price:
        mid = median(quotes.values())
        low, high = mid * (1 - band_pct / 100), mid * (1 + band_pct / 100)
        gap = (price / high - 1) * 100 if price > high else (1 - price / low) * 100 if price < low else 0.0
        if gap > gap_pct:
            side = "above" if price > high else "below"
            findings.append(("price_anomaly", "high" if gap > 2 * gap_pct else "medium",
                             f"{position['sku_id']} in {position['store_id']}: our {price:.2f} is {gap:.0f}% {side} the "
                             f"competitor band {low:.2f}-{high:.2f}",
                             {"price": price, "competitor_median": round(mid, 2), "band": [round(low, 2), round(high, 2)],
                              "gap_pct": round(gap, 1), "competitors": quotes}))
    drops = {name: (before, quotes[name]) for name, before in (position.get("competitor_previous") or {}).items()
             if name in quotes and before and (1 - quotes[name] / before) * 100 >= drop_pct}
    if drops:
        name, (before, after) = max(drops.items(), key=lambda kv: 1 - kv[1][1] / kv[1][0])
        cut = (1 - after / before) * 100
        findings.append(("competitor_price_drop", "high" if cut >= 2 * drop_pct else "medium",
                         f"{position['sku_id']}: {name} cut its price {cut:.0f}% ({before:.2f} to {after:.2f})",
                         {"competitor": name, "before": before, "after": after, "drop_pct": round(cut, 1),
                          "our_price": price, "all_drops": {k: list(v) for k, v in drops.items()}}))
    return findings


def _status(alert: dict[str, Any], now: str) -> str:
    """The alert's status as users see it at `now`: a snooze that ran out is open again."""
    if alert["status"] == "snoozed" and alert.get("snoozed_until", "") <= now:
        return "open"
    return alert["status"]


def _public(alert: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in alert.items() if k not in ("item_key", "version")}, **advice(alert)}


def advice(alert: dict[str, Any]) -> dict[str, str]:
    """Why the alert was raised and what to do about it, in words, from the figures it carries."""
    d, kind = alert.get("details") or {}, alert.get("type")
    if kind == "stockout_risk":
        order = d.get("suggested_order") or 0
        action = (f"order {order:g} units now (on hand {d.get('on_hand', 0):g}, reorder point {d.get('reorder_point')})" if order
                  else "check the stock count and orders on the way: the plan suggests no order")
        return {"reason": d.get("explanation", ""), "recommended_action": action}
    if kind == "demand_spike":
        return {"reason": f"{d.get('units', 0):g} sold on {d.get('date')} against {d.get('forecast_p50', 0):.1f} forecast "
                          f"(z {d.get('z_score')})",
                "recommended_action": "check for an unrecorded promotion or event; if the demand holds, reorder early"}
    if kind == "price_anomaly":
        band = d.get("band") or [None, None]
        return {"reason": f"our price {d.get('price')} is {d.get('gap_pct')}% outside the competitor band {band[0]}-{band[1]}",
                "recommended_action": "review the price on the pricing page: the recommendation stays inside the guardrails"}
    if kind == "competitor_price_drop":
        return {"reason": f"{d.get('competitor')} cut its price {d.get('drop_pct')}% ({d.get('before')} to {d.get('after')})",
                "recommended_action": "decide whether to follow: simulate the price and propose it if it pays"}
    if kind == "compliance_failure":
        return {"reason": "; ".join(d.get("reasons") or []),
                "recommended_action": "hold payment; review the document and ask the supplier for a corrected one"}
    return {"reason": "", "recommended_action": ""}

