"""Timing commands from outside: wall and CPU seconds of a whole process, and commands alternated in rounds."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable


def timed_with_cpu(cmd: list[str], env: dict[str, str] | None = None, **kwargs) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, with the children it waited for) of a command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, **kwargs)
    assert proc.stderr is not None
    errors = proc.stderr.read()  # read before waiting: a full pipe would block the command
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise subprocess.CalledProcessError(code, cmd, stderr=errors)
    return wall, usage.ru_utime + usage.ru_stime


def alternate(variants: dict[str, Callable[[int], tuple[float, float]]], rounds: int) -> dict[str, list[tuple[float, float]]]:
    """Run each variant once per round, in an order that rotates each round (A B C, B C A, ...), so that
    the machine's drift weighs on all alike. ``variants[name](round)`` returns (wall, CPU) seconds."""
    names = list(variants)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for i in range(rounds):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            samples[name].append(variants[name](i))
    return samples


def paired_ratio(samples: dict[str, list[tuple[float, float]]], slower: str, faster: str, cpu: bool = False) -> float:
    """Median over rounds of ``slower / faster`` taken round by round (wall, or CPU with ``cpu``)."""
    k = 1 if cpu else 0
    return statistics.median(a[k] / b[k] for a, b in zip(samples[slower], samples[faster], strict=True))
