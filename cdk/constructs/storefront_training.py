"""The storefront's training pipeline: statemachines/storefront_training.asl.json deployed with what
its states call. A SageMaker training job (sagemaker_jobs/storefront, script mode) reads one tenant's
shopper events, products and inventory from the raw bucket and writes every serving list as its
artefact; the storefront loader Lambda promotes the run into the storefront table unless its backtest
loses to popularity; the training pipeline's topic says how each run ended; EventBridge starts a run
per scheduled tenant every week. Training jobs are named after their model version (`sf-<uuid>`), so
the grants below are scoped to them."""

import json

from aws_cdk import Duration, Stack, aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam, aws_lambda as lambda_, aws_s3 as s3, aws_sns as sns, aws_stepfunctions as sfn
from constructs import Construct

from ..config import STATEMACHINES_DIR, StageConfig
from ..nag import S3_PUT, S3_READ, acknowledge, wildcard_arn, wildcard_under
from .log_groups import log_group
from .packaging import python_function, sagemaker_source
from .training_pipeline import RUN_ARTIFACTS, framework_image, framework_image_access, weekly_runs

DEFINITION = STATEMACHINES_DIR / "storefront_training.asl.json"
RUN_PREFIX = "sf-"
# What the job reads from the raw bucket: the stream's shopper events and the accepted rows of these datasets.
ACCEPTED = ("shopper-events", "products", "inventory")


class StorefrontTrainingConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, raw_bucket: s3.IBucket,
                 artifacts_bucket: s3.IBucket, storefront_table: dynamodb.ITable, topic: sns.ITopic,
                 layers: list[lambda_.ILayerVersion]):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        source = sagemaker_source(self, "StorefrontSource", "storefront")
        self.sagemaker_role = self._sagemaker_role(config, source, raw_bucket, artifacts_bucket)
        self.loader = python_function(
            self, "LoaderFunction", "storefront_loader", config=config, logs_id="LoaderLogs",
            description="Promotes a storefront training run's lists into the storefront table (unless it loses to popularity)",
            layers=layers, memory_size=1024, timeout=Duration.minutes(15),
            environment={"ARTIFACTS_BUCKET": artifacts_bucket.bucket_name, "STOREFRONT_TABLE": storefront_table.table_name,
                         "POWERTOOLS_SERVICE_NAME": "smartretail-storefront-loader"},
        )
        artifacts_bucket.grant_read(self.loader, "models/*")
        # Promotion writes the lists, deletes those of shoppers and items a run no longer has, reads the live summary.
        storefront_table.grant(self.loader, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:Query")
        acknowledge(self.loader, {**S3_READ, wildcard_under(artifacts_bucket, "/models/*"): RUN_ARTIFACTS})

        self.state_machine = sfn.StateMachine(
            self, "StateMachine",
            comment="Storefront recommendations: training job -> promote only a run that does not lose to popularity -> storefront table",
            definition_body=sfn.DefinitionBody.from_string(json.dumps(json.loads(DEFINITION.read_text()))),
            definition_substitutions={
                "SageMakerRoleArn": self.sagemaker_role.role_arn,
                "TrainingImage": framework_image(config, config.training_image),
                "TrainingInstanceType": config.training_instance_type,
                "SourceUri": source.s3_object_url,
                "ArtifactsBucket": artifacts_bucket.bucket_name,
                "RawBucket": raw_bucket.bucket_name,
                "LoaderFunctionArn": self.loader.function_arn,
                "TopicArn": topic.topic_arn,
            },
            timeout=Duration.hours(3),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group(self, "StateMachineLogs", config), level=sfn.LogLevel.ALL,
                                include_execution_data=True),  # tenant IDs, counts and metrics; no shopper data
        )
        self._grant(stack, topic)

        self.dead_letters = weekly_runs(self, self.state_machine, config, "the storefront recommendations")

    def _sagemaker_role(self, config: StageConfig, source, raw_bucket: s3.IBucket, artifacts_bucket: s3.IBucket) -> iam.Role:
        """What the training job runs as: read the shopper events and accepted catalogue rows and the
        source bundle, write its artefact, pull the framework image, write its logs and metrics."""
        role = iam.Role(self, "SageMakerRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
                        description="SmartRetail storefront training job")
        raw_bucket.grant_read(role, "stream/*")
        for dataset in ACCEPTED:
            raw_bucket.grant_read(role, f"accepted/*/{dataset}/*")
        artifacts_bucket.grant_put(role, "models/*")  # SageMaker uploads the job's model.tar.gz as the role
        source.grant_read(role)
        acknowledge(role, {
            **S3_READ, **S3_PUT, **framework_image_access(self, role, config),
            wildcard_under(artifacts_bucket, "/models/*"): RUN_ARTIFACTS,
            wildcard_under(raw_bucket, "/stream/*"): "The job reads the shopper events the stream delivered, partitioned by "
                                                     "tenant; a run's tenant_id narrows it to one tenant (read only).",
            **{wildcard_under(raw_bucket, f"/accepted/*/{dataset}/*"): f"The job reads the accepted {dataset} rows of the "
                                                                       "tenant it trains (read only)." for dataset in ACCEPTED},
        })
        return role

    def _grant(self, stack: Stack, topic: sns.ITopic) -> None:
        sm = self.state_machine
        sm.add_to_role_policy(iam.PolicyStatement(
            actions=["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:AddTags"],
            resources=[stack.format_arn(service="sagemaker", resource=f"training-job/{RUN_PREFIX}*")]))
        sm.add_to_role_policy(iam.PolicyStatement(
            actions=["iam:PassRole"], resources=[self.sagemaker_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}))
        self.loader.grant_invoke(sm)
        topic.grant_publish(sm)
        acknowledge(sm, {
            "AwsSolutions-IAM5[Resource::*]": "X-Ray's PutTraceSegments and the log delivery actions exist only on all resources.",
            wildcard_under(self.loader, ":*"): "Invoking the storefront loader's versions and aliases (CDK's grant_invoke); "
                                               "one function only.",
            wildcard_arn(self, "sagemaker", f"training-job/{RUN_PREFIX}*"): "Each run's training job is named after its model "
                                                                            f"version ({RUN_PREFIX}<uuid>); only those.",
        })
