"""Personal data out of what reaches a model and the logs: e-mail addresses, phone numbers, IBANs,
card numbers, GSTINs and PANs (unless the question needs them: "is this GSTIN valid?"), and names
written after a title or a contact label. Each is replaced by its kind in brackets, so a model can
still say "the supplier's e-mail" without seeing it."""

import re
from dataclasses import dataclass, field

from ..documents.invoices import GSTIN_ID, PAN_ID

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
# A phone number: an international prefix or a leading zero or area code in brackets, then at least
# eight more digits in groups; never a decimal amount, a date or an id with letters.
_PHONE = re.compile(r"(?<![\w.,/-])(?:\+\d{1,3}[\s.-]?|\(0?\d{2,5}\)\s?|0)\d[\d\s./-]{6,}\d(?![\w.,/-]*\d)")
_NAMED = re.compile(r"\b(Mr|Mrs|Ms|Dr|Herr|Frau|Shri|Smt|Attn|ATTN|Contact|Kontakt|Ansprechpartner)\b\.?:?\s+"
                    r"((?:[A-ZÄÖÜ][\w'’-]+)(?:\s+[A-ZÄÖÜ][\w'’-]+){0,2})")


def _luhn(digits: str) -> bool:
    total, double = 0, False
    for d in reversed(digits):
        n = int(d) * (2 if double else 1)
        total += n - 9 if n > 9 else n
        double = not double
    return total % 10 == 0


@dataclass
class Redacted:
    text: str
    found: dict[str, int] = field(default_factory=dict)


def redact(text: str, keep: frozenset[str] = frozenset()) -> Redacted:
    """`text` with personal data replaced by [EMAIL], [PHONE], [IBAN], [CARD], [GSTIN], [PAN], [NAME];
    kinds in `keep` (e.g. {"GSTIN"} when the question is about one) are left as they are."""
    found: dict[str, int] = {}

    def sub(kind: str, pattern: re.Pattern[str], value: str, check=None, group: int = 0) -> str:
        if kind in keep:
            return value

        def replace(match: re.Match[str]) -> str:
            if check is not None and not check(match.group(0)):
                return match.group(0)
            found[kind] = found.get(kind, 0) + 1
            return match.group(0).replace(match.group(group), f"[{kind}]") if group else f"[{kind}]"
        return pattern.sub(replace, value)

    text = sub("EMAIL", _EMAIL, text)
    text = sub("IBAN", _IBAN, text, lambda v: sum(c.isdigit() for c in v) >= 10)
    text = sub("GSTIN", GSTIN_ID, text)
    text = sub("PAN", PAN_ID, text)
    text = sub("CARD", _CARD, text, lambda v: _luhn(re.sub(r"\D", "", v)))
    text = sub("PHONE", _PHONE, text, lambda v: sum(c.isdigit() for c in v) >= 9)
    text = sub("NAME", _NAMED, text, group=2)
    return Redacted(text, found)

