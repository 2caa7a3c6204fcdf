"""Invoices beyond the generated GST layout: Textract's own SummaryFields read into fields, labels in
other languages found by the local stand-in, the tax regime deciding which rules apply."""

from datetime import date

import pytest

from smartretail.documents.extraction import extract_invoice
from smartretail.documents.invoices import expense_fields, parse_money, tax_id
from smartretail.documents.rules import validate
from smartretail.documents.textract import Box, Line

TODAY = date(2026, 11, 21)


def _summary(kind: str, value: str, label: str = "") -> dict:
    field = {"Type": {"Text": kind, "Confidence": 99.0}, "PageNumber": 1,
             "ValueDetection": {"Text": value, "Confidence": 98.0, "Geometry": {"BoundingBox": {"Left": 0.5, "Top": 0.1, "Width": 0.1, "Height": 0.01}}}}
    if label:
        field["LabelDetection"] = {"Text": label, "Confidence": 98.0}
    return field


def _response(summaries: list[dict], text_lines: list[str] = ()) -> dict:
    blocks = [{"BlockType": "LINE", "Id": str(i), "Text": t, "Confidence": 99.0, "Page": 1,
               "Geometry": {"BoundingBox": {"Left": 0.1, "Top": 0.02 * (i + 1), "Width": 0.5, "Height": 0.01}}}
              for i, t in enumerate(text_lines)]
    return {"DocumentMetadata": {"Pages": 1}, "ExpenseDocuments": [{"SummaryFields": summaries, "LineItemGroups": [], "Blocks": blocks}]}


GERMAN = _response([
    _summary("VENDOR_NAME", "ELEKTRON Industrieservice GmbH", "Verkäufer"),
    _summary("RECEIVER_NAME", "ConsultingService GmbH", "Käufer"),
    _summary("INVOICE_RECEIPT_ID", "181301674", "Rechnungsnummer"),
    _summary("INVOICE_RECEIPT_DATE", "25.04.2018", "Rechnungsdatum"),
    _summary("SUBTOTAL", "252,10", "Rechnungssumme ohne USt."),
    _summary("TAX", "47,90", "Steuerbetrag"),
    _summary("TOTAL", "252,10", "Positionssumme"),
    _summary("TOTAL", "300,00", "Bruttosumme"),
    _summary("AMOUNT_DUE", "300,00", "Zahlbetrag"),
    _summary("VENDOR_VAT_NUMBER", "DE 136 695 976", "USt-IdNr."),
    _summary("PO_NUMBER", "4500012345", "Bestellnummer"),
], ["ELEKTRON Industrieservice GmbH", "Rechnung", "Beträge in EUR", "Umsatzsteuer 19 %"])


def test_real_textract_summary_fields_of_a_german_invoice_are_read_and_checked_as_eu_vat():
    extracted = extract_invoice(GERMAN)
    fields = {k: v["value"] for k, v in extracted["fields"].items()}
    assert fields["vendor_name"] == "ELEKTRON Industrieservice GmbH"
    assert fields["buyer_name"] == "ConsultingService GmbH"
    assert (fields["invoice_number"], fields["invoice_date"]) == ("181301674", "2018-04-25")
    assert (fields["subtotal"], fields["tax_total"], fields["total"], fields["amount_due"]) == (252.10, 47.90, 300.00, 300.00)
    assert fields["vendor_tax_id"] == "DE136695976" and fields["currency"] == "EUR"
    assert {"label": "Bestellnummer", "value": "4500012345"} in extracted["reference_numbers"]
    assert extracted["tax_regime"] == "eu_vat" and "vendor_gstin" not in fields
    result = validate(extracted, TODAY)
    assert result["status"] == "pass", result["reasons"]
    assert result["rule_version"].startswith("invoice-eu-vat")


def test_of_several_totals_the_one_net_plus_tax_makes_is_chosen():
    extracted = extract_invoice(GERMAN)
    assert extracted["fields"]["total"]["value"] == 300.00  # not the 252,10 'Positionssumme'


def test_a_us_invoice_is_not_failed_for_lacking_a_gstin():
    extracted = extract_invoice(_response([
        _summary("VENDOR_NAME", "KMSP-TV"), _summary("INVOICE_RECEIPT_ID", "950658-1", "Invoice #"),
        _summary("INVOICE_RECEIPT_DATE", "02/03/20", "Invoice Date"), _summary("TOTAL", "$5,625.00", "Gross Total"),
        _summary("AMOUNT_DUE", "$4,781.25", "Net Amount Due"), _summary("RECEIVER_NAME", "Michael Bloomberg 2020, Inc", "Advertiser"),
    ], ["KMSP-TV", "Invoice", "Gross Total $5,625.00"]))
    fields = {k: v["value"] for k, v in extracted["fields"].items()}
    assert fields["total"] == 5625.00 and fields["invoice_date"] == "2020-02-03"  # a dollar invoice's dates are month-first
    assert extracted["tax_regime"] == "none"
    result = validate(extracted, TODAY)
    assert result["status"] == "pass", result["reasons"]
    assert not any("GSTIN" in reason for reason in result["reasons"])


def test_an_invoice_missing_its_total_fails_with_what_any_invoice_needs():
    extracted = extract_invoice(_response([_summary("VENDOR_NAME", "Shop"), _summary("INVOICE_RECEIPT_ID", "A-17", "Invoice No")],
                                          ["Shop", "Invoice No A-17"]))
    result = validate(extracted, TODAY)
    assert result["status"] == "fail"
    assert result["reasons"][0].startswith("missing invoice_date, total")


def _lines(*rows: tuple[str, float, float]) -> list[Line]:
    return [Line(text, 99.0, Box(left, top, 0.15, 0.012), 1) for text, left, top in rows]


def test_the_stand_in_finds_values_right_of_below_and_after_their_labels_in_several_languages():
    found = expense_fields(_lines(
        ("Rechnungsnummer", 0.6, 0.10), ("471102", 0.85, 0.10),
        ("Rechnungsdatum", 0.6, 0.12), ("05.03.2013", 0.85, 0.12),
        ("Verkäufer", 0.1, 0.20), ("Name:", 0.1, 0.22), ("ELEKTRON Industrieservice GmbH", 0.4, 0.22),
        ("Facture n° : FA-2017-0008", 0.1, 0.30),
        ("Gross Amount", 0.6, 0.40), ("$8,555.00", 0.6, 0.42), ("Totals", 0.1, 0.46), ("$31,190.00", 0.6, 0.46),
        ("Grand Total:", 0.5, 0.50), ("41", 0.7, 0.50), ("$9,110.00", 0.8, 0.50),
    ))
    got = {(f.kind, f.value) for f in found}
    assert {("INVOICE_RECEIPT_ID", "471102"), ("INVOICE_RECEIPT_DATE", "05.03.2013"), ("VENDOR_NAME", "ELEKTRON Industrieservice GmbH"),
            ("INVOICE_RECEIPT_ID", "FA-2017-0008"), ("TOTAL", "$31,190.00"), ("TOTAL", "$9,110.00")} <= got


@pytest.mark.parametrize("text, amount", [("15.387,08", 15387.08), ("$5,625.00", 5625.0), ("€ 717,97", 717.97), ("1 234,50 EUR", 1234.5),
                                          ("$5,625", 5625.0), ("-1.234,56", -1234.56), ("Total", None)])
def test_amounts_are_read_whichever_decimal_mark_they_use(text, amount):
    assert parse_money(text) == amount


@pytest.mark.parametrize("text, expected", [("USt-IdNr.: DE 136 695 976", ("eu_vat", "DE136695976")), ("BTW NL810433941B01", ("eu_vat", "NL810433941B01")),
                                            ("GSTIN 33PBDPD1634S2Z7", ("gstin", "33PBDPD1634S2Z7")), ("EIN 12-3456789", ("ein", "12-3456789")),
                                            ("PAN: AAPFU0939F", ("pan", "AAPFU0939F")), ("Tel 0711 123456", None)])
def test_tax_ids_are_known_by_their_own_formats(text, expected):
    assert tax_id(text) == expected


def _german_invoice_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for x, y, text in [(20, 20, "Lieferant GmbH"), (120, 20, "Rechnungsnummer"), (170, 20, "471102"),
                       (120, 26, "Rechnungsdatum"), (170, 26, "05.03.2013"), (20, 40, "Rechnungsempfänger"), (20, 46, "Kunden AG Mitte"),
                       (20, 70, "Beschreibung"), (100, 70, "Menge"), (125, 70, "Einzelpreis"), (155, 70, "USt. %"), (175, 70, "Betrag"),
                       (20, 78, "Trennblätter A4"), (100, 78, "20"), (125, 78, "9,90"), (155, 78, "19"), (175, 78, "198,00"),
                       (20, 96, "Rechnungssumme Netto"), (175, 96, "198,00"), (20, 102, "Umsatzsteuer 19 %"), (175, 102, "37,62"),
                       (20, 108, "Rechnungssumme Brutto"), (175, 108, "235,62"), (20, 130, "USt-IdNr.: DE123456789")]:
        pdf.text(x, y, text)
    return bytes(pdf.output())


def test_a_german_invoice_pdf_is_read_and_passes_the_eu_vat_rules():
    from smartretail.adapters.local_textract import LocalTextract
    from smartretail.documents.__main__ import process

    result = process(_german_invoice_pdf(), LocalTextract(), "invoice", TODAY)
    fields = {k: v["value"] for k, v in result["fields"].items()}
    assert (fields["invoice_number"], fields["invoice_date"]) == ("471102", "2013-03-05")
    assert (fields["subtotal"], fields["tax_total"], fields["total"]) == (198.0, 37.62, 235.62)
    assert fields["vendor_tax_id"] == "DE123456789" and fields["buyer_name"] == "Kunden AG Mitte"
    assert [(i["description"], i["amount"]) for i in result["line_items"]] == [("Trennblätter A4", 198.0)]
    assert (result["tax_regime"], result["status"]) == ("eu_vat", "pass"), result["reasons"]


def test_indian_lakh_grouping_and_totals_without_a_label_are_read():
    assert parse_money("₹ 1,23,456.00") == 123456.0
    extracted = extract_invoice(_response([_summary("TOTAL", "1,23,456.00"), _summary("INVOICE_RECEIPT_DATE", "12-Mar-2024", "Date")],
                                          ["Shop", "GST 18%"]))
    assert extracted["fields"]["total"]["value"] == 123456.0 and extracted["fields"]["invoice_date"]["value"] == "2024-03-12"
    assert extracted["tax_regime"] == "in_gst"  # 'GST' on the page: the GST rules apply


def test_a_vat_invoice_whose_figures_do_not_add_up_goes_to_a_person_not_to_fail():
    extracted = extract_invoice(_response([
        _summary("VENDOR_NAME", "Muster GmbH", "Verkäufer"), _summary("INVOICE_RECEIPT_ID", "R-1", "Rechnungsnummer"),
        _summary("INVOICE_RECEIPT_DATE", "01.02.2024", "Rechnungsdatum"), _summary("SUBTOTAL", "100,00", "Nettobetrag"),
        _summary("TAX", "7,00", "MwSt 7 %"), _summary("TOTAL", "126,00", "Gesamtbetrag"), _summary("VENDOR_VAT_NUMBER", "DE123456789", "USt-IdNr"),
    ], ["Muster GmbH", "MwSt 7 %", "MwSt 19 %", "EUR"]))
    result = validate(extracted, TODAY)
    assert result["status"] == "needs_review"  # a second VAT rate was not read: a person checks the sum
    assert any("totals" not in r["rule"] or not r["passed"] for r in result["rules"])


def _pdf(cells: list[tuple[float, float, str]], sideways: str = "") -> bytes:
    """A text-layer PDF with each text at (x, y) millimetres; optional text printed sideways in the margin."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for x, y, text in cells:
        pdf.text(x, y, text)
    if sideways:
        with pdf.rotation(90, 8, 200):
            pdf.text(8, 200, sideways)
    return bytes(pdf.output())


def _read(pdf: bytes) -> dict:
    from smartretail.adapters.local_textract import LocalTextract
    from smartretail.documents.__main__ import process

    return process(pdf, LocalTextract(), "invoice", TODAY)


def test_items_are_read_as_printed_over_several_rows_with_discounts_and_totals_as_a_column():
    result = _read(_pdf([
        (20, 20, "Lieferant"), (20, 25, "GLN 4333741000005 Lief-Nr: 549910"), (20, 30, "MUSTERLIEFERANT GMBH"),
        (120, 20, "Rechnungsnummer"), (170, 20, "RK-2013-7"), (120, 25, "Rechnungsdatum"), (170, 25, "16.09.2013"),
        # A header over two rows: 'Positions-' / 'betrag' is the amount column.
        (20, 60, "Pos"), (30, 60, "Beschreibung"), (100, 60, "Menge"), (120, 60, "Nettopreis"), (170, 56, "Positions-"), (170, 60, "betrag"),
        (20, 68, "1"), (30, 68, "Kunstrasen grün 3m breit"), (100, 68, "3"), (120, 68, "4,00"), (170, 68, "12,00"),
        (30, 73, "300cm x 100 cm"),
        (100, 78, "abzgl. Rabatt"), (170, 78, "-2,00"),  # a discount under its item
        (20, 86, "2"), (30, 86, "Schweinesteak"), (100, 86, "5"), (120, 86, "5,50"),
        (170, 91, "27,50"),  # the item's amount a row below its figures
        (30, 96, "aus Deutschland"),
        (20, 110, "Warenwert"), (60, 110, "Nettobetrag"), (100, 110, "MwSt-Betrag"), (140, 110, "Endbetrag"),
        (20, 116, "10,00"), (60, 116, "10,00"), (100, 116, "1,90"), (140, 116, "11,90"),
        (20, 122, "27,50"), (60, 122, "27,50"), (100, 122, "1,93"), (140, 122, "29,43"),
        (20, 128, "37,50"), (60, 128, "37,50"), (100, 128, "3,83"), (140, 128, "41,33"),  # the columns' sums
        (20, 140, "USt-IdNr.: DE123456789 Beträge in EUR"),
    ], sideways="Copyright Beispielrechnung"))
    items = [(i["description"], i["amount"]) for i in result["line_items"]]
    assert items == [("Kunstrasen grün 3m breit 300cm x 100 cm", 10.0), ("Schweinesteak aus Deutschland", 27.5)]
    fields = {k: v["value"] for k, v in result["fields"].items()}
    assert (fields["subtotal"], fields["tax_total"], fields["total"]) == (37.5, 3.83, 41.33)
    assert fields["vendor_name"] == "MUSTERLIEFERANT GMBH"  # not the identifiers above it
    assert "Copyright" not in result["text"]


def test_a_premium_notice_without_a_table_header_has_the_amounts_that_add_up_to_its_net_and_its_letter_date():
    result = _read(_pdf([
        (20, 20, "MVM Versicherungsverein a.G."), (20, 40, "Herrn Max Mustermann"),
        (20, 60, "Beitragsrechnung"), (150, 60, "24. Januar 2014"),
        (20, 80, "Folgende Risiken sind versichert:"),
        (20, 86, "Privathaftpflicht"), (90, 86, "50,00 EUR"),
        (20, 91, "Lebensgefährte/in zur Privathaftpflicht"), (90, 91, "0,00 EUR"),
        (20, 96, "Gesamtbeitrag"), (90, 96, "50,00 EUR"),
        (20, 101, "Versicherungsteuer 19 %"), (90, 101, "9,50 EUR"),
        (20, 106, "Rechnungsbetrag"), (90, 106, "59,50 EUR"),
    ]))
    assert [(i["description"], i["amount"]) for i in result["line_items"]] == [
        ("Privathaftpflicht", 50.0), ("Lebensgefährte/in zur Privathaftpflicht", 0.0)]
    fields = {k: v["value"] for k, v in result["fields"].items()}
    assert (fields["invoice_date"], fields["subtotal"], fields["tax_total"], fields["total"]) == ("2014-01-24", 50.0, 9.5, 59.5)


def test_a_total_column_over_the_items_is_not_the_total_and_dates_follow_the_documents_own_order():
    result = _read(_pdf([
        (20, 20, "Au bon moulin SARL"), (20, 30, "Invoice Date"), (60, 30, "11/03/2017"),
        (20, 36, "Paid on"), (60, 36, "11/17/2017"),  # cannot be day-first: this document writes month first
        (20, 60, "Amount"), (40, 60, "Product"), (110, 60, "VAT"), (130, 60, "Price"), (170, 60, "Total"),
        (20, 66, "1.00"), (40, 66, "Design (hours)"), (110, 66, "7%"), (130, 66, "160.00 EUR"), (170, 66, "160.00 EUR"),
        (20, 72, "400.00"), (40, 72, "Ballons"), (110, 72, "19%"), (130, 72, "0.79 EUR"), (170, 72, "316.00 EUR"),
        (20, 84, "Net total: 476.00 EUR"), (20, 90, "VAT total: 71.24 EUR"), (20, 96, "Due payable: 547.24 EUR"),
    ]))
    fields = {k: v["value"] for k, v in result["fields"].items()}
    assert (fields["invoice_date"], fields["total"]) == ("2017-11-03", 547.24)
    assert [i["amount"] for i in result["line_items"]] == [160.0, 316.0]


@pytest.mark.parametrize("text, day", [("29 maart 2014", "2014-03-29"), ("August 3 , 2014", "2014-08-03"), ("7. Mai 2014", "2014-05-07"),
                                       ("8-9-2022", "2022-09-08")])
def test_dates_are_read_as_invoices_print_them(text, day):
    from smartretail.documents.extraction import invoice_date

    assert invoice_date(text, month_first=False) == day


def test_a_row_of_dutch_labels_has_its_values_below_and_a_title_is_not_a_number():
    found = expense_fields(_lines(
        ("FACTUUR.", 0.1, 0.05), ("Dat betaal ik zelf wel.", 0.1, 0.07),
        ("Klant", 0.05, 0.20), ("Order", 0.25, 0.20), ("Factuur datum", 0.45, 0.20), ("Factuur", 0.62, 0.20), ("Vervaldatum", 0.8, 0.20),
        ("SCONL0303006280999", 0.05, 0.22), ("SCONL000000444", 0.25, 0.22), ("8-9-2022", 0.47, 0.22), ("VF1005193039", 0.62, 0.22),
        ("22-9-2022", 0.8, 0.22),
        ("Booking ID", 0.45, 0.30), ("Payment Mode", 0.62, 0.30), ("IBZY2087", 0.45, 0.32), ("Cash at Hotel", 0.62, 0.32),
    ))
    got = {(f.kind, f.value) for f in found}
    assert {("INVOICE_RECEIPT_DATE", "8-9-2022"), ("INVOICE_RECEIPT_ID", "VF1005193039"), ("DUE_DATE", "22-9-2022"),
            ("INVOICE_RECEIPT_ID", "IBZY2087")} <= got
    extracted = extract_invoice(_response([{"Type": {"Text": f.kind}, "LabelDetection": {"Text": f.label}, "PageNumber": 1,
                                            "ValueDetection": {"Text": f.value, "Confidence": 99.0}} for f in found]))
    assert extracted["fields"]["invoice_number"]["value"] == "VF1005193039"  # not 'Dat betaal ik zelf wel.'


def test_a_french_invoice_title_a_due_date_and_a_totals_row_of_net_tax_and_gross():
    found = expense_fields(_lines(
        ("Facture n°562044387 du 02 Juillet 2015", 0.05, 0.10),
        ("Date limite de paiement le 05 Juillet 2015", 0.05, 0.12),
        ("Total facture", 0.05, 0.30), ("24.99", 0.55, 0.30), ("5.00", 0.7, 0.30), ("29.99", 0.85, 0.30),
    ))
    got = {(f.kind, f.value) for f in found}
    assert {("INVOICE_RECEIPT_ID", "562044387"), ("INVOICE_RECEIPT_DATE", "02 Juillet 2015"), ("SUBTOTAL", "24.99"),
            ("TAX", "5.00"), ("TOTAL", "29.99")} <= got
    assert not [f for f in found if f.kind == "INVOICE_RECEIPT_DATE" and "05" in f.value]  # the due date is not the invoice's
