"""The one way this app makes a DynamoDB table: on-demand, encrypted, point-in-time recovery,
protected from deletion and retained when the stack goes. Every table is keyed by tenant first, so
queries stay in one tenant."""

from aws_cdk import RemovalPolicy, aws_dynamodb as dynamodb
from constructs import Construct


def tenant_table(scope: Construct, construct_id: str, partition: str = "tenant_id", sort: str = "item_key",
                 time_to_live: str | None = None) -> dynamodb.Table:
    return dynamodb.Table(
        scope, construct_id,
        partition_key=dynamodb.Attribute(name=partition, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=sort, type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
        deletion_protection=True,
        removal_policy=RemovalPolicy.RETAIN,
        time_to_live_attribute=time_to_live,
    )
