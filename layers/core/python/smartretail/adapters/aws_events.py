"""Retraining requests as EventBridge events: the training pipeline's rule (cdk/constructs/
training_pipeline.py) starts a run for the tenant in the event's detail."""

import json
from typing import Any

from ..errors import ServiceUnavailable
from .aws_clients import LazyClient, translates_errors

SOURCE = "smartretail.monitoring"
DETAIL_TYPE = "Retraining requested"


@translates_errors("EventBridge")
class EventBridgeRetrainRequests:
    _events = LazyClient("events")

    def __init__(self, bus_name: str = "default", events: Any | None = None):
        self._bus, self._client = bus_name, events

    def request(self, tenant_id: str, reasons: list[str]) -> str:
        answer = self._events.put_events(Entries=[{"Source": SOURCE, "DetailType": DETAIL_TYPE, "EventBusName": self._bus,
                                                   "Detail": json.dumps({"tenant_id": tenant_id, "reasons": reasons})}])
        entry = answer["Entries"][0]
        if answer.get("FailedEntryCount") or "EventId" not in entry:
            raise ServiceUnavailable(f"EventBridge refused the retraining request: {entry.get('ErrorMessage', 'unknown error')}",
                                     retry_after_seconds=60)
        return entry["EventId"]
