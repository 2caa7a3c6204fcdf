"""The training pipeline: statemachines/training_pipeline.asl.json deployed with what its states call.

SageMaker runs sagemaker_jobs/forecasting in script mode (training, the serverless endpoint and batch
transform share one source bundle); a Model Registry group holds approved versions; the forecast
loader Lambda fills the forecasts table; an SNS topic tells admins how each run ended; EventBridge
starts a run per scheduled tenant every week. Names of SageMaker resources a run creates start with
`fc-` (its model version) and endpoints with the stage's prefix, so every grant below is scoped to them.
"""

import json

from aws_cdk import ArnFormat, Aws, Duration, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb, aws_events as events, aws_events_targets as targets, aws_iam as iam
from aws_cdk import aws_kms as kms, aws_lambda as lambda_, aws_s3 as s3, aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns, aws_stepfunctions as sfn
from constructs import Construct

from ..config import STATEMACHINES_DIR, StageConfig
from ..nag import S3_DELETE, S3_PUT, S3_READ, acknowledge, wildcard_arn, wildcard_under
from .log_groups import log_group
from .packaging import python_function, sagemaker_source
from .queues import dead_letter_queue

DEFINITION = STATEMACHINES_DIR / "training_pipeline.asl.json"
# Training-job channels (beyond `train`, the curated sales) -> cleaned tables they read.
INSIGHT_CHANNELS = {"inventory": "inventory", "products": "products", "competitors": "competitor_prices"}
RUN_PREFIX = "fc-"  # model versions, and so the names of their training jobs, models, endpoint configs and transforms
RUN_ARTIFACTS = ("Each training run writes and reads its own artifacts under models/<tenant>/<model version>/, named at run "
                 "time; the loader and the pipeline only read there.")


class TrainingPipelineConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, curated_bucket: s3.IBucket,
                 cleaned_bucket: s3.IBucket, artifacts_bucket: s3.IBucket, etl_job_name: str,
                 forecasts_table: dynamodb.ITable, models_table: dynamodb.ITable, decisions_table: dynamodb.ITable,
                 results_cache: dynamodb.ITable, layers: list[lambda_.ILayerVersion]):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.endpoint_prefix = config.forecast_endpoint_prefix

        self.topic = sns.Topic(
            self, "PipelineTopic", display_name="SmartRetail training pipeline",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"), enforce_ssl=True,
        )
        source = sagemaker_source(self, "ForecastSource", "forecasting")
        self.sagemaker_role = self._sagemaker_role(config, source, curated_bucket, cleaned_bucket, artifacts_bucket)
        self.model_package_group_name = f"smartretail-{config.stage}-demand-forecast"
        self.model_package_group = sagemaker.CfnModelPackageGroup(
            self, "ModelPackageGroup", model_package_group_name=self.model_package_group_name,
            model_package_group_description="SmartRetail demand forecast versions that beat their baselines and the live model",
        )
        self.loader = python_function(
            self, "LoaderFunction", "forecast_loader", config=config, logs_id="LoaderLogs",
            description="Loads a run's positions and elasticities, and a promoted model's batch forecast (then marks it live)",
            layers=layers, memory_size=1024, timeout=Duration.minutes(15),
            environment={
                "ARTIFACTS_BUCKET": artifacts_bucket.bucket_name,
                "FORECASTS_TABLE": forecasts_table.table_name,
                "MODELS_TABLE": models_table.table_name,
                "DECISIONS_TABLE": decisions_table.table_name,
                "RESULTS_CACHE_TABLE": results_cache.table_name,
                "POWERTOOLS_SERVICE_NAME": "smartretail-forecast-loader",
            },
        )
        artifacts_bucket.grant_read(self.loader, "models/*")
        # Loading writes forecasts, versions and positions; ranking each store's recommendations afterwards
        # reads them (and the tenant's policy) and writes the results cache.
        forecasts_table.grant(self.loader, "dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:Query")
        models_table.grant(self.loader, "dynamodb:Query", "dynamodb:PutItem")
        decisions_table.grant(self.loader, "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:GetItem")
        results_cache.grant(self.loader, "dynamodb:GetItem", "dynamodb:PutItem")
        acknowledge(self.loader, {**S3_READ, wildcard_under(artifacts_bucket, "/models/*"): RUN_ARTIFACTS})

        self.state_machine = sfn.StateMachine(
            self, "StateMachine",
            comment="ETL -> training and backtest -> promote only a better model -> batch forecast -> forecasts table",
            definition_body=sfn.DefinitionBody.from_string(json.dumps(json.loads(DEFINITION.read_text()))),
            definition_substitutions={
                "EtlJobName": etl_job_name,
                "SageMakerRoleArn": self.sagemaker_role.role_arn,
                "TrainingImage": framework_image(config, config.training_image),
                "InferenceImage": framework_image(config, config.inference_image),
                "TrainingInstanceType": config.training_instance_type,
                "TransformInstanceType": config.transform_instance_type,
                "SourceUri": source.s3_object_url,
                "ArtifactsBucket": artifacts_bucket.bucket_name,
                "CuratedBucket": curated_bucket.bucket_name,
                "CleanedBucket": cleaned_bucket.bucket_name,
                "ModelsTable": models_table.table_name,
                "ModelPackageGroup": self.model_package_group_name,
                "EndpointPrefix": self.endpoint_prefix,
                "LoaderFunctionArn": self.loader.function_arn,
                "TopicArn": self.topic.topic_arn,
            },
            timeout=Duration.hours(6),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=log_group(self, "StateMachineLogs", config),
                level=sfn.LogLevel.ALL,
                include_execution_data=True,  # tenant IDs, metrics and S3 keys; no personal data
            ),
        )
        self.state_machine.node.add_dependency(self.model_package_group)
        self._grant_pipeline(stack, etl_job_name, artifacts_bucket, models_table)

        self.dead_letters = weekly_runs(self, self.state_machine, config, "the demand forecast")

    def retrain_on_request(self, requester: lambda_.Function) -> None:
        """The model monitor (in `requester`) asks for a run when a tenant's live forecast worsens or its
        data drifts: an EventBridge event on the default bus, which this rule turns into an execution."""
        stack = Stack.of(self)
        events.Rule(
            self, "RetrainOnRequest", description="Start a training run when the model monitor asks for one (accuracy or drift)",
            event_pattern=events.EventPattern(source=["smartretail.monitoring"], detail_type=["Retraining requested"]),
            targets=[targets.SfnStateMachine(
                self.state_machine, input=events.RuleTargetInput.from_object({"tenant_id": events.EventField.from_path("$.detail.tenant_id")}),
                retry_attempts=2, dead_letter_queue=self.dead_letters)],
        )
        requester.add_environment("RETRAIN_EVENT_BUS", "default")
        requester.add_to_role_policy(iam.PolicyStatement(
            actions=["events:PutEvents"], resources=[stack.format_arn(service="events", resource="event-bus", resource_name="default")]))

    def _sagemaker_role(self, config: StageConfig, source, curated_bucket: s3.IBucket, cleaned_bucket: s3.IBucket,
                        artifacts_bucket: s3.IBucket) -> iam.Role:
        """What training jobs, the endpoint and batch transforms run as: read the curated sales, the
        cleaned stock, product and competitor tables and the source bundle, read and write run
        artifacts, pull the framework image, write their logs and metrics."""
        role = iam.Role(self, "SageMakerRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
                        description="SmartRetail forecast training, endpoint and batch transform")
        curated_bucket.grant_read(role, "sales_daily/*")
        for table in INSIGHT_CHANNELS.values():
            cleaned_bucket.grant_read(role, f"{table}/*")
        artifacts_bucket.grant_read_write(role, "models/*")
        source.grant_read(role)
        acknowledge(role, {
            **S3_READ, **S3_PUT, **S3_DELETE, **framework_image_access(self, role, config),
            wildcard_under(artifacts_bucket, "/models/*"): RUN_ARTIFACTS,
            wildcard_under(curated_bucket, "/sales_daily/*"): "Training reads the curated daily sales of the tenant it "
                                                              "trains, partitioned by tenant and day (read only).",
            **{wildcard_under(cleaned_bucket, f"/{table}/*"): f"The training job reads the cleaned {table} table under its "
                                                              "prefix (read only); a run's channel narrows it to one tenant."
               for table in INSIGHT_CHANNELS.values()},
        })
        return role

    def _grant_pipeline(self, stack: Stack, etl_job_name: str, artifacts_bucket: s3.IBucket, models_table: dynamodb.ITable) -> None:
        def arn(resource: str) -> str:
            return stack.format_arn(service="sagemaker", resource=resource)

        sm = self.state_machine
        sm.add_to_role_policy(iam.PolicyStatement(
            actions=["glue:StartJobRun", "glue:GetJobRun"], resources=[stack.format_arn(service="glue", resource="job", resource_name=etl_job_name)]))
        sm.add_to_role_policy(iam.PolicyStatement(
            actions=["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:CreateModel",
                     "sagemaker:CreateEndpointConfig", "sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob",
                     "sagemaker:AddTags"],
            resources=[arn(f"{kind}/{RUN_PREFIX}*") for kind in ("training-job", "model", "endpoint-config", "transform-job")]))
        sm.add_to_role_policy(iam.PolicyStatement(
            actions=["sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:AddTags"],
            resources=[arn(f"endpoint/{self.endpoint_prefix}*"), arn(f"endpoint-config/{RUN_PREFIX}*")]))
        sm.add_to_role_policy(iam.PolicyStatement(
            actions=["sagemaker:CreateModelCard", "sagemaker:UpdateModelCard", "sagemaker:AddTags"],
            resources=[arn(f"model-card/{RUN_PREFIX}*")]))
        sm.add_to_role_policy(iam.PolicyStatement(actions=["sagemaker:ListEndpoints"], resources=["*"]))
        group = self.model_package_group_name
        sm.add_to_role_policy(iam.PolicyStatement(
            actions=["sagemaker:CreateModelPackage"],
            resources=[arn(f"model-package-group/{group}"), arn(f"model-package/{group}/*")]))
        sm.add_to_role_policy(iam.PolicyStatement(
            actions=["iam:PassRole"], resources=[self.sagemaker_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}))
        artifacts_bucket.grant_read(sm, "models/*")
        models_table.grant(sm, "dynamodb:GetItem", "dynamodb:PutItem")
        self.loader.grant_invoke(sm)
        self.topic.grant_publish(sm)
        by_version = "named after its model version (fc-<uuid>); only those"
        acknowledge(sm, {
            **S3_READ,
            "AwsSolutions-IAM5[Resource::*]": "sagemaker:ListEndpoints, X-Ray's PutTraceSegments and the log delivery actions "
                                              "exist only on all resources.",
            wildcard_under(artifacts_bucket, "/models/*"): RUN_ARTIFACTS,
            wildcard_under(self.loader, ":*"): "Invoking the forecast loader's versions and aliases (CDK's grant_invoke); one "
                                               "function only.",
            wildcard_arn(self, "sagemaker", f"training-job/{RUN_PREFIX}*"): f"Each run's training job is {by_version}.",
            wildcard_arn(self, "sagemaker", f"model/{RUN_PREFIX}*"): f"Each promoted run's SageMaker model is {by_version}.",
            wildcard_arn(self, "sagemaker", f"endpoint-config/{RUN_PREFIX}*"): f"Each promoted run's endpoint configuration "
                                                                               f"is {by_version}.",
            wildcard_arn(self, "sagemaker", f"transform-job/{RUN_PREFIX}*"): f"Each promoted run's batch forecast is {by_version}.",
            wildcard_arn(self, "sagemaker", f"model-card/{RUN_PREFIX}*"): f"Each run's SageMaker Model Card is {by_version}.",
            wildcard_arn(self, "sagemaker", f"endpoint/{self.endpoint_prefix}*"): "One serverless endpoint per tenant, named "
                                                                                  "with this stage's prefix; only those.",
            wildcard_arn(self, "sagemaker", f"model-package/{group}/*"): "New versions in this stage's model package group only.",
        })


def framework_image_access(scope: Construct, role: iam.Role, config: StageConfig) -> dict[str, str]:
    """What every SageMaker job role here needs besides its data: pull the framework image from AWS's
    Deep Learning Containers account, write its logs and metrics. The cdk-nag acknowledgments of these
    grants (and of reading the job's source bundle from the CDK asset bucket)."""
    role.add_to_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
    role.add_to_policy(iam.PolicyStatement(
        actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        resources=[f"arn:{Aws.PARTITION}:ecr:{Aws.REGION}:{config.dlc_account}:repository/*"],
    ))
    role.add_to_policy(iam.PolicyStatement(
        actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources=[Stack.of(scope).format_arn(service="logs", resource="log-group", resource_name="/aws/sagemaker/*",
                                              arn_format=ArnFormat.COLON_RESOURCE_NAME)],
    ))
    role.add_to_policy(iam.PolicyStatement(
        actions=["cloudwatch:PutMetricData"], resources=["*"],
        conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
    ))
    stack = Stack.of(scope)
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    return {
        "AwsSolutions-IAM5[Resource::*]": "ecr:GetAuthorizationToken exists only on all resources (pulling SageMaker's "
                                          "framework image); cloudwatch:PutMetricData is limited by condition to "
                                          "SageMaker's namespaces.",
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:{config.dlc_account}:repository/*]":
            "Pulling the SageMaker framework images from AWS's Deep Learning Containers account; read-only.",
        wildcard_arn(scope, "logs", "log-group:/aws/sagemaker/*"): "SageMaker jobs and endpoints write to log groups it "
                                                                   "names per job under /aws/sagemaker/.",
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{account}-{stack.region}/*]":
            "The jobs read their source bundle from the CDK asset bucket, which names objects by content hash.",
    }


def framework_image(config: StageConfig, name: str) -> str:
    """A SageMaker framework image of AWS's Deep Learning Containers account in the stack's region."""
    return f"{config.dlc_account}.dkr.ecr.{Aws.REGION}.{Aws.URL_SUFFIX}/{name}"


def weekly_runs(scope: Construct, machine: sfn.StateMachine, config: StageConfig, what: str) -> "object | None":
    """An EventBridge rule per scheduled tenant starting `machine` on the stage's training schedule,
    with retries and a dead-letter queue (returned; None without scheduled tenants)."""
    dead_letters = dead_letter_queue(scope, "ScheduleDeadLetters") if config.scheduled_tenants else None
    for tenant in config.scheduled_tenants:
        events.Rule(
            scope, f"Weekly-{tenant}", description=f"Retrain {what} of tenant {tenant} every week",
            schedule=events.Schedule.expression(config.training_schedule),
            targets=[targets.SfnStateMachine(machine, input=events.RuleTargetInput.from_object({"tenant_id": tenant}),
                                             retry_attempts=2, dead_letter_queue=dead_letters)],
        )
    return dead_letters

