"""Reading Textract responses (and writing them, for the local OCR and gold OCR lines).

Textract's DetectDocumentText/AnalyzeDocument answer with `Blocks`: PAGE, LINE and WORD blocks whose
Geometry.BoundingBox is relative to the page (0..1) and whose Confidence is 0..100. Extraction works
on LINE blocks, so everything that reads a document (Textract, tesseract, gold OCR) meets here.
"""

import uuid
from dataclasses import dataclass
from typing import Any


class DocumentUnreadable(ValueError):
    """The file is not a document that can be read (corrupt, empty, too many pages, not a PDF or image)."""


def check_page_count(pages: int, max_pages: int) -> None:
    """Longer PDFs are refused before they are read (and, on AWS, paid for page by page)."""
    if pages > max_pages:
        raise DocumentUnreadable(f"the PDF has {pages} pages and at most {max_pages} are read: split it into its documents")


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def middle(self) -> float:
        return self.top + self.height / 2

    def to_json(self) -> dict[str, float]:
        return {"Left": round(self.left, 4), "Top": round(self.top, 4), "Width": round(self.width, 4), "Height": round(self.height, 4)}


@dataclass(frozen=True)
class Line:
    text: str
    confidence: float  # 0..100, as Textract reports it
    box: Box
    page: int = 1


def lines_from_blocks(response: dict[str, Any]) -> list[Line]:
    """LINE blocks in reading order (page, then top to bottom, then left to right)."""
    lines = [
        Line(block["Text"], float(block.get("Confidence", 0.0)),
             Box(**{k.lower(): float(v) for k, v in block["Geometry"]["BoundingBox"].items()}), int(block.get("Page", 1)))
        for block in response.get("Blocks", []) if block.get("BlockType") == "LINE" and block.get("Text", "").strip()
    ]
    return sorted(lines, key=lambda line: (line.page, round(line.box.middle, 3), line.box.left))


def blocks_from_lines(lines: list[Line]) -> dict[str, Any]:
    """A DetectDocumentText-shaped response: one PAGE block per page, LINE blocks and their WORD blocks."""
    blocks: list[dict[str, Any]] = []
    pages: dict[int, dict[str, Any]] = {}
    for line in lines:
        page = pages.get(line.page)
        if page is None:
            page = {"BlockType": "PAGE", "Id": str(uuid.uuid4()), "Page": line.page,
                    "Geometry": {"BoundingBox": Box(0, 0, 1, 1).to_json()}, "Relationships": [{"Type": "CHILD", "Ids": []}]}
            pages[line.page] = page
            blocks.append(page)
        words = line.text.split()
        word_blocks = []
        for i, word in enumerate(words):  # words share the line's box proportionally: enough to locate them
            width = line.box.width / max(len(words), 1)
            word_blocks.append({"BlockType": "WORD", "Id": str(uuid.uuid4()), "Text": word, "Page": line.page,
                                "Confidence": line.confidence, "TextType": "PRINTED",
                                "Geometry": {"BoundingBox": Box(line.box.left + i * width, line.box.top, width, line.box.height).to_json()}})
        line_block = {"BlockType": "LINE", "Id": str(uuid.uuid4()), "Text": line.text, "Page": line.page,
                      "Confidence": line.confidence, "Geometry": {"BoundingBox": line.box.to_json()},
                      "Relationships": [{"Type": "CHILD", "Ids": [w["Id"] for w in word_blocks]}]}
        page["Relationships"][0]["Ids"].append(line_block["Id"])
        blocks.extend([line_block, *word_blocks])
    return {"DocumentMetadata": {"Pages": len(pages)}, "Blocks": blocks}


def rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows: a label and its amount are often separate lines on the same row."""
    grouped: list[list[Line]] = []
    for line in sorted(lines, key=lambda item: (item.page, item.box.middle)):
        current = grouped[-1] if grouped else None
        if current and current[0].page == line.page and abs(current[0].box.middle - line.box.middle) < 0.6 * max(
                min(current[0].box.height, line.box.height), 1e-6):
            current.append(line)
        else:
            grouped.append([line])
    return [sorted(row, key=lambda item: item.box.left) for row in grouped]
