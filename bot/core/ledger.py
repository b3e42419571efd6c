"""The hash-chained ledger as bytes: seal entries, verify a file, compare with a committed copy.

Each line is the canonical JSON of one entry. An entry holds `seq` (1 on the first line,
so line number == seq), `type`, `prev` (the `sha256` of the entry before it, GENESIS for
the first) and `sha256` (the digest of the entry's canonical JSON without `sha256`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import canonical, jsonline

GENESIS = "0" * 64
RESERVED = ("seq", "prev", "sha256")
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Tail:
    """Where the chain ends: the next entry continues from here."""

    seq: int = 0
    sha256: str = GENESIS


@dataclass(frozen=True)
class Problem:
    """The first bad line of a ledger and what is wrong with it."""

    line: int
    reason: str


@dataclass(frozen=True)
class Verification:
    """The result of checking one ledger."""

    entries: int
    tail: Tail
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def entry_hash(entry: Mapping[str, Any]) -> str:
    """The digest an entry must carry: canonical JSON of everything but `sha256`."""
    return canonical.digest({k: v for k, v in entry.items() if k != "sha256"})


def seal(payloads: Sequence[Mapping[str, Any]], tail: Tail) -> tuple[bytes, Tail]:
    """Chain `payloads` after `tail`; return the lines to append and the new tail."""
    lines: list[bytes] = []
    for payload in payloads:
        clash = sorted(set(payload) & set(RESERVED))
        if clash or "type" not in payload:
            raise ValueError(f"ledger payload needs 'type' and may not set {clash}")
        entry = {**canonical.normalize(payload), "seq": tail.seq + 1, "prev": tail.sha256}
        sha256 = hashlib.sha256(canonical.dumps_normalized(entry).encode("utf-8")).hexdigest()
        entry["sha256"] = sha256
        lines.append(canonical.dumps_normalized(entry).encode("utf-8") + b"\n")
        tail = Tail(seq=entry["seq"], sha256=sha256)
    return b"".join(lines), tail


def verify(data: bytes, *, committed: bytes | None = None) -> Verification:
    """Check the whole chain; with `committed`, also that `data` only extends it."""
    tail = Tail()
    count = 0
    for number, line, torn in _lines(data):
        entry, problem = _check_line(number, line, torn, tail)
        if problem:
            return Verification(count, tail, _earliest(problem, data, committed))
        tail = Tail(seq=entry["seq"], sha256=entry["sha256"])
        count += 1
    if committed is not None:
        problem = _check_extends(data, committed)
        if problem:
            return Verification(count, tail, problem)
    return Verification(count, tail)


def verify_appended(committed: bytes, data: bytes) -> Verification:
    """Check only the lines `data` appends to `committed`, chained from committed's last entry
    (its own hash checked): a commit-by-commit walk of history verifies each line once, not the
    whole file at every commit (#18). Lines are numbered from the start of the file."""
    if not data.startswith(committed):
        return verify(data, committed=committed)
    before = committed.count(b"\n")
    try:
        tail = read_tail(committed[committed.rstrip(b"\n").rfind(b"\n") + 1 :])
    except ValueError as exc:
        return Verification(0, Tail(), Problem(max(before, 1), str(exc)))
    count = before
    for number, line, torn in _lines(data[len(committed) :]):
        entry, problem = _check_line(before + number, line, torn, tail)
        if problem:
            return Verification(count, tail, problem)
        tail = Tail(seq=entry["seq"], sha256=entry["sha256"])
        count += 1
    return Verification(count, tail)


def _earliest(problem: Problem, data: bytes, committed: bytes | None) -> Problem:
    """The committed copy pins the line really changed: an edit re-hashed in place breaks only
    the next line's `prev`, and naming that neighbour would blame an untouched line."""
    if committed is None:
        return problem
    changed = _check_extends(data, committed)
    return changed if changed is not None and changed.line < problem.line else problem


def read_tail(last_line: bytes) -> Tail:
    """The tail of a ledger from its last line alone, after checking that line's own hash."""
    if not last_line:
        return Tail()
    if not last_line.endswith(b"\n"):
        raise ValueError("the last line is torn (no newline): an append was interrupted")
    entry = _decode(last_line[:-1])
    if (
        entry is None
        or any(key not in entry for key in (*RESERVED, "type"))
        or _mistyped(entry)
        or entry_hash(entry) != entry["sha256"]
    ):
        raise ValueError("the last entry does not match its own sha256")
    return Tail(seq=entry["seq"], sha256=entry["sha256"])


def entries(data: bytes) -> Iterator[dict[str, Any]]:
    """Parse the entries of a ledger that has been verified."""
    for _, line, _ in _lines(data):
        yield json.loads(line)


def _lines(data: bytes) -> Iterator[tuple[int, bytes, bool]]:
    if not data:
        return
    body = data[:-1] if data.endswith(b"\n") else data
    parts = body.split(b"\n")
    for index, line in enumerate(parts, start=1):
        yield index, line, index == len(parts) and not data.endswith(b"\n")


def _check_line(
    number: int, line: bytes, torn: bool, tail: Tail
) -> tuple[dict[str, Any], Problem | None]:
    if torn:
        return {}, Problem(number, "torn: the last line has no newline (an append was interrupted)")
    try:
        entry = jsonline.loads(line)
    except jsonline.LineError as exc:
        return {}, Problem(number, str(exc))
    if not isinstance(entry, dict):
        return {}, Problem(number, "an entry must be a JSON object")
    missing = [key for key in (*RESERVED, "type") if key not in entry]
    if missing:
        return entry, Problem(number, f"missing field(s) {', '.join(missing)}")
    wrong = _mistyped(entry)
    if wrong:
        return entry, Problem(number, wrong)
    normalized = canonical.normalize(entry)
    if canonical.dumps_normalized(normalized).encode("utf-8") != line:
        return entry, Problem(number, "not canonical JSON (the line was re-encoded or edited)")
    if entry["seq"] != tail.seq + 1:
        return entry, Problem(number, f"seq is {entry['seq']}, expected {tail.seq + 1}")
    if entry["prev"] != tail.sha256:
        return entry, Problem(number, "prev does not match the previous entry's sha256")
    del normalized["sha256"]
    body = canonical.dumps_normalized(normalized).encode("utf-8")
    if hashlib.sha256(body).hexdigest() != entry["sha256"]:
        return entry, Problem(number, "sha256 does not match the entry's content (edited)")
    return entry, None


def _mistyped(entry: Mapping[str, Any]) -> str:
    """Why a reserved field has the wrong type ('' when none has): `seq: true` is not 1."""
    if type(entry["seq"]) is not int:
        return f"seq must be an integer, not {entry['seq']!r}"
    if type(entry["type"]) is not str:
        return "type must be a string"
    for key in ("prev", "sha256"):
        if not _is_digest(entry[key]):
            return f"{key} must be a sha256 hex digest"
    return ""


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in _HEX for c in value)


def _check_extends(data: bytes, committed: bytes) -> Problem | None:
    if data.startswith(committed):
        return None
    old = committed.splitlines()
    new = data.splitlines()
    for number, (before, after) in enumerate(zip(old, new, strict=False), start=1):
        if before != after:
            return Problem(number, "differs from the committed ledger (history was rewritten)")
    return Problem(
        len(new) + 1,
        f"truncated: the committed ledger has {len(old)} entries, this file {len(new)}",
    )


def _decode(line: bytes) -> dict[str, Any] | None:
    try:
        value = jsonline.loads(line)
    except jsonline.LineError:
        return None
    return value if isinstance(value, dict) else None
