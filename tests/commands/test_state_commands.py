from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.edges import ledgerfile, schemas
from bot.model import Config
from tests.repos import ROOT, commit_all, copy_example, make_repo


def test_validate_ok_on_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_example(tmp_path / "r")
    assert main(["validate", "--repo", str(root)]) == 0
    assert "0 problem(s)" in capsys.readouterr().err


def test_validate_reports_every_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    policy = root / "policies/momentum.yaml"
    policy.write_text(policy.read_text().replace("version: 2", "version: two"))
    case = root / "cases/te_noise_meme.yaml"
    case.write_text(case.read_text().replace("expect: quiet", "expect: maybe"))
    assert main(["validate", "--repo", str(root), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    where = {(p["path"], p["pointer"]) for p in report["problems"]}
    assert ("policies/momentum.yaml", "/version") in where
    assert ("cases/te_noise_meme.yaml", "/expect") in where
    assert report["ok"] is False


def test_validate_reports_bad_snapshot_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    (root / "cases/data/extra.jsonl").write_text(
        '{"ts":"2025-01-01T00:00:00Z","kind":"x"}\n{"ts":5}\nnope\n'
    )
    assert main(["validate", "--repo", str(root)]) == 2
    out = capsys.readouterr().out
    assert "cases/data/extra.jsonl:2: /kind: required" in out
    assert "cases/data/extra.jsonl:3: invalid JSON" in out


def test_validate_in_actions_emits_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "r")
    case = root / "cases/te_noise_meme.yaml"
    case.write_text(case.read_text().replace("expect: quiet", "expect: maybe"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["validate", "--repo", str(root)]) == 2
    out = capsys.readouterr().out
    line = next(i for i, t in enumerate(case.read_text().splitlines(), 1) if "expect:" in t)
    assert (
        f"::error file=cases/te_noise_meme.yaml,line={line}::/expect: 'maybe' is not one of" in out
    )


def test_schema_export_writes_every_schema(tmp_path: Path) -> None:
    assert main(["schema", "export", str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(
        f"learnbot-{k}.schema.json"
        for k in (
            "policy",
            "case",
            "event",
            "config",
            "position",
            "forecast",
            "label",
            "evaluation",
            "run",
            "rollout",
        )
    )
    assert json.loads((tmp_path / "out/learnbot-case.schema.json").read_text())["title"]


def test_exported_config_schema_shows_the_defaults_learnbot_uses(tmp_path: Path) -> None:
    assert main(["schema", "export", str(tmp_path)]) == 0
    schema = json.loads((tmp_path / "learnbot-config.schema.json").read_text())
    config = Config()
    sections = {s.key: dataclasses.asdict(s.of(config)) for s in schemas.learner_settings()}
    used = dataclasses.asdict(config) | {"learners": sections}
    used = json.loads(json.dumps(used))  # tuples as lists

    def compare(node: dict[str, Any], values: dict[str, Any], where: str) -> int:
        checked = 0
        for key, sub in node.get("properties", {}).items():
            if "default" in sub:
                assert sub["default"] == values[key], f"{where}{key}"
                checked += 1
            if "properties" in sub:
                checked += compare(sub, values[key], f"{where}{key}.")
        return checked

    assert compare(schema, used, "") > 40


def test_help_on_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["validate", "--help"], ["ledger", "verify", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
    assert "exit codes" in capsys.readouterr().out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["no-such-command"])
    assert done.value.code == 2


def test_ledger_verify_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path / "r")
    path = root / "ledgers/learning.jsonl"
    ledgerfile.append(
        path,
        [
            {"type": "promotion", "case_id": "c1", "pr": 4, "at": "2026-01-01T00:00:00Z"},
            {"type": "rollback", "case_id": "c1"},
        ],
    )
    assert main(["ledger", "verify", "--repo", str(root)]) == 0
    assert "ledgers/learning.jsonl: ok, 2 entries" in capsys.readouterr().out
    assert main(["ledger", "show", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    assert "promotion" in out and "rollback" in out and "c1" in out
    assert main(["ledger", "show", "--repo", str(root), "--json", "--type", "rollback"]) == 0
    assert [e["type"] for e in json.loads(capsys.readouterr().out)] == ["rollback"]


def test_ledger_show_every_kind_as_the_file_records_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The entries are read as typed values: the table and the JSON are the lines' own."""
    root = make_repo(tmp_path / "r")
    recorded = ROOT / "tests" / "fixtures" / "ledgers"
    data = (recorded / "every_kind.jsonl").read_bytes()
    (root / "ledgers").mkdir(exist_ok=True)
    (root / "ledgers" / "learning.jsonl").write_bytes(data)
    assert main(["ledger", "show", "--repo", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [json.loads(line) for line in data.splitlines()]
    assert main(["ledger", "show", "--repo", str(root)]) == 0
    shown = capsys.readouterr().out
    assert shown == (recorded / "every_kind.table.txt").read_text(encoding="utf-8")


def test_ledger_verify_names_bad_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r")
    path = root / "ledgers/learning.jsonl"
    ledgerfile.append(path, [{"type": "t", "n": i} for i in range(3)])
    path.write_bytes(path.read_bytes().replace(b'"n":1', b'"n":5'))
    assert main(["ledger", "verify", "--repo", str(root)]) == 1
    assert "ledgers/learning.jsonl:2: BROKEN: sha256 does not match" in capsys.readouterr().out
    assert main(["ledger", "show", "--repo", str(root)]) == 1


def test_ledger_verify_detects_truncation_of_committed_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r")
    path = root / "ledgers/learning.jsonl"
    ledgerfile.append(path, [{"type": "t", "n": i} for i in range(3)])
    commit_all(root, "ledger")
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:1]))
    assert main(["ledger", "verify", "--repo", str(root), "--json"]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert report["line"] == 2 and "truncated" in report["reason"]


def test_validate_checks_outcome_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_example(tmp_path / "r")
    path = root / "cases/outcomes/positions.jsonl"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace('"realized_pnl":', '"realized_pnl":"lots","x":')
    path.write_text("\n".join(lines) + "\n")
    assert main(["validate", "--repo", str(root)]) == 2
    out = capsys.readouterr().out
    assert "cases/outcomes/positions.jsonl:3: /realized_pnl: 'lots' is not of type 'number'" in out


@pytest.mark.parametrize(
    ("path", "bad", "pointer", "message"),
    [
        (
            "cases/data/extra.jsonl",
            '{"ts":"2025-01-01T00:00:00Z","kind":7}',
            "/kind",
            "required, a string",
        ),
        ("cases/data/extra.jsonl", '{"kind":"x"}', "/ts", "required"),
        (
            "cases/data/extra.jsonl",
            '{"ts":"2025-01-01T00:00:00Z","kind":"x","colour":1}',
            "",
            "unknown key(s) colour",
        ),
        (
            "cases/outcomes/positions.jsonl",
            'FIRST:realized_pnl="lots"',
            "/realized_pnl",
            "is not of type 'number'",
        ),
        ("cases/outcomes/positions.jsonl", "FIRST:-regime", "/", "'regime' is a required property"),
        (
            "cases/outcomes/positions.jsonl",
            "FIRST:colour=1",
            "/",
            "Additional properties are not allowed",
        ),
        (
            "cases/outcomes/forecasts.jsonl",
            'FIRST:confidence="high"',
            "/confidence",
            "is not of type 'number'",
        ),
        (
            "cases/outcomes/forecasts.jsonl",
            "FIRST:-producer",
            "/",
            "'producer' is a required property",
        ),
        (
            "cases/outcomes/forecasts.jsonl",
            "FIRST:colour=1",
            "/",
            "Additional properties are not allowed",
        ),
    ],
)
def test_every_line_schema_rejects_wrong_types_missing_fields_and_unknown_keys(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    bad: str,
    pointer: str,
    message: str,
) -> None:
    root = copy_example(tmp_path / "r")
    target = root / path
    lines = target.read_text().splitlines() if target.exists() else []
    if bad.startswith("FIRST:"):
        row = json.loads(lines[0])
        edit = bad.removeprefix("FIRST:")
        if edit.startswith("-"):
            del row[edit[1:]]
        else:
            key, value = edit.split("=", 1)
            row[key] = json.loads(value)
        lines[0] = json.dumps(row)
    else:
        lines = [bad]
    target.write_text("\n".join(lines) + "\n")
    assert main(["validate", "--repo", str(root), "--json"]) == 2
    problems = json.loads(capsys.readouterr().out)["problems"]
    (problem,) = [p for p in problems if p["path"] == path]
    assert problem["line"] == 1 and message in problem["message"]
    assert problem["pointer"] == pointer


def test_config_path_can_be_chosen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_example(tmp_path / "r")
    (root / "learnbot-strict.yml").write_text("gate:\n  min_pass_rate_delta: high\n")
    assert main(["validate", "--repo", str(root)]) == 0
    assert main(["validate", "--repo", str(root), "--config", "learnbot-strict.yml"]) == 2
    out = capsys.readouterr().out
    assert "learnbot-strict.yml:2: /gate/min_pass_rate_delta: 'high' is not of type 'number'" in out
