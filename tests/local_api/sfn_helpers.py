"""Running the training pipeline's definition on the emulator's Step Functions engine, with mocked
service integrations where the emulator cannot run the service (Glue scripts, SageMaker jobs, Lambda
code): the mocks, and helpers to run an execution and read what it did."""

import json
import time
import uuid

import boto3

GOOD = {"model_version": "x", "wape": 0.31, "best_baseline": "autoets", "best_baseline_wape": 0.42,
        "model_card": {"model_overview": {"model_description": "demand forecast"}, "intended_uses": {"intended_uses": "daily demand"}},
        "record": {"model_version": "x", "wape": 0.31, "trained_through": "2026-09-30", "status": "candidate",
                   "backtest": {"overall": {"smartretail": {"wape": 0.31}, "autoets": {"wape": 0.42}}, "best_baseline": "autoets"}}}
WORSE = {**GOOD, "wape": 0.45, "record": {**GOOD["record"], "wape": 0.45}}
LOADED = {"status": "live", "reason": "backtest WAPE 0.31 beats the baselines", "series": 12}
INSIGHTS = {"model_version": "x", "positions": 12, "elasticities": 6, "identified": 5, "removed": 0}

MOCKED_RESPONSES = {
    "BetterModel": {"0": {"Return": {"Body": json.dumps(GOOD)}}},
    "WorseModel": {"0": {"Return": {"Body": json.dumps(WORSE)}}},
    "Loaded": {"0": {"Return": {"StatusCode": 200, "Payload": LOADED}}},
    "InsightsLoaded": {"0": {"Return": {"StatusCode": 200, "Payload": INSIGHTS}}},
    "TrainingFailed": {"0": {"Return": {"TrainingJobStatus": "Failed", "SecondaryStatus": "Failed",
                                        "FailureReason": "AlgorithmError: out of memory"}}},
    "ThrottledOnce": {"0": {"Throw": {"Error": "SageMaker.ThrottlingException", "Cause": "Rate exceeded"}},
                      "1": {"Return": {"TrainingJobArn": "arn:aws:sagemaker:eu-west-1:123456789012:training-job/x"}}},
    "TrainingCompleted": {"0": {"Return": {"TrainingJobStatus": "Completed", "SecondaryStatus": "Completed"}}},
    "EndpointUpdated": {"0": {"Return": {"EndpointArn": "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/x"}}},
}
TEST_CASES = {
    "HappyPath": {"ReadEvaluation": "BetterModel", "LoadInsights": "InsightsLoaded", "LoadForecasts": "Loaded",
                  "UpdateEndpoint": "EndpointUpdated"},
    "WorseModel": {"ReadEvaluation": "WorseModel", "LoadInsights": "InsightsLoaded"},
    "TrainingFails": {"DescribeTraining": "TrainingFailed"},
    # The mocked start creates no job on the emulator, so its description is mocked too.
    "ThrottledOnce": {"StartTraining": "ThrottledOnce", "DescribeTraining": "TrainingCompleted", "ReadEvaluation": "BetterModel",
                      "LoadInsights": "InsightsLoaded", "LoadForecasts": "Loaded"},
}


# The document pipeline: each Task is the processor Lambda, mocked by what it answers.
READ = {"tenant_id": "tenant-a", "doc_id": "doc-1", "doc_type": "invoice", "pages": 1, "skipped": None}
DOCUMENT_MOCKED_RESPONSES = {
    "Read": {"0": {"Return": {"StatusCode": 200, "Payload": READ}}},
    "ReadAlready": {"0": {"Return": {"StatusCode": 200, "Payload": {**READ, "skipped": "document doc-1 was read already (pass)"}}}},
    "ReadThrottledOnce": {"0": {"Throw": {"Error": "ServiceUnavailable", "Cause": "Textract is throttling (AnalyzeExpense: ThrottlingException)"}},
                          "1": {"Return": {"StatusCode": 200, "Payload": READ}}},
    "Unreadable": {"0": {"Throw": {"Error": "DocumentUnreadable", "Cause": '{"errorMessage": "the PDF has 50 pages"}'}}},
    "Passed": {"0": {"Return": {"StatusCode": 200, "Payload": {"status": "pass", "reasons": []}}}},
    "Failed": {"0": {"Return": {"StatusCode": 200, "Payload": {"status": "fail", "reasons": ["totals do not add up"]}}}},
    "Alerted": {"0": {"Return": {"StatusCode": 200, "Payload": {"alert_id": "al-1"}}}},
    "MarkedForReview": {"0": {"Return": {"StatusCode": 200, "Payload": {"status": "needs_review", "reasons": ["unreadable"]}}}},
}
DOCUMENT_TEST_CASES = {
    "DocumentPasses": {"ReadDocument": "Read", "ExtractAndValidate": "Passed"},
    "DocumentFails": {"ReadDocument": "Read", "ExtractAndValidate": "Failed", "RaiseComplianceAlert": "Alerted"},
    "DocumentUnreadable": {"ReadDocument": "Unreadable", "MarkNeedsReview": "MarkedForReview"},
    "DocumentReadAlready": {"ReadDocument": "ReadAlready"},
    "TextractThrottledOnce": {"ReadDocument": "ReadThrottledOnce", "ExtractAndValidate": "Passed"},
}


def s3_event(bucket: str, key: str) -> dict:
    return {"source": "aws.s3", "detail-type": "Object Created",
            "detail": {"bucket": {"name": bucket}, "object": {"key": key, "version-id": "v1"}}}


def run_definition(pipeline, test_case: str, tenant: str, **inputs) -> tuple[dict, list[str]]:
    """Run the deployed definition on the emulator with a test case's mocks: its result and the states it entered."""
    return run_machine(pipeline["arn"], test_case, {"tenant_id": tenant, "poll_seconds": 1, **inputs})


def run_machine(arn: str, test_case: str, execution_input: dict) -> tuple[dict, list[str]]:
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=f"{arn}#{test_case}", name=f"{test_case}-{uuid.uuid4().hex[:8]}",
                                    input=json.dumps(execution_input))
    deadline = time.monotonic() + 60
    while (result := sfn.describe_execution(executionArn=execution["executionArn"]))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not finish within 60 s"
        time.sleep(0.2)
    events = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    return result, entered


def notifications(pipeline, tenant: str) -> list[dict]:
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=pipeline["queue"], MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    for m in messages:
        sqs.delete_message(QueueUrl=pipeline["queue"], ReceiptHandle=m["ReceiptHandle"])
    return [body for body in (json.loads(m["Body"]) for m in messages) if body.get("tenant_id") == tenant]


def endpoints(local, tenant: str) -> list[str]:
    from cdk.config import load_stage

    prefix = load_stage(local.stage).forecast_endpoint_prefix + tenant
    return [e["EndpointName"] for e in boto3.client("sagemaker").list_endpoints(NameContains=prefix)["Endpoints"]]


def model_packages(tenant: str) -> list[dict]:
    sagemaker = boto3.client("sagemaker")
    groups = [g["ModelPackageGroupName"] for g in sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"]]
    packages = [p for g in groups for p in sagemaker.list_model_packages(ModelPackageGroupName=g)["ModelPackageSummaryList"]]
    return [p for p in packages if f"of tenant {tenant}:" in sagemaker.describe_model_package(
        ModelPackageName=p["ModelPackageArn"]).get("ModelPackageDescription", "")]
