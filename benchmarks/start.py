"""Start-up cost: CPU of `learnbot --help` and `learnbot validate`, against eager imports.

    python benchmarks/start.py [--repeat N]

Each command runs in a fresh interpreter (what a user or a workflow step pays). The baseline
is the same command after importing every command module first, which is what the CLI did
before its imports became lazy: the same code, measured the same way, in the same process.
Prints the median user+system CPU of each and the ratio.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EAGER = """
import importlib, pkgutil
import bot.commands
for found in pkgutil.iter_modules(bot.commands.__path__):
    importlib.import_module(f"bot.commands.{found.name}")
"""
RUN = """
import sys
from bot.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
"""


def cpu(code: str, argv: list[str]) -> float:
    """User + system CPU seconds of one fresh interpreter running `code`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-c", code, *argv],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(code: str, argv: list[str], repeat: int) -> float:
    return statistics.median(cpu(code, argv) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    # validate reads this repository's example state
    commands = {"--help": ["--help"], "validate": ["validate", "--repo", str(ROOT)]}
    print(f"{'command':<10} {'lazy CPU s':>11} {'eager CPU s':>12} {'ratio':>7}")
    for name, argv in commands.items():
        lazy = median_cpu(RUN, argv, args.repeat)
        eager = median_cpu(EAGER + RUN, argv, args.repeat)
        print(f"{name:<10} {lazy:>11.3f} {eager:>12.3f} {lazy / eager:>7.2f}")
    print("goal: `learnbot --help` under 0.15 s CPU")


if __name__ == "__main__":
    main()
