"""The REST API: API Gateway + Cognito authorizer + the API Lambda (FastAPI through Mangum)."""

from aws_cdk import Duration, RemovalPolicy, Stack, aws_apigateway as apigw, aws_cognito as cognito, aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam, aws_lambda as lambda_, aws_logs as logs, aws_s3 as s3
from constructs import Construct

from ..config import StageConfig
from .decisions import AUDIT_ACTIONS, DecisionsConstruct
from .packaging import python_function

# (method, path) of every route; the local stack reads them back from the synthesized template.
ROUTES: tuple[tuple[str, str], ...] = (
    ("GET", "/me"),
    ("GET", "/ingest"),
    ("POST", "/ingest/{id}"),   # id = dataset name
    ("GET", "/ingest/{id}"),    # id = upload id
    ("GET", "/kpis"),
    ("POST", "/forecast"),
    ("GET", "/forecast/export"),
    ("GET", "/models"),
    ("POST", "/pricing-suggest"),
    ("POST", "/pricing/simulate"),
    ("POST", "/recommendations"),
    ("GET", "/policy"),
    ("PUT", "/policy"),
    ("GET", "/proposals"),
    ("POST", "/proposals"),
    ("GET", "/proposals/{id}"),
    ("POST", "/proposals/{id}/approve"),
    ("POST", "/proposals/{id}/reject"),
    ("POST", "/proposals/{id}/apply"),
    ("GET", "/proposals/{id}/payload"),
    ("GET", "/audit"),
    ("GET", "/alerts"),
    ("POST", "/alerts/{id}/acknowledge"),
    ("POST", "/alerts/{id}/resolve"),
    ("POST", "/alerts/{id}/snooze"),
    ("POST", "/upload-document"),
    ("GET", "/documents"),
    ("GET", "/documents/{id}"),
    ("GET", "/documents/{id}/export"),
    ("POST", "/documents/{id}/review"),
)


class ApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
        raw_bucket: s3.IBucket,
        curated_bucket: s3.IBucket,
        query_results_bucket: s3.IBucket,
        uploads_table: dynamodb.ITable,
        forecasts_table: dynamodb.ITable,
        models_table: dynamodb.ITable,
        glue_database: str,
        athena_workgroup: str,
        decisions: DecisionsConstruct,
        documents_bucket: s3.IBucket,
        documents_table: dynamodb.ITable,
        layers: list[lambda_.ILayerVersion],
    ):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.function = python_function(
            self, "ApiFunction", "api", logs_id="ApiLogs", description="SmartRetail API (FastAPI via Mangum)",
            layers=layers, memory_size=1024, timeout=Duration.seconds(29),
            environment={
                "COGNITO_USER_POOL_ID": user_pool.user_pool_id,
                "COGNITO_CLIENT_ID": user_pool_client.user_pool_client_id,
                "RAW_BUCKET": raw_bucket.bucket_name,
                "CURATED_BUCKET": curated_bucket.bucket_name,
                "UPLOADS_TABLE": uploads_table.table_name,
                "FORECASTS_TABLE": forecasts_table.table_name,
                "MODELS_TABLE": models_table.table_name,
                "DECISIONS_TABLE": decisions.decisions_table.table_name,
                "PROPOSALS_TABLE": decisions.proposals_table.table_name,
                "ALERTS_TABLE": decisions.alerts_table.table_name,
                "AUDIT_TABLE": decisions.audit_table.table_name,
                "DOCUMENTS_BUCKET": documents_bucket.bucket_name,
                "DOCUMENTS_TABLE": documents_table.table_name,
                "MAX_DOCUMENT_BYTES": str(config.max_document_bytes),
                "GLUE_DATABASE": glue_database,
                "ATHENA_WORKGROUP": athena_workgroup,
                "MAX_UPLOAD_BYTES": str(config.max_upload_bytes),
                "UPLOAD_URL_TTL_SECONDS": str(config.upload_url_ttl_seconds),
                "CORS_ALLOWED_ORIGINS": ",".join(config.dashboard_origins),
                "SDK_TRACING": "true" if config.api_sdk_tracing else "false",
                "FORECAST_ENDPOINT_PREFIX": config.forecast_endpoint_prefix,
                "POWERTOOLS_SERVICE_NAME": "smartretail-api",
                "POWERTOOLS_METRICS_NAMESPACE": "SmartRetail",
            },
        )
        fn = self.function
        # Presigned POSTs are signed with this role: it may put only under raw/.
        raw_bucket.grant_put(fn, "raw/*")
        uploads_table.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:ConditionCheckItem")
        # Forecasts and model versions are written by the training pipeline; the API only reads them.
        forecasts_table.grant(fn, "dynamodb:Query")
        models_table.grant(fn, "dynamodb:Query")
        # Positions and elasticities are the pipeline's; the API writes only the tenant's policy item.
        decisions.decisions_table.grant(fn, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem")
        decisions.proposals_table.grant(fn, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem")
        decisions.alerts_table.grant(fn, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem")
        decisions.audit_table.grant(fn, *AUDIT_ACTIONS)
        # Document uploads are presigned by this role: it may put only under docs/; it reads results/.
        documents_bucket.grant_put(fn, "docs/*")
        documents_bucket.grant_read(fn, "results/*")
        documents_table.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
        fn.add_to_role_policy(iam.PolicyStatement(  # on-demand forecasts from the tenants' model endpoints
            actions=["sagemaker:InvokeEndpoint"],
            resources=[stack.format_arn(service="sagemaker", resource="endpoint", resource_name=f"{config.forecast_endpoint_prefix}*")],
        ))
        curated_bucket.grant_read(fn)
        # Athena writes query results as the caller: read and put under athena/ only, no delete.
        query_results_bucket.grant_read(fn, "athena/*")
        query_results_bucket.grant_put(fn, "athena/*")
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
                resources=[stack.format_arn(service="athena", resource="workgroup", resource_name=athena_workgroup)],
            )
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                resources=[
                    stack.format_arn(service="glue", resource="catalog"),
                    stack.format_arn(service="glue", resource="database", resource_name=glue_database),
                    stack.format_arn(service="glue", resource="table", resource_name=f"{glue_database}/*"),
                ],
            )
        )

        access_logs = logs.LogGroup(self, "AccessLogs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.DESTROY)
        self.api = apigw.RestApi(
            self,
            "RestApi",
            description="SmartRetail API",
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name="v1",
                throttling_rate_limit=config.api_rate_limit,
                throttling_burst_limit=config.api_burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True, request_time=True,
                    resource_path=True, response_length=True, status=True, user=True,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request bodies may carry personal data
                tracing_enabled=True,
                metrics_enabled=True,
            ),
            endpoint_types=[apigw.EndpointType.REGIONAL],
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=list(config.dashboard_origins),
                allow_methods=["GET", "POST", "PUT", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                max_age=Duration.hours(1),
            ),
        )
        # Errors API Gateway answers itself (bad token, throttling) must carry CORS headers too, or a
        # browser shows a CORS failure instead of the 401/429.
        cors_headers = {"Access-Control-Allow-Origin": "'*'", "Access-Control-Allow-Headers": "'Authorization,Content-Type,Idempotency-Key'"}
        for name, response_type in (("Default4xx", apigw.ResponseType.DEFAULT_4_XX), ("Default5xx", apigw.ResponseType.DEFAULT_5_XX)):
            self.api.add_gateway_response(name, type=response_type, response_headers=cors_headers)
        authorizer = apigw.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[user_pool])
        validator = self.api.add_request_validator("RequestValidator", validate_request_parameters=True, validate_request_body=True)
        integration = apigw.LambdaIntegration(fn, proxy=True)
        for method, path in ROUTES:
            resource = self.api.root.resource_for_path(path)
            resource.add_method(
                method,
                integration,
                authorizer=authorizer,
                authorization_type=apigw.AuthorizationType.COGNITO,
                request_validator=validator,
            )
