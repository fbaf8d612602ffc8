# PYTHON_ARGCOMPLETE_OK
"""The ``trustlab`` command line: run, build, refresh and inspect the notebooks.

Only the top parser, the dispatch and the top-level error handling live here; each command is a
module of :mod:`trustlab.runner.commands` with its ``add_parser`` and ``main``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from trustlab.errors import ParameterError
from trustlab.runner.commands import build, common, diff, new, publish, refresh, run, serve, status, sweep
from trustlab.runner.commands import params as params_command

# See trustlab.runner.execute: skip a 1.5 s grammar build that notebook validation never uses.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None in sys.modules blocks an import

# In the order ``trustlab --help`` lists them.
COMMANDS = (run, build, refresh, sweep, diff, publish, status, new, params_command, serve)


DEBUG_HELP = "on an unexpected error, show the Python traceback (default: a one-line message)"


class _CommandParser(argparse.ArgumentParser):
    """The parser of one command: every command takes --debug too, after its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``trustlab`` command."""
    from trustlab import __version__

    parser = argparse.ArgumentParser(prog="trustlab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"trustlab {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_CommandParser)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def _notebook_names(**_: object) -> list[str]:
    return common.notebook_names()


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
    parser = build_parser()
    _complete_notebook_names(parser)
    import argcomplete

    argcomplete.autocomplete(parser)  # answers shell completion requests, and returns otherwise
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    # Ctrl-C stops the command even when it was started with SIGINT ignored (a background job of
    # a script, nohup, cron), which it would otherwise inherit; SIGTERM stops it the same way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return args.func(args)
    except ParameterError as exc:
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
