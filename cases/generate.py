"""Regenerate the example learned state's history: snapshots, the cases that pin them, outcomes.

    python cases/generate.py [--out DIR]

Deterministic: a fixed seed drives numpy's generator, so the same script writes the same
bytes on every machine. Each case is written next to the snapshot it reads, with the
snapshot's sha256 pinned. The cases are built to exercise the loop: some fail under the
current policies for reasons one bounded change can fix, and for some the obvious fix
would break a protected case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20251226
HOUR = 3600
DAY = 86400
SOURCES = ("forum", "news", "social", "blog", "podcast", "newsletter")
FILLER_TERMS = (
    "layer two",
    "restaking",
    "zk rollup",
    "agent swarm",
    "tokenized bonds",
    "open weights",
    "edge inference",
    "vector search",
    "memecoin",
    "stablecoin",
)


def stamp(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def at(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


class Snapshot:
    """Collects the events of one snapshot file."""

    def __init__(self, name: str, rng: np.random.Generator) -> None:
        self.name = name
        self.rng = rng
        self.events: list[dict[str, Any]] = []

    def add(self, ts: int, kind: str, **fields: Any) -> None:
        self.events.append({"ts": stamp(ts), "kind": kind, **fields})

    def mentions(
        self, term: str, end: int, hours_before: list[float], *, synthetic: int = 0
    ) -> None:
        """Mentions of `term` at the given ages; the first `synthetic` are bot-made."""
        for index, age in enumerate(hours_before):
            source = SOURCES[int(self.rng.integers(len(SOURCES)))]
            self.add(
                end - int(age * HOUR),
                "mention",
                term=term,
                source=source,
                synthetic=index < synthetic,
            )

    def background(self, end: int, days: int, per_day: int, *, synthetic_share: float) -> None:
        """Filler mentions of other terms: the signal volume a case needs to be judged."""
        total = days * per_day
        fake = round(total * synthetic_share)
        ages = np.sort(self.rng.uniform(0.5, days * 24 - 0.5, size=total))
        fakes = {int(i) for i in self.rng.choice(total, size=fake, replace=False)}
        for index, age in enumerate(ages):
            term = FILLER_TERMS[int(self.rng.integers(len(FILLER_TERMS)))]
            source = SOURCES[int(self.rng.integers(len(SOURCES)))]
            self.add(
                end - int(age * HOUR), "mention", term=term, source=source, synthetic=index in fakes
            )

    def write(self, out: Path) -> str:
        ordered = sorted(self.events, key=lambda e: (e["ts"], json.dumps(e, sort_keys=True)))
        text = "".join(json.dumps(e, sort_keys=True, separators=(",", ":")) + "\n" for e in ordered)
        path = out / "cases" / "data" / f"{self.name}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def mention_case(
    case_id: str,
    family: str,
    *,
    end: str,
    term: str,
    expect: str,
    description: str,
    trigger: str,
    threshold: str,
    min_signals: int,
    integrity: dict[str, float] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A case counting mentions of `term` in the window of `family`'s policy."""
    found: dict[str, Any] = {
        "id": case_id,
        "family": family,
        "description": description,
        "end": end,
        "expect": expect,
        "min_signals": min_signals,
        "signals": {"kind": "mention"},
    }
    if integrity:
        found["integrity"] = integrity
    found["triggers"] = [
        {
            "name": trigger,
            "kind": "count",
            "match": {"kind": "mention", "term": term},
            "threshold": threshold,
        }
    ]
    found["refs"] = [f"{family}.window_days"]
    return {**found, **extra}


def term_emergence(rng: np.random.Generator) -> tuple[Snapshot, list[dict[str, Any]]]:
    snap = Snapshot("term_emergence", rng)
    cases = []

    def case(
        case_id: str, end: str, term: str, expect: str, description: str, **extra: Any
    ) -> None:
        trigger = f"'{term}' seen often enough"
        cases.append(
            mention_case(
                case_id,
                "term_emergence",
                end=end,
                term=term,
                expect=expect,
                description=description,
                trigger=trigger,
                threshold="term_emergence.min_count",
                min_signals=20,
                integrity={"max_synthetic_share": 0.3},
                **extra,
            )
        )

    weeks = {
        "te_quantum_finance": "2025-10-13T00:00:00Z",
        "te_digital_doppelganger": "2025-10-27T00:00:00Z",
        "te_noise_meme": "2025-11-10T00:00:00Z",
        "te_slow_burn": "2025-11-24T00:00:00Z",
        "te_airdrop_season": "2025-12-08T00:00:00Z",
        "te_rising_protocol": "2025-12-22T00:00:00Z",
        "te_fading_buzz": "2026-01-05T00:00:00Z",
    }
    for case_id, end in weeks.items():
        swarm = case_id == "te_airdrop_season"
        snap.background(at(end), 7, 6 if swarm else 5, synthetic_share=0.45 if swarm else 0.05)

    end = at(weeks["te_quantum_finance"])
    snap.mentions("quantum finance", end, [150, 120, 96, 70, 30, 6])
    case(
        "te_quantum_finance",
        weeks["te_quantum_finance"],
        "quantum finance",
        "fire",
        "A term that emerged, seen six times in its week. Known good.",
        protected=True,
    )

    end = at(weeks["te_digital_doppelganger"])
    snap.mentions("digital doppelganger", end, [140, 80, 20])
    snap.mentions("digital double", end, [100, 50])
    case(
        "te_digital_doppelganger",
        weeks["te_digital_doppelganger"],
        "digital doppelganger",
        "fire",
        "Emerged under two spellings; the main one alone is seen only three times.",
    )

    end = at(weeks["te_noise_meme"])
    snap.mentions("noise meme", end, [130, 60, 12])
    case(
        "te_noise_meme",
        weeks["te_noise_meme"],
        "noise meme",
        "quiet",
        "A one-week fad seen three times that never emerged: firing on it is a false alarm.",
        protected=True,
        gold=True,
    )

    end = at(weeks["te_slow_burn"])
    snap.mentions("slow burn", end, [100, 30, 7 * 24 + 20, 7 * 24 + 40, 9 * 24 + 30])
    case(
        "te_slow_burn",
        weeks["te_slow_burn"],
        "slow burn",
        "fire",
        "Emerged slowly: two mentions in the window, three more in the days before it.",
    )

    end = at(weeks["te_airdrop_season"])
    snap.mentions(
        "airdrop season",
        end,
        [160, 140, 120, 110, 90, 75, 60, 40, 20, 150, 100, 70, 48, 8],
        synthetic=9,
    )
    case(
        "te_airdrop_season",
        weeks["te_airdrop_season"],
        "airdrop season",
        "fire",
        "Emerged during a bot swarm: five genuine mentions among nine synthetic ones.",
    )

    end = at(weeks["te_rising_protocol"])
    snap.mentions("rising protocol", end, [150, 110, 72, 30, 5])
    case(
        "te_rising_protocol",
        weeks["te_rising_protocol"],
        "rising protocol",
        "fire",
        "Emerged, seen five times.",
    )

    end = at(weeks["te_fading_buzz"])
    snap.mentions("fading buzz", end, [120, 40])
    case(
        "te_fading_buzz",
        weeks["te_fading_buzz"],
        "fading buzz",
        "quiet",
        "Mentioned twice, never emerged.",
    )
    return snap, cases


def momentum(rng: np.random.Generator) -> tuple[Snapshot, list[dict[str, Any]]]:
    snap = Snapshot("momentum", rng)
    cases = []

    def case(
        case_id: str, end: str, term: str, expect: str, description: str, **extra: Any
    ) -> None:
        cases.append(
            mention_case(
                case_id,
                "momentum",
                end=end,
                term=term,
                expect=expect,
                description=description,
                trigger=f"decayed mentions of '{term}'",
                threshold="momentum.decayed_min",
                min_signals=10,
                **extra,
            )
        )

    ends = {
        "mo_ai_agents": "2025-10-20T00:00:00Z",
        "mo_stale_hype": "2025-11-17T00:00:00Z",
        "mo_weekend_spike": "2025-12-15T00:00:00Z",
        "mo_dead_fad": "2026-01-12T00:00:00Z",
    }
    for end in ends.values():
        snap.background(at(end), 14, 2, synthetic_share=0.0)
    snap.mentions("ai agents", at(ends["mo_ai_agents"]), [34, 28, 22, 18, 12, 9, 5, 2])
    case("mo_ai_agents", ends["mo_ai_agents"], "ai agents", "fire", "Strong, recent momentum.")
    snap.mentions("stale hype", at(ends["mo_stale_hype"]), [90, 86, 82, 78, 74, 70])
    case(
        "mo_stale_hype",
        ends["mo_stale_hype"],
        "stale hype",
        "fire",
        "Real momentum that the decay forgets too fast: six mentions three to four days old.",
    )
    snap.mentions("weekend spike", at(ends["mo_weekend_spike"]), [3, 1])
    case(
        "mo_weekend_spike",
        ends["mo_weekend_spike"],
        "weekend spike",
        "quiet",
        "Two mentions in the last hours: noise, not momentum.",
        protected=True,
    )
    snap.mentions("dead fad", at(ends["mo_dead_fad"]), [260, 250, 240, 230, 220])
    case(
        "mo_dead_fad",
        ends["mo_dead_fad"],
        "dead fad",
        "quiet",
        "Was loud ten days ago, silent since.",
    )
    return snap, cases


def inbox(rng: np.random.Generator) -> tuple[Snapshot, list[dict[str, Any]]]:
    snap = Snapshot("inbox", rng)
    cases = []
    threads = [
        (
            "it_invoice_phish",
            "2025-11-03T12:00:00Z",
            "fire",
            [(82, 2, 0.2), (74, 2, 0.2)],
            "Invoice phishing with failing SPF and DKIM.",
            {},
        ),
        (
            "it_wire_fraud",
            "2025-11-04T12:00:00Z",
            "fire",
            [(61, 1, 0.3), (68, 1, 0.3)],
            "Wire-transfer fraud scored 68, just under the threshold.",
            {},
        ),
        (
            "it_lookalike_domain",
            "2025-11-05T12:00:00Z",
            "fire",
            [(64, 2, 0.1)],
            "Look-alike domain scored 64; lowering the threshold that far quarantines newsletters.",
            {},
        ),
        (
            "it_partner_newsletter",
            "2025-11-06T12:00:00Z",
            "quiet",
            [(66, 1, 0.5), (52, 0, 0.5)],
            "A partner's newsletter with a broken DKIM record. Must be delivered.",
            {"protected": True},
        ),
        (
            "it_password_reset",
            "2025-11-07T12:00:00Z",
            "quiet",
            [(75, 0, 0.7)],
            "A genuine password reset: high risk words, authentication passes.",
            {"protected": True, "gold": True},
        ),
        (
            "it_vendor_update",
            "2025-11-08T12:00:00Z",
            "quiet",
            [(72, 1, 0.95)],
            "A trusted vendor's update: risky-looking but the sender is trusted.",
            {},
        ),
    ]
    for case_id, end, expect, messages, description, extra in threads:
        thread = case_id.removeprefix("it_").replace("_", "-")
        for index, (risk, failures, reputation) in enumerate(messages):
            snap.add(
                at(end) - (len(messages) - index) * 2 * HOUR,
                "email",
                term=thread,
                source=f"{thread}.example",
                values={
                    "risk_score": risk,
                    "auth_failures": failures,
                    "sender_reputation": reputation,
                },
            )
        for minute in range(3):
            snap.add(
                at(end) - (minute + 1) * 5 * HOUR,
                "email",
                term=f"{thread}-other{minute}",
                source="colleague.example",
                values={
                    "risk_score": float(rng.integers(5, 30)),
                    "auth_failures": 0,
                    "sender_reputation": 0.8,
                },
            )
        cases.append(
            {
                "id": case_id,
                "family": "inbox_triage",
                "description": description,
                "end": end,
                "expect": expect,
                "min_signals": 1,
                "signals": {"kind": "email", "term": thread},
                "triggers": [
                    {
                        "name": "risk score",
                        "kind": "aggregate",
                        "fn": "max",
                        "field": "risk_score",
                        "match": {"kind": "email", "term": thread},
                        "threshold": "inbox_triage.risk_threshold",
                    },
                    {
                        "name": "SPF/DKIM failures",
                        "kind": "aggregate",
                        "fn": "max",
                        "field": "auth_failures",
                        "match": {"kind": "email", "term": thread},
                        "threshold": "inbox_triage.auth_fail_min",
                    },
                ],
                "falsifiers": [
                    {
                        "name": "trusted sender",
                        "kind": "aggregate",
                        "fn": "max",
                        "field": "sender_reputation",
                        "match": {"kind": "email", "term": thread},
                        "threshold": "inbox_triage.trusted_reputation",
                    }
                ],
                "refs": ["inbox_triage.window_days"],
                **extra,
            }
        )
    return snap, cases


def conviction(rng: np.random.Generator) -> tuple[Snapshot, list[dict[str, Any]]]:
    snap = Snapshot("conviction", rng)
    cases = []
    setups = [
        (
            "cv_btc_breakout",
            "BTC",
            "2025-10-15T00:00:00Z",
            "fire",
            (0.8, 0.6, 0.4, 0.2),
            "Breakout with every domain agreeing.",
            {},
        ),
        (
            "cv_eth_accumulation",
            "ETH",
            "2025-10-22T00:00:00Z",
            "fire",
            (0.0, 0.8, 0.3, 0.2),
            "On-chain accumulation the weighted score undervalued (0.315).",
            {},
        ),
        (
            "cv_sol_fakeout",
            "SOL",
            "2025-10-29T00:00:00Z",
            "quiet",
            (0.6, -0.2, 0.5, 0.1),
            "A fakeout: technicals and sentiment up, on-chain down. Must not enter.",
            {"protected": True},
        ),
        (
            "cv_doge_pump",
            "DOGE",
            "2025-11-05T00:00:00Z",
            "quiet",
            (0.3, 0.1, 0.9, -0.3),
            "A sentiment-only pump.",
            {},
        ),
    ]
    domains = ("technical", "onchain", "sentiment", "macro")
    for case_id, symbol, end, expect, scores, description, extra in setups:
        for hours in (20, 14, 8):
            noise = rng.uniform(-0.3, 0.3, size=4)
            snap.add(
                at(end) - hours * HOUR,
                "signal",
                term=symbol,
                source="synthesis",
                values={d: round(float(v), 3) for d, v in zip(domains, noise, strict=True)},
            )
        snap.add(
            at(end) - 2 * HOUR,
            "signal",
            term=symbol,
            source="synthesis",
            values=dict(zip(domains, scores, strict=True)),
        )
        cases.append(
            {
                "id": case_id,
                "family": "conviction",
                "description": description,
                "end": end,
                "expect": expect,
                "min_signals": 2,
                "signals": {"kind": "signal", "term": symbol},
                "triggers": [
                    {
                        "name": "weighted conviction",
                        "kind": "weighted_score",
                        "fn": "last",
                        "match": {"kind": "signal", "term": symbol},
                        "weights": {d: f"conviction_weights.{d}" for d in domains},
                        "threshold": "conviction.entry_threshold",
                    }
                ],
                "refs": ["conviction.window_days"],
                **extra,
            }
        )
    return snap, cases


PRODUCERS = {
    "technical": "ta_momentum",
    "onchain": "onchain_flow",
    "sentiment": "sentiment_scan",
    "macro": "macro_watch",
}
# how much each domain's score at entry moves the odds of a winning position (003's example)
INFLUENCE = {"technical": 0.4, "onchain": 1.2, "sentiment": -0.8, "macro": 0.0}


def positions(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Closed positions, about one a day from August 2025 to mid-January 2026."""
    found = []
    start = at("2025-08-01T00:00:00Z")
    for index in range(170):
        opened = start + index * DAY + int(rng.integers(0, 20)) * HOUR
        closed = opened + int(rng.integers(6, 72)) * HOUR
        scores = {d: round(float(rng.uniform(-1, 1)), 3) for d in INFLUENCE}
        edge = sum(INFLUENCE[d] * s for d, s in scores.items())
        win = rng.random() < 1 / (1 + np.exp(-3 * edge))
        size = round(float(abs(rng.normal(120, 60))) + 1, 2)
        found.append(
            {
                "id": f"pos-{index + 1:04d}",
                "opened_at": stamp(opened),
                "closed_at": stamp(closed),
                "realized_pnl": size if win else -size,
                "domain_scores": scores,
                "regime": ("bull", "bear", "range")[int(rng.integers(3))],
                "producers": sorted(PRODUCERS[d] for d, s in scores.items() if abs(s) > 0.35)
                or ["ta_momentum"],
            }
        )
    return found


def forecasts(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Resolved forecasts: fewer than the 500 the ensemble learner needs to leave shadow."""
    skill = {"ta_momentum": 0.58, "onchain_flow": 0.66, "sentiment_scan": 0.47, "macro_watch": 0.52}
    found = []
    start = at("2025-10-01T00:00:00Z")
    for index in range(90):
        target = f"BTC-4h-{stamp(start + index * DAY)[:10]}"
        truth = ("up", "down")[int(rng.integers(2))]
        for producer, accuracy in skill.items():
            if rng.random() < 0.2:
                continue
            correct = bool(rng.random() < accuracy)
            direction = truth if correct else ("down" if truth == "up" else "up")
            found.append(
                {
                    "id": f"fc-{len(found) + 1:04d}",
                    "target": target,
                    "producer": producer,
                    "direction": direction,
                    "confidence": round(float(rng.uniform(0.5, 0.9)), 2),
                    "direction_correct": correct,
                    "regime": ("bull", "bear", "range")[index % 3],
                    "resolved_at": stamp(start + index * DAY + 4 * HOUR),
                }
            )
    return found


# how each family's run metrics drift per day (negative: getting better), for the CRL trends
DRIFT = {"term_emergence": -0.002, "momentum": 0.0, "inbox_triage": 0.003, "conviction": -0.001}


def runs(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Run metrics (004's composite run loss terms): one run per family a day for 60 days."""
    found = []
    start = at("2025-11-17T06:00:00Z")
    for day in range(60):
        for family, drift in DRIFT.items():
            quality = float(np.clip(0.85 - drift * day + rng.normal(0, 0.02), 0, 1))
            metrics = {
                "gate_pass_rate": round(quality, 3),
                "contradiction_rate": round(float(np.clip(rng.normal(0.05, 0.01), 0, 1)), 3),
                "grounding": round(float(np.clip(quality + rng.normal(0.05, 0.02), 0, 1)), 3),
                "cost_over_budget_pct": round(max(0.0, float(rng.normal(0.02, 0.03))), 3),
                "latency_p95_norm": round(float(rng.uniform(0.6, 1.1)), 3),
                "security_criticals": int(rng.random() < 0.03),
                "api_breakages": int(rng.random() < 0.05),
                "db_migration_fail": 0,
                "rag_coverage": round(float(np.clip(rng.normal(0.8, 0.05), 0, 1)), 3),
            }
            found.append(
                {
                    "run_id": f"run-{day + 1:03d}-{family}",
                    "at": stamp(start + day * DAY),
                    "component": family,
                    "metrics": metrics,
                }
            )
    return found


def rollouts(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Online metrics of insights_writer (001): a week in shadow, then a week as a 10% canary.

    One line per arm an hour; the candidate's insights are rated slightly better, at the same
    latency, so the rollout learner promotes it to the next stage.
    """
    found = []
    start = at("2026-01-05T00:00:00Z")
    for hour in range(14 * 24):
        for arm, better in (("control", 0.0), ("candidate", 0.03)):
            quality = float(np.clip(rng.normal(0.78 + better, 0.05), 0, 1))
            found.append(
                {
                    "arm": arm,
                    "latency_ms": round(float(rng.gamma(9, 20)), 1),
                    "quality": round(quality, 4),
                    "ts": stamp(start + hour * 3600 + 1800),
                }
            )
    return found


def write_jsonl(path: Path, rows: list[dict[str, Any]], *, ascii_only: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(
            json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_only) + "\n"
            for r in rows
        ),
        "utf-8",
    )
    return path


def case_yaml(case: dict[str, Any], snapshot: str, sha256: str) -> str:
    """A case file in the layout people write by hand."""
    lines = [
        "# Generated by cases/generate.py; edit the script, not this file.",
        f"id: {case['id']}",
        f"family: {case['family']}",
        f"description: {json.dumps(case['description'])}",
        "snapshot:",
        f"  path: cases/data/{snapshot}.jsonl",
        f"  sha256: {sha256}",
        "window:",
        f'  end: "{case["end"]}"',
        f"  days: {case['refs'][0]}",
        f"expect: {case['expect']}",
        f"min_signals: {case['min_signals']}",
        f"signals: {json.dumps(case['signals'], sort_keys=True)}",
    ]
    if "integrity" in case:
        lines.append(f"integrity: {json.dumps(case['integrity'])}")
    for role in ("triggers", "falsifiers"):
        if case.get(role):
            lines.append(f"{role}:")
            for condition in case[role]:
                lines.append(f"  - name: {json.dumps(condition['name'])}")
                for key in ("kind", "fn", "field"):
                    if key in condition:
                        lines.append(f"    {key}: {condition[key]}")
                lines.append(f"    match: {json.dumps(condition['match'], sort_keys=True)}")
                if "weights" in condition:
                    lines.append("    weights:")
                    lines.extend(f"      {d}: {r}" for d, r in condition["weights"].items())
                lines.append(f"    threshold: {condition['threshold']}")
    lines.append(f"protected: {str(case.get('protected', False)).lower()}")
    lines.append(f"gold: {str(case.get('gold', False)).lower()}")
    return "\n".join(lines) + "\n"


def generate(out: Path) -> list[Path]:
    """Write every snapshot and case under `out`; return the written paths."""
    rng = np.random.default_rng(SEED)
    written = []
    for family in (term_emergence, momentum, inbox, conviction):
        snap, cases = family(rng)
        sha256 = snap.write(out)
        written.append(out / "cases" / "data" / f"{snap.name}.jsonl")
        for case in cases:
            path = out / "cases" / f"{case['id']}.yaml"
            path.write_text(case_yaml(case, snap.name, sha256), encoding="utf-8")
            written.append(path)
    outcomes = np.random.default_rng(SEED + 1)
    written.append(write_jsonl(out / "cases" / "outcomes" / "positions.jsonl", positions(outcomes)))
    written.append(write_jsonl(out / "cases" / "outcomes" / "forecasts.jsonl", forecasts(outcomes)))
    metrics = np.random.default_rng(SEED + 2)
    written.append(write_jsonl(out / "cases" / "outcomes" / "runs.jsonl", runs(metrics)))
    online = np.random.default_rng(SEED + 3)
    rollout = out / "cases" / "outcomes" / "rollouts" / "insights_writer.jsonl"
    written.append(write_jsonl(rollout, rollouts(online)))
    return written


def command_line(generate: Callable[[Path], list[Path]], doc: str) -> None:
    """`--out DIR` (default: this repository): generate into it and list what was written."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="repository root to write into (default: this repository)",
    )
    args = parser.parse_args()
    for path in generate(args.out):
        print(path.relative_to(args.out))


if __name__ == "__main__":
    command_line(generate, __doc__)
