"""Drift (PSI) and model cards."""

import numpy as np
import pandas as pd

from smartretail.forecasting.drift import drift_report, psi, reference_bins
from smartretail.forecasting.governance import card_with_approval


def test_psi_is_near_zero_for_the_same_population_and_large_for_a_shifted_one():
    rng = np.random.default_rng(0)
    reference = reference_bins(rng.normal(10, 2, 5000))
    assert psi(reference, rng.normal(10, 2, 5000)) < 0.02
    assert psi(reference, rng.normal(12, 2, 5000)) > 0.2
    assert psi(reference, np.array([])) is None and psi(reference_bins(np.array([])), np.ones(3)) is None


def test_the_drift_report_names_what_moved_in_the_recent_weeks():
    days = pd.date_range("2025-01-01", periods=200, freq="D")
    frame = pd.DataFrame({"unique_id": "S1|A", "ds": days, "open": 1, "promo": 0,
                          "y": np.r_[np.full(172, 10.0), np.full(28, 40.0)] + np.tile([0.0, 1.0, 2.0, 3.0], 50),
                          "price": 2.0})
    report = drift_report(frame)
    assert report["drifted"] == ["y"] and report["features"]["y"]["psi"] > 0.2
    assert report["features"]["price"]["psi"] < 0.2 and report["features"]["promo"]["psi"] < 0.2


def test_a_card_carries_the_pipelines_decision():
    card = card_with_approval({"model_card": {"model_version": "v1"}, "status": "rejected",
                               "reason": "backtest WAPE 0.4 does not beat autoets (0.4)"})
    assert card["approval"] == {"status": "rejected", "decided_by": "the training pipeline's promotion rule",
                                "reason": "backtest WAPE 0.4 does not beat autoets (0.4)"}
    assert card_with_approval({"model_card": {}, "status": "live"})["approval"]["status"] == "approved"
