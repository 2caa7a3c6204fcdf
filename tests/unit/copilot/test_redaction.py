"""Personal data is replaced before text reaches a model or a log; amounts, dates, SKUs, invoice
numbers and store ids are not personal and stay."""

import pytest

from smartretail.copilot.redaction import redact


@pytest.mark.parametrize("text, expected, kind", [
    ("Write to max.muster@musterlieferant.de today", "Write to [EMAIL] today", "EMAIL"),
    ("Telefon: +49 932 431 500", "Telefon: [PHONE]", "PHONE"),
    ("call (0711) 123 45 67 or 080 100 444 66", "call [PHONE] or [PHONE]", "PHONE"),
    ("IBAN DE08 7009 0100 1234 5678 90", "IBAN [IBAN]", "IBAN"),
    ("paid with 4111 1111 1111 1111", "paid with [CARD]", "CARD"),
    ("GSTIN 29ABCDE1234F1Z6 of the seller", "GSTIN [GSTIN] of the seller", "GSTIN"),
    ("PAN: AAPFU0939F", "PAN: [PAN]", "PAN"),
    ("Attn: Hans Muster, Kundenstraße 15", "Attn: [NAME], Kundenstraße 15", "NAME"),
    ("Sehr geehrter Herr Mustermann,", "Sehr geehrter Herr [NAME],", "NAME"),
])
def test_personal_data_is_replaced_by_its_kind(text, expected, kind):
    out = redact(text)
    assert out.text == expected and out.found == {kind: expected.count(f"[{kind}]")}


def test_business_figures_and_ids_are_not_personal():
    text = ("Invoice INV/26/0042 of 2026-09-30: total 1,234.56 EUR, 12 x BEV-001 in S01, order 4500012345, "
            "contract 4373029, due 05.08.2013, card 1234 5678 9012 3456")  # not a valid card number (Luhn)
    assert redact(text).text == text


def test_a_kind_the_question_needs_is_kept():
    text = "Is GSTIN 29ABCDE1234F1Z6 valid? Contact max@shop.in"
    assert redact(text, keep=frozenset({"GSTIN"})).text == "Is GSTIN 29ABCDE1234F1Z6 valid? Contact [EMAIL]"
