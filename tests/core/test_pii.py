"""PII redaction: Luhn-checked cards, emails, phones and SSNs masked, everything else kept."""

from __future__ import annotations

import pytest

from bot.core import pii


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("79927398713", True),
        ("4111 1111 1111 1111", True),
        ("4539-5787-6362-1486", True),
        ("4111111111111112", False),
        ("1234567812345678", False),
        ("0", False),
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    assert pii.luhn(number) is valid


def test_redaction_masks_pii_and_keeps_the_rest() -> None:
    text = (
        "mail bob.smith@example.com or call (415) 555-0132; card 4111 1111 1111 1111, "
        "order 1234567812345678, ssn 123-45-6789, not ssn 000-12-3456, +1 650-253-0000"
    )
    counts: pii.Counter[str] = pii.Counter()
    redacted = pii.redact_text(text, counts)
    assert redacted == (
        "mail [email] or call [phone]; card [card], order 1234567812345678, ssn [ssn], "
        "not ssn 000-12-3456, [phone]"
    )
    assert dict(counts) == {"email": 1, "phone": 2, "card": 1, "ssn": 1}
    assert pii.redact_text(redacted) == redacted
    assert pii.redact({"a": ["x@y.io", 3], "b": {"c": "ok"}}) == {
        "a": ["[email]", 3],
        "b": {"c": "ok"},
    }
