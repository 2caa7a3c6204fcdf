"""Ingestion: the uploads table and the validation Lambda fed by S3 events through EventBridge."""

from aws_cdk import Duration, Size, aws_events as events, aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_, aws_lambda_destinations as destinations, aws_s3 as s3
from constructs import Construct

from ..config import StageConfig
from ..nag import S3_PUT, S3_READ, acknowledge, wildcard_under
from .packaging import python_function
from .queues import dead_letter_queue
from .tables import tenant_table


class IngestionConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, raw_bucket: s3.IBucket,
                 layers: list[lambda_.ILayerVersion]):
        super().__init__(scope, construct_id)
        self._raw_bucket = raw_bucket
        self._max_upload_bytes = config.max_upload_bytes
        # Upload records, idempotency keys and content hashes of one tenant share its partition.
        self.uploads_table = tenant_table(self, "UploadsTable", "tenant_id", "upload_id")
        self.dead_letters = dead_letter_queue(self, "ValidationDeadLetters")
        self.validation_function = python_function(
            self, "ValidationFunction", "ingest_validation", config=config, logs_id="ValidationLogs",
            description="Validates uploaded data files against their dataset contract",
            layers=layers, memory_size=1024, timeout=Duration.minutes(10),
            # Accepted and quarantined rows are written to /tmp before they go to S3: up to ~6x the
            # upload as JSON Lines, so the largest upload allowed must fit.
            ephemeral_storage_size=validation_storage(config.max_upload_bytes),
            # A check that still fails after Lambda's two retries (a dependency down for long, a crash)
            # leaves its event in the dead-letter queue, whose alarm tells operations; the seller sees
            # the upload as rejected with what to do (smartretail.ingestion.uploads.public_view).
            on_failure=destinations.SqsDestination(self.dead_letters), retry_attempts=2, max_event_age=Duration.hours(6),
            environment={
                "RAW_BUCKET": raw_bucket.bucket_name,
                "UPLOADS_TABLE": self.uploads_table.table_name,
                "POWERTOOLS_SERVICE_NAME": "smartretail-ingest-validation",
            },
        )
        # Least privilege: read uploads, write only the accepted/ and quarantine/ prefixes. The
        # function has no delete and cannot write under raw/, so uploads are never rewritten.
        raw_bucket.grant_read(self.validation_function, "raw/*")
        raw_bucket.grant_put(self.validation_function, "accepted/*")
        raw_bucket.grant_put(self.validation_function, "quarantine/*")
        self.uploads_table.grant(self.validation_function, "dynamodb:GetItem", "dynamodb:PutItem")
        acknowledge(self.validation_function, {
            **S3_READ, **S3_PUT,
            wildcard_under(raw_bucket, "/raw/*"): "The validator reads uploads, keyed raw/<tenant>/<dataset>/<upload>/<file> at "
                                                  "upload time; it cannot write there.",
            wildcard_under(raw_bucket, "/accepted/*"): "The validator writes each upload's accepted rows under accepted/, which "
                                                       "the ETL reads.",
            wildcard_under(raw_bucket, "/quarantine/*"): "The validator writes each upload's rejected rows with reasons under "
                                                         "quarantine/.",
        })
        events.Rule(
            self,
            "UploadCreatedRule",
            description="A seller's data file landed under raw/: validate it",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={"bucket": {"name": [raw_bucket.bucket_name]}, "object": {"key": [{"prefix": "raw/"}]}},
            ),
            targets=[
                targets.LambdaFunction(
                    self.validation_function, dead_letter_queue=self.dead_letters, retry_attempts=4,
                    max_event_age=Duration.hours(6),
                )
            ],
        )

    def grant_api(self, fn: lambda_.Function) -> None:
        """Upload slots: presigned POSTs are signed with the API's role, so it may put only under raw/."""
        fn.add_environment("RAW_BUCKET", self._raw_bucket.bucket_name)
        fn.add_environment("UPLOADS_TABLE", self.uploads_table.table_name)
        fn.add_environment("MAX_UPLOAD_BYTES", str(self._max_upload_bytes))
        self._raw_bucket.grant_put(fn, "raw/*")
        self.uploads_table.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:ConditionCheckItem")
        acknowledge(fn, {**S3_PUT, wildcard_under(self._raw_bucket, "/raw/*"):
                         "The API signs presigned POSTs for exact upload keys raw/<tenant>/<dataset>/<upload>/<file>, "
                         "named at request time; put only."})


def validation_storage(max_upload_bytes: int) -> Size:
    """/tmp for the validator: eight times the largest upload (the rows it writes are ~6x), at least
    Lambda's default 512 MiB and at most its 10 GiB."""
    mebibytes = -(-8 * max_upload_bytes // 2**20)
    return Size.mebibytes(min(max(mebibytes, 512), 10240))
