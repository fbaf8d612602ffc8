"""``trustlab refresh``: re-execute the committed notebooks in place (the outputs of their default run)."""

from __future__ import annotations

import argparse
from typing import Any

from trustlab.runner import runs
from trustlab.runner.commands.common import load_named, summary


def add_parser(sub: Any) -> None:
    """Register ``trustlab refresh``."""
    refresh = sub.add_parser("refresh", help="re-execute the committed notebooks in place (outputs of the default run)")
    refresh.add_argument("notebooks", nargs="*", help="only these notebooks (default: all)")
    refresh.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="whole-notebook timeout, s")
    refresh.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Refresh the named notebooks (default: all); exit code 0 if every run succeeded."""
    outcomes = runs.refresh(load_named(args.notebooks), timeout=args.timeout)
    print(summary(outcomes))
    return 0 if all(o.ok for o in outcomes) else 1
