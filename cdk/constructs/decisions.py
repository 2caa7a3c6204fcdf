"""Decisions: pricing, inventory, approvals and alerts.

Tables (tenant_id / item_key, JSON documents): `decisions` (each series' position, elasticities and
the tenant's policy, written by the training pipeline's LoadInsights step and the policy API),
`proposals` (price changes and reorders through their approval workflow), `alerts`, and `audit`
(append-only: the API and the evaluator may add and read entries, never change or delete them). An
SNS topic carries new alerts; an evaluator Lambda checks every scheduled tenant each day.
"""

from aws_cdk import Duration, aws_dynamodb as dynamodb, aws_events as events, aws_events_targets as targets
from aws_cdk import aws_iam as iam, aws_kms as kms, aws_lambda as lambda_, aws_sns as sns
from constructs import Construct

from ..config import StageConfig
from .packaging import python_function
from .queues import dead_letter_queue
from .tables import tenant_table


AUDIT_ACTIONS = ("dynamodb:PutItem", "dynamodb:Query")  # append and read; no update, no delete


class DecisionsConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, forecasts_table: dynamodb.ITable,
                 models_table: dynamodb.ITable, layers: list[lambda_.ILayerVersion]):
        super().__init__(scope, construct_id)
        self.decisions_table = tenant_table(self, "DecisionsTable")
        self.proposals_table = tenant_table(self, "ProposalsTable")
        self.alerts_table = tenant_table(self, "AlertsTable")
        self.audit_table = tenant_table(self, "AuditTable")
        self.alerts_topic = sns.Topic(
            self, "AlertsTopic", display_name="SmartRetail alerts",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"), enforce_ssl=True,
        )
        self.evaluator = python_function(
            self, "AlertsEvaluatorFunction", "alerts_evaluator", config=config, logs_id="EvaluatorLogs",
            description="Evaluates a tenant's stockout risk, demand spikes and price anomalies into alerts",
            layers=layers, memory_size=512, timeout=Duration.minutes(5),
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
        self.dead_letters = dead_letter_queue(self, "EvaluatorDeadLetters") if config.scheduled_tenants else None
        for tenant in config.scheduled_tenants:
            events.Rule(
                self, f"Daily-{tenant}", description=f"Evaluate the alerts of tenant {tenant} every day",
                schedule=events.Schedule.expression(config.alerts_schedule),
                targets=[targets.LambdaFunction(fn, event=events.RuleTargetInput.from_object({"tenant_id": tenant}),
                                                retry_attempts=2, dead_letter_queue=self.dead_letters)],
            )

    def grant_read(self, fn: lambda_.Function) -> None:
        """The copilot reads positions, elasticities and the tenant's policy to answer; it writes nothing.
        AUDIT_TABLE is named because the services that read decisions are built with the audit trail."""
        fn.add_environment("DECISIONS_TABLE", self.decisions_table.table_name)
        fn.add_environment("AUDIT_TABLE", self.audit_table.table_name)
        self.decisions_table.grant(fn, "dynamodb:GetItem", "dynamodb:Query")

    def grant_api(self, fn: lambda_.Function) -> None:
        """Positions and elasticities are the pipeline's; the API writes only the tenant's policy item
        there, proposals and alert changes in their tables, and appends to the audit log."""
        for name, table in (("DECISIONS_TABLE", self.decisions_table), ("PROPOSALS_TABLE", self.proposals_table),
                            ("ALERTS_TABLE", self.alerts_table)):
            fn.add_environment(name, table.table_name)
            table.grant(fn, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem")
        fn.add_environment("AUDIT_TABLE", self.audit_table.table_name)
        self.audit_table.grant(fn, *AUDIT_ACTIONS)
        # Managers subscribe addresses to their tenant's alerts through the API, which always sets the
        # tenant filter; nobody else may subscribe to this topic that carries every tenant's alerts.
        fn.add_environment("ALERTS_TOPIC_ARN", self.alerts_topic.topic_arn)
        fn.add_to_role_policy(iam.PolicyStatement(actions=["sns:Subscribe"], resources=[self.alerts_topic.topic_arn]))
        self.alerts_topic.add_to_resource_policy(iam.PolicyStatement(
            effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()], actions=["sns:Subscribe"],
            resources=[self.alerts_topic.topic_arn],
            conditions={"StringNotEquals": {"aws:PrincipalArn": fn.role.role_arn}},
        ))
