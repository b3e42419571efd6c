"""The `learnbot` command line: argparse only; every command calls one app function."""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType

from bot import __version__, config
from bot.commands.forges import FORGES
from bot.core.learners.catalog import LEARNER_NAMES
from bot.edges import redact
from bot.edges.redact import scrub
from bot.errors import EXIT_BUG, EXIT_INTERRUPTED, BotError, ConfigError
from bot.model import parse_time

EXIT_CODES = """exit codes:
  0  ok
  1  the check found problems (failing cases, a broken ledger, a failed gate)
  2  invalid input or usage (a state file, a flag, the environment)
  3  a bug in learnbot (the traceback is printed)"""


def _command(name: str) -> ModuleType:
    """The module of one command, imported when that command runs.

    Importing every command up front costs a second of CPU (numpy, GitPython, PyGithub,
    Jinja2) that `learnbot --help` and `validate` never use (#17).
    """
    return importlib.import_module(f"bot.commands.{name}")


def _shard(text: str) -> object:
    """`I/N`: one shard of a run split N ways."""
    from bot.commands.shards import Shard  # imported only when the flag is given

    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _runs(text: str) -> int:
    """A stabilization run count: at most 100, like the config's (#18: 2**63 never ends)."""
    try:
        runs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= runs <= 100:
        raise argparse.ArgumentTypeError(f"{runs} is not between 1 and 100")
    return runs


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--repo", metavar="DIR", help="the repository (default: current directory)")
    parent.add_argument("-v", "--verbose", action="store_true", help="show tracebacks")
    parent.add_argument(
        "--config", metavar="PATH", help="configuration file (default: .github/learnbot.yml)"
    )
    parent.add_argument(
        "--no-cache",
        action="store_true",
        help="read and write no disk cache (parsed snapshots, learned failures); "
        "also $LEARNBOT_NO_CACHE=1",
    )
    return parent


def _add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print data as JSON")


def _add_forge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--forge", choices=tuple(FORGES), help="default: github in Actions, else local"
    )
    parser.add_argument("--github-repo", metavar="OWNER/NAME", help="default: $GITHUB_REPOSITORY")
    parser.add_argument(
        "--api-url", metavar="URL", help="GitHub API (Enterprise); default: $GITHUB_API_URL"
    )
    parser.add_argument(
        "--token-env", metavar="NAME", help="variable holding the token (default GITHUB_TOKEN)"
    )


def _add_now_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--now",
        type=_timestamp,
        metavar="TIME",
        help="the clock (ISO-8601 UTC); default: from the event or the evaluated commit",
    )


def _timestamp(text: str) -> int:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from exc


Command = Callable[[str, str], argparse.ArgumentParser]


def _learner_names() -> tuple[str, ...]:
    """The registered learners: the catalog's, or the registry's once it is loaded (a
    repository's own learners register there); the registry itself imports numpy (#17)."""
    registry = sys.modules.get("bot.core.learners.registry")
    return tuple(registry.LEARNERS) if registry is not None else LEARNER_NAMES


@functools.cache
def _parser(learners: tuple[str, ...]) -> argparse.ArgumentParser:
    """The command line, built once per registry of learners: parsing does not change it."""
    return build_parser()


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="learnbot",
        description="A GitOps learning loop: backtest failures become reviewed pull requests.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"learnbot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            parents=[common],
            help=help_,
            description=help_,
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    _state_commands(command)
    _evaluation_commands(command)
    _proposal_commands(command)
    _forge_commands(command, common)
    _ledger_commands(command, common)
    _label_commands(command, common)
    demo_ = command("demo", "the whole loop on a throwaway copy of the example state (local forge)")
    demo_.add_argument("--keep", action="store_true", help="keep the temporary repository")
    demo_.set_defaults(
        run=lambda a, s, e: _command("demo").demo(s, e, keep=a.keep, dispatch=dispatch)
    )
    return parser


def _state_commands(command: Command) -> None:
    init_ = command("init", "start learning: config, workflows, a starter policy and cases")
    init_.add_argument(
        "--example", metavar="NAME", help="one family of the bundled example instead of the starter"
    )
    init_.add_argument("--force", action="store_true", help="overwrite files that differ")
    init_.add_argument(
        "--action", metavar="OWNER/NAME", help="where the action is published (workflows use it)"
    )
    _add_json_option(init_)
    init_.set_defaults(
        run=lambda a, s, _: _command("init").init(
            s, example=a.example, force=a.force, action=a.action
        )
    )

    validate_ = command("validate", "check every policy, case, snapshot and the config")
    _add_json_option(validate_)
    validate_.set_defaults(run=lambda a, s, _: _command("validate").validate(s))

    pin_ = command(
        "pin", "re-pin changed snapshots: show each case's events and result before and after"
    )
    pin_.add_argument("cases", nargs="*", metavar="CASE", help="default: every case")
    pin_.add_argument(
        "--force", action="store_true", help="pin even when a protected case's result changes"
    )
    _add_json_option(pin_)
    pin_.set_defaults(run=lambda a, s, _: _command("pin").pin(s, case_ids=a.cases, force=a.force))

    schema_ = command("schema", "JSON Schemas of the state files")
    schema_commands = schema_.add_subparsers(dest="schema_command", required=True)
    export = schema_commands.add_parser("export", help="write the schemas into DIR for editors")
    export.add_argument("directory", metavar="DIR", type=Path)
    _add_json_option(export)
    export.set_defaults(
        run=lambda a, s, _: _command("schema").export_schemas(s, directory=a.directory)
    )
    reference = schema_commands.add_parser(
        "reference", help="the configuration reference (Markdown), generated from the schema"
    )
    reference.add_argument(
        "--out", metavar="FILE", type=Path, help="write it here (default: stdout)"
    )
    reference.set_defaults(run=lambda a, s, _: _command("schema").config_reference(s, out=a.out))

    crl_ = command("crl", "the composite run loss of every run in the run-metrics file")
    _add_json_option(crl_)
    crl_.set_defaults(run=lambda a, s, _: _command("crl").show(s))


def _evaluation_commands(command: Command) -> None:
    backtest_ = command(
        "backtest", "evaluate every case: HIT, MISS, ABSTAIN or UNKNOWN with the evidence"
    )
    backtest_.add_argument("--rev", metavar="REV", help="read the state from this git revision")
    _add_json_option(backtest_)
    _add_now_option(backtest_)
    backtest_.set_defaults(run=lambda a, s, _: _command("backtest").run_backtest(s, rev=a.rev))

    analyze_ = command("analyze", "analyse every failure (MISS, or ABSTAIN with HIGH confidence)")
    analyze_.add_argument("--rev", metavar="REV", help="read the state from this git revision")
    analyze_.add_argument(
        "--out", metavar="DIR", type=Path, help="write JSON and Markdown per failure"
    )
    _add_json_option(analyze_)
    _add_now_option(analyze_)
    analyze_.set_defaults(
        run=lambda a, s, _: _command("analyze").run_analyze(s, rev=a.rev, out=a.out)
    )


def _proposal_commands(command: Command) -> None:
    propose_ = command("propose", "the one bounded proposal for a failure, as YAML")
    propose_.add_argument(
        "--failure", required=True, metavar="ID", help="a failure id (or its case id)"
    )
    propose_.add_argument(
        "--out", metavar="FILE", type=Path, help="write the YAML here (default: stdout)"
    )
    _add_json_option(propose_)
    _add_now_option(propose_)
    propose_.set_defaults(
        run=lambda a, s, _: _command("propose").run_propose(s, failure_id=a.failure, out=a.out)
    )

    sandbox_ = command("sandbox", "replay a proposal on historical snapshots and gate it")
    sandbox_.add_argument("proposal", metavar="PROPOSAL.yaml", type=Path)
    sandbox_.add_argument(
        "--runs", type=_runs, metavar="N", help="stabilization runs, 1 to 100 (default: config)"
    )
    sandbox_.add_argument("--out", metavar="REPORT.json", type=Path, help="also write the report")
    _add_json_option(sandbox_)
    _add_now_option(sandbox_)
    sandbox_.set_defaults(
        run=lambda a, s, _: _command("sandbox").run_sandbox(
            s, proposal_path=a.proposal, runs=a.runs, out=a.out
        )
    )

    cards_ = command(
        "cards", "a skill card per case family, policy and producer (Markdown or JSON)"
    )
    cards_.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help="also write each card as DIR/<kind>-<name>.md and .json",
    )
    _add_json_option(cards_)
    _add_now_option(cards_)
    cards_.set_defaults(run=lambda a, s, _: _command("cards").show(s, out=a.out))

    gate_ = command("gate", "decide on a sandbox report with the configured criteria")
    gate_.add_argument("report", metavar="REPORT.json", type=Path)
    gate_.add_argument(
        "--learner",
        default="backtest",
        choices=LEARNER_NAMES,
        help="whose gate rules decide (default: backtest)",
    )
    _add_json_option(gate_)
    gate_.set_defaults(
        run=lambda a, s, _: _command("gate").run_gate(s, report_path=a.report, learner=a.learner)
    )

    learn_ = command(
        "learn", "run one learner on demand and show its proposal (weights, karma, ...)"
    )
    learn_.add_argument("learner", choices=LEARNER_NAMES)
    learn_.add_argument("--dry-run", action="store_true", help="required: show, write nothing")
    _add_json_option(learn_)
    _add_now_option(learn_)
    learn_.set_defaults(
        run=lambda a, s, e: _command("learn").learn(s, e, name=a.learner, dry_run=a.dry_run)
    )

    loop = command("loop", "backtest, analyse, propose, sandbox and gate: the PRs run would open")
    loop.add_argument(
        "--dry-run", action="store_true", help="required: print the plan, write nothing"
    )
    _add_json_option(loop)
    _add_now_option(loop)
    _add_forge_options(loop)
    loop.add_argument(
        "--shard",
        type=_shard,
        metavar="I/N",
        help="learn only shard I of N (by failure id), written into --out (run --from-shards)",
    )
    loop.add_argument("--out", metavar="DIR", type=Path, help="where --shard writes its findings")
    loop.set_defaults(
        run=lambda a, s, e: _command("loop").run_loop(
            s, e, dry_run=a.dry_run, shard=a.shard, out=a.out
        )
    )


def _forge_commands(command: Command, common: argparse.ArgumentParser) -> None:
    run = command("run", "the scheduled job: one pull request per failure, checks, dashboard")
    run.add_argument("--dry-run", action="store_true", help="print the actions, write nothing")
    _add_forge_options(run)
    _add_json_option(run)
    _add_now_option(run)
    run.add_argument(
        "--from-shards",
        nargs="+",
        type=Path,
        default=(),
        metavar="DIR",
        help="open and update the pull requests from `loop --shard` findings (no replays)",
    )
    run.set_defaults(
        run=lambda a, s, e: _command("run").run(s, e, dry_run=a.dry_run, from_shards=a.from_shards)
    )

    check_ = command(
        "check", "replay a proposal branch's diff N times and report the gate on its head"
    )
    check_.add_argument("--pr", type=int, metavar="N", help="default: the pull_request event")
    check_.add_argument("--branch", metavar="NAME", help="check a branch instead of a pull request")
    _add_forge_options(check_)
    _add_json_option(check_)
    _add_now_option(check_)
    check_.set_defaults(
        run=lambda a, s, e: _command("check").run_check(s, e, number=a.pr, branch=a.branch)
    )

    promote_ = command(
        "promote", "record merges (promotion), reverts (rollback), rejections in the ledger"
    )
    _add_json_option(promote_)
    _add_forge_options(promote_)
    _add_now_option(promote_)
    promote_.set_defaults(run=lambda a, s, e: _command("promote").promote(s, e))

    prs_ = command("prs", "learnbot's pull requests with state and gate result")
    prs_.add_argument("--state", choices=("open", "closed", "merged"))
    _add_forge_options(prs_)
    _add_json_option(prs_)
    prs_.set_defaults(run=lambda a, s, e: _command("prs").list_pulls(s, e, state=a.state))
    prs_commands = prs_.add_subparsers(dest="prs_command", metavar="show")
    show = prs_commands.add_parser(
        "show", parents=[common], help="one pull request: its body, check and gate table"
    )
    show.add_argument("number", type=int, metavar="N")
    _add_forge_options(show)
    _add_json_option(show)
    show.set_defaults(run=lambda a, s, e: _command("prs").show(s, e, number=a.number))

    merge_ = command(
        "merge", "merge a local pull request into the default branch (a real git merge)"
    )
    merge_.add_argument("number", type=int, metavar="N")
    merge_.add_argument("--approved-by", metavar="NAME", help="record an approving review")
    merge_.add_argument(
        "--force",
        action="store_true",
        help="merge even when the check failed, is missing or ran on an older base "
        "(recorded as a forced merge)",
    )
    _add_json_option(merge_)
    _add_forge_options(merge_)
    merge_.set_defaults(
        run=lambda a, s, _: _command("merge").merge(
            s, number=a.number, approved_by=a.approved_by, force=a.force
        )
    )

    experiments_ = command(
        "experiments",
        "every proposal that reached a pull request and its outcome, from the ledger and the forge",
    )
    _add_forge_options(experiments_)
    _add_json_option(experiments_)
    experiments_.set_defaults(run=lambda a, s, e: _command("experiments").list_experiments(s, e))

    close_ = command("close", "close a local pull request without merging (a rejection)")
    close_.add_argument("number", type=int, metavar="N")
    close_.add_argument(
        "--comment", metavar="TEXT", help="why (becomes the rejection label's notes)"
    )
    _add_json_option(close_)
    _add_forge_options(close_)
    close_.set_defaults(
        run=lambda a, s, _: _command("close").close(s, number=a.number, comment=a.comment)
    )


def _ledger_commands(command: Command, common: argparse.ArgumentParser) -> None:
    ledger_ = command("ledger", "the hash-chained ledgers")
    ledger_commands = ledger_.add_subparsers(dest="ledger_command", required=True)
    verify = ledger_commands.add_parser(
        "verify", parents=[common], help="verify chains; name the first bad line"
    )
    verify.add_argument("files", nargs="*", metavar="FILE", help="default: ledgers/*.jsonl")
    verify.add_argument(
        "--history",
        metavar="REV",
        nargs="?",
        const="HEAD",
        help="check every commit that changed ledgers/ up to REV (default HEAD) was "
        "learnbot's append",
    )
    _add_json_option(verify)
    verify.set_defaults(
        run=lambda a, s, _: (
            _command("ledger").verify_history(s, rev=a.history)
            if a.history
            else _command("ledger").verify(s, files=a.files)
        )
    )
    show = ledger_commands.add_parser("show", parents=[common], help="print entries")
    show.add_argument("file", nargs="?", metavar="FILE", help="default: every ledger")
    show.add_argument("--type", dest="type_", metavar="TYPE", help="only entries of this type")
    _add_json_option(show)
    show.set_defaults(run=lambda a, s, _: _command("ledger").show(s, file=a.file, type_=a.type_))


def _label_commands(command: Command, common: argparse.ArgumentParser) -> None:
    labels_ = command("labels", "labeled examples: import exports through the curator")
    label_commands = labels_.add_subparsers(dest="labels_command", required=True)
    import_ = label_commands.add_parser(
        "import",
        parents=[common],
        help="curate an approvals, feedback or gold export (JSONL or CSV) into one pull request",
    )
    import_.add_argument("file", metavar="FILE", type=Path)
    import_.add_argument("--source", required=True, choices=("approvals", "feedback", "gold"))
    import_.add_argument("--dry-run", action="store_true", help="show what the curator keeps")
    _add_json_option(import_)
    _add_forge_options(import_)
    _add_now_option(import_)
    comment = command(
        "comment", "handle a /learnbot comment on a review queue issue (issue_comment event)"
    )
    comment.add_argument("body", nargs="?", metavar="BODY", help="local forge: the comment text")
    comment.add_argument("--issue", type=int, metavar="N", help="local forge: the issue")
    comment.add_argument("--author", metavar="LOGIN", help="local forge: who commented")
    _add_forge_options(comment)
    _add_now_option(comment)
    comment.set_defaults(
        run=lambda a, s, e: _command("comment").run_comment(
            s, e, issue=a.issue, author=a.author, body=a.body
        )
    )
    collaborator_ = command(
        "collaborator", "local forge: give a person a permission (who may label by comment)"
    )
    collaborator_.add_argument("login", metavar="LOGIN")
    collaborator_.add_argument(
        "--permission", required=True, choices=("admin", "maintain", "write", "triage", "read")
    )
    _add_json_option(collaborator_)
    _add_forge_options(collaborator_)
    collaborator_.set_defaults(
        run=lambda a, s, _: _command("collaborator").grant(
            s, login=a.login, permission=a.permission
        )
    )
    import_.set_defaults(
        run=lambda a, s, e: _command("labels").run_import(
            s, e, path=a.file, source=a.source, dry_run=a.dry_run
        )
    )


def dispatch(argv: Sequence[str], settings: config.Settings, environ: Mapping[str, str]) -> int:
    """Run one command line with settings already resolved (the demo's walk-through)."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, config.Settings, Mapping[str, str]], int] = args.run
    return handler(args, settings, environ)


@contextlib.contextmanager
def error_handler(verbose: bool) -> Iterator[list[int]]:
    """The one error boundary: BotError -> its exit code; Ctrl-C -> 130; anything else -> 3.

    `-v` adds the traceback of a BotError; the exit code is the same either way.
    """
    code = [0]
    try:
        yield code
    except BotError as exc:
        if verbose:
            sys.stderr.write(scrub(traceback.format_exc()))
        sys.stderr.write(f"learnbot: error: {scrub(str(exc))}\n")
        if exc.hint:
            sys.stderr.write(f"hint: {scrub(exc.hint)}\n")
        code[0] = exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("learnbot: interrupted\n")
        code[0] = EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`learnbot loop --dry-run | head`): that ends the output, quietly
        _silence_stdout()
        code[0] = 0
    except Exception:
        sys.stderr.write(scrub(traceback.format_exc()))
        sys.stderr.write("learnbot: this is a bug; please report it with the traceback above\n")
        code[0] = EXIT_BUG


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _check_config_flag(
    args: argparse.Namespace, settings: config.Settings, env: Mapping[str, str]
) -> None:
    """A `--config` (or $LEARNBOT_CONFIG other than the default) that names no file is an
    error, never silently the defaults (#16)."""
    flag = getattr(args, "config", None)
    named = env.get("LEARNBOT_CONFIG")
    given = flag or (named if named and named != config.CONFIG_PATH else None)
    if given and args.command != "init" and not (settings.repo / given).is_file():
        where = "--config" if flag else "LEARNBOT_CONFIG="
        raise ConfigError(
            f"{where}{' ' if flag else ''}{given}: no such file in {settings.repo}",
            hint="the path is relative to the repository; `learnbot init` writes one",
        )


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run one command; return its exit code."""
    env = dict(os.environ) if environ is None else environ
    args = _parser(_learner_names()).parse_args(argv)
    verbose = bool(getattr(args, "verbose", False))
    with error_handler(verbose) as code:
        settings = config.resolve(
            repo=getattr(args, "repo", None),
            forge=getattr(args, "forge", None),
            as_json=bool(getattr(args, "json", False)),
            now=getattr(args, "now", None),
            forge_repository=getattr(args, "github_repo", None),
            api_url=getattr(args, "api_url", None),
            token_env=getattr(args, "token_env", None),
            verbose=verbose,
            config_path=getattr(args, "config", None),
            no_cache=bool(getattr(args, "no_cache", False)),
            environ=env,
        )
        if settings.forge not in FORGES:  # $LEARNBOT_FORGE: argparse checks the flag
            raise ConfigError(f"--forge {settings.forge!r}: choose one of {', '.join(FORGES)}")
        _check_config_flag(args, settings, env)
        handler: Callable[[argparse.Namespace, config.Settings, Mapping[str, str]], int] = args.run
        with redact.secrets_removed(os.environ, settings.token_env):
            code[0] = handler(args, settings, env)
    return code[0]
