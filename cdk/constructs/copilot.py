"""The platform's search: an OpenSearch Serverless vector search collection with its encryption,
network and data-access policies, holding the copilot's index (policies and processed documents) and
the storefront's catalogue index, and the grant that lets a function index or search one of them and
embed text with Titan (smartretail.adapters.aws_opensearch, aws_bedrock).

Encryption at rest is with an AWS-owned key, as every collection must have one; the collection's
endpoint is reachable from the internet because the functions run outside a VPC, and every request
must still be SigV4-signed by a role the data-access policy names, with aoss:APIAccessAll on this
collection only. Dashboards are not opened.
"""

import json

from aws_cdk import ArnFormat, Duration, Stack, aws_dynamodb as dynamodb, aws_iam as iam, aws_lambda as lambda_
from aws_cdk import aws_opensearchserverless as aoss
from constructs import Construct

from ..config import StageConfig
from ..nag import acknowledge
from .packaging import python_function
from .tables import tenant_table

INDEX = "copilot"
CATALOG_INDEX = "catalog"  # the storefront's products, each tenant's under its own tenant_id
EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"
INDEX_PERMISSIONS = ["aoss:CreateIndex", "aoss:DescribeIndex", "aoss:UpdateIndex", "aoss:ReadDocument", "aoss:WriteDocument"]
READ_PERMISSIONS = ["aoss:DescribeIndex", "aoss:ReadDocument"]


class CopilotSearchConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig):
        super().__init__(scope, construct_id)
        self.name = f"smartretail-{config.stage}"[:24]  # with '-enc', '-net', '-data1': policy names stay within 32
        rules = [{"ResourceType": "collection", "Resource": [f"collection/{self.name}"]}]
        encryption = aoss.CfnSecurityPolicy(self, "Encryption", name=f"{self.name}-enc", type="encryption",
                                            policy=json.dumps({"Rules": rules, "AWSOwnedKey": True}))
        network = aoss.CfnSecurityPolicy(self, "Network", name=f"{self.name}-net", type="network",
                                         policy=json.dumps([{"Rules": rules, "AllowFromPublic": True}]))
        self.collection = aoss.CfnCollection(self, "Collection", name=self.name, type="VECTORSEARCH",
                                             description="SmartRetail copilot: policies and processed documents")
        self.collection.add_dependency(encryption)
        self.collection.add_dependency(network)
        self._grants = 0

    @property
    def endpoint(self) -> str:
        return self.collection.attr_collection_endpoint

    def grant_index(self, fn: lambda_.Function, read_only: bool = False, index: str = INDEX) -> None:
        """Index, search and embed: the collection's data-access policy names the function's role for
        one index, its IAM policy allows the collection's API and Titan's model, and it is told where
        they are."""
        self._grants += 1
        aoss.CfnAccessPolicy(self, f"DataAccess{self._grants}", name=f"{self.name}-data{self._grants}", type="data",
                             policy=json.dumps([{"Rules": [{"ResourceType": "index", "Resource": [f"index/{self.name}/{index}"],
                                                            "Permission": READ_PERMISSIONS if read_only else INDEX_PERMISSIONS}],
                                                 "Principal": [fn.role.role_arn]}]))
        fn.add_to_role_policy(iam.PolicyStatement(actions=["aoss:APIAccessAll"], resources=[self.collection.attr_arn]))
        region = Stack.of(self).region
        fn.add_to_role_policy(iam.PolicyStatement(actions=["bedrock:InvokeModel"],
                                                  resources=[f"arn:aws:bedrock:{region}::foundation-model/{EMBEDDING_MODEL}"]))
        fn.add_environment("SEARCH_ENDPOINT", self.endpoint)
        fn.add_environment("SEARCH_INDEX", INDEX)  # both names, as SearchSettings reads them; the policy opens one
        fn.add_environment("CATALOG_INDEX", CATALOG_INDEX)
        fn.add_environment("EMBEDDING_MODEL_ID", EMBEDDING_MODEL)


class CopilotConstruct(Construct):
    """The copilot's own function (POST /copilot/chat and the conversations routes), its conversations
    table (dropped by TTL after the stage's retention) and, when the stage names one, its model."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, layers: list[lambda_.ILayerVersion],
                 search: CopilotSearchConstruct, request_counts: dynamodb.ITable, results_cache: dynamodb.ITable):
        super().__init__(scope, construct_id)
        self.conversations = tenant_table(self, "ConversationsTable", time_to_live="expires_at")
        model = {"COPILOT_MODEL": config.copilot_model, "COPILOT_MODEL_ID": config.copilot_model_id,
                 "COPILOT_MODEL_BASE_URL": config.copilot_model_base_url,
                 "COPILOT_MODEL_API_KEY_SECRET": config.copilot_model_api_key_secret,
                 "BEDROCK_GUARDRAIL_ID": config.bedrock_guardrail_id, "BEDROCK_GUARDRAIL_VERSION": config.bedrock_guardrail_version}
        self.function = python_function(
            self, "CopilotFunction", "copilot", config=config, logs_id="CopilotLogs",
            description="SmartRetail copilot: tools over the platform's services, cited answers, conversations",
            layers=layers, memory_size=1536, timeout=Duration.seconds(29),
            environment={
                "CONVERSATIONS_TABLE": self.conversations.table_name,
                "CONVERSATION_RETENTION_DAYS": str(config.conversation_retention_days),
                "REQUEST_COUNTS_TABLE": request_counts.table_name,
                # The API's ranked recommendations and KPI answers (the training pipeline ranks them ahead):
                # without them a store's reorder question is ranked again, seconds each time.
                "RESULTS_CACHE_TABLE": results_cache.table_name,
                "USER_REQUESTS_PER_MINUTE": str(config.copilot_user_requests_per_minute),
                "CORS_ALLOWED_ORIGINS": ",".join(config.dashboard_origins),
                "POWERTOOLS_SERVICE_NAME": "smartretail-copilot",
                "POWERTOOLS_METRICS_NAMESPACE": "SmartRetail",
                "COPILOT_MAX_TURNS": "6", "COPILOT_TIME_BUDGET_SECONDS": "20",  # within API Gateway's 29 s
                # The document service is built alike in both functions; the copilot creates no upload.
                "MAX_DOCUMENT_BYTES": str(config.max_document_bytes), "UPLOAD_URL_TTL_SECONDS": str(config.upload_url_ttl_seconds),
                **model,
            },
        )
        fn = self.function
        self.conversations.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchWriteItem")
        request_counts.grant(fn, "dynamodb:UpdateItem")
        results_cache.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem")
        search.grant_index(fn, read_only=True)
        stack = Stack.of(self)
        if config.copilot_model == "bedrock":
            # A foundation model, or a cross-region inference profile (eu.<model>, us.<model>, ...), which
            # routes each request to its model in any of the profile's regions.
            profile = config.copilot_model_id.split(".", 1)[0] in ("us", "eu", "apac", "us-gov", "global")
            foundation = config.copilot_model_id.split(".", 1)[1] if profile else config.copilot_model_id
            resources = [f"arn:aws:bedrock:*::foundation-model/{foundation}"]
            if profile:
                resources.append(stack.format_arn(service="bedrock", resource="inference-profile", resource_name=config.copilot_model_id))
            fn.add_to_role_policy(iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=resources))
            acknowledge(fn, {f"AwsSolutions-IAM5[Resource::arn:aws:bedrock:*::foundation-model/{foundation}]":
                             "One model only; an inference profile may run it in any of the profile's regions."})
        if config.bedrock_guardrail_id:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["bedrock:ApplyGuardrail"], resources=[
                stack.format_arn(service="bedrock", resource="guardrail", resource_name=config.bedrock_guardrail_id)]))
        if config.copilot_model_api_key_secret:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[
                stack.format_arn(service="secretsmanager", resource="secret", resource_name=f"{config.copilot_model_api_key_secret}-*",
                                 arn_format=ArnFormat.COLON_RESOURCE_NAME)]))
