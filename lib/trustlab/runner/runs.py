"""Execute notebooks: one run, or a build of every notebook with caching and parallel workers.

A run executes the notebook's jupytext source with papermill in a child process (its own working
directory and process group), renders HTML, and writes ``NAME.ipynb``, ``NAME.html`` and
``results.json`` into its output folder. Everything is staged in a temporary folder beside the
output and moved into place only when the run succeeded, so a failed or interrupted run never
leaves a half-written report and never touches the last good one. A failed run leaves its partial
notebook and an HTML page marking the failed cell under ``failed/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from trustlab import config, provenance
from trustlab.runner import pdf, sites
from trustlab.runner.cache import cache_key, input_files, inputs_digest, read_results, stale_reason
from trustlab.runner.executors import Executor, check_stop, execute_in_new_interpreter, fork_server_executor, start_fork_server
from trustlab.runner.finish import (
    as_paired_ipynb,
    disk_full,
    disk_full_message,
    finalize,
    kernel_name,
    load_source,
    sanitize_notebook,
)
from trustlab.runner.forkserver import ForkServer
from trustlab.runner.notebook import Notebook
from trustlab.runner.processes import signals_deferred
from trustlab.runner.sites import remove_abandoned_staging

DEFAULT_TIMEOUT_SECONDS = 900


@dataclass
class RunOutcome:
    """What happened to one notebook run."""

    notebook: str
    out_dir: Path
    status: str  # "ok", "cached", "failed", "timeout"
    seconds: float = 0.0
    error: str = ""
    cache_key: str = ""
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "cached")


@dataclass(frozen=True)
class RunOptions:
    """How one run goes, beside what it runs (:func:`run_notebook`).

    ``scenario``: the named scenario it records; ``timeout``: seconds for the whole notebook;
    ``progress``: papermill's progress bar (default: when stderr is a terminal); ``key``: its cache
    key (default: computed); ``inject_parameters=False`` runs the notebook on its own defaults with no
    injected cell (to refresh the committed notebooks; the resolved values must then be those
    defaults); ``site_root``: the report site it belongs to (default:
    :func:`trustlab.runner.sites.find_site`); ``build_inputs``: the :func:`inputs_digest` a build
    recorded for its up-to-date check; ``executor``: how its child starts (default: a new
    interpreter); ``kind``: how the site records it ("run", "default", "scenario S"); ``stop``: an
    event another thread sets to stop it; ``pdf_code``: "hidden" or "shown" to print its page to PDF.
    """

    scenario: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    progress: bool | None = None
    key: str | None = None
    inject_parameters: bool = True
    site_root: Path | None = None
    build_inputs: str | None = None
    executor: Executor | None = None
    kind: str = "run"
    stop: threading.Event | None = None
    pdf_code: str | None = None


def run_notebook(notebook: Notebook, resolved: dict[str, Any], out_dir: Path, options: RunOptions = RunOptions()) -> RunOutcome:
    """Execute one notebook with already-resolved parameters into ``out_dir``.

    ``out_dir`` receives ``NAME.ipynb``, ``NAME.html`` and ``results.json`` only if the run
    succeeds; on failure the partial notebook and an HTML page marking the failed cell go to
    :func:`trustlab.runner.sites.failed_dir` and ``out_dir`` is left as it was. ``out_dir`` must be
    absent, empty or a run folder trustlab made (:func:`trustlab.runner.sites.check_run_folder`): that,
    and that the places can be written, is checked before the kernel starts.

    The run belongs to the report site ``options.site_root`` (default: :func:`trustlab.runner.sites.find_site`),
    which records it under ``options.kind`` and whose ``index.html`` its page links back to; a run
    in no site gets a page without that link. The caller writes the site's index. :func:`build`
    passes a fork server's ``executor``.

    Interrupted (KeyboardInterrupt in the calling thread, or ``options.stop`` set by another thread, as
    :func:`build` does for its runs), the run kills its child with its kernel, removes its
    staging folder and raises KeyboardInterrupt: nothing is moved into place and the report
    already there is left as it was. Only a signal that arrives while a finished report is being
    renamed into place (:func:`signals_deferred`) waits for that rename to end.

    With ``options.pdf_code`` ("hidden" or "shown": the code cells in it) a good run's page is also
    printed to ``NAME.pdf`` in the staging folder (:func:`trustlab.runner.pdf.add_to_run`); a PDF
    that cannot be printed fails the run, and nothing is moved into place.
    """
    name, stop, pdf_code = notebook.name, options.stop, options.pdf_code
    out_dir = Path(out_dir).resolve()
    site = Path(options.site_root).resolve() if options.site_root is not None else sites.find_site(out_dir)
    failed_dir = sites.failed_dir(out_dir, site)
    # Checked before the kernel starts: nothing of anyone else's is replaced, and every place is writable.
    sites.check_replaceable(out_dir)
    sites.check_replaceable(failed_dir)
    if site is not None:
        sites.check_site_root(site)
    key = options.key or cache_key(notebook, resolved)
    progress = sys.stderr.isatty() if options.progress is None else options.progress
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(out_dir)
    staged: Path | None = None
    try:
        staged = sites.new_staging_folder(out_dir)
        record = new_record(name, options.scenario, resolved, key, options.build_inputs, started)
        if options.build_inputs:  # a build's report: record what it depends on, file by file (trustlab status)
            scenario_files = [notebook.scenario_path(options.scenario)] if options.scenario else []
            record["provenance"]["input_files"] = input_files(notebook, scenario_files)
        check_stop(stop)
        status, error, seconds, run_record = execute_run(
            notebook,
            resolved,
            staged,
            record,
            inject_parameters=options.inject_parameters,
            timeout=options.timeout,
            progress=progress,
            index_href=index_href(site, out_dir),
            failed_index_href=index_href(site, failed_dir),
            executor=options.executor,
        )
        check_stop(stop)  # a child killed because the command is stopping did not fail: it was stopped
        if pdf_code is not None and status == "ok":
            try:
                pdf.add_to_run(staged, name, pdf_code)
            except pdf.PdfError as exc:  # the report stays as it was: nothing of this run is moved into place
                check_stop(stop)
                return RunOutcome(
                    name,
                    out_dir,
                    "failed",
                    time.perf_counter() - t0,
                    f"the PDF could not be written: {exc}; no report was written",
                    key,
                    run_record["results"],
                )
            check_stop(stop)
        seconds = time.perf_counter() - t0
        sites.mark_run(staged, name)
        with sites.locked(site if site is not None else out_dir, cancelled=stop.is_set if stop else None):
            with signals_deferred():
                check_stop(stop)
                _move_into_place(staged, out_dir, failed_dir, site, ok=status == "ok", kind=options.kind, name=name)
        if status != "ok":
            return RunOutcome(name, out_dir, status, seconds, error, key, run_record["results"])
        return RunOutcome(name, out_dir, "ok", seconds, "", key, run_record["results"])
    except OSError as exc:
        if not disk_full(exc):
            raise
        # Wherever it happened (the staging folder, the notebook, the page, a manifest), nothing was
        # moved into place half-written: the staging folder goes, the report there stays as it was.
        full = disk_full_message(out_dir.parent, f"the run of {name}")
        return RunOutcome(name, out_dir, "failed", time.perf_counter() - t0, f"{full}; {out_dir} was left as it was", key)
    finally:
        if staged is not None and staged.exists():
            with signals_deferred():
                shutil.rmtree(staged, ignore_errors=True)


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
    notebook: Notebook,
    resolved: dict[str, Any],
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
    """Execute ``notebook`` with ``resolved`` into the empty folder ``staged``, which
    receives ``NAME.ipynb``, ``NAME.html``, ``results.json`` (``record`` completed) and, for a
    failed run, ``error.txt``. Returns (status, error text, seconds, the completed record).
    The record gains ``changed_parameters``: each parameter whose value differs from the
    notebook's declared default, mapped to that default (:meth:`Notebook.changed_from_defaults`).

    Checks, staging and moving into place are the caller's (:func:`run_notebook`; a sweep's
    worker runs this in a temporary folder of its own). ``index_href`` and ``failed_index_href``
    are the links back to the site's index from the page of a good and of a failed run.
    """
    import nbformat  # imported here: it costs seconds, and a warm build needs none of it

    name = notebook.name
    t0 = time.perf_counter()
    # Which parameters differ from the notebook's own defaults, with those defaults: the page's
    # header marks them. Placed after "parameters", so results.json reads in that order.
    changed = notebook.changed_from_defaults(resolved)
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
    nbformat.write(load_source(notebook.source), input_path)
    spec = {
        "name": name,
        "input": str(input_path),
        "output": str(staged / f"{name}.ipynb"),
        "staged": str(staged),
        # Without injection the notebook runs on the defaults of its own parameters cell.
        "parameters": resolved if inject_parameters else {},
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


def _move_into_place(staged: Path, out_dir: Path, failed_dir: Path, site: Path | None, *, ok: bool, kind: str, name: str) -> None:
    """Move a finished run's staging folder to its report folder (or, failed, to its failed
    folder) and record it in its site. The caller holds the site's lock; ownership is checked
    again under it, since another process may have written meanwhile."""
    target = out_dir if ok else failed_dir
    sites.check_run_folder(target)
    sites.remove_old_backups(target)
    if site is not None:
        sites.open_site(site)
    if not ok and site is None:  # a run on its own keeps its failures inside its own folder
        sites.check_run_folder(out_dir)
        out_dir.mkdir(exist_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    sites.replace_dir(staged, target)
    if not ok:
        if site is None:
            sites.mark_run(out_dir, name)
        else:
            sites.register_run(site, failed_dir, "failed")
        return
    if site is not None:
        sites.register_run(site, out_dir, kind)
        if failed_dir.exists():  # the failure this run supersedes; trustlab wrote it (checked before the run)
            sites.check_run_folder(failed_dir)
            shutil.rmtree(failed_dir, ignore_errors=True)
            sites.unregister_run(site, failed_dir)


def index_href(site: Path | None, folder: Path) -> str | None:
    """The link from a run page in ``folder`` back to its site's ``index.html`` (None in no site)."""
    if site is None:  # a run in no site has no index to link back to
        return None
    return Path(os.path.relpath(site / "index.html", folder.resolve())).as_posix()


def notebooks(root: Path | None = None) -> list[Path]:
    """Every numbered notebook source of the collection, in order."""
    return sorted((root or config.NOTEBOOKS_DIR).glob("[0-9][0-9]_*.py"))


def load_notebooks(root: Path | None = None) -> list[Notebook]:
    """Every numbered notebook of the collection, read (:meth:`Notebook.load`), in order."""
    return [Notebook.load(source) for source in notebooks(root)]


@dataclass
class PlannedRun:
    """One run of a build: which notebook, with what parameters, into which folder, and why."""

    notebook: Notebook
    resolved: dict[str, Any]
    out_dir: Path
    key: str
    reason: str
    scenario: str | None = None
    build_inputs: str = ""
    site: Path | None = None  # the report site the run belongs to (None: the folder's own, found by sites.find_site)

    @property
    def name(self) -> str:
        return self.notebook.name

    @property
    def kind(self) -> str:
        """How the site's index labels the run."""
        return f"scenario {self.scenario}" if self.scenario is not None else "default"


def plan_build(
    selected: list[Notebook] | None = None,
    out_root: Path | None = None,
    force: bool = False,
    scenario: str | None = None,
    on_pending: Callable[[list[Notebook]], None] | None = None,
    pdf_code: str | None = None,
) -> list[PlannedRun]:
    """Resolve and check the parameters of every selected notebook (default: the collection's,
    :func:`notebooks`) and decide which need to run.

    Raises :class:`trustlab.runner.params.ParameterError` before anything runs (and writes nothing) if
    any notebook's parameters are invalid, or :class:`trustlab.runner.sites.OwnershipError` if a report
    folder that would be replaced is not trustlab's. ``out_root`` (default ``reports/``) is the
    report site; the caller opens it (:func:`trustlab.runner.sites.open_site`) before :func:`build`. ``on_pending(notebooks)`` is called once, before any parameters are resolved,
    with the notebooks whose runs are not up to date, if there are any (the command line starts
    its fork server there, so that it imports what they need while the parameters are checked). With ``pdf_code`` (``build --pdf``) a report without
    its PDF printed that way is not up to date (:func:`trustlab.runner.pdf.stale_reason`).
    """
    out_root = Path(out_root or config.REPORTS_DIR).resolve()
    checked = []
    for notebook in selected or load_notebooks():
        files = [notebook.scenario_path(scenario)] if scenario is not None else []
        out_dir = out_root / (notebook.name if scenario is None else f"{notebook.name}--{scenario}")
        digest = inputs_digest(notebook, files)
        stale = "forced" if force else stale_reason(out_dir, notebook.name, digest)
        recorded = None if stale is not None else read_results(out_dir)
        if recorded is not None and pdf_code is not None:
            stale = pdf.stale_reason(out_dir, notebook.name, recorded, pdf_code)
            recorded = None if stale is not None else recorded
        checked.append((notebook, files, out_dir, digest, recorded, stale))
    due = [notebook for notebook, _, _, _, recorded, _ in checked if recorded is None]
    if on_pending is not None and due:
        on_pending(due)
    planned = []
    for notebook, files, out_dir, digest, recorded, stale in checked:
        if recorded is not None:
            # Same input files, so the same resolved parameters: nothing to parse or check again.
            planned.append(
                PlannedRun(
                    notebook,
                    recorded["parameters"],
                    out_dir,
                    recorded["provenance"]["cache_key"],
                    "up to date",
                    scenario,
                    digest,
                    out_root,
                )
            )
            continue
        resolved = notebook.resolve(files=files)
        sites.check_replaceable(out_dir)
        sites.check_replaceable(sites.failed_dir(out_dir, out_root))
        key = cache_key(notebook, resolved, files)
        planned.append(PlannedRun(notebook, resolved, out_dir, key, stale or "inputs changed", scenario, digest, out_root))
    return planned


def build(
    planned: list[PlannedRun],
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    progress: bool = False,
    on_done: Callable[[RunOutcome, int, int], None] | None = None,
    fork_server: bool | ForkServer = True,
    pdf_code: str | None = None,
) -> list[RunOutcome]:
    """Execute the planned runs that are not up to date, ``jobs`` at a time.

    ``on_done(outcome, finished, total)`` is called as each run ends (for progress reports). With
    ``fork_server`` the runs are forked from one process that imported their libraries once
    (:mod:`trustlab.runner.forkserver`; pass a :func:`start_fork_server` started earlier to overlap its
    imports with other work, and close it yourself); with False, or if that process cannot start,
    each run starts a new interpreter. With ``pdf_code`` each run also prints its page to ``NAME.pdf``
    (:func:`run_notebook`).
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    outcomes: dict[int, RunOutcome] = {}
    to_run = []
    for index, run in enumerate(planned):
        if run.reason == "up to date":
            recorded = read_results(run.out_dir, warn=False) or {}
            outcomes[index] = RunOutcome(run.name, run.out_dir, "cached", 0.0, "", run.key, recorded.get("results", {}))
        else:
            to_run.append((index, run))
    if not to_run:
        return [outcomes[i] for i in range(len(planned))]
    for site in {run.site for _, run in to_run if run.site is not None}:
        sites.open_site(site)

    own_server = fork_server is True
    server: ForkServer | None
    if fork_server is True:
        server = start_fork_server(run.notebook.source for _, run in to_run)
    else:
        server = fork_server or None
    stop = threading.Event()  # set when the build is interrupted: every run stops, none is moved into place
    execute = fork_server_executor(server, stop)

    def work(item: tuple[int, PlannedRun]) -> tuple[int, RunOutcome]:
        index, run = item
        options = RunOptions(
            scenario=run.scenario,
            timeout=timeout,
            progress=progress,
            key=run.key,
            build_inputs=run.build_inputs,
            executor=execute,
            site_root=run.site,
            kind=run.kind,
            stop=stop,
            pdf_code=pdf_code,
        )
        outcome = run_notebook(run.notebook, run.resolved, run.out_dir, options)
        return index, outcome

    pool = ThreadPoolExecutor(max_workers=min(jobs, len(to_run)))
    try:
        futures = [pool.submit(work, item) for item in to_run]
        for finished, future in enumerate(as_completed(futures), start=1):
            index, outcome = future.result()
            outcomes[index] = outcome
            if on_done is not None:
                on_done(outcome, finished, len(to_run))
    except BaseException:
        # Interrupted (or a run raised): stop every run before waiting for them. Runs not started
        # never start; running ones kill their child and kernel and remove their staging folder;
        # none is moved into place. A second Ctrl-C does not cut this short.
        with signals_deferred(reraise=False):
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            if server is not None:
                server.close()
            pool.shutdown(wait=True)
        raise
    finally:
        pool.shutdown(wait=True)
        if own_server and server is not None:
            server.close()
    return [outcomes[i] for i in range(len(planned))]


def refresh(selected: list[Notebook] | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> list[RunOutcome]:
    """Re-execute committed notebooks (default: the collection's) on their defaults and write them,
    outputs included, beside their sources (``notebooks/``).

    Each ``notebooks/NAME.ipynb`` is replaced only after its run succeeded.
    """
    import nbformat

    chosen = selected or load_notebooks()
    for notebook in chosen:  # before any kernel starts: each committed notebook can be replaced where it lies
        sites.check_writable(notebook.source.parent)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="trustlab-refresh-") as tmp:
        for notebook in chosen:
            out_dir = Path(tmp) / notebook.name
            options = RunOptions(timeout=timeout, inject_parameters=False)
            outcome = run_notebook(notebook, notebook.resolve(), out_dir, options)
            if outcome.ok:
                executed = nbformat.read(out_dir / f"{notebook.name}.ipynb", as_version=4)
                target = notebook.source.with_suffix(".ipynb")
                staged = target.with_name(f".{target.name}.tmp")
                nbformat.write(as_paired_ipynb(sanitize_notebook(executed)), staged)
                staged.replace(target)
            outcomes.append(outcome)
    return outcomes
