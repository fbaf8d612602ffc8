"""The execute step of a run: its record begun (:func:`new_record`), its notebook and spec written
and executed in a child process (:func:`execute_run`), which starts as a new interpreter or forked
(with its kernel) from a fork server (:mod:`trustlab.runner.forkserver`).
:func:`trustlab.runner.runs.run_notebook` takes either as its ``executor``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from trustlab import provenance
from trustlab.runner._blas import single_thread_environment
from trustlab.runner.finish import finalize, kernel_name, load_source
from trustlab.runner.forkserver import ForkServer, ForkServerError
from trustlab.runner.notebook import ResolvedRun
from trustlab.runner.preload import modules_to_preload
from trustlab.runner.processes import describe_exit, kill_group, signals_deferred

DEFAULT_TIMEOUT_SECONDS = 900
STOP_POLL_SECONDS = 0.1  # how often a build's runs look whether the build is being stopped

# Executes a run's spec file in a child process: (spec, timeout, progress) -> (status, error text).
Executor = Callable[[Path, float, bool], tuple[str, str]]


def check_stop(stop: threading.Event | None) -> None:
    """Raise KeyboardInterrupt when ``stop`` is set: the command is being stopped."""
    if stop is not None and stop.is_set():
        raise KeyboardInterrupt


def execute_in_new_interpreter(
    spec_path: Path,
    timeout: float,
    progress: bool,
    extra_env: dict[str, str] | None = None,
    stop: threading.Event | None = None,
) -> tuple[str, str]:
    """Run the papermill child as a new interpreter (with ``extra_env`` added to its environment); returns (status,
    error text). When ``stop`` is set (by another thread) the child is killed with its kernel and
    KeyboardInterrupt raised."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustlab.runner.execute", str(spec_path), str(os.getpid())],
        env={**single_thread_environment(), **(extra_env or {})},  # runs execute side by side
        stdout=subprocess.PIPE,
        stderr=None if progress else subprocess.PIPE,  # papermill's progress bar goes to the terminal
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            try:
                # Retrying communicate after its timeout loses no output.
                out, err = proc.communicate(timeout=max(0.0, min(remaining, STOP_POLL_SECONDS if stop else remaining)))
                break
            except subprocess.TimeoutExpired:
                check_stop(stop)
                if time.monotonic() >= deadline:
                    kill_group(proc)
                    return "timeout", f"notebook exceeded the whole-notebook timeout of {timeout:g} s"
    except BaseException:
        with signals_deferred(reraise=False):  # being stopped already: a second Ctrl-C waits for this
            kill_group(proc)
        raise
    if proc.returncode == 0:
        return "ok", ""
    output = ((err or "") + (out or "")).strip()[-4000:]
    what = f"the run process ended ({describe_exit(proc.returncode)}) before it finished its report"
    return "failed", what + (f"; its output:\n{output}" if output else "")


def start_fork_server(notebooks: Iterable[Path] = ()) -> ForkServer:
    """Start a fork server for :func:`trustlab.runner.runs.build` or a run of ``notebooks`` (it
    imports what they need in the background: :func:`trustlab.runner.preload.modules_to_preload`;
    close it when done)."""
    return ForkServer(env=single_thread_environment(), preload=modules_to_preload(notebooks))


def fork_server_executor(server: ForkServer | None, stop: threading.Event | None = None) -> Executor:
    """The executor that forks each run (and its kernel) from ``server`` once it is ready, for
    :func:`run_notebook`. If the server cannot start, it says so once and starts each run as a new
    interpreter instead, unless ``stop`` is set (the command is being stopped: an interrupted
    build or run does not fall back to new interpreters). ``server=None``: always new interpreters."""
    unusable: list[str] = []  # why the fork server could not be used, once known

    def execute(spec_path: Path, timeout: float, progress: bool) -> tuple[str, str]:
        check_stop(stop)
        if server is not None and not unusable:
            try:
                server.wait_ready()
            except ForkServerError as exc:
                check_stop(stop)  # it was stopped because the command is: no new interpreters then
                if not unusable:
                    unusable.append(str(exc))
                    print(f"trustlab: {exc}; starting each run as a new interpreter instead", file=sys.stderr)
            else:
                try:
                    return server.execute(spec_path, timeout, progress)
                except ForkServerError as exc:  # it died before this run started (killed mid-build): go on without it
                    check_stop(stop)
                    if not unusable:
                        unusable.append(str(exc))
                        print(f"trustlab: {exc}; starting each further run as a new interpreter", file=sys.stderr)
        return execute_in_new_interpreter(spec_path, timeout, progress, stop=stop)

    return execute


def new_record(
    name: str, scenario: str | None, resolved: dict[str, Any], key: str, build_inputs: str | None, started: datetime
) -> dict[str, Any]:
    """The ``results.json`` record of a run about to start: its parameters and provenance (the
    project's commit, package versions and data hashes); results, time and status come at its end."""
    return {
        "notebook": name,
        "scenario": scenario,
        "parameters": resolved,
        "results": {},
        "provenance": {
            "git_commit": provenance.git_commit(),
            "package_versions": provenance.package_versions(),
            "data_hashes": provenance.data_hashes(),
            "started": started.isoformat(timespec="seconds"),
            "seconds": None,
            "cache_key": key,
            "build_inputs": build_inputs,
            "status": None,
        },
    }


def execute_run(
    run: ResolvedRun,
    staged: Path,
    record: dict[str, Any],
    *,
    inject_parameters: bool = True,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    progress: bool = False,
    index_href: str | None = None,
    failed_index_href: str | None = None,
    executor: Executor | None = None,
) -> tuple[str, str, float, dict[str, Any]]:
    """Execute ``run`` into the empty folder ``staged``, which receives ``NAME.ipynb``,
    ``NAME.html``, ``results.json`` (``record`` completed) and, for a failed run, ``error.txt``.
    Returns (status, error text, seconds, the completed record). The record gains
    ``changed_parameters``: the run's values that differ from the notebook's declared defaults,
    mapped to those defaults (``run.changed``).

    Checks, staging and moving into place are the caller's (:func:`trustlab.runner.runs.run_notebook`; a sweep's
    worker runs this in a temporary folder of its own). ``index_href`` and ``failed_index_href``
    are the links back to the site's index from the page of a good and of a failed run.
    """
    import nbformat  # imported here: it costs seconds, and a warm build needs none of it

    name, changed = run.name, run.changed
    t0 = time.perf_counter()
    # Which parameters differ from the notebook's own defaults, with those defaults: the page's
    # header marks them. Placed after "parameters", so results.json reads in that order.
    ordered: dict[str, Any] = {}
    for key, value in record.items():
        if key != "changed_parameters":
            ordered[key] = value
        if key == "parameters":
            ordered["changed_parameters"] = changed
    ordered.setdefault("changed_parameters", changed)
    record = ordered
    work = staged / ".work"
    work.mkdir()
    input_path = work / f"{name}.input.ipynb"
    nbformat.write(load_source(run.notebook.source), input_path)
    spec = {
        "name": name,
        "input": str(input_path),
        "output": str(staged / f"{name}.ipynb"),
        "staged": str(staged),
        # Without injection the notebook runs on the defaults of its own parameters cell.
        "parameters": run.values if inject_parameters else {},
        "kernel_name": kernel_name(),
        "progress": progress,
        "cwd": str(work),
        "index_href": index_href,
        "failed_index_href": failed_index_href,
        "record": record,
    }
    spec_path = work / "spec.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    status, error = (executor or execute_in_new_interpreter)(spec_path, timeout, progress)
    seconds = time.perf_counter() - t0
    if not (staged / "results.json").exists():  # the child was killed (timeout) or died before writing it
        finalize(spec, status, error, seconds)
    if status != "ok" and (staged / "error.txt").exists():  # as finalize worded it: "cell N of M failed: ..."
        error = (staged / "error.txt").read_text(encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    run_record = json.loads((staged / "results.json").read_text(encoding="utf-8"))
    return status, error, seconds, run_record
