"""The local stand-ins for Textract (PaddleOCR, tesseract) and the extract-from-files command on a rendered receipt."""

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from smartretail.adapters.local_textract import LocalTextract, PaddleOcr, TesseractOcr, _SpacedCtcDecoder
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


@pytest.mark.parametrize("ocr", [PaddleOcr(), TesseractOcr()], ids=["paddle", "tesseract"])
def test_each_engine_answers_like_textract(tmp_path, ocr):
    _render(tmp_path / "r.png")
    response = LocalTextract(ocr=ocr).analyze_expense((tmp_path / "r.png").read_bytes())
    lines = lines_from_blocks(response["ExpenseDocuments"][0])
    assert response["DocumentMetadata"]["Pages"] == 1
    assert len(lines) >= 10
    assert all(0 <= line.box.top <= 1 and 0 < line.confidence <= 100 for line in lines)
    text = " ".join(line.text for line in lines)
    assert "JALAN BESAR" in text  # words keep their spaces
    assert "MAJU JAYA TRADING SDN BHD" in text


def test_decoder_gives_the_space_its_due():
    characters = ["blank", "A", "B", " "]
    # A, then a column where blank wins but the space has a fifth of its probability, then B.
    unsure_space = np.array([[[0.05, 0.9, 0.0, 0.05], [0.7, 0.0, 0.0, 0.15], [0.05, 0.0, 0.9, 0.05]]])
    no_space = np.array([[[0.05, 0.9, 0.0, 0.05], [0.99, 0.0, 0.0, 0.01 / 100], [0.05, 0.0, 0.9, 0.05]]])
    # A space never takes the place of a character the model read, however unsure.
    weak_character = np.array([[[0.05, 0.5, 0.0, 0.45], [0.05, 0.0, 0.9, 0.05]]])
    assert _SpacedCtcDecoder(characters, space_boost=30)(unsure_space)[0][0] == "A B"
    assert _SpacedCtcDecoder(characters, space_boost=1)(unsure_space)[0][0] == "AB"
    text, confidence = _SpacedCtcDecoder(characters, space_boost=30)(no_space)[0]
    assert text == "AB"
    assert confidence == pytest.approx(0.9)
    assert _SpacedCtcDecoder(characters, space_boost=1000)(weak_character)[0][0] == "AB"


def test_extract_from_files_writes_one_json_per_document(tmp_path):
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    _render(source / "r1.png")
    (source / "broken.jpg").write_bytes(b"not an image")
    (source / "notes.txt").write_text("ignored")
    assert main(["--in", str(source), "--out", str(out)]) == 1  # one document could not be read
    result = json.loads((out / "r1.json").read_text())
    assert (result["company"], result["date"], result["total"]) == ("MAJU JAYA TRADING SDN BHD", "2019-02-14", "12.50")
    assert result["address"].startswith("NO. 8, JALAN BESAR 2")
    assert result["fields"]["total"]["confidence"] > 0.5
    broken = json.loads((out / "broken.json").read_text())
    assert broken["status"] == "needs_review"
    assert "could not be read" in broken["reasons"][0]
    assert not (out / "notes.json").exists()


def test_pieces_of_one_printed_line_are_grouped_to_be_read_again():
    from smartretail.adapters.local_textract import _touching
    from smartretail.documents.textract import Box, Line

    def piece(left, width):
        return Line("x", 99.0, Box(left, 100, width, 20))  # pixels; text 20 px high

    row = [piece(0, 100), piece(104, 50), piece(300, 80), piece(375, 40)]  # 4 px gap, far, overlapping
    assert [[p.box.left for p in group] for group in _touching(row)] == [[0, 104], [300, 375]]
    stacked = [piece(0, 100), piece(10, 90)]  # two printed lines one above the other, not one line
    assert [[p.box.left for p in group] for group in _touching(stacked)] == [[0], [10]]
