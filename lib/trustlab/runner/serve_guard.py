"""The explorer's request guard (``trustlab serve``): who may ask, and what it reads.

Bound to loopback, the server answers only requests addressed to a loopback name (no DNS rebinding);
with a token, every request must carry it (``?token=``, the header ``Authorization: token T``, or
the cookie the first page sets). A request other than GET, HEAD or OPTIONS from another site's page
is refused, as Jupyter Server refuses it, so a page elsewhere cannot start runs; and so is a body
over :data:`MAX_BODY_BYTES`. Starlette is imported only when a request arrives, so that the command
line's ``--help`` does not pay for it.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from trustlab.runner.params import ParameterError

TOKEN_COOKIE = "trustlab_token"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
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
    """ASGI middleware in front of every route. In turn: bound to loopback (``loopback_only``), a
    request addressed to another host name gets 403; with a ``token``, a request without it gets
    403 (and one carrying it in the query gets the cookie that carries it from then on); a request
    other than GET, HEAD or OPTIONS from another site's page (:func:`cross_site`) gets 403; a body
    over ``max_body`` bytes gets 413, by its Content-Length before any of it is read, else as soon
    as the bytes that arrive pass the limit."""

    def __init__(self, app: Any, token: str | None = None, loopback_only: bool = True, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only
        self.max_body = max_body

    def why_refused(self, request: Any) -> tuple[str, int] | None:
        """The message and status refusing ``request`` before its body is read, or None."""
        host = host_name(request.headers.get("host") or "")
        if self.loopback_only and not is_loopback(host):
            return f"this server answers only requests to a loopback address, not {host!r}", 403
        if self.token is not None:
            header = request.headers.get("authorization", "")
            given = (
                request.query_params.get("token")
                or header.removeprefix("token ").removeprefix("Bearer ").strip()
                or request.cookies.get(TOKEN_COOKIE, "")
            )
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                return "a valid token is required (?token=..., or the header 'Authorization: token ...')", 403
        why = cross_site(request) if request.method not in SAFE_METHODS else None
        if why is not None:
            return f"cross-site request refused ({why}): runs and sweeps start only from this server's own pages", 403
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return self.too_large, 413
        return None

    @property
    def too_large(self) -> str:
        return f"the request body is over {self.max_body:,} bytes ({self.max_body // 1024} KiB), the most this server reads"

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        from starlette.requests import Request

        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        refusal = self.why_refused(request)
        if refusal is not None:
            return await refused(request, *refusal)(scope, receive, send)
        set_cookie = self.token is not None and bool(request.query_params.get("token"))
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
            if message["type"] == "http.response.start":
                started = True
                if set_cookie:
                    cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                    message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await refused(request, self.too_large, 413)(scope, receive, watched_send)
