"""The platform's knowledge base (knowledge/ at the repository's root: marketplace policies and SOPs,
in Markdown or as published PDFs) as chunks visible to every tenant."""

import statistics
from pathlib import Path

from .chunks import PLATFORM, Chunk, chunk_document

DOC_TYPES = {"policies": "policy", "sops": "sop"}


def pdf_as_markdown(path: Path) -> str:
    """A PDF's text with its headings marked as Markdown ones, so its sections are cited like a
    Markdown file's: a line set larger than the body text is a heading (the largest, the title)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        lines = [line for page in pdf.pages for line in page.extract_text_lines() if line["text"].strip()]
    if not lines:
        return ""
    size = {id(line): max(c["size"] for c in line["chars"]) for line in lines}
    body = statistics.median(size.values())
    largest = max(size.values())
    out = []
    for line in lines:
        if size[id(line)] >= largest and largest > body * 1.15:
            out.append(f"# {line['text']}")
        elif size[id(line)] > body * 1.15:
            out.append(f"\n## {line['text']}")
        else:
            out.append(line["text"])
    return "\n".join(out)


def knowledge_chunks(folder: Path) -> list[Chunk]:
    """Every policy and SOP under `folder` (.md, .pdf), typed by its subfolder, cited by its path."""
    chunks = []
    for sub, doc_type in DOC_TYPES.items():
        for path in sorted(p for p in (folder / sub).iterdir() if p.suffix in (".md", ".pdf")):
            source = f"{sub}/{path.name}"
            text = path.read_text(encoding="utf-8") if path.suffix == ".md" else pdf_as_markdown(path)
            chunks += chunk_document(text, doc_id=f"kb/{source}", tenant_id=PLATFORM, doc_type=doc_type, source=source)
    return chunks
