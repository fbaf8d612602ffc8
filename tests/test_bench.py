"""The benchmarks' records (bench/record.py): `python -m bench --dry-run` writes a well-formed record under
bench/results/<date>-<what>.json without overwriting an earlier one, a record reads back as the table of
docs/benchmarks.md, and the tables in docs are those of the record they name. Nothing here is timed."""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys

import pytest
from trustlab import config

ROOT = config.PROJECT_ROOT
sys.path.insert(0, str(ROOT))  # bench/ is a folder of the project, not part of the installed package
from bench import machinery, record  # noqa: E402


def _dry_run(results, *only: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench", "--dry-run", "--only", ",".join(only), "--results", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_dry_run_writes_a_record_of_the_machine_python_commit_and_each_benchmark(tmp_path):
    proc = _dry_run(tmp_path, "warm", "machinery")
    assert proc.returncode == 0, proc.stderr
    [path] = tmp_path.iterdir()
    written = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == f"{written['started_utc'][:10]}-warm-machinery.json"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", written["started_utc"])
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert written["commit"] == head and isinstance(written["dirty"], bool)
    assert written["python"] == platform.python_version()
    assert written["machine"]["cores"] >= 1 and written["machine"]["memory_gib"] > 0
    assert list(written["benchmarks"]) == ["warm", "machinery"]
    for result in written["benchmarks"].values():
        assert {"description", "medians", "ratios", "targets"} <= set(result)
    # every variant's build and run command, the leaving out said in the environment
    commands = written["benchmarks"]["machinery"]["commands"]
    assert len(commands) == 2 * len(machinery.VARIANTS)
    assert sum("--no-fork-server" in c for c in commands) == 4
    assert sum(c.startswith("TRUSTLAB_BENCH_WITHOUT=preload ") for c in commands) == 2
    assert str(path) in proc.stdout


def test_a_second_record_of_the_same_day_does_not_overwrite_the_first(tmp_path):
    assert _dry_run(tmp_path, "warm").returncode == 0
    [first] = tmp_path.iterdir()
    text = first.read_text(encoding="utf-8")
    assert _dry_run(tmp_path, "warm").returncode == 0
    assert {p.name for p in tmp_path.iterdir()} == {first.name, first.name.replace(".json", "-2.json")}
    assert first.read_text(encoding="utf-8") == text


def test_an_unknown_benchmark_is_refused_naming_it(tmp_path):
    proc = _dry_run(tmp_path, "warm", "colde")
    assert proc.returncode == 2 and "colde" in proc.stderr
    assert not list(tmp_path.iterdir())


def test_the_table_has_a_row_per_median_and_ratio_with_its_target():
    made = {
        "format": record.FORMAT,
        "benchmarks": {
            "warm": {"medians": {"build s": 0.123}, "ratios": {}, "targets": {"build s": {"at most": 1.0}}},
            "cold": {"medians": {"a s": 12.0}, "ratios": {"a / b": 1.5}, "targets": {"a / b": {"at least": 1.7}}},
        },
    }
    assert record.table(made).splitlines() == [
        "| benchmark | measured | median | target | met |",
        "|---|---|---|---|---|",
        "| warm | build s | 0.12 s | ≤ 1 s | yes |",
        "| cold | a s | 12.00 s |  |  |",
        "| cold | a / b | 1.50x | ≥ 1.7x | **no** |",
    ]


def test_a_benchmark_in_several_records_is_shown_from_the_last():
    earlier = {"benchmarks": {"warm": {"medians": {"build s": 3.0}}, "cold": {"medians": {"a s": 1.0}}}}
    later = {"benchmarks": {"warm": {"medians": {"build s": 0.25}}}}
    assert record.table(earlier, later).splitlines()[2:] == ["| warm | build s | 0.25 s |  |  |", "| cold | a s | 1.00 s |  |  |"]


def test_a_file_that_is_not_a_record_is_refused_naming_it(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"benchmarks": {}}')
    with pytest.raises(ValueError, match=re.escape(str(path))):
        record.read(path)


@pytest.mark.parametrize("page", ["docs/benchmarks.md", "docs/architecture.md"])
def test_the_tables_in_the_docs_are_those_of_the_records_they_name(page):
    found = record.blocks((ROOT / page).read_text(encoding="utf-8"))
    assert found, f"{page} has no table generated from a record"
    for kind, names, block in found:
        written = [record.read(ROOT / name) for name in names]
        expected = record.render(kind, written, {"costs": machinery.costs_table})  # the table is tested by hand above
        assert block == expected, f"{page}: rewrite its tables with python -m bench --docs {' '.join(names)}"


def test_refreshing_a_page_rewrites_only_its_tables(tmp_path, monkeypatch):
    made = {"format": record.FORMAT, "benchmarks": {"warm": {"medians": {"build s": 0.5}, "ratios": {}, "targets": {}}}}
    monkeypatch.setattr(record.config, "PROJECT_ROOT", tmp_path)
    (tmp_path / "r.json").write_text(json.dumps(made))
    page = tmp_path / "page.md"
    page.write_text("Before.\n<!-- bench:warm old.json -->\n| stale |\n<!-- /bench -->\nAfter.\n")
    record.refresh_page(page, [tmp_path / "r.json"], {})
    assert page.read_text() == (
        "Before.\n<!-- bench:warm r.json -->\n"
        "| benchmark | measured | median | target | met |\n|---|---|---|---|---|\n| warm | build s | 0.50 s |  |  |\n"
        "<!-- /bench -->\nAfter.\n"
    )


def test_the_costs_counted_match_a_count_by_hand():
    # deferred.py's lines counted by another route: its newline characters; its tests: the lines starting "def test_"
    found = machinery.costs()
    source = (ROOT / "lib/trustlab/runner/deferred.py").read_bytes()
    tests = (ROOT / "tests/runner/test_deferred.py").read_text(encoding="utf-8").splitlines()
    assert found["deferred"]["code lines"] == source.count(b"\n")
    assert found["deferred"]["test functions"] == len([line for line in tests if line.startswith("def test_")])
    assert found["fork server"]["code lines"] > len((ROOT / "lib/trustlab/runner/forkserver.py").read_text().splitlines())


def test_every_notebook_has_a_changed_parameter_for_the_explorer_and_run_benchmarks():
    # the notebooks listed by another route than the runner's: the jupytext sources in notebooks/
    from trustlab.runner.notebook import Notebook

    from bench.__main__ import CHANGED_RUN
    from bench.explorer import CHANGES

    stems = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert sorted(CHANGES) == stems and sorted(CHANGED_RUN) == stems
    for stem in stems:
        notebook = Notebook.load(stem)
        defaults = notebook.resolve()
        name, value = CHANGES[stem]
        for round_ in range(10):  # each round a value of its own, never the default (that run is made before the clock)
            assert notebook.resolve(cli={name: value(round_)})[name] != defaults[name], (stem, round_)
        assert len({value(round_) for round_ in range(10)}) == 10
        name, text = CHANGED_RUN[stem]
        assert notebook.resolve(cli={name: text})[name] != defaults[name], stem
