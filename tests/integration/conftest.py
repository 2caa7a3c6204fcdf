
import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        yield


@pytest.fixture
def uploads_table(aws):
    ddb = boto3.client("dynamodb")
    ddb.create_table(
        TableName="uploads",
        KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"}, {"AttributeName": "upload_id", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "tenant_id", "AttributeType": "S"}, {"AttributeName": "upload_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return "uploads"
