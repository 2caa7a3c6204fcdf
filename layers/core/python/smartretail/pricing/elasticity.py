"""Own-price elasticity per SKU (and per SKU x store where the data allows) from sales history.

Model: a quasi-Poisson GLM of daily units on log price, controlling for promotions, weekday, store,
trend and yearly seasonality (Fourier terms), so the price coefficient is the elasticity of demand
net of those effects. Stockout days are left out (sales there are capped by stock, not by price) and
so are days a store sold nothing at all (closed). Poisson with a log link handles the many small
counts that a log-log OLS on log(units + 1) would bias toward zero; the quasi-likelihood scale
widens the standard errors for over-dispersion.

Each SKU's estimate is then pooled toward its category (empirical Bayes: a precision-weighted
category mean and a between-SKU variance), so a SKU with little price variation borrows strength
and one with none gets the category's value, flagged as not identified. Store-level estimates are
pooled toward their SKU the same way.

Runs in the training job (pandas, numpy, statsmodels); the API reads the stored results.
"""

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

Z90 = 1.6449
MIN_DAYS = 60               # fewer usable days: no estimate of its own
MIN_LOG_PRICE_SD = 0.01     # under ~1% price variation the price effect cannot be told from noise
MAX_OWN_SE = 1.0            # an own estimate this uncertain says nothing; the category speaks
ELASTICITY_BOUNDS = (-6.0, 0.0)  # outside this an estimate is a data problem (confounding), not a market fact
DEFAULT_SPREAD = 0.25       # between-SKU variance assumed when too few estimates exist to measure it


@dataclass(frozen=True)
class Elasticity:
    sku_id: str
    store_id: str | None        # None: the SKU across its stores
    category: str
    elasticity: float | None    # None: nothing in the tenant's data identifies a price effect yet
    low: float | None           # 90% interval
    high: float | None
    identified: bool            # False: the SKU's own data cannot identify it; the value is the category's
    source: str                 # "own", "pooled" (own, shrunk toward the category/SKU), "category" or "none"
    own_estimate: float | None
    own_se: float | None
    note: str                   # why it is not identified, or how it was pooled
    days: int
    price_variation: float      # standard deviation of log price on the days used

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _design(part: pd.DataFrame, stores: bool) -> pd.DataFrame:
    ds = part["ds"]
    t = (ds - ds.min()).dt.days.to_numpy() / 365.25
    day_of_year = ds.dt.dayofyear.to_numpy() / 365.25
    columns = {
        "const": np.ones(len(part)),
        "log_price": np.log(part["price"].to_numpy()) - np.log(part["price"].median()),
        "promo": part["promo"].to_numpy(dtype=float),
        "trend": t,
    }
    if t.max() > 0.9:  # a year or more: yearly seasonality is identifiable
        for k in (1, 2):
            columns[f"sin{k}"] = np.sin(2 * math.pi * k * day_of_year)
            columns[f"cos{k}"] = np.cos(2 * math.pi * k * day_of_year)
    weekday = ds.dt.weekday.to_numpy()
    for d in range(1, 7):
        columns[f"dow{d}"] = (weekday == d).astype(float)
    if stores:
        for store in sorted(part["store_id"].unique())[1:]:
            columns[f"store_{store}"] = (part["store_id"] == store).to_numpy(dtype=float)
    design = pd.DataFrame(columns, index=part.index)
    return design.loc[:, (design != 0).any(axis=0)]  # a promotion or weekday never seen: no column


def _fit(part: pd.DataFrame, stores: bool) -> tuple[float, float] | str:
    """(elasticity, standard error) of one group's GLM, or why the data cannot identify it."""
    import statsmodels.api as sm

    if len(part) < MIN_DAYS:
        return f"only {len(part)} usable days (needs {MIN_DAYS})"
    if np.log(part["price"]).std() < MIN_LOG_PRICE_SD or part["price"].nunique() < 2:
        return "the price hardly changed, so its effect cannot be told from noise"
    if part["y"].sum() <= 0:
        return "no units sold on the usable days"
    design = _design(part, stores)
    try:
        result = sm.GLM(part["y"].to_numpy(dtype=float), design, family=sm.families.Poisson()).fit(cov_type="HC1")
        beta, se = float(result.params["log_price"]), float(result.bse["log_price"])
    except (ValueError, KeyError, np.linalg.LinAlgError):
        return "the regression could not be solved on this data"
    if not (math.isfinite(beta) and math.isfinite(se)) or se <= 0:
        return "the regression could not be solved on this data"
    if se > MAX_OWN_SE:
        return f"too uncertain on its own ({beta:.2f} +/- {Z90 * se:.2f})"
    if not ELASTICITY_BOUNDS[0] <= beta <= ELASTICITY_BOUNDS[1]:
        return f"its own estimate {beta:.2f} is outside the plausible range, a sign of confounded price changes"
    return beta, se


@dataclass(frozen=True)
class Prior:
    mean: float
    spread: float       # between-member variance around the mean
    mean_var: float     # the variance of the estimated mean itself


def _pool(groups: dict[str, list[tuple[float, float]]]) -> dict[str, Prior]:
    """A random-effects prior per group from its members' (beta, se) pairs. The between-member
    variance is measured across all groups at once (DerSimonian-Laird): six SKUs of a category are
    too few to measure their own spread, and an underestimated spread would shrink too hard."""
    groups = {g: e for g, e in groups.items() if e}
    q, c, df = 0.0, 0.0, 0
    for estimates in groups.values():
        betas = np.array([b for b, _ in estimates])
        weights = 1.0 / np.array([se for _, se in estimates]) ** 2
        fixed_mean = (weights * betas).sum() / weights.sum()
        q += float((weights * (betas - fixed_mean) ** 2).sum())
        c += float(weights.sum() - (weights**2).sum() / weights.sum())
        df += len(estimates) - 1
    spread = max((q - df) / c, 0.0) if c > 0 and df > 0 else DEFAULT_SPREAD
    priors = {}
    for group, estimates in groups.items():
        betas = np.array([b for b, _ in estimates])
        weights = 1.0 / (np.array([se for _, se in estimates]) ** 2 + spread)
        priors[group] = Prior(float((weights * betas).sum() / weights.sum()), spread, float(1 / weights.sum()))
    return priors


def _shrink(own: tuple[float, float] | None, prior: Prior | None) -> tuple[float, float, str]:
    """Posterior (mean, sd) of an own estimate under a normal prior, counting the prior mean's own
    uncertainty; and the source the answer came from."""
    if own is None:
        assert prior is not None, "no own estimate and no prior"
        return prior.mean, math.sqrt(prior.spread + prior.mean_var), "category"
    beta, se = own
    if prior is None:
        return beta, se, "own"
    spread = max(prior.spread, 1e-4)
    weight = se**2 / (se**2 + spread)  # how far toward the prior the estimate moves
    mean = (1 - weight) * beta + weight * prior.mean
    variance = spread * se**2 / (spread + se**2) + weight**2 * prior.mean_var
    return mean, math.sqrt(variance), "pooled"


def usable_days(frame: pd.DataFrame) -> pd.DataFrame:
    """Days that say something about price: known price, not a stockout, the store open."""
    out = frame[frame["price"].notna() & (frame["price"] > 0) & ~frame["censored"].astype(bool)].copy()
    store_day_units = out.groupby(["store_id", "ds"])["y"].transform("sum")
    return out[store_day_units > 0]


def estimate(frame: pd.DataFrame, store_level: bool = True) -> list[Elasticity]:
    """Elasticities from a training frame (unique_id "STORE|SKU", ds, y, promo, price, censored,
    category): one per SKU, and one per SKU x store when `store_level`."""
    frame = frame.copy()
    frame[["store_id", "sku_id"]] = frame["unique_id"].str.split("|", n=1, expand=True)
    data = usable_days(frame)
    category_of = frame.groupby("sku_id")["category"].first().to_dict()

    own: dict[str, tuple[float, float] | str] = {sku: "no usable days (stockouts or no price)" for sku in category_of}
    for sku, part in data.groupby("sku_id", sort=True):
        own[sku] = _fit(part, stores=part["store_id"].nunique() > 1)
    by_category: dict[str, list[tuple[float, float]]] = {}
    for sku, est in own.items():
        if not isinstance(est, str):
            by_category.setdefault(category_of[sku], []).append(est)
    priors = _pool(by_category)
    everything = _pool({"all": [e for ests in by_category.values() for e in ests]}).get("all")

    results: list[Elasticity] = []
    for sku in sorted(own):
        part = data[data["sku_id"] == sku]
        prior = priors.get(category_of[sku]) or everything
        estimate_or_reason = own[sku]
        if isinstance(estimate_or_reason, str) and prior is None:
            # Nothing anywhere in the tenant's data identifies a price effect: say so, price by fallback.
            results.append(Elasticity(sku, None, category_of[sku], None, None, None, False, "none", None, None,
                                      f"{estimate_or_reason}; no other SKU of the tenant identifies one either",
                                      int(len(part)), float(np.log(part["price"]).std()) if len(part) > 1 else 0.0))
            continue
        sku_own = None if isinstance(estimate_or_reason, str) else estimate_or_reason
        mean, sd, source = _shrink(sku_own, prior)
        note = estimate_or_reason if sku_own is None else (
            f"own estimate pooled toward the {'category' if prior is priors.get(category_of[sku]) else 'tenant'} mean"
            if prior else "own estimate")
        sku_result = _result(sku, None, category_of[sku], mean, sd, source, sku_own, part, note)
        results.append(sku_result)
        if not store_level or sku_own is None:
            continue
        store_estimates = {store: _fit(p, stores=False) for store, p in part.groupby("store_id", sort=True)}
        spread = _pool({"stores": [e for e in store_estimates.values() if not isinstance(e, str)]}).get("stores")
        # A store departs from its SKU by the measured spread; the SKU's own uncertainty carries over.
        store_prior = Prior(sku_result.elasticity, spread.spread if spread else DEFAULT_SPREAD, sd**2)
        for store, est in store_estimates.items():
            if not isinstance(est, str):
                s_mean, s_sd, _ = _shrink(est, store_prior)
                results.append(_result(sku, store, category_of[sku], s_mean, s_sd, "pooled", est,
                                       part[part["store_id"] == store], "store estimate pooled toward the SKU"))
    return results


def _result(sku: str, store: str | None, category: str, mean: float, sd: float, source: str,
            own: tuple[float, float] | None, part: pd.DataFrame, note: str) -> Elasticity:
    mean = min(max(mean, ELASTICITY_BOUNDS[0]), ELASTICITY_BOUNDS[1])
    return Elasticity(
        sku_id=sku, store_id=store, category=category, elasticity=mean, low=mean - Z90 * sd, high=mean + Z90 * sd,
        identified=own is not None, source=source,
        own_estimate=own[0] if own else None, own_se=own[1] if own else None, note=note,
        days=int(len(part)), price_variation=float(np.log(part["price"]).std()) if len(part) > 1 else 0.0,
    )
