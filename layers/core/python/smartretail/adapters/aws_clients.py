"""boto3 clients, created once per process. boto3 honours AWS_ENDPOINT_URL, which is how the local
stack points the same code at moto server."""

import contextlib
import functools
import os
from functools import lru_cache
from typing import Any, Callable, Iterator, TypeVar

from ..errors import ServiceUnavailable


@lru_cache(maxsize=None)
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 5}}
    if service == "s3":
        # moto server and presigned POSTs to 127.0.0.1 need path-style addressing.
        options["s3"] = {"addressing_style": "path" if os.environ.get("AWS_ENDPOINT_URL") else "virtual"}
        options["signature_version"] = "s3v4"
    if service == "sagemaker-runtime":
        # An on-demand forecast must answer within API Gateway's 29 s: one retry, no minute-long waits.
        options.update(read_timeout=20, connect_timeout=5, retries={"mode": "standard", "max_attempts": 2})
    return boto3.client(service, config=Config(**options))


class LazyClient:
    """An adapter attribute: the client injected into `_client`, or else the process-wide client of
    `service`, created on first use (a cold start pays only for the clients its request calls)."""

    def __init__(self, service: str):
        self._service = service

    def __get__(self, adapter: Any, owner: type | None = None) -> Any:
        return getattr(adapter, "_client", None) or client(self._service)


# Error codes that mean "not now" rather than "not ever" (besides any 5xx or 429 answer).
_RETRYABLE_CODES = {"ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException", "SlowDown",
                    "ProvisionedThroughputExceededException", "RequestLimitExceeded", "LimitExceededException",
                    "TransactionConflictException", "RequestTimeout", "RequestTimeoutException", "ServiceUnavailable",
                    "ServiceUnavailableException", "InternalServerError", "InternalFailure", "InternalError",
                    "ModelNotReadyException"}
_THROTTLED_RETRY_SECONDS, _FAILED_RETRY_SECONDS = 2, 5


def unavailable(service: str, error: BaseException) -> ServiceUnavailable | None:
    """The ServiceUnavailable an AWS SDK error amounts to, or None when retrying cannot help (a bad
    parameter, a missing permission or object: those are bugs, and stay the SDK's errors)."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if code not in _RETRYABLE_CODES and status < 500 and status != 429:
            return None
        operation = getattr(error, "operation_name", "") or "call"
        throttled = "throttl" in code.lower() or code in {"SlowDown", "ProvisionedThroughputExceededException",
                                                           "TooManyRequestsException", "RequestLimitExceeded"}
        return ServiceUnavailable(f"{service} is {'throttling' if throttled else 'failing'} ({operation}: {code}); "
                                  "nothing was changed, please try again shortly",
                                  _THROTTLED_RETRY_SECONDS if throttled else _FAILED_RETRY_SECONDS)
    if isinstance(error, (ConnectionError, HTTPClientError, TimeoutError)):
        return ServiceUnavailable(f"{service} did not answer in time ({type(error).__name__}); please try again shortly",
                                  _FAILED_RETRY_SECONDS)
    return None


Adapter = TypeVar("Adapter", bound=type)


def translates_errors(service: str) -> Callable[[Adapter], Adapter]:
    """Class decorator for an AWS adapter: its public methods raise ServiceUnavailable for throttling,
    5xx answers and timeouts (the SDK's own retries already spent), so domain services can fall back
    without knowing botocore and the API answers 503 with Retry-After instead of 500."""

    def wrap(cls: Adapter) -> Adapter:
        for name, method in list(vars(cls).items()):
            if name.startswith("_") or not callable(method):
                continue
            setattr(cls, name, _translated(method, service))
        return cls

    return wrap


@contextlib.contextmanager
def errors_of(service: str) -> Iterator[None]:
    """Inside: an SDK error worth a retry leaves as ServiceUnavailable; anything else as it was."""
    try:
        yield
    except ServiceUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - only SDK errors are translated; the rest re-raise as they were
        translated = unavailable(service, exc)
        if translated is None:
            raise
        raise translated from exc


def _translated(method: Callable, service: str) -> Callable:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with errors_of(service):
            return method(*args, **kwargs)

    return call
