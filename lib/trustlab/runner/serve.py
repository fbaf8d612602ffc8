"""``trustlab serve``: the explorer, a local web application (Starlette on uvicorn).

Pages: the notebooks with their questions and answers and the site's runs (``/``); a form per
notebook generated from its parameter contract (``/notebooks/NAME``); a run, whose address holds
its parameters and reproduces it (``/notebooks/NAME/run?x=2.5``): progress, then the report and
its comparison with the default run; a sweep (``/notebooks/NAME/sweep``); the report site itself
(``/site/``). A JSON API: ``GET /api/notebooks``, ``POST /api/runs``, ``GET /api/runs/ID``,
``GET /api/sweeps/ID``, ``GET /api/status``. Values are read exactly as ``trustlab run -p NAME
VALUE`` reads them, and refused with its message before any kernel starts. Runs and sweeps start
only from a POST (a form's button, or the API); a GET of their address shows them when they are
made, else the form to start them. The handlers are in :mod:`~trustlab.runner.serve_routes`.

Safe by default: it binds 127.0.0.1 and then answers only requests addressed to a loopback name
(no DNS rebinding); a ``--host`` beyond loopback requires a token (one is made and printed if none
is given), and with a token every request must carry it (``?token=``, the header
``Authorization: token T``, or the cookie the first page sets). A POST from another site's page
is refused, and so is a body over :data:`MAX_BODY_BYTES` (the guard in front of every route:
:class:`~trustlab.runner.serve_guard.RequestGuard`).
"""

from __future__ import annotations

from typing import Any

from trustlab.runner import report
from trustlab.runner.explorer import Explorer
from trustlab.runner.params import ParameterError
from trustlab.runner.serve_guard import MAX_BODY_BYTES, RequestGuard, check_access, host_name, is_loopback

__all__ = ["MAX_BODY_BYTES", "check_access", "create_app", "host_name", "is_loopback"]


def create_app(explorer: Explorer, *, token: str | None = None, loopback_only: bool = True) -> Any:
    """The Starlette application of an explorer (the caller closes the explorer): the routes of
    :mod:`~trustlab.runner.serve_routes`, which read ``explorer`` and the templates from the
    application's ``state``, behind the :class:`~trustlab.runner.serve_guard.RequestGuard`."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware

    from trustlab.runner import serve_routes

    app = Starlette(
        routes=serve_routes.routes(explorer.site),
        middleware=[Middleware(RequestGuard, token=token, loopback_only=loopback_only)],
        exception_handlers={ParameterError: serve_routes.on_parameter_error},
    )
    app.state.explorer = explorer
    app.state.templates = report.templates()
    return app
