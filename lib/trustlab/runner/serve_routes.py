"""The explorer's routes (``trustlab serve``): one Starlette endpoint per page and API call.

Each handler reads the :class:`~trustlab.runner.explorer.Explorer` and the Jinja2 templates from
``request.app.state`` (set by :func:`trustlab.runner.serve.create_app`); the guard in front of them
is :class:`trustlab.runner.serve_guard.RequestGuard`. Runs and sweeps start only from a POST; a GET
of their address shows them when they are made, else the form to start them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from trustlab import results
from trustlab.runner import explorer_sweep, folders, report, serve_views, sites
from trustlab.runner.explorer import DONE, Explorer, Job, comparison, parameter_text
from trustlab.runner.params import ParameterError
from trustlab.runner.serve_guard import refused

RESERVED = {"token"}  # query names that are never parameters
SWEEP_FIELDS = {"vary", "start", "stop", "steps"}  # the sweep form's own fields, beside the parameters


def explorer_of(request: Request) -> Explorer:
    """The explorer the application serves."""
    return request.app.state.explorer


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``templates/serve/TEMPLATE.html.j2`` rendered with ``context``."""
    rendered = request.app.state.templates.get_template(f"serve/{template}.html.j2").render(**context)
    return HTMLResponse(rendered, status_code=status_code)


def parameters_query(values: dict[str, Any]) -> str:
    """The query string of resolved values, read back by ``resolve`` as the same values."""
    return urlencode({name: parameter_text(value) for name, value in values.items()})


def texts_of(request: Request, leave_out: set[str] = RESERVED) -> dict[str, str]:
    """The query's parameter texts."""
    return {k: v for k, v in request.query_params.items() if k not in leave_out}


async def posted(request: Request) -> dict[str, str]:
    """The fields of a form posted by a page (``application/x-www-form-urlencoded``)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v for k, v in parse_qsl(body, keep_blank_values=True) if k not in RESERVED}


def run_url(job: Job) -> str:
    """The run's address: it holds every parameter and reproduces the run."""
    return f"/notebooks/{job.name}/run?{parameters_query(job.parameters)}"


def changed_parameters(job: Job) -> dict[str, Any]:
    """The run's parameters that differ from the notebook's defaults, with their defaults."""
    if job.changed is None:  # once per run: it reads the notebook's contract
        job.changed = job.notebook.changed_from_defaults(job.parameters)
    return job.changed


def run_record(explorer: Explorer, job: Job, baseline: Job | None = None) -> dict[str, Any]:
    """The JSON record of a run (``GET /api/runs/ID``), compared with ``baseline`` when both are made."""
    report_href = f"/site/{job.out_dir.relative_to(explorer.site).as_posix()}/{job.name}.html" if job.ok else None
    failed = explorer.failed_page(job) if job.status == "failed" else None
    record = {
        "run_id": job.run_id,
        "notebook": job.name,
        "status": job.status,
        "results": results.to_jsonable(job.results) if job.status in DONE else None,
        "report_url": report_href,
        "run_url": run_url(job),
        "parameters": results.to_jsonable(job.parameters),
        "changed_parameters": results.to_jsonable(changed_parameters(job)),
        "queue_position": explorer.position(job),
        "seconds": round(job.seconds, 2),
        "progress": serve_views.cell_progress(job),  # {"cell": N, "of": M} while running
        "elapsed_seconds": serve_views.elapsed_seconds(job),
        "error": job.error or None,
        "failed_page": f"/site/{failed.relative_to(explorer.site).as_posix()}" if failed else None,
    }
    if baseline is not None and job.record is not None and baseline.record is not None:
        record["comparison"] = comparison(baseline.record, job.record, job.notebook.result_groups())
    return record


def start(explorer: Explorer, name: str, texts: dict[str, str], typed: dict[str, Any]) -> tuple[Job, Job]:
    """Start the run (or find it made) and the default run to compare it with."""
    notebook, resolved = explorer.resolve(name, texts, typed)  # refused here, before any kernel starts
    return explorer.submit(notebook, resolved), explorer.baseline(notebook)


def made(explorer: Explorer, name: str, texts: dict[str, str]) -> tuple[Job, Job | None] | None:
    """The run made or going with these values and the default run if made; None if not made. Starts nothing."""
    notebook, resolved = explorer.resolve(name, texts)  # refused here too
    job = explorer.lookup(notebook, resolved)
    return None if job is None else (job, explorer.made_baseline(notebook))


async def settle(*jobs: Job | explorer_sweep.SweepJob, seconds: float) -> None:
    """Wait up to ``seconds`` for the jobs to finish (a quick one is shown at once, without a progress page)."""
    for _ in range(int(seconds / 0.05)):
        if all(job.done.is_set() for job in jobs):
            return
        await asyncio.sleep(0.05)


def home(request: Request) -> Response:
    """``/``: the notebooks with their questions and answers, the site's runs and sweeps."""
    explorer = explorer_of(request)
    notebooks = [{"name": name, **explorer.about(name)} for name in explorer.notebooks]
    held = []
    for run in report.collect_runs(explorer.site):
        rec = run["record"]
        name = str(rec.get("notebook"))
        explore = (
            f"/notebooks/{name}/run?{parameters_query(rec.get('parameters') or {})}"
            if name in explorer.notebooks and run["kind"] in ("run", "default")
            else None
        )
        held.append(
            {
                "notebook": name,
                "kind": run["kind"],
                "status": rec["provenance"].get("status", "ok"),
                "changed": ", ".join(
                    f"{k}={parameter_text(v)}"
                    for k, v in (rec.get("parameters") or {}).items()
                    if k in (rec.get("changed_parameters") or {})
                ),
                "started": rec["provenance"].get("started", ""),
                "html": run["html"],
                "explore": explore,
            }
        )
    return page(
        request,
        "home",
        notebooks=notebooks,
        runs=held,
        site=str(explorer.site),
        workers=explorer.workers,
        sweeps=[f"{rel}/sweep.csv" for rel in sites.recorded_sweeps(explorer.site)],
    )


def form(
    request: Request, name: str, texts: dict[str, str], error: str = "", status_code: int = 200, unmade: bool = False
) -> Response:
    """The notebook's form, filled in with ``texts``, with the refusal ``error`` if any."""
    explorer = explorer_of(request)
    return page(
        request,
        "notebook",
        status_code,
        name=name,
        about=explorer.about(name),
        error=error,
        groups=serve_views.field_groups(explorer.notebook(name), texts),
        unmade=unmade,
        past_runs=serve_views.past_runs(explorer, name),
    )


async def label_run(request: Request) -> Response:
    """``POST /notebooks/NAME/label`` (``folder``, ``label``): give one of the notebook's past runs a
    label, kept in the site's manifest; a refused label is shown in the form, naming the field."""
    explorer = explorer_of(request)
    name = request.path_params["name"]
    explorer.source(name)
    fields = await posted(request)
    folder, label = fields.get("folder", ""), fields.get("label", "")
    if folder not in {run["folder"] for run in serve_views.past_runs(explorer, name)}:
        return refused(request, f"folder: no run {folder!r} of notebook {name} in this site", 404)
    try:
        with folders.locked(explorer.site):
            sites.set_run_label(explorer.site, folder, label)
    except ParameterError as exc:
        return await run_in_threadpool(form, request, name, {}, str(exc), 400)
    return RedirectResponse(f"/notebooks/{name}#past-heading", status_code=303)


def notebook_form(request: Request) -> Response:
    """``/notebooks/NAME``: the form generated from the notebook's contract."""
    name = request.path_params["name"]
    explorer_of(request).source(name)
    return form(request, name, texts_of(request))


async def notebook_run(request: Request) -> Response:
    """``/notebooks/NAME/run``. A GET starts nothing: it shows the run made or going with these
    parameters, else the form to start it (a POST, :func:`start_run`)."""
    name = request.path_params["name"]
    if request.method == "POST":
        return await start_run(request, name)
    texts = texts_of(request)
    try:
        found = await run_in_threadpool(made, explorer_of(request), name, texts)
    except ParameterError as exc:  # refused in the form, with the command line's message
        return await run_in_threadpool(form, request, name, texts, str(exc), 400)
    if found is None:  # not made yet: the form, filled in, whose button starts it
        return await run_in_threadpool(form, request, name, texts, "", 200, True)
    return await run_in_threadpool(run_page, request, name, *found)


async def start_run(request: Request, name: str) -> Response:
    """The form's button: start the run (or find it made), then show it at its address."""
    texts = await posted(request)
    try:
        job, baseline = await run_in_threadpool(start, explorer_of(request), name, texts, {})
    except ParameterError as exc:  # refused in the form, with the command line's message; no kernel started
        return await run_in_threadpool(form, request, name, texts, str(exc), 400)
    await settle(job, baseline, seconds=1.0)  # a cached or quick run is shown at once, without a progress page
    return RedirectResponse(run_url(job), status_code=303)


def run_page(request: Request, name: str, job: Job, baseline: Job | None) -> Response:
    """A run: its progress while pending, then its report and its comparison with the default run."""
    explorer = explorer_of(request)
    pending = not job.done.is_set() or (baseline is not None and not baseline.done.is_set())
    record = run_record(explorer, job, baseline)
    failed = explorer.failed_page(job) if job.status == "failed" else None
    return page(
        request,
        "run",
        name=name,
        about=explorer.about(name),
        job=job,
        baseline=baseline,
        pending=pending,
        progress=record["progress"],
        elapsed=record["elapsed_seconds"],
        position=explorer.position(job),
        workers=explorer.workers,
        rows=record.get("comparison"),
        result_groups=serve_views.result_sections(record.get("comparison") or []),
        figures=serve_views.figure_pairs(baseline, job) if record.get("comparison") else [],
        report_href=record["report_url"],
        run_url=record["run_url"],
        short_link=f"{request.base_url}runs/{job.run_id}",
        query=parameters_query(job.parameters),
        texts={k: parameter_text(v) for k, v in job.parameters.items()},
        failed_page=failed.relative_to(explorer.site).as_posix() if failed else None,
    )


def run_figure(request: Request) -> Response:
    """``/runs/ID/figures/N.png``: the Nth figure (from 1) of a finished run's report, as PNG."""
    import base64

    job = explorer_of(request).job(request.path_params["run_id"])
    shown = serve_views.figures(job) if job is not None and job.ok else []
    number = request.path_params["number"]
    if not 1 <= number <= len(shown):
        return refused(request, f"no figure {number} in run {request.path_params['run_id']!r}", 404)
    return Response(base64.b64decode(shown[number - 1]["png"]), media_type="image/png")


def run_permalink(request: Request) -> Response:
    """``/runs/ID``: the run's short address, redirected to its full one."""
    job = explorer_of(request).job(request.path_params["run_id"])
    if job is None:
        return refused(request, f"no run {request.path_params['run_id']!r} in this site", 404)
    return RedirectResponse(run_url(job), status_code=303)


async def sweep_page(request: Request) -> Response:
    """``/notebooks/NAME/sweep``. POST (the form's button) starts the sweep, then shows it at its
    address; GET starts nothing: it shows the sweep made or going with these values, else the form to start it."""
    explorer = explorer_of(request)
    name = request.path_params["name"]
    notebook = explorer.notebook(name)
    q = await posted(request) if request.method == "POST" else texts_of(request)
    base = {k: v for k, v in q.items() if k not in RESERVED | SWEEP_FIELDS}
    choices = explorer_sweep.sweepable(explorer, name)
    vary = q.get("vary", choices[0] if choices else "")
    declared = notebook.parameters
    default = declared[vary].default if vary in declared else None
    start = q.get("start", parameter_text(default / 2 if isinstance(default, (int, float)) and default else 0))
    stop = q.get("stop", parameter_text(default * 2 if isinstance(default, (int, float)) and default else 1))
    fast = notebook.fast is not None
    context = {
        "name": name,
        "about": explorer.about(name),
        "sweepable": choices,
        "vary": vary,
        "start": start,
        "stop": stop,
        "steps": q.get("steps", "5"),
        "base": base,
        "job": None,
        "error": "",
        "unmade": False,
        "mode_note": "This notebook has a fast path: points are computed by its analysis function, without kernels."
        if fast
        else "Each point is one notebook run (cached like any run).",
    }
    if "vary" not in q:
        return page(request, "sweep", **context)
    asked = (explorer, name, base, vary, start, stop, context["steps"])
    try:  # a POST (the form's button) starts the sweep; a GET only checks the values
        planned = await run_in_threadpool(
            explorer_sweep.start_sweep if request.method == "POST" else explorer_sweep.plan_sweep, *asked
        )
    except ParameterError as exc:
        return page(request, "sweep", 400, **{**context, "error": str(exc)})
    if request.method == "POST":
        await settle(planned, seconds=2.0)
        address = urlencode({"vary": vary, "start": start, "stop": stop, "steps": context["steps"], **base})
        return RedirectResponse(f"/notebooks/{name}/sweep?{address}", status_code=303)
    job = explorer.sweeps.get(planned.sweep_id)  # the sweep made or going with these values
    if job is None:
        return page(request, "sweep", **{**context, "unmade": True})
    table = None
    if job.table is not None:
        table = {
            "columns": list(job.table.columns),
            "rows": [
                [report.format_number(v) if isinstance(v, float) else v for v in row] for row in job.table.itertuples(index=False)
            ],
        }
    shown = {"job": job, "svg": explorer_sweep.plot_svg(job) if job.done.is_set() else "", "table": table}
    return page(request, "sweep", **{**context, **shown, "csv_url": f"/api/sweeps/{job.sweep_id}.csv"})


def api_notebooks(request: Request) -> Response:
    """``GET /api/notebooks``: every notebook with its question, answer and parameter contract."""
    explorer = explorer_of(request)
    out = []
    for name in explorer.notebooks:
        declared = explorer.notebook(name).parameters
        out.append(
            {
                "notebook": name,
                **explorer.about(name),
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type_name,
                        "default": results.to_jsonable(p.default),
                        "range": p.describe_range() or None,
                        "constraints": results.to_jsonable(dict(p.constraints)),
                        "help": p.help or None,
                    }
                    for p in declared.values()
                ],
            }
        )
    return JSONResponse({"notebooks": out})


async def api_submit(request: Request) -> Response:
    """``POST /api/runs``: start a run from ``{"notebook": NAME, "parameters": {...}}``; wait for it unless ``?wait=false``."""
    explorer = explorer_of(request)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return refused(request, "POST /api/runs takes a JSON body (Content-Type: application/json)", 415)
    try:
        body = await request.json()
    except ValueError as exc:
        return refused(request, f"the body is not valid JSON: {exc}")
    except RecursionError:
        return refused(request, "the body is not valid JSON: nested too deeply to read")
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("notebook"), str)
        or not isinstance(body.get("parameters", {}), dict)
    ):
        return refused(request, 'expected {"notebook": NAME, "parameters": {NAME: VALUE, ...}}')
    if body["notebook"] not in explorer.notebooks:
        return refused(request, f"unknown notebook {body['notebook']!r}; known notebooks: {', '.join(explorer.notebooks)}", 404)
    given = body.get("parameters") or {}
    try:  # strings as the command line reads -p values, other JSON values as typed values
        job, baseline = await run_in_threadpool(
            start,
            explorer,
            body["notebook"],
            {k: v for k, v in given.items() if isinstance(v, str)},
            {k: v for k, v in given.items() if not isinstance(v, str)},
        )
    except ParameterError as exc:
        return refused(request, str(exc))
    if request.query_params.get("wait", "true").lower() not in ("false", "0", "no"):
        while not (job.done.is_set() and baseline.done.is_set()):
            await asyncio.sleep(0.05)
    record = await run_in_threadpool(run_record, explorer, job, baseline)
    return JSONResponse(record, status_code=200 if job.done.is_set() else 202)


def api_run(request: Request) -> Response:
    """``GET /api/runs/ID``: the run's record; compared with the default run only if that is made (a GET starts nothing)."""
    explorer = explorer_of(request)
    job = explorer.job(request.path_params["run_id"])
    if job is None:
        return refused(request, f"no run {request.path_params['run_id']!r} in this site", 404)
    baseline = explorer.made_baseline(job.notebook) if job.done.is_set() else None
    return JSONResponse(run_record(explorer, job, baseline))


def api_sweep(request: Request) -> Response:
    """``GET /api/sweeps/ID``: the sweep's record."""
    job = explorer_of(request).sweeps.get(request.path_params["sweep_id"])
    if job is None:
        return refused(request, f"no sweep {request.path_params['sweep_id']!r}", 404)
    return JSONResponse(explorer_sweep.record(job))


def api_sweep_csv(request: Request) -> Response:
    """``GET /api/sweeps/ID.csv``: the finished sweep's table."""
    job = explorer_of(request).sweeps.get(request.path_params["sweep_id"])
    if job is None or job.table is None:
        return refused(request, f"no finished sweep {request.path_params['sweep_id']!r}", 404)
    return Response(
        job.table.to_csv(index=False),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{job.sweep_id}.csv"'},
    )


def api_status(request: Request) -> Response:
    """``GET /api/status``: the explorer's workers, queue and fork server."""
    return JSONResponse(explorer_of(request).status())


async def on_parameter_error(request: Request, exc: Exception) -> Response:
    """A refused notebook name or value raised in a handler: 404 for an unknown notebook, else 400."""
    return refused(request, str(exc), 404 if "unknown notebook" in str(exc) else 400)


def routes(site: Path) -> list[BaseRoute]:
    """Every route of the explorer, and the report site ``site`` under ``/site``."""
    return [
        Route("/", home),
        Route("/notebooks/{name}", notebook_form),
        Route("/notebooks/{name}/run", notebook_run, methods=["GET", "POST"]),
        Route("/notebooks/{name}/label", label_run, methods=["POST"]),
        Route("/notebooks/{name}/sweep", sweep_page, methods=["GET", "POST"]),
        Route("/runs/{run_id}", run_permalink),
        Route("/runs/{run_id}/figures/{number:int}.png", run_figure),
        Route("/api/notebooks", api_notebooks),
        Route("/api/runs", api_submit, methods=["POST"]),
        Route("/api/runs/{run_id}", api_run),
        Route("/api/sweeps/{sweep_id}.csv", api_sweep_csv),
        Route("/api/sweeps/{sweep_id}", api_sweep),
        Route("/api/status", api_status),
        Mount("/site", app=StaticFiles(directory=str(site), html=True)),
    ]
