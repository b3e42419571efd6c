"""Markdown from data: table cells stay cells, and references link nowhere."""

from __future__ import annotations

import re

from bot.edges import render

HOSTILE = "x | <img src=https://evil.example/a.png> | @octocat fixes #12 and GH-3"
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _forecasts(group: str) -> str:
    row = {"group": group, "forecasts": 3, "win_rate": 0.5, "brier": 0.2, "calibration": 0.1}
    context = {
        "producers": [row],
        "regimes": [row],
        "shadow": True,
        "ensemble": {"resolved": 1, "activation": 5, "active": False, "patterns": []},
    }
    return render.render("forecasts.md.j2", context, dirs=render.template_dirs(None))


def test_a_pipe_in_a_code_span_does_not_split_the_table_cell() -> None:
    text = _forecasts(HOSTILE)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 2
    for row in rows:
        assert len(UNESCAPED_PIPE.findall(row)) == 6  # five cells, as the header has
    assert "<img" in text and "`x \\| <img" in text  # inside the code span: shown, not rendered


def test_code_escapes_every_pipe() -> None:
    assert render.code("a|b||c") == "`a\\|b\\|\\|c`"


def test_references_in_data_are_neutralised() -> None:
    text = render.escape("fixes #12, GH-3 and owner/repo#4; not #abc")
    assert "\\#&#8203;12" in text and "GH&#8203;\\-3" in text and "repo\\#&#8203;4" in text
    assert "\\#abc" in text
    assert not re.search(r"#\d|GH\\?-\d", text.replace("&#8203;", "\u200b"))
