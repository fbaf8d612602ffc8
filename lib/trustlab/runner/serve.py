"""``trustlab serve``: the explorer, a local web application (Starlette on uvicorn).

Pages: the notebooks with their questions and answers and the site's runs (``/``); a form per
notebook generated from its parameter contract (``/notebooks/NAME``); a run, whose address holds
its parameters and reproduces it (``/notebooks/NAME/run?x=2.5``): progress, then the report and
its comparison with the default run; a sweep (``/notebooks/NAME/sweep``); the report site itself
(``/site/``). A JSON API: ``GET /api/notebooks``, ``POST /api/runs``, ``GET /api/runs/ID``,
``GET /api/sweeps/ID``, ``GET /api/status``. Values are read exactly as ``trustlab run -p NAME
VALUE`` reads them, and refused with its message before any kernel starts. Runs and sweeps start
only from a POST (a form's button, or the API); a GET of their address shows them when they are
made, else the form to start them.

Safe by default: it binds 127.0.0.1 and then answers only requests addressed to a loopback name
(no DNS rebinding); a ``--host`` beyond loopback requires a token (one is made and printed if none
is given), and with a token every request must carry it (``?token=``, the header
``Authorization: token T``, or the cookie the first page sets). A POST from another site's page
is refused (:class:`RequestGuard`), and so is a body over :data:`MAX_BODY_BYTES`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode

from trustlab import results
from trustlab.runner import explorer_sweep, params, report
from trustlab.runner.explorer import DONE, Explorer, Job, comparison, parameter_text
from trustlab.runner.params import ParameterError

TOKEN_COOKIE = "trustlab_token"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
RESERVED = {"token"}  # query names that are never parameters
MAX_BODY_BYTES = 256 * 1024  # the largest request body read: parameters take a few hundred bytes; room for long lists
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")  # reads: they start nothing


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host name of a Host header, without its port (``[::1]:8765`` -> ``[::1]``)."""
    if header.startswith("["):
        return header.split("]")[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def check_access(host: str, token: str | None) -> str | None:
    """The token the server will require: ``token`` as given; a new one for a host beyond
    loopback given none; refused (:class:`ParameterError`) for such a host with an empty one."""
    if is_loopback(host):
        return token or None
    if token == "":
        raise ParameterError(f"--host {host}: a server reachable from the network needs a token; --token '' is refused")
    return token or secrets.token_urlsafe(24)


def refused(request: Any, message: str, status_code: int = 400) -> Any:
    """The answer refusing a request: ``{"error": message}`` for the API, plain text for a page."""
    from starlette.responses import JSONResponse, PlainTextResponse

    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status_code)
    return PlainTextResponse(f"trustlab: error: {message}\n", status_code=status_code)


def cross_site(request: Any) -> str | None:
    """Why a request comes from another site's page, or None: its ``Origin`` is not this server's
    own, or ``Sec-Fetch-Site`` is neither ``same-origin`` nor ``none`` (a client that is not a
    browser sends neither header)."""
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() != own:
        return f"Origin {origin} is not this server's {own}"
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site is {fetch_site}"
    return None


class BodyTooLarge(Exception):
    """A request body grew past the limit while it was read."""


class RequestGuard:
    """ASGI middleware: a request other than GET, HEAD or OPTIONS from another site's page
    (:func:`cross_site`) gets 403, as Jupyter Server refuses it, so a page elsewhere cannot start
    runs; a body over ``max_body`` bytes gets 413, by its Content-Length before any of it is read,
    else as soon as the bytes that arrive pass the limit."""

    def __init__(self, app: Any, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        from starlette.requests import Request

        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        why = cross_site(request) if request.method not in SAFE_METHODS else None
        if why is not None:
            message = f"cross-site request refused ({why}): runs and sweeps start only from this server's own pages"
            return await refused(request, message, 403)(scope, receive, send)
        too_large = f"the request body is over {self.max_body:,} bytes ({self.max_body // 1024} KiB), the most this server reads"
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return await refused(request, too_large, 413)(scope, receive, send)
        received, started = 0, False

        async def counted_receive() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b"")) if message["type"] == "http.request" else 0
            if received > self.max_body:
                raise BodyTooLarge
            return message

        async def watched_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await refused(request, too_large, 413)(scope, receive, send)


def _query(values: dict[str, Any]) -> str:
    return urlencode({name: parameter_text(value) for name, value in values.items()})


def fields(declared: dict[str, params.Parameter], texts: dict[str, str]) -> list[dict[str, Any]]:
    """The form's fields, from the contract: type, range or choices, default and help, and the value to show."""
    out = []
    for p in declared.values():
        default = parameter_text(p.default)
        value = texts.get(p.name, default)
        choices = [parameter_text(c) for c in p.constraints.get("choices", [])] or (
            ["true", "false"] if p.type_name == "bool" else []
        )
        out.append(
            {
                "name": p.name,
                "type": p.type_name,
                "range": p.describe_range(),
                "default": default,
                "help": p.help,
                "value": value,
                "choices": choices,
                "changed": value != default,
            }
        )
    return out


def create_app(explorer: Explorer, *, token: str | None = None, loopback_only: bool = True):
    """The Starlette application of an explorer (the caller closes the explorer)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    templates = report.templates()

    def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(templates.get_template(f"serve/{template}.html.j2").render(**context), status_code=status_code)

    def texts_of(request: Request, leave_out: set[str] = RESERVED) -> dict[str, str]:
        return {k: v for k, v in request.query_params.items() if k not in leave_out}

    async def posted(request: Request) -> dict[str, str]:
        """The fields of a form posted by a page (``application/x-www-form-urlencoded``)."""
        body = (await request.body()).decode("utf-8", errors="replace")
        return {k: v for k, v in parse_qsl(body, keep_blank_values=True) if k not in RESERVED}

    def run_url(job: Job) -> str:
        return f"/notebooks/{job.name}/run?{_query(job.parameters)}"

    def run_record(job: Job, baseline: Job | None = None) -> dict[str, Any]:
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
            "error": job.error or None,
            "failed_page": f"/site/{failed.relative_to(explorer.site).as_posix()}" if failed else None,
        }
        if baseline is not None and job.record is not None and baseline.record is not None:
            record["comparison"] = comparison(baseline.record, job.record)
        return record

    def changed_parameters(job: Job) -> dict[str, Any]:
        if job.changed is None:  # once per run: it reads the notebook's contract
            job.changed = job.notebook.changed_from_defaults(job.parameters)
        return job.changed

    def start(name: str, texts: dict[str, str], typed: dict[str, Any]) -> tuple[Job, Job]:
        notebook, resolved = explorer.resolve(name, texts, typed)  # refused here, before any kernel starts
        return explorer.submit(notebook, resolved), explorer.baseline(notebook)

    def made(name: str, texts: dict[str, str]) -> tuple[Job, Job | None] | None:
        notebook, resolved = explorer.resolve(name, texts)  # refused here too
        job = explorer.lookup(notebook, resolved)
        return None if job is None else (job, explorer.made_baseline(notebook))

    async def settle(*jobs: Job | explorer_sweep.SweepJob, seconds: float) -> None:
        for _ in range(int(seconds / 0.05)):
            if all(job.done.is_set() for job in jobs):
                return
            await asyncio.sleep(0.05)

    def home(request: Request) -> Response:
        notebooks = [{"name": name, **explorer.about(name)} for name in explorer.notebooks]
        held = []
        for run in report.collect_runs(explorer.site):
            rec = run["record"]
            name = str(rec.get("notebook"))
            explore = (
                f"/notebooks/{name}/run?{_query(rec.get('parameters') or {})}"
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
        from trustlab.runner import sites

        return page(
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
        declared = explorer.notebook(name).parameters
        return page(
            "notebook",
            status_code,
            name=name,
            about=explorer.about(name),
            error=error,
            fields=fields(declared, texts),
            unmade=unmade,
        )

    def notebook_form(request: Request) -> Response:
        name = request.path_params["name"]
        explorer.source(name)
        return form(request, name, texts_of(request))

    async def notebook_run(request: Request) -> Response:
        """A GET starts nothing: it shows the run made or going with these parameters, else the
        form to start it (a POST, :func:`start_run`)."""
        name = request.path_params["name"]
        if request.method == "POST":
            return await start_run(request, name)
        texts = texts_of(request)
        try:
            found = await run_in_threadpool(made, name, texts)
        except ParameterError as exc:  # refused in the form, with the command line's message
            return await run_in_threadpool(form, request, name, texts, str(exc), 400)
        if found is None:  # not made yet: the form, filled in, whose button starts it
            return await run_in_threadpool(form, request, name, texts, "", 200, True)
        return await run_in_threadpool(run_page, name, *found)

    async def start_run(request: Request, name: str) -> Response:
        """The form's button: start the run (or find it made), then show it at its address."""
        texts = await posted(request)
        try:
            job, baseline = await run_in_threadpool(start, name, texts, {})
        except ParameterError as exc:  # refused in the form, with the command line's message; no kernel started
            return await run_in_threadpool(form, request, name, texts, str(exc), 400)
        await settle(job, baseline, seconds=1.0)  # a cached or quick run is shown at once, without a progress page
        return RedirectResponse(run_url(job), status_code=303)

    def run_page(name: str, job: Job, baseline: Job | None) -> Response:
        pending = not job.done.is_set() or (baseline is not None and not baseline.done.is_set())
        record = run_record(job, baseline)
        failed = explorer.failed_page(job) if job.status == "failed" else None
        return page(
            "run",
            name=name,
            about=explorer.about(name),
            job=job,
            baseline=baseline,
            pending=pending,
            position=explorer.position(job),
            workers=explorer.workers,
            rows=record.get("comparison"),
            report_href=record["report_url"],
            run_url=record["run_url"],
            query=_query(job.parameters),
            texts={k: parameter_text(v) for k, v in job.parameters.items()},
            failed_page=failed.relative_to(explorer.site).as_posix() if failed else None,
        )

    def run_permalink(request: Request) -> Response:
        job = explorer.job(request.path_params["run_id"])
        if job is None:
            return refused(request, f"no run {request.path_params['run_id']!r} in this site", 404)
        return RedirectResponse(run_url(job), status_code=303)

    async def sweep_page(request: Request) -> Response:
        """POST (the form's button) starts the sweep, then shows it at its address; GET starts
        nothing: it shows the sweep made or going with these values, else the form to start it."""
        name = request.path_params["name"]
        explorer.source(name)
        reserved = RESERVED | {"vary", "start", "stop", "steps"}
        q = await posted(request) if request.method == "POST" else texts_of(request)
        base = {k: v for k, v in q.items() if k not in reserved}
        choices = explorer_sweep.sweepable(explorer, name)
        vary = q.get("vary", choices[0] if choices else "")
        declared = explorer.notebook(name).parameters
        default = declared[vary].default if vary in declared else None
        start = q.get("start", parameter_text(default / 2 if isinstance(default, (int, float)) and default else 0))
        stop = q.get("stop", parameter_text(default * 2 if isinstance(default, (int, float)) and default else 1))
        fast = explorer.notebook(name).fast is not None
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
            return page("sweep", **context)
        asked = (explorer, name, base, vary, start, stop, context["steps"])
        try:  # a POST (the form's button) starts the sweep; a GET only checks the values
            planned = await run_in_threadpool(
                explorer_sweep.start_sweep if request.method == "POST" else explorer_sweep.plan_sweep, *asked
            )
        except ParameterError as exc:
            return page("sweep", 400, **{**context, "error": str(exc)})
        if request.method == "POST":
            await settle(planned, seconds=2.0)
            address = urlencode({"vary": vary, "start": start, "stop": stop, "steps": context["steps"], **base})
            return RedirectResponse(f"/notebooks/{name}/sweep?{address}", status_code=303)
        job = explorer.sweeps.get(planned.sweep_id)  # the sweep made or going with these values
        if job is None:
            return page("sweep", **{**context, "unmade": True})
        table = None
        if job.table is not None:
            table = {
                "columns": list(job.table.columns),
                "rows": [
                    [report.format_number(v) if isinstance(v, float) else v for v in row]
                    for row in job.table.itertuples(index=False)
                ],
            }
        return page(
            "sweep",
            **{
                **context,
                "job": job,
                "svg": explorer_sweep.plot_svg(job) if job.done.is_set() else "",
                "table": table,
                "csv_url": f"/api/sweeps/{job.sweep_id}.csv",
            },
        )

    def api_notebooks(request: Request) -> Response:
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
            return refused(
                request, f"unknown notebook {body['notebook']!r}; known notebooks: {', '.join(explorer.notebooks)}", 404
            )
        given = body.get("parameters") or {}
        try:  # strings as the command line reads -p values, other JSON values as typed values
            job, baseline = await run_in_threadpool(
                start,
                body["notebook"],
                {k: v for k, v in given.items() if isinstance(v, str)},
                {k: v for k, v in given.items() if not isinstance(v, str)},
            )
        except ParameterError as exc:
            return refused(request, str(exc))
        if request.query_params.get("wait", "true").lower() not in ("false", "0", "no"):
            while not (job.done.is_set() and baseline.done.is_set()):
                await asyncio.sleep(0.05)
        record = await run_in_threadpool(run_record, job, baseline)
        return JSONResponse(record, status_code=200 if job.done.is_set() else 202)

    def api_run(request: Request) -> Response:
        job = explorer.job(request.path_params["run_id"])
        if job is None:
            return refused(request, f"no run {request.path_params['run_id']!r} in this site", 404)
        baseline = explorer.made_baseline(job.notebook) if job.done.is_set() else None  # a GET starts nothing
        return JSONResponse(run_record(job, baseline))

    def api_sweep(request: Request) -> Response:
        job = explorer.sweeps.get(request.path_params["sweep_id"])
        if job is None:
            return refused(request, f"no sweep {request.path_params['sweep_id']!r}", 404)
        return JSONResponse(explorer_sweep.record(job))

    def api_sweep_csv(request: Request) -> Response:
        job = explorer.sweeps.get(request.path_params["sweep_id"])
        if job is None or job.table is None:
            return refused(request, f"no finished sweep {request.path_params['sweep_id']!r}", 404)
        return Response(
            job.table.to_csv(index=False),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{job.sweep_id}.csv"'},
        )

    def api_status(request: Request) -> Response:
        return JSONResponse(explorer.status())

    async def on_parameter_error(request: Request, exc: Exception) -> Response:
        return refused(request, str(exc), 404 if "unknown notebook" in str(exc) else 400)

    class Guard:
        """Refuses requests without the token (when there is one) or, bound to loopback, addressed
        to another host name (DNS rebinding); sets the token cookie when the token came in the query."""

        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return await self.app(scope, receive, send)
            request = Request(scope)
            host = host_name(request.headers.get("host") or "")
            if loopback_only and not is_loopback(host):
                return await refused(request, f"this server answers only requests to a loopback address, not {host!r}", 403)(
                    scope, receive, send
                )
            if token is not None:
                header = request.headers.get("authorization", "")
                given = (
                    request.query_params.get("token")
                    or header.removeprefix("token ").removeprefix("Bearer ").strip()
                    or request.cookies.get(TOKEN_COOKIE, "")
                )
                if not secrets.compare_digest(given.encode(), token.encode()):
                    return await refused(
                        request, "a valid token is required (?token=..., or the header 'Authorization: token ...')", 403
                    )(scope, receive, send)
                if request.query_params.get("token"):

                    async def send_with_cookie(message: dict) -> None:
                        if message["type"] == "http.response.start":
                            cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                            message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
                        await send(message)

                    return await self.app(scope, receive, send_with_cookie)
            return await self.app(scope, receive, send)

    routes = [
        Route("/", home),
        Route("/notebooks/{name}", notebook_form),
        Route("/notebooks/{name}/run", notebook_run, methods=["GET", "POST"]),
        Route("/notebooks/{name}/sweep", sweep_page, methods=["GET", "POST"]),
        Route("/runs/{run_id}", run_permalink),
        Route("/api/notebooks", api_notebooks),
        Route("/api/runs", api_submit, methods=["POST"]),
        Route("/api/runs/{run_id}", api_run),
        Route("/api/sweeps/{sweep_id}.csv", api_sweep_csv),
        Route("/api/sweeps/{sweep_id}", api_sweep),
        Route("/api/status", api_status),
        Mount("/site", app=StaticFiles(directory=str(explorer.site), html=True)),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard), Middleware(RequestGuard)],
        exception_handlers={ParameterError: on_parameter_error},
    )
