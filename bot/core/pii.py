"""PII redaction before anything is committed (001/002): e-mails, phones, cards, US SSNs.

A digit run is a card number only when it passes the Luhn check, so order ids and
timestamps survive; SSNs follow the SSA's rules (no 000, 666 or 9xx area, no 00 group,
no 0000 serial). Redaction is idempotent: redacting a redacted text changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SSN = re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b")
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}(?![\w])"
)
MARKS = {"email": "[email]", "ssn": "[ssn]", "card": "[card]", "phone": "[phone]"}


def luhn(number: str) -> bool:
    """The Luhn checksum of the digits in `number` (separators ignored)."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 == 1 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def redact_text(text: str, counts: Counter[str] | None = None) -> str:
    """`text` with every e-mail, SSN, Luhn-valid card number and phone number masked."""
    found = counts if counts is not None else Counter()

    def mask(kind: str) -> Any:
        def replace(match: re.Match[str]) -> str:
            if kind == "card" and not luhn(match.group(0)):
                return match.group(0)
            found[kind] += 1
            return MARKS[kind]

        return replace

    text = EMAIL.sub(mask("email"), text)
    text = SSN.sub(mask("ssn"), text)
    text = CARD.sub(mask("card"), text)
    return PHONE.sub(mask("phone"), text)


def redact(value: Any, counts: Counter[str] | None = None) -> Any:
    """Every string inside `value` (keys kept) redacted; other values unchanged."""
    if isinstance(value, str):
        return redact_text(value, counts)
    if isinstance(value, Mapping):
        return {k: redact(v, counts) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, counts) for v in value]
    return value
