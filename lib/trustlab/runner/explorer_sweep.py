"""The explorer's sweep page: one parameter over a range, its recorded results plotted against it.

A notebook whose schema names a fast analysis function (``fast:``) is swept through it, without
kernels (:func:`trustlab.runner.sweep.run_fast`); any other notebook runs once per point through
the explorer's pool of warm runs, each point an ad-hoc run of the site (cached like any run). The
table is the sweep table of ``trustlab sweep`` (``point``, ``status``, ``param.*``, ``result.*``),
saved into the site's ``sweeps/`` so that ``trustlab publish`` shares it.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trustlab.errors import ParameterError
from trustlab.runner.explorer import MAX_SWEEP_POINTS, Explorer, parameter_text

if TYPE_CHECKING:
    import pandas as pd

NUMERIC = ("int", "float")


@dataclass
class SweepJob:
    """A sweep the explorer was asked for: its points, progress and table."""

    sweep_id: str
    notebook: str
    vary: str
    values: list[Any]
    points: list[dict[str, Any]]
    mode: str  # "fast" or "notebook"
    status: str = "running"  # running, ok, failed
    finished: int = 0
    error: str = ""
    table: "pd.DataFrame | None" = None
    csv_href: str | None = None  # the table in the site
    started: float = field(default_factory=time.time)
    done: threading.Event = field(default_factory=threading.Event)


def sweepable(explorer: Explorer, name: str) -> list[str]:
    """The parameters of a notebook a sweep can vary: numbers (int or float, optional or not)."""
    out = []
    for p in explorer.notebook(name).parameters.values():
        core = p.type_name.replace(" ", "").replace("|None", "").replace("None|", "")
        if core in NUMERIC:
            out.append(p.name)
    return out


def sweep_values(explorer: Explorer, name: str, vary: str, start: str, stop: str, steps: str) -> list[Any]:
    """The values a sweep takes: ``steps`` evenly spaced from ``start`` to ``stop`` (rounded and
    deduplicated for an ``int`` parameter). Bad input raises :class:`ParameterError` naming it."""
    import numpy as np

    allowed = sweepable(explorer, name)
    if vary not in allowed:
        raise ParameterError(
            f"sweep: parameter {vary!r} cannot be swept; expected one of {allowed} (numeric parameters of {name})"
        )
    fast = _has_fast(explorer, name)
    limit = MAX_SWEEP_POINTS["fast" if fast else "notebook"]
    try:
        lo, hi = float(start), float(stop)
    except ValueError:
        raise ParameterError(f"sweep: start and stop must be numbers, got {start!r} and {stop!r}") from None
    try:
        count = int(steps)
    except ValueError:
        raise ParameterError(f"sweep: steps must be a whole number, got {steps!r}") from None
    if not 2 <= count <= limit:
        raise ParameterError(
            f"sweep: steps must be between 2 and {limit} for this notebook ({'fast path' if fast else 'one notebook run a point'}), got {count}"
        )
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo == hi:
        raise ParameterError(f"sweep: start and stop must be two different finite numbers, got {start!r} and {stop!r}")
    grid = np.linspace(lo, hi, count)
    if explorer.notebook(name).parameters[vary].type_name.startswith("int"):
        return sorted({int(round(v)) for v in grid})
    return [float(v) for v in grid]


def _has_fast(explorer: Explorer, name: str) -> bool:
    return explorer.notebook(name).fast is not None


def plan_sweep(explorer: Explorer, name: str, base: Mapping[str, str], vary: str, start: str, stop: str, steps: str) -> SweepJob:
    """The sweep these values ask for, not started: every point checked (as the command line checks
    ``-p`` values: the first refused one raises its message, naming the point), and its id."""
    values = sweep_values(explorer, name, vary, start, stop, steps)
    notebook = explorer.notebook(name)
    points = []
    for value in values:
        try:
            points.append(notebook.resolve(cli={**base, vary: parameter_text(value)}))
        except ParameterError as exc:
            raise ParameterError(f"sweep point {vary} = {value}: {exc}") from None
    mode = "fast" if _has_fast(explorer, name) else "notebook"
    sweep_id = (
        name + "-" + hashlib.sha256(json.dumps([mode, vary, points], sort_keys=True, default=str).encode()).hexdigest()[:10]
    )
    return SweepJob(sweep_id, name, vary, values, points, mode)


def start_sweep(explorer: Explorer, name: str, base: Mapping[str, str], vary: str, start: str, stop: str, steps: str) -> SweepJob:
    """Start the sweep :func:`plan_sweep` checks, or return the same sweep already made or going."""
    job = plan_sweep(explorer, name, base, vary, start, stop, steps)
    existing = explorer.sweeps.get(job.sweep_id)
    if existing is not None and existing.status != "failed":
        return existing
    explorer.sweeps[job.sweep_id] = job
    threading.Thread(target=_run, args=(explorer, job), name=f"trustlab-sweep-{job.sweep_id}", daemon=True).start()
    return job


def _run(explorer: Explorer, job: SweepJob) -> None:
    import pandas as pd

    from trustlab.runner import sweep

    try:
        notebook = explorer.notebook(job.notebook)
        if job.mode == "fast":
            table = sweep.run_fast(notebook, job.points, jobs=1)  # in this process: no pool forked from the server
            job.finished = len(job.points)
        else:
            runs = [explorer.submit(notebook, point) for point in job.points]
            rows = []
            for index, run in enumerate(runs):
                run.done.wait()
                job.finished += 1
                rows.append(sweep.row(index, run.parameters, run.results, "ok" if run.ok else run.status, run.seconds))
            table = pd.DataFrame(rows)
        job.table = table
        out = explorer.site / "sweeps" / f"explore-{job.sweep_id}"
        csv, _ = sweep.save_sweep(table, out, job.notebook, on_placed=lambda site: explorer.update_index())
        job.csv_href = csv.relative_to(explorer.site).as_posix()
        job.status = "ok" if (table["status"] == "ok").all() else "failed"
        if job.status == "failed":
            job.error = f"{int((table['status'] != 'ok').sum())} point(s) failed"
    except Exception as exc:  # noqa: BLE001 - shown on the sweep's page
        job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        job.done.set()


def result_columns(table: "pd.DataFrame") -> list[str]:
    """The numeric recorded results of a sweep table (``result.*`` columns), in order."""
    import pandas as pd

    return [
        c
        for c in table.columns
        if c.startswith("result.") and pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
    ]


def plot_svg(job: SweepJob, limit: int = 12) -> str:
    """The recorded numeric results against the swept parameter, one small panel each, as SVG."""
    from matplotlib.figure import Figure

    table = job.table
    if table is None:
        return ""
    columns = result_columns(table)[:limit]
    if not columns:
        return ""
    ok = table[table["status"] == "ok"]
    ncols = min(3, len(columns))
    nrows = -(-len(columns) // ncols)
    fig = Figure(figsize=(4.2 * ncols, 2.8 * nrows), layout="constrained")
    for i, column in enumerate(columns):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.plot(ok[f"param.{job.vary}"], ok[column], marker="o", color="#4c72b0")
        ax.set_title(column.removeprefix("result."), fontsize=9)
        ax.set_xlabel(job.vary, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def record(job: SweepJob) -> dict[str, Any]:
    """A sweep as JSON (``GET /api/sweeps/ID``)."""
    from trustlab.results import to_jsonable

    return {
        "sweep_id": job.sweep_id,
        "notebook": job.notebook,
        "vary": job.vary,
        "values": job.values,
        "mode": job.mode,
        "status": job.status,
        "finished": job.finished,
        "points": len(job.points),
        "error": job.error or None,
        "csv": job.csv_href,
        "table": to_jsonable(job.table.to_dict(orient="records")) if job.table is not None else None,
    }
