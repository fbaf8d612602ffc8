"""The runner: one run, failures, timeouts, the cache key, and incremental builds."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from trustlab import config
from trustlab.runner import params, runs, sites
from trustlab.runner.notebook import Notebook, resolve_run

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DEMO = FIXTURES / "90_demo.py"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A throw-away copy of the project layout: the demo notebook, a data file and a copy of the package."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, notebooks)
    data = tmp_path / "data"
    data.mkdir()
    (data / "numbers.csv").write_text("a,b\n1,2\n")
    package = tmp_path / "pkg"
    shutil.copytree(config.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.setattr(config, "PACKAGE_DIR", package)
    return tmp_path


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.kernel
def test_a_run_writes_notebook_html_and_results(tmp_path):
    out = tmp_path / "out"
    run = resolve_run(DEMO, cli={"x": "4", "label": "007"})
    outcome = runs.run_notebook(run, out)
    assert outcome.status == "ok", outcome.error
    assert sorted(p.name for p in out.iterdir()) == [".trustlab-run.json", "90_demo.html", "90_demo.ipynb", "results.json"]
    assert sites.read_manifest(out, sites.RUN_MANIFEST)["files"] == ["90_demo.html", "90_demo.ipynb", "results.json"]
    record = json.loads((out / "results.json").read_text())
    assert record["notebook"] == "90_demo"
    assert record["parameters"] == {"x": 4.0, "label": "007", "fail": False, "sleep_seconds": 0.0}
    assert record["results"] == {"double": 8.0, "label": "007"}
    prov = record["provenance"]
    assert set(prov) >= {"git_commit", "package_versions", "data_hashes", "started", "seconds"}
    assert prov["package_versions"]["pandas"] != "not installed"
    assert "data/facts.csv" in prov["data_hashes"]
    html = (out / "90_demo.html").read_text()
    assert 'id="trustlab-provenance"' in html and "index.html" not in html  # a run in no site has no index
    assert "<script src=" not in html  # nothing fetched from the network
    assert not list(tmp_path.glob(".out.tmp-*")), "staging folder left behind"


@pytest.mark.kernel
def test_a_failing_run_keeps_the_last_good_report_and_marks_the_failed_cell(tmp_path, forked):
    sites.open_site(tmp_path / "reports")
    out = tmp_path / "reports" / "90_demo"
    assert runs.run_notebook(resolve_run(DEMO), out, runs.RunOptions(executor=forked)).ok
    good = _files(out)
    outcome = runs.run_notebook(resolve_run(DEMO, cli={"fail": "true"}), out, runs.RunOptions(executor=forked))
    assert outcome.status == "failed"
    assert "the demo notebook was asked to fail" in outcome.error
    assert _files(out) == good, "the last good report was touched"
    failed = tmp_path / "reports" / "failed" / "90_demo"
    html = (failed / "90_demo.html").read_text()
    assert 'id="failed-cell"' in html and "RuntimeError" in html
    partial = nbformat.read(failed / "90_demo.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in partial.cells for o in c.get("outputs", []))
    assert json.loads((failed / "results.json").read_text())["provenance"]["status"] == "failed"


@pytest.mark.kernel
def test_the_whole_notebook_timeout_stops_the_run(tmp_path):
    out = tmp_path / "out"
    outcome = runs.run_notebook(resolve_run(DEMO, cli={"sleep_seconds": "60"}), out, runs.RunOptions(timeout=3))
    assert outcome.status == "timeout"
    assert "timeout of 3 s" in outcome.error
    assert not (out / "results.json").exists(), "a timed-out run was moved into place"
    assert json.loads((out / "failed" / "results.json").read_text())["provenance"]["status"] == "timeout"


def test_cache_key_covers_cells_parameters_package_and_data(project):
    notebook = Notebook.load("90_demo")
    source = notebook.source
    resolved = notebook.resolve()
    key = runs.cache_key(notebook, resolved)
    assert runs.cache_key(notebook, dict(resolved)) == key
    assert runs.cache_key(notebook, {**resolved, "x": 2.0}) != key

    data_file = project / "data" / "numbers.csv"
    data_file.write_text("a,b\n1,3\n")
    assert runs.cache_key(notebook, resolved) != key
    key = runs.cache_key(notebook, resolved)

    module = config.PACKAGE_DIR / "prose.py"
    module.write_text(module.read_text() + "\n# edited\n")
    assert runs.cache_key(notebook, resolved) != key
    key = runs.cache_key(notebook, resolved)

    source.write_text(source.read_text().replace("# # Demo notebook", "# # Demo notebook, edited"))
    assert runs.cache_key(notebook, resolved) != key


@pytest.mark.kernel
def test_build_skips_unchanged_runs_and_reruns_after_a_data_change(project):
    planned = runs.plan_build()
    assert [(p.name, p.reason) for p in planned] == [("90_demo", "no previous report")]
    outcomes = runs.build(planned, jobs=2)
    assert [o.status for o in outcomes] == ["ok"]

    planned = runs.plan_build()
    assert planned[0].reason == "up to date"
    assert [o.status for o in runs.build(planned)] == ["cached"]
    assert runs.plan_build(force=True)[0].reason == "forced"

    (project / "data" / "numbers.csv").write_text("a,b\n5,6\n")
    assert runs.plan_build()[0].reason == "inputs changed"


@pytest.mark.kernel
def test_status_says_which_inputs_made_a_report_stale(project):
    from trustlab.runner.commands.status import notebook_status

    source = project / "notebooks" / "90_demo.py"
    site = config.REPORTS_DIR.resolve()
    assert notebook_status(Notebook.load(source), site)["why"] == ["no previous report"]
    runs.build(runs.plan_build(), jobs=1)
    fresh = notebook_status(Notebook.load(source), site)
    assert (fresh["status"], fresh["why"]) == ("up to date", [])

    (project / "data" / "numbers.csv").write_text("a,b\n5,6\n")
    (config.PACKAGE_DIR / "prose.py").write_text("# changed\n", encoding="utf-8")
    stale = notebook_status(Notebook.load(source), site)
    assert stale["status"] == "stale"
    assert stale["why"] == ["data/numbers.csv changed", "trustlab package: 1 file(s) changed (prose.py)"]


@pytest.mark.kernel
def test_status_from_the_command_line_as_json(project, capsys):
    from trustlab.runner import cli

    assert cli.main(["status", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["command"] == "status"
    assert [(n["notebook"], n["status"], n["why"]) for n in record["notebooks"]] == [("90_demo", "stale", ["no previous report"])]


def test_build_rejects_bad_scenario_parameters_before_running(project):
    (project / "notebooks" / "params" / "90_demo.bad.yaml").write_text("x: -5\n")
    with pytest.raises(params.ParameterError, match="parameter 'x': expected > 0"):
        runs.plan_build(scenario="bad")
    assert not (project / "reports").exists()


def test_sanitize_drops_volatile_metadata():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "now"}
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["papermill"] = {"duration": 1.0}
    cell.metadata["execution"] = {"iopub.status.busy": "now"}
    nb.cells = [cell]
    clean = runs.sanitize_notebook(nb)
    assert "papermill" not in clean.metadata
    assert clean.cells[0].metadata == {} and clean.cells[0].id == "cell-000"


@pytest.mark.kernel
def test_a_hostile_string_parameter_stays_inert_and_is_escaped_in_html(tmp_path, forked):
    marker = tmp_path / "pwned"
    value = f"'; import os; os.system('touch {marker}') #<script>alert(1)</script>"
    out = tmp_path / "out"
    outcome = runs.run_notebook(resolve_run(DEMO, cli={"label": value}), out, runs.RunOptions(executor=forked))
    assert outcome.ok, outcome.error
    assert outcome.results["label"] == value
    assert not marker.exists(), "the parameter value was executed"
    html = (out / "90_demo.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_runs_use_one_blas_thread_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    from trustlab.runner._blas import single_thread_environment

    env = single_thread_environment()
    assert env["OMP_NUM_THREADS"] == "1" and env["MKL_NUM_THREADS"] == "1"
    assert env["OPENBLAS_NUM_THREADS"] == "3"


def test_sanitize_makes_styler_ids_and_addresses_stable():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df.style")
    html = '<style>#T_3fa9c_row0_col0 {color: red}</style><table id="T_3fa9c"><td id="T_3fa9c_row0_col0">'
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/html": html, "text/plain": "<Styler at 0x7f67ebb3e090>"}),
        nbformat.v4.new_output("display_data", data={"text/html": '<table id="T_a1b2c">', "text/plain": "T_3fa9c_x"}),
    ]
    nb.cells = [cell]
    clean = runs.sanitize_notebook(nb)
    first, second = clean.cells[0].outputs
    assert first.data["text/html"] == (
        '<style>#T_00001_row0_col0 {color: red}</style><table id="T_00001"><td id="T_00001_row0_col0">'
    )
    assert first.data["text/plain"] == "<Styler at 0x000000>"
    assert second.data["text/html"] == '<table id="T_00002">'
    assert second.data["text/plain"] == "T_00001_x"


def test_a_run_removes_staging_folders_that_killed_processes_left(tmp_path, fake_executor):
    import socket
    import subprocess
    import sys

    out = tmp_path / "reports" / "90_demo"
    out.parent.mkdir(parents=True)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    abandoned = out.parent / f".90_demo.tmp-{host}-{int(gone.stdout)}-abc123"
    live = out.parent / f".90_demo.tmp-{host}-{os.getpid()}-def456"
    elsewhere = out.parent / f".90_demo.tmp-another-host-{int(gone.stdout)}-ghi789"
    other_report = out.parent / f".90_demo_b.tmp-{host}-{int(gone.stdout)}-jkl012"
    for folder in (abandoned, live, elsewhere, other_report):
        (folder / ".work").mkdir(parents=True)
    assert runs.run_notebook(resolve_run(DEMO), out, runs.RunOptions(executor=fake_executor)).ok
    assert not abandoned.exists(), "the killed process's staging folder was left"
    assert live.exists() and elsewhere.exists() and other_report.exists(), "a folder that may be in use was removed"


# ---------------------------------------------------------------- bad input: records, caches, pages

PAGES = Path(__file__).parent / "fixtures" / "report_pages"


def _strict_json(path: Path) -> dict:
    def refuse(constant):
        raise AssertionError(f"{path} is not strict JSON: it holds {constant}")

    return json.loads(path.read_text(), parse_constant=refuse)


@pytest.mark.kernel
def test_non_finite_parameters_and_results_are_written_as_null_with_a_nonfinite_mapping(tmp_path, forked):
    notebooks = tmp_path / "notebooks"
    (notebooks / "params").mkdir(parents=True)
    source = notebooks / "90_demo.py"
    shutil.copy(DEMO, source)
    (notebooks / "params" / "90_demo.schema.yaml").write_text("parameters:\n  x: {gt: 0, allow_nonfinite: true}\n")
    out = tmp_path / "out"
    outcome = runs.run_notebook(resolve_run(source, cli={"x": "inf"}), out, runs.RunOptions(executor=forked))
    assert outcome.ok, outcome.error
    record = _strict_json(out / "results.json")
    assert record["parameters"]["x"] is None and record["results"]["double"] is None
    assert record["nonfinite"] == {"parameters.x": "inf", "results.double": "inf"}

    failed = runs.run_notebook(
        resolve_run(source, cli={"x": "inf", "fail": "true"}),
        out,
        runs.RunOptions(executor=forked),
    )
    assert failed.status == "failed"
    assert _strict_json(out / "failed" / "results.json")["nonfinite"] == {"parameters.x": "inf"}


@pytest.mark.kernel
def test_a_results_json_of_the_wrong_shape_makes_the_report_stale_with_a_warning(project, capsys):
    from trustlab.runner import report

    assert [o.status for o in runs.build(runs.plan_build(), jobs=1)] == ["ok"]
    report.build_index(config.REPORTS_DIR, runs.notebooks())
    results_json = config.REPORTS_DIR / "90_demo" / "results.json"
    wrong_type = '{"parameters": {}, "results": {}, "provenance": {"build_inputs": 3, "cache_key": []}}'
    for bad in ("[]", '{"provenance": []}', '{"parameters": {}, "results": {}, "provenance": "x"}', "{", wrong_type):
        results_json.write_text(bad)
        capsys.readouterr()
        assert [(p.name, p.reason) for p in runs.plan_build()] == [("90_demo", "unreadable results.json")], bad
        assert f"{results_json}: not a run record" in capsys.readouterr().err
        report.build_index(config.REPORTS_DIR, runs.notebooks())  # the index leaves it out, no crash
        assert "90_demo/90_demo.html" not in (config.REPORTS_DIR / "index.html").read_text()
    results_json.write_text('{"parameters": {}, "results": {}, "provenance": {"cache_key": "from other inputs"}}')
    assert runs.plan_build()[0].reason == "inputs changed"
    assert [o.status for o in runs.build(runs.plan_build(), jobs=1)] == ["ok"]
    assert runs.plan_build()[0].reason == "up to date"


@pytest.mark.kernel
def test_an_emptied_or_edited_report_page_is_not_up_to_date(project):
    assert [o.status for o in runs.build(runs.plan_build(), jobs=1)] == ["ok"]
    folder = config.REPORTS_DIR / "90_demo"
    outputs = json.loads((folder / "results.json").read_text())["provenance"]["outputs"]
    assert outputs == {name: provenance_sha(folder / name) for name in ("90_demo.html", "90_demo.ipynb")}
    assert runs.plan_build()[0].reason == "up to date"
    (folder / "90_demo.html").write_text("")
    assert runs.plan_build()[0].reason == "90_demo.html changed since it was built"
    assert [o.status for o in runs.build(runs.plan_build(), jobs=1)] == ["ok"]
    assert (folder / "90_demo.html").stat().st_size > 10_000
    notebook = folder / "90_demo.ipynb"
    notebook.write_text(notebook.read_text().replace("Demo notebook", "Demo notebook, edited by hand"))
    assert runs.plan_build()[0].reason == "90_demo.ipynb changed since it was built"


def provenance_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _page_without_run_time(path: Path) -> bytes:
    """A report page's bytes minus its start time and duration, the one part that may differ
    between two runs with the same inputs (``<span id="trustlab-run-time">``)."""
    import re

    page = path.read_bytes()
    stripped, count = re.subn(rb'<span id="trustlab-run-time">[^<]*</span>', b"", page)
    assert count == 1, "the run time is not where the page is expected to keep it"
    return stripped


@pytest.mark.kernel
@pytest.mark.parametrize("cli", [{}, {"rows": "5"}])
def test_report_pages_are_byte_stable_across_reruns(tmp_path, cli, forked):
    source = PAGES / "92_styled.py"
    pages = []
    # A new interpreter, then a run forked from the fork server (another interpreter, so another
    # hash seed): the page depends on neither.
    for attempt, executor in (("fresh", None), ("forked", forked)):
        out = tmp_path / attempt
        assert runs.run_notebook(resolve_run(source, cli=cli), out, runs.RunOptions(executor=executor)).ok
        pages.append(_page_without_run_time(out / "92_styled.html"))
        assert b"T_00001" in pages[-1] and b"0x000000" in pages[-1]  # the Styler table and the repr are there
    assert pages[0] == pages[1], "two runs with the same inputs gave different report pages"


@pytest.mark.kernel
def test_a_failed_cell_is_numbered_alike_in_the_record_and_the_page(tmp_path, forked):
    source = PAGES / "93_fails_late.py"
    out = tmp_path / "out"
    outcome = runs.run_notebook(resolve_run(source), out, runs.RunOptions(executor=forked))
    assert outcome.status == "failed"
    # The 7th of the notebook's 8 cells (markdown included, papermill's injected cell left out);
    # papermill's execution count for it is 4, and its index in the executed notebook 7.
    assert outcome.error.startswith("cell 7 of 8 failed: ZeroDivisionError"), outcome.error
    assert (out / "failed" / "error.txt").read_text().startswith("cell 7 of 8 failed: ZeroDivisionError")
    assert json.loads((out / "failed" / "results.json").read_text())["provenance"]["failed_cell"] == {"cell": 7, "of": 8}
    page = (out / "failed" / "93_fails_late.html").read_text()
    assert "failed in the next cell (cell 7 of 8)" in page
    assert "An Exception was encountered" not in page  # papermill's notice, numbered by execution count


def test_refresh_refuses_an_unwritable_notebooks_folder_before_any_kernel(project, immutable, monkeypatch):
    started = []
    monkeypatch.setattr(runs, "run_notebook", lambda *a, **k: started.append(a))
    immutable(project / "notebooks")
    with pytest.raises(sites.OwnershipError, match=f"cannot write into {project / 'notebooks'}"):
        runs.refresh()
    assert started == []


# ---------------------------------------------------------------- a second Ctrl-C


def test_a_second_ctrl_c_during_the_clean_up_of_a_stopped_build_does_not_cut_it_short(tmp_path):
    """The first Ctrl-C arrives while a run executes; the build then stops its runs and waits for
    them to clean up. A second Ctrl-C arriving meanwhile must not end the build before its runs have
    cleaned up (no staging folder, no report, the fork server closed)."""
    import signal
    import threading
    import time

    from conftest import FakeExecutor

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("a signal interrupts only the main thread, and this test does not run in it")
    cleaning_up, finished = threading.Event(), threading.Event()

    def ctrl_c_twice(spec: dict) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the first: the build starts stopping its runs, closing its server
        assert cleaning_up.wait(60), "the build did not start its clean-up"
        os.kill(os.getpid(), signal.SIGINT)  # the second, while the build waits for this run
        time.sleep(0.5)  # a clean-up still under way: the build that did not wait has raised by now
        finished.set()

    class Server(FakeExecutor):
        def close(self) -> None:
            super().close()
            cleaning_up.set()

    server = Server(during=ctrl_c_twice)
    out = tmp_path / "reports" / "90_demo"
    run = resolve_run(DEMO)
    planned = runs.PlannedRun(run, out, runs.cache_key(run.notebook, run.values), "forced", site=tmp_path / "reports")
    # Ctrl-C raises KeyboardInterrupt here as in the command (which sets this too): a background
    # job of a script, as pytest may be, inherits SIGINT ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            runs.build([planned], fork_server=server)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert finished.is_set(), "the second Ctrl-C ended the build before its run had cleaned up"
    assert server.closed and not out.exists()
    assert [p.name for p in (tmp_path / "reports").iterdir()] == [sites.SITE_MANIFEST], "a staging folder was left behind"
