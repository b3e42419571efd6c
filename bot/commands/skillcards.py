"""Skill cards: one per case family, policy, producer and agent, for `learnbot cards` and the
dashboard."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.commands import queue
from bot.commands.evaluation import Evaluated
from bot.commands.runloss import losses
from bot.core import agent_cards, cards, experiments
from bot.core.cards import Card, CaseFacts
from bot.core.evaluate import Result
from bot.core.experiments import Experiment
from bot.core.history import History
from bot.core.learners import configs, training
from bot.core.learners import forecasts as forecasts_learner
from bot.edges import inputs, labels, outcomes, render
from bot.model import Case, Problem

DAY = 86400


def render_card(card: Card, dirs: Sequence[Path], *, heading: str = "##", anchor: str = "") -> str:
    context = {"card": card.as_dict(), "heading": render.Raw(heading), "anchor": anchor}
    return render.render("card.md.j2", context, dirs=dirs)


def anchor(card: Card) -> render.Raw:
    """The card's anchor in the dashboard: letters, digits, `-` and `_` only."""
    return render.Raw("card-" + re.sub(r"[^a-z0-9_-]", "-", card.key.lower()))


def build(
    evaluated: Evaluated,
    history: History,
    week_ago: Mapping[str, Result] | None,
    month_ago: Mapping[str, Result] | None,
) -> tuple[list[Card], list[Problem]]:
    """Cards for every family, every policy a case reads, every producer with forecasts, and
    every agent of the label learners."""
    config = evaluated.state.config
    found = experiments.collect(history.entries, [])
    rolled_back = frozenset(e.subject for e in found if e.outcome == experiments.ROLLED_BACK)
    hypotheses = {f.case_id: f.hypothesis for f in evaluated.failures()}
    crl, problems = _crl_trends(evaluated)
    results = {r.case_id: r for r in evaluated.results}

    def facts(ids: Sequence[str]) -> CaseFacts:
        return CaseFacts(
            [results[i] for i in sorted(ids) if i in results],
            week_ago,
            month_ago,
            hypotheses,
            rolled_back,
        )

    families = _families(evaluated.cases)
    built = [
        cards.case_card(cards.FAMILY, name, facts(ids), crl.get(name), _recent(found, ids, name))
        for name, ids in sorted(families.items())
    ]
    built += [
        cards.case_card(cards.POLICY, name, facts(ids), crl.get(name), _recent(found, ids, name))
        for name, ids in sorted(_readers(evaluated.cases).items())
        if sorted(families.get(name, ())) != sorted(ids)  # else the family's card says it all
    ]
    forecasts, forecast_problems = inputs.lines(
        evaluated.files, forecasts_learner.FORECASTS, config
    )
    built += [
        cards.producer_card(p, crl.get(p.group), _recent(found, (), p.group))
        for p in forecasts_learner.performance(forecasts)
    ]
    agents, label_problems = _agent_cards(evaluated, crl, found)
    return [*built, *agents], [*problems, *forecast_problems, *label_problems]


def _agent_cards(
    evaluated: Evaluated, crl: Mapping[str, cards.Trend], found: Sequence[Experiment]
) -> tuple[list[Card], list[Problem]]:
    """A card per agent of the label learners: with labels, trained, or judged."""
    config = evaluated.state.config
    directory = configs.LABELS.of(config).path
    trainer, judges = configs.TRAINER.of(config), configs.JUDGES.of(config)
    names = {*labels.agents(evaluated.files, directory), *trainer.agents, *judges.policies}
    built: list[Card] = []
    problems: list[Problem] = []
    for agent in sorted(names):
        examples, bad = labels.examples(evaluated.files, directory, agent)
        problems += bad
        facts = agent_cards.AgentFacts(
            examples,
            _rule(evaluated, agent),
            len(queue.queue(evaluated, agent)),
            trainer.min_examples,
            judges,
        )
        subjects = [f"{training.PREFIX}{agent}", f"judges/{judges.policies.get(agent)}"]
        recent = _recent(found, subjects, agent)
        built.append(agent_cards.agent_card(agent, facts, evaluated.at, crl.get(agent), recent))
    return built, problems


def _rule(evaluated: Evaluated, agent: str) -> agent_cards.Rule | None:
    """The agent's rule at the policies' current values (None: not trained, or unknown)."""
    data = configs.TRAINER.of(evaluated.state.config).agents.get(agent)
    if data is None:
        return None
    spec = training.Spec.from_config(agent, data)
    thresholds = []
    for feature in spec.features:
        policy, _, name = feature.parameter.partition(".")
        found = evaluated.state.policies.get(policy)
        if found is None or name not in found.parameters:
            return None
        thresholds.append(float(found.parameters[name].value))
    return agent_cards.Rule(spec.features, tuple(thresholds), spec.positive)


def _families(cases: Mapping[str, Case]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for case in cases.values():
        if case.family:
            found[case.family].append(case.id)
    return found


def _readers(cases: Mapping[str, Case]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for case in cases.values():
        for policy in case.policies():
            found[policy].append(case.id)
    return found


def _recent(found: Sequence[Experiment], ids: Sequence[str], name: str) -> list[Experiment]:
    """Experiments on one of the component's cases, or on a subject named after it."""
    wanted = set(ids)
    return [e for e in found if e.subject in wanted or e.subject.rsplit("/", 1)[-1] == name]


def _crl_trends(evaluated: Evaluated) -> tuple[dict[str, cards.Trend], list[Problem]]:
    objective = evaluated.state.config.objective
    runs, problems = outcomes.runs(evaluated.files, objective.runs)
    found, missing = losses(runs, objective.weights.as_mapping(), objective.runs)
    points: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for run, loss in found:
        points[run.component].append((run.at, loss.value))
    trends = {name: cards.crl_trend(items, evaluated.at) for name, items in points.items()}
    return {k: v for k, v in trends.items() if v is not None}, [*problems, *missing]


def dashboard_section(evaluated: Evaluated, history: History, templates: Sequence[Path]) -> str:
    """The dashboard's skill cards: a row per card (summary and weaknesses) linking to the card
    in full below it (without git trends)."""
    built, _ = build(evaluated, history, None, None)
    context = {
        "cards": [
            {
                **card.as_dict(),
                "anchor": anchor(card),
                "full": render.Raw(
                    render_card(card, templates, heading="####", anchor=anchor(card))
                ),
            }
            for card in built
        ]
    }
    return render.render("cards_summary.md.j2", context, dirs=templates)
