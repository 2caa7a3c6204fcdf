"""The check every answer passes before it is sent, whoever wrote it (the planner or a model): each
figure and date in it must be in a tool result or the question, and each other statement must be
backed by a passage the copilot retrieved (then cited). A sentence that fails is removed; an answer
left with nothing is refused. Figures are compared as written (42% for 0.42, 1,234 for 1234.4)."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Tokens that hold digits but are names, not figures: BEV-001, S01, P10, doc-7f3a, INV-0042, 7d, 3rd.
_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[-/_.][A-Za-z0-9]+)*\b|\b\d+[A-Za-z]\w*\b")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+", re.M)
_NUMBER = re.compile(r"(?<![\d.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[])|\n+")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]{4,}")
_STOP = {"what", "when", "which", "where", "should", "would", "could", "there", "their", "about", "with", "from", "this",
         "that", "have", "does", "many", "much", "will", "your", "they", "them", "into", "than", "then", "some", "policy",
         "here", "found", "according", "also", "only", "must", "need", "were", "been", "these", "those", "after", "before",
         "during", "each", "every", "other", "more", "most", "very", "just", "like", "make", "done", "ever", "even", "over",
         "under", "still", "such", "upon", "within", "without", "tell", "give", "show", "know", "want", "please"}


def stem(word: str) -> str:
    """A light English stem, enough to match a question's words with a passage's: 'deliveries' and
    'delivery', 'shipping' and 'ship', 'damaged' and 'damage' are one; 'market' and 'marketplace' are not."""
    word = word.lower().removesuffix("'s").removesuffix("’s")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ly", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # shipp -> ship
            break
    return word


_STOP_STEMS = {stem(w) for w in _STOP}
_HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")


def content_words(text: str) -> set[str]:
    """The text's content words (four letters or more, not stop words), stemmed; a hyphenated word
    is one ('stock-out' is 'stockout')."""
    return {stem(w) for w in _WORD.findall(_HYPHEN.sub("", text))} - _STOP_STEMS


def backs(statement: str, passage: str, share: float = 0.5) -> bool:
    """The passage holds at least `share` of the statement's content words ('drone deliveries to Mars'
    shares only 'deliveries' with the returns policy: not backed)."""
    said = content_words(statement)
    return bool(said) and len(said & content_words(passage)) >= share * len(said)


@dataclass
class Evidence:
    """What an answer may rest on: the tools' results, the question, the retrieved passages."""

    values: list[float] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    passages: list[Any] = field(default_factory=list)  # search hits (text, chunk_id, metadata)

    def add_result(self, result: Any) -> None:
        text = json.dumps(result, default=str)
        self.texts.append(text)
        self.values.extend(float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text))  # JSON's numbers, ids' digits
        self.values.extend(_values_of(text))  # figures written inside its strings ('total 1,180.00')
        self.values.extend(float(len(v)) for v in _lists(result))  # "3 documents failed": a list's length

    def add_text(self, text: str) -> None:
        self.texts.append(text)
        self.values.extend(_values_of(text))


def _lists(node: Any) -> list[list[Any]]:
    if isinstance(node, dict):
        return [found for v in node.values() for found in _lists(v)]
    if isinstance(node, list):
        return [node, *(found for v in node for found in _lists(v))]
    return []


def _parse(token: str) -> tuple[float, int, bool]:
    """(value, decimals shown, is a percentage)."""
    percent = token.endswith("%")
    digits = token.rstrip("%").replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return float(digits), decimals, percent


def _supported(token: str, values: list[float]) -> bool:
    value, decimals, percent = _parse(token)
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    for known in values:
        if abs(abs(known) - abs(value)) <= tolerance or (percent or decimals == 0) and abs(abs(known) * 100 - abs(value)) <= tolerance:
            return True
    return False


def figures(sentence: str) -> list[str]:
    return _NUMBER.findall(_ID.sub(" ", _DATE.sub(" ", _LIST_MARK.sub("", sentence))))


def _rests_on(sentence: str, values: list[float], text: str) -> bool:
    return all(d in text for d in _DATE.findall(sentence)) and all(_supported(n, values) for n in figures(sentence))


@dataclass
class Grounded:
    text: str
    removed: list[str]
    backing: list[Any]  # the passages that back kept statements, to cite


def ground(answer: str, evidence: Evidence) -> Grounded:
    """The answer with every unsupported sentence removed, and the passages its statements rest on:
    a sentence with figures keeps them only from a tool result or the question, or from the passage
    that backs the whole sentence; a statement without figures is about the data a tool returned, a
    connective ('Here is what I found:'), or backed by a passage."""
    kept, removed, backing = [], [], []
    known_text = "\n".join(evidence.texts)
    for line in answer.splitlines():
        out = []
        for sentence in (s for s in _SENTENCE.split(line) if s.strip()):
            has_figures = bool(figures(sentence) or _DATE.search(sentence))
            if has_figures and _rests_on(sentence, evidence.values, known_text):
                out.append(sentence)
                continue
            if not has_figures and (len(content_words(sentence)) < 3 or _names_data(sentence, known_text)):
                out.append(sentence)
                continue
            passage = next((p for p in evidence.passages if backs(sentence, p.text) and _may_back(sentence, p)
                            and _rests_on(sentence, _values_of(p.text), p.text)), None)
            if passage is None:
                removed.append(sentence)  # a figure or a claim no source backs
                continue
            backing.append(passage)
            out.append(sentence)
        if out:
            kept.append(" ".join(out))
    return Grounded("\n".join(kept).strip(), removed, list({id(p): p for p in backing}.values()))


RULE_BOOKS = ("policy", "sop")
_NAMES = re.compile(r"\b[A-Za-z]{1,5}-?\d[\w-]*\b|\bdoc-\w+\b")


def _may_back(sentence: str, passage: Any) -> bool:
    """Policies and SOPs back statements about how things are done; an uploaded document's text backs
    only statements about that document, ones that name it (its number or id): what an invoice says
    about returns is not the returns policy, however it is phrased."""
    if passage.metadata.get("doc_type") in RULE_BOOKS:
        return True
    about = passage.text + " " + str(passage.metadata.get("doc_id", ""))
    return any(name in about for name in _NAMES.findall(sentence))


def _values_of(text: str) -> list[float]:
    return [_parse(n)[0] for n in _NUMBER.findall(_ID.sub(" ", _DATE.sub(" ", text)))]


def _names_data(sentence: str, known_text: str) -> bool:
    """The sentence is about an item a tool returned (a SKU, store or document it names)."""
    return any(token in known_text for token in _NAMES.findall(sentence))
