"""Notifier on SNS: one message per event, with the tenant as a message attribute so subscribers can
filter by tenant."""

import json
from typing import Any

from ..errors import InvalidRequest, ServiceUnavailable
from .aws_clients import LazyClient, translates_errors


@translates_errors("SNS")
class SnsNotifier:
    _sns = LazyClient("sns")

    def __init__(self, topic_arn: str, sns: Any | None = None):
        self._topic = topic_arn
        self._client = sns

    def publish(self, tenant_id: str, subject: str, message: dict[str, Any]) -> None:
        attributes = {"tenant_id": {"DataType": "String", "StringValue": tenant_id}}
        if isinstance(message.get("type"), str):  # an alert's kind, for subscriptions to some kinds only
            attributes["alert_type"] = {"DataType": "String", "StringValue": message["type"]}
        self._sns.publish(TopicArn=self._topic, Subject=subject[:100], Message=json.dumps(message, default=str),
                          MessageAttributes=attributes)

    def subscribe(self, tenant_id: str, email: str, alert_types: list[str] | None = None) -> str:
        # The topic carries every tenant's alerts: the filter policy is what keeps this address to one tenant's.
        try:
            return self._sns.subscribe(
                TopicArn=self._topic, Protocol="email", Endpoint=email, ReturnSubscriptionArn=False,
                Attributes={"FilterPolicy": json.dumps({"tenant_id": [tenant_id], **({"alert_type": alert_types} if alert_types else {})}),
                            "FilterPolicyScope": "MessageAttributes"},
            )["SubscriptionArn"]
        except self._sns.exceptions.InvalidParameterException as exc:
            raise InvalidRequest(f"the address was refused: {exc.response['Error'].get('Message', '')}", field="email") from None
        except (self._sns.exceptions.SubscriptionLimitExceededException, self._sns.exceptions.FilterPolicyLimitExceededException):
            raise ServiceUnavailable("the alerts topic has as many subscriptions as it can take; operations have to raise the "
                                     "limit before another address can be added", retry_after_seconds=3600) from None
