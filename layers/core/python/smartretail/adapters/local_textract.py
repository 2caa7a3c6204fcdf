"""Textract locally: page images are read into LINEs by a local OCR engine and answered as Textract
answers (PAGE, LINE and WORD blocks, relative boxes, confidence 0..100), so extraction code is the same
with either.

Two engines read images: `PaddleOcr` (the default; PaddleOCR's PP-OCRv4 detector and recognizer as
ONNX models, shipped inside the rapidocr-onnxruntime wheel, so nothing is downloaded at run time) and
`TesseractOcr` (tesseract 5). On the SROIE receipts PaddleOCR reads amounts, dates and names far
better at a similar speed (docs/benchmarks.md); tesseract stays as the plain baseline.
"""

import functools
import io
import re
from typing import Any, Protocol

from ..documents.textract import Box, DocumentUnreadable, Line, blocks_from_lines, check_page_count, lines_from_blocks, rows

MIN_HEIGHT_PX = 2000  # tesseract reads best at ~300 dpi; receipts scanned at 150 dpi are scaled up
TESSERACT_CONFIG = "--oem 1 --psm 4"  # a single column of text of variable sizes: how receipts are laid out


class PageReader(Protocol):
    def read(self, image: bytes) -> list[Line]:
        """The LINEs of one page image, in reading order (Textract's LINE blocks)."""


def _open_image(image: bytes) -> Any:
    from PIL import Image, ImageOps

    return ImageOps.exif_transpose(Image.open(io.BytesIO(image)))


def page_image(document: bytes) -> Any:
    """The page as a grayscale image, scaled up when the scan is small (what tesseract reads best)."""
    from PIL import Image, ImageOps

    gray = ImageOps.autocontrast(ImageOps.grayscale(_open_image(document)))
    if gray.height < MIN_HEIGHT_PX:
        scale = MIN_HEIGHT_PX / gray.height
        gray = gray.resize((round(gray.width * scale), MIN_HEIGHT_PX), Image.LANCZOS)
    return gray


class TesseractOcr:
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

    def read(self, image: bytes) -> list[Line]:
        return lines_from_blocks(self.detect_document_text(image))

    def plain_text(self, image: Any) -> str:
        import pytesseract

        return pytesseract.image_to_string(image)


# PaddleOCR's recognizer was trained mostly on Chinese text and seldom emits the space between Latin
# words ('SDNBHD'), though where it sees a gap (the CTC blank wins) it gives the space some probability:
# there the space wins if it has at least 1/SPACE_BOOST of the blank's. Chosen on the SROIE dev receipts
# from 30, 100, 300 and 1000 (30 and 100 about equal, more inserts spaces inside words).
SPACE_BOOST = 100.0


class _SpacedCtcDecoder:
    """Greedy CTC decoding (repeats collapsed, blanks dropped) with a space in a gap where the model
    half-saw one; the confidence is the mean of the model's top probabilities at the characters kept."""

    def __init__(self, characters: list[str], space_boost: float = SPACE_BOOST):
        self.characters = characters
        self.space = characters.index(" ")
        self.space_boost = space_boost

    def __call__(self, predictions: Any, return_word_box: bool = False, **_: Any) -> list[tuple[str, float]]:
        """Called by the recognizer as its own decoder is (word boxes are not asked for here)."""
        import numpy as np

        results = []
        for probabilities in predictions:  # (time steps, characters); index 0 is the CTC blank
            best = probabilities.argmax(axis=1)
            gap = (best == 0) & (probabilities[:, self.space] * self.space_boost > probabilities[:, 0])
            best = np.where(gap, self.space, best)
            keep = best != 0
            keep[1:] &= best[1:] != best[:-1]
            text = "".join(self.characters[i] for i in best[keep])
            confidence = float(probabilities.max(axis=1)[keep].mean()) if keep.any() else 0.0
            results.append((re.sub(" +", " ", text).strip(), confidence))
        return results


@functools.lru_cache(maxsize=1)
def _paddle_engine() -> Any:
    """One engine per process: loading the three models takes about a second."""
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()
    engine.text_rec.postprocess_op = _SpacedCtcDecoder(engine.text_rec.postprocess_op.character)
    return engine


# The detector sometimes cuts one printed line in two ('480' | '0.00', '420.' | '.00'), mostly on noisy
# scans; pieces on a row closer than this many text heights are read again as one line, as Textract
# would answer them.
MERGE_GAP = 0.5


class PaddleOcr:
    def read(self, image: bytes) -> list[Line]:
        import numpy as np

        page = _open_image(image).convert("RGB")
        width, height = page.size
        engine = _paddle_engine()
        found, _ = engine(page, use_cls=False)
        pieces = []
        for quad, text, score in found or []:
            xs, ys = [point[0] for point in quad], [point[1] for point in quad]
            left, top, right, bottom = max(min(xs), 0.0), max(min(ys), 0.0), min(max(xs), width), min(max(ys), height)
            pieces.append(Line(text, 100 * float(score), Box(left, top, right - left, bottom - top)))
        lines = []
        for row in rows(pieces):
            for group in _touching(row):
                if len(group) == 1:
                    line = group[0]
                else:
                    box = _union(group)
                    crop = np.asarray(page.crop((box.left, box.top, box.left + box.width, box.top + box.height)))
                    read_again, _ = engine(crop, use_det=False, use_cls=False)
                    text, score = read_again[0] if read_again else (" ".join(line.text for line in group), 0.0)
                    line = Line(text, 100 * float(score), box)
                if line.text.strip():
                    lines.append(Line(line.text, round(line.confidence, 2), Box(
                        line.box.left / width, line.box.top / height, line.box.width / width, line.box.height / height)))
        return sorted(lines, key=lambda line: (round(line.box.middle, 3), line.box.left))


def _touching(row: list[Line]) -> list[list[Line]]:
    """A row's pieces (left to right, in pixels) grouped where the gap is under MERGE_GAP text heights;
    pieces that overlap by more than half the narrower one are two printed lines, one above the other."""
    groups = [[row[0]]]
    for piece in row[1:]:
        previous = groups[-1][-1]
        gap = piece.box.left - (previous.box.left + previous.box.width)
        stacked = -gap > 0.5 * min(piece.box.width, previous.box.width)
        if gap < MERGE_GAP * min(piece.box.height, previous.box.height) and not stacked:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return groups


def _union(pieces: list[Line]) -> Box:
    left, top = min(p.box.left for p in pieces), min(p.box.top for p in pieces)
    right = max(p.box.left + p.box.width for p in pieces)
    bottom = max(p.box.top + p.box.height for p in pieces)
    return Box(left, top, right - left, bottom - top)


# --- documents of any kind: PDFs (digital or scanned) and images, as AnalyzeExpense / AnalyzeDocument ---

PDF_DPI = 200             # rasterising a scanned PDF page for the OCR engine
WORD_GAP = 2.2            # a gap wider than this many character widths splits a printed row into separate LINEs


def _pdf_lines(document: bytes, max_pages: int, ocr: PageReader) -> tuple[list[Line], int]:
    """LINE-level text of every page: the text layer where there is one (as Textract reads digital
    PDFs, confidence 99), else the page rasterised with pdftoppm and read by the OCR engine."""
    import pdfplumber

    lines: list[Line] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(document))
    except Exception as exc:  # pdfminer raises many types on damaged files
        raise DocumentUnreadable(f"not a readable PDF: {exc.__class__.__name__}") from None
    with pdf:
        pages = len(pdf.pages)
        check_page_count(pages, max_pages)
        for number, page in enumerate(pdf.pages, 1):
            # Upright words only: text printed sideways in a margin ('Copyright ...') is no row's part.
            words = [w for w in page.extract_words(keep_blank_chars=False, use_text_flow=False) if w.get("upright", True)]
            if words:
                lines.extend(_lines_from_words(words, float(page.width), float(page.height), number))
            else:
                lines.extend(_scanned_page(document, number, ocr))
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


def _scanned_page(document: bytes, page: int, ocr: PageReader) -> list[Line]:
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "doc.pdf"
        source.write_bytes(document)
        subprocess.run(["pdftoppm", "-r", str(PDF_DPI), "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                        str(source), str(Path(work) / "page")], check=True, capture_output=True)
        image = (Path(work) / "page.png").read_bytes()
    return [Line(line.text, line.confidence, line.box, page) for line in ocr.read(image)]


def read_lines(document: bytes, max_pages: int = 20, ocr: PageReader | None = None) -> tuple[list[Line], int]:
    """(LINEs of every page, page count) of a PDF, JPEG or PNG; a PDF over `max_pages` is refused."""
    if not document:
        raise DocumentUnreadable("the file is empty")
    ocr = ocr or PaddleOcr()
    if document[:5] == b"%PDF-":
        return _pdf_lines(document, max_pages, ocr)
    try:
        _open_image(document).load()
    except Exception as exc:  # PIL.UnidentifiedImageError, truncated files
        raise DocumentUnreadable(f"not a readable image: {exc.__class__.__name__}") from None
    return ocr.read(document), 1


class LocalTextract:
    """The Textract port locally: AnalyzeExpense and AnalyzeDocument answered in Textract's shapes from
    an OCR engine (images, scanned PDFs; PaddleOCR unless another is given) and pdfplumber (digital PDFs)."""

    def __init__(self, max_pages: int = 20, ocr: PageReader | None = None):
        self.max_pages = max_pages
        self.ocr = ocr

    def analyze_expense(self, document: bytes) -> dict[str, Any]:
        from ..documents.layout import item_table, label_values

        from ..documents.invoices import detection, expense_fields, summary_field, vendor_name_from_top

        lines, pages = read_lines(document, self.max_pages, self.ocr)
        summary = [_summary_field(pair) for pair in label_values(lines)]
        # Then what the invoice lexicon finds (labels in several languages, values right of or below
        # their label, the parties' blocks), typed as Textract types them.
        summary += [summary_field(found, found.kind, 80.0) for found in expense_fields(lines)]
        first = vendor_name_from_top(lines)  # where a letterhead starts, past page numbers and titles
        if first is not None:
            summary.insert(0, {"Type": {"Text": "VENDOR_NAME", "Confidence": 90.0}, "PageNumber": first.page,
                               "ValueDetection": detection(first.text, first.confidence, first.box)})
        items = [{"LineItemExpenseFields": [
            {"Type": {"Text": EXPENSE_COLUMNS[name], "Confidence": 90.0}, "ValueDetection": detection(text, conf, box),
             "PageNumber": row.page} for name, (text, conf, box) in row.cells.items() if name in EXPENSE_COLUMNS]}
            for row in item_table(lines)]
        return {"DocumentMetadata": {"Pages": pages}, "ExpenseDocuments": [{
            "ExpenseIndex": 1, "SummaryFields": summary,
            "LineItemGroups": [{"LineItemGroupIndex": 1, "LineItems": items}] if items else [],
            "Blocks": blocks_from_lines(lines)["Blocks"]}]}

    def analyze_document(self, document: bytes) -> dict[str, Any]:
        """FORMS: a KEY_VALUE_SET pair per label and value, besides the PAGE, LINE and WORD blocks."""
        import uuid

        from ..documents.layout import label_values

        lines, pages = read_lines(document, self.max_pages, self.ocr)
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
# Words of a label may be read joined by a hyphen or a dot instead of a space ('Invoice-No' from a serif scan).
_GAP = r"[\s.\-_]*"
_EXPENSE_TYPES = [
    (rf"invoice{_GAP}(no|number|#)|bill{_GAP}(no|number)|receipt{_GAP}(no|number)", "INVOICE_RECEIPT_ID"),
    (rf"invoice{_GAP}date|bill{_GAP}date|^date", "INVOICE_RECEIPT_DATE"),
    (rf"sub{_GAP}total|taxable{_GAP}value", "SUBTOTAL"),
    (r"\b(cgst|sgst|igst|utgst|gst|vat|tax)\b", "TAX"),
    (r"^(grand\s*)?total|amount\s*(payable|due)", "TOTAL"),
]


def _summary_field(pair) -> dict[str, Any]:
    import re

    from ..documents.invoices import summary_field

    kind = next((t for pattern, t in _EXPENSE_TYPES if re.search(pattern, pair.label, re.I)), "OTHER")
    return summary_field(pair, kind, 90.0)


class LocalDocumentReader:
    """The DocumentReader port locally: the object from (emulated) S3, read by LocalTextract."""

    def __init__(self, max_pages: int = 20, s3: Any = None):
        self._reader = LocalTextract(max_pages)
        self._client = s3

    def _bytes(self, bucket: str, key: str, version_id: str | None) -> bytes:
        from .aws_clients import client

        request = {"Bucket": bucket, "Key": key, **({"VersionId": version_id} if version_id else {})}
        return (self._client or client("s3")).get_object(**request)["Body"].read()

    def analyze_expense(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]:
        return self._reader.analyze_expense(self._bytes(bucket, key, version_id))

    def analyze_document(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]:
        return self._reader.analyze_document(self._bytes(bucket, key, version_id))
