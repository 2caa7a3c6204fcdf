"""The API's answers to malformed requests, through the FastAPI app with in-memory services."""

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api_app import create_app
from smartretail.auth import Principal


class Verifier:
    def verify(self, header):
        return Principal("u-1", "t1", frozenset({"sellers"}))


@pytest.fixture
def client():
    services = SimpleNamespace(verifier=Verifier(), settings=SimpleNamespace(CORS_ALLOWED_ORIGINS=""), throttle=None)
    return TestClient(create_app(services))


def test_a_body_that_is_not_json_is_a_400_saying_so(client):
    response = client.post("/forecast", content=b'{"store_id": "S01", ', headers={"Authorization": "x", "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"].startswith("the request body is not valid JSON")


def test_a_field_out_of_range_is_a_422_naming_it(client):
    response = client.post("/forecast", json={"store_id": "S01", "sku_ids": ["A"], "horizon_days": 500}, headers={"Authorization": "x"})
    assert response.status_code == 422
    assert response.json()["field"] == "horizon_days"
    assert response.json()["error"].startswith("horizon_days: ")
