"""Section-aware chunks: a document is cut at its headings first, then each section into pieces of
about TARGET_TOKENS with OVERLAP_TOKENS repeated across a cut, so a passage that straddles a cut is
still whole in one chunk. Each chunk carries the metadata every search hit returns."""

import hashlib
import re
from dataclasses import asdict, dataclass

TARGET_TOKENS = 450   # the 300-600: long enough for a policy clause with its conditions
MAX_TOKENS = 600
OVERLAP_TOKENS = 60
PLATFORM = "*"        # tenant of platform-wide policies: every tenant's searches see them

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    tenant_id: str
    doc_type: str
    source: str
    section: str
    text: str
    upload_date: str = ""
    confidence: float = 1.0

    def metadata(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "text"}


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading path, body) per Markdown section; text without headings is one section."""
    path: list[str] = []
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            path = path[: level - 1] + [heading.group(2)]
            sections.append((" > ".join(path), []))
        else:
            sections[-1][1].append(line)
    return [(title, "\n".join(body).strip()) for title, body in sections if "\n".join(body).strip()]


def _pieces(words: list[str]) -> list[list[str]]:
    if len(words) <= MAX_TOKENS:
        return [words]
    step = TARGET_TOKENS - OVERLAP_TOKENS
    return [words[start:start + TARGET_TOKENS] for start in range(0, max(len(words) - OVERLAP_TOKENS, 1), step)]


def chunk_document(text: str, *, doc_id: str, tenant_id: str, doc_type: str, source: str,
                   upload_date: str = "", confidence: float = 1.0) -> list[Chunk]:
    """The chunks of one document, in order; ids are stable for the same document and text, so
    indexing a document again replaces its chunks rather than adding to them."""
    out = []
    for section, body in _sections(text):
        for words in _pieces(body.split()):
            piece = " ".join(words)
            digest = hashlib.sha256(f"{doc_id}|{section}|{piece}".encode()).hexdigest()[:16]
            # The heading is part of what is searched: 'Returns > Damaged goods' names the passage.
            searchable = f"{section}\n{piece}" if section else piece
            out.append(Chunk(f"{doc_id}#{digest}", doc_id, tenant_id, doc_type, source, section, searchable,
                             upload_date, confidence))
    return out
