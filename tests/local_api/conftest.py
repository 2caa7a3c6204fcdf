"""Fixtures of the local API tests: the training pipeline's state machine on the emulator."""

import json

import boto3
import pytest

from sfn_helpers import DOCUMENT_MOCKED_RESPONSES, DOCUMENT_TEST_CASES, MOCKED_RESPONSES, TEST_CASES

from local_stack.demo import load_tenant_files
from local_stack.pipeline import LocalPipeline
from local_stack.resources import training_state_machine
from smartretail.demo.generator import DemoSpec, generate

TRAINED_TENANT = "tenant-f"


@pytest.fixture(scope="session")
def trained_tenant(local, spark_session, tmp_path_factory):
    """A demo tenant uploaded through the API and run through the local training pipeline (ETL,
    training, promotion, batch forecast, positions and elasticities): (tokens, live version, run)."""
    folder = tmp_path_factory.mktemp("forecast-tenant")
    generate(DemoSpec(tenant_id=TRAINED_TENANT, days=200, skus_per_category=1, stores=1, volume=10), folder)  # fits 64 KiB uploads
    users = {"seller": local.create_user("f-seller", TRAINED_TENANT, "sellers"),
             "manager": local.create_user("f-manager", TRAINED_TENANT, "managers"),
             "admin": local.create_user("f-admin", TRAINED_TENANT, "admins")}
    tokens = {role: local.id_token(u.username, u.password) for role, u in users.items()}
    for result in load_tenant_files(local, tokens["seller"], folder):
        assert result["status"] == "validated", result
    run = LocalPipeline(local, spark_session).run(TRAINED_TENANT, horizon_days=14, hyperparameters={"backtest_windows": 2})
    return tokens, run.version, run


@pytest.fixture(scope="session")
def state_machines(local):
    """The stack's state machines by role, their mocked test cases written for the emulator."""
    training = local.template.arns[training_state_machine(local.template)]
    (documents,) = [arn for logical, arn in local.template.arns.items() if logical.startswith("DocumentsStateMachine")]
    local.sfn_mock_config.write_text(json.dumps({
        "StateMachines": {training.rsplit(":", 1)[1]: {"TestCases": TEST_CASES},
                          documents.rsplit(":", 1)[1]: {"TestCases": DOCUMENT_TEST_CASES}},
        "MockedResponses": {**MOCKED_RESPONSES, **DOCUMENT_MOCKED_RESPONSES}}))
    return {"training": training, "documents": documents}


@pytest.fixture(scope="session")
def pipeline(local, state_machines):
    arn = state_machines["training"]
    # Admins' notifications, read back through an SQS subscription.
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    queue = sqs.create_queue(QueueName="pipeline-notifications")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=local.output("PipelineTopicArn"), Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})
    return {"arn": arn, "queue": queue}
