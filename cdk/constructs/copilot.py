"""The copilot's search: an OpenSearch Serverless vector search collection with its encryption,
network and data-access policies, and the grant that lets a function index and search it and embed
text with Titan (smartretail.adapters.aws_opensearch, aws_bedrock).

Encryption at rest is with an AWS-owned key, as every collection must have one; the collection's
endpoint is reachable from the internet because the functions run outside a VPC, and every request
must still be SigV4-signed by a role the data-access policy names, with aoss:APIAccessAll on this
collection only. Dashboards are not opened.
"""

import json

from aws_cdk import Stack, aws_iam as iam, aws_lambda as lambda_, aws_opensearchserverless as aoss
from constructs import Construct

from ..config import StageConfig

INDEX = "copilot"
EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"
INDEX_PERMISSIONS = ["aoss:CreateIndex", "aoss:DescribeIndex", "aoss:UpdateIndex", "aoss:ReadDocument", "aoss:WriteDocument"]


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

    def grant_index(self, fn: lambda_.Function) -> None:
        """Index, search and embed: the collection's data-access policy names the function's role, its
        IAM policy allows the collection's API and Titan's model, and it is told where they are."""
        self._grants += 1
        aoss.CfnAccessPolicy(self, f"DataAccess{self._grants}", name=f"{self.name}-data{self._grants}", type="data",
                             policy=json.dumps([{"Rules": [{"ResourceType": "index", "Resource": [f"index/{self.name}/{INDEX}"],
                                                            "Permission": INDEX_PERMISSIONS}],
                                                 "Principal": [fn.role.role_arn]}]))
        fn.add_to_role_policy(iam.PolicyStatement(actions=["aoss:APIAccessAll"], resources=[self.collection.attr_arn]))
        region = Stack.of(self).region
        fn.add_to_role_policy(iam.PolicyStatement(actions=["bedrock:InvokeModel"],
                                                  resources=[f"arn:aws:bedrock:{region}::foundation-model/{EMBEDDING_MODEL}"]))
        fn.add_environment("SEARCH_ENDPOINT", self.endpoint)
        fn.add_environment("SEARCH_INDEX", INDEX)
        fn.add_environment("EMBEDDING_MODEL_ID", EMBEDDING_MODEL)
