"""Price suggestions, what-if simulations and ranked reorder/price recommendations for the API, from
the stored positions, elasticities and forecast quantiles, inside the tenant's policy.

Standard library and pydantic only: this runs in the API Lambda.
"""

import statistics
from datetime import date, timedelta
from typing import Any, Callable, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..errors import InvalidRequest, NotFound, ServiceUnavailable
from ..forecasting.overrides import ForecastOverrides, by_series, override_series
from ..forecasting.serving import live_model
from ..inventory.policy import Z80, ForecastDay, InventoryPolicy, ReorderPlan, StockPosition, expected_shortage, plan
from ..lake import stored_id
from ..memo import Recent, kept, remembered
from ..ports import ForecastStore, ItemStore, ModelRegistry, ResultCache
from ..insights import store as insights
from ..tenant_policy import TenantPolicy, TenantPolicyStore
from .recommend import ElasticityEstimate, Objective, PricingContext, simulate, suggest

PLAN_DAYS = 28  # forecast days read for a reorder plan (lead time + review + 14-day risk)
HOLDING_COST_PER_YEAR = 0.25  # share of an order's value it costs to hold for a year, when ranking reorders
RANKED_CACHE_SECONDS = 8 * 24 * 3600  # a week's runs apart, and a day more


class SkuStore(BaseModel):
    sku_id: str = Field(min_length=1, max_length=64)
    store_id: str = Field(min_length=1, max_length=64)

    @field_validator("sku_id", "store_id")
    @classmethod
    def _ids(cls, value: str, info) -> str:
        return stored_id(value, info.field_name)


class PricingSuggestRequest(SkuStore):
    current_price: float | None = Field(default=None, gt=0, le=1_000_000,
                                        description="today's price; defaults to the last price in the sales data")
    objective: Objective = "maximize_margin"


class ReorderPlansRequest(BaseModel):
    store_id: str = Field(min_length=1, max_length=64)
    category: str | None = Field(default=None, max_length=128)
    due_only: bool = False

    @field_validator("store_id")
    @classmethod
    def _store(cls, value: str) -> str:
        return stored_id(value, "store_id")


class SimulateRequest(SkuStore):
    price: float | None = Field(default=None, gt=0, le=1_000_000)
    discount_pct: float | None = Field(default=None, gt=0, lt=100)
    current_price: float | None = Field(default=None, gt=0, le=1_000_000)

    @model_validator(mode="after")
    def _one_candidate(self) -> "SimulateRequest":
        if (self.price is None) == (self.discount_pct is None):
            raise ValueError("give exactly one of price or discount_pct")
        return self


class RecommendationsRequest(BaseModel):
    store_id: str | None = Field(default=None, max_length=64, description="one store, or every store")
    category: str | None = Field(default=None, max_length=128)
    as_of_date: date | None = Field(default=None, description="the day the plan starts; defaults to the day after the data")
    objective: Literal["maximize_margin", "maximize_revenue"] = "maximize_margin"
    limit: int = Field(default=50, ge=1, le=500)

    @field_validator("store_id")
    @classmethod
    def _store(cls, value: str | None) -> str | None:
        return stored_id(value, "store_id") if value else None


class PricingService:
    def __init__(self, items: ItemStore, forecasts: ForecastStore, registry: ModelRegistry, policies: TenantPolicyStore,
                 cache: ResultCache | None = None, recent: Recent | None = None):
        self._items = items
        self._forecasts = forecasts
        self._registry = registry
        self._policies = policies
        self._cache = cache
        self._recent = recent
        # Managers' forecast overrides live in the same decisions table; plans read them, never write them.
        self._overrides = ForecastOverrides(items, audit=None)

    # -- pricing ------------------------------------------------------------------------------
    def suggest(self, tenant_id: str, request: PricingSuggestRequest) -> dict[str, Any]:
        policy = self._policies.get(tenant_id)

        def answer() -> dict[str, Any]:
            ctx, notes, as_of = self._context_of(tenant_id, request, policy)
            return {**suggest(ctx, request.objective, policy.pricing), "notes": notes, "data_as_of": as_of}

        return self._kept(tenant_id, "suggest", [request.model_dump(mode="json")], policy, answer)

    def simulate(self, tenant_id: str, request: SimulateRequest) -> dict[str, Any]:
        policy = self._policies.get(tenant_id)

        def answer() -> dict[str, Any]:
            ctx, notes, as_of = self._context_of(tenant_id, request, policy)
            price = request.price if request.price is not None else ctx.current_price * (1 - request.discount_pct / 100)
            return {**simulate(ctx, round(price, 2), policy.pricing), "notes": notes, "data_as_of": as_of}

        return self._kept(tenant_id, "simulate", [request.model_dump(mode="json")], policy, answer)

    def _kept(self, tenant_id: str, kind: str, request: list[Any], policy: TenantPolicy,
              answer: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """An answer kept under its request and what it was computed from (the tenant's policy, the
        positions loaded, the live model); computed, and not kept, when those cannot be read."""
        versions = self._versions(tenant_id, policy)
        return kept(self._cache if versions else None, tenant_id, kind, [*request, *versions], answer,
                    RANKED_CACHE_SECONDS, _not_degraded)

    # -- recommendations ----------------------------------------------------------------------
    def recommendations(self, tenant_id: str, request: RecommendationsRequest) -> dict[str, Any]:
        """Ranked reorder and price actions for a store (or every store), of one category if asked."""
        ranked = self._ranked(tenant_id, request.store_id, request.objective, request.as_of_date)
        category = request.category.strip().lower() if request.category else None

        def in_category(item: dict[str, Any]) -> bool:
            return category is None or (item.get("category") or "").lower() == category

        if not any(in_category({"category": c}) for c in ranked["categories"]):
            raise NotFound("no stock or sales positions for this store and category: has the training pipeline run?")
        unknown: dict[str, list[str]] = {}
        for series in filter(in_category, ranked["unknown_on_hand"]):
            unknown.setdefault(series["store_id"], []).append(series["sku_id"])
        known_stores = set(ranked["stores_with_known_on_hand"])
        return {
            "store_id": request.store_id, "category": request.category,
            "as_of_date": request.as_of_date.isoformat() if request.as_of_date else None,
            "data_as_of": ranked.get("data_as_of"),  # the last day of sales the plans start from
            "actions": [a for a in ranked["actions"] if in_category(a)][: request.limit],
            "excluded": {
                "stores_with_unknown_on_hand": sorted(s for s in unknown if s not in known_stores),
                "series_with_unknown_on_hand": [{"store_id": s, "sku_ids": sorted(k)} for s, k in sorted(unknown.items())],
                "reason": "on-hand stock is unknown (never imputed): no reorder or price advice until an inventory snapshot arrives",
            },
            "score": "margin impact + service impact - risk, in currency over the pricing horizon",
            **({"notes": ranked["notes"]} if ranked["notes"] else {}),
        }

    def warm(self, tenant_id: str) -> int:
        """Rank every store's actions (and all stores') ahead of the first request, as the pipeline
        does after it loads a run: the design's daily precomputed recommendations. How many were ranked."""
        stores = sorted({p["store_id"] for p in insights.positions(self._items, tenant_id)})
        for store in [*stores, None]:
            self._ranked(tenant_id, store, "maximize_margin", None)
        return len(stores) + 1 if stores else 0

    def _ranked(self, tenant_id: str, store_id: str | None, objective: str, as_of: date | None) -> dict[str, Any]:
        """Every action of a store ranked and kept: a request for the same store costs a few reads;
        anything its inputs change is ranked again."""
        policy = self._policies.get(tenant_id)
        return self._kept(tenant_id, "recommendations", [store_id, objective, as_of], policy,
                          lambda: self._rank(tenant_id, store_id, objective, as_of, policy))

    def _versions(self, tenant_id: str, policy: TenantPolicy) -> list[Any]:
        """What every pricing and reorder answer depends on besides the request; empty when there is
        no cache or they cannot be read (then the answer is computed, and not kept)."""
        if self._cache is None:
            return []
        try:
            meta = remembered(self._recent, ("insights", tenant_id), lambda: self._items.get(tenant_id, insights.META)) or {}
            live = self._live(tenant_id) or {}
            overrides = [o["override_id"] for o in self._overrides.list(tenant_id)]  # a new or expired one changes the plans
        except ServiceUnavailable:
            return []
        return [policy.model_dump(mode="json"), meta.get("loaded_at"), meta.get("model_version"), live.get("model_version"), overrides]

    def _rank(self, tenant_id: str, store_id: str | None, objective: str, as_of: date | None, policy: TenantPolicy) -> dict[str, Any]:
        positions = insights.positions(self._items, tenant_id, store_id)
        correlation = self._error_correlation(tenant_id)
        actions, unknown, notes = [], [], []
        overrides = self._active_overrides(tenant_id, store_id, notes)
        for position in positions:
            if position.get("on_hand") is None:
                unknown.append({"store_id": position["store_id"], "sku_id": position["sku_id"], "category": position.get("category")})
                continue
            start = as_of.isoformat() if as_of else _next_day(position["last_sales_date"])
            days = self._days(tenant_id, position, start, PLAN_DAYS, notes, overrides)
            if not days:
                continue
            reorder = _plan(position, days, policy, correlation)
            if reorder.reorder_now:
                actions.append(_reorder_action(position, reorder, days, correlation))
            price_action = self._price_action(tenant_id, position, days, reorder, policy, objective, correlation)
            if price_action:
                actions.append(price_action)
        actions.sort(key=lambda a: a["score"], reverse=True)
        notes += [n for a in actions for n in a.get("notes", []) if "unavailable" in n]  # a fallback inside an action
        return {"actions": actions, "unknown_on_hand": unknown, "notes": sorted(set(notes)),
                "categories": sorted({p.get("category") or "" for p in positions}),
                "data_as_of": max((p["last_sales_date"] for p in positions), default=None),
                "stores_with_known_on_hand": sorted({p["store_id"] for p in positions if p.get("on_hand") is not None})}

    def plans(self, tenant_id: str, store_id: str | None = None) -> list[tuple[dict[str, Any], ReorderPlan | None]]:
        """Every series' position (of one store, if asked) with its reorder plan from the day after its
        data (None when its stock is unknown or it has no forecast): what the alert evaluation checks."""
        policy = self._policies.get(tenant_id)
        correlation = self._error_correlation(tenant_id)
        out = []
        overrides = self._active_overrides(tenant_id, store_id)
        for position in insights.positions(self._items, tenant_id, store_id):
            days = self._days(tenant_id, position, _next_day(position["last_sales_date"]), PLAN_DAYS, overrides=overrides)
            known = position.get("on_hand") is not None and days
            out.append((position, _plan(position, days, policy, correlation) if known else None))
        return out

    def reorder_plans(self, tenant_id: str, request: ReorderPlansRequest) -> dict[str, Any]:
        """A store's reorder plans, due ones first, then by stockout risk: safety stock, reorder point,
        quantity, risk and the reasons, for every series (with why a series has none)."""
        category = request.category.strip().lower() if request.category else None
        rows = []
        for position, reorder in self.plans(tenant_id, request.store_id):
            if category is not None and (position.get("category") or "").lower() != category:
                continue
            base = {"store_id": position["store_id"], "sku_id": position["sku_id"], "category": position.get("category"),
                    "on_hand": position.get("on_hand"), "data_as_of": position["last_sales_date"]}
            if reorder is None:
                why = "on-hand stock is unknown" if position.get("on_hand") is None else "no forecast for this series yet"
                rows.append({**base, "plan": None, "reason": why})
            elif reorder.reorder_now or not request.due_only:
                rows.append({**base, "plan": reorder.to_dict()})
        rows.sort(key=lambda r: (not (r["plan"] or {}).get("reorder_now", False),
                                 -max(((r["plan"] or {}).get("stockout_risk") or {"": 0.0}).values())))
        return {"store_id": request.store_id, "category": request.category, "plans": rows}

    # -- internals ----------------------------------------------------------------------------
    def _position(self, tenant_id: str, store_id: str, sku_id: str) -> dict[str, Any]:
        position = self._items.get(tenant_id, insights.position_key(store_id, sku_id))
        if position is None:
            raise NotFound(f"no sales history for SKU {sku_id} in store {store_id}")
        return position

    def _active_overrides(self, tenant_id: str, store_id: str | None,
                          notes: list[str] | None = None) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """Managers' active forecast overrides per (store, SKU): plans follow the forecast a manager
        corrected, as the forecast page shows it. Unreadable: the model's forecast, said in `notes`."""
        try:
            return by_series(self._overrides.list(tenant_id, store_id))
        except ServiceUnavailable as exc:
            if notes is not None:
                notes.append(f"managers' forecast overrides are unavailable ({exc.message}): plans use the model's forecast")
            return {}

    def _days(self, tenant_id: str, position: dict[str, Any], start: str, count: int, notes: list[str] | None = None,
              overrides: dict[tuple[str, str], list[dict[str, Any]]] | None = None) -> list[ForecastDay]:
        """The stored forecast quantiles with any manager's override of the series; while the forecast
        store is unavailable, the moving average of the position's recent days (the design's
        fallback), said in `notes`."""
        end = (date.fromisoformat(start) + timedelta(days=count - 1)).isoformat()
        try:
            stored = self._forecasts.series(tenant_id, position["store_id"], position["sku_id"], start, end)
        except ServiceUnavailable as exc:
            if notes is not None:
                notes.append(f"forecasts are unavailable ({exc.message}): plans use the moving average of recent days")
            return moving_average_days(position, start, count)
        corrected = (overrides or {}).get((position["store_id"], position["sku_id"]))
        if not corrected:
            return [ForecastDay(d["date"], d["p10"], d["p50"], d["p90"]) for d in stored]
        points = override_series([{"date": d["date"], "yhat": d["p50"], "yhat_lower": d["p10"], "yhat_upper": d["p90"]} for d in stored],
                                 corrected)
        return [ForecastDay(p["date"], p["yhat_lower"], p["yhat"], p["yhat_upper"]) for p in points]

    def _live(self, tenant_id: str) -> dict[str, Any] | None:
        return remembered(self._recent, ("live", tenant_id), lambda: live_model(self._registry, tenant_id))

    def _error_correlation(self, tenant_id: str) -> float:
        try:
            live = self._live(tenant_id)
        except ServiceUnavailable:
            live = None  # the default correlation is a cautious one
        value = (live or {}).get("error_correlation")
        return InventoryPolicy().error_correlation if value is None else float(value)

    def _context_of(self, tenant_id: str, request: SkuStore, policy: TenantPolicy) -> tuple[PricingContext, list[str], str]:
        """The pricing context, its notes, and the last day of sales it is from."""
        position = self._position(tenant_id, request.store_id, request.sku_id)
        notes: list[str] = []
        days = self._days(tenant_id, position, _next_day(position["last_sales_date"]), PLAN_DAYS, notes,
                          self._active_overrides(tenant_id, request.store_id, notes))
        ctx, more = self._pricing_context(tenant_id, position, days, request.current_price, policy, self._error_correlation(tenant_id))
        return ctx, notes + more, position["last_sales_date"]

    def _pricing_context(self, tenant_id: str, position: dict[str, Any], days: list[ForecastDay], current_price: float | None,
                         policy: TenantPolicy, correlation: float, safety_stock: float | None = None,
                         ) -> tuple[PricingContext, list[str]]:
        notes = []
        price = current_price or position.get("current_price")
        if not price:
            raise InvalidRequest("no price is known for this SKU in this store: send current_price", field="current_price")
        horizon = policy.pricing.horizon_days
        if days:
            baseline = sum(d.mean for d in days[:horizon])
            if len(days) < horizon:
                baseline *= horizon / len(days)
        else:
            baseline = float(position.get("avg_daily_units_28") or 0.0) * horizon
            notes.append("no stored forecast for this series: units are the last 28 days' average")
        if current_price and position.get("current_price") and abs(current_price - position["current_price"]) > 0.005:
            notes.append(f"the forecast assumed {position['current_price']:.2f}; units re-based to {current_price:.2f}")
        try:
            stored = insights.elasticity(self._items, tenant_id, position["sku_id"], position["store_id"])
        except ServiceUnavailable as exc:  # the design's fallback: competitor parity, cost plus a fixed margin
            stored = None
            notes.append(f"elasticities are unavailable ({exc.message}): the price follows competitor parity "
                         "or cost plus the fixed margin")
        estimate = None
        if stored and stored.get("elasticity") is None:
            notes.append(f"no elasticity can be estimated yet ({stored.get('note', '')})")
        elif stored:
            estimate = ElasticityEstimate(stored["elasticity"], stored["low"], stored["high"], stored["identified"],
                                          stored["source"], "store" if stored.get("store_id") else "sku")
            if current_price and position.get("current_price"):
                baseline *= (current_price / position["current_price"]) ** stored["elasticity"]
            if not stored["identified"]:
                notes.append(f"this SKU's own data cannot identify its elasticity ({stored.get('note', '')}): "
                             "the category's value is used")
        if safety_stock is None and position.get("on_hand") is not None and days:
            safety_stock = _plan(position, days, policy, correlation).safety_stock
        ctx = PricingContext(
            sku_id=position["sku_id"], store_id=position["store_id"], current_price=float(price), baseline_units=baseline,
            unit_cost=position.get("unit_cost"), min_margin_pct=position.get("min_margin_pct"),
            min_price=position.get("min_price"), max_price=position.get("max_price"), map_price=position.get("map_price"),
            competitor_prices=position.get("competitor_prices") or {}, elasticity=estimate,
            on_hand=position.get("on_hand"), safety_stock=safety_stock,
        )
        return ctx, notes

    def _price_action(self, tenant_id: str, position: dict[str, Any], days: list[ForecastDay], reorder: ReorderPlan,
                      policy: TenantPolicy, objective: str, correlation: float) -> dict[str, Any] | None:
        if not position.get("current_price"):
            return None
        ctx, notes = self._pricing_context(tenant_id, position, days, None, policy, correlation, reorder.safety_stock)
        result = suggest(ctx, objective, policy.pricing)
        if abs(result["recommended_price"] - result["current_price"]) < 0.01:
            return None
        margin = result["impact"].get("margin") or result["impact"]["revenue"]
        low, high = margin["change_range"]
        risk = (high - low) / 2
        # A price cut that raises demand also raises the stockout risk the reorder plan measured.
        service = 0.0
        if result["impact"]["units"]["change"] > 0 and reorder.stockout_risk["7d"] > 0.05:
            service = -reorder.stockout_risk["7d"] * result["impact"]["units"]["change"] * result["recommended_price"]
        score = margin["change"] + service - risk
        return {
            "type": "price", "store_id": position["store_id"], "sku_id": position["sku_id"], "category": position.get("category"),
            "current_price": result["current_price"], "recommended_price": result["recommended_price"],
            "score": round(score, 2), "margin_impact": margin["change"], "service_impact": round(service, 2), "risk": round(risk, 2),
            "explanation": f"{result['rationale']}; bound by {', '.join(result['guardrails']['bound_by']) or 'nothing'}; "
                           f"margin change {margin['change']:+.2f} over {result['impact']['horizon_days']} days "
                           f"(range {low:+.2f} to {high:+.2f})",
            "method": result["method"], "notes": notes,
        }


def _not_degraded(answer: dict[str, Any]) -> bool:
    """A fallback's answer (a store could not be read) says so in its notes; it is not kept."""
    return not any("unavailable" in note for note in answer.get("notes", []))


def moving_average_days(position: dict[str, Any], start: str, count: int) -> list[ForecastDay]:
    """A flat forecast at the last 28 days' average with an 80% band from the recent days' spread:
    what reorder plans use while stored forecasts cannot be read."""
    mean = float(position.get("avg_daily_units_28") or 0.0)
    recent = [float(d["units"]) for d in position.get("recent") or []]
    spread = statistics.pstdev(recent) if len(recent) > 1 else mean ** 0.5
    first = date.fromisoformat(start)
    return [ForecastDay((first + timedelta(days=i)).isoformat(), max(mean - Z80 * spread, 0.0), mean, mean + Z80 * spread, mean)
            for i in range(count)]


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _plan(position: dict[str, Any], days: list[ForecastDay], policy: TenantPolicy, correlation: float) -> ReorderPlan:
    """A series' reorder plan under the tenant's inventory settings."""
    return plan(days, _stock(position, policy), _inventory_policy(position, policy, correlation))


def _stock(position: dict[str, Any], policy: TenantPolicy) -> StockPosition:
    lead = position.get("lead_time_days")
    return StockPosition(on_hand=position.get("on_hand"), on_order=float(position.get("on_order") or 0),
                         lead_time_days=int(lead if lead is not None else policy.inventory.default_lead_time_days),
                         unit_cost=position.get("unit_cost"))


def _inventory_policy(position: dict[str, Any], policy: TenantPolicy, correlation: float) -> InventoryPolicy:
    settings = policy.inventory
    return InventoryPolicy(service_level=settings.service_level, review_days=settings.review_days,
                           moq=float(position.get("moq") or 0), max_order_qty=position.get("max_order_qty"),
                           ordering_cost=settings.ordering_cost,
                           holding_cost_pct=settings.holding_cost_pct, error_correlation=correlation)


def _reorder_action(position: dict[str, Any], reorder: ReorderPlan, days: list[ForecastDay], correlation: float) -> dict[str, Any]:
    """Service impact: the margin on the units the order saves from stocking out in 14 days; risk:
    the cost of holding the order meanwhile (a quarter of its value a year)."""
    price = position.get("current_price") or 0.0
    cost = position.get("unit_cost")
    unit_margin = price - cost if cost is not None else price
    horizon = 14
    without = expected_shortage(days, reorder.inventory_position, horizon, correlation)
    with_order = expected_shortage(days, reorder.inventory_position + reorder.order_quantity, horizon, correlation)
    service = (without - with_order) * unit_margin
    holding = reorder.order_quantity * (cost or price) * HOLDING_COST_PER_YEAR * horizon / 365
    return {
        "type": "reorder", "store_id": position["store_id"], "sku_id": position["sku_id"], "category": position.get("category"),
        "data_as_of": position["last_sales_date"], "order_quantity": reorder.order_quantity, "order_value": round(reorder.order_quantity * (cost or price), 2),
        "score": round(service - holding, 2), "margin_impact": 0.0, "service_impact": round(service, 2), "risk": round(holding, 2),
        "explanation": f"{reorder.explanation['order_quantity']}; {reorder.explanation['stockout_risk']} without it",
        "plan": reorder.to_dict(),
    }
