"""The training pipeline's steps run locally for one tenant: the SageMaker training entry point as a
process with the SM_* environment on the curated data, then batch forecast and publication to the
forecasts and models tables of the template."""

import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import boto3

from smartretail.adapters.aws_forecasts import DynamoForecastStore, DynamoModelRegistry
from smartretail.forecasting.batch import publish

from .etl import download_prefix, job_arguments
from .template import ROOT, Template

TRAIN_SCRIPT = ROOT / "sagemaker_jobs" / "forecasting" / "train.py"


def run_local_training(t: Template, tables: dict[str, str], tenant_id: str, hyperparameters: dict | None = None) -> dict:
    hps = {"horizon": "28", "backtest_windows": "3", **{k: str(v) for k, v in (hyperparameters or {}).items()}}
    curated = job_arguments(t)["curated_bucket"]
    with tempfile.TemporaryDirectory(prefix="smartretail-train-") as work:
        root = Path(work)
        if not download_prefix(boto3.client("s3"), curated, f"sales_daily/tenant_id={tenant_id}/", root / "train"):
            raise RuntimeError(f"no curated sales for tenant {tenant_id}: run the ETL first")
        env = {**os.environ, "SM_CHANNEL_TRAIN": str(root / "train"), "SM_MODEL_DIR": str(root / "model"),
               "SM_OUTPUT_DATA_DIR": str(root / "output"), "SM_HPS": json.dumps(hps)}
        done = subprocess.run([sys.executable, str(TRAIN_SCRIPT)], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"training failed:\n{done.stderr[-3000:]}")
        with open(root / "model" / "model.pkl", "rb") as f:
            model = pickle.load(f)
        evaluation = json.loads((root / "model" / "evaluation.json").read_text())
    return publish(model, evaluation, tenant_id, DynamoForecastStore(tables["FORECASTS_TABLE"]),
                   DynamoModelRegistry(tables["MODELS_TABLE"]), int(hps["horizon"]))
