"""Receipt fields from OCR lines: the rules on small, made-up receipts (no OCR involved)."""

import pytest

from smartretail.documents.receipts import extract_receipt, parse_amount, parse_cell_amount, parse_date
from smartretail.documents.textract import Box, Line, blocks_from_lines, lines_from_blocks, rows


def receipt(*rows_of_text: str | tuple[str, ...], confidence: float = 95.0) -> list[Line]:
    """Lines laid out top to bottom; a tuple is several lines on one row (label left, amount right)."""
    lines = []
    for i, row in enumerate(rows_of_text):
        cells = row if isinstance(row, tuple) else (row,)
        for j, text in enumerate(cells):
            lines.append(Line(text, confidence, Box(0.05 + 0.5 * j, 0.02 + i * 0.03, 0.4, 0.02)))
    return lines


SHOP = receipt(
    "TAN WOON YANN",
    "KEDAI RUNCIT MAJU",
    "ENTERPRISE (SETIA",
    "ALAM) SDN BHD",
    "(123456-X)",
    "NO. 12, JALAN MAJU 3,",
    "TAMAN SETIA, 40170 SHAH ALAM,",
    "SELANGOR",
    "TEL: 03-1234 5678",
    "GST NO: 000123456789",
    ("DATE:", "05/03/2018 10:12"),
    ("SUB-TOTAL", "40.00"),
    ("TOTAL QTY", "3.00"),
    ("TOTAL", "42.35"),
    ("ROUNDING ADJ", "0.05"),
    ("ROUNDED TOTAL (RM)", "42.40"),
    ("CASH", "50.00"),
    ("CHANGE", "7.60"),
    "GST SUMMARY",
    ("TOTAL", "40.00", "2.40"),
)


def test_a_receipt_gives_company_address_date_and_the_amount_paid():
    fields = extract_receipt(SHOP)
    assert fields["company"].value == "ENTERPRISE (SETIA ALAM) SDN BHD"  # a name split over two lines, no reg. no.
    assert fields["address"].value == "NO. 12, JALAN MAJU 3, TAMAN SETIA, 40170 SHAH ALAM, SELANGOR"
    assert fields["date"].value == "2018-03-05"
    assert fields["total"].value == "42.40"  # rounded, confirmed by cash minus change; not the subtotal or tax table
    for field in fields.values():
        assert 0 < field.confidence <= 1
        assert field.box is not None


def test_the_total_label_may_sit_above_its_amount_and_without_a_total_the_largest_amount_is_a_guess():
    fields = extract_receipt(receipt("SHOP SDN BHD", "1, JALAN A, 50000 KL", "AMOUNT DUE", "RM 12.50", "THANK YOU"))
    assert fields["total"].value == "12.50"
    guess = extract_receipt(receipt("SHOP SDN BHD", ("ITEM A", "3.00"), ("ITEM B", "7.25")))["total"]
    assert guess.value == "7.25"
    assert guess.confidence < 0.5


@pytest.mark.parametrize("text, expected", [
    ("25/12/2018 8:13 PM", "2018-12-25"), ("DATE: 05-03-18", "2018-03-05"), ("2018-03-04 12:00", "2018-03-04"),
    ("12/25/2018", "2018-12-25"), ("3 MAR 2018", "2018-03-03"), ("INV 12345678", None), ("31/02/2018", None),
])
def test_dates_are_read_day_first_unless_impossible(text, expected):
    found = parse_date(text)
    assert (found.isoformat() if found else None) == expected


@pytest.mark.parametrize("text, expected", [("RM 1,234.50", 1234.5), ("TOTAL 60,34", 60.34), ("QTY 3", None), ("9.00 9.60", 9.6),
                                            ("QTY 1, 174.77", 174.77), ("10:30, 100.00", 100.0)])
def test_amounts_have_two_decimals_and_ocr_commas_are_points(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text, expected", [("1, 174.77", 1174.77), ("Rs 12, 304.00", 12304.0), ("174.77", 174.77),
                                            ("1, 174.77 2", None)])
def test_an_amount_alone_in_its_cell_may_have_a_space_after_its_thousands_comma(text, expected):
    assert parse_cell_amount(text) == (expected if expected is not None else parse_amount(text))


def test_textract_shaped_blocks_round_trip_and_rows_group_cells():
    response = blocks_from_lines(SHOP)
    assert {b["BlockType"] for b in response["Blocks"]} == {"PAGE", "LINE", "WORD"}
    assert [line.text for line in lines_from_blocks(response)] == [line.text for line in SHOP]
    assert [len(row) for row in rows(SHOP)][10:14] == [2, 2, 2, 2]


def test_a_date_run_into_its_time_is_still_read():
    from smartretail.documents.receipts import parse_date

    assert parse_date("Date:25/12/20188:13:39PM").isoformat() == "2018-12-25"  # the reader lost the space
    assert parse_date("15/03/2018 18:20").isoformat() == "2018-03-15"


def test_a_bill_rounded_to_5_sen_is_paid_rounded_and_names_lose_ocr_symbols():
    from smartretail.documents.receipts import extract_receipt
    from smartretail.documents.textract import Box, Line

    texts = ["RESTAURANT JIAWE!", "NO 19, JALAN TASIK 4, 43300 SERI KEMBANGAN", "TEL 03-1234567", "TOTAL 60.31",
             "ROUNDING ADJ -0.01"]
    lines = [Line(t, 95.0, Box(0.1, 0.05 * i, 0.8, 0.03)) for i, t in enumerate(texts)]
    fields = extract_receipt(lines)
    assert fields["total"].value == "60.30"
    assert fields["company"].value == "RESTAURANT JIAWEI"


def test_a_note_or_date_above_the_name_is_not_the_company_and_the_address_ends_at_the_invoice_title():
    lines = receipt(
        "31812012",                                 # a handwritten note above the letterhead
        "SYARIKAT PERNIAGAAN GIN KEE",              # SYARIKAT starts a name: the note is not joined to it
        "（81109-A）",                               # full-width parentheses, as some readers return them
        "NO 290, JALAN AIR PANAS,",
        "53200 KUALA LUMPUR.",
        "TAXINVOICE",                               # the reader ran the title together
    )
    fields = extract_receipt(lines)
    assert fields["company"].value == "SYARIKAT PERNIAGAAN GIN KEE"
    assert fields["address"].value == "NO 290, JALAN AIR PANAS, 53200 KUALA LUMPUR."
    dated = extract_receipt(receipt("UNIHAKKA INTERNATIONALSDNBHD", "03 Mar 2018 18:22", "(867388-U)", "12, JALAN TAMPOI 7/4,",
                                    "81200 JOHOR BAHRU, JOHOR"))
    assert dated["company"].value == "UNIHAKKA INTERNATIONALSDNBHD"
    assert dated["date"].value == "2018-03-03"


def test_the_total_with_tax_included_is_paid_not_the_one_before_tax():
    fields = extract_receipt(receipt(
        "KEDAI MAJU SDN BHD (CO.RFG : 86Q671-D)",  # a misread registration number still comes off the name
        "NO. 1, JALAN MAJU, 81100 JOHOR BAHRU",
        ("Total Sales (Excluding GST) :", "51.42"),
        ("Total GST", "3.08"),
        ("Total Sales (Inclusive of GST)", "54.50"),
    ))
    assert fields["company"].value == "KEDAI MAJU SDN BHD"
    assert fields["total"].value == "54.50"
    with_gst_rate = extract_receipt(receipt(
        "Dimiliki : BANH MI CAFE SDN BHD", "NO. 2, JALAN MAJU, 81100 JOHOR BAHRU",
        ("Total Incl, GST@6%", "RM 37.10"), ("CASH", "RM 50.00"), ("CASH CHANGE", "RM 12.90")))
    assert with_gst_rate["company"].value == "BANH MI CAFE SDN BHD"
    assert with_gst_rate["total"].value == "37.10"
