"""``trustlab run``: execute one notebook with parameters into a report folder."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from trustlab.errors import ParameterError
from trustlab.runner import pdf, runs, sites
from trustlab.runner.commands.common import NOTEBOOK_HELP, outcome_record, print_json, summary, update_index
from trustlab.runner.notebook import resolve_run

# A VALUE of ``-p NAME VALUE`` may be a number that starts with '-' (``-1``, ``-1e3``, ``-inf``,
# ``-.5``, ``-Infinity``, ``-nan``): the run parser reads these as values, as argparse reads ``-1``.
SIGNED_NUMBER = re.compile(r"^-(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\.?inf(?:inity)?|\.?nan)$", re.IGNORECASE)


def add_parser(sub: Any) -> None:
    """Register ``trustlab run``."""
    run = sub.add_parser("run", help="execute one notebook with parameters into a report folder")
    # argparse takes an argument that starts with '-' for an option unless it looks like a negative
    # number; widening that pattern (its only setting for it) lets -p x -inf and -p x -1e3 through.
    run._negative_number_matcher = SIGNED_NUMBER
    run.add_argument("notebook", help=NOTEBOOK_HELP)
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="set a parameter; VALUE is parsed by the declared type (a number may start with '-': -p x -inf; "
        "text that starts with '-' goes in a YAML file, -f)",
    )
    run.add_argument("-f", "--file", action="append", help="YAML file of parameters (may repeat)")
    run.add_argument("--scenario", help="named scenario from notebooks/params/NAME.SCENARIO.yaml")
    run.add_argument("--out", help="output folder (default reports/runs/NAME-<parameter hash>)")
    run.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="whole-notebook timeout, s")
    run.add_argument(
        "--no-fork-server",
        dest="fork_server",
        action="store_false",
        help="start the run and its kernel as new interpreters instead of forking them from one "
        "that imports the libraries while the parameters are checked",
    )
    run.add_argument("--json", action="store_true", help="print one JSON record of the run instead of a table")
    pdf.add_arguments(run)
    run.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Run one notebook: parameters and places checked before any kernel starts; then the table
    (or JSON record) of its outcome. Exit code 0 if it succeeded, else 1.

    One straight line: the command line read, the run resolved once (:func:`resolve_run`), then
    executed, rendered and written (:func:`trustlab.runner.runs.run_notebook`), the site's index
    rewritten and the outcome printed."""
    cli = parameter_texts(args.parameter)
    pdf_code = pdf.requested(args)  # Chromium checked before any kernel starts
    server: runs.ForkServer | None = None

    def start_fork_server(source: Path) -> None:
        # It imports what the run and its kernel need while the parameters and places are checked;
        # a refused input stops it before it has done anything.
        nonlocal server
        server = runs.start_fork_server([source])

    try:
        run = resolve_run(
            args.notebook,
            cli=cli,
            files=args.file or [],
            scenario=args.scenario,  # --scenario "" is refused, not ignored
            on_source=start_fork_server if args.fork_server else None,
        )
        out_dir = Path(args.out) if args.out else runs.default_run_dir(run)
        options = runs.RunOptions(
            timeout=args.timeout, executor=runs.fork_server_executor(server), pdf_code=pdf_code, hold_lock=True
        )
        outcome = runs.run_notebook(run, out_dir, options)
    except BaseException:
        if server is not None:
            with runs.signals_deferred(reraise=False):  # being stopped: a second Ctrl-C waits for this
                server.close()
        raise
    if server is not None:  # done with it: its memory and cores go back before the index is written
        with runs.signals_deferred():
            server.close()
    site = sites.find_site(outcome.out_dir)
    index = update_index(site)
    if not args.json:
        print(summary([outcome]))
        if index is not None:
            print(f"index: {index}")
    else:
        print_json({"command": "run", **outcome_record(outcome), "index": str(index) if index else None})
    return 0 if outcome.ok else 1


def parameter_texts(pairs: list[list[str]] | None) -> dict[str, str]:
    """The ``-p NAME VALUE`` pairs as a mapping; a name given twice is refused."""
    supplied: dict[str, str] = {}
    for name, value in pairs or []:
        if name in supplied:
            raise ParameterError(f"parameter {name!r} given twice with -p")
        supplied[name] = value
    return supplied
