"""SageMaker script-mode training of the demand forecast.

Reads the curated `sales_daily` Parquet (or a sales-contract CSV) from SM_CHANNEL_TRAIN, backtests
our model against seasonal naive and AutoETS on rolling origins, fits the final model on all data
and writes `model.pkl` and `evaluation.json` to SM_MODEL_DIR (the evaluation also to
SM_OUTPUT_DATA_DIR). Hyperparameters (SageMaker passes them as strings): horizon (28),
backtest_windows (3), coverage (0.8), n_estimators (400).
"""

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path


def _args() -> argparse.Namespace:
    hps = json.loads(os.environ.get("SM_HPS", "{}"))
    parser = argparse.ArgumentParser()
    parser.add_argument("--horizon", type=int, default=int(hps.get("horizon", 28)))
    parser.add_argument("--backtest-windows", type=int, default=int(hps.get("backtest_windows", 3)))
    parser.add_argument("--coverage", type=float, default=float(hps.get("coverage", 0.8)))
    parser.add_argument("--n-estimators", type=int, default=int(hps.get("n_estimators", 400)))
    parser.add_argument("--train", type=Path, default=Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")))
    parser.add_argument("--model-dir", type=Path, default=Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model")))
    parser.add_argument("--output-dir", type=Path, default=Path(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data")))
    return parser.parse_args()


def main() -> int:
    from smartretail.forecasting.backtest import rolling_origin
    from smartretail.forecasting.curated import DRIVERS, STATIC, load_training_frame
    from smartretail.forecasting.model import ForecastConfig, Forecaster

    args = _args()
    started = time.perf_counter()
    frame = load_training_frame(args.train)
    days = frame["ds"].nunique()
    if days < args.horizon * (args.backtest_windows + 3):
        print(f"error: {days} days of history are too few for a {args.horizon}-day horizon and "
              f"{args.backtest_windows} backtest windows", file=sys.stderr)
        return 2
    config = ForecastConfig(horizon=args.horizon, drivers=DRIVERS, static=STATIC, coverage=args.coverage,
                            n_estimators=args.n_estimators)
    evaluation = rolling_origin(frame, config, windows=args.backtest_windows, group="category")
    model = Forecaster(config).fit(frame.drop(columns=["category"]))
    evaluation.update({
        "series": len(model.series), "history_days": days, "trained_through": str(frame["ds"].max().date()),
        "interval_adjustment_log": round(model.interval_adjustment, 4), "train_seconds": round(time.perf_counter() - started, 1),
        "hyperparameters": {"horizon": args.horizon, "backtest_windows": args.backtest_windows,
                            "coverage": args.coverage, "n_estimators": args.n_estimators},
    })
    args.model_dir.mkdir(parents=True, exist_ok=True)
    with open(args.model_dir / "model.pkl", "wb") as f:
        pickle.dump(model, f)
    body = json.dumps(evaluation, indent=2)
    (args.model_dir / "evaluation.json").write_text(body)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / "evaluation.json").write_text(body)
    print(json.dumps({"wape": evaluation["overall"]["smartretail"]["wape"], "beats_baselines": evaluation["beats_baselines"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
