from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import ledger
from bot.edges import ledgerfile
from bot.errors import LedgerError


def test_append_creates_and_extends_a_valid_chain(tmp_path: Path) -> None:
    path = tmp_path / "ledgers" / "learning.jsonl"
    first = ledgerfile.append(path, [{"type": "promotion", "n": 1}])
    second = ledgerfile.append(path, [{"type": "rollback"}, {"type": "rejection"}])
    assert (first.seq, second.seq) == (1, 3)
    result = ledger.verify(path.read_bytes())
    assert result.ok and result.entries == 3 and result.tail == second


def test_append_equals_sealing_in_one_go(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    for i in range(5):
        ledgerfile.append(path, [{"type": "t", "i": i}], sync=False)
    expected, _ = ledger.seal([{"type": "t", "i": i} for i in range(5)], ledger.Tail())
    assert path.read_bytes() == expected


def test_append_finds_the_tail_of_long_lines(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    ledgerfile.append(path, [{"type": "t", "blob": "x" * 200_000}])
    tail = ledgerfile.append(path, [{"type": "t", "blob": "y" * 150_000}])
    assert ledger.verify(path.read_bytes()).tail == tail


def test_append_refuses_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    ledgerfile.append(path, [{"type": "t"}, {"type": "t"}])
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(LedgerError, match=r"l\.jsonl:2: the last line is torn"):
        ledgerfile.append(path, [{"type": "t"}])
    assert path.read_bytes() == data[:-10]  # nothing was written


def test_append_refuses_an_edited_last_entry(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    ledgerfile.append(path, [{"type": "t", "n": 1}])
    path.write_bytes(path.read_bytes().replace(b'"n":1', b'"n":2'))
    with pytest.raises(LedgerError, match="does not match its own sha256; refusing to extend"):
        ledgerfile.append(path, [{"type": "t"}])


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "f.jsonl"
    ledgerfile.write_atomic(path, b"a\n")
    ledgerfile.write_atomic(path, b"b\n")
    assert path.read_bytes() == b"b\n"
    assert [p.name for p in path.parent.iterdir()] == ["f.jsonl"]


def test_read_missing_ledger_is_empty(tmp_path: Path) -> None:
    assert ledgerfile.read(tmp_path / "absent.jsonl") == b""
