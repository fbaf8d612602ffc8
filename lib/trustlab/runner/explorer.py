"""The engine behind ``trustlab serve``: a bounded pool of warm, isolated notebook runs.

Runs are the command line's runs (:func:`trustlab.runner.runs.run_notebook`): one kernel each,
forked from one fork server that imported the libraries once, written into the report site as
ad-hoc runs (``runs/NAME-<hash of its parameters>``, the folder ``trustlab run`` uses) and cached
under the build's key (:func:`trustlab.runner.cache.cache_key`): a run whose folder holds a report
with the same key is answered from it. ``workers`` runs go at a time; later submissions wait in a
queue and know their place in it. :meth:`Explorer.close` stops the queue, every running run with
its kernel, and the fork server.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustlab import provenance
from trustlab.errors import ParameterError
from trustlab.runner import executors, folders, report, runs, sites
from trustlab.runner.compare import change_text, compare_records, group_rows, shown
from trustlab.runner.forkserver import ForkServerError
from trustlab.runner.notebook import SAFE_NAME, Notebook, ResolvedRun, schema_path

DONE = ("ok", "cached", "failed", "timeout", "stopped")
CODE_CHANGED = (
    "trustlab's code changed since the explorer started: its warm fork server still holds the old "
    "modules, so runs now start as new interpreters (restart trustlab serve to warm them again)"
)
MAX_SWEEP_POINTS = {"notebook": 12, "fast": 200}  # notebook runs cost a kernel each; fast points ~10 ms


def parameter_text(value: Any) -> str:
    """A resolved value as the text ``-p NAME VALUE`` (and a form or URL) gives for it, so that
    :meth:`trustlab.runner.notebook.Notebook.resolve` reads it back as the same value."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def run_id(name: str, resolved: Mapping[str, Any]) -> str:
    """The id of a run, and its folder name under the site's ``runs/``: as ``trustlab run`` names it."""
    digest = hashlib.sha256(json.dumps(dict(resolved), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
    return f"{name}-{digest}"


@dataclass
class Job:
    """One run the explorer was asked for (or found already made in the site)."""

    run_id: str
    notebook: Notebook
    parameters: dict[str, Any]
    out_dir: Path
    key: str
    status: str = "queued"  # queued, running, then one of DONE
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    seconds: float = 0.0
    error: str = ""
    results: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] | None = None  # its results.json, once done
    changed: dict[str, Any] | None = None  # the parameters changed from the defaults, once asked for
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def name(self) -> str:
        """The notebook's name."""
        return self.notebook.name

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "cached")


class Explorer:
    """A report site, the notebooks it explores and a bounded pool of warm runs into it."""

    def __init__(
        self,
        site: Path,
        notebooks: list[Path],
        *,
        workers: int = 2,
        fork_server: bool = True,
        timeout: float = runs.DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        if workers < 1:
            raise ParameterError(f"--workers: expected at least 1, got {workers}")
        self.site = sites.open_site(Path(site))
        self.notebooks = {source.stem: Path(source).resolve() for source in notebooks}
        self.workers = workers
        self.timeout = timeout
        self._lock = threading.Lock()
        self._index_lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._queued: list[str] = []  # run ids waiting for a worker, in order
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trustlab-run")
        # The code the fork server imports: a run forked from it after the package changed would be
        # recorded under the new code's cache key with results of the old code.
        self._server_code = provenance.package_digest() if fork_server else None
        self._server = runs.start_fork_server(self.notebooks.values()) if fork_server else None
        self._unusable: list[str] = []
        self._defaults: dict[str, tuple[Notebook, dict[str, Any]]] = {}
        self._about: dict[str, dict[str, str]] = {}
        self._loaded: dict[str, tuple[tuple[int, ...], Notebook]] = {}
        self.sweeps: dict[str, Any] = {}  # sweep id -> trustlab.runner.explore_sweep.SweepJob

    # ------------------------------------------------------------ notebooks

    def source(self, name: str) -> Path:
        """The source of a notebook the explorer serves, by name (else the command line's message)."""
        if name not in self.notebooks:
            raise ParameterError(f"unknown notebook {name!r}; known notebooks: {', '.join(self.notebooks)}")
        return self.notebooks[name]

    def notebook(self, name: str) -> Notebook:
        """A notebook the explorer serves, by name, read (:meth:`Notebook.load`) once per version of
        its source and schema: a contract edited while the explorer runs is the one its forms use."""
        source = self.source(name)
        stamp = tuple(path.stat().st_mtime_ns if path.exists() else 0 for path in (source, schema_path(source)))
        if self._loaded.get(name, (None,))[0] != stamp:
            self._loaded[name] = (stamp, Notebook.load(source))
        return self._loaded[name][1]

    def about(self, name: str) -> dict[str, str]:
        """Title, question and one-line answer of a notebook (read once)."""
        if name not in self._about:
            source = self.source(name)
            title, question = report.notebook_question(source)
            self._about[name] = {"title": title, "question": question, "answer": notebook_answer(source, self.site)}
        return self._about[name]

    def resolve(
        self, name: str, texts: Mapping[str, str] | None = None, typed: Mapping[str, Any] | None = None
    ) -> tuple[Notebook, dict[str, Any]]:
        """Resolve parameters as the command line does (``texts`` as ``-p NAME VALUE`` strings,
        ``typed`` as values from a JSON body); a refused value raises its :class:`ParameterError`."""
        notebook = self.notebook(name)
        return notebook, notebook.resolve(cli=dict(texts or {}), overrides=dict(typed or {}))

    # ------------------------------------------------------------ runs

    def submit(self, notebook: Notebook, resolved: dict[str, Any]) -> Job:
        """The run of ``notebook`` with these (resolved) parameters: the one going or done already
        (failed ones included) with the same cache key, the site's report with that key, or a new
        run queued for a worker."""
        rid, key = run_id(notebook.name, resolved), runs.cache_key(notebook, resolved)
        with self._lock:
            job = self._made(notebook, resolved, rid, key)
            if job is not None:
                return job
            if self._stop.is_set():
                raise RuntimeError("the explorer is stopping")
            job = Job(rid, notebook, resolved, self.site / "runs" / rid, key)
            self._queued.append(rid)
            self._pool.submit(self._work, job)
            self._jobs[rid] = job
            return job

    def lookup(self, notebook: Notebook, resolved: dict[str, Any]) -> Job | None:
        """The run :meth:`submit` would answer with when it need not start one (going, done, or
        the site's report with the same cache key); None where it would start one."""
        rid, key = run_id(notebook.name, resolved), runs.cache_key(notebook, resolved)
        with self._lock:
            return self._made(notebook, resolved, rid, key)

    def _made(self, notebook: Notebook, resolved: dict[str, Any], rid: str, key: str) -> Job | None:
        # The same inputs give the same run: a failure too is shown again, not rerun; a run
        # stopped with the server, or made from other inputs (code, data), runs again.
        job = self._jobs.get(rid)
        if job is not None and job.key == key and job.status != "stopped":
            return job
        job = Job(rid, notebook, resolved, self.site / "runs" / rid, key)
        built = self.site / notebook.name  # the build's report, when these are the defaults it was built with
        cached = current_record(job.out_dir, notebook.name, key)
        if cached is None and (cached := current_record(built, notebook.name, key)) is not None:
            job.out_dir = built
        if cached is None:
            return None
        self._finish(job, "cached", cached)
        self._jobs[rid] = job
        return job

    def job(self, rid: str) -> Job | None:
        """A run by id: one of this server's, or an ad-hoc run the site holds (``trustlab run``'s too)."""
        with self._lock:
            job = self._jobs.get(rid)
        if job is not None:
            return job
        folder = self.site / "runs" / rid
        if not SAFE_NAME.fullmatch(rid) or ".." in rid or not (folder / "results.json").is_file():
            return None
        record = report.valid_record(folder / "results.json")
        if record is None or record.get("notebook") not in self.notebooks:
            return None
        job = Job(
            rid, self.notebook(record["notebook"]), record["parameters"], folder, str(record["provenance"].get("cache_key", ""))
        )
        self._finish(job, "cached" if record["provenance"].get("status") == "ok" else "failed", record)
        return job

    def position(self, job: Job) -> int | None:
        """1 for the next run to start, 2 for the one after it...; None unless queued."""
        with self._lock:
            return self._queued.index(job.run_id) + 1 if job.run_id in self._queued else None

    def status(self) -> dict[str, Any]:
        """The pool at a glance (``GET /api/status``)."""
        with self._lock:
            running = [j.run_id for j in self._jobs.values() if j.status == "running"]
            return {
                "workers": self.workers,
                "running": running,
                "queued": list(self._queued),
                "fork_server_pid": self._server._proc.pid if self._server is not None else None,
                "warm": self._server is not None and not self._unusable,
                "why_not_warm": self._unusable[0] if self._unusable else None,
                "site": str(self.site),
            }

    def baseline(self, notebook: Notebook) -> Job:
        """The run on the notebook's defaults to compare with: the build's report in the site when
        it is current (same cache key), else an ad-hoc run of the defaults (queued if need be)."""
        return self.submit(notebook, self._defaults_of(notebook))

    def made_baseline(self, notebook: Notebook) -> Job | None:
        """The run :meth:`baseline` would answer with, if it need not start one; else None."""
        return self.lookup(notebook, self._defaults_of(notebook))

    def _defaults_of(self, notebook: Notebook) -> dict[str, Any]:
        # Resolved once per version of the notebook and its contract (:meth:`notebook` reads each once).
        current = self.notebook(notebook.name)
        if self._defaults.get(notebook.name, (None,))[0] is not current:
            self._defaults[notebook.name] = (current, current.resolve())
        return self._defaults[notebook.name][1]

    def _finish(self, job: Job, status: str, record: dict[str, Any] | None) -> None:
        job.status = status
        job.record = record
        if record is not None:
            job.results = record.get("results") or {}
            job.seconds = job.seconds or float(record.get("provenance", {}).get("seconds") or 0.0)
            if status == "failed" and not job.error:
                job.error = str(record.get("error") or "")
        job.done.set()

    def _work(self, job: Job) -> None:
        with self._lock:
            if job.run_id in self._queued:
                self._queued.remove(job.run_id)
            if self._stop.is_set():
                job.status = "stopped"
                job.done.set()
                return
            job.status, job.started = "running", time.time()
        record = None
        try:
            options = runs.RunOptions(
                key=job.key,
                site_root=self.site,
                kind="run",
                executor=self._execute,
                stop=self._stop,
                timeout=self.timeout,
                progress=False,
            )
            run = ResolvedRun(job.notebook, job.parameters, job.notebook.changed_from_defaults(job.parameters))
            outcome = runs.run_notebook(run, job.out_dir, options)
        except KeyboardInterrupt:
            status, job.error = "stopped", "the explorer was stopped before this run ended"
        except Exception as exc:  # noqa: BLE001 - shown on the run's page, never lost
            status, job.error = "failed", f"{type(exc).__name__}: {exc}"
        else:
            status, job.error, job.seconds = outcome.status, outcome.error, outcome.seconds
            folder = job.out_dir if outcome.ok else sites.failed_dir(job.out_dir, self.site)
            record = report.valid_record(folder / "results.json") if (folder / "results.json").exists() else None
        self._finish(job, status, record)  # answered first; the index follows (a few hundred ms)
        if status != "stopped":
            self.update_index()

    def _execute(self, spec_path: Path, timeout: float, progress: bool) -> tuple[str, str]:
        """Run one spec in a child forked from the warm server (a new interpreter if it cannot start)."""
        if self._stop.is_set():
            raise KeyboardInterrupt
        if self._server is not None and not self._unusable and provenance.package_digest() != self._server_code:
            self._unusable.append(CODE_CHANGED)
            print(f"trustlab serve: {CODE_CHANGED}", file=sys.stderr)
        if self._server is not None and not self._unusable:
            try:
                self._server.wait_ready()
            except ForkServerError as exc:
                self._unusable.append(str(exc))
            else:
                return self._server.execute(spec_path, timeout, progress)
        return executors.execute_in_new_interpreter(spec_path, timeout, progress, stop=self._stop)

    def failed_page(self, job: Job) -> Path | None:
        """The failure page of a failed run (its failed cell marked), if there is one."""
        page = sites.failed_dir(job.out_dir, self.site) / f"{job.name}.html"
        return page if page.is_file() else None

    def update_index(self) -> None:
        """Rewrite the site's index.html (so the run shows there and in ``trustlab publish``)."""
        with self._index_lock, folders.locked(self.site):
            report.build_index(self.site, list(self.notebooks.values()))

    def warm_up(self) -> None:
        """Wait for the fork server to finish its imports (tests and benchmarks measure warm runs)."""
        if self._server is not None:
            self._server.wait_ready()

    def close(self) -> None:
        """Stop: queued runs never start, running ones are killed with their kernels, the fork server stops."""
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            for rid in self._queued:
                job = self._jobs[rid]
                job.status = "stopped"
                job.done.set()
            self._queued.clear()
        if self._server is not None:
            self._server.close()
        self._pool.shutdown(wait=True)


def current_record(out_dir: Path, name: str, key: str) -> dict[str, Any] | None:
    """The record of a successful run of ``name`` in ``out_dir`` made with this cache key, whose
    page and notebook are still the files it wrote; else None."""
    if not (out_dir / "results.json").is_file():
        return None
    record = report.valid_record(out_dir / "results.json")
    if record is None:
        return None
    prov = record["provenance"]
    outputs = prov.get("outputs")
    if prov.get("cache_key") != key or prov.get("status") != "ok" or not isinstance(outputs, dict):
        return None
    for file in (f"{name}.html", f"{name}.ipynb"):
        path = out_dir / file
        if file not in outputs or not path.is_file() or provenance.file_sha256(path) != outputs[file]:
            return None
    return record


def notebook_answer(source: Path, site: Path | None = None) -> str:
    """A notebook's one-line answer: the first point of its Summary (:func:`report.summary_answer`),
    as its default run printed it (the site's build of the notebook, else the committed ``.ipynb``);
    "" when there is none."""
    candidates = ([site / source.stem / f"{source.stem}.ipynb"] if site is not None else []) + [source.with_suffix(".ipynb")]
    return next((answer for path in candidates if (answer := report.summary_answer(path))), "")


def comparison(default: dict[str, Any], run: dict[str, Any], groups: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every recorded result and parameter of ``run`` beside the default run's, with its change: the
    rows of ``trustlab diff`` (:func:`trustlab.runner.compare.compare_records`), unchanged ones included.
    Results come first, in the notebook's result ``groups`` worded as its narrative words them
    (:func:`trustlab.runner.compare.group_rows`; each row's ``group`` names its heading), then the parameters."""
    table = compare_records(default, run, every=True).to_dict(orient="records")
    rows = [
        {
            "kind": "result",
            "group": group["title"],
            "name": row["name"],
            "default": row["a_shown"],
            "run": row["b_shown"],
            "changed": row["changed"],
            "change": row["change"],
        }
        for group in group_rows([row for row in table if row["kind"] == "result"], groups or {})
        for row in group["rows"]
    ]
    for row in (row for row in table if row["kind"] == "parameter"):
        rows.append(
            {
                "kind": "parameter",
                "group": "",
                "name": row["name"],
                "default": shown(row["a"]),
                "run": shown(row["b"]),
                "changed": bool(row["changed"]),
                "change": change_text(row["a"], row["b"]),
            }
        )
    return rows
