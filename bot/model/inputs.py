"""The input files a learner declares it reads, each with its schema: the edges load them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.model.config import Config

T = TypeVar("T")


@dataclass(frozen=True)
class Lines(Generic[T]):
    """A JSONL file a learner reads: each line validated against a JSON Schema, then built.

    `schema` names a packaged schema (`bot/schemas/NAME.schema.json`) or is the schema itself.
    """

    name: str
    path: Callable[[Config], str]
    schema: str | Mapping[str, Any]
    build: Callable[[Mapping[str, Any]], T]
    # (JSON pointer, message) of a problem a schema cannot express, or None
    check: Callable[[T], tuple[str, str] | None] = lambda _: None


@dataclass(frozen=True)
class Texts:
    """Text files a learner reads: every file with `suffix` in the directories named."""

    name: str
    directories: Callable[[Config], tuple[str, ...]]
    suffix: str


@dataclass(frozen=True)
class Folder(Generic[T]):
    """JSONL files in one directory, `<key>.jsonl` each, every line validated like `Lines`."""

    name: str
    directory: Callable[[Config], str]
    schema: str | Mapping[str, Any]
    build: Callable[[Mapping[str, Any]], T]


Input = Lines[Any] | Texts | Folder[Any]
