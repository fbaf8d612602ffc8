"""trustlab.kernel drops ipykernel's plain-TCP warning only while the kernel listens on loopback."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from trustlab.kernel import TCP_WARNING, LoopbackTcpWarningFilter

WARNING_TEXT = TCP_WARNING + ". All communication (including code and outputs) is sent in plain text"


def _passes(app: SimpleNamespace, message: str) -> bool:
    record = logging.LogRecord("IPKernelApp", logging.WARNING, __file__, 1, message, None, None)
    return LoopbackTcpWarningFilter(app).filter(record)


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_the_warning_is_dropped_on_loopback(ip):
    assert _passes(SimpleNamespace(transport="tcp", ip=ip), WARNING_TEXT) is False


@pytest.mark.parametrize("ip", ["0.0.0.0", "10.1.2.3", "192.168.0.7", "::", "example.org", ""])
def test_the_warning_stays_on_any_other_address(ip):
    assert _passes(SimpleNamespace(transport="tcp", ip=ip), WARNING_TEXT) is True


def test_other_messages_pass_on_loopback():
    app = SimpleNamespace(transport="tcp", ip="127.0.0.1")
    assert _passes(app, "Starting the kernel at pid: 12") is True
    assert _passes(app, "Kernel is running over IPC") is True


def test_the_address_is_read_when_the_message_is_logged():
    """The kernel reads its address from the connection file after the filter is installed."""
    app = SimpleNamespace(transport="tcp", ip="")
    kept = LoopbackTcpWarningFilter(app)
    app.ip = "127.0.0.1"
    record = logging.LogRecord("IPKernelApp", logging.WARNING, __file__, 1, WARNING_TEXT, None, None)
    assert kept.filter(record) is False
