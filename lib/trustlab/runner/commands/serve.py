"""``trustlab serve``: the explorer (:mod:`trustlab.runner.serve`), served until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from trustlab import config
from trustlab.errors import ParameterError
from trustlab.runner import runs
from trustlab.runner.explorer import Explorer
from trustlab.runner.serve import check_access, create_app, is_loopback


def add_parser(sub: Any) -> None:
    """Register ``trustlab serve`` with the command line's subcommands."""
    serve = sub.add_parser(
        "serve",
        help="start the explorer: a local web app to run notebooks with new parameters, "
        "compare them with the default run and sweep a parameter",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine "
        "only); any other needs a token, made and printed if --token is not given",
    )
    serve.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765; 0 picks a free one)")
    serve.add_argument(
        "--token",
        default=None,
        help="require this token on every request (?token=, the header "
        "'Authorization: token T', or the cookie the first page sets)",
    )
    serve.add_argument("--workers", type=int, default=2, help="notebook runs at a time (default 2); more submissions queue")
    serve.add_argument("--out", help="report site the runs are written into (default reports/)")
    serve.add_argument("--timeout", type=float, default=runs.DEFAULT_TIMEOUT_SECONDS, help="whole-notebook timeout of a run, s")
    serve.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Start the explorer and serve until Ctrl-C or SIGTERM; then stop every run, kernel and the fork server."""
    import socket

    import uvicorn

    if args.workers < 1:
        raise ParameterError(f"--workers: expected at least 1, got {args.workers}")
    token = check_access(args.host, args.token)
    site = (Path(args.out) if args.out else config.REPORTS_DIR).resolve()
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
        # Listening before the address is printed: a client that connects at once waits in the
        # backlog until the server accepts, instead of being refused.
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ParameterError(f"--host {args.host} --port {args.port}: cannot listen there: {exc.strerror}") from None
    explorer = Explorer(site, runs.notebooks(), workers=args.workers, timeout=args.timeout)
    try:
        explorer.update_index()
        app = create_app(explorer, token=token, loopback_only=is_loopback(args.host))
        port = sock.getsockname()[1]
        shown = socket.gethostname() if args.host in ("0.0.0.0", "::") else args.host
        shown = f"[{shown}]" if ":" in shown else shown
        url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
        print(
            f"trustlab serve: {len(explorer.notebooks)} notebook(s), {args.workers} warm worker(s), site {site}", file=sys.stderr
        )
        print(f"trustlab serve: open {url}", flush=True)
        threading.Thread(target=say_when_warm, args=(explorer,), daemon=True).start()
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn stops on Ctrl-C or SIGTERM, then raises the signal again
            pass
    finally:
        explorer.close()
        sock.close()
    print("trustlab serve: stopped; no run, kernel or fork server is left", file=sys.stderr)
    return 0


def say_when_warm(explorer: Explorer) -> None:
    """Say on stderr when the explorer's fork server has imported the libraries (or that it could not start)."""
    import time

    t0 = time.perf_counter()
    try:
        explorer.warm_up()
    except Exception as exc:  # noqa: BLE001 - runs then start as new interpreters; say so
        print(f"trustlab serve: the fork server did not start ({exc}); each run starts a new interpreter", file=sys.stderr)
    else:
        print(f"trustlab serve: workers warm (libraries imported in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
