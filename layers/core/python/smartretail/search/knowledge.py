"""The platform's knowledge base (knowledge/ at the repository's root: marketplace policies and
SOPs in Markdown) as chunks visible to every tenant."""

from pathlib import Path

from .chunks import PLATFORM, Chunk, chunk_document

DOC_TYPES = {"policies": "policy", "sops": "sop"}


def knowledge_chunks(folder: Path) -> list[Chunk]:
    """Every policy and SOP under `folder`, typed by its subfolder, cited by its path."""
    chunks = []
    for sub, doc_type in DOC_TYPES.items():
        for path in sorted((folder / sub).glob("*.md")):
            source = f"{sub}/{path.name}"
            chunks += chunk_document(path.read_text(encoding="utf-8"), doc_id=f"kb/{source}", tenant_id=PLATFORM,
                                     doc_type=doc_type, source=source)
    return chunks
