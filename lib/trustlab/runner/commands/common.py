"""What several commands share: the notebooks they name, the table of run outcomes and their JSON
records, and the site's book and index rewritten after runs were added to it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from trustlab import results
from trustlab.runner import finish, report, runs
from trustlab.runner.notebook import Notebook

NOTEBOOK_HELP = "notebook name (00_source_facts), file or path"


def print_json(record: dict[str, Any]) -> None:
    """Print one machine-readable record (strict JSON) on stdout."""
    print(json.dumps(record, ensure_ascii=False, allow_nan=False, default=str))


def summary(outcomes: list[runs.RunOutcome]) -> str:
    """The outcomes of runs as a table: notebook, status, seconds, cache hit, output folder; then
    how many were ok and what happened to each that failed."""
    lines = [f"{'notebook':<34} {'status':<8} {'seconds':>8}  cache hit  output"]
    for o in outcomes:
        hit = "yes" if o.status == "cached" else "no"
        lines.append(f"{o.notebook:<34} {o.status:<8} {o.seconds:>8.1f}  {hit:<9}  {o.out_dir}")
    failed = [o for o in outcomes if not o.ok]
    lines.append(f"{len(outcomes) - len(failed)} ok, {len(failed)} failed")
    for o in failed:
        lines.append(f"FAILED {o.notebook}: {o.error.splitlines()[0] if o.error else o.status}")  # what happened
    return "\n".join(lines)


def outcome_record(outcome: runs.RunOutcome) -> dict[str, Any]:
    """One run's outcome as a JSON record (for ``--json``)."""
    return {
        "notebook": outcome.notebook,
        "status": outcome.status,
        "ok": outcome.ok,
        "seconds": round(outcome.seconds, 2),
        "out_dir": str(outcome.out_dir),
        "error": outcome.error or None,
        "results": results.to_jsonable(outcome.results),
    }


def update_book(site: Path) -> bool:
    """Bring the site's book up to date (:func:`trustlab.runner.book.update`; nothing is done when its
    inputs are unchanged, or when ``$TRUSTLAB_BOOK`` is ``off``); True when it was rebuilt. When it
    cannot be, the previous book stays and stderr says why."""
    from trustlab.runner import book, sites

    if os.environ.get(book.SWITCH, "").strip().lower() in ("0", "off", "no", "false"):
        return False
    try:
        return book.update(site, runs.notebooks()) is not None
    except (book.BookError, sites.OwnershipError) as exc:
        print(f"trustlab: the site's book was left as it was: {exc}", file=sys.stderr)
    except OSError as exc:
        if not finish.disk_full(exc):
            raise
        print(f"trustlab: the site's book was left as it was: {finish.disk_full_message(site, 'the book')}", file=sys.stderr)
    return False


def update_index(site: Path | None) -> Path | None:
    """Rewrite a report site's book (:func:`update_book`) and index.html after runs were added to it (a run in no site has neither)."""
    if site is None:
        return None
    update_book(site)
    return write_index(site)


def write_index(site: Path) -> Path | None:
    """Rewrite a report site's index.html; the old one stays when the disk is full."""
    try:
        return report.build_index(site, runs.notebooks())
    except OSError as exc:  # written whole or not at all: the old index stays
        if not finish.disk_full(exc):
            raise
        print(
            f"trustlab: {site / 'index.html'} was left as it was: {finish.disk_full_message(site, 'the index')}", file=sys.stderr
        )
        return None


def notebook_names() -> list[str]:
    """The names of the collection's notebooks (what shell completion offers)."""
    return [source.stem for source in runs.notebooks()]


def load_named(names: list[str] | None) -> list[Notebook] | None:
    """The notebooks a command names, each read once (None when it names none: the collection's)."""
    return [Notebook.load(name) for name in names] if names else None
