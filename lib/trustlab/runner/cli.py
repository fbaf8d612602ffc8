# PYTHON_ARGCOMPLETE_OK
"""The ``trustlab`` command line: run, build, refresh and inspect the notebooks."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from trustlab import config, results
from trustlab.runner import finish, params, pdf, report, runs, sites, sweep
from trustlab.runner.notebook import Notebook
from trustlab.runner.processes import signals_deferred

# See trustlab.runner.execute: skip a 1.5 s grammar build that notebook validation never uses.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None in sys.modules blocks an import


def _cli_parameters(pairs: list[list[str]] | None) -> dict[str, str]:
    supplied: dict[str, str] = {}
    for name, value in pairs or []:
        if name in supplied:
            raise params.ParameterError(f"parameter {name!r} given twice with -p")
        supplied[name] = value
    return supplied


def _notebooks(names: list[str] | None) -> list[Notebook] | None:
    """The notebooks a command names (None when it names none: the collection)."""
    return [Notebook.load(name) for name in names] if names else None


def _default_run_dir(name: str, resolved: dict) -> Path:
    digest = hashlib.sha256(json.dumps(resolved, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
    return config.REPORTS_DIR / "runs" / f"{name}-{digest}"


def _update_index(site: Path | None) -> Path | None:
    """Rewrite a report site's index.html after runs were added to it (a run in no site has none)."""
    if site is None:
        return None
    try:
        return report.build_index(site, runs.notebooks())
    except OSError as exc:  # written whole or not at all: the old index stays
        if not finish.disk_full(exc):
            raise
        print(
            f"trustlab: {site / 'index.html'} was left as it was: {finish.disk_full_message(site, 'the index')}", file=sys.stderr
        )
        return None


def _summary(outcomes: list[runs.RunOutcome]) -> str:
    lines = [f"{'notebook':<34} {'status':<8} {'seconds':>8}  cache hit  output"]
    for o in outcomes:
        hit = "yes" if o.status == "cached" else "no"
        lines.append(f"{o.notebook:<34} {o.status:<8} {o.seconds:>8.1f}  {hit:<9}  {o.out_dir}")
    failed = [o for o in outcomes if not o.ok]
    lines.append(f"{len(outcomes) - len(failed)} ok, {len(failed)} failed")
    for o in failed:
        lines.append(f"FAILED {o.notebook}: {o.error.splitlines()[0] if o.error else o.status}")  # what happened
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    # The fork server imports what the run and its kernel need while the parameters and places
    # are checked; a refused input stops it before it has done anything.
    notebook = Notebook.load(args.notebook)
    server = runs.start_fork_server([notebook.source]) if args.fork_server else None
    try:
        outcome, index = _run_checked(args, notebook, server)
    except BaseException:
        if server is not None:
            with signals_deferred(reraise=False):  # being stopped: a second Ctrl-C waits for this
                server.close()
        raise
    if args.json:
        _print_json({"command": "run", **_outcome_record(outcome), "index": str(index) if index else None})
    else:
        print(_summary([outcome]))
        if index is not None:
            print(f"index: {index}")
    return 0 if outcome.ok else 1


def _run_checked(
    args: argparse.Namespace, notebook: Notebook, server: runs.ForkServer | None
) -> tuple[runs.RunOutcome, Path | None]:
    files = [Path(f) for f in args.file or []]
    if args.scenario is not None:  # --scenario "" is refused by scenario_path, not ignored
        files.insert(0, notebook.scenario_path(args.scenario))
    resolved = notebook.resolve(cli=_cli_parameters(args.parameter), files=files)
    out_dir = (Path(args.out) if args.out else _default_run_dir(notebook.name, resolved)).resolve()
    pdf_code = pdf.requested(args)  # Chromium checked before any kernel starts
    site = sites.find_site(out_dir)
    _check_run_places(out_dir, site)
    with sites.locked(site if site is not None else out_dir):
        _check_run_places(out_dir, site)  # again: the process we waited for may have written there
        print(f"running {notebook.name} -> {out_dir}", file=sys.stderr)
        options = runs.RunOptions(
            scenario=args.scenario,
            timeout=args.timeout,
            site_root=site,
            executor=runs.fork_server_executor(server),
            pdf_code=pdf_code,
        )
        outcome = runs.run_notebook(notebook, resolved, out_dir, options)
        if server is not None:  # done with it: its memory and cores go back before the index is written
            with signals_deferred():
                server.close()
        return outcome, _update_index(site)


def _outcome_record(outcome: runs.RunOutcome) -> dict:
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


def _check_run_places(out_dir: Path, site: Path | None) -> None:
    """Refuse, before any kernel starts, a run whose folders trustlab may not write (and open its site)."""
    sites.check_replaceable(out_dir)
    sites.check_replaceable(sites.failed_dir(out_dir, site))
    if site is not None:
        sites.open_site(site)


def cmd_build(args: argparse.Namespace) -> int:
    site = (Path(args.out) if args.out else config.REPORTS_DIR).resolve()
    sites.check_site_root(site)
    args.pdf_code = pdf.requested(args)  # Chromium checked before any kernel starts
    if args.dry_run:
        planned = runs.plan_build(_notebooks(args.notebooks), site, args.force, args.scenario, pdf_code=args.pdf_code)
        if args.json:
            _print_json(
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
    with sites.locked(site):
        return _build_locked(args, site)


def _build_locked(args: argparse.Namespace, site: Path) -> int:
    server: runs.ForkServer | None = None

    def start_fork_server(due: list[Notebook]) -> None:  # called once some run is due: it imports while parameters are checked
        nonlocal server
        server = runs.start_fork_server(notebook.source for notebook in due)

    try:
        planned = runs.plan_build(
            _notebooks(args.notebooks),
            site,
            args.force,
            args.scenario,
            on_pending=start_fork_server if args.fork_server else None,
            pdf_code=args.pdf_code,
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
            pdf_code=args.pdf_code,
        )
    finally:
        if server is not None:
            server.close()
    if any(o.status != "cached" for o in outcomes) or not (site / "index.html").exists():
        _update_index(site)
    if args.json:
        _print_json(
            {
                "command": "build",
                "dry_run": False,
                "site": str(site),
                "index": str(site / "index.html"),
                "runs": [_outcome_record(o) for o in outcomes],
            }
        )
    else:
        print(_summary(outcomes))
        print(f"index: {site / 'index.html'}")
    return 0 if all(o.ok for o in outcomes) else 1


def cmd_refresh(args: argparse.Namespace) -> int:
    outcomes = runs.refresh(_notebooks(args.notebooks), timeout=args.timeout)
    print(_summary(outcomes))
    return 0 if all(o.ok for o in outcomes) else 1


def _print_json(record: dict) -> None:
    """Print one machine-readable record (strict JSON) on stdout."""
    print(json.dumps(record, ensure_ascii=False, allow_nan=False, default=str))


def notebook_status(notebook: Notebook, site: Path, scenario: str | None = None) -> dict:
    """Whether the build's report of ``notebook`` in ``site`` is up to date, and if not why: the
    inputs that changed since it was built, file by file, where its record says."""
    from trustlab.runner import cache

    files = [notebook.scenario_path(scenario)] if scenario is not None else []
    out_dir = site / (notebook.name if scenario is None else f"{notebook.name}--{scenario}")
    reason = cache.stale_reason(out_dir, notebook.name, cache.inputs_digest(notebook, files))
    recorded = cache.read_results(out_dir, warn=False) if (out_dir / "results.json").exists() else None
    prov = recorded["provenance"] if recorded else {}
    why: list[str] = []
    if reason == "inputs changed":
        before = prov.get("input_files")
        why = (
            cache.changed_inputs(before, cache.input_files(notebook, files))
            if isinstance(before, dict)
            else ["inputs changed (this report predates per-file records; build once to see which)"]
        )
    elif reason is not None:
        why = [reason]
    return {
        "notebook": notebook.name,
        "scenario": scenario,
        "status": "up to date" if reason is None else "stale",
        "why": why,
        "report": str(out_dir),
        "built": prov.get("started"),
        "commit": prov.get("git_commit"),
    }


def cmd_status(args: argparse.Namespace) -> int:
    site = (Path(args.out) if args.out else config.REPORTS_DIR).resolve()
    rows = [notebook_status(notebook, site, args.scenario) for notebook in _notebooks(args.notebooks) or runs.load_notebooks()]
    if args.json:
        _print_json({"command": "status", "site": str(site), "notebooks": rows})
    else:
        width = max(len(r["notebook"]) for r in rows) if rows else 8
        for row in rows:
            built = f" (built {row['built']})" if row["built"] else ""
            print(f"{row['notebook']:<{width}}  {row['status']}{built}")
            for line in row["why"]:
                print(f"{'':<{width}}    - {line}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    if args.cell:  # the papermill parameters cell the contract declares, to paste into the notebook
        from trustlab import contract

        print(contract.parameters_cell(Notebook.load(args.notebook).contract))
        return 0
    notebook = Notebook.load(args.notebook)
    declared = notebook.parameters
    if args.json:
        _print_json(
            {
                "command": "params",
                "notebook": notebook.name,
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type_name,
                        "default": p.default,
                        "range": p.describe_range() or None,
                        "help": p.help or None,
                    }
                    for p in declared.values()
                ],
            }
        )
        return 0
    width = max(len(n) for n in declared) if declared else 4
    for p in declared.values():
        rng = p.describe_range()
        print(f"{p.name:<{width}}  {p.type_name:<12} default={p.default!r}" + (f"  [{rng}]" if rng else ""))
        if p.help:
            print(f"{'':<{width}}  {p.help}")
    return 0


def _positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above zero (argparse names the option)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def cmd_sweep(args: argparse.Namespace) -> int:
    notebook = Notebook.load(args.notebook)
    resolved = sweep.resolve_points(notebook, sweep.load_grid(Path(args.grid)))
    out_dir = (
        Path(args.out) if args.out else config.REPORTS_DIR / "sweeps" / f"{notebook.name}-{Path(args.grid).stem}"
    ).resolve()
    # Every check before anything is created or runs: the places, then the scheduler and its workers.
    sweep.check_places(out_dir)
    if args.scheduler:
        sweep.check_scheduler(args.scheduler, args.scheduler_timeout)
    import os

    local = f"{args.jobs or os.cpu_count() or 1} local process(es)"
    where = (
        f"the Dask scheduler at {args.scheduler}"
        if args.scheduler
        else (local if args.fast else f"a local Dask cluster of {local}")
    )
    mode = f"{'fast (analysis function, no kernels)' if args.fast else 'notebook runs'} on {where}"
    print(f"sweeping {notebook.name}: {len(resolved)} point(s), {mode} -> {out_dir}", file=sys.stderr)
    if args.fast:
        table = sweep.run_fast(
            notebook, resolved, jobs=args.jobs, scheduler=args.scheduler, scheduler_timeout=args.scheduler_timeout
        )
        sweep.save_sweep(table, out_dir, notebook.name, on_placed=_update_index)
    else:

        def report_point(point: int, finished: int, total: int, outcome: dict) -> None:
            print(f"[{finished}/{total}] point-{point:04d}: {outcome['status']} in {outcome['seconds']:.1f} s", file=sys.stderr)

        table = sweep.run_notebooks(
            notebook,
            resolved,
            out_dir,
            scheduler=args.scheduler,
            scheduler_timeout=args.scheduler_timeout,
            workers=args.jobs,
            timeout=args.timeout,
            on_placed=_update_index,
            on_point=report_point,
            on_cluster=lambda line: print(line, file=sys.stderr),
        )
    csv, parquet = out_dir / "sweep.csv", out_dir / "sweep.parquet"
    failed = int((table["status"] != "ok").sum())
    if args.json:
        _print_json(
            {
                "command": "sweep",
                "notebook": notebook.name,
                "mode": mode,
                "out_dir": str(out_dir),
                "points": len(table),
                "ok": len(table) - failed,
                "failed": failed,
                "csv": str(csv),
                "parquet": str(parquet),
            }
        )
    else:
        print(f"{len(table) - failed} ok, {failed} failed; table: {csv} and {parquet}")
    return 0 if failed == 0 else 1


def cmd_diff(args: argparse.Namespace) -> int:
    table = sweep.diff_runs(Path(args.run_a), Path(args.run_b))
    if args.json:
        _print_json(
            {
                "command": "diff",
                "run_a": str(args.run_a),
                "run_b": str(args.run_b),
                "same": table.empty,
                "differences": table.to_dict(orient="records"),
            }
        )
    elif table.empty:
        print("no differences in parameters or recorded results")
    else:
        print(table.to_string(index=False))
    return 0 if table.empty else 1  # as diff(1): 1 when the runs differ


def cmd_new(args: argparse.Namespace) -> int:
    from trustlab.runner import new

    question = new.check_question(args.question)
    scaffold = new.plan(args.name)  # refused before anything is written
    root = scaffold.root
    for path in new.write(scaffold, question):
        print(f"created {path.relative_to(root)}")
    if not args.execute:
        print(
            f"not executed: run `trustlab refresh {scaffold.stem}` to store the outputs of its default run "
            f"in {scaffold.committed.relative_to(root)}"
        )
        return 0
    print(f"executing {scaffold.stem} on its defaults into {scaffold.committed.relative_to(root)}", file=sys.stderr)
    outcomes = runs.refresh([Notebook.load(scaffold.stem)], timeout=args.timeout)
    print(_summary(outcomes))
    if not all(o.ok for o in outcomes):
        print(f"the scaffold is in place, but its run failed: fix it, then `trustlab refresh {scaffold.stem}`")
        return 1
    print(
        f"next: edit {scaffold.notebook.relative_to(root)} and {scaffold.module.relative_to(root)}, "
        f"then `trustlab refresh {scaffold.stem}` and `make test`"
    )
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    site = (Path(args.site) if args.site else config.REPORTS_DIR).resolve()
    try:
        sites.check_publish_destination(Path(args.dest), site)
        with sites.locked(site):  # no build moves a report while the site is copied
            dest = report.publish(site, Path(args.dest))
    except (FileNotFoundError, ValueError) as exc:
        print(f"trustlab: error: {exc}", file=sys.stderr)
        return 2
    print(f"published {site} -> {dest} (open {dest / 'index.html'})")
    return 0


DEBUG_HELP = "on an unexpected error, show the Python traceback (default: a one-line message)"


class _CommandParser(argparse.ArgumentParser):
    """The parser of one command: every command takes --debug too, after its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``trustlab`` command."""
    from trustlab import __version__

    parser = argparse.ArgumentParser(prog="trustlab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"trustlab {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_CommandParser)

    run = sub.add_parser("run", help="execute one notebook with parameters into a report folder")
    run.add_argument("notebook", help="notebook name (00_source_facts), file or path")
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="set a parameter; VALUE is parsed by the declared type (it may start with '-': -p x -inf)",
    )
    run.add_argument("-f", "--file", action="append", help="YAML file of parameters (may repeat)")
    run.add_argument("--scenario", help="named scenario from notebooks/params/NAME.SCENARIO.yaml")
    run.add_argument("--out", help="output folder (default reports/runs/NAME-<parameter hash>)")
    run.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="whole-notebook timeout, s")
    run.add_argument(
        "--no-fork-server",
        dest="fork_server",
        action="store_false",
        help="start the run and its kernel as new interpreters instead of forking them from one "
        "that imports the libraries while the parameters are checked",
    )
    run.add_argument("--json", action="store_true", help="print one JSON record of the run instead of a table")
    pdf.add_arguments(run)
    run.set_defaults(func=cmd_run)

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
    build.set_defaults(func=cmd_build)

    refresh = sub.add_parser("refresh", help="re-execute the committed notebooks in place (outputs of the default run)")
    refresh.add_argument("notebooks", nargs="*", help="only these notebooks (default: all)")
    refresh.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="whole-notebook timeout, s")
    refresh.set_defaults(func=cmd_refresh)

    sw = sub.add_parser("sweep", help="run one notebook over a grid of parameters and tabulate the results")
    sw.add_argument("notebook", help="notebook name (00_source_facts), file or path")
    sw.add_argument("--grid", required=True, help="YAML file with 'grid', 'points' and/or 'fixed'")
    sw.add_argument("--out", help="output folder (default reports/sweeps/NOTEBOOK-GRID)")
    sw.add_argument("--fast", action="store_true", help="evaluate the notebook's analysis function, no kernels")
    sw.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a local cluster)")
    sw.add_argument(
        "--scheduler-timeout",
        type=_positive_seconds,
        default=sweep.SCHEDULER_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="how long to wait for --scheduler to answer and a worker to join before refusing (default: %(default)g)",
    )
    sw.add_argument("--jobs", "-j", type=int, default=None, help="local workers or processes (default: cores)")
    sw.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="per-notebook timeout, s")
    sw.add_argument("--json", action="store_true", help="print one JSON record of the sweep instead of a line")
    sw.set_defaults(func=cmd_sweep)

    diff = sub.add_parser("diff", help="show the parameters and recorded results that differ between two runs")
    diff.add_argument("run_a", help="a run folder or its results.json")
    diff.add_argument("run_b", help="the run folder or results.json to compare it with")
    diff.add_argument("--json", action="store_true", help="print one JSON record instead of a table")
    diff.set_defaults(func=cmd_diff)

    pub = sub.add_parser("publish", help="write a self-contained copy of the report site")
    pub.add_argument("dest", help="folder to write: new, empty, or a copy trustlab published before (replaced whole)")
    pub.add_argument("--site", help="report site to copy (default reports/)")
    pub.set_defaults(func=cmd_publish)

    status = sub.add_parser("status", help="say which reports are stale and why (the inputs that changed)")
    status.add_argument("notebooks", nargs="*", help="only these notebooks (default: all)")
    status.add_argument("--scenario", help="the named scenario's reports instead of the defaults")
    status.add_argument("--out", help="reports folder (default reports/)")
    status.add_argument("--json", action="store_true", help="print one JSON record instead of a table")
    status.set_defaults(func=cmd_status)

    nw = sub.add_parser(
        "new",
        help="scaffold a new question: numbered notebook, contract, smoke scenario, "
        "analysis module and test, and execute it once",
    )
    nw.add_argument(
        "name",
        help="the question's module name: lower-case letters, digits and '_' "
        "(notebooks/NN_NAME.py, lib/trustlab/NAME.py); never one that exists",
    )
    nw.add_argument("--question", required=True, help="the question the notebook answers (its first lines)")
    nw.add_argument(
        "--no-execute",
        dest="execute",
        action="store_false",
        help="do not execute the new notebook; its committed .ipynb then has no outputs until `trustlab refresh NN_NAME`",
    )
    nw.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="whole-notebook timeout, s")
    nw.set_defaults(func=cmd_new)

    show = sub.add_parser("params", help="print a notebook's parameters: type, default, range, help")
    show.add_argument("notebook", help="notebook name (00_source_facts), file or path")
    show.add_argument("--json", action="store_true", help="print one JSON record instead of a table")
    show.add_argument(
        "--cell", action="store_true", help="print the notebook's papermill parameters cell as its contract declares it"
    )
    show.set_defaults(func=cmd_params)

    from trustlab.runner import serve

    serve.add_parser(sub)
    return parser


def _notebook_names(**_: object) -> list[str]:
    return [source.stem for source in runs.notebooks()]


def _complete_notebook_names(parser: argparse.ArgumentParser) -> None:
    """Let shell completion offer the collection's notebook names wherever a notebook is asked for."""
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for sub in action.choices.values():
            for argument in sub._actions:
                if argument.dest in {"notebook", "notebooks"}:
                    argument.completer = _notebook_names


def _stop_on_sigterm(signum, frame) -> None:
    # Turned into KeyboardInterrupt so that runs clean up their staging folders and kernels.
    raise KeyboardInterrupt


def _take_parameter_pairs(argv: list[str]) -> tuple[list[str], list[list[str]]]:
    """Take every ``-p NAME VALUE`` of a ``run`` out of ``argv`` before argparse sees it, so that a
    VALUE starting with '-' (``-inf``, ``-1e3``, ``-x``) is a value and not taken for an option.
    Returns the remaining arguments and the pairs, in order; anything after ``--`` is left alone."""
    command_at = next((i for i, arg in enumerate(argv) if not arg.startswith("-")), None)
    if command_at is None or argv[command_at] != "run":
        return argv, []
    rest, pairs = list(argv[: command_at + 1]), []
    i = command_at + 1
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        is_parameter = arg == "-p" or (len(arg) >= 3 and "--parameter".startswith(arg))
        if is_parameter and i + 2 < len(argv):
            pairs.append([argv[i + 1], argv[i + 2]])
            i += 3
            continue
        rest.append(arg)
        i += 1
    return rest, pairs


def _unexpected(exc: BaseException, debug: bool) -> int:
    """Report an error trustlab did not foresee: a message and a one-line summary, and the
    traceback only with --debug. Exit code 2."""
    import traceback

    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        message = f"{exc.strerror}{where}"
    else:
        message = str(exc) or type(exc).__name__
    print(f"trustlab: error: {message}", file=sys.stderr)
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {Path(frame.filename).name}:{frame.lineno} in {frame.name}" if frame else ""
    hint = "" if debug else "; run again with --debug for the traceback"
    print(f"trustlab: unexpected {type(exc).__name__}{at}{hint}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``trustlab`` command; returns the exit code.

    A refused input (:class:`trustlab.runner.params.ParameterError`, which includes refused places)
    prints its message and exits 2; so does any other error, with a one-line summary, and its
    traceback only under ``--debug``. Ctrl-C or SIGTERM exits 130.
    """
    import signal

    argv = list(sys.argv[1:] if argv is None else argv)
    argv, pairs = _take_parameter_pairs(argv)
    parser = build_parser()
    _complete_notebook_names(parser)
    import argcomplete

    argcomplete.autocomplete(parser)  # answers shell completion requests, and returns otherwise
    args = parser.parse_args(argv)
    if pairs:
        args.parameter = (args.parameter or []) + pairs
    debug = bool(getattr(args, "debug", False))
    # Ctrl-C stops the command even when it was started with SIGINT ignored (a background job of
    # a script, nohup, cron), which it would otherwise inherit; SIGTERM stops it the same way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return args.func(args)
    except params.ParameterError as exc:
        print(f"trustlab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trustlab: interrupted; no report was half-written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of stdout went away (`trustlab params X --json | head`)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, not a traceback
        return _unexpected(exc, debug)


if __name__ == "__main__":
    sys.exit(main())
