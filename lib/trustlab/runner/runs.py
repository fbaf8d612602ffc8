"""Execute notebooks: one run, or a build of every notebook with caching and parallel workers.

A run executes the notebook's jupytext source with papermill in a child process (its own working
directory and process group), renders HTML, and writes ``NAME.ipynb``, ``NAME.html`` and
``results.json`` into its output folder. Everything is staged in a temporary folder beside the
output and moved into place only when the run succeeded, so a failed or interrupted run never
leaves a half-written report and never touches the last good one. A failed run leaves its partial
notebook and an HTML page marking the failed cell under ``failed/``.
"""

from __future__ import annotations

import contextlib
import hashlib
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

from trustlab import config
from trustlab.runner import folders, pdf, sites
from trustlab.runner.cache import cache_key, digest_of, input_files, read_results, stale_reason
from trustlab.runner.executors import (
    DEFAULT_TIMEOUT_SECONDS,
    Executor,
    check_stop,
    execute_run,
    fork_server_executor,
    new_record,
    start_fork_server,
)
from trustlab.runner.finish import (
    as_paired_ipynb,
    disk_full,
    disk_full_message,
    sanitize_notebook,
)
from trustlab.runner.folders import remove_abandoned_staging
from trustlab.runner.forkserver import ForkServer
from trustlab.runner.notebook import Notebook, ResolvedRun, resolve_run
from trustlab.runner.processes import signals_deferred


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

    ``timeout``: seconds for the whole notebook;
    ``progress``: papermill's progress bar (default: when stderr is a terminal); ``key``: its cache
    key (default: computed); ``inject_parameters=False`` runs the notebook on its own defaults with no
    injected cell (to refresh the committed notebooks; the resolved values must then be those
    defaults); ``site_root``: the report site it belongs to (default:
    :func:`trustlab.runner.sites.find_site`); ``build_inputs``: the :func:`inputs_digest` a build
    recorded for its up-to-date check, and ``input_files`` the files (:func:`trustlab.runner.cache.input_files`) that digest
    was taken of; ``executor``: how its child starts (default: a new
    interpreter); ``kind``: how the site records it ("run", "default", "scenario S"); ``stop``: an
    event another thread sets to stop it; ``pdf_code``: "hidden" or "shown" to print its page to PDF;
    ``hold_lock``: hold the site's lock for the whole run and check the places again under it, saying on
    stderr what runs where (``trustlab run``; a build holds its site's lock itself).
    """

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    progress: bool | None = None
    key: str | None = None
    inject_parameters: bool = True
    site_root: Path | None = None
    build_inputs: str | None = None
    input_files: dict[str, str] | None = None
    executor: Executor | None = None
    kind: str = "run"
    stop: threading.Event | None = None
    pdf_code: str | None = None
    hold_lock: bool = False


def run_notebook(run: ResolvedRun, out_dir: Path, options: RunOptions = RunOptions()) -> RunOutcome:
    """Execute one resolved run (:func:`trustlab.runner.notebook.resolve_run`) into ``out_dir``.

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
    name, stop, pdf_code = run.name, options.stop, options.pdf_code
    out_dir = Path(out_dir).resolve()
    site = Path(options.site_root).resolve() if options.site_root is not None else sites.find_site(out_dir)
    failed_dir = sites.failed_dir(out_dir, site)
    # Checked before the kernel starts: nothing of anyone else's is replaced, and every place is writable.
    sites.check_replaceable(out_dir)
    sites.check_replaceable(failed_dir)
    if site is not None:
        sites.check_site_root(site)
    hrefs = sites.index_href(site, out_dir), sites.index_href(site, failed_dir)  # the pages' links to the index
    with contextlib.ExitStack() as held:
        if options.hold_lock:  # trustlab run: the site's lock for the whole run, the places checked again under it
            held.enter_context(folders.locked(site if site is not None else out_dir))
            sites.check_run_places(out_dir, site)  # the process waited for may have written there
            print(f"running {name} -> {out_dir}", file=sys.stderr)
        progress = sys.stderr.isatty() if options.progress is None else options.progress
        started = datetime.now(timezone.utc)
        t0 = time.perf_counter()
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned_staging(out_dir)
        staged: Path | None = None
        key = options.key or ""
        try:
            staged = sites.new_staging_folder(out_dir)
            key = key or cache_key(run.notebook, run.values)
            record = new_record(name, run.scenario, run.values, key, options.build_inputs, started)
            if options.input_files is not None:  # a build's report: what it depends on, file by file (trustlab status)
                record["provenance"]["input_files"] = options.input_files
            check_stop(stop)
            status, error, seconds, run_record = execute_run(
                run,
                staged,
                record,
                inject_parameters=options.inject_parameters,
                timeout=options.timeout,
                progress=progress,
                index_href=hrefs[0],
                failed_index_href=hrefs[1],
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
            with folders.locked(site if site is not None else out_dir, cancelled=stop.is_set if stop else None):
                with signals_deferred():
                    check_stop(stop)
                    sites.move_into_place(staged, out_dir, failed_dir, site, ok=status == "ok", kind=options.kind, name=name)
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


def default_run_dir(run: ResolvedRun) -> Path:
    """``reports/runs/NAME-<hash of the resolved parameters>``."""
    digest = hashlib.sha256(json.dumps(run.values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
    return config.REPORTS_DIR / "runs" / f"{run.name}-{digest}"


def notebooks(root: Path | None = None) -> list[Path]:
    """Every numbered notebook source of the collection, in order."""
    return sorted((root or config.NOTEBOOKS_DIR).glob("[0-9][0-9]_*.py"))


def load_notebooks(root: Path | None = None) -> list[Notebook]:
    """Every numbered notebook of the collection, read (:meth:`Notebook.load`), in order."""
    return [Notebook.load(source) for source in notebooks(root)]


@dataclass
class PlannedRun:
    """One run of a build: the resolved run (for a report that is up to date, the values its record
    holds), into which folder, and why."""

    run: ResolvedRun
    out_dir: Path
    key: str
    reason: str
    build_inputs: str = ""
    site: Path | None = None  # the report site the run belongs to (None: the folder's own, found by sites.find_site)
    input_files: dict[str, str] | None = None  # what build_inputs is the digest of, file by file

    @property
    def name(self) -> str:
        return self.run.name

    @property
    def kind(self) -> str:
        """How the site's index labels the run."""
        return f"scenario {self.run.scenario}" if self.run.scenario is not None else "default"


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
        depends = input_files(notebook, files)
        digest = digest_of(depends)
        stale = "forced" if force else stale_reason(out_dir, notebook.name, digest)
        recorded = None if stale is not None else read_results(out_dir)
        if recorded is not None and pdf_code is not None:
            stale = pdf.stale_reason(out_dir, notebook.name, recorded, pdf_code)
            recorded = None if stale is not None else recorded
        checked.append((notebook, files, out_dir, depends, recorded, stale))
    due = [notebook for notebook, _, _, _, recorded, _ in checked if recorded is None]
    if on_pending is not None and due:
        on_pending(due)
    planned = []
    for notebook, files, out_dir, depends, recorded, stale in checked:
        digest = digest_of(depends)
        if recorded is not None:
            # Same input files, so the same resolved parameters: nothing to parse or check again.
            run = ResolvedRun(notebook, recorded["parameters"], recorded.get("changed_parameters") or {}, scenario, tuple(files))
            planned.append(PlannedRun(run, out_dir, recorded["provenance"]["cache_key"], "up to date", digest, out_root))
            continue
        run = resolve_run(notebook, scenario=scenario)
        sites.check_replaceable(out_dir)
        sites.check_replaceable(sites.failed_dir(out_dir, out_root))
        key = cache_key(notebook, run.values, files)
        planned.append(PlannedRun(run, out_dir, key, stale or "inputs changed", digest, out_root, depends))
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
        server = start_fork_server(planned_run.run.notebook.source for _, planned_run in to_run)
    else:
        server = fork_server or None
    stop = threading.Event()  # set when the build is interrupted: every run stops, none is moved into place
    execute = fork_server_executor(server, stop)

    def work(item: tuple[int, PlannedRun]) -> tuple[int, RunOutcome]:
        index, run = item
        options = RunOptions(
            timeout=timeout,
            progress=progress,
            key=run.key,
            build_inputs=run.build_inputs,
            input_files=run.input_files,
            executor=execute,
            site_root=run.site,
            kind=run.kind,
            stop=stop,
            pdf_code=pdf_code,
        )
        outcome = run_notebook(run.run, run.out_dir, options)
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
            outcome = run_notebook(resolve_run(notebook), out_dir, options)
            if outcome.ok:
                executed = nbformat.read(out_dir / f"{notebook.name}.ipynb", as_version=4)
                target = notebook.source.with_suffix(".ipynb")
                staged = target.with_name(f".{target.name}.tmp")
                nbformat.write(as_paired_ipynb(sanitize_notebook(executed)), staged)
                staged.replace(target)
            outcomes.append(outcome)
    return outcomes
