"""Decisions: pricing, inventory, approvals and alerts.

Tables (tenant_id / item_key, JSON documents): `decisions` (each series' position, elasticities and
the tenant's policy, written by the training pipeline's LoadInsights step and the policy API),
`proposals` (price changes and reorders through their approval workflow), `alerts`, and `audit`
(append-only: the API and the evaluator may add and read entries, never change or delete them). An
SNS topic carries new alerts; an evaluator Lambda checks every scheduled tenant each day.
"""

from aws_cdk import Duration, RemovalPolicy, aws_dynamodb as dynamodb, aws_events as events, aws_events_targets as targets
from aws_cdk import aws_kms as kms, aws_lambda as lambda_, aws_logs as logs, aws_sns as sns
from constructs import Construct

from ..config import StageConfig
from .packaging import PYTHON_RUNTIME, function_code


def _table(scope: Construct, construct_id: str) -> dynamodb.Table:
    return dynamodb.Table(
        scope, construct_id,
        partition_key=dynamodb.Attribute(name="tenant_id", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="item_key", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
        removal_policy=RemovalPolicy.RETAIN,
    )


AUDIT_ACTIONS = ("dynamodb:PutItem", "dynamodb:Query")  # append and read; no update, no delete


class DecisionsConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, forecasts_table: dynamodb.ITable,
                 models_table: dynamodb.ITable, layers: list[lambda_.ILayerVersion]):
        super().__init__(scope, construct_id)
        self.decisions_table = _table(self, "DecisionsTable")
        self.proposals_table = _table(self, "ProposalsTable")
        self.alerts_table = _table(self, "AlertsTable")
        self.audit_table = _table(self, "AuditTable")
        self.alerts_topic = sns.Topic(
            self, "AlertsTopic", display_name="SmartRetail alerts",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"), enforce_ssl=True,
        )
        self.evaluator = lambda_.Function(
            self, "AlertsEvaluatorFunction",
            description="Evaluates a tenant's stockout risk, demand spikes and price anomalies into alerts",
            runtime=PYTHON_RUNTIME, handler="alerts_evaluator_handler.handler", code=function_code("alerts_evaluator"),
            layers=layers, memory_size=512, timeout=Duration.minutes(5), tracing=lambda_.Tracing.ACTIVE,
            log_group=logs.LogGroup(self, "EvaluatorLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY),
            environment={
                "DECISIONS_TABLE": self.decisions_table.table_name,
                "ALERTS_TABLE": self.alerts_table.table_name,
                "AUDIT_TABLE": self.audit_table.table_name,
                "FORECASTS_TABLE": forecasts_table.table_name,
                "MODELS_TABLE": models_table.table_name,
                "ALERTS_TOPIC_ARN": self.alerts_topic.topic_arn,
                "POWERTOOLS_SERVICE_NAME": "smartretail-alerts-evaluator",
            },
        )
        fn = self.evaluator
        self.decisions_table.grant(fn, "dynamodb:GetItem", "dynamodb:Query")
        self.alerts_table.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
        self.audit_table.grant(fn, *AUDIT_ACTIONS)
        forecasts_table.grant(fn, "dynamodb:Query")
        models_table.grant(fn, "dynamodb:Query")
        self.alerts_topic.grant_publish(fn)
        for tenant in config.scheduled_tenants:
            events.Rule(
                self, f"Daily-{tenant}", description=f"Evaluate the alerts of tenant {tenant} every day",
                schedule=events.Schedule.expression(config.alerts_schedule),
                targets=[targets.LambdaFunction(fn, event=events.RuleTargetInput.from_object({"tenant_id": tenant}),
                                                retry_attempts=2)],
            )
