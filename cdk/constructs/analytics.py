"""Glue Data Catalog (database + curated tables), the Glue ETL job and the Athena workgroup."""

from aws_cdk import ArnFormat, Stack, Token, aws_glue as glue, aws_iam as iam, aws_kms as kms, aws_s3 as s3, aws_s3_assets as assets
from aws_cdk import aws_athena as athena, aws_lambda as lambda_
from constructs import Construct

from ..config import CORE_LAYER_DIR, GLUE_JOBS_DIR, StageConfig
from ..nag import S3_DELETE, S3_PUT, S3_READ, acknowledge, wildcard_arn, wildcard_under

# Column layout of the curated tables written by smartretail.etl (kept in step by a test).
SALES_DAILY_COLUMNS = (
    ("store_id", "string"), ("sku_id", "string"), ("category", "string"), ("brand", "string"),
    ("units", "double"), ("units_clean", "double"), ("price", "double"), ("revenue", "double"), ("promo_flag", "boolean"),
    ("imputed_price", "boolean"), ("on_hand", "bigint"), ("stockout", "boolean"), ("currency", "string"),
    ("unit_cost", "double"),
)


class AnalyticsConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, raw_bucket: s3.IBucket,
                 cleaned_bucket: s3.IBucket, curated_bucket: s3.IBucket, query_results_bucket: s3.IBucket):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self._curated_bucket, self._query_results_bucket = curated_bucket, query_results_bucket
        self.database_name = f"smartretail_{config.stage}"
        database = glue.CfnDatabase(
            self, "Database", catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(name=self.database_name, description="SmartRetail curated data"),
        )
        # Partition projection: no crawler and no partition registration; every query must name
        # its tenant (injected projection), which keeps queries tenant-scoped by construction.
        sales_daily = glue.CfnTable(
            self, "SalesDailyTable", catalog_id=stack.account, database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name="sales_daily",
                description="Daily units, revenue, price, promo and stock per SKU and store",
                table_type="EXTERNAL_TABLE",
                parameters={
                    "classification": "parquet",
                    "projection.enabled": "true",
                    "projection.tenant_id.type": "injected",
                    "projection.dt.type": "date",
                    "projection.dt.format": "yyyy-MM-dd",
                    "projection.dt.range": "2000-01-01,NOW",
                    "projection.dt.interval": "1",
                    "projection.dt.interval.unit": "DAYS",
                    "storage.location.template": f"s3://{curated_bucket.bucket_name}/sales_daily/tenant_id=${{tenant_id}}/dt=${{dt}}",
                },
                partition_keys=[
                    glue.CfnTable.ColumnProperty(name="tenant_id", type="string"),
                    glue.CfnTable.ColumnProperty(name="dt", type="string"),
                ],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=f"s3://{curated_bucket.bucket_name}/sales_daily/",
                    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                    ),
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in SALES_DAILY_COLUMNS],
                ),
            ),
        )
        sales_daily.node.add_dependency(database)

        self.workgroup_name = f"smartretail-{config.stage}"
        athena.CfnWorkGroup(
            self, "Workgroup", name=self.workgroup_name, state="ENABLED",
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=10 * 1024**3,
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{query_results_bucket.bucket_name}/athena/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(encryption_option="SSE_S3"),
                ),
            ),
        )

        # The ETL job: the same transforms the tests run on local Spark, on Glue 5.0.
        key = kms.Key(self, "GlueKey", enable_key_rotation=True, description="Glue job logs and bookmarks")
        glue_logs = stack.format_arn(service="logs", resource="log-group", resource_name="/aws-glue/*",
                                     arn_format=ArnFormat.COLON_RESOURCE_NAME)
        # CloudWatch Logs may use the key only for the Glue job's own log groups (the encryption context
        # names the log group), not for any log group in the account.
        key.add_to_resource_policy(iam.PolicyStatement(
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": glue_logs}},
        ))
        security = glue.CfnSecurityConfiguration(
            self, "GlueSecurity", name=f"smartretail-{config.stage}-etl",
            encryption_configuration=glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
                cloud_watch_encryption=glue.CfnSecurityConfiguration.CloudWatchEncryptionProperty(
                    cloud_watch_encryption_mode="SSE-KMS", kms_key_arn=key.key_arn),
                job_bookmarks_encryption=glue.CfnSecurityConfiguration.JobBookmarksEncryptionProperty(
                    job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=key.key_arn),
                s3_encryptions=[glue.CfnSecurityConfiguration.S3EncryptionProperty(s3_encryption_mode="SSE-S3")],
            ),
        )
        script = assets.Asset(self, "EtlScript", path=str(GLUE_JOBS_DIR / "etl_job.py"))
        library = assets.Asset(self, "EtlLibrary", path=str(CORE_LAYER_DIR / "python"),
                               exclude=["**/__pycache__", "**/*.pyc", "*.egg-info"])
        self.job_role = iam.Role(self, "EtlRole", assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
                                 description="SmartRetail ETL: its data, its catalog, its logs")
        # What AWSGlueServiceRole (glue:* and more on *) gave, narrowed to what the job does: write its
        # logs, publish its metrics, read this stage's catalog.
        self.job_role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
            resources=[glue_logs],
        ))
        self.job_role.add_to_policy(iam.PolicyStatement(
            actions=["cloudwatch:PutMetricData"], resources=["*"], conditions={"StringEquals": {"cloudwatch:namespace": "Glue"}},
        ))
        self.job_role.add_to_policy(iam.PolicyStatement(
            actions=["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"],
            resources=[stack.format_arn(service="glue", resource="catalog"),
                       stack.format_arn(service="glue", resource="database", resource_name=self.database_name),
                       stack.format_arn(service="glue", resource="table", resource_name=f"{self.database_name}/*")],
        ))
        script.grant_read(self.job_role)
        library.grant_read(self.job_role)
        raw_bucket.grant_read(self.job_role, "accepted/*")
        cleaned_bucket.grant_read_write(self.job_role)
        curated_bucket.grant_read_write(self.job_role)
        key.grant_encrypt_decrypt(self.job_role)
        acknowledge(self.job_role, {
            **S3_READ, **S3_PUT, **S3_DELETE,
            "AwsSolutions-IAM5[Action::kms:ReEncrypt*]": "Glue's security configuration encrypts logs and bookmarks with this "
                                                         "construct's own key only.",
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": "Glue's security configuration encrypts logs and bookmarks with "
                                                               "this construct's own key only.",
            "AwsSolutions-IAM5[Resource::*]": "cloudwatch:PutMetricData has no resource-level permissions; a condition limits "
                                              "it to the Glue namespace.",
            wildcard_arn(self, "logs", "log-group:/aws-glue/*"): "Glue names a job run's log groups and streams under "
                                                                 "/aws-glue/ at run time.",
            wildcard_arn(self, "glue", f"table/{self.database_name}/*"): "The job reads table definitions of this stage's own "
                                                                         "database only.",
            wildcard_under(raw_bucket, "/accepted/*"): "The ETL reads the accepted rows of every upload under accepted/.",
            wildcard_under(cleaned_bucket, "/*"): "The ETL writes cleaned tables, one prefix per table and tenant, created at "
                                                  "run time.",
            wildcard_under(curated_bucket, "/*"): "The ETL writes curated tables, partitioned by tenant and day at run time.",
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{_account(stack)}-{stack.region}/*]":
                "The job reads its script and library from the CDK asset bucket, which names objects by content hash.",
        })
        self.job = glue.CfnJob(
            self, "EtlJob",
            description="raw (accepted rows) -> cleaned -> curated, with a data-quality report",
            role=self.job_role.role_arn,
            glue_version="5.0",
            worker_type="G.1X",
            number_of_workers=config.glue_workers,
            security_configuration=security.name,
            command=glue.CfnJob.JobCommandProperty(name="glueetl", python_version="3", script_location=script.s3_object_url),
            default_arguments={
                "--extra-py-files": library.s3_object_url,
                "--raw_bucket": raw_bucket.bucket_name,
                "--cleaned_bucket": cleaned_bucket.bucket_name,
                "--curated_bucket": curated_bucket.bucket_name,
                "--tenant_id": "all",
                "--base_currency": config.base_currency,
                "--enable-continuous-cloudwatch-log": "true",
                "--enable-metrics": "true",
                "--job-language": "python",
            },
        )

    def grant_api(self, fn: lambda_.Function) -> None:
        """KPIs: Athena queries over the curated tables, through this workgroup and catalog only."""
        stack = Stack.of(self)
        fn.add_environment("CURATED_BUCKET", self._curated_bucket.bucket_name)
        fn.add_environment("GLUE_DATABASE", self.database_name)
        fn.add_environment("ATHENA_WORKGROUP", self.workgroup_name)
        self._curated_bucket.grant_read(fn)
        # Athena writes query results as the caller: read and put under athena/ only, no delete.
        self._query_results_bucket.grant_read(fn, "athena/*")
        self._query_results_bucket.grant_put(fn, "athena/*")
        acknowledge(fn, {
            **S3_READ, **S3_PUT,
            wildcard_under(self._curated_bucket, "/*"): "The API's queries read the curated tables, partitioned by tenant and "
                                                        "day (every query names its tenant).",
            wildcard_under(self._query_results_bucket, "/athena/*"): "Athena writes each query's result under athena/ as the "
                                                                     "calling role.",
            wildcard_arn(self, "glue", f"table/{self.database_name}/*"): "Athena resolves table metadata in this stage's own "
                                                                         "database only.",
        })
        fn.add_to_role_policy(iam.PolicyStatement(
            actions=["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
            resources=[stack.format_arn(service="athena", resource="workgroup", resource_name=self.workgroup_name)],
        ))
        fn.add_to_role_policy(iam.PolicyStatement(
            actions=["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
            resources=[
                stack.format_arn(service="glue", resource="catalog"),
                stack.format_arn(service="glue", resource="database", resource_name=self.database_name),
                stack.format_arn(service="glue", resource="table", resource_name=f"{self.database_name}/*"),
            ],
        ))


def _account(stack: Stack) -> str:
    return "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
