"""The ``trustlab`` Jupyter kernel: ipykernel, without its plain-TCP warning when every socket is on loopback.

ipykernel warns on every start that it "is running over TCP without encryption". The kernels that
Jupyter (papermill, nbval, JupyterLab) starts from the ``trustlab`` kernelspec bind to 127.0.0.1:
their traffic never leaves the machine, reading it takes root on the machine, and each message
is signed with the key of a connection file only its owner can read, so no other user can send
code to it. For such a kernel the warning says nothing actionable and lands in every run's log;
it is dropped. A kernel told to listen on any other address keeps the warning.

``python -m trustlab.kernel -f CONNECTION_FILE`` is the kernelspec's command
(``scripts/post_install.py`` registers it); the fork server's kernels use
:func:`quiet_loopback_tcp_warning` directly.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from pathlib import Path
from typing import Any

TCP_WARNING = "Kernel is running over TCP without encryption"


def _on_loopback(ip: str) -> bool:
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


class LoopbackTcpWarningFilter(logging.Filter):
    """Drop ipykernel's plain-TCP warning while ``app`` (an ``IPKernelApp``) listens on a loopback address only."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith(TCP_WARNING):
            return True
        return not (getattr(self.app, "transport", "tcp") == "tcp" and _on_loopback(str(getattr(self.app, "ip", ""))))


def quiet_loopback_tcp_warning(app: Any) -> None:
    """Install :class:`LoopbackTcpWarningFilter` on the kernel application's logger (before ``initialize``)."""
    app.log.addFilter(LoopbackTcpWarningFilter(app))


def main(argv: list[str] | None = None) -> None:
    """Start an IPython kernel as ``python -m ipykernel_launcher`` does, with the filter installed."""
    # As ipykernel_launcher: the launching directory is not importable while the kernel loads.
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    quiet_loopback_tcp_warning(app)
    app.initialize(argv)
    app.start()


if __name__ == "__main__":
    main()
