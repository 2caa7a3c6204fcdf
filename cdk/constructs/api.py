"""The REST API: API Gateway + Cognito authorizer + the API Lambda (FastAPI through Mangum)."""

import functools
import importlib
import sys

from aws_cdk import Duration, aws_apigateway as apigw, aws_cognito as cognito, aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from ..config import LAMBDAS_DIR, StageConfig
from ..nag import acknowledge
from .log_groups import log_group
from .packaging import python_function
from .tables import tenant_table


@functools.lru_cache(maxsize=None)
def api_routes(function: str = "api") -> tuple[tuple[str, str], ...]:
    """(method, path) of every route of a function, read from its FastAPI app (lambdas/<function>/
    <function>_app.py): the one list of routes. The local stack reads them back from the template."""
    folder = str(LAMBDAS_DIR / function)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return tuple(importlib.import_module(f"{function}_app").route_table())


class ApiConstruct(Construct):
    """The API function and its REST API. Each capability's construct adds what the function needs of
    it (environment and grants) with its own `grant_api`."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, user_pool: cognito.IUserPool,
                 layers: list[lambda_.ILayerVersion]):
        super().__init__(scope, construct_id)
        self.function = python_function(
            self, "ApiFunction", "api", config=config, logs_id="ApiLogs", description="SmartRetail API (FastAPI via Mangum)",
            layers=layers, memory_size=1024, timeout=Duration.seconds(29),
            environment={
                "UPLOAD_URL_TTL_SECONDS": str(config.upload_url_ttl_seconds),  # data and document uploads alike
                "CORS_ALLOWED_ORIGINS": ",".join(config.dashboard_origins),
                "SDK_TRACING": "true" if config.api_sdk_tracing else "false",
                "POWERTOOLS_SERVICE_NAME": "smartretail-api",
                "POWERTOOLS_METRICS_NAMESPACE": "SmartRetail",
            },
        )
        fn = self.function
        # Each tenant's requests per minute (smartretail.throttle), dropped by TTL two minutes on.
        self.request_counts = tenant_table(self, "RequestCountsTable", "tenant_id", "window", time_to_live="expires_at")
        fn.add_environment("REQUEST_COUNTS_TABLE", self.request_counts.table_name)
        fn.add_environment("TENANT_REQUESTS_PER_MINUTE", str(config.tenant_requests_per_minute))
        self.request_counts.grant(fn, "dynamodb:UpdateItem")
        # KPI answers and ranked recommendations, by the version of the data they came from (kept a week).
        self.results_cache = tenant_table(self, "ResultsCacheTable", time_to_live="expires_at")
        fn.add_environment("RESULTS_CACHE_TABLE", self.results_cache.table_name)
        self.results_cache.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem")

        access_logs = log_group(self, "AccessLogs", config)
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
                access_log_format=apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request bodies may carry personal data
                tracing_enabled=True,
                metrics_enabled=True,
            ),
            endpoint_types=[apigw.EndpointType.REGIONAL],
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=list(config.dashboard_origins),
                allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                max_age=Duration.hours(1),
            ),
        )
        self.web_acl = _web_acl(self, config)
        wafv2.CfnWebACLAssociation(self, "WebAclAssociation", resource_arn=self.api.deployment_stage.stage_arn,
                                   web_acl_arn=self.web_acl.attr_arn)
        # Errors API Gateway answers itself (bad token, throttling) must carry CORS headers too, or a
        # browser shows a CORS failure instead of the 401/429; and the API's one error shape
        # ({"error": ...}, as its OpenAPI document says), not API Gateway's {"message": ...}.
        cors_headers = {"Access-Control-Allow-Origin": "'*'", "Access-Control-Allow-Headers": "'Authorization,Content-Type,Idempotency-Key'"}
        for name, response_type in (("Default4xx", apigw.ResponseType.DEFAULT_4_XX), ("Default5xx", apigw.ResponseType.DEFAULT_5_XX)):
            self.api.add_gateway_response(name, type=response_type, response_headers=cors_headers,
                                          templates={"application/json": '{"error": $context.error.messageString}'})
        acknowledge(self.api, {
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]":
                "API Gateway's account-level logging role; AWS maintains this policy for exactly that purpose.",
        })
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[user_pool])
        self.validator = self.api.add_request_validator("RequestValidator", validate_request_parameters=True,
                                                         validate_request_body=True)
        self.add_routes(fn, api_routes())

    def add_routes(self, fn: lambda_.IFunction, routes: tuple[tuple[str, str], ...]) -> None:
        """Serve (method, path) routes with `fn` behind the Cognito authorizer (the copilot's function
        adds its own)."""
        integration = apigw.LambdaIntegration(fn, proxy=True)
        for method, path in routes:
            resource = self.api.root.resource_for_path(path)
            resource.add_method(
                method,
                integration,
                authorizer=self.authorizer,
                authorization_type=apigw.AuthorizationType.COGNITO,
                request_validator=self.validator,
            )


# One JSON line per request: who (the token's user and tenant, from the Cognito authorizer), what, how
# it ended and how long it took; never a body, a token or an address beyond the caller's IP.
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","requestTime":"$context.requestTime","ip":"$context.identity.sourceIp",'
    "\"user\":\"$context.authorizer.claims.sub\",\"tenant\":\"$context.authorizer.claims['custom:tenant_id']\","
    '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength","latencyMs":"$context.responseLatency",'
    '"integrationLatencyMs":"$context.integrationLatency","wafResponse":"$context.wafResponseCode",'
    '"error":"$context.error.message"}'
)

# AWS managed rule groups in front of the API: common exploits (OWASP top 10 patterns), inputs known to
# be bad, and addresses Amazon's threat intelligence lists.
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList")


def _matches(field: wafv2.CfnWebACL.FieldToMatchProperty, how: str, text: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
        field_to_match=field, positional_constraint=how, search_string=text,
        text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]))


def _web_acl(scope: Construct, config: StageConfig) -> wafv2.CfnWebACL:
    """The API's web ACL: the managed rule groups, then a per-address rate limit (API Gateway's own
    throttle is for the whole API, so one noisy client could use it all)."""
    def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)

    # A file preview carries the file's first part (up to a few MB) in its body: the common rule set's
    # 8 KB body limit only counts (and labels) there, and a rule below blocks large bodies everywhere else.
    overrides = {"AWSManagedRulesCommonRuleSet": [wafv2.CfnWebACL.RuleActionOverrideProperty(
        name="SizeRestrictions_BODY", action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}))]}
    rules = [wafv2.CfnWebACL.RuleProperty(
        name=group, priority=i, override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}), visibility_config=visibility(group),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=group, rule_action_overrides=overrides.get(group))),
    ) for i, group in enumerate(MANAGED_RULE_GROUPS)]
    rules.append(wafv2.CfnWebACL.RuleProperty(
        name="LargeBodiesOnlyForPreviews", priority=len(rules), action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        visibility_config=visibility("LargeBodiesOnlyForPreviews"),
        statement=wafv2.CfnWebACL.StatementProperty(and_statement=wafv2.CfnWebACL.AndStatementProperty(statements=[
            wafv2.CfnWebACL.StatementProperty(label_match_statement=wafv2.CfnWebACL.LabelMatchStatementProperty(
                scope="LABEL", key="awswaf:managed:aws:core-rule-set:SizeRestrictions_Body")),
            wafv2.CfnWebACL.StatementProperty(not_statement=wafv2.CfnWebACL.NotStatementProperty(
                statement=wafv2.CfnWebACL.StatementProperty(and_statement=wafv2.CfnWebACL.AndStatementProperty(statements=[
                    _matches(wafv2.CfnWebACL.FieldToMatchProperty(method={}), "EXACTLY", "POST"),
                    _matches(wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}), "CONTAINS", "/ingest/"),
                    _matches(wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}), "ENDS_WITH", "/preview"),
                ])))),
        ])),
    ))
    rules.append(wafv2.CfnWebACL.RuleProperty(
        name="RatePerAddress", priority=len(rules), action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        visibility_config=visibility("RatePerAddress"),
        statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
            limit=config.waf_requests_per_ip, aggregate_key_type="IP")),
    ))
    return wafv2.CfnWebACL(scope, "WebAcl", scope="REGIONAL", default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
                           visibility_config=visibility(f"smartretail-{config.stage}-api"), rules=rules)
