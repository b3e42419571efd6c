"""The curator (001/002): what may become a labeled example, decided before anything is written.

In order, per incoming example: refuse self-loops (the system's own output labelling
itself), redact PII in payload and notes, drop duplicates by (source, source_id) and by
content, refuse near-duplicates (Jaccard >= threshold against the agent's last N examples).
Then per agent: refuse the batch when its label diversity is below the floor. Every drop
carries its reason; nothing here reads files or the clock.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import canonical, pii
from bot.core.learners.configs import LabelsLearnerConfig
from bot.model.labels import Example

# the curator's limits are `learners.labels` in the config
_DEFAULTS = LabelsLearnerConfig()


@dataclass(frozen=True)
class Incoming:
    """An example as a feed produced it, with who or what produced its label."""

    example: Example
    origin: str = ""


@dataclass(frozen=True)
class Curated:
    """The examples that may be written, and everything dropped with its reason."""

    accepted: tuple[Example, ...]
    dropped: tuple[tuple[str, str], ...]  # (agent/source/source_id, reason)
    redactions: Mapping[str, int]


def tokens(payload: Mapping[str, Any]) -> frozenset[str]:
    """The payload as a set: `path=value` for each scalar leaf, `path~word` for each word."""
    found: set[str] = set()
    for path, value in _leaves(payload, ""):
        if isinstance(value, str):
            found.update(f"{path}~{word}" for word in value.lower().split())
        else:
            found.add(f"{path}={canonical.dumps(value)}")
    return frozenset(found)


def _leaves(value: Any, path: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key in sorted(value):
            yield from _leaves(value[key], f"{path}/{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}/{index}")
    else:
        yield path, value


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|A & B| / |A | B|; two empty sets are identical (1.0)."""
    union = a | b
    return 1.0 if not union else len(a & b) / len(union)


def content_hash(example: Example) -> str:
    """What an example says, whoever said it: agent, key, payload, label."""
    return canonical.digest([example.agent, example.key, example.payload, example.label])


def diversity(labels: Sequence[str]) -> float:
    """1 - the share of the most common label (0 when every label is the same)."""
    if not labels:
        return 0.0
    return 1.0 - Counter(labels).most_common(1)[0][1] / len(labels)


def curate(
    incoming: Sequence[Incoming],
    existing: Sequence[Example],
    rules: LabelsLearnerConfig = _DEFAULTS,
) -> Curated:
    """Decide, example by example and then per agent, what may be written."""
    seen_ids = {(e.agent, e.source, e.source_id) for e in existing}
    seen_content = {content_hash(e) for e in existing}
    recent: dict[str, list[frozenset[str]]] = {}
    for example in existing:
        recent.setdefault(example.agent, []).append(tokens(example.payload))
    counts: Counter[str] = Counter()
    kept: list[Example] = []
    dropped: list[tuple[str, str]] = []
    for item in incoming:
        example = item.example
        name = f"{example.agent}/{example.source}/{example.source_id}"
        reason = _self_loop(item, rules)
        if not reason:
            example = _redacted(example, counts)
            reason = _duplicate(example, seen_ids, seen_content, recent, rules)
        if reason:
            dropped.append((name, reason))
            continue
        kept.append(example)
        seen_ids.add((example.agent, example.source, example.source_id))
        seen_content.add(content_hash(example))
        recent.setdefault(example.agent, []).append(tokens(example.payload))
    accepted, refused = _diverse(kept, rules)
    return Curated(tuple(accepted), (*dropped, *refused), dict(sorted(counts.items())))


def _self_loop(item: Incoming, rules: LabelsLearnerConfig) -> str:
    origins = {o.lower() for o in rules.self_origins}
    generated = str(item.example.payload.get("generated_by", "")).lower()
    for who in (item.origin.lower(), generated):
        if who and who in origins:
            return f"self-loop: labelled by {who}, the system's own output"
    return ""


def _redacted(example: Example, counts: Counter[str]) -> Example:
    return dataclasses.replace(
        example,
        payload=pii.redact(dict(example.payload), counts),
        notes=pii.redact_text(example.notes, counts),
        key=pii.redact_text(example.key, counts),
    )


def _duplicate(
    example: Example,
    seen_ids: set[tuple[str, str, str]],
    seen_content: set[str],
    recent: Mapping[str, Sequence[frozenset[str]]],
    rules: LabelsLearnerConfig,
) -> str:
    if (example.agent, example.source, example.source_id) in seen_ids:
        return f"duplicate: {example.source} {example.source_id} is already labeled"
    if content_hash(example) in seen_content:
        return "duplicate: the same key, payload and label are already labeled"
    mine = tokens(example.payload)
    for other in recent.get(example.agent, [])[-rules.recent :]:
        similarity = jaccard(mine, other)
        if similarity >= rules.near_duplicate:
            return (
                f"near-duplicate: Jaccard {similarity:.3f} >= {rules.near_duplicate} against "
                f"one of the agent's last {rules.recent} examples"
            )
    return ""


def _diverse(
    kept: Sequence[Example], rules: LabelsLearnerConfig
) -> tuple[list[Example], list[tuple[str, str]]]:
    by_agent: dict[str, list[Example]] = {}
    for example in kept:
        by_agent.setdefault(example.agent, []).append(example)
    accepted: list[Example] = []
    refused: list[tuple[str, str]] = []
    for agent, examples in by_agent.items():
        score = diversity([e.label for e in examples])
        if len(examples) >= rules.diversity_min_batch and score < rules.diversity_floor:
            reason = (
                f"batch refused: label diversity {score:.3f} < floor {rules.diversity_floor} "
                f"({len(examples)} examples of {agent})"
            )
            refused += [(f"{e.agent}/{e.source}/{e.source_id}", reason) for e in examples]
        else:
            accepted += examples
    return accepted, refused
