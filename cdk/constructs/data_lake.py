"""The data lake: raw, cleaned, curated, documents and artifacts buckets (+ access logs)."""

from aws_cdk import Duration, RemovalPolicy, Stack, aws_s3 as s3
from constructs import Construct

from ..config import StageConfig
from ..nag import acknowledge

# The function CDK adds to the stack to turn on a bucket's EventBridge notifications (one per stack).
NOTIFICATIONS_HANDLER = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"


class DataLakeConstruct(Construct):
    """Every bucket: SSE, versioned, public access blocked, TLS only, access-logged, lifecycle-ruled."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig):
        super().__init__(scope, construct_id)
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-logs", expiration=Duration.days(365), noncurrent_version_expiration=Duration.days(30))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        keep_history = s3.LifecycleRule(
            id="tidy-versions",
            noncurrent_version_expiration=Duration.days(90),
            abort_incomplete_multipart_upload_after=Duration.days(7),
        )

        def tidy_versions_under(prefix: str) -> s3.LifecycleRule:
            return s3.LifecycleRule(id=f"tidy-versions-{prefix.strip('/')}", prefix=prefix,
                                    noncurrent_version_expiration=Duration.days(90))

        abort_multipart = s3.LifecycleRule(id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(7))
        # Raw is the system of record: what a seller sent is never expired, not even a version a later
        # post replaced; only the outputs derived from it (accepted/, quarantine/) lose old versions.
        self.raw = self._bucket(
            "Raw",
            lifecycle=[
                abort_multipart, tidy_versions_under("accepted/"), tidy_versions_under("quarantine/"),
                s3.LifecycleRule(
                    id="raw-to-infrequent-access",
                    prefix="raw/",
                    transitions=[s3.Transition(storage_class=s3.StorageClass.INFREQUENT_ACCESS, transition_after=Duration.days(90))],
                ),
            ],
            event_bridge=True,
            cors_origins=config.dashboard_origins,
        )
        self.cleaned = self._bucket("Cleaned", lifecycle=[keep_history])
        self.curated = self._bucket("Curated", lifecycle=[keep_history])
        # Documents as uploaded (docs/) keep every version; the readings and results beside them do not.
        self.documents = self._bucket("Documents", lifecycle=[abort_multipart, tidy_versions_under("results/")], event_bridge=True,
                                      cors_origins=config.dashboard_origins)
        self.artifacts = self._bucket("Artifacts", lifecycle=[keep_history])
        self.query_results = self._bucket(
            "QueryResults",
            lifecycle=[s3.LifecycleRule(id="expire-results", expiration=Duration.days(30), noncurrent_version_expiration=Duration.days(1))],
        )
        acknowledge(Stack.of(self).node.find_child(NOTIFICATIONS_HANDLER), {
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]":
                "CDK's bucket-notification helper (it turns on the raw and documents buckets' EventBridge notifications at "
                "deploy time) writes only its own CloudWatch logs with AWSLambdaBasicExecutionRole.",
        })

    def _bucket(self, name: str, *, lifecycle: list[s3.LifecycleRule], event_bridge: bool = False,
                cors_origins: tuple[str, ...] = ()) -> s3.Bucket:
        cors = (
            [s3.CorsRule(allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET], allowed_origins=list(cors_origins), allowed_headers=["*"], max_age=3000)]
            if cors_origins
            else None
        )
        return s3.Bucket(
            self,
            name,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{name.lower()}/",
            lifecycle_rules=lifecycle,
            event_bridge_enabled=event_bridge,
            cors=cors,
            removal_policy=RemovalPolicy.RETAIN,
        )
