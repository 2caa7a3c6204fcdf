"""Shopper events from storefront back ends: the contract, a batch's checks, and where they land.

A batch of up to 500 events is checked as a whole (every problem named with its position) and either
accepted or refused; nothing is half-written. Events land, one JSON line each, in the raw bucket under
`stream/{tenant}/shopper-events/YYYY/MM/DD/` (Kinesis Data Firehose with dynamic partitioning by
tenant in AWS; the same layout written directly locally). Delivery is at least once, so `event_id` is
the key: a repeat inside a batch is dropped here, a repeat across batches (a client retrying) when the
events are read for training (`read_events` keeps the first of each id)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Literal, Protocol

from pydantic import BaseModel, Field, field_validator

from ..lake import check_id

EVENT_TYPES = ("view", "add_to_cart", "purchase")
# How much one event says about a shopper's taste: a purchase is worth several views.
EVENT_WEIGHTS = {"view": 1.0, "add_to_cart": 3.0, "purchase": 5.0}
MAX_BATCH = 500
STREAM_PREFIX = "stream"
DATASET = "shopper-events"


class ShopperEvent(BaseModel):
    model_config = {"extra": "forbid"}

    event_id: str = Field(min_length=1, max_length=128)
    user_id: str = Field(min_length=1, max_length=128)
    item_id: str = Field(min_length=1, max_length=128)
    event_type: Literal["view", "add_to_cart", "purchase"]
    timestamp: datetime
    session_id: str | None = Field(default=None, max_length=128)
    store_id: str | None = Field(default=None, max_length=64)
    quantity: float | None = Field(default=None, gt=0, le=100000)
    price: float | None = Field(default=None, ge=0, le=10_000_000)

    @field_validator("timestamp")
    @classmethod
    def _aware_and_not_future(cls, value: datetime) -> datetime:
        value = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        if value > datetime.now(timezone.utc) + timedelta(minutes=5):
            raise ValueError("is in the future (more than 5 minutes ahead of the server's clock)")
        return value


class EventBatch(BaseModel):
    model_config = {"extra": "forbid"}

    events: list[ShopperEvent] = Field(min_length=1, max_length=MAX_BATCH)


class EventSink(Protocol):
    def put(self, tenant_id: str, lines: list[bytes]) -> int:
        """Deliver newline-terminated JSON records of one tenant; the number delivered."""


def stream_prefix(tenant_id: str) -> str:
    return f"{STREAM_PREFIX}/{check_id(tenant_id, 'tenant_id')}/{DATASET}/"


def record_events(sink: EventSink, tenant_id: str, batch: EventBatch) -> dict[str, Any]:
    """Deliver a checked batch, each event once; the tenant comes from the caller's credentials and is
    written into every record (it is what partitions the stream)."""
    seen: set[str] = set()
    lines = []
    for event in batch.events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        record = {"tenant_id": tenant_id, **event.model_dump(mode="json", exclude_none=True)}
        lines.append((json.dumps(record, separators=(",", ":")) + "\n").encode())
    delivered = sink.put(tenant_id, lines)
    return {"accepted": delivered, "duplicates_in_batch": len(batch.events) - len(lines)}


def read_events(lines: Iterable[str], tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's events from delivered lines, the first of each event_id only; a line of another
    tenant or one that does not parse is skipped (the stream's error prefix keeps what Firehose refused)."""
    seen: set[str] = set()
    out = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("tenant_id") != tenant_id or record.get("event_id") in seen:
            continue
        seen.add(record["event_id"])
        out.append(record)
    return out
