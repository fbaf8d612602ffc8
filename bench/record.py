"""Where a benchmark run's measurements go: ``bench/results/<date>-<what>.json``, and the one table of
docs/benchmarks.md read back from such a file.

A record holds the machine (cores, memory, load), the Python, the commit, and for each benchmark its
medians (seconds), its ratios and its targets; the samples behind each median are kept too.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trustlab import config

RESULTS_DIR = config.PROJECT_ROOT / "bench" / "results"
FORMAT = 1  # the record's layout; a reader refuses another


def machine() -> dict[str, Any]:
    """What a reader needs to judge the figures: cores, memory, processor, system, load."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "processor": _processor(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }


def _processor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def commit() -> dict[str, Any]:
    """The checked-out commit and whether the work tree differs from it (a dirty tree's figures are not the commit's)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=config.PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def new_record(what: str, options: dict[str, Any], started: datetime.datetime) -> dict[str, Any]:
    """The record's head; its ``benchmarks`` are filled in as each one ends."""
    return {
        "format": FORMAT,
        "what": what,
        "started_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "python": platform.python_version(),
        "executable": sys.executable,
        **commit(),
        "options": options,
        "benchmarks": {},
    }


def _temporary(record: dict[str, Any], directory: Path) -> str:
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".json.tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    return temporary


def write(record: dict[str, Any], directory: Path = RESULTS_DIR) -> Path:
    """Write ``record`` as ``<directory>/<date>-<what>.json`` (``-2``, ``-3``... when that name is taken:
    an earlier record is never overwritten), through a temporary file renamed into place."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{record['started_utc'][:10]}-{record['what']}"
    temporary = _temporary(record, directory)
    number = 1
    while True:
        path = directory / (f"{stem}.json" if number == 1 else f"{stem}-{number}.json")
        try:
            os.link(temporary, path)  # fails if the name is taken, where a rename would replace it
        except FileExistsError:
            number += 1
            continue
        os.unlink(temporary)
        return path


def rewrite(record: dict[str, Any], path: Path) -> None:
    """Replace the record at ``path`` (written by :func:`write` for this same run) with ``record``, whole."""
    os.replace(_temporary(record, path.parent), path)


def read(path: Path) -> dict[str, Any]:
    """A record written by :func:`write`; a file of another layout is refused, naming it."""
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(record, dict) or record.get("format") != FORMAT or not isinstance(record.get("benchmarks"), dict):
        raise ValueError(f"{path}: not a benchmark record of format {FORMAT} (written by python -m bench)")
    return record


def _seconds(value: float) -> str:
    return f"{value:,.2f} s"


def _target(target: dict[str, float], ratio: bool) -> str:
    (bound, value), unit = next(iter(target.items())), "x" if ratio else " s"
    return f"{'≥' if bound == 'at least' else '≤'} {value:g}{unit}"


def _met(value: float, target: dict[str, float]) -> str:
    bound, limit = next(iter(target.items()))
    return "yes" if (value >= limit if bound == "at least" else value <= limit) else "**no**"


def table(*records: dict[str, Any], benchmarks: list[str] | None = None) -> str:
    """The records as one Markdown table: a row per median (seconds) and per ratio, with its target if it has one.
    A benchmark in several records is shown from the last of them (a later run replaces an earlier one)."""
    rows = ["| benchmark | measured | median | target | met |", "|---|---|---|---|---|"]
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        latest.update(record["benchmarks"])
    for name, result in latest.items():
        if benchmarks is not None and name not in benchmarks:
            continue
        targets = result.get("targets", {})
        figures = [(label, _seconds(v), v, False) for label, v in result.get("medians", {}).items()]
        figures += [(label, f"{v:.2f}x", v, True) for label, v in result.get("ratios", {}).items()]
        for label, shown, value, ratio in figures:
            goal = targets.get(label)
            target, met = (_target(goal, ratio), _met(value, goal)) if goal else ("", "")
            rows.append(f"| {name} | {label} | {shown} | {target} | {met} |")
    return "\n".join(rows) + "\n"


# A table generated from records: `<!-- bench:KIND RECORD... -->`, the table, `<!-- /bench -->` (KIND: see render).
BLOCK = re.compile(r"<!-- bench:([\w+]+) ([^>]+?) -->\n(.*?)<!-- /bench -->", flags=re.S)


def blocks(text: str) -> list[tuple[str, list[str], str]]:
    """(kind, record paths, table) of each generated table of a page."""
    return [(kind, names.split(), table) for kind, names, table in BLOCK.findall(text)]


def render(kind: str, records: list[dict[str, Any]], extra: dict[str, Callable[..., str]]) -> str:
    """The table of ``kind``: "table" (every benchmark), benchmarks' names joined by "+" (those only) or a kind of ``extra``."""
    if kind in extra:
        return extra[kind](*records)
    return table(*records, benchmarks=None if kind == "table" else kind.split("+"))


def refresh_page(page: Path, paths: list[Path], extra: dict[str, Callable[..., str]]) -> None:
    """Rewrite each generated table of ``page`` from the records at ``paths`` (named relative to the project)."""
    records = [read(path) for path in paths]
    names = " ".join(str(Path(p).resolve().relative_to(config.PROJECT_ROOT)) for p in paths)
    text = page.read_text(encoding="utf-8")
    new = BLOCK.sub(lambda m: f"<!-- bench:{m[1]} {names} -->\n{render(m[1], records, extra)}<!-- /bench -->", text)
    page.write_text(new, encoding="utf-8")
