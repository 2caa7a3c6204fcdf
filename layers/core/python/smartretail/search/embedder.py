"""Dense vectors offline: WordLlama's 256-dimension token embeddings, whose weights ship inside its
wheel (these machines cannot download a model at run time). Chosen by measurement: see
benchmarks/retrieval_scifact and docs/copilot.md."""

from pathlib import Path

import numpy as np


class WordLlamaEmbedder:
    dimensions = 256

    def __init__(self) -> None:
        import wordllama
        from wordllama import WordLlama

        # The wheel keeps its weights and tokenizer under the package; pointing the cache there with
        # downloads disabled makes a missing file an error instead of a call to the internet.
        self._model = WordLlama.load(dim=self.dimensions, cache_dir=Path(wordllama.__file__).parent, disable_download=True)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.asarray(self._model.embed(texts, norm=True), dtype=np.float32)
