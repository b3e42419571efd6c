"""Templates rendered in Jinja2's sandbox; every value from data is Markdown-escaped.

Escaping is the default, not a filter to remember: the environment's `finalize` escapes
every `{{ ... }}` output unless the value is `Raw` (Markdown this module produced itself).
Escaped text cannot @mention anyone, link anywhere, reference issues (`#123`, `GH-123`: a
backslash does not stop GitHub's reference links, a zero-width space does) or carry raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_LINKISH = re.compile(r"(?i)(https?|ftp|mailto)(:)|(www)(\.)")
_REFERENCE = re.compile(r"(?i)(\\#|\bGH)(?=(?:\\-)?\d)")  # after escaping: \#123, GH\-123
_ZWSP = "&#8203;"


class Raw(str):
    """Markdown that is already safe; rendered as is."""


def escape(value: object) -> str:
    """Markdown-escape one value: no HTML, mentions, links, references or formatting."""
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _PUNCTUATION.sub(r"\\\1", text)
    text = text.replace("@", "@" + _ZWSP)
    text = _REFERENCE.sub(lambda m: m.group(1) + _ZWSP, text)
    text = _LINKISH.sub(
        lambda m: f"{m.group(1) or m.group(3)}{_ZWSP}{m.group(2) or m.group(4)}", text
    )
    return text.replace("\r", " ").replace("\n", " ")


def _finalize(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, (Raw, jinja2.Undefined, bool, int, float)):
        return value
    return escape(value)


def _fixed(value: object, digits: int = 3) -> Raw:
    return Raw("-" if value is None else f"{float(value):.{digits}f}")  # type: ignore[arg-type]


def _signed(value: object, digits: int = 3) -> Raw:
    return Raw("-" if value is None else f"{float(value):+.{digits}f}")  # type: ignore[arg-type]


def code(value: object) -> Raw:
    """A code span: shown verbatim, and GitHub processes no Markdown, HTML or mentions in it.

    A `|` still ends a table cell inside a code span, and what follows would render as raw
    Markdown (#18); GitHub shows `\\|` in a cell's code span as `|`."""
    text = str(value).replace("`", "'").replace("\r", " ").replace("\n", " ")
    return Raw(f"`{text.replace('|', chr(92) + '|')}`")


def _label(value: object) -> Raw:
    """Text for inside a Mermaid block, which no Markdown reaches: letters, digits, _ . : - only."""
    return Raw(re.sub(r"[^A-Za-z0-9_.:\- ]", "", str(value)))


def template_dirs(repo: Path | None) -> tuple[Path, ...]:
    """Where templates are looked up: the repository's own, then learnbot's."""
    package = Path(__file__).resolve().parent.parent
    candidates = [package / "templates", package.parent / "templates"]
    if repo is not None:
        candidates.insert(0, repo / "templates")
    return tuple(path for path in candidates if path.is_dir())


@cache
def _environment(dirs: tuple[Path, ...]) -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=False,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(fixed=_fixed, signed=_signed, code=code, label=_label)
    return environment


def render(name: str, context: Mapping[str, Any], *, dirs: Sequence[Path]) -> str:
    """Render `templates/<name>` with `context`."""
    return _environment(tuple(dirs)).get_template(name).render(**context)
