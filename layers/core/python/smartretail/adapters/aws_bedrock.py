"""Bedrock for the copilot: Titan Text Embeddings V2 as the search index's embedder, and a model
through the Converse API as the copilot's ChatModel."""

import json
from typing import Any

import numpy as np

from ..copilot.llm import ModelTurn, ModelUnavailable, ToolUse
from .aws_clients import LazyClient, translates_errors

TITAN_MAX_CHARACTERS = 50_000  # the model's input limit (8,192 tokens)


@translates_errors("Bedrock")
class TitanEmbedder:
    """Unit-length vectors from amazon.titan-embed-text-v2:0 (one text per call, as the model takes)."""

    _bedrock = LazyClient("bedrock-runtime")

    def __init__(self, model_id: str = "amazon.titan-embed-text-v2:0", dimensions: int = 1024, client: Any = None):
        self.model_id, self.dimensions = model_id, dimensions
        if client is not None:
            self._client = client

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = []
        for text in texts:
            body = json.dumps({"inputText": text[:TITAN_MAX_CHARACTERS], "dimensions": self.dimensions, "normalize": True})
            answer = self._bedrock.invoke_model(modelId=self.model_id, body=body, contentType="application/json",
                                                accept="application/json")
            vectors.append(json.loads(answer["body"].read())["embedding"])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimensions)


class BedrockConverseModel:
    """The copilot's model through Bedrock's Converse API with the tools as its toolConfig.

    Converse refuses (ValidationException) a history holding toolUse/toolResult blocks without a
    toolConfig, and a toolResult anywhere but in the user turn right after its toolUse: the copilot
    keeps both rules (smartretail.copilot.agent) and this adapter sends the tools on every call. Any
    failure (throttling, a timeout, a refused request) is ModelUnavailable: the planner answers."""

    _bedrock = LazyClient("bedrock-runtime")

    def __init__(self, model_id: str, guardrail_id: str = "", guardrail_version: str = "DRAFT", max_tokens: int = 1024,
                 client: Any = None):
        self.model_id, self.name = model_id, f"bedrock:{model_id}"
        self._guardrail = {"guardrailIdentifier": guardrail_id, "guardrailVersion": guardrail_version, "trace": "disabled"} \
            if guardrail_id else None
        self._max_tokens = max_tokens
        if client is not None:
            self._client = client

    def converse(self, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelTurn:
        from botocore.exceptions import BotoCoreError, ClientError

        request: dict[str, Any] = {"modelId": self.model_id, "system": [{"text": system}], "messages": messages,
                                   "inferenceConfig": {"maxTokens": self._max_tokens, "temperature": 0.0}}
        if tools:
            request["toolConfig"] = {"tools": tools}
        if self._guardrail:
            request["guardrailConfig"] = self._guardrail
        try:
            answer = self._bedrock.converse(**request)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise ModelUnavailable(f"Bedrock {details.get('Code', 'error')}: {details.get('Message', '')}".strip(": ")) from error
        except BotoCoreError as error:  # connection failures and read timeouts
            raise ModelUnavailable(f"Bedrock did not answer: {type(error).__name__}") from error
        content = answer.get("output", {}).get("message", {}).get("content", [])
        uses = [ToolUse(block["toolUse"]["toolUseId"], block["toolUse"]["name"], block["toolUse"].get("input"))
                for block in content if "toolUse" in block]
        for use in uses:
            if not isinstance(use.input, dict):
                use.malformed = f"got {type(use.input).__name__}"
        return ModelTurn(content=content, stop_reason=answer.get("stopReason", "end_turn"), tool_uses=uses)
