"""The one way this app makes a dead-letter queue for an EventBridge target: encrypted, TLS only, kept
two weeks. An event a target could not take after its retries waits there, where an operator sees it."""

from aws_cdk import Duration, aws_sqs as sqs
from constructs import Construct

from ..nag import acknowledge


def dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    queue = sqs.Queue(scope, construct_id, encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
                      retention_period=Duration.days(14))
    acknowledge(queue, {"AwsSolutions-SQS3": "This queue is itself a dead-letter queue (of an EventBridge target or a "
                                             "function's failed invocations); a dead-letter queue of it would only move the message."})
    return queue
