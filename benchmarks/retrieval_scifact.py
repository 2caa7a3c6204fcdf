"""Retrieval on BEIR SciFact (../shared/data/beir_scifact): NDCG@10 on the 300 test queries of BM25,
dense vectors and their fusions, each fusion's parameter tuned on the 809 train queries, never on test.

    PYTHONPATH=. .venv/bin/python -m benchmarks.retrieval_scifact

Systems: `bm25` (bm25s over title and text, English stemming and stop words: the lexical half of the
copilot's index), `dense_wordllama` (WordLlama 256-d, the offline embedder), `hybrid_rrf`
(reciprocal-rank fusion, k tuned), and `smartretail` (the copilot's HybridIndex: convex combination of
min-max normalised scores, weight tuned; measured through the index's own search). Published
references, not run here: BM25 0.665 (BEIR paper), all-MiniLM-L6-v2 ~0.645. The same systems are then
asked the 44 labelled questions about the project's own knowledge base (`knowledge_hit_at_1`,
`knowledge_recall_at_3`: the expected section first, or among the first three).
"""

import json
import time
from collections import defaultdict

import numpy as np

from ._results import ROOT, SHARED_DATA, write_result

DATA = SHARED_DATA / "beir_scifact"
WEIGHTS = [round(w, 2) for w in np.arange(0.0, 1.0001, 0.05)]
RRF_K = [1, 5, 10, 20, 30, 60, 100]


def _qrels(split: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (DATA / "qrels" / f"{split}.tsv").read_text().splitlines()[1:]:
        query, doc, score = line.split("\t")
        found[query][doc] = int(score)
    return found


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    gain = sum(relevant.get(doc, 0) / np.log2(i + 2) for i, doc in enumerate(ranked[:10]))
    ideal = sum(score / np.log2(i + 2) for i, score in enumerate(sorted(relevant.values(), reverse=True)[:10]))
    return gain / ideal if ideal else 0.0


def _mean_ndcg(scores: np.ndarray, query_ids: list[str], qrels: dict, doc_ids: list[str]) -> float:
    top = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    return float(np.mean([ndcg_at_10([doc_ids[j] for j in top[i]], qrels[q]) for i, q in enumerate(query_ids)]))


def run() -> tuple[dict, dict]:
    from smartretail.search.chunks import Chunk
    from smartretail.search.embedder import WordLlamaEmbedder
    from smartretail.search.fusion import fuse
    from smartretail.search.hybrid import HybridIndex

    corpus = [json.loads(line) for line in (DATA / "corpus.jsonl").read_text().splitlines()]
    queries = {q["_id"]: q["text"] for q in map(json.loads, (DATA / "queries.jsonl").read_text().splitlines())}
    splits = {name: _qrels(name) for name in ("train", "test")}

    started = time.perf_counter()
    index = HybridIndex(WordLlamaEmbedder())
    index.upsert([Chunk(d["_id"], d["_id"], "bench", "paper", "scifact", "", f"{d['title']}\n{d['text']}") for d in corpus])
    doc_ids = index._build()[0]
    index_seconds = time.perf_counter() - started

    def matrices(split: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        ids = list(splits[split])
        return (ids, *_scores(index, [queries[q] for q in ids]))

    def convex(lexical: np.ndarray, dense: np.ndarray, weight: float) -> np.ndarray:
        return np.stack([fuse(a, b, weight) for a, b in zip(lexical, dense)])

    train_ids, train_lex, train_dense = matrices("train")
    weight_curve = {w: _mean_ndcg(convex(train_lex, train_dense, w), train_ids, splits["train"], doc_ids) for w in WEIGHTS}
    weight = max(weight_curve, key=lambda w: (weight_curve[w], -w))
    rrf_curve = {k: _mean_ndcg(_rrf(train_lex, train_dense, k), train_ids, splits["train"], doc_ids) for k in RRF_K}
    rrf_k = max(rrf_curve, key=rrf_curve.get)

    test_ids, test_lex, test_dense = matrices("test")
    test = splits["test"]
    index.dense_weight = weight
    started = time.perf_counter()
    ours = [ndcg_at_10([hit.metadata["doc_id"] for hit in index.search("bench", queries[q], 10)], test[q]) for q in test_ids]
    per_query_ms = (time.perf_counter() - started) / len(test_ids) * 1000
    systems = {
        "bm25": {"ndcg_at_10": round(_mean_ndcg(test_lex, test_ids, test, doc_ids), 4)},
        "dense_wordllama": {"ndcg_at_10": round(_mean_ndcg(test_dense, test_ids, test, doc_ids), 4)},
        "hybrid_rrf": {"ndcg_at_10": round(_mean_ndcg(_rrf(test_lex, test_dense, rrf_k), test_ids, test, doc_ids), 4), "k": rrf_k},
        "smartretail": {"ndcg_at_10": round(float(np.mean(ours)), 4), "dense_weight": weight,
                        "query_ms": round(per_query_ms, 1), "index_seconds": round(index_seconds, 1)},
    }
    tuning = {"train_ndcg_by_dense_weight": {str(w): round(v, 4) for w, v in weight_curve.items()},
              "train_ndcg_by_rrf_k": {str(k): round(v, 4) for k, v in rrf_curve.items()}}
    for name, found in _knowledge(weight, rrf_k).items():
        systems[name].update(found)
    return systems, tuning


def _scores(index, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """BM25 and cosine scores of each text against every chunk of the index, one row per text."""
    from smartretail.search.hybrid import query_words

    _, bm25, vectors = index._build()
    lexical = np.stack([np.asarray(bm25.get_scores(query_words(t)), dtype=np.float64) for t in texts])
    return lexical, index.embedder.embed(texts) @ vectors.T


def _rrf(lexical: np.ndarray, dense: np.ndarray, k: int) -> np.ndarray:
    ranks = [np.argsort(np.argsort(-m, axis=1, kind="stable"), axis=1) for m in (lexical, dense)]
    return 1 / (k + 1 + ranks[0]) + 1 / (k + 1 + ranks[1])


def _knowledge(weight: float, rrf_k: int) -> dict[str, dict[str, float]]:
    """The same systems on the project's own knowledge base (knowledge/) and 44 labelled questions
    (benchmarks/knowledge_questions.jsonl, paraphrases and typos): the share whose expected section is
    the first hit, and among the first three. Nothing is tuned here."""
    from smartretail.search.embedder import WordLlamaEmbedder
    from smartretail.search.hybrid import HybridIndex
    from smartretail.search.knowledge import knowledge_chunks

    questions = [json.loads(line) for line in (ROOT / "benchmarks" / "knowledge_questions.jsonl").read_text().splitlines()]
    index = HybridIndex(WordLlamaEmbedder(), dense_weight=weight)
    index.upsert(knowledge_chunks(ROOT / "knowledge"))
    sections = [index._chunks[i].section for i in index._build()[0]]
    lexical, dense = _scores(index, [q["question"] for q in questions])
    scored = {"bm25": lexical, "dense_wordllama": dense, "hybrid_rrf": _rrf(lexical, dense, rrf_k)}
    out = {}
    for name, matrix in scored.items():
        top = np.argsort(-matrix, axis=1, kind="stable")[:, :3]
        firsts = [[sections[j] for j in row] for row in top]
        out[name] = _hits(firsts, questions)
    ours = [[hit.metadata["section"] for hit in index.search("any-tenant", q["question"], 3)] for q in questions]
    out["smartretail"] = _hits(ours, questions)
    return out


def _hits(found: list[list[str]], questions: list[dict]) -> dict[str, float]:
    return {"knowledge_hit_at_1": round(float(np.mean([f[0] == q["section"] for f, q in zip(found, questions)])), 4),
            "knowledge_recall_at_3": round(float(np.mean([q["section"] in f for f, q in zip(found, questions)])), 4)}


def main() -> None:
    systems, tuning = run()
    write_result("retrieval_scifact", "BEIR SciFact: 5,183 abstracts (title and text), 809 train queries for tuning, "
                 "300 test queries reported; knowledge/ (11 policies and SOPs) with 44 labelled questions", systems, tuning=tuning,
                 published={"bm25_beir_paper": 0.665, "all_minilm_l6_v2": 0.645})


if __name__ == "__main__":
    main()
