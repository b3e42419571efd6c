from __future__ import annotations

import json

import pytest

from bot.core import canonical, ledger


def build(count: int) -> bytes:
    data, _ = ledger.seal(
        [{"type": "promotion", "n": i, "x": i / 3} for i in range(count)], ledger.Tail()
    )
    return data


def lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def join(parts: list[bytes]) -> bytes:
    return b"".join(p + b"\n" for p in parts)


def test_seal_chains_entries_from_genesis() -> None:
    data = build(3)
    entries = list(ledger.entries(data))
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == ledger.GENESIS
    assert entries[1]["prev"] == entries[0]["sha256"]
    assert all(ledger.entry_hash(e) == e["sha256"] for e in entries)
    result = ledger.verify(data)
    assert result.ok and result.entries == 3 and result.tail.sha256 == entries[2]["sha256"]


def test_seal_continues_a_tail() -> None:
    first, tail = ledger.seal([{"type": "a"}], ledger.Tail())
    second, _ = ledger.seal([{"type": "b"}], tail)
    assert ledger.verify(first + second).ok
    assert first + second == ledger.seal([{"type": "a"}, {"type": "b"}], ledger.Tail())[0]


def test_seal_refuses_reserved_fields_and_missing_type() -> None:
    with pytest.raises(ValueError, match="seq"):
        ledger.seal([{"type": "a", "seq": 9}], ledger.Tail())
    with pytest.raises(ValueError, match="type"):
        ledger.seal([{"note": "x"}], ledger.Tail())


def test_empty_ledger_verifies() -> None:
    assert ledger.verify(b"").ok and ledger.verify(b"").entries == 0


def edit(parts: list[bytes]) -> list[bytes]:
    entry = json.loads(parts[2])
    entry["n"] = 99
    parts[2] = canonical.encode(entry)
    return parts


def edit_with_rehash(parts: list[bytes]) -> list[bytes]:
    entry = json.loads(parts[2])
    entry["n"] = 99
    entry["sha256"] = ledger.entry_hash(entry)
    parts[2] = canonical.encode(entry)
    return parts


@pytest.mark.parametrize(
    ("tamper", "line", "reason"),
    [
        (edit, 3, "sha256 does not match"),
        (edit_with_rehash, 4, "prev does not match"),
        (lambda p: p[:2] + p[3:], 3, "seq is 4, expected 3"),
        (lambda p: [*p[:2], p[1], *p[2:]], 3, "seq is 2, expected 3"),
        (lambda p: [p[0], p[2], p[1], *p[3:]], 2, "seq is 3, expected 2"),
        (lambda p: [*p[:3], b"{not json", *p[4:]], 4, "invalid JSON"),
        (
            lambda p: [
                *p[:3],
                json.dumps(json.loads(p[3]), indent=1).encode().replace(b"\n", b""),
                *p[4:],
            ],
            4,
            "not canonical",
        ),
        (lambda p: [*p[:3], b'{"type":"x"}', *p[4:]], 4, "missing field"),
    ],
    ids=[
        "edit",
        "edit-and-rehash",
        "delete",
        "insert",
        "reorder",
        "invalid-json",
        "reencoded",
        "fields",
    ],
)
def test_verify_names_first_bad_line(tamper, line: int, reason: str) -> None:  # type: ignore[no-untyped-def]
    result = ledger.verify(join(tamper(lines(build(5)))))
    assert not result.ok
    assert result.problem is not None
    assert result.problem.line == line
    assert reason in result.problem.reason


def test_verify_detects_torn_last_line() -> None:
    data = build(4)
    torn = data[: len(data) - 15]
    result = ledger.verify(torn)
    assert result.problem == ledger.Problem(4, result.problem.reason) if result.problem else False
    assert "torn" in result.problem.reason
    assert result.entries == 3


def test_verify_detects_truncation_against_committed_copy() -> None:
    data = build(5)
    truncated = join(lines(data)[:3])
    assert ledger.verify(truncated).ok  # a prefix is a valid chain by itself...
    result = ledger.verify(
        truncated, committed=data
    )  # ...but not an extension of what was committed
    assert result.problem is not None
    assert result.problem.line == 4
    assert "truncated" in result.problem.reason and "5 entries" in result.problem.reason


def test_verify_detects_rewritten_history_against_committed_copy() -> None:
    committed = build(3)
    rewritten, _ = ledger.seal([{"type": "other"}] * 4, ledger.Tail())
    result = ledger.verify(rewritten, committed=committed)
    assert result.problem is not None and result.problem.line == 1
    assert "rewritten" in result.problem.reason


def test_verify_accepts_extension_of_committed_copy() -> None:
    committed = build(2)
    tail = ledger.verify(committed).tail
    more, _ = ledger.seal([{"type": "x"}], tail)
    assert ledger.verify(committed + more, committed=committed).ok


def test_read_tail_checks_the_last_entry() -> None:
    data = build(2)
    last = lines(data)[-1] + b"\n"
    assert ledger.read_tail(last).seq == 2
    assert ledger.read_tail(b"") == ledger.Tail()
    with pytest.raises(ValueError, match="torn"):
        ledger.read_tail(last[:-1])
    with pytest.raises(ValueError, match="own sha256"):
        ledger.read_tail(last.replace(b'"n":1', b'"n":7'))


def test_sealed_floats_are_rounded() -> None:
    data, _ = ledger.seal([{"type": "a", "x": 0.1 + 1e-12}], ledger.Tail())
    assert b'"x":0.1}' in data


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b'{"prev":"%s","seq":NaN,"sha256":"%s","type":"x"}', "NaN is not a number"),
        (b"[" * 1000 + b"]" * 1000, "nested deeper than 32 levels"),
        (b'{"prev":"%s","seq":true,"sha256":"%s","type":"x"}', "seq must be an integer"),
        (b'{"prev":"%s","seq":4,"sha256":"%s","type":1}', "type must be a string"),
        (b'{"prev":"%s","seq":4,"sha256":"%s","type":"x","n":"\xff"}', "not UTF-8"),
        (b'{"prev":"%s","seq":4,"sha256":"short","type":"x"}', "sha256 must be a sha256"),
    ],
    ids=["nan", "deep", "seq-true", "type-int", "not-utf8", "short-digest"],
)
def test_verify_reports_hostile_lines_at_their_number(bad: bytes, reason: str) -> None:
    parts = lines(build(5))
    previous = json.loads(parts[2])["sha256"].encode()
    filled = bad.replace(b"%s", previous, 1).replace(b"%s", b"a" * 64, 1)
    result = ledger.verify(join([*parts[:3], filled, *parts[4:]]))
    assert result.problem is not None
    assert (result.problem.line, reason in result.problem.reason) == (4, True), result.problem


def test_an_edit_rehashed_in_place_is_named_at_the_edited_line_given_the_committed_copy() -> None:
    committed = build(5)
    tampered = join(edit_with_rehash(lines(committed)))
    assert ledger.verify(tampered).problem == ledger.Problem(
        4, "prev does not match the previous entry's sha256"
    )  # alone, the chain only shows where it broke
    result = ledger.verify(tampered, committed=committed)
    assert result.problem is not None and result.problem.line == 3
    assert "differs from the committed ledger" in result.problem.reason


def test_read_tail_refuses_a_self_consistent_last_line_without_seq() -> None:
    entry = {"type": "x", "prev": ledger.GENESIS}
    line = canonical.encode({**entry, "sha256": ledger.entry_hash(entry)}) + b"\n"
    with pytest.raises(ValueError, match="does not match its own sha256"):
        ledger.read_tail(line)


def test_ledger_entries_must_be_objects_and_undecodable_lines_are_none() -> None:
    outcome = ledger.verify(b"[1]\n")
    assert not outcome.ok and "an entry must be a JSON object" in str(outcome.problem)
    assert ledger._decode(b"{") is None and ledger._decode(b"[1]") is None
    assert ledger._decode(b'{"a": 1}') == {"a": 1}


def test_verify_appended_checks_only_the_new_lines_numbered_from_the_start() -> None:
    three = build(3)
    five = build(5)
    assert ledger.verify_appended(three, five) == ledger.verify(five)
    assert ledger.verify_appended(b"", five) == ledger.verify(five)
    parts = lines(five)
    edited = join([*parts[:4], parts[4].replace(b'"n":4', b'"n":9')])
    assert ledger.verify_appended(three, edited).problem == ledger.Problem(
        5, "sha256 does not match the entry's content (edited)"
    )
    skipped = join([*parts[:3], parts[4]])
    assert ledger.verify_appended(three, skipped).problem.line == 4  # type: ignore[union-attr]
    torn = three[:-1]
    assert ledger.verify_appended(torn, torn + b"\n").problem is not None
    rewritten = join([parts[1], *parts[1:]])
    assert ledger.verify_appended(three, rewritten).problem.line == 1  # type: ignore[union-attr]
