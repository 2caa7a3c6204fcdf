"""Fixtures of the local API tests: the training pipeline's state machine on the emulator."""

import json

import boto3
import pytest

from sfn_helpers import MOCKED_RESPONSES, TEST_CASES


@pytest.fixture(scope="session")
def pipeline(local):
    (logical,) = local.template.resources("AWS::StepFunctions::StateMachine")
    arn = local.template.arns[logical]
    name = arn.rsplit(":", 1)[1]
    local.sfn_mock_config.write_text(json.dumps({
        "StateMachines": {name: {"TestCases": TEST_CASES}}, "MockedResponses": MOCKED_RESPONSES}))
    # Admins' notifications, read back through an SQS subscription.
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    queue = sqs.create_queue(QueueName="pipeline-notifications")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=local.output("PipelineTopicArn"), Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})
    return {"arn": arn, "queue": queue}
