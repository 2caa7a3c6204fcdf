"""ForecastEndpoint on SageMaker: one serverless endpoint per tenant, named <prefix><tenant>, created
and updated by the training pipeline. Locally, AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME points the same
client at the local runtime, which serves the same inference handlers."""

import json
from typing import Any

from ..errors import InvalidRequest
from .aws_clients import LazyClient, translates_errors


@translates_errors("SageMaker Runtime")
class SageMakerForecastEndpoint:
    _runtime = LazyClient("sagemaker-runtime")

    def __init__(self, endpoint_prefix: str, runtime: Any | None = None):
        self._prefix = endpoint_prefix
        self._client = runtime

    def invoke(self, tenant_id: str, request: dict[str, Any]) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            response = self._runtime.invoke_endpoint(
                EndpointName=self._prefix + tenant_id, ContentType="application/json", Accept="application/json",
                Body=json.dumps(request).encode())
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "ModelError" and exc.response.get("OriginalStatusCode", 500) < 500:
                raise InvalidRequest(f"the forecast model refused the request: {error.get('Message', '')}") from None
            if error.get("Code") == "ValidationError" and "not found" in error.get("Message", "").lower():
                return None  # no model deployed for this tenant yet
            raise
        return json.loads(response["Body"].read())
