"""Documents: the documents table, the document processor Lambda and statemachines/document_pipeline.asl.json,
started by EventBridge when an uploaded document lands under docs/ in the documents bucket.

The processor reads only docs/ and writes only results/ (Textract's answer and the result): what a
user uploaded is never rewritten. Textract offers no resource-level permissions, so its actions are
granted on all resources to this one function.
"""

import json

from aws_cdk import Duration, aws_dynamodb as dynamodb, aws_events as events, aws_events_targets as targets
from aws_cdk import aws_iam as iam, aws_lambda as lambda_, aws_s3 as s3, aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from ..config import DOCUMENT_DEPS_LAYER_DIR, STATEMACHINES_DIR, StageConfig
from ..nag import S3_PUT, S3_READ, acknowledge, wildcard_under
from .decisions import AUDIT_ACTIONS
from .log_groups import log_group
from .packaging import deps_layer, python_function
from .queues import dead_letter_queue
from .tables import tenant_table

DEFINITION = STATEMACHINES_DIR / "document_pipeline.asl.json"
TEXTRACT_ACTIONS = ("textract:AnalyzeExpense", "textract:AnalyzeDocument", "textract:StartExpenseAnalysis",
                    "textract:GetExpenseAnalysis", "textract:StartDocumentAnalysis", "textract:GetDocumentAnalysis")


class DocumentsConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, documents_bucket: s3.IBucket,
                 alerts_table: dynamodb.ITable, audit_table: dynamodb.ITable, alerts_topic: sns.ITopic,
                 layers: list[lambda_.ILayerVersion]):
        super().__init__(scope, construct_id)
        self._bucket, self._max_bytes = documents_bucket, config.max_document_bytes
        # Document records, idempotency keys and duplicate-invoice markers of one tenant share its partition.
        self.table = tenant_table(self, "DocumentsTable")
        self.processor = python_function(
            self, "ProcessorFunction", "document_processor", config=config, logs_id="ProcessorLogs",
            description="The document pipeline's steps: Textract, extraction, validation, compliance alerts",
            layers=[*layers, deps_layer(self, "DocumentDepsLayer", DOCUMENT_DEPS_LAYER_DIR,
                                        "SmartRetail document processor dependencies (pypdf)")],
            memory_size=1024, timeout=Duration.minutes(5),
            environment={
                "DOCUMENTS_BUCKET": documents_bucket.bucket_name,
                "DOCUMENTS_TABLE": self.table.table_name,
                "ALERTS_TABLE": alerts_table.table_name,
                "AUDIT_TABLE": audit_table.table_name,
                "ALERTS_TOPIC_ARN": alerts_topic.topic_arn,
                "MAX_DOCUMENT_PAGES": str(config.max_document_pages),
                "POWERTOOLS_SERVICE_NAME": "smartretail-document-processor",
            },
        )
        fn = self.processor
        documents_bucket.grant_read(fn, "docs/*")
        documents_bucket.grant_read(fn, "results/*")
        documents_bucket.grant_put(fn, "results/*")
        self.table.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem")
        alerts_table.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem")
        audit_table.grant(fn, *AUDIT_ACTIONS)
        alerts_topic.grant_publish(fn)
        fn.add_to_role_policy(iam.PolicyStatement(actions=list(TEXTRACT_ACTIONS), resources=["*"]))
        acknowledge(fn, {
            **S3_READ, **S3_PUT,
            "AwsSolutions-IAM5[Resource::*]": "Textract's analysis actions have no resource-level permissions (only this "
                                              "function has them), and X-Ray's PutTraceSegments (active tracing) none either.",
            wildcard_under(documents_bucket, "/docs/*"): "Uploaded documents live under docs/<tenant>/<document>/, named at "
                                                         "upload time; the processor only reads there.",
            wildcard_under(documents_bucket, "/results/*"): "The processor writes each document's Textract answer and result "
                                                            "under results/<tenant>/<document>/, named per document.",
        })

        self.state_machine = sfn.StateMachine(
            self, "StateMachine",
            comment="Uploaded document -> Textract -> extraction -> validation -> result -> alert on failure",
            definition_body=sfn.DefinitionBody.from_string(json.dumps(json.loads(DEFINITION.read_text()))),
            definition_substitutions={"ProcessorFunctionArn": fn.function_arn},
            timeout=Duration.minutes(30),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=log_group(self, "StateMachineLogs", config),
                level=sfn.LogLevel.ALL,
                include_execution_data=False,  # extracted fields are business data; the result is in S3
            ),
        )
        fn.grant_invoke(self.state_machine)
        acknowledge(self.state_machine, {
            f"{wildcard_under(fn, ':*')}": "Invoking the document processor's versions and aliases (CDK's grant_invoke); "
                                           "one function only.",
            "AwsSolutions-IAM5[Resource::*]": "X-Ray's PutTraceSegments and the log delivery actions Step Functions needs "
                                              "for tracing and logging exist only on all resources.",
        })
        self.dead_letters = dead_letter_queue(self, "StartDeadLetters")
        events.Rule(
            self, "DocumentUploadedRule",
            description="A document landed under docs/: run the document pipeline",
            event_pattern=events.EventPattern(
                source=["aws.s3"], detail_type=["Object Created"],
                detail={"bucket": {"name": [documents_bucket.bucket_name]}, "object": {"key": [{"prefix": "docs/"}]}},
            ),
            targets=[targets.SfnStateMachine(self.state_machine, dead_letter_queue=self.dead_letters, retry_attempts=4,
                                             max_event_age=Duration.hours(6))],
        )

    def grant_read(self, fn: lambda_.Function) -> None:
        """The copilot reads document records (status, reasons, fields); no file, no write."""
        fn.add_environment("DOCUMENTS_BUCKET", self._bucket.bucket_name)
        fn.add_environment("DOCUMENTS_TABLE", self.table.table_name)
        self.table.grant(fn, "dynamodb:GetItem", "dynamodb:Query")

    def grant_api(self, fn: lambda_.Function) -> None:
        """Document uploads and views are presigned by the API's role: it may put and read under docs/
        (a reviewer sees the uploaded page) and read results/; no delete."""
        fn.add_environment("DOCUMENTS_BUCKET", self._bucket.bucket_name)
        fn.add_environment("DOCUMENTS_TABLE", self.table.table_name)
        fn.add_environment("MAX_DOCUMENT_BYTES", str(self._max_bytes))
        self._bucket.grant_put(fn, "docs/*")
        self._bucket.grant_read(fn, "docs/*")
        self._bucket.grant_read(fn, "results/*")
        self.table.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
        acknowledge(fn, {
            **S3_READ, **S3_PUT,
            wildcard_under(self._bucket, "/docs/*"): "The API presigns document uploads for exact keys docs/<tenant>/<document>/<file>, "
                                                     "named at request time, and presigns reads of the tenant's own documents for 5 minutes; no delete.",
            wildcard_under(self._bucket, "/results/*"): "The API reads each document's result under results/<tenant>/<document>/.",
        })
