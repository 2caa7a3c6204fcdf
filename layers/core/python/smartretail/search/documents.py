"""A processed document as chunks for the copilot: its fields and check results as one chunk (so
"why was INV-0042 rejected?" finds the reasons), and its full text cut like any document."""

import json
from typing import Any

from .chunks import Chunk, chunk_document

FIELDS_SECTION = "Fields and checks"
TEXT_SECTION = "Text"


def _value(field: Any) -> str:
    value = field.get("value") if isinstance(field, dict) else field
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def document_chunks(tenant_id: str, record: dict[str, Any], result: dict[str, Any], text: str) -> list[Chunk]:
    """`record` is the documents table's item (doc_id, doc_type, file_name, created_at), `result` the
    pipeline's result.json (fields, status, reasons, rules), `text` the page text in reading order."""
    doc_id, doc_type = record["doc_id"], record["doc_type"]
    title = f"{doc_type.replace('_', ' ')} {result.get('fields', {}).get('invoice_number', {}).get('value') or record.get('file_name', doc_id)}"
    lines = [f"# {title}", f"## {FIELDS_SECTION}", f"Document {doc_id} ({record.get('file_name', '')}), status {result.get('status')}."]
    lines += [f"Reason: {reason}" for reason in result.get("reasons", [])]
    lines += [f"{name.replace('_', ' ')}: {_value(field)}" for name, field in sorted(result.get("fields", {}).items())]
    lines += [f"Rule {rule['rule']}: {'passed' if rule.get('passed') else 'failed'}" for rule in result.get("rules", [])]
    body = "\n".join(lines) + (f"\n## {TEXT_SECTION}\n{text}" if text.strip() else "")
    return chunk_document(body, doc_id=doc_id, tenant_id=tenant_id, doc_type=doc_type,
                          source=record.get("file_name") or doc_id, upload_date=str(record.get("created_at", ""))[:10],
                          confidence=float(result.get("reading_confidence", 1.0) or 0.0))
