"""Product search for storefronts in one process (the local search index's catalogue, the from-files
CLI and the benchmarks): the copilot's hybrid of BM25 and vectors, tuned for short product titles and
what shoppers type.

What shoppers type is not what catalogues print: `2x4`, `1/2 in.`, `5 gal`, `12v`, misspellings,
"fridge" for refrigerator, "bifold" for "Bi-fold", "kwik set" for Kwikset. So queries and titles go
through the same normalisation (units, fractions, punctuation), hyphenated title words are also indexed
joined and query word pairs the catalogue writes as one word also searched joined, query words the
catalogue never uses are corrected against its vocabulary, and a short synonym list expands the query.
Three scorers are fused per query (min-max normalised, convex weights): BM25 over stemmed words, BM25
over character 3-grams (partial words, compounds, residual typos) and the embedder's vectors. Three
title signals are added on top: how much of the query (IDF-weighted) the title covers, whether the
title's product type (its head noun) is a query word, and which query word pairs it holds as a phrase;
then the words the best first-pass titles share are added to the query (RM3-style pseudo-relevance
feedback on word BM25); shop popularity adds a small prior. A query always gets an answer: nothing
matches its words, then close matches; nothing in the chosen filters, then the filters' best sellers;
then what is popular, each time saying which."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from ..search.fusion import normalised
from ..search.hybrid import _stemmer, _tokenize
from .catalog import (EMPTY_CATALOGUE, SYNONYMS, Product, SearchPage, both_ways, expand, facets, no_match_message, normalise,
                      passes)

__all__ = ["CatalogSearch", "Product", "SearchPage", "normalise"]

# Fusion weights of word BM25, character 3-gram BM25 and vectors; popularity's prior on top.
WORD_WEIGHT, GRAM_WEIGHT, DENSE_WEIGHT, POPULARITY_WEIGHT = 0.45, 0.2, 0.35, 0.05
# Word BM25 for short titles: little term-frequency saturation, strong length normalisation.
WORD_K1, WORD_B = 0.9, 0.9
# Added to the fused score: IDF-weighted share of the query's words in the title (a soft AND), the
# title's head noun among the query's words, the share of the query's word pairs found as a phrase.
COVERAGE_WEIGHT, HEAD_WEIGHT, PHRASE_WEIGHT = 0.35, 0.05, 0.1
# Pseudo-relevance feedback: the FEEDBACK_TERMS words (IDF-weighted) most shared by the FEEDBACK_DOCS
# best titles of the first pass, scored by word BM25 at FEEDBACK_WEIGHT of the word weight.
FEEDBACK_DOCS, FEEDBACK_TERMS, FEEDBACK_WEIGHT = 10, 10, 0.5
# A title's head noun: its last word before one of these (not a unit after a number: "6 in x 24 in").
_HEAD_ENDS = {"with", "in", "for", "w", "featuring", "includes", "including", "by", "on"}
_NUMBER = re.compile(r"^[0-9./]+$")

_HYPHENATED = re.compile(r"\b([a-z]+)-([a-z]+)\b")


def indexed_text(title: str, normalised_title: str) -> str:
    """A title as the index reads it: normalised, with each hyphenated word also written joined
    ("Bi-fold" -> "bi fold bifold"), as shoppers type it either way."""
    return " ".join([normalised_title, *(a + b for a, b in _HYPHENATED.findall(title.lower()))])


def head_noun(text: str) -> str | None:
    """A normalised title's product type: the last word before 'with', 'in', 'for'... that is neither a
    number nor a unit after a number ("... vessel bathroom sink in white" -> "sink")."""
    words = text.split()
    cut = next((k for k in range(1, len(words)) if words[k] in _HEAD_ENDS and not _NUMBER.match(words[k - 1])), len(words))
    nouns = [w for k, w in enumerate(words[:cut]) if w.isalpha() and len(w) > 1 and not (k and _NUMBER.match(words[k - 1]))]
    return nouns[-1] if nouns else None


def _grams(text: str) -> str:
    words = text.split()
    return " ".join([w[i:i + 3] for w in words for i in range(max(1, len(w) - 2))] + words)


class Speller:
    """Corrects query words the catalogue never uses to the most frequent close catalogue word."""

    def __init__(self, texts: list[str], min_count: int = 2, cutoff: float = 0.8):
        self.vocabulary = Counter(word for text in texts for word in text.split())
        self._stems = {_stemmer().stemWord(word) for word in self.vocabulary}
        self.cutoff = cutoff
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word, count in self.vocabulary.items():
            if count >= min_count and word.isalpha() and len(word) >= 3:
                self._by_initial[word[0]].append(word)

    def correct(self, query: str) -> str:
        out = []
        for word in query.split():
            if word in self.vocabulary or not word.isalpha() or len(word) < 4 or _stemmer().stemWord(word) in self._stems:
                # a catalogue word, or another form of one ("closers" for "closer"): left as typed
                out.append(word)
                continue
            close = difflib.get_close_matches(word, self._by_initial.get(word[0], []), n=3, cutoff=self.cutoff)
            if not close and len(word) >= 7:  # a run-together pair: "woodscrew" -> "wood screw"
                split = next((f"{word[:i]} {word[i:]}" for i in range(3, len(word) - 2)
                              if word[:i] in self.vocabulary and word[i:] in self.vocabulary), None)
                out.append(split or word)
                continue
            out.append(max(close, key=self.vocabulary.__getitem__) if close else word)
        return " ".join(out)


class CatalogSearch:
    def __init__(self, products: list[Product], embedder: Any = None, synonyms: dict[str, str] | None = None,
                 weights: tuple[float, float, float] = (WORD_WEIGHT, GRAM_WEIGHT, DENSE_WEIGHT), popularity_weight: float = POPULARITY_WEIGHT):
        import bm25s

        self.products = products
        self.embedder = embedder
        self.weights = weights
        self.popularity_weight = popularity_weight
        self.synonyms = both_ways(SYNONYMS if synonyms is None else synonyms)
        raw = [" ".join(filter(None, [p.title, p.brand])) for p in products]
        plain = [normalise(t) for t in raw]
        texts = [indexed_text(t, n) for t, n in zip(raw, plain)]  # words BM25 and the speller read
        self.speller = Speller(texts)
        self._words, self._grams = bm25s.BM25(k1=WORD_K1, b=WORD_B), bm25s.BM25()
        n = len(texts)
        self._postings: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._doc_terms: list[np.ndarray] = []
        self._n_terms = 0
        self._idf, self._heads, self._pairs = np.zeros(0), np.full(n, -1), {}
        if texts:
            tokens = _tokenize(texts)
            self._words.index(tokens, show_progress=False)
            self._grams.index(bm25s.tokenize([_grams(t) for t in plain], stopwords=None, show_progress=False), show_progress=False)
            # Title signals over the word index's vocabulary: each term's postings (the titles holding it
            # and its BM25 weight there, as the index stores them), each title's terms, each term's IDF,
            # each title's head noun and word pairs.
            s, vocab = self._words.scores, self._words.vocab_dict
            terms = self._n_terms = len(s["indptr"]) - 1
            self._postings = (np.asarray(s["indptr"]), np.asarray(s["indices"]), np.asarray(s["data"], dtype=np.float64))
            self._doc_terms = [np.unique(np.asarray(ids, dtype=np.int64)) for ids in tokens.ids]
            df = np.diff(s["indptr"])
            self._idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
            stem = _stemmer().stemWord
            self._heads = np.array([vocab.get(stem(h), -1) if (h := head_noun(t)) else -1 for t in plain])
            pairs: dict[int, list[int]] = defaultdict(list)
            for i, ids in enumerate(tokens.ids):
                for key in {a * terms + b for a, b in zip(ids, ids[1:])}:
                    pairs[key].append(i)
            self._pairs = {key: np.array(docs) for key, docs in pairs.items()}
        self._vectors = embedder.embed(plain) if embedder is not None and plain else None
        pop = np.log1p(np.array([max(0.0, p.popularity) for p in products], dtype=np.float64))
        self._popularity = pop / pop.max() if len(pop) and pop.max() > 0 else np.zeros(len(products))

    def understand(self, query: str) -> str:
        """The query as it is searched: normalised, two words the catalogue writes as one joined
        ("kwik set" -> also "kwikset"), misspellings corrected, synonyms added."""
        words = normalise(query).split()
        joined = [a + b for a, b in zip(words, words[1:]) if (a.isalpha() or b.isalpha()) and self.speller.vocabulary[a + b] >= 2]
        return expand(" ".join([self.speller.correct(" ".join(words)), *joined]).strip(), self.synonyms)

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Fused relevance of every product, and which products share a word with the query."""
        import bm25s

        n = len(self.products)
        if not n:
            return np.zeros(0), np.zeros(0, dtype=bool)
        words = _tokenize([query], return_ids=False)[0]
        lexical = np.asarray(self._words.get_scores(words), dtype=np.float64) if words else np.zeros(n)
        gram_tokens = bm25s.tokenize([_grams(query)], stopwords=None, return_ids=False, show_progress=False)[0]
        grams = np.asarray(self._grams.get_scores(gram_tokens), dtype=np.float64) if gram_tokens else np.zeros(n)
        w_word, w_gram, w_dense = self.weights
        fused = w_word * normalised(lexical) + w_gram * normalised(grams)
        if self._vectors is not None and query:
            fused += w_dense * normalised(self._vectors @ self.embedder.embed([query])[0])
        fused += self._title_signals(words)
        fused += self._feedback(fused, words)
        fused += self.popularity_weight * self._popularity
        return fused, lexical > 0

    def _title_signals(self, words: list[str]) -> np.ndarray | float:
        """Coverage (IDF-weighted share of the query's words in the title; a word the catalogue never
        uses counts as missing with the highest IDF), head noun among the query's words, and the share of
        the query's adjacent word pairs the title holds in that order."""
        if not words or self._postings is None:
            return 0.0
        vocab, n = self._words.vocab_dict, len(self.products)
        known = sorted({vocab[w] for w in words if w in vocab and vocab[w] < len(self._idf)})
        missing = len(set(words)) - len(known)
        out = np.zeros(n)
        if known:
            idf = self._idf[known]
            out += COVERAGE_WEIGHT * self._over_postings(known, idf) / (idf.sum() + missing * self._idf.max())
            out += HEAD_WEIGHT * np.isin(self._heads, known)
        ids = [vocab.get(w, -1) for w in words]
        pairs = [(a, b) for a, b in zip(ids, ids[1:]) if a >= 0 and b >= 0]
        if len(ids) > 1:
            terms = self._n_terms
            for a, b in pairs:
                docs = self._pairs.get(a * terms + b)
                if docs is not None:
                    out[docs] += PHRASE_WEIGHT / (len(ids) - 1)
        return out

    def _over_postings(self, terms: list[int], weights: np.ndarray, bm25: bool = False) -> np.ndarray:
        """Per title, the sum over `terms` it holds of each term's weight (times the term's BM25 weight
        in that title with `bm25`)."""
        indptr, indices, data = self._postings
        out = np.zeros(len(self.products))
        for term, weight in zip(terms, weights):
            lo, hi = indptr[term], indptr[term + 1]
            out[indices[lo:hi]] += weight * (data[lo:hi] if bm25 else 1.0)
        return out

    def _feedback(self, first: np.ndarray, words: list[str]) -> np.ndarray | float:
        """RM3-style expansion: the words (other than the query's) that the best first-pass titles share,
        weighted by those titles' scores and the words' IDF, scored by word BM25."""
        if not words or self._postings is None or len(first) <= FEEDBACK_DOCS or FEEDBACK_WEIGHT <= 0:
            return 0.0
        top = np.argpartition(-first, FEEDBACK_DOCS)[:FEEDBACK_DOCS]
        if first[top].sum() <= 0:
            return 0.0
        weight = np.zeros(self._n_terms)
        for doc, share in zip(top, first[top] / first[top].sum()):
            weight[self._doc_terms[doc]] += share
        weight *= self._idf
        vocab = self._words.vocab_dict
        weight[[vocab[w] for w in words if w in vocab and vocab[w] < len(weight)]] = 0
        chosen = [int(t) for t in np.argsort(-weight)[:FEEDBACK_TERMS] if weight[t] > 0]
        if not chosen:
            return 0.0
        expansion = self._over_postings(chosen, weight[chosen] / weight[chosen].max(), bm25=True)
        return FEEDBACK_WEIGHT * self.weights[0] * normalised(expansion)

    def rank(self, query: str, k: int = 100) -> list[tuple[str, float]]:
        """The k best products for a query, no filters: what the benchmark and the file CLI use."""
        fused, _ = self.scores(self.understand(query))
        top = np.argpartition(-fused, min(k, len(fused) - 1))[:k] if len(fused) > k else np.arange(len(fused))
        top = top[np.argsort(-fused[top], kind="stable")]
        return [(self.products[i].item_id, float(fused[i])) for i in top]

    def _allowed(self, filters: dict[str, Any]) -> np.ndarray:
        return np.array([passes(p, filters) for p in self.products], dtype=bool)

    def _facets(self, members: np.ndarray) -> dict[str, Any]:
        return facets(self.products[i] for i in np.flatnonzero(members))

    def search(self, query: str, filters: dict[str, Any] | None = None, page: int = 1, page_size: int = 20) -> SearchPage:
        filters = filters or {}
        searched = self.understand(query)
        if not self.products:
            return SearchPage(query, searched, [], 0, page, self._facets(np.zeros(0, dtype=bool)), "popular", EMPTY_CATALOGUE)
        fused, matches = self.scores(searched)
        allowed = self._allowed(filters)
        fallback = None
        members = matches & allowed
        if searched and not matches.any():
            # No word of the query is in the catalogue: rank everything by partial words and meaning.
            members, fallback = (fused > self.popularity_weight) & allowed, "close_matches"
        if not members.any() and allowed.any() and filters:
            members, fused, fallback = allowed, self._popularity.copy(), "filters_only"
        if not members.any():
            members, fused, fallback = np.ones(len(self.products), dtype=bool), self._popularity.copy(), "popular"
        facets = self._facets(matches if matches.any() else members)
        ranked = np.flatnonzero(members)
        ranked = ranked[np.argsort(-fused[ranked], kind="stable")]
        start = (page - 1) * page_size
        items = [self.products[i].listing(fused[i]) for i in ranked[start:start + page_size]]
        message = no_match_message(query, fallback, bool(filters)) if fallback else None
        return SearchPage(query, searched, items, int(len(ranked)), page, facets, fallback, message)
