"""YAML documents that remember where every value is: for error lines and minimal edits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from bot.errors import StateError

MAX_DEPTH = 32
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that keeps timestamps as strings (schemas check their format)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlSyntaxError(StateError):
    """A file that is not valid YAML (or not UTF-8), with the line where parsing stopped."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Document:
    """Parsed YAML plus, for every JSON pointer, its line and (for scalars) its text span."""

    path: str
    text: str
    data: Any
    lines: Mapping[str, int]
    spans: Mapping[str, tuple[int, int]]
    duplicates: tuple[tuple[str, int], ...] = ()

    def line_of(self, pointer: str) -> int:
        """The line of `pointer`, or of its nearest ancestor that exists."""
        while pointer not in self.lines and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        return self.lines.get(pointer, 1)


def pointer_of(parts: Any) -> str:
    """JSON pointer (RFC 6901) of a sequence of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def parse_bytes(data: bytes, *, path: str) -> Document:
    """Parse a file's bytes; bytes that are not UTF-8 are a syntax error at their line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlSyntaxError(path, line, f"not UTF-8 text ({exc.reason})") from exc
    return parse(text, path=path)


def parse(text: str, *, path: str) -> Document:
    """Parse one YAML document; a syntax error names the file and line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_tree(node, path)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(path, line, f"YAML syntax error: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(path, 1, f"YAML error: {exc}") from exc
    finally:
        loader.dispose()
    lines: dict[str, int] = {"": 1}
    spans: dict[str, tuple[int, int]] = {}
    duplicates: list[tuple[str, int]] = []
    if node is not None:
        _walk(node, "", lines, spans, duplicates)
    return Document(path, text, data, lines, spans, tuple(duplicates))


def _check_tree(root: yaml.Node, path: str) -> None:
    """Refuse aliases and deep nesting before anything expands them (#18: a 432-byte file of
    nested aliases is gigabytes once expanded); the composer shares an aliased node, so a node
    met twice is an alias."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise YamlSyntaxError(
                path,
                line,
                "the value here is reused by an alias (*name): state files allow no "
                "anchors or aliases; write the value out",
            )
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlSyntaxError(path, line, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def _walk(
    node: yaml.Node,
    pointer: str,
    lines: dict[str, int],
    spans: dict[str, tuple[int, int]],
    duplicates: list[tuple[str, int]],
) -> None:
    lines[pointer] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        spans[pointer] = (node.start_mark.index, node.end_mark.index)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            child = pointer + pointer_of([key.value])
            if key.value in seen:
                duplicates.append((child, key.start_mark.line + 1))
            seen.add(key.value)
            _walk(value, child, lines, spans, duplicates)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, f"{pointer}/{index}", lines, spans, duplicates)


def replace_scalars(document: Document, replacements: Mapping[str, str]) -> str:
    """The document's text with the scalars at the given pointers replaced, nothing else."""
    text = document.text
    edits = []
    for pointer, new_text in replacements.items():
        if pointer not in document.spans:
            raise StateError(f"{document.path}: {pointer} is not a scalar value that can be edited")
        edits.append((*document.spans[pointer], new_text))
    for start, end, new_text in sorted(edits, reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


def remove_key(document: Document, key: str) -> str:
    """The document's text without one top-level key and its block, nothing else."""
    pointer = pointer_of([key])
    if pointer not in document.lines:
        raise StateError(f"{document.path}: {pointer} does not exist and cannot be removed")
    start = document.lines[pointer]
    later = [n for p, n in document.lines.items() if p.count("/") == 1 and n > start]
    lines = document.text.splitlines(keepends=True)
    end = min(later) - 1 if later else len(lines)
    return "".join(lines[: start - 1] + lines[end:])


def scalar_text(value: object) -> str:
    """YAML text for a number, boolean or string, as a proposal writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value) if isinstance(value, float) else str(value)


def dump(data: Any) -> str:
    """Block-style YAML for a new file (sorted keys, so the same data is the same text)."""
    return yaml.safe_dump(data, sort_keys=True, default_flow_style=False, allow_unicode=True)
