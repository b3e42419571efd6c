"""Each ledger change judged on its own diff: learnbot's append, or the line it broke."""

from __future__ import annotations

import pytest

from bot.core import anchoring, ledger
from bot.model import trailers
from bot.model.ledger import LedgerChange

BOT = "learnbot@users.noreply.github.com"


def sealed(count: int, after: bytes = b"") -> bytes:
    data, _ = ledger.seal(
        [{"type": "promotion", "n": i} for i in range(count)], ledger.verify(after).tail
    )
    return after + data


def change(
    before: bytes, after: bytes, *, email: str = BOT, head: str | None = None, count: int = 1
) -> LedgerChange:
    named = ledger.verify(after).tail.sha256 if head is None else head
    found = {trailers.LEDGER: (f"{count} entries through abc, head {named}",)} if count else {}
    return LedgerChange("c" * 40, email, found, "ledgers/l.jsonl", before, after)


def judge(item: LedgerChange) -> list[tuple[int, str]]:
    return [(f.line, f.reason) for f in anchoring.check([item], author_email=BOT)]


def test_learnbots_append_and_an_unchanged_file_pass() -> None:
    two = sealed(2)
    assert judge(change(two, sealed(1, two))) == []
    assert judge(change(b"", b"", email="someone@example.com", count=0)) == []


def test_a_rewrite_names_the_first_changed_line() -> None:
    two = sealed(3)
    parts = two.split(b"\n")
    edited = b"\n".join([parts[0], parts[2], parts[1], *parts[3:]])
    assert judge(change(two, edited)) == [(2, "rewrites history: a ledger commit may only append")]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"email": "Mallory@Example.com"}, "appended by Mallory@Example.com, not by learnbot"),
        ({"count": 0}, "appended without one Learnbot-Ledger trailer naming its head"),
        ({"head": "e" * 64}, "the trailer names head eeeeeeeeeeeeeeee, the ledger ends at"),
    ],
)
def test_an_append_that_is_not_learnbots_is_named_at_its_first_line(
    kwargs: dict[str, object], reason: str
) -> None:
    two = sealed(2)
    ((line, found),) = judge(change(two, sealed(1, two), **kwargs))  # type: ignore[arg-type]
    assert line == 3 and found.startswith(reason)


def test_an_append_that_breaks_the_chain_is_named_where_it_breaks() -> None:
    two = sealed(2)
    assert judge(change(two, two + b"{not json\n"))[0][0] == 3


def test_trailer_head_needs_exactly_one_trailer_with_a_head() -> None:
    head = "a" * 64
    assert anchoring.trailer_head({trailers.LEDGER: (f"1 entries through x, head {head}",)}) == head
    assert anchoring.trailer_head({trailers.LEDGER: ("1 entries through x",)}) is None
    assert anchoring.trailer_head({trailers.LEDGER: ("head " + head, "head " + head)}) is None
    assert str(anchoring.Finding("d" * 40, "ledgers/l.jsonl", 4, "why")) == (
        "ledgers/l.jsonl:4: dddddddddddd: why"
    )
