"""boto3 clients, created once per process. boto3 honours AWS_ENDPOINT_URL, which is how the local
stack points the same code at moto server."""

import os
from functools import lru_cache
from typing import Any


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
