"""Forecast accuracy metrics, on plain arrays (evaluated on open days only by the caller)."""

import numpy as np

QUANTILES = (0.1, 0.5, 0.9)


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error: total absolute error over total actuals."""
    return float(np.abs(actual - forecast).sum() / np.abs(actual).sum())


def rmspe(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Root mean squared percentage error over rows with actual > 0 (the Rossmann competition's metric)."""
    mask = actual > 0
    return float(np.sqrt(np.mean(((actual[mask] - forecast[mask]) / actual[mask]) ** 2)))


def mape(actual: np.ndarray, forecast: np.ndarray) -> float:
    mask = actual > 0
    return float(np.mean(np.abs(actual[mask] - forecast[mask]) / actual[mask]))


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    denominator = np.abs(actual) + np.abs(forecast)
    mask = denominator > 0
    return float(np.mean(2 * np.abs(actual[mask] - forecast[mask]) / denominator[mask]))


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Total over- (positive) or under-forecast relative to total actuals."""
    return float((forecast - actual).sum() / np.abs(actual).sum())


def pinball(actual: np.ndarray, forecast: np.ndarray, quantile: float) -> float:
    diff = actual - forecast
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))


def pinball_mean(actual: np.ndarray, p10: np.ndarray, p50: np.ndarray, p90: np.ndarray) -> float:
    return float(np.mean([pinball(actual, f, q) for f, q in zip((p10, p50, p90), QUANTILES)]))


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    return float(np.mean((actual >= lower) & (actual <= upper)))


def scorecard(actual: np.ndarray, p10: np.ndarray, p50: np.ndarray, p90: np.ndarray) -> dict[str, float]:
    return {
        "wape": round(wape(actual, p50), 4),
        "rmspe": round(rmspe(actual, p50), 4),
        "mape": round(mape(actual, p50), 4),
        "smape": round(smape(actual, p50), 4),
        "bias": round(bias(actual, p50), 4),
        "pinball_mean": round(pinball_mean(actual, p10, p50, p90), 2),
        "coverage_80": round(coverage(actual, p10, p90), 4),
    }


def error_correlation(series_ids: np.ndarray, actual: np.ndarray, p10: np.ndarray, p50: np.ndarray,
                      p90: np.ndarray) -> float:
    """Correlation of one day's standardised forecast error with the next day's, within each series
    (rows in date order, open days only). Errors on consecutive days move together (a store's level
    was under- or overestimated), so demand over several days is more uncertain than independent days
    would say; the reorder policy uses this to widen the band of a lead time's total."""
    scale = (p90 - p10) / (2 * 1.2816)
    valid = scale > 0
    errors = np.where(valid, (actual - p50) / np.where(valid, scale, 1.0), np.nan)
    same_series = series_ids[1:] == series_ids[:-1]
    first, second = errors[:-1][same_series], errors[1:][same_series]
    keep = ~np.isnan(first) & ~np.isnan(second)
    if keep.sum() < 30:
        return float("nan")
    return float(np.corrcoef(first[keep], second[keep])[0, 1])
