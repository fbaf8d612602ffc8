"""The error an analysis raises for a parameter value it cannot work with.

It lives outside :mod:`trustlab.runner` so that analysis modules can raise it without importing
the runner; the runner reports it (exit code 2, the message naming the parameter) before any
kernel starts.
"""


class ParameterError(ValueError):
    """A parameter value, name or file was rejected. The message names the parameter and what was expected."""

    parameter: str | None = None  # the parameter the message is about, when it is about one
