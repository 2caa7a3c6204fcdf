"""Validation rules: each kind, the versioned policy in every result, pass / fail / needs_review."""

from datetime import date

from smartretail.documents import gstin
from smartretail.documents.rules import load_policy, validate

TODAY = date(2026, 11, 21)
VENDOR = gstin.make("29", "ABCPD1234E")


def field(value, confidence=0.99):
    return {"value": value, "confidence": confidence}


def invoice(**changes):
    doc = {"doc_type": "invoice", "reading_confidence": 0.99, "illegible_lines": 0,
           "fields": {"vendor_name": field("Deccan Packaging"), "vendor_gstin": field(VENDOR), "invoice_number": field("INV/1"),
                      "invoice_date": field("2026-10-01"), "subtotal": field(1000.0), "total": field(1180.0)},
           "taxes": [{"type": "CGST", "rate": 9.0, "amount": 90.0}, {"type": "SGST", "rate": 9.0, "amount": 90.0}],
           "line_items": [{"description": "A", "quantity": 2, "unit_price": 250.0, "amount": 500.0},
                          {"description": "B", "quantity": 5, "unit_price": 100.0, "amount": 500.0}]}
    for key, value in changes.items():
        if key in ("taxes", "line_items", "reading_confidence", "illegible_lines"):
            doc[key] = value
        elif value is None:
            doc["fields"].pop(key)
        else:
            doc["fields"][key] = value
    return doc


def failed(result):
    return [r["rule"] for r in result["rules"] if not r["passed"]]


def test_a_correct_invoice_passes_and_the_result_names_the_rule_version():
    result = validate(invoice(), TODAY)
    assert result["status"] == "pass"
    assert result["rule_version"] == load_policy("invoice")["version"]
    assert not result["reasons"]


def test_each_broken_invoice_fails_the_rule_it_breaks_with_a_reason():
    cases = {
        "vendor_gstin_valid": invoice(vendor_gstin=field(VENDOR[:-1] + ("A" if VENDOR[-1] != "A" else "B"))),
        "totals_add_up": invoice(total=field(1680.0)),
        "tax_rates_allowed": invoice(taxes=[{"type": "IGST", "rate": 15.0, "amount": 150.0}], total=field(1150.0)),
        "one_tax_regime": invoice(taxes=[{"type": "CGST", "rate": 9.0, "amount": 90.0}, {"type": "IGST", "rate": 9.0, "amount": 90.0}]),
        "taxes_match_rates": invoice(taxes=[{"type": "CGST", "rate": 9.0, "amount": 60.0}, {"type": "SGST", "rate": 9.0, "amount": 120.0}]),
        "line_items_sum_to_subtotal": invoice(line_items=[{"description": "A", "quantity": 2, "unit_price": 250.0, "amount": 500.0}]),
        "invoice_date_plausible": invoice(invoice_date=field("2027-01-01")),
        "required_fields": invoice(invoice_number=None),
    }
    for rule, document in cases.items():
        result = validate(document, TODAY)
        assert result["status"] == "fail", (rule, result["reasons"])
        assert rule in failed(result), (rule, result["reasons"])
        assert all(reason for reason in result["reasons"])


def test_an_invoice_before_gst_began_is_implausible():
    result = validate(invoice(invoice_date=field("2016-03-31")), TODAY)
    assert "invoice_date_plausible" in failed(result)
    assert "2017-07-01" in result["reasons"][0]


def test_a_duplicate_of_the_same_vendor_and_number_is_flagged_with_the_earlier_document():
    result = validate(invoice(), TODAY, is_duplicate=lambda keys: "doc-1" if keys["invoice_number"] == "INV/1" else None)
    assert failed(result) == ["duplicate_invoice"]
    assert "doc-1" in result["reasons"][0]


def test_a_failure_on_a_field_read_with_low_confidence_needs_review_instead():
    result = validate(invoice(total=field(1680.0, confidence=0.4)), TODAY)
    assert result["status"] == "needs_review"
    assert result["low_confidence_fields"] == ["total"]


def test_a_missing_field_on_a_partly_illegible_page_needs_review_but_on_a_clear_page_fails():
    assert validate(invoice(invoice_number=None, illegible_lines=2), TODAY)["status"] == "needs_review"
    assert validate(invoice(invoice_number=None), TODAY)["status"] == "fail"


def test_certificates_check_the_registration_number_and_validity():
    certificate = {"doc_type": "gst_certificate", "fields": {"holder_name": field("Lotus Home Supplies"), "gstin": field(VENDOR),
                                                             "valid_from": field("2019-07-01")}}
    assert validate(certificate, TODAY)["status"] == "pass"
    expired = {**certificate, "fields": {**certificate["fields"], "valid_to": field("2024-03-31")}}
    result = validate(expired, TODAY)
    assert failed(result) == ["still_valid"]
    assert "expired on 2024-03-31" in result["reasons"][0]
