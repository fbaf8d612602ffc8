"""``trustlab new``: the scaffold of a new question (:mod:`trustlab.runner.new`), executed once."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from trustlab.runner import new, runs
from trustlab.runner.commands.common import summary
from trustlab.runner.notebook import Notebook


def add_parser(sub: Any) -> None:
    """Register ``trustlab new``."""
    nw = sub.add_parser(
        "new",
        help="scaffold a new question: numbered notebook, contract, smoke scenario, "
        "analysis module and test, and execute it once",
    )
    nw.add_argument(
        "name",
        help="the question's module name: lower-case letters, digits and '_' "
        "(notebooks/NN_NAME.py, lib/trustlab/NAME.py); never one that exists",
    )
    nw.add_argument("--question", required=True, help="the question the notebook answers (its first lines)")
    nw.add_argument(
        "--no-execute",
        dest="execute",
        action="store_false",
        help="do not execute the new notebook; its committed .ipynb then has no outputs until `trustlab refresh NN_NAME`",
    )
    nw.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="whole-notebook timeout, s")
    nw.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Write the scaffold (refused before anything is written) and execute it; exit code 0 if it ran."""
    question = new.check_question(args.question)
    scaffold = new.plan(args.name)  # refused before anything is written
    root = scaffold.root
    for path in new.write(scaffold, question):
        print(f"created {path.relative_to(root)}")
    if not args.execute:
        print(
            f"not executed: run `trustlab refresh {scaffold.stem}` to store the outputs of its default run "
            f"in {scaffold.committed.relative_to(root)}"
        )
        return 0
    print(f"executing {scaffold.stem} on its defaults into {scaffold.committed.relative_to(root)}", file=sys.stderr)
    outcomes = runs.refresh([Notebook.load(scaffold.notebook)], timeout=args.timeout)
    print(summary(outcomes))
    if not all(o.ok for o in outcomes):
        print(f"the scaffold is in place, but its run failed: fix it, then `trustlab refresh {scaffold.stem}`")
        return 1
    print(
        f"next: edit {scaffold.notebook.relative_to(root)} and {scaffold.module.relative_to(root)}, "
        f"then `trustlab refresh {scaffold.stem}` and `make test`"
    )
    return 0
