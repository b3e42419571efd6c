from __future__ import annotations

import pytest

from bot.edges import yamldoc
from bot.errors import StateError

TEXT = """# comment kept
name: p   # trailing comment kept
version: 3
when: 2025-01-01T00:00:00Z
parameters:
  a:
    value: 4
    min: 1
  list: [1, 2]
"""


def test_parse_keeps_timestamps_as_strings_and_lines() -> None:
    doc = yamldoc.parse(TEXT, path="p.yaml")
    assert doc.data["when"] == "2025-01-01T00:00:00Z"
    assert doc.line_of("/parameters/a/value") == 7
    assert doc.line_of("/parameters/a/missing/deeper") == 6
    assert doc.line_of("/parameters/list/1") == 9


def test_replace_scalars_changes_only_those_characters() -> None:
    doc = yamldoc.parse(TEXT, path="p.yaml")
    edited = yamldoc.replace_scalars(doc, {"/version": "4", "/parameters/a/value": "3"})
    assert edited == TEXT.replace("version: 3", "version: 4").replace("value: 4", "value: 3")


def test_replace_scalars_refuses_non_scalars() -> None:
    doc = yamldoc.parse(TEXT, path="p.yaml")
    with pytest.raises(StateError, match="/parameters is not a scalar"):
        yamldoc.replace_scalars(doc, {"/parameters": "1"})


def test_syntax_error_has_path_and_line() -> None:
    with pytest.raises(yamldoc.YamlSyntaxError) as caught:
        yamldoc.parse("a: 1\nb: [2,\n", path="x.yaml")
    assert caught.value.path == "x.yaml" and caught.value.line == 3


@pytest.mark.parametrize(
    ("value", "text"), [(True, "true"), (False, "false"), (3, "3"), (0.25, "0.25")]
)
def test_scalar_text(value: object, text: str) -> None:
    assert yamldoc.scalar_text(value) == text


def test_remove_key_drops_one_top_level_block_and_nothing_else() -> None:
    text = "name: p\ncandidate:\n  values:\n    a: 1\n  stage: canary\nparameters:\n  a: {}\n"
    document = yamldoc.parse(text, path="policies/p.yaml")
    assert yamldoc.remove_key(document, "candidate") == "name: p\nparameters:\n  a: {}\n"
    last = yamldoc.parse("name: p\ncandidate:\n  stage: shadow\n", path="policies/p.yaml")
    assert yamldoc.remove_key(last, "candidate") == "name: p\n"
    with pytest.raises(StateError, match="/other does not exist"):
        yamldoc.remove_key(document, "other")
