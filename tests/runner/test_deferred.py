"""trustlab.runner.deferred: rfc3987_syntax's grammars are compiled only when something uses them,
and whatever uses them gets the same answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("rfc3987_syntax")

CHECKS = """
import json, sys
from jsonschema import FormatChecker
loaded_at_import = "lark" in sys.modules
checker = FormatChecker()
cases = ["http://例子.测试/路径?q=1", "not an iri", "a b", "//host/path", "mailto:x@example.org"]
answers = {f: [checker.conforms(c, f) for c in cases] for f in ("iri", "iri-reference", "uri")}
import rfc3987_syntax
direct = rfc3987_syntax.is_valid_syntax("iri", cases[0])
in_place = "Stand-in" not in (sys.modules["rfc3987_syntax"].__doc__ or "")
print(json.dumps({"loaded_at_import": loaded_at_import, "answers": answers, "direct": direct, "real_module_in_place": in_place}))
"""


def _run(prelude: str, without: str = "") -> dict:
    env = {**os.environ, "TRUSTLAB_BENCH_WITHOUT": without}
    proc = subprocess.run([sys.executable, "-c", prelude + CHECKS], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_jsonschema_imports_without_compiling_the_grammars_and_answers_as_before():
    deferred = _run("from trustlab.runner.deferred import defer_rfc3987_syntax\ndefer_rfc3987_syntax()\n")
    plain = _run("")
    assert deferred["loaded_at_import"] is False and plain["loaded_at_import"] is True
    assert deferred["answers"] == plain["answers"]
    assert deferred["direct"] == plain["direct"] is True
    assert deferred["real_module_in_place"], "the first use did not put the real module in place"


def test_nothing_is_deferred_once_the_module_is_imported():
    import rfc3987_syntax
    from trustlab.runner.deferred import defer_rfc3987_syntax

    defer_rfc3987_syntax()
    assert sys.modules["rfc3987_syntax"] is rfc3987_syntax


def test_the_benchmarks_can_leave_the_stand_in_out():
    left_out = _run(
        "from trustlab.runner.deferred import defer_rfc3987_syntax\ndefer_rfc3987_syntax()\n", without="preload,deferred"
    )
    assert left_out["loaded_at_import"] is True
