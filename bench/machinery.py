"""What the runner's machinery buys, and what it costs.

Three pieces make a run start faster than a new interpreter would: the fork server
(``trustlab.runner.forkserver``: one process imports the libraries once and forks each run and its
kernel), preload (``trustlab.runner.preload``: the server also imports what the notebooks import, read
from their code) and the jsonschema stand-in (``trustlab.runner.deferred``: jsonschema's IRI grammars
compiled only when used). Each is left out in turn: the fork server by ``--no-fork-server``, the other
two by the internal ``TRUSTLAB_BENCH_WITHOUT`` variable (docs/architecture.md). A cold ``trustlab build``
of every notebook into a fresh site and a single changed-parameter ``trustlab run`` are timed for each
variant, the variants alternated round by round; the ratios are taken round by round against the
runner as shipped. The cost of each piece is counted from the code: its lines and its tests.
"""

from __future__ import annotations

import ast
import os
import statistics
import sys
from pathlib import Path
from typing import Any

from trustlab import config

from bench.explorer import CHANGES, WarmExplorer
from bench.timing import alternate, paired_ratio, timed_with_cpu

BIN = Path(sys.executable).parent
RUN = ("03_pricing_positioning", "promo_price", "499")  # the "what if the promo price were 499?"

# variant -> (command-line options, pieces named in TRUSTLAB_BENCH_WITHOUT)
VARIANTS: dict[str, tuple[list[str], str]] = {
    "as shipped": ([], ""),
    "without the fork server": (["--no-fork-server"], ""),
    "without preload": ([], "preload"),
    "without deferred": ([], "deferred"),
    "without all three": (["--no-fork-server"], "deferred"),
}

# What each piece is, in the code and in the tests: whole files, or functions found by name in the runner.
PIECES: dict[str, dict[str, list[str]]] = {
    "fork server": {
        "files": ["lib/trustlab/runner/forkserver.py"],
        "functions": [  # the forked run's kernel (execute), starting the server (executors), forking (processes)
            "fork_kernel",
            "_listening",
            "_serve_kernel",
            "redo_kernel_dependent_defaults",
            "_reap",
            "forked_kernel_manager",
            "start_fork_server",
            "fork_server_executor",
            "fork",
            "die_with_parent",
        ],
        "tests": ["tests/runner/test_forkserver.py", "tests/runner/fixtures/kernel_state/91_kernel_state.py"],
    },
    "preload": {"files": ["lib/trustlab/runner/preload.py"], "functions": [], "tests": ["tests/runner/test_preload.py"]},
    "deferred": {"files": ["lib/trustlab/runner/deferred.py"], "functions": [], "tests": ["tests/runner/test_deferred.py"]},
}


def _function_lines(name: str) -> int:
    """Lines of the runner's function ``name`` (or of its public spelling, once it has lost its underscore)."""
    for path in sorted((config.PACKAGE_DIR / "runner").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in (name, name.lstrip("_")):
                assert node.end_lineno is not None
                return node.end_lineno - node.lineno + 1
    raise LookupError(f"bench/machinery.py PIECES names {name}, which no module of lib/trustlab/runner defines any more")


def costs() -> dict[str, dict[str, int]]:
    """Per piece present in the code: lines of code, lines of its tests, and its test functions."""
    found: dict[str, dict[str, int]] = {}
    root = config.PROJECT_ROOT
    for piece, where in PIECES.items():
        if not all((root / f).is_file() for f in where["files"]):
            continue  # removed
        code = sum(len((root / f).read_text(encoding="utf-8").splitlines()) for f in where["files"])
        code += sum(_function_lines(name) for name in where["functions"])
        tests = [(root / f).read_text(encoding="utf-8") for f in where["tests"] if (root / f).is_file()]
        found[piece] = {
            "code lines": code,
            "test lines": sum(len(t.splitlines()) for t in tests),
            "test functions": sum(t.count("\ndef test_") for t in tests),
        }
    return found


def _command(what: str, tmp: Path, variant: str, i: int) -> list[str]:
    options, _ = VARIANTS[variant]
    out = tmp / f"{what}-{variant}-{i}".replace(" ", "-")
    if what == "cold build":
        return [str(BIN / "trustlab"), "build", "--force", *options, "--out", str(out)]
    notebook, name, value = RUN
    return [str(BIN / "trustlab"), "run", notebook, "-p", name, value, *options, "--out", str(out)]


def _environment(variant: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRUSTLAB_BENCH_WITHOUT"}
    if VARIANTS[variant][1]:
        env["TRUSTLAB_BENCH_WITHOUT"] = VARIANTS[variant][1]
    return env


def commands(tmp: Path) -> list[str]:
    """The commands one round runs (for ``--dry-run``)."""
    return [
        " ".join(([f"TRUSTLAB_BENCH_WITHOUT={VARIANTS[v][1]}"] if VARIANTS[v][1] else []) + _command(what, tmp, v, 0))
        for what in ("cold build", "run")
        for v in VARIANTS
    ]


def bench_machinery(tmp: Path, rounds: int) -> dict[str, Any]:
    """Cold build and single run with each variant, alternated; medians, paired ratios, samples, costs."""
    medians: dict[str, float] = {}
    ratios: dict[str, float] = {}
    samples: dict[str, list[list[float]]] = {}
    for what in ("cold build", "run"):
        label = what if what == "cold build" else f"run {RUN[0]} {RUN[1]}={RUN[2]}"
        measured = alternate(
            {v: (lambda i, v=v: timed_with_cpu(_command(what, tmp, v, i), env=_environment(v))) for v in VARIANTS}, rounds
        )
        for variant, pairs in measured.items():
            medians[f"{label}, {variant}, wall s"] = statistics.median(w for w, _ in pairs)
            medians[f"{label}, {variant}, CPU s"] = statistics.median(c for _, c in pairs)
            samples[f"{label}, {variant}"] = [[round(w, 3), round(c, 3)] for w, c in pairs]
            if variant != "as shipped":
                ratios[f"{label}: {variant} / as shipped, wall"] = paired_ratio(measured, variant, "as shipped")
                ratios[f"{label}: {variant} / as shipped, CPU"] = paired_ratio(measured, variant, "as shipped", cpu=True)
    return {
        "description": __doc__.split("\n\n")[1].replace("\n", " "),
        "rounds": rounds,
        "medians": medians,
        "ratios": ratios,
        "targets": {},
        "samples [wall s, CPU s]": samples,
        "costs": costs(),
    }


# variant -> (TRUSTLAB_BENCH_WITHOUT, fork server): deferred changes only the server's start, paid once
EXPLORER_VARIANTS = {"as shipped": ("", True), "without preload": ("preload", True), "without the fork server": ("", False)}


def bench_machinery_serve(tmp: Path, rounds: int) -> dict[str, Any]:
    """The explorer's request (one changed parameter, workers warm) with preload or the fork server left out:
    one warm explorer per variant, their requests alternated notebook by notebook, round by round."""
    explorers: dict[str, WarmExplorer] = {}
    try:
        for variant, (without, fork_server) in EXPLORER_VARIANTS.items():
            explorers[variant] = WarmExplorer(tmp / f"serve-{variant}".replace(" ", "-"), without, fork_server)
        medians: dict[str, float] = {}
        ratios: dict[str, float] = {}
        samples: dict[str, Any] = {}
        for notebook in CHANGES:
            measured = alternate({v: (lambda i, v=v: explorers[v].request(notebook, i)) for v in explorers}, rounds)
            for variant, pairs in measured.items():
                medians[f"{notebook} request, {variant}, wall s"] = statistics.median(w for w, _ in pairs)
                medians[f"{notebook} request, {variant}, CPU s"] = statistics.median(c for _, c in pairs)
                if variant != "as shipped":
                    ratios[f"{notebook} request: {variant} / as shipped, wall"] = paired_ratio(measured, variant, "as shipped")
                    ratios[f"{notebook} request: {variant} / as shipped, CPU"] = paired_ratio(
                        measured, variant, "as shipped", cpu=True
                    )
            samples[notebook] = measured
    finally:
        for warm in explorers.values():
            warm.close()
    return {
        "description": "the explorer's request for each notebook (one changed parameter, workers warm) as shipped, "
        "without preload and without the fork server, alternated",
        "rounds": rounds,
        "medians": medians,
        "ratios": ratios,
        "targets": {},
        "samples [wall s, CPU s]": samples,
    }


def costs_table(*records: dict[str, Any]) -> str:
    """The costs of the machinery in the records (the last one with the machinery benchmark), as a Markdown table."""
    found = [r["benchmarks"]["machinery"]["costs"] for r in records if "machinery" in r["benchmarks"]][-1]
    rows = ["| piece | code lines | test lines | test functions |", "|---|---|---|---|"]
    rows += [f"| {piece} | {c['code lines']} | {c['test lines']} | {c['test functions']} |" for piece, c in found.items()]
    return "\n".join(rows) + "\n"
