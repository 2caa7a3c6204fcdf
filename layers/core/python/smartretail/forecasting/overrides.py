"""Manual forecast overrides (the design's writeback table): a manager who knows something the model
cannot (a local event, a delisting, a supplier problem) sets a value or a percentage for one SKU at
one store over a date range, with a reason. Served and exported forecasts show the override and the
model's own value side by side; every change is audited; an override stops applying after its expiry
day and the table drops it a day later.

Runs in the API and copilot functions: standard library and pydantic only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable

from pydantic import BaseModel, Field, field_validator, model_validator

from ..audit import AuditTrail
from ..auth import Principal
from ..errors import InvalidRequest, NotFound
from ..lake import stored_id
from ..ports import ItemStore

PREFIX = "override#"
MAX_DAYS = 366


def _key(store_id: str, sku_id: str = "", override_id: str = "") -> str:
    return f"{PREFIX}{store_id}#" + (f"{sku_id}#{override_id}" if sku_id else "")


class OverrideRequest(BaseModel):
    model_config = {"extra": "forbid"}

    store_id: str = Field(min_length=1, max_length=64)
    sku_id: str = Field(min_length=1, max_length=64)
    start: date
    end: date
    value: float | None = Field(default=None, ge=0, le=10_000_000, description="units per day, replacing the model's P50")
    percent: float | None = Field(default=None, ge=-100, le=1000, description="change to the model's forecast, e.g. 20 or -35")
    reason: str = Field(min_length=3, max_length=500)
    expires_on: date | None = Field(default=None, description="last day it applies; defaults to `end`")

    @field_validator("store_id", "sku_id")
    @classmethod
    def _ids(cls, value: str, info) -> str:
        return stored_id(value, info.field_name)

    @model_validator(mode="after")
    def _consistent(self) -> "OverrideRequest":
        if (self.value is None) == (self.percent is None):
            raise ValueError("give either value (units per day) or percent (a change to the model's forecast), not both")
        if self.end < self.start:
            raise ValueError("end is before start")
        if (self.end - self.start).days >= MAX_DAYS:
            raise ValueError(f"an override spans at most {MAX_DAYS} days")
        if self.expires_on is not None and self.expires_on < self.start:
            raise ValueError("expires_on is before start")
        return self


def _today() -> date:
    return datetime.now(timezone.utc).date()


class ForecastOverrides:
    def __init__(self, items: ItemStore, audit: AuditTrail | None, today: Callable[[], date] = _today):
        self.items, self._audit, self._today = items, audit, today

    def create(self, principal: Principal, request: OverrideRequest) -> dict[str, Any]:
        expires = request.expires_on or request.end
        if expires < self._today():
            raise InvalidRequest(f"this override would already have expired ({expires.isoformat()}): set expires_on or end "
                                 "to today or later", field="expires_on")
        override_id = uuid.uuid4().hex[:12]
        record = {"override_id": override_id, **request.model_dump(mode="json", exclude_none=True), "expires_on": expires.isoformat(),
                  "created_by": principal.user_id, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        # The table's TTL drops it the day after it stops applying.
        drop_at = int(datetime.combine(expires + timedelta(days=2), time(), tzinfo=timezone.utc).timestamp())
        self.items.put(principal.tenant_id, _key(request.store_id, request.sku_id, override_id), record, expires_at=drop_at)
        if self._audit:
            self._audit.record(principal, "forecast_override.create", f"{request.store_id}/{request.sku_id}", after=record)
        return _public(record)

    def delete(self, principal: Principal, override_id: str) -> dict[str, Any]:
        found = [r for r in self.items.query(principal.tenant_id, PREFIX) if r.get("override_id") == override_id]
        if not found:
            raise NotFound(f"no override {override_id}", field="override_id")
        record = found[0]
        self.items.delete_many(principal.tenant_id, [record["item_key"]])
        if self._audit:
            self._audit.record(principal, "forecast_override.delete", f"{record['store_id']}/{record['sku_id']}", before=_public(record))
        return {**_public(record), "deleted": True}

    def list(self, tenant_id: str, store_id: str | None = None, sku_id: str | None = None,
             include_expired: bool = False) -> list[dict[str, Any]]:
        prefix = _key(store_id) if store_id else PREFIX
        today = self._today().isoformat()
        out = []
        for record in self.items.query(tenant_id, prefix):
            if sku_id and record.get("sku_id") != sku_id:
                continue
            expired = record["expires_on"] < today
            if expired and not include_expired:
                continue
            out.append({**_public(record), "active": not expired})
        return sorted(out, key=lambda r: (r["store_id"], r["sku_id"], r["start"], r["created_at"]))

    def apply(self, tenant_id: str, result: dict[str, Any]) -> dict[str, Any]:
        """A forecast answer (daily points) with the store's active overrides applied: each overridden
        point keeps the model's values as `model_yhat` (and its band) and says which override and why;
        the latest override wins where two cover the same day."""
        active = by_series(self.list(tenant_id, result["store_id"]))
        for item in result["forecasts"]:
            overrides = active.get((result["store_id"], item["sku_id"]))
            if overrides:
                item["overrides"] = overrides
                override_series(item["series"], overrides)
        return result


def by_series(active: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Active overrides per (store, SKU), oldest first."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for override in sorted(active, key=lambda o: o["created_at"]):
        out.setdefault((override["store_id"], override["sku_id"]), []).append(override)
    return out


def override_series(series: list[dict[str, Any]], overrides: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One SKU's daily points (date, yhat, yhat_lower, yhat_upper) with its overrides, oldest first,
    applied in place; the latest one covering a day wins."""
    for point in series:
        day = point["date"]
        covering = [o for o in overrides if o["start"] <= day <= o["end"] and day <= o["expires_on"]]
        if covering:
            _override_point(point, covering[-1])
    return series


def _override_point(point: dict[str, Any], override: dict[str, Any]) -> None:
    model = {"yhat": point["yhat"], "yhat_lower": point["yhat_lower"], "yhat_upper": point["yhat_upper"]}
    if "percent" in override:
        factor = 1 + override["percent"] / 100
        scaled = {k: v * factor for k, v in model.items()}
    else:
        value = override["value"]
        ratio = value / model["yhat"] if model["yhat"] > 0 else None
        # The band keeps its shape around the new value; with no model value to scale from, it is the value.
        scaled = {"yhat": value, "yhat_lower": model["yhat_lower"] * ratio if ratio else value,
                  "yhat_upper": model["yhat_upper"] * ratio if ratio else value}
    point.update({k: round(v, 2) for k, v in scaled.items()})
    point["model_yhat"], point["model_yhat_lower"], point["model_yhat_upper"] = model["yhat"], model["yhat_lower"], model["yhat_upper"]
    point["override"] = {"override_id": override["override_id"], "reason": override["reason"], "by": override["created_by"],
                         **({"percent": override["percent"]} if "percent" in override else {"value": override["value"]})}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("item_key", "version")}
