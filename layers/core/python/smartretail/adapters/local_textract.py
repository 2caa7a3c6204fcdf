"""Textract's DetectDocumentText locally: tesseract reads the page, its words are grouped into lines
and answered as Textract answers (PAGE, LINE and WORD blocks, relative boxes, confidence 0..100), so
extraction code is the same with either."""

import io
from typing import Any

from ..documents.textract import Box, Line, blocks_from_lines

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
