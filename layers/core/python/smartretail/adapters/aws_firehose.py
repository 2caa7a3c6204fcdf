"""Shopper events into Kinesis Data Firehose, which partitions them by the `tenant_id` inside each
record into the raw bucket (see cdk/constructs/storefront.py). Firehose may refuse some records of a
batch (throttling): those are sent again, a few times, before the request fails as unavailable."""

import time
from typing import Any

from ..errors import ServiceUnavailable
from .aws_clients import LazyClient, translates_errors


@translates_errors("Firehose")
class FirehoseEventSink:
    _firehose = LazyClient("firehose")

    def __init__(self, stream_name: str, firehose: Any | None = None, attempts: int = 3):
        self._stream, self._client, self._attempts = stream_name, firehose, attempts

    def put(self, tenant_id: str, lines: list[bytes]) -> int:
        pending = lines
        for attempt in range(self._attempts):
            if not pending:
                break
            answer = self._firehose.put_record_batch(DeliveryStreamName=self._stream, Records=[{"Data": line} for line in pending])
            pending = [line for line, result in zip(pending, answer["RequestResponses"]) if result.get("ErrorCode")]
            if pending:
                time.sleep(0.2 * 2 ** attempt)
        if pending:
            raise ServiceUnavailable(f"{len(pending)} of {len(lines)} events could not be delivered; send the batch again "
                                     "(events are deduplicated by event_id)", retry_after_seconds=5)
        return len(lines)


class S3EventSink:
    """The local stand-in: the same layout Firehose's dynamic partitioning writes, one object a batch."""

    def __init__(self, store: Any, bucket: str):
        self._store, self._bucket = store, bucket

    def put(self, tenant_id: str, lines: list[bytes]) -> int:
        import uuid
        from datetime import datetime, timezone

        from ..storefront.events import stream_prefix

        if lines:
            now = datetime.now(timezone.utc)
            key = f"{stream_prefix(tenant_id)}{now:%Y/%m/%d}/{now:%H%M%S}-{uuid.uuid4().hex}.jsonl"
            self._store.put_bytes(self._bucket, key, b"".join(lines), "application/x-ndjson")
        return len(lines)
