"""Price recommendations inside guardrails, and what-if simulations.

Demand at a candidate price p follows the SKU's constant elasticity around the forecast:
units(p) = forecast units at the current price x (p / current price) ** elasticity. The recommended
price maximises the objective over the prices every guardrail allows; the answer says which guardrail
bound it, and the impact comes with a range from the elasticity's 90% interval.

Guardrails, strongest first. When two cannot both hold, the stronger one wins and the weaker one is
reported as relaxed with the reason:
1. contractual: MAP (minimum advertised price), the SKU's min and max price;
2. max_daily_change: at most `max_delta_pct` away from today's price;
3. min_margin: never below cost / (1 - min_margin_pct);
4. no_decrease_below_safety_stock: no price cut while stock on hand is below safety stock;
5. competitor_band: within `competitor_band_pct` of the competitors' median price.

Standard library and pydantic only: this runs in the API Lambda.
"""

import math
from dataclasses import dataclass, field
from statistics import median
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Objective = Literal["maximize_margin", "maximize_revenue", "match_competitors"]


class PricingPolicy(BaseModel):
    """A tenant's pricing guardrails (managers set them)."""

    model_config = ConfigDict(extra="forbid")

    max_delta_pct: float = Field(default=10.0, gt=0, le=100, description="largest price change per day, % of today's price")
    competitor_band_pct: float = Field(default=15.0, gt=0, le=100, description="allowed distance from the competitors' median, %")
    fallback_margin_pct: float = Field(default=25.0, ge=0, lt=100,
                                       description="margin on cost used when no elasticity is known and no competitor price exists")
    default_min_margin_pct: float = Field(default=0.0, ge=0, lt=100, description="when the product master gives none")
    horizon_days: int = Field(default=7, ge=1, le=28, description="days over which impacts are stated")


@dataclass(frozen=True)
class ElasticityEstimate:
    value: float
    low: float
    high: float
    identified: bool
    source: str
    level: str            # "store" or "sku"


@dataclass(frozen=True)
class PricingContext:
    """Everything known about one SKU in one store when a price is set."""

    sku_id: str
    store_id: str
    current_price: float
    baseline_units: float                      # forecast units over the policy horizon at the current price
    unit_cost: float | None = None
    min_margin_pct: float | None = None
    min_price: float | None = None
    max_price: float | None = None
    map_price: float | None = None
    competitor_prices: dict[str, float] = field(default_factory=dict)
    elasticity: ElasticityEstimate | None = None
    on_hand: float | None = None
    safety_stock: float | None = None


@dataclass(frozen=True)
class Bound:
    guardrail: str
    low: float | None
    high: float | None
    reason: str


def guardrails(ctx: PricingContext, policy: PricingPolicy) -> list[Bound]:
    """The applicable guardrails, strongest first."""
    bounds = []
    if ctx.map_price:
        bounds.append(Bound("map", ctx.map_price, None, f"not below the minimum advertised price {ctx.map_price:.2f}"))
    if ctx.min_price:
        bounds.append(Bound("min_price", ctx.min_price, None, f"not below the SKU's minimum price {ctx.min_price:.2f}"))
    if ctx.max_price:
        bounds.append(Bound("max_price", None, ctx.max_price, f"not above the SKU's maximum price {ctx.max_price:.2f}"))
    delta = policy.max_delta_pct / 100
    bounds.append(Bound("max_daily_change", ctx.current_price * (1 - delta), ctx.current_price * (1 + delta),
                        f"at most {policy.max_delta_pct:g}% from today's {ctx.current_price:.2f}"))
    margin = ctx.min_margin_pct if ctx.min_margin_pct is not None else policy.default_min_margin_pct
    if ctx.unit_cost is not None and margin is not None:
        floor = ctx.unit_cost / (1 - margin / 100)
        bounds.append(Bound("min_margin", floor, None, f"a margin of at least {margin:g}% on the cost {ctx.unit_cost:.2f}"))
    if ctx.on_hand is not None and ctx.safety_stock is not None and ctx.on_hand < ctx.safety_stock:
        bounds.append(Bound("no_decrease_below_safety_stock", ctx.current_price, None,
                            f"no price cut: {ctx.on_hand:.0f} on hand is below the safety stock of {ctx.safety_stock:.0f}"))
    if ctx.competitor_prices:
        mid = median(ctx.competitor_prices.values())
        band = policy.competitor_band_pct / 100
        bounds.append(Bound("competitor_band", mid * (1 - band), mid * (1 + band),
                            f"within {policy.competitor_band_pct:g}% of the competitors' median {mid:.2f}"))
    return bounds


@dataclass
class Feasible:
    low: float
    high: float
    low_by: list[str]
    high_by: list[str]
    applied: list[str]
    relaxed: list[dict]


def feasible_range(bounds: list[Bound]) -> Feasible:
    """Intersect guardrails strongest first; a guardrail that would leave nothing is relaxed."""
    low, high = 0.01, math.inf
    applied: list[Bound] = []
    relaxed = []
    for bound in bounds:
        new_low = max(low, bound.low) if bound.low is not None else low
        new_high = min(high, bound.high) if bound.high is not None else high
        if new_low > new_high + 1e-9:
            stronger = _setting(applied, high, "high") if bound.low is not None and bound.low > high else _setting(applied, low, "low")
            relaxed.append({"guardrail": bound.guardrail,
                            "reason": f"{bound.reason}: cannot hold together with {', '.join(stronger) or 'a stronger guardrail'}"})
            continue
        applied.append(bound)
        low, high = new_low, new_high
    return Feasible(low, high, _setting(applied, low, "low"), _setting(applied, high, "high"),
                    [b.guardrail for b in applied], relaxed)


def _setting(bounds: list[Bound], value: float, side: str) -> list[str]:
    """The guardrails whose `side` limit is `value`."""
    return [b.guardrail for b in bounds if getattr(b, side) is not None and abs(getattr(b, side) - value) < 1e-9]


def _units(ctx: PricingContext, price: float, elasticity: float) -> float:
    return ctx.baseline_units * (price / ctx.current_price) ** elasticity


def impact(ctx: PricingContext, price: float, policy: PricingPolicy) -> dict:
    """Units, revenue and margin over the horizon at `price` against today's price, with a range
    from the elasticity's interval (no range without an elasticity)."""
    def figures(e: float) -> dict:
        units = _units(ctx, price, e)
        out = {"units": units, "revenue": units * price}
        if ctx.unit_cost is not None:
            out["margin"] = units * (price - ctx.unit_cost)
        return out

    base = {"units": ctx.baseline_units, "revenue": ctx.baseline_units * ctx.current_price}
    if ctx.unit_cost is not None:
        base["margin"] = ctx.baseline_units * (ctx.current_price - ctx.unit_cost)
    e = ctx.elasticity
    point = figures(e.value if e else 0.0)
    scenarios = [figures(e.low), figures(e.high)] if e else [point]
    result = {"horizon_days": policy.horizon_days, "price": round(price, 2),
              "price_change_pct": round(100 * (price / ctx.current_price - 1), 2)}
    for metric, before in base.items():
        values = [s[metric] - before for s in scenarios]
        result[metric] = {
            "current": round(before, 2), "expected": round(point[metric], 2),
            "change": round(point[metric] - before, 2),
            "change_pct": round(100 * (point[metric] / before - 1), 2) if before else None,
            "change_range": [round(min(values), 2), round(max(values), 2)],
        }
    return result


def _round_inside(price: float, low: float, high: float) -> float:
    """A price in cents inside the allowed range. When no whole cent fits (a range narrower than a
    cent), the lower limit wins: it guards margin and MAP, the upper one only caps."""
    cents = round(price, 2)
    if cents > high + 1e-9:
        cents = math.floor(high * 100 + 1e-6) / 100
    if cents < low - 1e-9:
        cents = math.ceil(low * 100 - 1e-6) / 100
    return cents


def suggest(ctx: PricingContext, objective: Objective, policy: PricingPolicy) -> dict:
    bounds = guardrails(ctx, policy)
    space = feasible_range(bounds)
    high = space.high if math.isfinite(space.high) else max(space.low, ctx.current_price) * 3
    competitor_mid = median(ctx.competitor_prices.values()) if ctx.competitor_prices else None
    if ctx.elasticity is None:
        method = "fallback_competitor_parity"
        if competitor_mid is not None:
            target = competitor_mid
            rationale = f"no elasticity is known: competitor parity ({competitor_mid:.2f})"
        elif ctx.unit_cost is not None:
            target = ctx.unit_cost * (1 + policy.fallback_margin_pct / 100)
            rationale = f"no elasticity or competitor price is known: cost plus {policy.fallback_margin_pct:g}%"
        else:
            target = ctx.current_price
            rationale = "no elasticity, competitor price or cost is known: keep today's price"
        if ctx.unit_cost is not None:
            floor = ctx.unit_cost * (1 + policy.fallback_margin_pct / 100)
            if target < floor:
                target, rationale = floor, rationale + f", raised to cost plus {policy.fallback_margin_pct:g}%"
    elif objective == "match_competitors":
        method = "competitor_parity"
        target = competitor_mid if competitor_mid is not None else ctx.current_price
        rationale = (f"match the competitors' median {competitor_mid:.2f}" if competitor_mid is not None
                     else "no competitor price is known: keep today's price")
    else:
        method = "elasticity_optimisation"
        target, why = _optimum(ctx, objective)
        rationale = f"{objective.replace('_', ' ')} at elasticity {ctx.elasticity.value:.2f}: {why}"
        if objective == "maximize_margin" and ctx.unit_cost is None:
            rationale += " (no unit cost is known: margin is taken as revenue)"
    price = _round_inside(min(max(target, space.low), high), space.low, high)
    if abs(price - target) < 0.005:
        bound_by = []
    elif price >= target:
        bound_by = space.low_by
    else:
        bound_by = space.high_by
    return {
        "sku_id": ctx.sku_id, "store_id": ctx.store_id, "objective": objective, "method": method,
        "current_price": round(ctx.current_price, 2), "recommended_price": price,
        "unconstrained_price": round(target, 2) if math.isfinite(target) else None, "rationale": rationale,
        "guardrails": {
            "allowed_range": [round(space.low, 2), round(space.high, 2) if math.isfinite(space.high) else None],
            "applied": [{"guardrail": b.guardrail, "low": _r(b.low), "high": _r(b.high), "reason": b.reason}
                        for b in bounds if b.guardrail in space.applied],
            "bound_by": bound_by, "relaxed": space.relaxed,
        },
        "impact": impact(ctx, price, policy),
        "evidence": _evidence(ctx, competitor_mid),
    }


def simulate(ctx: PricingContext, price: float, policy: PricingPolicy) -> dict:
    """The impact of any candidate price, and which guardrails it would break."""
    breaks = [{"guardrail": b.guardrail, "reason": b.reason} for b in guardrails(ctx, policy)
              if (b.low is not None and price < b.low - 1e-9) or (b.high is not None and price > b.high + 1e-9)]
    return {"sku_id": ctx.sku_id, "store_id": ctx.store_id, "current_price": round(ctx.current_price, 2),
            "impact": impact(ctx, price, policy), "breaks_guardrails": breaks,
            "evidence": _evidence(ctx, median(ctx.competitor_prices.values()) if ctx.competitor_prices else None)}


def _optimum(ctx: PricingContext, objective: Objective) -> tuple[float, str]:
    """The objective's unconstrained optimum under constant elasticity e, in closed form. Both
    objectives are unimodal in price, so the best allowed price is this one clipped to the range.
    Margin (p - c) * p**e peaks at c * e / (1 + e) when demand is elastic (e < -1); revenue p**(1+e)
    falls with price when e < -1 and rises when e > -1; inelastic demand always asks for more."""
    e = ctx.elasticity.value
    cost = ctx.unit_cost if objective == "maximize_margin" and ctx.unit_cost else None
    if cost is not None:
        if e < -1:
            return cost * e / (1 + e), f"the margin peaks at cost x e / (1 + e) = {cost * e / (1 + e):.2f}"
        return math.inf, "demand is inelastic here, so a higher price earns more margin"
    if e < -1:
        return 0.0, "demand is elastic, so a lower price earns more revenue"
    if e > -1:
        return math.inf, "demand is inelastic here, so a higher price earns more revenue"
    return ctx.current_price, "revenue does not change with price at elasticity -1"


def _evidence(ctx: PricingContext, competitor_mid: float | None) -> dict:
    e = ctx.elasticity
    return {
        "competitors": {
            "prices": {k: round(v, 2) for k, v in sorted(ctx.competitor_prices.items())},
            "low": _r(min(ctx.competitor_prices.values())) if ctx.competitor_prices else None,
            "median": _r(competitor_mid), "high": _r(max(ctx.competitor_prices.values())) if ctx.competitor_prices else None,
        },
        "elasticity": ({"value": round(e.value, 3), "range_90": [round(e.low, 3), round(e.high, 3)],
                        "identified": e.identified, "source": e.source, "level": e.level} if e else None),
        "baseline_units": round(ctx.baseline_units, 2),
        "unit_cost": _r(ctx.unit_cost),
        "on_hand": ctx.on_hand, "safety_stock": _r(ctx.safety_stock),
    }


def _r(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
