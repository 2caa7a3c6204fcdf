"""Bedrock for the copilot: Titan Text Embeddings V2 as the search index's embedder."""

import json
from typing import Any

import numpy as np

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
