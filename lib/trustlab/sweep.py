"""Sweeps: one notebook over a grid of parameters, on a Dask cluster, tabulated; and run diffs.

A grid file is YAML::

    grid:             # every combination of these values
      redemption_rate: [0.0, 0.5, 1.0]
      seed: [1, 2]
    fixed:            # optional: the same value at every point
      n_buyers: 2000
    points:           # optional: listed sets instead of (or besides) the grid
      - {redemption_rate: 0.1, seed: 3}

Every point is resolved and checked before anything runs. With ``fast`` the notebook's analysis
function (``fast: module:function`` in its schema) is evaluated directly, without kernels.
"""

from __future__ import annotations

import logging
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from trustlab import params, runner, sites
from trustlab.params import ParameterError


def load_grid(path: Path) -> list[dict[str, Any]]:
    """Expand a grid file into the list of points (parameter overrides), in a stable order."""
    path = Path(path)
    expected = "a mapping with 'grid' and/or 'points' (and optional 'fixed')"
    spec = params.read_yaml(path, expected)
    if not ({"grid", "points"} & set(spec)):
        raise ParameterError(f"{path}: expected a mapping with 'grid' and/or 'points' (and optional 'fixed')")
    unknown = set(spec) - {"grid", "points", "fixed"}
    if unknown:
        raise ParameterError(f"{path}: unknown key(s) {sorted(unknown)}; expected grid, points, fixed")
    fixed = spec.get("fixed") or {}
    grid = spec.get("grid") or {}
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise ParameterError(f"{path}: grid entry {name!r} must be a non-empty list of values, got {values!r}")
    points = [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())] if grid else []
    for index, point in enumerate(spec.get("points") or []):
        if not isinstance(point, dict):
            raise ParameterError(f"{path}: points[{index}] must be a mapping of parameter values, got {point!r}")
        points.append(point)
    return [{**fixed, **point} for point in points]


def resolve_points(notebook: str | Path, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resolve and check every point; the error names the point and the parameter."""
    resolved = []
    for index, point in enumerate(points):
        try:
            resolved.append(params.resolve(notebook, overrides=point))
        except ParameterError as exc:
            raise ParameterError(f"sweep point {index} {point}: {exc}") from None
    return resolved


def _fast_spec(notebook: str | Path) -> str:
    source = params.notebook_source(notebook)
    spec = params.load_schema(source).get("fast")
    if not spec:
        raise ParameterError(f"notebook {source.stem} has no fast analysis function ('fast:' in its schema)")
    return spec


def fast_function(notebook: str | Path) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The analysis function a notebook's schema names under ``fast`` (``module:function``)."""
    return params.import_function(_fast_spec(notebook))


def _row(index: int, resolved: dict[str, Any], results: dict[str, Any], status: str, seconds: float) -> dict:
    row: dict[str, Any] = {"point": index, "status": status, "seconds": round(seconds, 4)}
    row.update({f"param.{k}": json.dumps(v) if isinstance(v, list) else v for k, v in resolved.items()})
    flat = pd.json_normalize(results, sep=".").to_dict(orient="records")[0] if results else {}
    row.update({f"result.{k}": json.dumps(v) if isinstance(v, list) else v for k, v in flat.items()})
    return row


def _fast_point(spec: str, resolved: dict[str, Any]) -> tuple[dict[str, Any], float]:
    from trustlab.results import to_jsonable

    analysis = params.import_function(spec)
    t0 = time.perf_counter()
    results = to_jsonable(analysis(dict(resolved)))
    return results, time.perf_counter() - t0


def run_fast(
    notebook: str | Path,
    resolved_points: list[dict[str, Any]],
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Evaluate the notebook's analysis function at every point, without kernels.

    Points are spread over ``jobs`` local processes (default: the number of cores), or over an
    existing Dask cluster when ``scheduler`` is given.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    spec = _fast_spec(notebook)  # fails early, naming the notebook, if it has none
    params.import_function(spec)  # and if the function cannot be imported
    work = partial(_fast_point, spec)
    jobs = jobs or os.cpu_count() or 1
    if scheduler:
        from dask.distributed import Client

        with Client(scheduler) as client:
            outcomes = client.gather(client.map(work, resolved_points, pure=False))
    elif jobs > 1 and len(resolved_points) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(work, resolved_points, chunksize=max(1, len(resolved_points) // (4 * jobs))))
    else:
        outcomes = [work(resolved) for resolved in resolved_points]
    return pd.DataFrame(
        [_row(i, resolved, results, "ok", seconds) for i, (resolved, (results, seconds)) in enumerate(zip(resolved_points, outcomes))]
    )


def _run_point(source: str, resolved: dict[str, Any], out_dir: str, site_root: str | None, timeout: float) -> dict[str, Any]:
    outcome = runner.run_notebook(
        Path(source), resolved, Path(out_dir), timeout=timeout, progress=False,
        site_root=Path(site_root) if site_root else None, kind=f"sweep {Path(out_dir).parent.name}",
    )
    return {"status": outcome.status, "results": outcome.results, "seconds": outcome.seconds, "error": outcome.error}


def run_notebooks(
    notebook: str | Path,
    resolved_points: list[dict[str, Any]],
    out_dir: Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    timeout: float = runner.DEFAULT_TIMEOUT_SECONDS,
) -> pd.DataFrame:
    """Run the notebook at every point on Dask, each into ``out_dir/point-NNNN``.

    ``scheduler`` is the address of an existing Dask scheduler; without it a local cluster of
    ``workers`` processes (default: the number of cores) is started for the sweep and closed after.
    """
    from dask.distributed import Client, LocalCluster

    source = str(params.notebook_source(notebook))
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    site = sites.find_site(out_dir)
    site_root = str(site) if site is not None else None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        import os

        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    try:
        futures = [
            client.submit(
                _run_point, source, resolved, str(out_dir / f"point-{i:04d}"), site_root, timeout,
                key=f"point-{i}", pure=False,
            )
            for i, resolved in enumerate(resolved_points)
        ]
        outcomes = client.gather(futures)
    except BaseException:
        # Interrupted: close the cluster first (a local cluster's workers stop, and the run each
        # was executing stops with its kernel), then remove the staging folders those runs left.
        with runner.signals_deferred(reraise=False):
            client.close()
            if cluster is not None:
                cluster.close()
            for i in range(len(resolved_points)):
                runner.remove_abandoned_staging(out_dir / f"point-{i:04d}")
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    rows = [_row(i, r, o["results"], o["status"], o["seconds"]) for i, (r, o) in enumerate(zip(resolved_points, outcomes))]
    return pd.DataFrame(rows)


def write_table(table: pd.DataFrame, out_dir: Path) -> tuple[Path, Path]:
    """Write the sweep table as CSV and Parquet into ``out_dir``; returns both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv, parquet = out_dir / "sweep.csv", out_dir / "sweep.parquet"
    table.to_csv(csv, index=False)
    table.to_parquet(parquet, index=False)
    return csv, parquet


def _flatten(record: dict[str, Any], key: str) -> dict[str, Any]:
    values = record.get(key, {})
    return pd.json_normalize(values, sep=".").to_dict(orient="records")[0] if values else {}


def diff_runs(run_a: Path, run_b: Path) -> pd.DataFrame:
    """Parameters and recorded results that differ between two run folders (or results.json files)."""
    def load(path: Path) -> dict[str, Any]:
        path = Path(path)
        file = path / "results.json" if path.is_dir() else path
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except OSError:
            raise ParameterError(f"{file}: no results.json there (expected a run folder or a results.json file)") from None
        except ValueError as exc:
            raise ParameterError(f"{file}: not valid JSON: {exc}") from None

    a, b = load(run_a), load(run_b)
    rows = []
    for kind in ("parameters", "results"):
        fa, fb = _flatten(a, kind), _flatten(b, kind)
        for name in sorted(set(fa) | set(fb)):
            va, vb = fa.get(name, "<absent>"), fb.get(name, "<absent>")
            if va != vb:
                rows.append({"kind": "parameter" if kind == "parameters" else "result", "name": name, "a": va, "b": vb})
    return pd.DataFrame(rows, columns=["kind", "name", "a", "b"])
