from fastapi.testclient import TestClient

from smartretail.adapters.memory import MemoryRequestCounter, aws_error
from smartretail.errors import TooManyRequests
from smartretail.throttle import TenantThrottle


def test_a_tenant_over_its_share_of_a_minute_waits_for_the_next_and_others_are_not_held_back():
    counter, now = MemoryRequestCounter(), [120.0]
    throttle = TenantThrottle(counter, per_minute=3, clock=lambda: now[0])
    for _ in range(3):
        throttle.check("t1")
    now[0] = 150.0
    try:
        throttle.check("t1")
        raise AssertionError("the fourth request of the minute went through")
    except TooManyRequests as exc:
        assert exc.status == 429 and exc.retry_after_seconds == 31
        assert "more than 3 requests this minute" in exc.message
    throttle.check("t2")  # another tenant's share is its own
    now[0] = 180.0
    throttle.check("t1")  # a new minute


def test_the_api_answers_429_with_retry_after_and_a_throttle_that_cannot_count_lets_requests_through():
    from types import SimpleNamespace

    from api_app import create_app
    from smartretail.auth import Principal

    class Verifier:
        def verify(self, header):
            return Principal("u", "t1", frozenset({"sellers"}))

    counter = MemoryRequestCounter()
    services = SimpleNamespace(verifier=Verifier(), settings=SimpleNamespace(CORS_ALLOWED_ORIGINS=""),
                               throttle=TenantThrottle(counter, per_minute=1))
    client = TestClient(create_app(services))
    assert client.get("/me", headers={"Authorization": "x"}).status_code == 200
    refused = client.get("/me", headers={"Authorization": "x"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "try again in" in refused.json()["error"]
    counter.fail_next(aws_error("ThrottlingException", "UpdateItem"))
    assert client.get("/me", headers={"Authorization": "x"}).status_code == 200


def test_a_counter_that_fails_in_any_way_lets_requests_through():
    class Broken:
        def add(self, tenant_id, window, expires_at):
            raise RuntimeError("table not found")

    TenantThrottle(Broken(), per_minute=1).check("t1")
