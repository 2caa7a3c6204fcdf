"""SageMaker script-mode training of the demand forecast.

Reads the curated `sales_daily` Parquet (or a sales-contract CSV) from SM_CHANNEL_TRAIN, backtests
our model against seasonal naive and AutoETS on rolling origins, fits the final model on the history
through the cutoff and writes `model.pkl` and `evaluation.json` to SM_MODEL_DIR (packed by SageMaker
into model.tar.gz, which the endpoint and the batch forecast load).

For the training pipeline it also writes, under `output_uri` (an s3:// prefix, or a folder):
`evaluation.json`; `decision.json` (the numbers the pipeline's Choice compares and the version
record); `batch/input.jsonl`, the batch forecast's requests (every series over the horizon); and the
inputs of price and reorder decisions: `insights/elasticities.json` (own-price elasticity per SKU
and SKU x store, estimated on the same history) and `insights/positions.jsonl` (each series' price,
stock, lead time, product terms and competitor prices at the end of the history, from the optional
channels `inventory`, `products` and `competitors`: the cleaned tables).

Hyperparameters (SageMaker passes them as strings): horizon (28), backtest_windows (3), coverage
(0.8), n_estimators (400), cutoff ("latest" or a date: train on history through it), model_version,
output_uri.
"""

import argparse
import json
import os
import pickle
import sys
import time
import uuid
from pathlib import Path

from smartretail.forecasting.artefacts import RUN_NAME_PREFIX


def _args() -> argparse.Namespace:
    hps = json.loads(os.environ.get("SM_HPS", "{}"))
    parser = argparse.ArgumentParser()
    parser.add_argument("--horizon", type=int, default=int(hps.get("horizon", 28)))
    parser.add_argument("--backtest-windows", type=int, default=int(hps.get("backtest_windows", 3)))
    parser.add_argument("--coverage", type=float, default=float(hps.get("coverage", 0.8)))
    parser.add_argument("--n-estimators", type=int, default=int(hps.get("n_estimators", 400)))
    parser.add_argument("--cutoff", default=hps.get("cutoff", "latest"))
    parser.add_argument("--model-version", default=hps.get("model_version", f"{RUN_NAME_PREFIX}{uuid.uuid4()}"))
    parser.add_argument("--output-uri", default=hps.get("output_uri", ""))
    parser.add_argument("--train", type=Path, default=Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")))
    parser.add_argument("--model-dir", type=Path, default=Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model")))
    for channel in ("inventory", "products", "competitors"):
        env = os.environ.get(f"SM_CHANNEL_{channel.upper()}")
        parser.add_argument(f"--{channel}", type=Path, default=Path(env) if env else None)
    return parser.parse_args()


def main() -> int:
    import pandas as pd

    from smartretail.forecasting import artefacts, drift as data_drift, governance
    from smartretail.forecasting.backtest import rolling_origin
    from smartretail.forecasting.curated import DRIVERS, STATIC, load_training_frame
    from smartretail.forecasting.model import ForecastConfig, Forecaster
    from smartretail.forecasting.publishing import batch_requests, decision_document, model_record
    from smartretail.insights import positions
    from smartretail.pricing import elasticity

    args = _args()
    started = time.perf_counter()
    frame = load_training_frame(args.train)
    if args.cutoff != "latest":
        frame = frame[frame["ds"] <= pd.Timestamp(args.cutoff)]
        if frame.empty:
            print(f"error: no sales history on or before the cutoff {args.cutoff}", file=sys.stderr)
            return 2
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
    with open(args.model_dir / artefacts.MODEL_FILE, "wb") as f:
        pickle.dump(model, f)
    body = json.dumps(evaluation, indent=2)
    (args.model_dir / artefacts.MODEL_EVALUATION).write_text(body)
    record = model_record(evaluation, args.model_version, evaluation["trained_through"], len(model.series), args.horizon)
    drift = data_drift.drift_report(frame)
    record["drift"] = drift
    record["model_card"] = governance.model_card(evaluation, frame, args.model_version, args.horizon, drift)
    print(f"drift_psi={json.dumps({n: f['psi'] for n, f in drift['features'].items()})} drifted={','.join(drift['drifted']) or 'none'}")
    requests = batch_requests(model.series, args.horizon)
    elasticities = [e.to_dict() for e in elasticity.estimate(frame)]
    stock = positions.build(frame, *(positions.read_table(getattr(args, c)) for c in ("inventory", "products", "competitors")))
    print(f"elasticities={len(elasticities)} identified={sum(e['identified'] for e in elasticities)} positions={len(stock)}")
    if args.output_uri:
        _write(args.output_uri, artefacts.EVALUATION, body)
        _write(args.output_uri, artefacts.DECISION, json.dumps(decision_document(record)))
        _write(args.output_uri, artefacts.BATCH_INPUT, "".join(json.dumps(r) + "\n" for r in requests))
        _write(args.output_uri, artefacts.ELASTICITIES, json.dumps(elasticities))
        _write(args.output_uri, artefacts.POSITIONS, "".join(json.dumps(p) + "\n" for p in stock))
    # SageMaker reads these lines into the job's metrics (MetricDefinitions of the pipeline).
    print(f"backtest_wape={record['wape']}")
    best = evaluation["best_baseline"]
    print(f"baseline_wape={evaluation['overall'][best]['wape']}" if best else "baseline_wape=nan")
    return 0


def _write(output_uri: str, name: str, body: str) -> None:
    if output_uri.startswith("s3://"):
        from smartretail.adapters.aws_s3 import S3ObjectStore

        bucket, _, prefix = output_uri[len("s3://"):].partition("/")
        key = prefix.rstrip("/") + "/" + name if prefix else name
        S3ObjectStore().put_bytes(bucket, key, body.encode())
    else:
        path = Path(output_uri) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)


if __name__ == "__main__":
    sys.exit(main())
