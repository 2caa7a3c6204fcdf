"""Textract's DetectDocumentText locally: tesseract reads the page, its words are grouped into lines
and answered as Textract answers (PAGE, LINE and WORD blocks, relative boxes, confidence 0..100), so
extraction code is the same with either."""

import io
from typing import Any

from ..documents.textract import Box, DocumentUnreadable, Line, blocks_from_lines

MIN_HEIGHT_PX = 2000  # tesseract reads best at ~300 dpi; receipts scanned at 150 dpi are scaled up
TESSERACT_CONFIG = "--oem 1 --psm 4"  # a single column of text of variable sizes: how receipts are laid out


def page_image(document: bytes) -> Any:
    """The page as a grayscale image, scaled up when the scan is small."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(Image.open(io.BytesIO(document)))
    gray = ImageOps.autocontrast(ImageOps.grayscale(image))
    if gray.height < MIN_HEIGHT_PX:
        scale = MIN_HEIGHT_PX / gray.height
        gray = gray.resize((round(gray.width * scale), MIN_HEIGHT_PX), Image.LANCZOS)
    return gray


class TesseractTextract:
    def detect_document_text(self, document: bytes) -> dict[str, Any]:
        import pytesseract

        image = page_image(document)
        data = pytesseract.image_to_data(image, config=TESSERACT_CONFIG, output_type=pytesseract.Output.DICT)
        grouped: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) >= 0:
                grouped.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
        width, height = image.size
        lines = []
        for words in grouped.values():
            left = min(data["left"][i] for i in words)
            top = min(data["top"][i] for i in words)
            right = max(data["left"][i] + data["width"][i] for i in words)
            bottom = max(data["top"][i] + data["height"][i] for i in words)
            text = " ".join(data["text"][i].strip() for i in words)
            confidence = sum(float(data["conf"][i]) for i in words) / len(words)
            lines.append(Line(text, confidence, Box(left / width, top / height, (right - left) / width, (bottom - top) / height)))
        return blocks_from_lines(lines)

    def plain_text(self, image: Any) -> str:
        import pytesseract

        return pytesseract.image_to_string(image)


# --- documents of any kind: PDFs (digital or scanned) and images, as AnalyzeExpense / AnalyzeDocument ---

PDF_DPI = 200             # rasterising a scanned PDF page for tesseract
WORD_GAP = 2.2            # a gap wider than this many character widths splits a printed row into separate LINEs


def _pdf_lines(document: bytes, max_pages: int) -> tuple[list[Line], int]:
    """LINE-level text of every page: the text layer where there is one (as Textract reads digital
    PDFs, confidence 99), else the page rasterised with pdftoppm and read by tesseract."""
    import pdfplumber

    lines: list[Line] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(document))
    except Exception as exc:  # pdfminer raises many types on damaged files
        raise DocumentUnreadable(f"not a readable PDF: {exc.__class__.__name__}") from None
    with pdf:
        pages = len(pdf.pages)
        if pages > max_pages:
            raise DocumentUnreadable(f"the PDF has {pages} pages and at most {max_pages} are read: split it into its documents")
        for number, page in enumerate(pdf.pages, 1):
            words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
            if words:
                lines.extend(_lines_from_words(words, float(page.width), float(page.height), number))
            else:
                lines.extend(_scanned_page(document, number))
    return lines, pages


def _lines_from_words(words: list[dict], width: float, height: float, page: int) -> list[Line]:
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) < 3:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        groups = [[row[0]]]
        for word in row[1:]:
            previous = groups[-1][-1]
            char_width = (previous["x1"] - previous["x0"]) / max(len(previous["text"]), 1)
            if word["x0"] - previous["x1"] > WORD_GAP * char_width:
                groups.append([word])
            else:
                groups[-1].append(word)
        for group in groups:
            left, top = min(w["x0"] for w in group), min(w["top"] for w in group)
            right, bottom = max(w["x1"] for w in group), max(w["bottom"] for w in group)
            lines.append(Line(" ".join(w["text"] for w in group), 99.0,
                              Box(left / width, top / height, (right - left) / width, (bottom - top) / height), page))
    return lines


def _scanned_page(document: bytes, page: int) -> list[Line]:
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "doc.pdf"
        source.write_bytes(document)
        subprocess.run(["pdftoppm", "-r", str(PDF_DPI), "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                        str(source), str(Path(work) / "page")], check=True, capture_output=True)
        image = (Path(work) / "page.png").read_bytes()
    from ..documents.textract import lines_from_blocks

    return [Line(line.text, line.confidence, line.box, page) for line in lines_from_blocks(TesseractTextract().detect_document_text(image))]


def read_lines(document: bytes, max_pages: int = 20) -> tuple[list[Line], int]:
    """(LINEs of every page, page count) of a PDF, JPEG or PNG; a PDF over `max_pages` is refused."""
    if not document:
        raise DocumentUnreadable("the file is empty")
    if document[:5] == b"%PDF-":
        return _pdf_lines(document, max_pages)
    from ..documents.textract import lines_from_blocks

    try:
        blocks = TesseractTextract().detect_document_text(document)
    except Exception as exc:  # PIL.UnidentifiedImageError, truncated files
        raise DocumentUnreadable(f"not a readable image: {exc.__class__.__name__}") from None
    return lines_from_blocks(blocks), 1


class LocalTextract:
    """The Textract port locally: AnalyzeExpense and AnalyzeDocument answered in Textract's shapes from
    tesseract (images, scanned PDFs) and pdfplumber (digital PDFs)."""

    def __init__(self, max_pages: int = 20):
        self.max_pages = max_pages

    def analyze_expense(self, document: bytes) -> dict[str, Any]:
        from ..documents.layout import item_table, label_values
        from ..documents.textract import blocks_from_lines

        lines, pages = read_lines(document, self.max_pages)
        summary = [_summary_field(pair) for pair in label_values(lines)]
        if lines:
            first = lines[0]
            summary.insert(0, {"Type": {"Text": "VENDOR_NAME", "Confidence": 90.0}, "PageNumber": first.page,
                               "ValueDetection": _detection(first.text, first.confidence, first.box)})
        items = [{"LineItemExpenseFields": [
            {"Type": {"Text": EXPENSE_COLUMNS[name], "Confidence": 90.0}, "ValueDetection": _detection(text, conf, box),
             "PageNumber": row.page} for name, (text, conf, box) in row.cells.items()]} for row in item_table(lines)]
        return {"DocumentMetadata": {"Pages": pages}, "ExpenseDocuments": [{
            "ExpenseIndex": 1, "SummaryFields": summary,
            "LineItemGroups": [{"LineItemGroupIndex": 1, "LineItems": items}] if items else [],
            "Blocks": blocks_from_lines(lines)["Blocks"]}]}

    def analyze_document(self, document: bytes) -> dict[str, Any]:
        """FORMS: a KEY_VALUE_SET pair per label and value, besides the PAGE, LINE and WORD blocks."""
        import uuid

        from ..documents.layout import label_values
        from ..documents.textract import blocks_from_lines

        lines, pages = read_lines(document, self.max_pages)
        blocks = blocks_from_lines(lines)["Blocks"]
        for pair in label_values(lines):
            value_id = str(uuid.uuid4())
            blocks.append({"BlockType": "KEY_VALUE_SET", "EntityTypes": ["KEY"], "Id": str(uuid.uuid4()), "Page": pair.page,
                           "Confidence": pair.confidence, "Text": pair.label, "Geometry": {"BoundingBox": pair.label_box.to_json()},
                           "Relationships": [{"Type": "VALUE", "Ids": [value_id]}]})
            blocks.append({"BlockType": "KEY_VALUE_SET", "EntityTypes": ["VALUE"], "Id": value_id, "Page": pair.page,
                           "Confidence": pair.confidence, "Text": pair.value, "Geometry": {"BoundingBox": pair.value_box.to_json()}})
        return {"DocumentMetadata": {"Pages": pages}, "Blocks": blocks}


EXPENSE_COLUMNS = {"description": "ITEM", "quantity": "QUANTITY", "unit_price": "UNIT_PRICE", "amount": "PRICE"}
_EXPENSE_TYPES = [
    (r"invoice\s*(no|number|#)|bill\s*(no|number)|receipt\s*(no|number)", "INVOICE_RECEIPT_ID"),
    (r"invoice\s*date|bill\s*date|^date", "INVOICE_RECEIPT_DATE"),
    (r"sub\s*-?\s*total|taxable\s*value", "SUBTOTAL"),
    (r"\b(cgst|sgst|igst|utgst|gst|vat|tax)\b", "TAX"),
    (r"^(grand\s*)?total|amount\s*(payable|due)", "TOTAL"),
]


def _detection(text: str, confidence: float, box: Box) -> dict[str, Any]:
    return {"Text": text, "Confidence": confidence, "Geometry": {"BoundingBox": box.to_json()}}


def _summary_field(pair) -> dict[str, Any]:
    import re

    kind = next((t for pattern, t in _EXPENSE_TYPES if re.search(pattern, pair.label, re.I)), "OTHER")
    return {"Type": {"Text": kind, "Confidence": 90.0}, "PageNumber": pair.page,
            "LabelDetection": _detection(pair.label, pair.confidence, pair.label_box),
            "ValueDetection": _detection(pair.value, pair.confidence, pair.value_box)}


class LocalDocumentReader:
    """The DocumentReader port locally: the object from (emulated) S3, read by LocalTextract."""

    def __init__(self, max_pages: int = 20, s3: Any = None):
        self._reader = LocalTextract(max_pages)
        self._client = s3

    def _bytes(self, bucket: str, key: str) -> bytes:
        from .aws_clients import client

        return (self._client or client("s3")).get_object(Bucket=bucket, Key=key)["Body"].read()

    def analyze_expense(self, bucket: str, key: str) -> dict[str, Any]:
        return self._reader.analyze_expense(self._bytes(bucket, key))

    def analyze_document(self, bucket: str, key: str) -> dict[str, Any]:
        return self._reader.analyze_document(self._bytes(bucket, key))
