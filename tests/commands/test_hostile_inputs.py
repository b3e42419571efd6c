"""Each input that used to crash a command (exit 3) or hang it is now a problem at its line (#18).

The commands are driven as a user runs them; the other cases are still evaluated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from tests.repos import make_repo

NOW = "2026-01-20T00:00:00Z"
Mutation = Callable[[Path], str]  # edits the repository, returns what the error must name


def _sub(path: Path, pattern: str, new: str) -> None:
    text = path.read_text()
    assert re.search(pattern, text), (path, pattern)
    path.write_text(re.sub(pattern, new, text, count=1))


def _policy(new: str, pattern: str = r"    max: 10\.0\n") -> Mutation:
    def mutate(root: Path) -> str:
        _sub(root / "policies/momentum.yaml", pattern, new)
        return "policies/momentum.yaml:"

    return mutate


def _snapshot_line(line: bytes) -> Mutation:
    def mutate(root: Path) -> str:
        path = root / "cases/data/momentum.jsonl"
        data = path.read_bytes() + line + b"\n"
        number = data.count(b"\n")
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        for case in (root / "cases").glob("mo_*.yaml"):
            _sub(case, r"sha256: [0-9a-f]{64}", f"sha256: {digest}")
        return f"cases/data/momentum.jsonl:{number}:"

    return mutate


def _stray_keys(root: Path) -> str:
    path = root / "policies/momentum.yaml"
    path.write_text(path.read_text() + "1: x\nfoo: y\n")
    return "policies/momentum.yaml:"


def _negative_window(root: Path) -> str:
    _sub(root / "policies/momentum.yaml", r"value: 14\n    min: 1\n", "value: -3\n    min: -5\n")
    return "/window/days: 'momentum.window_days': a window's length needs a min above 0"


def _huge_runs(root: Path) -> str:
    config = root / ".github/learnbot.yml"
    _sub(config, r"stabilization_runs: 3", "stabilization_runs: 1.0e+308")
    lines = config.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "stabilization_runs" in text)
    return f".github/learnbot.yml:{line}: /sandbox/stabilization_runs"


def _outcome_bytes(root: Path) -> str:
    path = root / "cases/outcomes/forecasts.jsonl"
    path.write_bytes(path.read_bytes() + b'{"id": "\xff"}\n')
    number = path.read_bytes().count(b"\n")
    return f"cases/outcomes/forecasts.jsonl:{number}: not UTF-8"


STATE = {
    "mixed-type stray keys": _stray_keys,
    "nan bound": _policy("    max: .nan\n"),
    "infinite bound": _policy("    max: .inf\n"),
    "huge integer bound": _policy("    max: 1" + "0" * 400 + "\n"),
    "subnormal step": _policy("    step: 5.0e-324\n", r"    step: 0\.5\n"),
    "tiny step": _policy("    step: 1.0e-10\n", r"    step: 0\.5\n"),
    "negative window": _negative_window,
    "stabilization runs 1e308": _huge_runs,
    "snapshot nested 1000 deep": _snapshot_line(
        b'{"ts": 0, "kind": "x", "values": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    ),
    "snapshot ts 2**63": _snapshot_line(b'{"ts": 9223372036854775808, "kind": "x"}'),
    "snapshot int 1e309": _snapshot_line(
        b'{"ts": 0, "kind": "x", "values": {"a": 1' + b"0" * 309 + b"}}"
    ),
    "snapshot values null": _snapshot_line(b'{"ts": 0, "kind": "x", "values": null}'),
    "snapshot nan": _snapshot_line(b'{"ts": 0, "kind": "x", "values": {"a": NaN}}'),
    "snapshot two objects on a line": _snapshot_line(
        b'{"ts": 0, "kind": "a"}, {"ts": 1, "kind": "b"}'
    ),
    "snapshot object over two lines": _snapshot_line(b'{"ts": 0, "kind": "a",\n "term": "b"}'),
    "outcome not utf-8": _outcome_bytes,
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "work")


@pytest.mark.parametrize("mutate", STATE.values(), ids=STATE.keys())
def test_validate_and_backtest_report_the_input_and_evaluate_the_rest(
    root: Path, capsys: pytest.CaptureFixture[str], mutate: Mutation
) -> None:
    where = mutate(root)
    assert main(["validate", "--repo", str(root)]) == 2
    out = capsys.readouterr()
    assert where in out.out + out.err
    code = main(["backtest", "--repo", str(root), "--now", NOW])
    out = capsys.readouterr()
    assert code in (1, 2), out.err
    assert re.search(r"\d+ cases at [0-9a-f]{12}: \d+ HIT", out.out), out.out  # the rest ran


@pytest.mark.parametrize("name", ["tiny step", "outcome not utf-8", "stabilization runs 1e308"])
def test_loop_ends_and_reports(root: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    STATE[name](root)
    code = main(["loop", "--dry-run", "--repo", str(root), "--now", NOW])
    out = capsys.readouterr()
    assert code in (0, 1, 2) and "Traceback" not in out.err, out.err
    assert "would be opened" in out.out


@pytest.mark.parametrize(
    "line",
    [b'{"prev": "x", "seq": NaN}', b"[" * 1000 + b"]" * 1000, b'{"seq": true}'],
    ids=["nan", "deep", "seq-true"],
)
def test_ledger_verify_names_the_hostile_line(
    root: Path, capsys: pytest.CaptureFixture[str], line: bytes
) -> None:
    ledger = root / "ledgers/learning.jsonl"
    ledger.write_bytes(ledger.read_bytes() + line + b"\n")
    number = ledger.read_bytes().count(b"\n")
    assert main(["ledger", "verify", "--repo", str(root)]) == 1
    assert f"ledgers/learning.jsonl:{number}: BROKEN" in capsys.readouterr().out


def test_sandbox_runs_flag_is_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", "p.yaml", "--runs", str(2**63)])
    assert exited.value.code == 2
    assert "is not between 1 and 100" in capsys.readouterr().err
