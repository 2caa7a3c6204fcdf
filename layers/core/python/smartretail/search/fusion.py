"""What both search adapters share: the hit they return, the embedder they call, and how BM25 and
vector scores are fused (min-max normalised per query, then a convex combination whose dense weight
was tuned on SciFact's train queries: benchmarks/retrieval_scifact). numpy only."""

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

DENSE_WEIGHT = 0.35  # flat within 0.001 of NDCG@10 on the train queries between 0.30 and 0.45


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    score: float
    text: str
    metadata: dict[str, Any]


def normalised(scores: np.ndarray) -> np.ndarray:
    """Scores of one query mapped onto 0..1 (all equal: all 0)."""
    low, high = scores.min(), scores.max()
    return (scores - low) / (high - low) if high > low else np.zeros_like(scores)


def fuse(lexical: np.ndarray, dense: np.ndarray, dense_weight: float = DENSE_WEIGHT) -> np.ndarray:
    return (1 - dense_weight) * normalised(lexical) + dense_weight * normalised(dense)
