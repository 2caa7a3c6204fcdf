"""Domain errors that handlers translate into 4xx answers a person can act on."""

from collections.abc import Sequence
from typing import Any

# Where FastAPI says a value came from; the field's own name follows it.
_SOURCES = ("body", "query", "path", "header")


class DomainError(Exception):
    """Base class: `status` is the HTTP status a handler should answer with."""

    status = 400
    retry_after_seconds: int | None = None  # when set, the API answers it as Retry-After

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def to_body(self) -> dict:
        body = {"error": self.message}
        if self.field:
            body["field"] = self.field
        return body


class InvalidRequest(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Unauthorized(DomainError):
    status = 401


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    """The caller's tenant used its share of the API for now."""

    status = 429

    def __init__(self, message: str, retry_after_seconds: int):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ServiceUnavailable(DomainError):
    """A service SmartRetail depends on is throttling, failing or unreachable: nothing was changed
    and the same request may be sent again after `retry_after_seconds` (the API's `Retry-After`).
    Adapters raise it for the AWS errors worth a retry; domain services catch it where the design
    has a fallback; the pipelines' state machines retry it by this class name."""

    status = 503

    def __init__(self, message: str, retry_after_seconds: int = 5):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


def invalid_request(errors: Sequence[dict[str, Any]]) -> InvalidRequest:
    """The first of pydantic's (or FastAPI's) validation errors as a 422 naming the field:
    `{"error": "horizon_days: Input should be less than or equal to 90", "field": "horizon_days"}`."""
    first = errors[0] if errors else {}
    field = ".".join(str(part) for part in first.get("loc", ()) if part not in _SOURCES) or None
    message = first.get("msg", "invalid request").removeprefix("Value error, ")
    return InvalidRequest(f"{field}: {message}" if field else message, field=field)
