"""Data drift: the population stability index (PSI) of the target and the key drivers between the
training window and the most recent weeks. PSI = sum((a - e) * ln(a / e)) over shared bins, where e
and a are the shares of the reference and recent values in each bin; above 0.2 is the usual "the
population has shifted" line, and the design's trigger for retraining. The bins are computed in the
training job (numpy, imported there); the formula and the threshold are shared with the daily check
(smartretail.forecasting.monitoring), which runs without numpy."""

from __future__ import annotations

import math
from typing import Any

PSI_ALERT = 0.2
RECENT_DAYS = 28
BINS = 10
_FLOOR = 1e-4  # an empty bin would make the logarithm infinite


def psi_from_shares(expected: list[float], actual: list[float]) -> float:
    """The PSI of the shares of two populations in the same bins."""
    floored = [(max(e, _FLOOR), max(a, _FLOOR)) for e, a in zip(expected, actual)]
    return round(sum((a - e) * math.log(a / e) for e, a in floored), 4)


def reference_bins(values: Any, bins: int = BINS) -> dict[str, Any]:
    """Decile edges of the reference values and the share in each bin: what a later check compares
    recent data with (kept in the version's record)."""
    import numpy as np

    values = values[np.isfinite(values)]
    if values.size == 0:
        return {"edges": [], "shares": []}
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1]))
    return {"edges": [round(float(e), 6) for e in edges], "shares": _shares(values, edges)}


def _shares(values: Any, edges: Any) -> list[float]:
    import numpy as np

    counts = np.bincount(np.searchsorted(np.asarray(edges, dtype=float), values, side="right"), minlength=len(edges) + 1)
    return [round(float(c), 6) for c in counts / max(1, counts.sum())]


def psi(reference: dict[str, Any], values: Any) -> float | None:
    """PSI of `values` against a reference from `reference_bins`; None with nothing to compare."""
    import numpy as np

    values = values[np.isfinite(values)]
    if values.size == 0 or not reference["shares"]:
        return None
    return psi_from_shares(reference["shares"], _shares(values, reference["edges"]))


def drift_report(frame: Any, features: tuple[str, ...] = ("y", "price", "promo"), recent_days: int = RECENT_DAYS) -> dict[str, Any]:
    """PSI of the target (`y`, units per series and selling day, on a log scale) and the drivers
    between the history before the last `recent_days` and those days; each one's reference bins (of
    the whole history the model was trained on) for later checks against newer data."""
    import numpy as np

    selling = frame[frame["open"] == 1] if "open" in frame else frame
    cut = selling["ds"].max() - np.timedelta64(recent_days, "D")
    before, recent = selling[selling["ds"] <= cut], selling[selling["ds"] > cut]
    out: dict[str, Any] = {"recent_days": recent_days, "threshold": PSI_ALERT, "features": {}}
    for name in features:
        if name not in selling or selling[name].isna().all():
            continue
        scale = np.log1p if name == "y" else (lambda v: v)
        values = lambda part: scale(part[name].to_numpy(dtype=float))  # noqa: E731
        out["features"][name] = {"psi": psi(reference_bins(values(before)), values(recent)) if len(before) else None,
                                 "reference": reference_bins(values(selling))}
    shifted = [n for n, f in out["features"].items() if f["psi"] is not None and f["psi"] > PSI_ALERT]
    out["drifted"] = shifted
    return out
