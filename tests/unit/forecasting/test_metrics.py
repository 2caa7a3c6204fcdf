import numpy as np
import pytest

from smartretail.forecasting.metrics import coverage, pinball, rmspe, scorecard, wape


def test_wape_weighs_errors_by_volume():
    assert wape(np.array([100.0, 0.0]), np.array([90.0, 10.0])) == pytest.approx(0.2)


def test_rmspe_ignores_days_without_sales():
    assert rmspe(np.array([100.0, 0.0]), np.array([90.0, 5.0])) == pytest.approx(0.1)


def test_pinball_penalises_the_wrong_side_of_the_quantile_more():
    actual = np.array([10.0])
    assert pinball(actual, np.array([8.0]), 0.9) == pytest.approx(1.8)
    assert pinball(actual, np.array([12.0]), 0.9) == pytest.approx(0.2)


def test_coverage_counts_actuals_inside_the_band_inclusive():
    assert coverage(np.array([1.0, 5.0, 9.0]), np.array([1.0, 6.0, 0.0]), np.array([2.0, 7.0, 9.0])) == pytest.approx(2 / 3)


def test_a_perfect_forecast_scores_zero_error_and_full_coverage():
    y = np.array([3.0, 4.0, 5.0])
    card = scorecard(y, y, y, y)
    assert card["wape"] == 0
    assert card["bias"] == 0
    assert card["coverage_80"] == 1.0
