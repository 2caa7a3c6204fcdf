"""The local stand-in for Textract (tesseract) and the extract-from-files command on a rendered receipt."""

import json

from PIL import Image, ImageDraw, ImageFont

from smartretail.adapters.local_textract import TesseractTextract
from smartretail.documents.__main__ import main
from smartretail.documents.textract import lines_from_blocks

RECEIPT = ["MAJU JAYA TRADING SDN BHD", "(998877-K)", "NO. 8, JALAN BESAR 2,", "81100 JOHOR BAHRU, JOHOR",
           "TEL: 07-123 4567", "DATE: 14/02/2019 18:20", "SUB-TOTAL            11.80", "TOTAL                12.50",
           "CASH                 20.00", "CHANGE                7.50", "THANK YOU"]


def _render(path):
    font = ImageFont.load_default(size=28)
    image = Image.new("RGB", (760, 60 + 44 * len(RECEIPT)), "white")
    draw = ImageDraw.Draw(image)
    for i, text in enumerate(RECEIPT):
        draw.text((30, 30 + 44 * i), text, fill="black", font=font)
    image.save(path)


def test_tesseract_answers_like_textract(tmp_path):
    _render(tmp_path / "r.png")
    response = TesseractTextract().detect_document_text((tmp_path / "r.png").read_bytes())
    lines = lines_from_blocks(response)
    assert response["DocumentMetadata"]["Pages"] == 1 and len(lines) >= 10
    assert all(0 <= line.box.top <= 1 and 0 < line.confidence <= 100 for line in lines)
    assert "JALAN BESAR" in " ".join(line.text for line in lines)


def test_extract_from_files_writes_one_json_per_document(tmp_path):
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    _render(source / "r1.png")
    (source / "broken.jpg").write_bytes(b"not an image")
    (source / "notes.txt").write_text("ignored")
    assert main(["--in", str(source), "--out", str(out)]) == 1  # one document could not be read
    result = json.loads((out / "r1.json").read_text())
    assert (result["company"], result["date"], result["total"]) == ("MAJU JAYA TRADING SDN BHD", "2019-02-14", "12.50")
    assert result["address"].startswith("NO. 8, JALAN BESAR 2") and result["fields"]["total"]["confidence"] > 0.5
    broken = json.loads((out / "broken.json").read_text())
    assert broken["status"] == "needs_review" and "could not be read" in broken["reasons"][0]
    assert not (out / "notes.json").exists()
