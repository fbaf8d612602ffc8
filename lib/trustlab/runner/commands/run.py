"""``trustlab run``: execute one notebook with parameters into a report folder."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from trustlab import config
from trustlab.errors import ParameterError
from trustlab.runner import pdf, runs, sites
from trustlab.runner.commands.common import NOTEBOOK_HELP, outcome_record, print_json, summary, update_index
from trustlab.runner.notebook import Notebook

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
    (or JSON record) of its outcome. Exit code 0 if it succeeded, else 1."""
    notebook = Notebook.load(args.notebook)
    # The fork server imports what the run and its kernel need while the parameters and places
    # are checked; a refused input stops it before it has done anything.
    server = runs.start_fork_server([notebook.source]) if args.fork_server else None
    try:
        outcome, index = run_checked(args, notebook, server)
    except BaseException:
        if server is not None:
            with runs.signals_deferred(reraise=False):  # being stopped: a second Ctrl-C waits for this
                server.close()
        raise
    if args.json:
        print_json({"command": "run", **outcome_record(outcome), "index": str(index) if index else None})
    else:
        print(summary([outcome]))
        if index is not None:
            print(f"index: {index}")
    return 0 if outcome.ok else 1


def run_checked(
    args: argparse.Namespace, notebook: Notebook, server: runs.ForkServer | None
) -> tuple[runs.RunOutcome, Path | None]:
    """Resolve the parameters, check the places, run under the site's lock; the outcome and the
    site's rewritten index (None for a run in no site)."""
    files = [Path(f) for f in args.file or []]
    if args.scenario is not None:  # --scenario "" is refused by scenario_path, not ignored
        files.insert(0, notebook.scenario_path(args.scenario))
    resolved = notebook.resolve(cli=parameter_texts(args.parameter), files=files)
    out_dir = (Path(args.out) if args.out else default_run_dir(notebook.name, resolved)).resolve()
    pdf_code = pdf.requested(args)  # Chromium checked before any kernel starts
    site = sites.find_site(out_dir)
    check_run_places(out_dir, site)
    with sites.locked(site if site is not None else out_dir):
        check_run_places(out_dir, site)  # again: the process we waited for may have written there
        print(f"running {notebook.name} -> {out_dir}", file=sys.stderr)
        options = runs.RunOptions(
            scenario=args.scenario,
            timeout=args.timeout,
            site_root=site,
            executor=runs.fork_server_executor(server),
            pdf_code=pdf_code,
        )
        outcome = runs.run_notebook(notebook, resolved, out_dir, options)
        if server is not None:  # done with it: its memory and cores go back before the index is written
            with runs.signals_deferred():
                server.close()
        return outcome, update_index(site)


def parameter_texts(pairs: list[list[str]] | None) -> dict[str, str]:
    """The ``-p NAME VALUE`` pairs as a mapping; a name given twice is refused."""
    supplied: dict[str, str] = {}
    for name, value in pairs or []:
        if name in supplied:
            raise ParameterError(f"parameter {name!r} given twice with -p")
        supplied[name] = value
    return supplied


def default_run_dir(name: str, resolved: dict[str, Any]) -> Path:
    """``reports/runs/NAME-<hash of the resolved parameters>``."""
    digest = hashlib.sha256(json.dumps(resolved, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
    return config.REPORTS_DIR / "runs" / f"{name}-{digest}"


def check_run_places(out_dir: Path, site: Path | None) -> None:
    """Refuse, before any kernel starts, a run whose folders trustlab may not write (and open its site)."""
    sites.check_replaceable(out_dir)
    sites.check_replaceable(sites.failed_dir(out_dir, site))
    if site is not None:
        sites.open_site(site)
