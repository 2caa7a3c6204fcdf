"""India's GST identification number: 15 characters, state code + PAN + entity + 'Z' + check character.

The check character is a base-36 Luhn-style sum over the first 14: each character's value (0-9, A-Z
= 10-35) times alternating weights 1, 2; each product contributes its quotient and remainder by 36;
the check is what brings the sum to a multiple of 36.
"""

import re

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FORMAT = re.compile(r"^(\d{2})([A-Z]{5}\d{4}[A-Z])([1-9A-Z])Z([0-9A-Z])$")
STATE_CODES = {f"{i:02d}" for i in range(1, 39)} | {"97", "99"}  # 97: other territory, 99: centre jurisdiction


def check_character(first14: str) -> str:
    total = 0
    for i, char in enumerate(first14):
        product = ALPHABET.index(char) * (2 if i % 2 else 1)
        total += product // 36 + product % 36
    return ALPHABET[(36 - total % 36) % 36]


def normalise(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def problem(value: str) -> str | None:
    """Why `value` is not a valid GSTIN, or None when it is."""
    gstin = normalise(value)
    if len(gstin) != 15:
        return f"{value!r} has {len(gstin)} characters; a GSTIN has 15"
    match = FORMAT.match(gstin)
    if not match:
        return f"{gstin} does not follow the GSTIN pattern (2-digit state, PAN, entity, Z, check character)"
    if match.group(1) not in STATE_CODES:
        return f"{gstin} starts with {match.group(1)}, which is not an Indian state code"
    expected = check_character(gstin[:14])
    if gstin[14] != expected:
        return f"{gstin} has check character {gstin[14]} but its first 14 characters give {expected}: a digit is mistyped"
    return None


def make(state: str, pan: str, entity: str = "1") -> str:
    """A valid GSTIN for a state code and PAN (test data, examples)."""
    first14 = f"{state}{pan}{entity}Z"
    return first14 + check_character(first14)


# Characters OCR confuses, by what the position must hold.
_AS_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7"})
_AS_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "7": "T", "4": "A"})
_DIGIT_POSITIONS = (0, 1, 7, 8, 9, 10)
_LETTER_POSITIONS = (2, 3, 4, 5, 6, 11)


def repair(token: str) -> str:
    """A 15-character token with OCR's usual confusions undone where the position allows only digits
    or only letters; the entity and check characters may be either, so only a 0/O check character
    that the checksum settles is read back."""
    chars = list(normalise(token))
    if len(chars) != 15:
        return "".join(chars)
    for i in _DIGIT_POSITIONS:
        chars[i] = chars[i].translate(_AS_DIGIT)
    for i in _LETTER_POSITIONS:
        chars[i] = chars[i].translate(_AS_LETTER)
    if chars[13] == "2":
        chars[13] = "Z"
    # The check character may be a digit or a letter, but 0 and O are drawn alike in many typefaces
    # (a POS printer's monospace): where the other one is what the first 14 give, it was that one.
    swapped = {"0": "O", "O": "0"}.get(chars[14])
    first14 = "".join(chars[:14])
    if swapped and FORMAT.match(first14 + swapped) and check_character(first14) == swapped:
        chars[14] = swapped
    return "".join(chars)
