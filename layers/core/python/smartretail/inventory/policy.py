"""Reorder policy from forecast quantiles: safety stock, reorder point, order quantity, stockout risk.

The decision is made at the start of a day (the first forecast day) before that day's sales. An order
placed now arrives `lead_time_days` later; the next chance to order is `review_days` later; so what is
on hand and on order now must cover demand over the protection period of lead time + review days.
Demand over a period is the sum of each day's expected demand, which the P10/P50/P90 give by
Swanson's rule (0.3 P10 + 0.4 P50 + 0.3 P90): a day's median is the wrong thing to add up for an item
that sells on a third of days (its median is 0 though it sells every week), and for any right-skewed
day it sums low. Daily demand uncertainty comes from the forecast's P10-P90 band (a normal
approximation). Forecast errors on nearby days move together (a level under- or overestimated), so days are summed with the
error correlation the model's backtest measured: the band of a period lies between that of
independent days and the sum of daily bands.

Standard library only: this runs in the API Lambda.
"""

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Sequence

Z80 = NormalDist().inv_cdf(0.9)  # half-width of the P10-P90 band in standard deviations
SWANSON = (0.3, 0.4, 0.3)  # weights of P10, P50, P90 in a distribution's mean (Swanson's rule)
DEFAULT_ERROR_CORRELATION = 0.5  # when the model measured none: halfway between independent and locked days
RISK_HORIZONS = (7, 14)


@dataclass(frozen=True)
class ForecastDay:
    date: str
    p10: float
    p50: float
    p90: float
    known_mean: float | None = None  # when the source is an average itself (the moving-average fallback)

    @property
    def mean(self) -> float:
        """Expected demand of the day: Swanson's rule on the three quantiles, unless the source gave it."""
        if self.known_mean is not None:
            return self.known_mean
        return SWANSON[0] * self.p10 + SWANSON[1] * self.p50 + SWANSON[2] * self.p90

    @property
    def sd(self) -> float:
        return max(self.p90 - self.p10, 0.0) / (2 * Z80)


@dataclass(frozen=True)
class StockPosition:
    on_hand: float | None            # None: unknown, no reorder advice
    on_order: float = 0.0
    lead_time_days: int = 7
    unit_cost: float | None = None


@dataclass(frozen=True)
class InventoryPolicy:
    service_level: float = 0.95       # probability of no stockout before the next order can arrive
    review_days: int = 1              # how often orders can be placed
    moq: float = 0.0                  # supplier's minimum order quantity
    max_order_qty: float | None = None    # the most one order may hold (shelf or supplier limit)
    ordering_cost: float | None = None    # per order: with holding_cost_pct, enables EOQ
    holding_cost_pct: float | None = None  # per year, of unit cost
    error_correlation: float = DEFAULT_ERROR_CORRELATION  # between days' forecast errors (from the backtest)


@dataclass
class ReorderPlan:
    lead_time_demand: float
    protection_days: int
    protection_demand: float
    demand_sd: float
    safety_stock: float
    reorder_point: float
    inventory_position: float
    order_quantity: float
    eoq: float | None
    reorder_now: bool
    stockout_risk: dict[str, float]
    days_of_cover: float | None
    explanation: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        for key, value in out.items():
            if isinstance(value, float):
                out[key] = round(value, 2)
        out["stockout_risk"] = {k: round(v, 3) for k, v in self.stockout_risk.items()}
        return out


def window_demand(days: Sequence[ForecastDay], count: int, correlation: float) -> tuple[float, float]:
    """Expected total demand over the first `count` days and its standard deviation, days' errors equally
    correlated; the last day repeats when the forecast is shorter than the window."""
    if not days or count <= 0:
        return 0.0, 0.0
    chosen = list(days[:count]) + [days[-1]] * max(count - len(days), 0)
    rho = min(max(correlation, 0.0), 1.0)
    squares = sum(d.sd**2 for d in chosen)
    total = sum(d.sd for d in chosen)
    return sum(d.mean for d in chosen), math.sqrt(squares + rho * (total**2 - squares))


def stockout_probability(days: Sequence[ForecastDay], available: float, horizon: int,
                         correlation: float = DEFAULT_ERROR_CORRELATION) -> float:
    """Probability that demand over the next `horizon` days exceeds `available` units."""
    mean, sd = window_demand(days, horizon, correlation)
    if sd <= 0:
        return 1.0 if mean > available else 0.0
    return 1 - NormalDist(mean, sd).cdf(available)


def expected_shortage(days: Sequence[ForecastDay], available: float, horizon: int,
                      correlation: float = DEFAULT_ERROR_CORRELATION) -> float:
    """Expected units of demand over the next `horizon` days that `available` units cannot serve."""
    mean, sd = window_demand(days, horizon, correlation)
    if sd <= 0:
        return max(mean - available, 0.0)
    z = (available - mean) / sd
    unit = NormalDist()
    return sd * (unit.pdf(z) - z * (1 - unit.cdf(z)))


def plan(days: Sequence[ForecastDay], position: StockPosition, policy: InventoryPolicy = InventoryPolicy()) -> ReorderPlan:
    if position.on_hand is None:
        raise ValueError("on-hand stock is unknown: no reorder advice without it")
    if not 0.5 <= policy.service_level < 1:
        raise ValueError("service_level must be at least 0.5 and below 1")
    lead = max(int(position.lead_time_days), 0)
    protection = lead + max(policy.review_days, 1)
    z = NormalDist().inv_cdf(policy.service_level)
    rho = policy.error_correlation
    lead_mean, _ = window_demand(days, lead, rho)
    mean, sd = window_demand(days, protection, rho)
    safety = z * sd
    reorder_point = mean + safety
    position_now = position.on_hand + position.on_order
    gap = max(reorder_point - position_now, 0.0)
    eoq = _eoq(days, position, policy)
    quantity = 0.0
    if gap > 0:
        quantity = max(gap, eoq or 0.0, policy.moq)
        if policy.max_order_qty is not None:
            quantity = min(quantity, policy.max_order_qty)
        quantity = float(math.ceil(quantity - 1e-9))
    risk = {}
    for horizon in RISK_HORIZONS:
        # Stock on order arrives within the lead time; count it only for horizons that reach past it.
        available = position.on_hand + (position.on_order if horizon > lead else 0.0)
        risk[f"{horizon}d"] = stockout_probability(days, available, horizon, rho)
    daily = mean / protection if protection else 0.0
    cover = position.on_hand / daily if daily > 0 else None
    bound = ""
    if quantity and policy.max_order_qty is not None and quantity >= policy.max_order_qty:
        bound = f" capped at the maximum order of {policy.max_order_qty:g}"
    elif quantity and quantity == math.ceil(policy.moq) and quantity > math.ceil(gap):
        bound = f" raised to the minimum order of {policy.moq:g}"
    elif quantity and eoq and quantity == math.ceil(eoq) and eoq > gap:
        bound = f" raised to the economic order quantity {eoq:.0f}"
    explanation = {
        "lead_time_demand": f"{lead_mean:.1f} units forecast over the {lead}-day lead time",
        "safety_stock": (f"{safety:.1f} units = z {z:.2f} for a {policy.service_level:.0%} service level x "
                         f"{sd:.1f} units of forecast uncertainty over {protection} days (lead time + review)"),
        "reorder_point": f"{reorder_point:.1f} units = {mean:.1f} forecast over {protection} days + safety stock",
        "order_quantity": (f"{quantity:.0f} units to bring stock on hand and on order ({position_now:.0f}) back to the "
                           f"reorder point{bound}") if quantity else
                          f"no order: stock on hand and on order ({position_now:.0f}) covers the reorder point",
        "stockout_risk": ", ".join(f"{v:.0%} in the next {k.rstrip('d')} days" for k, v in risk.items()),
    }
    return ReorderPlan(
        lead_time_demand=lead_mean, protection_days=protection, protection_demand=mean, demand_sd=sd,
        safety_stock=safety, reorder_point=reorder_point, inventory_position=position_now, order_quantity=quantity,
        eoq=eoq, reorder_now=quantity > 0, stockout_risk=risk, days_of_cover=cover, explanation=explanation,
    )


def _eoq(days: Sequence[ForecastDay], position: StockPosition, policy: InventoryPolicy) -> float | None:
    """Economic order quantity sqrt(2DS/H) when ordering and holding costs are known."""
    if not (policy.ordering_cost and policy.holding_cost_pct and position.unit_cost):
        return None
    daily = sum(d.mean for d in days) / len(days) if days else 0.0
    holding = position.unit_cost * policy.holding_cost_pct / 100
    return math.sqrt(2 * daily * 365 * policy.ordering_cost / holding) if daily > 0 and holding > 0 else None
