"""Validation rules as policy-as-code: one JSON file per document type under `policies/`, with a
version that every result carries, so a result can always be traced to the rules that produced it.

A rule file lists rules by `kind`; this module knows how to check each kind. The outcome:
- `fail`: a rule failed on fields read with confidence (every failed rule gives a reason to act on);
- `needs_review`: something failed or is missing, but only on fields the reading is unsure of (below
  the policy's `min_confidence`), so a person should look before anyone calls it non-compliant;
- `pass`: every rule holds.

Standard library only: this runs in Lambda functions.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from . import gstin

POLICIES = Path(__file__).parent / "policies"
DOC_TYPES = ("invoice", "gst_certificate", "receipt")


# An invoice is checked by the rules of its tax regime: GST rules only on Indian GST invoices.
INVOICE_POLICIES = {"in_gst": "invoice", "eu_vat": "invoice_eu_vat", "none": "invoice_generic"}


@lru_cache(maxsize=None)
def load_policy(doc_type: str, regime: str | None = None) -> dict[str, Any]:
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}: one of {', '.join(DOC_TYPES)}")
    name = INVOICE_POLICIES[regime or "in_gst"] if doc_type == "invoice" else doc_type
    return json.loads((POLICIES / f"{name}.json").read_text())


@dataclass
class RuleResult:
    rule: str
    passed: bool
    reason: str = ""
    fields: list[str] = field(default_factory=list)
    skipped: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _value(document: dict[str, Any], name: str) -> Any:
    found = document.get("fields", {}).get(name)
    return found.get("value") if isinstance(found, dict) else found


def _confidence(document: dict[str, Any], name: str) -> float:
    found = document.get("fields", {}).get(name)
    return float(found.get("confidence", 1.0)) if isinstance(found, dict) and found.get("value") is not None else 0.0


def _amount(document: dict[str, Any], name: str) -> float | None:
    value = _value(document, name)
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _required(rule, document, today, is_duplicate) -> RuleResult:
    missing = [f for f in rule["fields"] if _value(document, f) in (None, "")]
    if missing:
        return RuleResult(rule["id"], False, f"missing {', '.join(missing)}: {rule.get('message', '')}".rstrip(": "), missing)
    return RuleResult(rule["id"], True, fields=list(rule["fields"]))


def _gstin(rule, document, today, is_duplicate) -> RuleResult:
    value = _value(document, rule["field"])
    if value in (None, ""):
        return RuleResult(rule["id"], True, f"no {rule['field']} to check", [rule["field"]], skipped=True)
    why = gstin.problem(str(value))
    return RuleResult(rule["id"], why is None, f"{rule['field']}: {why}" if why else "", [rule["field"]])


def _tax_rates(rule, document, today, is_duplicate) -> RuleResult:
    allowed = {float(r) for r in rule["allowed"]}
    bad = [t for t in document.get("taxes", []) if t.get("rate") is not None and float(t["rate"]) not in allowed]
    if bad:
        listed = ", ".join(f"{t['type']} {t['rate']:g}%" for t in bad)
        return RuleResult(rule["id"], False, f"{listed} is not an allowed rate: {rule.get('message', '')}", ["taxes"])
    return RuleResult(rule["id"], True, fields=["taxes"])


def _tax_regime(rule, document, today, is_duplicate) -> RuleResult:
    kinds = {t["type"] for t in document.get("taxes", [])}
    if "IGST" in kinds and kinds & {"CGST", "SGST"}:
        return RuleResult(rule["id"], False, f"charges {', '.join(sorted(kinds))}: {rule['message']}", ["taxes"])
    if ("CGST" in kinds) != ("SGST" in kinds):
        return RuleResult(rule["id"], False, "CGST and SGST come in pairs of the same rate; only one is charged", ["taxes"])
    pair = {t["type"]: t.get("rate") for t in document.get("taxes", []) if t["type"] in ("CGST", "SGST")}
    if len(pair) == 2 and pair["CGST"] != pair["SGST"]:
        return RuleResult(rule["id"], False, f"CGST {pair['CGST']}% and SGST {pair['SGST']}% differ; they are always equal", ["taxes"])
    return RuleResult(rule["id"], True, fields=["taxes"])


def _tax_amounts(rule, document, today, is_duplicate) -> RuleResult:
    subtotal = _amount(document, "subtotal")
    if subtotal is None:
        return RuleResult(rule["id"], True, "no subtotal to check taxes against", ["taxes"], skipped=True)
    wrong = [t for t in document.get("taxes", []) if t.get("rate") is not None and t.get("amount") is not None
             and abs(subtotal * float(t["rate"]) / 100 - float(t["amount"])) > rule["tolerance"]]
    if wrong:
        t = wrong[0]
        return RuleResult(rule["id"], False, f"{t['type']} at {t['rate']:g}% of {subtotal:.2f} is {subtotal * t['rate'] / 100:.2f}, "
                                             f"but the invoice charges {float(t['amount']):.2f}", ["taxes", "subtotal"])
    return RuleResult(rule["id"], True, fields=["taxes", "subtotal"])


def _totals(rule, document, today, is_duplicate) -> RuleResult:
    subtotal, total = _amount(document, "subtotal"), _amount(document, "total")
    if subtotal is None or total is None:
        return RuleResult(rule["id"], True, "no subtotal or total to compare", ["subtotal", "total"], skipped=True)
    taxes = sum(float(t["amount"]) for t in document.get("taxes", []) if t.get("amount") is not None)
    if not document.get("taxes") and _amount(document, "tax_total") is not None:
        taxes = _amount(document, "tax_total") or 0.0  # VAT and sales tax are read as one total
    expected = subtotal + taxes + (_amount(document, "round_off") or 0.0)
    if abs(expected - total) > rule["tolerance"]:
        return RuleResult(rule["id"], False, f"subtotal {subtotal:.2f} + taxes {taxes:.2f} = {expected:.2f}, but the total says "
                                             f"{total:.2f} (off by {total - expected:+.2f})", ["subtotal", "taxes", "total"])
    return RuleResult(rule["id"], True, fields=["subtotal", "taxes", "total"])


def _line_items(rule, document, today, is_duplicate) -> RuleResult:
    items = document.get("line_items", [])
    subtotal = _amount(document, "subtotal")
    if not items or subtotal is None:
        return RuleResult(rule["id"], True, "no line items to add up", ["line_items", "subtotal"], skipped=True)
    for i, item in enumerate(items, 1):
        if None not in (item.get("quantity"), item.get("unit_price"), item.get("amount")):
            if abs(item["quantity"] * item["unit_price"] - item["amount"]) > rule["tolerance"]:
                return RuleResult(rule["id"], False, f"line {i} ({item.get('description', '')}): {item['quantity']:g} x "
                                                     f"{item['unit_price']:.2f} is not {item['amount']:.2f}", ["line_items"])
    summed = sum(float(item["amount"]) for item in items if item.get("amount") is not None)
    if abs(summed - subtotal) > rule["tolerance"]:
        return RuleResult(rule["id"], False, f"the {len(items)} line items add up to {summed:.2f}, not the subtotal {subtotal:.2f}",
                          ["line_items", "subtotal"])
    return RuleResult(rule["id"], True, fields=["line_items", "subtotal"])


def _vat_id(rule, document, today, is_duplicate) -> RuleResult:
    from .invoices import tax_id

    value = _value(document, rule["field"])
    if value in (None, ""):
        return RuleResult(rule["id"], True, f"no {rule['field']} to check", [rule["field"]], skipped=True)
    found = tax_id(str(value))
    if found is None or found[0] != "eu_vat":
        return RuleResult(rule["id"], False, f"{rule['field']} {value!r} is not an EU VAT identification number "
                                             "(a country prefix such as DE and its digits)", [rule["field"]])
    return RuleResult(rule["id"], True, fields=[rule["field"]])


def _date(rule, document, today, is_duplicate) -> RuleResult:
    value = _value(document, rule["field"])
    if not value:
        return RuleResult(rule["id"], True, f"no {rule['field']} to check", [rule["field"]], skipped=True)
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return RuleResult(rule["id"], False, f"{rule['field']} {value!r} is not a date", [rule["field"]])
    if day > today:
        return RuleResult(rule["id"], False, f"{rule['field']} {day} is in the future", [rule["field"]])
    floor = rule.get("not_before")
    if floor and day < date.fromisoformat(floor):
        return RuleResult(rule["id"], False, f"{rule['field']} {day} is before {floor}: {rule.get('message', '')}", [rule["field"]])
    return RuleResult(rule["id"], True, fields=[rule["field"]])


def _validity(rule, document, today, is_duplicate) -> RuleResult:
    start, end = _value(document, rule["from"]), _value(document, rule["to"])
    if start and date.fromisoformat(start) > today:
        return RuleResult(rule["id"], False, f"valid only from {start}", [rule["from"]])
    if end and date.fromisoformat(end) < today:
        return RuleResult(rule["id"], False, f"expired on {end}: ask the supplier for a current certificate", [rule["to"]])
    if end and start and date.fromisoformat(end) < date.fromisoformat(start):
        return RuleResult(rule["id"], False, f"valid to {end} is before valid from {start}", [rule["from"], rule["to"]])
    return RuleResult(rule["id"], True, fields=[rule["from"], rule["to"]])


def _duplicate(rule, document, today, is_duplicate) -> RuleResult:
    keys = {k: _value(document, k) for k in rule["keys"]}
    if None in keys.values() or is_duplicate is None:
        return RuleResult(rule["id"], True, "nothing to compare", rule["keys"], skipped=True)
    earlier = is_duplicate(keys)
    if earlier:
        issuer = next((v for k, v in keys.items() if k != "invoice_number"), "")
        return RuleResult(rule["id"], False, f"invoice {keys.get('invoice_number')} of {issuer} was already "
                                             f"uploaded as {earlier}: paying it twice would be a loss", rule["keys"])
    return RuleResult(rule["id"], True, fields=rule["keys"])


CHECKS: dict[str, Callable[..., RuleResult]] = {
    "required": _required, "gstin": _gstin, "tax_rates": _tax_rates, "tax_regime": _tax_regime, "tax_amounts": _tax_amounts,
    "totals": _totals, "line_items": _line_items, "date": _date, "validity": _validity, "duplicate": _duplicate,
    "vat_id": _vat_id,
}


def validate(document: dict[str, Any], today: date, is_duplicate: Callable[[dict[str, Any]], str | None] | None = None,
             ) -> dict[str, Any]:
    """Check an extracted document against its type's policy. `is_duplicate(keys)` answers the ID of
    an earlier document of the tenant with the same keys, or None."""
    policy = load_policy(document["doc_type"], document.get("tax_regime"))
    results = [CHECKS[rule["kind"]](rule, document, today, is_duplicate) for rule in policy["rules"]]
    threshold = policy["min_confidence"]
    failed = [r for r in results if not r.passed]
    unsure = sorted({f for r in failed for f in r.fields if f in document.get("fields", {}) and
                     _value(document, f) not in (None, "") and _confidence(document, f) < threshold})
    # A field missing from a page read with little confidence, or with illegible lines, may be there
    # but unread: a person checks before anyone calls the document incomplete.
    reading_unsure = float(document.get("reading_confidence", 1.0)) < threshold or document.get("illegible_lines", 0) > 0
    kinds = {rule["id"]: rule["kind"] for rule in policy["rules"]}
    # A rule whose inputs SmartRetail may read only in part (several VAT rates, shipping, a national tax
    # number instead of a VAT id) sends its failure to a person rather than failing the document.
    review_only = {rule["id"] for rule in policy["rules"] if rule.get("review_only")}
    certain_failures = [r for r in failed if not (set(r.fields) & set(unsure)) and r.rule not in review_only
                        and not (kinds[r.rule] == "required" and reading_unsure)]
    if certain_failures:
        status = "fail"
    elif failed:
        status = "needs_review"
    else:
        status = "pass"
    confidences = [_confidence(document, f) for f in document.get("fields", {}) if _value(document, f) not in (None, "")]
    return {
        "status": status, "rule_version": policy["version"],
        **({"tax_regime": document["tax_regime"]} if document.get("tax_regime") else {}),
        "confidence": round(min(confidences), 3) if confidences else 0.0,
        "reasons": [r.reason for r in failed],
        "low_confidence_fields": unsure,
        "rules": [r.to_json() for r in results],
    }
