"""The training pipeline run locally, step for step with statemachines/training_pipeline.asl.json.

Each step is named after the Task state it stands for and does that state's work for real: the Glue
ETL on local Spark, the SageMaker training entry point as a process with the SM_* environment, the
same S3, DynamoDB, SageMaker registry and SNS calls against the emulator, the batch transform through
the same inference handlers, and the template's loader Lambda. The emulator runs the definition too,
but cannot run Glue, SageMaker jobs or Lambda; tests/local_api/test_training_pipeline.py keeps the
two in step. Steps the local run does not need (polling a job it ran to completion) are in POLLING.
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

from smartretail.adapters.aws_forecasts import DynamoModelRegistry
from smartretail.adapters.aws_lake import keys_under
from smartretail.forecasting.serving import should_promote
from smartretail.lake import model_prefix

from .etl import download_prefix, run_local_etl
from .invocations import load_handlers, load_model_archive, run_handlers
from .template import ROOT

TRAIN_SCRIPT = ROOT / "sagemaker_jobs" / "forecasting" / "train.py"
# The definition's Task states, each done by a step of the local run of the same name ...
STEPS = ("StartEtl", "StartTraining", "ReadEvaluation", "LoadInsights", "GetLiveModel", "RecordRejected", "RegisterModel", "CreateModel",
         "CreateEndpointConfig", "CreateEndpoint", "UpdateEndpoint", "StartBatchForecast", "LoadForecasts",
         "NotifyPublished", "NotifyNotPromoted", "NotifyFailure")
# ... except those that poll or look up what the local run already knows.
POLLING = frozenset({"GetEtlRun", "DescribeTraining", "FindEndpoint", "DescribeBatchForecast"})


class PipelineFailed(RuntimeError):
    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


@dataclass
class PipelineRun:
    tenant_id: str
    model_version: str
    outcome: str = "running"  # published | not_promoted | failed
    reason: str = ""
    steps: list[str] = field(default_factory=list)
    version: dict[str, Any] | None = None
    insights: dict[str, Any] | None = None  # what LoadInsights put in the decisions table


class LocalPipeline:
    def __init__(self, stack: Any, spark: Any = None):
        self.stack = stack
        self.spark = spark
        from .resources import state_machine_definition, training_state_machine

        logical = training_state_machine(stack.template)
        self.settings = stack.template.resolve(
            stack.template.body["Resources"][logical]["Properties"]["DefinitionSubstitutions"])
        self.definition = json.loads(state_machine_definition(stack.template, logical))
        self.loader = next(f for name, f in stack.functions.items() if name.startswith("TrainingPipelineLoader"))
        self.registry = DynamoModelRegistry(self.loader.environment["MODELS_TABLE"], boto3.client("dynamodb"))
        self.s3, self.sagemaker, self.sns = boto3.client("s3"), boto3.client("sagemaker"), boto3.client("sns")

    def run(self, tenant_id: str, cutoff_date: str = "latest", horizon_days: int = 28,
            hyperparameters: dict[str, Any] | None = None) -> PipelineRun:
        run = PipelineRun(tenant_id, f"fc-{uuid.uuid4()}")
        settings = {"tenant_id": tenant_id, "cutoff_date": cutoff_date, "horizon_days": horizon_days}
        try:
            self._run(run, cutoff_date, horizon_days, hyperparameters or {})
        except Exception as exc:  # every failure is notified, as the definition's Catch does
            failure = exc if isinstance(exc, PipelineFailed) else PipelineFailed(type(exc).__name__, str(exc))
            run.outcome, run.reason = "failed", failure.cause
            self._step(run, "NotifyFailure")
            self._notify("SmartRetail training pipeline failed", {"outcome": "failed", "Error": failure.error,
                                                                   "Cause": failure.cause, **settings})
            if failure is exc:
                raise
            raise failure from exc
        if run.outcome == "published":
            self._step(run, "NotifyPublished")
            self._notify("SmartRetail forecasts published", {"outcome": "published", "reason": run.reason, **settings})
        else:
            self._step(run, "NotifyNotPromoted")
            self._notify("SmartRetail forecast model not promoted", {"outcome": "not_promoted", "reason": run.reason, **settings})
        return run

    def _run(self, run: PipelineRun, cutoff_date: str, horizon_days: int, hyperparameters: dict[str, Any]) -> None:
        tenant, version = run.tenant_id, run.model_version
        artifacts = self.loader.environment["ARTIFACTS_BUCKET"]
        prefix = model_prefix(tenant, version)

        self._step(run, "StartEtl")
        try:
            run_local_etl(self.stack.template, tenant, spark=self.spark)
        except Exception as exc:
            raise PipelineFailed("EtlFailed", f"the ETL of tenant {tenant} failed: {exc}") from exc

        self._step(run, "StartTraining")
        self._train(tenant, version, {"horizon": horizon_days, "backtest_windows": 3, "cutoff": cutoff_date,
                                      "model_version": version, "output_uri": f"s3://{artifacts}/{prefix}", **hyperparameters})

        self._step(run, "ReadEvaluation")
        decision = json.loads(self.s3.get_object(Bucket=artifacts, Key=prefix + "decision.json")["Body"].read())

        self._step(run, "LoadInsights")
        run.insights = self.loader.invoke({"tenant_id": tenant, "model_version": version, "part": "insights"})

        self._step(run, "GetLiveModel")
        live = self.registry.live_pointer(tenant)
        promote, reason = should_promote(decision["record"]["backtest"], live)
        if not promote:
            self._step(run, "RecordRejected")
            self.registry.record(tenant, {**decision["record"], "status": "rejected", "reason": reason})
            run.outcome, run.reason = "not_promoted", reason
            run.version = {**decision["record"], "status": "rejected", "reason": reason}
            return

        model_data = f"s3://{artifacts}/{prefix}output/model.tar.gz"
        container = {"Image": self.settings["InferenceImage"], "ModelDataUrl": model_data,
                     "Environment": {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": self.settings["SourceUri"]}}
        self._step(run, "RegisterModel")
        self.sagemaker.create_model_package(
            ModelPackageGroupName=self.settings["ModelPackageGroup"], ModelApprovalStatus="Approved",
            ModelPackageDescription=f"demand forecast {version} of tenant {tenant}: backtest WAPE {decision['wape']}",
            InferenceSpecification={"Containers": [container], "SupportedContentTypes": ["application/json", "text/csv"],
                                    "SupportedResponseMIMETypes": ["application/json", "text/csv"]},
            CustomerMetadataProperties={"tenant_id": tenant, "model_version": version, "backtest_wape": str(decision["wape"])})
        self._step(run, "CreateModel")
        self.sagemaker.create_model(ModelName=version, ExecutionRoleArn=self.settings["SageMakerRoleArn"], PrimaryContainer=container)
        self._step(run, "CreateEndpointConfig")
        self.sagemaker.create_endpoint_config(EndpointConfigName=version, ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": version, "ServerlessConfig": {"MemorySizeInMB": 4096, "MaxConcurrency": 5}}])
        endpoint = self.settings["EndpointPrefix"] + tenant
        existing = {e["EndpointName"] for e in self.sagemaker.list_endpoints(NameContains=endpoint)["Endpoints"]}
        if endpoint in existing:
            self._step(run, "UpdateEndpoint")
            # The emulator has no UpdateEndpoint: re-create the record pointing at the new configuration.
            self.sagemaker.delete_endpoint(EndpointName=endpoint)
        else:
            self._step(run, "CreateEndpoint")
        self.sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=version)

        self._step(run, "StartBatchForecast")
        self._batch_transform(model_data, artifacts, prefix + "batch/", prefix + "forecasts/")

        self._step(run, "LoadForecasts")
        result = self.loader.invoke({"tenant_id": tenant, "model_version": version, "part": "forecasts"})
        run.outcome, run.reason = ("published" if result["status"] == "live" else "not_promoted"), result["reason"]
        run.version = next(v for v in self.registry.versions(tenant) if v["model_version"] == version)

    @staticmethod
    def _step(run: PipelineRun, name: str) -> None:
        assert name in STEPS, f"{name} is not a state of the definition"
        run.steps.append(name)

    def _train(self, tenant: str, version: str, hyperparameters: dict[str, Any]) -> None:
        """The SageMaker training job: channel in, SM_* environment, model.tar.gz out to the run's prefix."""
        artifacts = self.loader.environment["ARTIFACTS_BUCKET"]
        with tempfile.TemporaryDirectory(prefix="smartretail-train-") as work:
            root = Path(work)
            channels = {}
            for channel, (bucket, key_prefix) in self._channels(tenant).items():
                if download_prefix(self.s3, bucket, key_prefix, root / channel):
                    channels[f"SM_CHANNEL_{channel.upper()}"] = str(root / channel)
            if "SM_CHANNEL_TRAIN" not in channels:
                raise PipelineFailed("TrainingFailed", f"no curated sales for tenant {tenant}: the ETL produced nothing to train on")
            env = {**os.environ, **channels, "SM_MODEL_DIR": str(root / "model"),
                   "SM_HPS": json.dumps({k: str(v) for k, v in hyperparameters.items()})}
            done = subprocess.run([sys.executable, str(TRAIN_SCRIPT)], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise PipelineFailed("TrainingFailed", f"training job {version} failed:\n{done.stderr[-3000:]}")
            archive = root / "model.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(root / "model", arcname=".")
            self.s3.upload_file(str(archive), artifacts, f"{model_prefix(tenant, version)}output/model.tar.gz")

    def _channels(self, tenant: str) -> dict[str, tuple[str, str]]:
        """The training job's input channels as the definition's StartTraining state gives them:
        channel name -> (bucket, key prefix) for this tenant."""
        channels = {}
        for channel in self.definition["States"]["StartTraining"]["Parameters"]["InputDataConfig"]:
            uri = channel["DataSource"]["S3DataSource"]["S3Uri.$"]  # States.Format('s3://bucket/prefix/tenant_id={}/', ...)
            bucket, _, key_prefix = uri.split("'")[1].format(tenant).removeprefix("s3://").partition("/")
            channels[channel["ChannelName"]] = (bucket, key_prefix)
        return channels

    def _batch_transform(self, model_data: str, bucket: str, input_prefix: str, output_prefix: str) -> None:
        """SageMaker batch transform with SplitType=Line and SingleRecord: each input line goes through
        the inference handlers; each input object's responses land in `<name>.out`, one per line."""
        handlers = load_handlers()
        model = load_model_archive(handlers, self.s3, model_data)
        for key in keys_under(self.s3, bucket, input_prefix):
            responses = []
            for line in self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines():
                if not line.strip():
                    continue
                status, payload, _ = run_handlers(handlers, model, line.encode(), "application/json", "application/json")
                if status != 200:  # a record the container refuses fails the transform job
                    raise PipelineFailed("BatchForecastFailed", f"{key}: {payload.decode()}")
                responses.append(payload.decode())
            self.s3.put_object(Bucket=bucket, Key=f"{output_prefix}{key[len(input_prefix):]}.out", Body="\n".join(responses).encode())

    def _notify(self, subject: str, message: dict[str, Any]) -> None:
        self.sns.publish(TopicArn=self.settings["TopicArn"], Subject=subject, Message=json.dumps(message),
                         MessageAttributes={"tenant_id": {"DataType": "String", "StringValue": message["tenant_id"]}})

