"""The training pipeline's definition, as CloudFormation would deploy it, run by the emulator's Step
Functions engine through every branch. The emulator cannot run Glue scripts, SageMaker jobs or
Lambda code, so the states reading their results are mocked (AWS's mock-config format; see
local_stack.sfn_mocks): the decision document a training job would write, a training job that
fails, the loader's answer. Everything else (Glue job runs, SageMaker registry, models, endpoints and
transforms, DynamoDB, SNS) is called for real on the emulator."""

import json
import time
import uuid

import boto3

from sfn_helpers import endpoints, model_packages, notifications, run_definition

def test_a_better_model_is_registered_deployed_batch_forecast_loaded_and_announced(local, pipeline):
    result, entered = run_definition(pipeline, "HappyPath", "sfn-happy", horizon_days=14)
    assert result["status"] == "SUCCEEDED", result
    assert entered[:5] == ["Configure", "CheckInput", "StartEtl", "WaitForEtl", "GetEtlRun"]
    for state in ("StartTraining", "ReadEvaluation", "GetLiveModel", "RegisterModel", "CreateModel", "CreateEndpointConfig",
                  "CreateEndpoint", "StartBatchForecast", "DescribeBatchForecast", "LoadForecasts", "NotifyPublished"):
        assert state in entered, (state, entered)
    assert entered.index("RegisterModel") > entered.index("GetLiveModel")
    assert entered[-1] == "NotifyPublished"
    # The SageMaker calls happened on the emulator, with this run's names.
    sagemaker = boto3.client("sagemaker")
    jobs = [sagemaker.describe_training_job(TrainingJobName=j["TrainingJobName"])
            for j in sagemaker.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]]
    (details,) = [j for j in jobs if "/models/sfn-happy/" in j["HyperParameters"]["output_uri"]]
    job = {"TrainingJobName": details["TrainingJobName"]}
    assert details["HyperParameters"]["horizon"] == "14"
    assert details["HyperParameters"]["cutoff"] == "latest"
    assert details["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"].endswith("/sales_daily/tenant_id=sfn-happy/")
    assert endpoints(local, "sfn-happy") == ["smartretail-test-forecast-sfn-happy"]
    assert len(model_packages("sfn-happy")) == 1
    transform = sagemaker.describe_transform_job(TransformJobName=job["TrainingJobName"])
    assert transform["TransformOutput"]["S3OutputPath"].endswith(f"/models/sfn-happy/{job['TrainingJobName']}/forecasts/")
    (note,) = notifications(pipeline, "sfn-happy")
    assert note["outcome"] == "published"
    assert note["status"] == "live"
    assert note["horizon_days"] == 14

    # The next promotion for the tenant points its endpoint at the new model instead of creating another.
    result, entered = run_definition(pipeline, "HappyPath", "sfn-happy")
    assert result["status"] == "SUCCEEDED"
    assert "UpdateEndpoint" in entered
    assert "CreateEndpoint" not in entered
    assert len(endpoints(local, "sfn-happy")) == 1


def test_a_model_worse_than_a_baseline_is_recorded_as_rejected_and_nothing_is_deployed(local, pipeline):
    result, entered = run_definition(pipeline, "WorseModel", "sfn-worse")
    assert result["status"] == "SUCCEEDED", result
    assert "WorseThanBaseline" in entered
    assert entered[-2:] == ["RecordRejected", "NotifyNotPromoted"]
    assert not {"RegisterModel", "CreateModel", "CreateEndpoint", "StartBatchForecast", "LoadForecasts"} & set(entered)
    assert endpoints(local, "sfn-worse") == []
    assert model_packages("sfn-worse") == []
    from smartretail.adapters.aws_dynamodb import DynamoModelRegistry

    registry = DynamoModelRegistry(local.function_env("TrainingPipelineLoader")["MODELS_TABLE"], boto3.client("dynamodb"))
    (version,) = registry.versions("sfn-worse")
    assert version["status"] == "rejected"
    assert version["reason"] == "backtest WAPE 0.45 does not beat autoets (0.42)"
    (note,) = notifications(pipeline, "sfn-worse")
    assert note["outcome"] == "not_promoted"
    assert "does not beat autoets" in note["reason"]


def test_a_model_worse_than_the_live_one_is_not_deployed(local, pipeline):
    from smartretail.adapters.aws_dynamodb import DynamoModelRegistry

    registry = DynamoModelRegistry(local.function_env("TrainingPipelineLoader")["MODELS_TABLE"], boto3.client("dynamodb"))
    registry.record("sfn-live", {"model_version": "fc-live", "status": "live", "wape": 0.25, "created_at": "2026-11-01T00:00:00+00:00"})
    result, entered = run_definition(pipeline, "HappyPath", "sfn-live")
    assert result["status"] == "SUCCEEDED", result
    assert "WorseThanLiveModel" in entered
    assert "RegisterModel" not in entered
    rejected = [v for v in registry.versions("sfn-live") if v["status"] == "rejected"]
    assert rejected
    assert rejected[0]["reason"] == "backtest WAPE 0.31 does not beat the live model fc-live (0.25)"
    assert endpoints(local, "sfn-live") == []


def test_a_failed_training_job_notifies_admins_and_fails_the_execution(local, pipeline):
    result, entered = run_definition(pipeline, "TrainingFails", "sfn-fails")
    assert result["status"] == "FAILED"
    assert entered[-3:] == ["TrainingFailed", "NotifyFailure", "PipelineFailed"]
    assert "ReadEvaluation" not in entered
    (note,) = notifications(pipeline, "sfn-fails")
    assert note["outcome"] == "failed"
    assert note["Error"] == "TrainingFailed"
    assert "Failed" in note["Cause"]


def test_a_throttled_call_is_retried(local, pipeline):
    result, entered = run_definition(pipeline, "ThrottledOnce", "sfn-throttled")
    assert result["status"] == "SUCCEEDED", result
    assert entered.count("StartTraining") == 1
    assert "NotifyPublished" in entered
    history = boto3.client("stepfunctions").get_execution_history(executionArn=result["executionArn"], maxResults=1000)["events"]
    failed = [e["taskFailedEventDetails"]["error"] for e in history if "taskFailedEventDetails" in e]
    assert failed == ["SageMaker.ThrottlingException"]  # once, then the retry went through


def test_a_start_without_a_tenant_is_refused_with_the_expected_input(local, pipeline):
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=pipeline["arn"], name=f"bad-{uuid.uuid4().hex[:8]}",
                                    input=json.dumps({"horizon_days": 500}))
    while (result := sfn.describe_execution(executionArn=execution["executionArn"]))["status"] == "RUNNING":
        time.sleep(0.2)
    assert result["status"] == "FAILED"
    history = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
    failed = next(e["executionFailedEventDetails"] for e in history if "executionFailedEventDetails" in e)
    assert failed["error"] == "InvalidInput"
    assert "tenant_id" in failed["cause"]
