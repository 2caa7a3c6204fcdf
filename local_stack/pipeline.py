"""The training pipeline run locally: statemachines/training_pipeline.asl.json itself, executed by
local_stack.asl with stand-ins for the tasks the emulator cannot do.

The stand-ins do each task's work for real: the Glue ETL on local Spark, the SageMaker training entry
point as a process with the SM_* environment (channels, hyperparameters and output path from the
task's own parameters), the batch transform through the same inference handlers, and an endpoint
update (the emulator has no UpdateEndpoint). Every other task (S3, DynamoDB, SNS, the SageMaker
registry, models and endpoints) is the same call on the emulator, and Lambda tasks invoke the
template's functions. A job's status is recorded when it ends, so the definition's polling loops see
it done at their first look.
"""

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from smartretail.adapters.aws_dynamodb import DynamoModelRegistry
from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.forecasting.artefacts import MODEL_ARCHIVE

from .asl import ExecutionFailed, LocalStateMachine
from .etl import download_prefix, run_local_etl
from .invocations import load_handlers, load_model_archive, run_handlers
from .template import ROOT

TRAIN_SCRIPT = ROOT / "sagemaker_jobs" / "forecasting" / "train.py"
SDK = "arn:aws:states:::aws-sdk:"


class PipelineFailed(RuntimeError):
    """The execution failed as the definition's Fail state says; `detail` is what the local job that
    failed reported (in AWS: its Glue run or CloudWatch logs)."""

    def __init__(self, error: str, cause: str, detail: str = "", steps: list[str] | None = None):
        super().__init__(f"{error}: {cause}" + (f"\n{detail}" if detail else ""))
        self.error, self.cause, self.detail, self.steps = error, cause, detail, steps or []


@dataclass
class PipelineRun:
    tenant_id: str
    model_version: str
    outcome: str = "running"  # published | not_promoted
    reason: str = ""
    steps: list[str] = field(default_factory=list)  # the states entered, in order
    version: dict[str, Any] | None = None
    insights: dict[str, Any] | None = None  # what LoadInsights put in the decisions table


@dataclass
class _Job:
    status: str
    reason: str = ""


def _s3_uri(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


class ScriptModeJobs:
    """SageMaker's createTrainingJob and describeTrainingJob for one job's entry point: each channel
    downloaded, SM_* set, the script run as a local process (boto3 in it talks to the emulator), the
    model directory packed into model.tar.gz at the job's output path, as SageMaker does."""

    def __init__(self, script: Path, required_channel: str | None = None):
        self.script, self.required_channel = script, required_channel
        self.s3 = boto3.client("s3")
        self._jobs: dict[str, _Job] = {}  # jobs by name, as they ended
        self._overrides: dict[str, str] = {}

    def _train(self, request: dict[str, Any]) -> dict[str, Any]:
        """Script mode: each channel downloaded, SM_* set, train.py run, model.tar.gz to the output path."""
        name = request["TrainingJobName"]
        with tempfile.TemporaryDirectory(prefix="smartretail-train-") as work:
            root = Path(work)
            channels = {}
            for channel in request.get("InputDataConfig", []):
                bucket, prefix = _s3_uri(channel["DataSource"]["S3DataSource"]["S3Uri"])
                if download_prefix(self.s3, bucket, prefix, root / channel["ChannelName"]):
                    channels[f"SM_CHANNEL_{channel['ChannelName'].upper()}"] = str(root / channel["ChannelName"])
            if self.required_channel and f"SM_CHANNEL_{self.required_channel.upper()}" not in channels:
                self._jobs[name] = _Job("Failed", "no curated sales for the tenant: the ETL produced nothing to train on")
                return {"TrainingJobArn": name}
            env = {**os.environ, **channels, "SM_MODEL_DIR": str(root / "model"),
                   "SM_HPS": json.dumps({**request["HyperParameters"], **self._overrides})}
            done = subprocess.run([sys.executable, str(self.script)], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                self._jobs[name] = _Job("Failed", done.stderr[-3000:])
                return {"TrainingJobArn": name}
            archive = root / "model.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(root / "model", arcname=".")
            bucket, prefix = _s3_uri(request["OutputDataConfig"]["S3OutputPath"])
            self.s3.upload_file(str(archive), bucket, f"{prefix}{name}/{MODEL_ARCHIVE}")
        self._jobs[name] = _Job("Completed")
        return {"TrainingJobArn": name}

    def _training_job(self, request: dict[str, Any]) -> dict[str, Any]:
        job = self._jobs[request["TrainingJobName"]]
        return {"TrainingJobName": request["TrainingJobName"], "TrainingJobStatus": job.status,
                "SecondaryStatus": job.status, "FailureReason": job.reason}


class LocalPipeline(ScriptModeJobs):
    def __init__(self, stack: Any, spark: Any = None):
        from .resources import state_machine_definition, training_state_machine

        self.stack = stack
        self.spark = spark
        self.definition = json.loads(state_machine_definition(stack.template, training_state_machine(stack.template)))
        self.functions = {stack.template.resolve({"Fn::GetAtt": [logical, "Arn"]}): f for logical, f in stack.functions.items()}
        loader = next(f for name, f in stack.functions.items() if name.startswith("TrainingPipelineLoader"))
        self.registry = DynamoModelRegistry(loader.environment["MODELS_TABLE"], boto3.client("dynamodb"))
        super().__init__(TRAIN_SCRIPT, required_channel="train")  # Glue runs and transform jobs are kept with the training jobs
        self.sagemaker = boto3.client("sagemaker")

    def run(self, tenant_id: str, cutoff_date: str = "latest", horizon_days: int = 28,
            hyperparameters: dict[str, Any] | None = None) -> PipelineRun:
        """One execution for a tenant. `hyperparameters` override the training task's (tests train
        with fewer backtest windows)."""
        self._overrides = {k: str(v) for k, v in (hyperparameters or {}).items()}
        machine = LocalStateMachine(self.definition, self.functions, tasks={
            f"{SDK}glue:startJobRun": self._start_etl,
            f"{SDK}glue:getJobRun": self._etl_run,
            f"{SDK}sagemaker:createTrainingJob": self._train,
            f"{SDK}sagemaker:describeTrainingJob": self._training_job,
            f"{SDK}sagemaker:createTransformJob": self._batch_transform,
            f"{SDK}sagemaker:describeTransformJob": self._transform_job,
            f"{SDK}sagemaker:updateEndpoint": self._update_endpoint,
        })
        execution = {"tenant_id": tenant_id, "cutoff_date": cutoff_date, "horizon_days": horizon_days, "poll_seconds": 0}
        try:
            data = machine.run(execution)
        except ExecutionFailed as failed:
            failed_jobs = [f"{name}: {job.reason}" for name, job in self._jobs.items() if job.reason]
            raise PipelineFailed(failed.error, failed.cause, "\n".join(failed_jobs), machine.entered) from None
        run = PipelineRun(tenant_id, data["model_version"], steps=machine.entered, insights=data.get("insights"))
        if "published" in data and data["published"]["status"] == "live":
            run.outcome, run.reason = "published", data["published"]["reason"]
        else:  # rejected by the Choice, or by the loader's second look at the rule
            run.outcome, run.reason = "not_promoted", (data.get("published") or data.get("decision") or {}).get("reason", "")
        run.version = next((v for v in self.registry.versions(tenant_id) if v["model_version"] == run.model_version), None)
        return run

    # -- Glue -----------------------------------------------------------------------------------
    def _start_etl(self, request: dict[str, Any]) -> dict[str, Any]:
        run_id = f"jr_{uuid.uuid4().hex}"
        try:
            run_local_etl(self.stack.template, request["Arguments"]["--tenant_id"], spark=self.spark)
            self._jobs[run_id] = _Job("SUCCEEDED")
        except Exception as exc:  # the run ends FAILED with its message, as a Glue job run does
            self._jobs[run_id] = _Job("FAILED", f"the ETL failed: {exc}")
        return {"JobRunId": run_id}

    def _etl_run(self, request: dict[str, Any]) -> dict[str, Any]:
        job = self._jobs[request["RunId"]]
        return {"JobRun": {"Id": request["RunId"], "JobName": request["JobName"], "JobRunState": job.status,
                           "ErrorMessage": job.reason}}

    # -- SageMaker ------------------------------------------------------------------------------
    def _batch_transform(self, request: dict[str, Any]) -> dict[str, Any]:
        """SplitType=Line, SingleRecord: each input line through the inference handlers; each input
        object's responses in `<name>.out`, one per line."""
        name = request["TransformJobName"]
        model_data = self.sagemaker.describe_model(ModelName=request["ModelName"])["PrimaryContainer"]["ModelDataUrl"]
        handlers = load_handlers()
        model = load_model_archive(handlers, self.s3, model_data)
        bucket, input_prefix = _s3_uri(request["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"])
        out_bucket, output_prefix = _s3_uri(request["TransformOutput"]["S3OutputPath"])
        for key in S3ObjectStore(self.s3).keys(bucket, input_prefix):
            responses = []
            for line in self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines():
                if not line.strip():
                    continue
                status, payload, _ = run_handlers(handlers, model, line.encode(), "application/json", "application/json")
                if status != 200:  # a record the container refuses fails the transform job
                    self._jobs[name] = _Job("Failed", f"{key}: {payload.decode()}")
                    return {"TransformJobArn": name}
                responses.append(payload.decode())
            self.s3.put_object(Bucket=out_bucket, Key=f"{output_prefix}{key[len(input_prefix):]}.out", Body="\n".join(responses).encode())
        self._jobs[name] = _Job("Completed")
        return {"TransformJobArn": name}

    def _transform_job(self, request: dict[str, Any]) -> dict[str, Any]:
        job = self._jobs[request["TransformJobName"]]
        return {"TransformJobName": request["TransformJobName"], "TransformJobStatus": job.status, "FailureReason": job.reason}

    def _update_endpoint(self, request: dict[str, Any]) -> dict[str, Any]:
        """The emulator has no UpdateEndpoint: the endpoint's record is made again with the new configuration."""
        self.sagemaker.delete_endpoint(EndpointName=request["EndpointName"])
        return self.sagemaker.create_endpoint(EndpointName=request["EndpointName"], EndpointConfigName=request["EndpointConfigName"])
