import io
import time

import boto3
import pytest
import pyarrow as pa
import pyarrow.parquet as pq
from botocore.stub import Stubber

from smartretail.adapters.aws_athena import AthenaQueryEngine
from smartretail.adapters.aws_dynamodb import DynamoUploadRepository
from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.adapters.local_athena import LocalDuckDbQueryEngine
from smartretail.forecasting.artefacts import LIVE_POINTER
from smartretail.kpis import KPI_SQL, KpiQuery, build_query, compute_kpis
from smartretail.errors import Conflict
from smartretail.models import UploadRecord, UploadStatus


def _record(tenant="t1", upload_id="up_1", dataset="sales"):
    return UploadRecord(tenant_id=tenant, upload_id=upload_id, dataset=dataset, file_name="s.csv",
                        content_type="text/csv", key=f"raw/{tenant}/{dataset}/{upload_id}/s.csv", request_fingerprint="f")


def test_an_idempotency_key_maps_to_one_upload_per_tenant(uploads_table):
    repo = DynamoUploadRepository(uploads_table, boto3.client("dynamodb"))
    first = repo.create(_record(upload_id="up_1"), "key-1")
    again = repo.create(_record(upload_id="up_2"), "key-1")
    assert again.upload_id == first.upload_id == "up_1"
    assert repo.get("t1", "up_2") is None
    other = repo.create(_record(tenant="t2", upload_id="up_3"), "key-1")
    assert other.upload_id == "up_3"


def test_uploads_are_listed_per_tenant_without_marker_items(uploads_table):
    repo = DynamoUploadRepository(uploads_table, boto3.client("dynamodb"))
    repo.create(_record(upload_id="up_1"), "key-1")
    repo.create(_record(tenant="t2", upload_id="up_2"), None)
    repo.claim_content("t1", "sales", "abc", "up_1")
    assert [r.upload_id for r in repo.list("t1", 10)] == ["up_1"]
    assert repo.get("t1", "idem#key-1") is None


def test_content_is_claimed_by_the_first_upload_only(uploads_table):
    repo = DynamoUploadRepository(uploads_table, boto3.client("dynamodb"))
    assert repo.claim_content("t1", "sales", "abc", "up_1") == "up_1"
    assert repo.claim_content("t1", "sales", "abc", "up_2") == "up_1"
    assert repo.claim_content("t1", "inventory", "abc", "up_3") == "up_3"


def test_only_one_invocation_claims_an_upload_and_only_it_saves_the_result(uploads_table):
    repo = DynamoUploadRepository(uploads_table, boto3.client("dynamodb"))
    record = repo.create(_record(upload_id="up_1"), None)
    record.status, record.attempt = UploadStatus.VALIDATING, "request-1"
    repo.save(record, expect=(UploadStatus.AWAITING_UPLOAD, None))
    with pytest.raises(Conflict):  # a second invocation of a duplicate event
        repo.save(record.model_copy(update={"attempt": "request-2"}), expect=(UploadStatus.AWAITING_UPLOAD, None))
    with pytest.raises(Conflict):  # a result from an attempt whose claim was taken over
        repo.save(record.model_copy(update={"status": UploadStatus.REJECTED}), expect=(UploadStatus.VALIDATING, "request-2"))
    record.status = UploadStatus.VALIDATED
    repo.save(record, expect=(UploadStatus.VALIDATING, "request-1"))
    assert repo.get("t1", "up_1").status is UploadStatus.VALIDATED


def test_throttling_and_timeouts_leave_an_adapter_as_a_503_to_retry_and_bugs_stay_errors():
    from botocore.exceptions import ClientError, ReadTimeoutError

    from smartretail.errors import ServiceUnavailable

    dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
    repo = DynamoUploadRepository("uploads", dynamodb)
    with Stubber(dynamodb) as stub:
        stub.add_client_error("get_item", "ProvisionedThroughputExceededException", http_status_code=400)
        stub.add_client_error("get_item", "InternalServerError", http_status_code=500)
        stub.add_client_error("get_item", "AccessDeniedException", http_status_code=400)
        with pytest.raises(ServiceUnavailable, match="DynamoDB is throttling") as throttled:
            repo.get("t1", "up_1")
        assert throttled.value.retry_after_seconds == 2
        with pytest.raises(ServiceUnavailable, match="DynamoDB is failing"):
            repo.get("t1", "up_1")
        with pytest.raises(ClientError):  # a missing permission is a bug, not a reason to retry
            repo.get("t1", "up_1")
    engine = AthenaQueryEngine("db", "wg", athena=boto3.client("athena", region_name="eu-west-1"))
    with Stubber(engine._client) as stub:
        stub.add_response("start_query_execution", {"QueryExecutionId": "q1"})
        engine._client.get_query_execution = lambda **_: (_ for _ in ()).throw(ReadTimeoutError(endpoint_url="https://athena"))
        with pytest.raises(ServiceUnavailable, match="Athena did not answer in time"):
            engine.query("SELECT 1", [])


def test_a_presigned_post_pins_key_type_and_size(aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="raw", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    post = S3ObjectStore(s3).presigned_post("raw", "raw/t1/sales/up_1/s.csv", "text/csv", 1000, 60)
    import base64
    import json

    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    assert {"key": "raw/t1/sales/up_1/s.csv"} in policy["conditions"]
    assert {"Content-Type": "text/csv"} in policy["conditions"]
    assert ["content-length-range", 1, 1000] in policy["conditions"]


def test_the_kpi_query_runs_on_duckdb_over_curated_parquet(aws, tmp_path):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="curated", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    for tenant, units in (("t1", 10.0), ("t2", 99.0)):
        table = pa.table({
            "store_id": ["S1", "S2"], "sku_id": ["A", "A"], "category": ["Dairy", "Dairy"], "brand": [None, None],
            "units": [units, 5.0], "units_clean": [units, 5.0], "price": [2.0, 2.0], "revenue": [units * 2, 10.0],
            "promo_flag": [True, False], "imputed_price": [False, False], "on_hand": [0, None],
            "stockout": [True, None], "currency": ["EUR", "EUR"],
        })
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        s3.put_object(Bucket="curated", Key=f"sales_daily/tenant_id={tenant}/dt=2024-01-01/part-0.parquet", Body=buffer.getvalue())
    engine = LocalDuckDbQueryEngine("curated", str(tmp_path), s3)
    from datetime import date

    result = compute_kpis(engine, "t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 31)))
    # Files written before the table had unit_cost read it as null, as Athena does: margin unknown.
    assert result["kpis"] == {"revenue": 30.0, "units": 15.0, "average_selling_price": 2.0, "promo_share": 0.6667, "stockout_days": 1,
                              "gross_margin": None, "margin_rate": None, "stockout_rate": 1.0, "inventory_turns": None,
                              "inventory_turns_annualised": None}
    filtered = compute_kpis(engine, "t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 31), store_id="s2"))
    assert filtered["kpis"]["units"] == 5.0


def test_the_same_query_goes_to_athena_with_quoted_parameters():
    athena = boto3.client("athena", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    sql, params = build_query("t1", KpiQuery(start="2024-01-01", end="2024-01-31", category="Kid's"))
    with Stubber(athena) as stub:
        stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, {
            "QueryString": KPI_SQL.replace("{filters}", " AND category = ?").replace("{sales_daily}", '"db"."sales_daily"'),
            "QueryExecutionContext": {"Database": "db"}, "WorkGroup": "wg",
            "ExecutionParameters": ["'t1'", "'2024-01-01'", "'2024-01-31'", "'Kid''s'"],
        })
        stub.add_response("get_query_execution", {"QueryExecution": {"Status": {"State": "SUCCEEDED"}}}, {"QueryExecutionId": "q1"})
        stub.add_response("get_query_results", {
            "ResultSet": {
                "ResultSetMetadata": {"ColumnInfo": [{"Name": n, "Type": "varchar"} for n in ("dt", "units")]},
                "Rows": [{"Data": [{"VarCharValue": "dt"}, {"VarCharValue": "units"}]},
                         {"Data": [{"VarCharValue": "2024-01-01"}, {"VarCharValue": "4.0"}]}],
            }
        }, {"QueryExecutionId": "q1"})
        rows = AthenaQueryEngine("db", "wg", athena=athena).query(sql, params)
    assert rows == [{"dt": "2024-01-01", "units": "4.0"}]


def test_the_duckdb_mirror_drops_files_the_bucket_no_longer_has(aws, tmp_path):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="curated", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    stale = tmp_path / "sales_daily" / "tenant_id=t1" / "dt=2020-01-01" / "old.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by an earlier run")
    LocalDuckDbQueryEngine("curated", str(tmp_path), s3)._mirror("sales_daily")
    assert not stale.exists()


def test_the_model_registry_keeps_a_live_pointer_the_pipeline_reads(aws):
    from smartretail.adapters.aws_dynamodb import DynamoModelRegistry

    ddb = boto3.client("dynamodb")
    ddb.create_table(TableName="models", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"}, {"AttributeName": "model_version", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "tenant_id", "AttributeType": "S"},
                                           {"AttributeName": "model_version", "AttributeType": "S"}])
    registry = DynamoModelRegistry("models", ddb)
    registry.record("t1", {"model_version": "fc-a", "status": "live", "wape": 0.31, "reason": "beats the baselines"})
    pointer = ddb.get_item(TableName="models", Key={"tenant_id": {"S": "t1"}, "model_version": {"S": LIVE_POINTER}})["Item"]
    assert pointer["live_version"]["S"] == "fc-a"
    assert pointer["wape"]["N"] == "0.31"
    assert registry.live_pointer("t1") == {"model_version": "fc-a", "wape": 0.31}
    assert registry.live_pointer("t2") is None
    # The state machine writes rejected versions itself: status and reason as attributes, the record as body.
    ddb.put_item(TableName="models", Item={"tenant_id": {"S": "t1"}, "model_version": {"S": "fc-b"}, "status": {"S": "rejected"},
                                           "reason": {"S": "does not beat fc-a"}, "body": {"S": '{"model_version": "fc-b", "wape": 0.4}'}})
    versions = {v["model_version"]: v for v in registry.versions("t1")}
    assert set(versions) == {"fc-a", "fc-b"}  # not the pointer
    assert versions["fc-b"]["status"] == "rejected"
    assert versions["fc-b"]["reason"] == "does not beat fc-a"
    assert registry.versions("t2") == []


def test_the_newest_uploads_are_listed_first_even_beyond_the_limit(uploads_table):
    from smartretail.ingestion.uploads import new_upload_id

    repo = DynamoUploadRepository(uploads_table, boto3.client("dynamodb"))
    made = []
    for i in range(60):
        record = _record(upload_id=new_upload_id())
        record.created_at = f"2026-11-01T00:{i // 60:02d}:{i % 60:02d}+00:00"
        repo.create(record, None)
        made.append(record.upload_id)
        time.sleep(0.002)  # ids are ordered by the millisecond
    listed = [r.upload_id for r in repo.list("t1", 50)]
    assert listed == made[::-1][:50]


def test_the_request_counter_counts_each_tenants_window_atomically_and_expires_it(aws):
    from smartretail.adapters.aws_dynamodb import DynamoRequestCounter

    ddb = boto3.client("dynamodb")
    ddb.create_table(
        TableName="counts", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"}, {"AttributeName": "window", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "tenant_id", "AttributeType": "S"}, {"AttributeName": "window", "AttributeType": "S"}],
    )
    counter = DynamoRequestCounter("counts", ddb)
    assert [counter.add("t1", "100", 6120) for _ in range(3)] == [1, 2, 3]
    assert counter.add("t2", "100", 6120) == 1
    assert counter.add("t1", "101", 6180) == 1
    item = ddb.get_item(TableName="counts", Key={"tenant_id": {"S": "t1"}, "window": {"S": "100"}})["Item"]
    assert item["expires_at"] == {"N": "6120"}


def test_an_alert_subscription_receives_its_own_tenants_alerts_only(aws):
    import json as json_

    from smartretail.adapters.aws_sns import SnsNotifier

    sns = boto3.client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    notifier = SnsNotifier(topic, sns)
    notifier.subscribe("t1", "ops@shop.example")
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert json_.loads(attributes["FilterPolicy"]) == {"tenant_id": ["t1"]}
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    assert subscription["Protocol"] == "email" and subscription["Endpoint"] == "ops@shop.example"


def test_a_read_that_drops_half_way_is_a_503_to_retry_not_a_broken_file():
    from botocore.exceptions import ReadTimeoutError

    from smartretail.adapters.aws_s3 import _Body
    from smartretail.errors import ServiceUnavailable

    class Dropping:
        def read(self, size=-1):
            raise ReadTimeoutError(endpoint_url="https://s3")

        def close(self):
            pass

    with pytest.raises(ServiceUnavailable, match="S3 did not answer in time"):
        with _Body(Dropping()) as body:
            body.read(1024)
