"""The storefront: machine clients (a Cognito resource server with the storefront scopes and the user
pool's domain, whose /oauth2/token serves the client-credentials grant), the storefront function and
its routes (each needs an access token with its scope), the serving table the training step fills, and
the shopper-events stream: Kinesis Data Firehose, encrypted, partitioned by the tenant inside each
record into the raw bucket's stream/ prefix."""

from aws_cdk import Duration, Stack, aws_apigateway as apigw, aws_cognito as cognito, aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam, aws_kinesisfirehose as firehose, aws_lambda as lambda_, aws_s3 as s3
from constructs import Construct

from ..config import StageConfig
from ..nag import acknowledge, wildcard_under
from .api import ApiConstruct, api_routes
from .log_groups import log_group
from .packaging import python_function
from .tables import tenant_table

RESOURCE_SERVER = "storefront"
SCOPES = {"read": "recommendations, similar and bought-together items, product search",
          "events": "send shopper events"}
ROUTE_SCOPES = {"/storefront/events": "events"}  # every other storefront route needs read


class StorefrontConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, user_pool: cognito.UserPool,
                 raw_bucket: s3.IBucket, layers: list[lambda_.ILayerVersion], request_counts: dynamodb.ITable):
        super().__init__(scope, construct_id)
        self.table = tenant_table(self, "StorefrontTable")
        scopes = [cognito.ResourceServerScope(scope_name=name, scope_description=text) for name, text in SCOPES.items()]
        self.resource_server = user_pool.add_resource_server("StorefrontResourceServer", identifier=RESOURCE_SERVER, scopes=scopes)
        self.scopes = {name: cognito.OAuthScope.resource_server(self.resource_server, s) for name, s in zip(SCOPES, scopes)}
        account = Stack.of(self).account
        self.domain = user_pool.add_domain("Domain", cognito_domain=cognito.CognitoDomainOptions(
            domain_prefix=f"smartretail-{config.stage}-{account}"))
        self.token_url = f"{self.domain.base_url()}/oauth2/token"

        self.stream = self._stream(config, raw_bucket)
        self.function = python_function(
            self, "StorefrontFunction", "storefront", config=config, logs_id="StorefrontLogs",
            description="SmartRetail storefront: recommendations, search and shopper events for marketplace back ends",
            layers=layers,
            memory_size=1536, timeout=Duration.seconds(29),
            environment={
                "COGNITO_USER_POOL_ID": user_pool.user_pool_id, "STOREFRONT_TABLE": self.table.table_name,
                "EVENTS_STREAM": self.stream.ref, "RAW_BUCKET": raw_bucket.bucket_name,
                "REQUEST_COUNTS_TABLE": request_counts.table_name,
                "POWERTOOLS_SERVICE_NAME": "smartretail-storefront", "POWERTOOLS_METRICS_NAMESPACE": "SmartRetail",
            },
        )
        fn = self.function
        self.table.grant(fn, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
        request_counts.grant(fn, "dynamodb:UpdateItem")
        fn.add_to_role_policy(iam.PolicyStatement(actions=["firehose:PutRecordBatch"], resources=[self.stream.attr_arn]))

    def _stream(self, config: StageConfig, raw_bucket: s3.IBucket) -> firehose.CfnDeliveryStream:
        role = iam.Role(self, "EventsDeliveryRole", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"),
                        description="Firehose writes shopper events into the raw bucket's stream/ prefix")
        role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                                               resources=[raw_bucket.arn_for_objects("stream/*"), raw_bucket.arn_for_objects("stream-errors/*")]))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                                               resources=[raw_bucket.bucket_arn]))
        logs = log_group(self, "EventsDeliveryLogs", config)
        logs.grant_write(role)
        stream = firehose.CfnDeliveryStream(
            self, "EventsStream", delivery_stream_type="DirectPut",
            delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream.DeliveryStreamEncryptionConfigurationInputProperty(
                key_type="AWS_OWNED_CMK"),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=raw_bucket.bucket_arn, role_arn=role.role_arn,
                # The same layout the local stack writes (smartretail.storefront.events.stream_prefix).
                prefix="stream/!{partitionKeyFromQuery:tenant_id}/shopper-events/!{timestamp:yyyy/MM/dd}/",
                error_output_prefix="stream-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(interval_in_seconds=60, size_in_m_bs=64),
                compression_format="UNCOMPRESSED",
                dynamic_partitioning_configuration=firehose.CfnDeliveryStream.DynamicPartitioningConfigurationProperty(
                    enabled=True, retry_options=firehose.CfnDeliveryStream.RetryOptionsProperty(duration_in_seconds=300)),
                processing_configuration=firehose.CfnDeliveryStream.ProcessingConfigurationProperty(enabled=True, processors=[
                    firehose.CfnDeliveryStream.ProcessorProperty(type="MetadataExtraction", parameters=[
                        firehose.CfnDeliveryStream.ProcessorParameterProperty(parameter_name="MetadataExtractionQuery",
                                                                              parameter_value="{tenant_id: .tenant_id}"),
                        firehose.CfnDeliveryStream.ProcessorParameterProperty(parameter_name="JsonParsingEngine", parameter_value="JQ-1.6"),
                    ]),
                    firehose.CfnDeliveryStream.ProcessorProperty(type="AppendDelimiterToRecord", parameters=[
                        firehose.CfnDeliveryStream.ProcessorParameterProperty(parameter_name="Delimiter", parameter_value="\\n")]),
                ]),
                cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                    enabled=True, log_group_name=logs.log_group_name, log_stream_name="delivery"),
            ),
        )
        stream.node.add_dependency(role)
        acknowledge(role, {
            wildcard_under(raw_bucket, "/stream/*"): "Firehose names each object by tenant, day and delivery; it may write "
                                                     "only under the stream/ prefix of the raw bucket.",
            wildcard_under(raw_bucket, "/stream-errors/*"): "Records Firehose could not partition are kept under stream-errors/ "
                                                            "for operations to inspect; nothing else is writable.",
        })
        return stream

    def add_routes(self, api: ApiConstruct) -> None:
        """The storefront's routes on the API, each behind the Cognito authorizer with its scope: API
        Gateway then accepts only access tokens carrying it (ID tokens of people are refused)."""
        integration = apigw.LambdaIntegration(self.function, proxy=True)
        for method, path in api_routes("storefront"):
            scope = self.scopes[ROUTE_SCOPES.get(path, "read")]
            api.api.root.resource_for_path(path).add_method(
                method, integration, authorizer=api.authorizer, authorization_type=apigw.AuthorizationType.COGNITO,
                authorization_scopes=[scope.scope_name], request_validator=api.validator)

    def grant_api(self, fn: lambda_.Function, user_pool: cognito.UserPool) -> None:
        """Admins register and revoke machine clients through the API: app clients of the pool and
        their entries in the registry."""
        fn.add_environment("STOREFRONT_TABLE", self.table.table_name)
        fn.add_environment("STOREFRONT_TOKEN_URL", self.token_url)
        self.table.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchWriteItem")
        fn.add_to_role_policy(iam.PolicyStatement(actions=["cognito-idp:CreateUserPoolClient", "cognito-idp:DeleteUserPoolClient"],
                                                  resources=[user_pool.user_pool_arn]))
