"""Sweeps: one notebook over a grid of parameters, on a Dask cluster, tabulated.

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

import contextlib
import itertools
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from trustlab import config, provenance
from trustlab.runner import cache, executors, folders, params, runs, sites
from trustlab.runner.notebook import Notebook, ResolvedRun
from trustlab.runner.params import ParameterError

if TYPE_CHECKING:
    import pandas as pd
    from dask.distributed import Client


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


def resolve_points(notebook: Notebook, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resolve and check every point; the error names the point and the parameter."""
    resolved = []
    for index, point in enumerate(points):
        try:
            resolved.append(notebook.resolve(overrides=point))
        except ParameterError as exc:
            raise ParameterError(f"sweep point {index} {point}: {exc}") from None
    return resolved


def row(index: int, resolved: dict[str, Any], results: dict[str, Any], status: str, seconds: float) -> dict:
    """One row of a sweep table: the point's number, status and seconds, its parameters as
    ``param.NAME`` and its recorded results flattened as ``result.NAME`` (lists as JSON text)."""
    import pandas as pd

    cells: dict[str, Any] = {"point": index, "status": status, "seconds": round(seconds, 4)}
    cells.update({f"param.{k}": json.dumps(v) if isinstance(v, list) else v for k, v in resolved.items()})
    flat = pd.json_normalize(results, sep=".").to_dict(orient="records")[0] if results else {}
    cells.update({f"result.{k}": json.dumps(v) if isinstance(v, list) else v for k, v in flat.items()})
    return cells


def _fast_point(spec: str, resolved: dict[str, Any]) -> tuple[dict[str, Any], float]:
    from trustlab.results import to_jsonable

    analysis = params.import_function(spec)
    t0 = time.perf_counter()
    results = to_jsonable(analysis(dict(resolved)))
    return results, time.perf_counter() - t0


SCHEDULER_TIMEOUT_SECONDS = 5.0  # default wait for a scheduler to answer and a worker to join (--scheduler-timeout)


def connect(scheduler: str, timeout: float = SCHEDULER_TIMEOUT_SECONDS) -> "Client":
    """A Dask client of the scheduler at ``scheduler`` whose workers can run this trustlab.

    Refused (:class:`ParameterError`, within about ``timeout`` seconds and before anything is
    written) when the address is malformed, the scheduler cannot be reached, no worker joins it,
    or a worker runs another trustlab (:func:`check_workers`).
    """
    from dask.distributed import Client

    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except ValueError as exc:
        raise ParameterError(f"--scheduler {scheduler!r}: not a Dask scheduler address ({exc})") from None
    except OSError:
        raise ParameterError(f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s") from None
    try:
        check_workers(client, scheduler, timeout)
    except BaseException:
        client.close()
        raise
    return client


def check_scheduler(scheduler: str, timeout: float = SCHEDULER_TIMEOUT_SECONDS) -> None:
    """Refuse, before anything runs, a scheduler :func:`connect` would refuse."""
    connect(scheduler, timeout).close()


def worker_identity() -> dict[str, str]:
    """What must be the same on the client and on every worker: the trustlab version and code
    (a digest of the package's files) and the Python version (major.minor)."""
    import platform

    import trustlab

    return {
        "trustlab": trustlab.__version__,
        "trustlab code": provenance.package_digest(),
        "python": ".".join(platform.python_version_tuple()[:2]),
    }


def identity_mismatches(mine: dict[str, str], workers: dict[str, dict[str, str]]) -> list[str]:
    """One line per worker whose :func:`worker_identity` differs from the client's, naming what differs."""
    lines = []
    for address, theirs in sorted(workers.items()):
        differ = [f"{k} {theirs.get(k, 'unknown')} (this client: {v})" for k, v in mine.items() if theirs.get(k) != v]
        if differ:
            lines.append(f"worker {address}: " + ", ".join(differ))
    return lines


def check_workers(client: "Client", scheduler: str, timeout: float = SCHEDULER_TIMEOUT_SECONDS) -> None:
    """Refuse (:class:`ParameterError`) a cluster with no worker, or with a worker that cannot
    import trustlab or runs another version or code of it than this client. A quick task on
    every worker; the project's notebook and data files are sent with each point, not checked."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError):
        raise ParameterError(f"the Dask scheduler at {scheduler} has no workers (none joined within {timeout:g} s)") from None
    try:
        seen = client.run(worker_identity)
    except Exception as exc:
        raise ParameterError(
            f"the Dask workers of {scheduler} cannot run trustlab ({type(exc).__name__}: {exc}); "
            f"install this trustlab on every worker"
        ) from None
    mismatches = identity_mismatches(worker_identity(), seen)
    if mismatches:
        raise ParameterError(
            f"the Dask workers of {scheduler} run another trustlab than this client: "
            + "; ".join(mismatches)
            + ". Install the same trustlab (and Python) on every worker."
        )


def _sweep_id() -> str:
    """A prefix for the Dask task keys of one sweep: sweeps sharing a scheduler never share a key."""
    return f"trustlab-sweep-{uuid.uuid4().hex}"


def run_fast(
    notebook: Notebook,
    resolved_points: list[dict[str, Any]],
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    scheduler_timeout: float = SCHEDULER_TIMEOUT_SECONDS,
) -> pd.DataFrame:
    """Evaluate the notebook's analysis function at every point, without kernels.

    Points are spread over ``jobs`` local processes (default: the number of cores), or over an
    existing Dask cluster when ``scheduler`` is given (checked first: :func:`connect`, waiting at
    most ``scheduler_timeout`` seconds for it and for a worker).
    """
    import os
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    import pandas as pd

    notebook.fast_function()  # fails early, naming the notebook, if it has none or it cannot be imported
    work = partial(_fast_point, str(notebook.fast))
    jobs = jobs or os.cpu_count() or 1
    if scheduler:
        sweep_id = _sweep_id()
        with connect(scheduler, scheduler_timeout) as client:
            keys = [f"{sweep_id}-fast-{i:04d}" for i in range(len(resolved_points))]
            outcomes = client.gather(client.map(work, resolved_points, key=keys, pure=False))
    elif jobs > 1 and len(resolved_points) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(work, resolved_points, chunksize=max(1, len(resolved_points) // (4 * jobs))))
    else:
        outcomes = [work(resolved) for resolved in resolved_points]
    return pd.DataFrame(
        [
            row(i, resolved, results, "ok", seconds)
            for i, (resolved, (results, seconds)) in enumerate(zip(resolved_points, outcomes))
        ]
    )


# ---------------------------------------------------------------- notebook sweeps


def project_bundle(notebook: Notebook) -> dict[str, Any]:
    """What a worker needs to run ``notebook`` without the client's files: the
    notebook, its schema and every file of ``data/``, as bytes keyed by their path in a project
    (``notebooks/NAME.py``, ``notebooks/params/NAME.schema.yaml``, ``data/...``), and the commit."""
    files = {f"notebooks/{notebook.source.name}": notebook.source.read_bytes()}
    schema = notebook.schema_path
    if schema.exists():
        files[f"notebooks/params/{schema.name}"] = schema.read_bytes()
    for path in sorted(p for p in config.DATA_DIR.rglob("*") if p.is_file()):
        files["data/" + path.relative_to(config.DATA_DIR).as_posix()] = path.read_bytes()
    return {"name": notebook.name, "files": files, "git_commit": provenance.git_commit()}


def _safe_relative(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"refusing the file name {rel!r}: expected a path inside the folder")
    return path


def _run_point(
    bundle: dict[str, Any], resolved: dict[str, Any], record: dict[str, Any], index_href: str | None, timeout: float
) -> dict[str, Any]:
    """Run on a worker: lay the project ``bundle`` out in a temporary folder of the worker's own,
    run the notebook there on it (``TRUSTLAB_ROOT`` points the run at that copy), and return the
    outcome with every file of the run folder as bytes. Nothing of the client's is read or written."""
    import copy
    import functools
    from datetime import datetime, timezone

    record = copy.deepcopy(record)
    record["provenance"]["started"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    record["provenance"]["package_versions"] = provenance.package_versions()  # where it ran
    with tempfile.TemporaryDirectory(prefix="trustlab-sweep-point-") as tmp:
        root = Path(tmp) / "project"
        for rel, content in bundle["files"].items():
            path = root / _safe_relative(rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        env = {"TRUSTLAB_ROOT": str(root)}
        if bundle.get("git_commit"):
            env[provenance.GIT_COMMIT_VARIABLE] = bundle["git_commit"]
        staged = Path(tmp) / "run"
        staged.mkdir()
        notebook = Notebook.load(root / "notebooks" / f"{bundle['name']}.py")  # the worker's copy, read as a run reads it
        status, error, seconds, run_record = executors.execute_run(
            ResolvedRun(notebook, resolved, notebook.changed_from_defaults(resolved)),
            staged,
            record,
            timeout=timeout,
            index_href=index_href,
            failed_index_href=index_href,
            executor=functools.partial(executors.execute_in_new_interpreter, extra_env=env),
        )
        files = {p.relative_to(staged).as_posix(): p.read_bytes() for p in sorted(staged.rglob("*")) if p.is_file()}
    return {"status": status, "error": error, "seconds": seconds, "results": run_record["results"], "files": files}


def _write_point(folder: Path, files: dict[str, bytes], name: str) -> None:
    """Write a point's run folder (in the sweep's staging folder) from the files a worker returned."""
    folder.mkdir()
    for rel, content in files.items():
        path = folder / _safe_relative(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    sites.mark_run(folder, name)


def check_places(out_dir: Path) -> Path | None:
    """Refuse, creating nothing, a sweep into ``out_dir`` that could not be put in place: the
    folder is not trustlab's, or it or its site cannot be written. Returns the site it lies in."""
    out_dir = Path(out_dir).resolve()
    site = sites.find_site(out_dir)
    sites.check_replaceable(out_dir)
    if site is not None:
        sites.check_site_root(site)
    return site


@contextlib.contextmanager
def _staging(out_dir: Path) -> Iterator[Path]:
    """A staging folder beside ``out_dir`` (created with its parents), removed unless it was moved into place."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    runs.remove_abandoned_staging(out_dir)
    staged = sites.new_staging_folder(out_dir)
    try:
        yield staged
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)


def _place(staged: Path, out_dir: Path, table: pd.DataFrame, name: str, on_placed: Callable[[Path | None], Any] | None) -> None:
    """Write the table into the staged sweep folder and swap it into place under the site's lock:
    an earlier sweep there is replaced only now, whole; the site records the sweep and its points."""
    write_table(table, staged)
    points = sorted(p.name for p in staged.glob("point-*") if p.is_dir())
    sites.mark_run(staged, name, kind="sweep")
    site = sites.find_site(out_dir)
    with folders.locked(site if site is not None else out_dir):
        sites.check_run_folder(out_dir)  # again: another process may have written there meanwhile
        if site is not None:
            sites.open_site(site)
        folders.remove_old_backups(out_dir)
        folders.replace_dir(staged, out_dir)
        if site is not None:
            sites.register_sweep(site, out_dir, [out_dir / p for p in points])
        if on_placed is not None:
            on_placed(site)


def save_sweep(
    table: pd.DataFrame, out_dir: Path, name: str, on_placed: Callable[[Path | None], Any] | None = None
) -> tuple[Path, Path]:
    """Put a sweep table (a fast sweep's) into place as the sweep folder ``out_dir`` of notebook
    ``name``: staged, then swapped in under the site's lock. ``on_placed(site)`` runs under the
    lock once it is in place (the command line rewrites the site's index there). Returns the
    table's CSV and Parquet paths."""
    out_dir = Path(out_dir).resolve()
    check_places(out_dir)
    with _staging(out_dir) as staged:
        _place(staged, out_dir, table, name, on_placed)
    return out_dir / "sweep.csv", out_dir / "sweep.parquet"


def run_notebooks(
    notebook: Notebook,
    resolved_points: list[dict[str, Any]],
    out_dir: Path,
    *,
    scheduler: str | None = None,
    scheduler_timeout: float = SCHEDULER_TIMEOUT_SECONDS,
    workers: int | None = None,
    timeout: float = runs.DEFAULT_TIMEOUT_SECONDS,
    on_placed: Callable[[Path | None], Any] | None = None,
    on_point: Callable[[int, int, int, dict[str, Any]], Any] | None = None,
    on_cluster: Callable[[str], Any] | None = None,
) -> pd.DataFrame:
    """Run the notebook at every point on Dask and put the sweep folder ``out_dir`` in place:
    ``point-NNNN/`` run folders, ``sweep.csv`` and ``sweep.parquet``; returns the table.

    ``scheduler`` is the address of an existing Dask scheduler (checked first: :func:`connect`,
    waiting at most ``scheduler_timeout`` seconds);
    without it a local cluster of ``workers`` processes (default: the number of cores) is started
    for the sweep and closed after. Workers need not share the client's files: each task carries
    the notebook, its schema, the data files and the point's parameters, runs in a temporary
    folder of its worker and returns the run's files, which the client writes. Task keys are
    unique to the sweep, so sweeps may share a scheduler. Nothing is created before every check
    passed; the points are staged beside ``out_dir``, and an earlier sweep there is replaced
    only once every point has finished (an interrupted sweep leaves it as it was).
    ``on_placed(site)`` runs under the site's lock once the folder is in place.
    ``on_cluster(line)`` is called once the cluster is up, with the link to its Dask dashboard
    (:func:`dashboard_line`), before any point is sent.
    """
    import pandas as pd
    from dask.distributed import Client, LocalCluster, as_completed

    out_dir = Path(out_dir).resolve()
    site = check_places(out_dir)
    bundle = project_bundle(notebook)
    digest = cache.inputs_digest(notebook)
    base = executors.new_record(notebook.name, None, {}, "", None, datetime.now(timezone.utc))
    index_hrefs = [sites.index_href(site, out_dir / f"point-{i:04d}") for i in range(len(resolved_points))]
    sweep_id = _sweep_id()
    cluster = None
    if scheduler:
        client = connect(scheduler, scheduler_timeout)
    else:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=local_dashboard_address(),
            silence_logs=logging.ERROR,
        )
        client = Client(cluster, set_as_default=False)
    futures: dict[Any, int] = {}
    try:
        if on_cluster is not None:
            on_cluster(dashboard_line(client, scheduler))
        with _staging(out_dir) as staged:
            [shared] = client.scatter([bundle], broadcast=True, hash=False)
            for i, resolved in enumerate(resolved_points):
                record = {
                    **base,
                    "parameters": resolved,
                    "provenance": {**base["provenance"], "cache_key": runs.cache_key(notebook, resolved, inputs=digest)},
                }
                future = client.submit(
                    _run_point, shared, resolved, record, index_hrefs[i], timeout, key=f"{sweep_id}-point-{i:04d}", pure=False
                )
                futures[future] = i
            outcomes: dict[int, dict[str, Any]] = {}
            for future in as_completed(list(futures), loop=client.loop):
                i = futures[future]
                outcome = future.result()
                future.release()
                _write_point(staged / f"point-{i:04d}", outcome.pop("files"), notebook.name)
                outcomes[i] = outcome
                if on_point is not None:  # progress, as each point finishes: (point, finished, total, outcome)
                    on_point(i, len(outcomes), len(resolved_points), outcome)
            rows = [
                row(i, r, outcomes[i]["results"], outcomes[i]["status"], outcomes[i]["seconds"])
                for i, r in enumerate(resolved_points)
            ]
            table = pd.DataFrame(rows)
            _place(staged, out_dir, table, notebook.name, on_placed)
    except BaseException:
        # Interrupted (or failed): release the tasks and close the cluster (a local cluster's
        # workers stop, and the run each was executing stops with its kernel) before anything
        # else; a second Ctrl-C waits for this instead of cutting it short.
        with runs.signals_deferred(reraise=False):
            _shut_down(client, cluster, list(futures))
        raise
    _shut_down(client, cluster, list(futures))
    return table


def local_dashboard_address(port: int = 8787) -> str:
    """Where a local cluster serves its dashboard: Dask's usual port, on this machine only, or
    any free port when that one is taken (two sweeps at once), without Dask's warning about it."""
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            port = 0
    return f"127.0.0.1:{port}"


def dashboard_line(client: "Client", scheduler: str | None = None) -> str:
    """The line a notebook sweep prints when its cluster is up: the link to the Dask dashboard
    (``client.dashboard_link``), or why there is none: the scheduler lacks bokeh, which Dask
    serves its dashboard with, or it was started without one. Asked of the scheduler itself,
    since every scheduler answers HTTP at that link, dashboard or not."""
    where = f"the Dask scheduler at {scheduler}" if scheduler else "the local Dask cluster"

    def serves_dashboard(dask_scheduler: Any) -> tuple[bool, bool]:  # runs on the scheduler
        import importlib.util

        apps = getattr(getattr(dask_scheduler, "http_application", None), "applications", [])
        return (
            any("Bokeh" in cls.__name__ for app in apps for cls in type(app).__mro__),  # bokeh's Tornado app
            importlib.util.find_spec("bokeh") is not None,
        )

    try:
        served, has_bokeh = client.run_on_scheduler(serves_dashboard)
    except Exception as exc:  # a scheduler that runs no client code
        return f"Dask dashboard: {client.dashboard_link} (not checked: {type(exc).__name__})"
    if served:
        return f"Dask dashboard: {client.dashboard_link}"
    if not has_bokeh:
        return (
            f"no Dask dashboard: it needs the bokeh package, which {where} does not have "
            "(make install installs it; or pip install 'bokeh>=3.1')"
        )
    return f"no Dask dashboard: {where} serves none"


def _shut_down(client: Any, cluster: Any, futures: list[Any]) -> None:
    if futures:
        client.cancel(futures)
    client.close()
    if cluster is not None:
        cluster.close()


def write_table(table: pd.DataFrame, out_dir: Path) -> tuple[Path, Path]:
    """Write the sweep table as CSV and Parquet into ``out_dir``; returns both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv, parquet = out_dir / "sweep.csv", out_dir / "sweep.parquet"
    table.to_csv(csv, index=False)
    table.to_parquet(parquet, index=False)
    return csv, parquet
