"""``trustlab build``: execute every notebook with its defaults into a report site, skipping unchanged ones."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from trustlab import config
from trustlab.runner import folders, pdf, runs, sites
from trustlab.runner.commands.common import load_named, outcome_record, print_json, summary, update_book, write_index
from trustlab.runner.notebook import Notebook


def add_parser(sub: Any) -> None:
    """Register ``trustlab build``."""
    build = sub.add_parser("build", help="execute every notebook with its defaults into reports/, skipping unchanged ones")
    build.add_argument("notebooks", nargs="*", help="only these notebooks")
    build.add_argument("--force", action="store_true", help="rerun even when the inputs are unchanged")
    build.add_argument("--dry-run", action="store_true", help="say what would run and why, run nothing")
    build.add_argument("--jobs", "-j", type=int, default=None, help="parallel runs (default: number of cores)")
    build.add_argument("--scenario", help="build this named scenario of each notebook instead of the defaults")
    build.add_argument("--out", help="reports folder (default reports/)")
    build.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="whole-notebook timeout, s")
    build.add_argument(
        "--no-fork-server",
        dest="fork_server",
        action="store_false",
        help="start every run as a new interpreter instead of forking it from one that has imported the libraries once",
    )
    build.add_argument("--json", action="store_true", help="print one JSON record of the build instead of a table")
    pdf.add_arguments(build)
    build.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Build the site (or, with ``--dry-run``, say what would run and why). Exit code 0 if every run succeeded."""
    site = (Path(args.out) if args.out else config.REPORTS_DIR).resolve()
    sites.check_site_root(site)
    pdf_code = pdf.requested(args)  # Chromium checked before any kernel starts
    selected = load_named(args.notebooks)
    if args.dry_run:
        planned = runs.plan_build(selected, site, args.force, args.scenario, pdf_code=pdf_code)
        if args.json:
            print_json(
                {
                    "command": "build",
                    "dry_run": True,
                    "site": str(site),
                    "runs": [
                        {"notebook": run.name, "action": "skip" if run.reason == "up to date" else "run", "reason": run.reason}
                        for run in planned
                    ],
                }
            )
            return 0
        for run in planned:
            action = "skip" if run.reason == "up to date" else "run"
            print(f"{action:<5} {run.name:<34} {run.reason}")
        return 0
    with folders.locked(site):
        return build_locked(args, site, selected, pdf_code)


def build_locked(args: argparse.Namespace, site: Path, selected: list[Notebook] | None, pdf_code: str | None) -> int:
    """Plan, run and report a build; the caller holds the site's lock."""
    server: runs.ForkServer | None = None

    def start_fork_server(due: list[Notebook]) -> None:  # called once some run is due: it imports while parameters are checked
        nonlocal server
        server = runs.start_fork_server(notebook.source for notebook in due)

    try:
        planned = runs.plan_build(
            selected,
            site,
            args.force,
            args.scenario,
            on_pending=start_fork_server if args.fork_server else None,
            pdf_code=pdf_code,
        )
        sites.open_site(site)  # only now: parameters that fail their checks leave nothing behind
        pending = sum(run.reason != "up to date" for run in planned)
        if pending:
            print(f"building {pending} of {len(planned)} notebook(s), {args.jobs or 'one per core'} at a time", file=sys.stderr)

        def report_progress(outcome: runs.RunOutcome, finished: int, total: int) -> None:
            print(f"[{finished}/{total}] {outcome.notebook}: {outcome.status} in {outcome.seconds:.1f} s", file=sys.stderr)

        outcomes = runs.build(
            planned,
            jobs=args.jobs,
            timeout=args.timeout,
            on_done=report_progress,
            fork_server=server or False,
            pdf_code=pdf_code,
        )
    finally:
        if server is not None:
            server.close()
    book_rebuilt = update_book(site)  # a warm no-op build finds its stamp unchanged and runs no Sphinx
    if book_rebuilt or any(o.status != "cached" for o in outcomes) or not (site / "index.html").exists():
        write_index(site)
    if args.json:
        print_json(
            {
                "command": "build",
                "dry_run": False,
                "site": str(site),
                "index": str(site / "index.html"),
                "book": str(book) if (book := site / sites.BOOK_DIRNAME / "index.html").is_file() else None,
                "runs": [outcome_record(o) for o in outcomes],
            }
        )
    else:
        print(summary(outcomes))
        print(f"index: {site / 'index.html'}")
        if (site / sites.BOOK_DIRNAME / "index.html").is_file():
            print(f"book: {site / sites.BOOK_DIRNAME / 'index.html'}")
    return 0 if all(o.ok for o in outcomes) else 1
