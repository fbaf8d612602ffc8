"""Bad input, end to end: each case gets a clear error naming the file, row, column or parameter,
and nothing that was already built is lost or half-overwritten.

Each test works on a copy of the project's data and notebooks (``TRUSTLAB_ROOT``), so the real
files are never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_process import trustlab
from trustlab import config
from trustlab.runner.notebook import Notebook, resolve_run

NOTEBOOK = "00_source_facts"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of data/ and notebooks/ with a good smoke report of notebook 00 already built."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(config.DATA_DIR, root / "data")
    shutil.copytree(config.NOTEBOOKS_DIR, root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    proc = _trustlab(root, "run", NOTEBOOK, "--scenario", "smoke", "--out", str(root / "reports" / NOTEBOOK))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


def _trustlab(root: Path, *args: str) -> subprocess.CompletedProcess:
    return trustlab(*args, extra_env={"TRUSTLAB_ROOT": str(root)}, cwd=root)


@pytest.fixture
def damaged(project):
    """Yields the project; restores its data files after the test damaged them."""
    data = project / "data"
    saved = _snapshot(data)
    yield project
    shutil.rmtree(data)
    for rel, content in saved.items():
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_bytes(content)


def _run_expecting_failure(project: Path, expected: list[str]) -> str:
    report = project / "reports" / NOTEBOOK
    before = _snapshot(report)
    proc = _trustlab(project, "run", NOTEBOOK, "--scenario", "smoke", "--out", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _snapshot(report) == before, "the last good report was touched"
    error = (project / "reports" / "failed" / NOTEBOOK / "error.txt").read_text()
    html = (project / "reports" / "failed" / NOTEBOOK / f"{NOTEBOOK}.html").read_text()
    for text in expected:
        assert text in error or text in html, f"{text!r} not in the error:\n{error}"
    assert not list((project / "reports").glob(".*tmp-*")), "a staging folder was left behind"
    return error


def _edit_facts(project: Path, fact_id: str, column: str, value: str) -> int:
    import csv

    path = project / "data" / "facts.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    index = next(i for i, r in enumerate(rows) if r["fact_id"] == fact_id)
    rows[index][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return index + 2  # spreadsheet row: the header is row 1


@pytest.mark.kernel
def test_a_facts_row_with_a_bad_number(damaged):
    row = _edit_facts(damaged, "gov_violators_banned_2021", "value", "21萬x")
    _run_expecting_failure(damaged, ["DataFileError", f"line {row}", "value", "21萬x"])


@pytest.mark.kernel
def test_a_facts_row_whose_quote_is_not_in_the_source(damaged):
    row = _edit_facts(damaged, "gov_violators_banned_2021", "quote", "封禁違規主播、商家99萬人次")
    _run_expecting_failure(
        damaged, ["DataFileError", f"line {row}", "gov_violators_banned_2021", "quote not in the article text"]
    )


@pytest.mark.kernel
def test_a_facts_value_the_quote_does_not_state(damaged):
    row = _edit_facts(damaged, "gov_violators_banned_2021", "value", "220000")
    _run_expecting_failure(damaged, ["DataFileError", f"line {row}", "value 220000 is not among the numbers in the quote"])


@pytest.mark.kernel
def test_a_missing_data_file(damaged):
    (damaged / "data" / "facts.csv").unlink()
    _run_expecting_failure(damaged, ["FileNotFoundError", "facts.csv"])


@pytest.mark.kernel
def test_a_corrupted_raw_source(damaged):
    raw = damaged / "data" / "raw" / "kuaishou-trust-pyramid-2022-06-23.scraped.txt"
    raw.write_bytes(raw.read_bytes()[:-50] + b"tampered")
    _run_expecting_failure(damaged, ["differs from", "the raw scrape must not be edited"])


@pytest.mark.kernel
def test_a_truncated_csv(damaged):
    path = damaged / "data" / "facts.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0].rsplit(",", 3)[0] + "\n", encoding="utf-8")
    _run_expecting_failure(damaged, ["facts.csv"])


@pytest.mark.kernel
def test_a_good_run_after_the_failure_clears_it(damaged):
    facts = damaged / "data" / "facts.csv"
    good_facts = facts.read_bytes()
    facts.unlink()
    _run_expecting_failure(damaged, ["FileNotFoundError", "facts.csv"])  # the failure to clear, made here
    assert (damaged / "reports" / "failed" / NOTEBOOK).exists()
    facts.write_bytes(good_facts)
    report = damaged / "reports" / NOTEBOOK
    proc = _trustlab(damaged, "run", NOTEBOOK, "--scenario", "smoke", "--out", str(report))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not (damaged / "reports" / "failed" / NOTEBOOK).exists()
    assert json.loads((report / "results.json").read_text())["results"]["quote_problems"] == 0


# ---------------------------------------------------------------- refused before any kernel starts

DEMO = Path(__file__).parent / "fixtures" / "notebooks" / "90_demo.py"


_cli = trustlab


@pytest.fixture(scope="module")
def demo_site_template(tmp_path_factory) -> Path:
    """`trustlab build` of the demo notebook at its defaults, run once per module."""
    site = tmp_path_factory.mktemp("demo") / "site"
    proc = _cli("build", str(DEMO), "--out", str(site))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return site


@pytest.fixture
def demo_site(demo_site_template, tmp_path) -> Path:
    """A copy of the demo's built site for one test to change (nothing in a site names its folder)."""
    return Path(shutil.copytree(demo_site_template, tmp_path / "site", symlinks=True))


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", ".inf"])
def test_a_non_finite_order_volume_is_refused_before_any_kernel(cli, tmp_path, value):
    out = tmp_path / "out"
    proc = cli("run", "01_governance", "-p", "orders_in_period", value, "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "parameter 'orders_in_period': expected a finite number" in proc.stderr
    assert "running" not in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            ["orders_in_period", "10000", "orders_previous_period", "1e12"],
            "parameter 'orders_in_period': with base_report_rate_per_10k_orders=1.0 and design_effect=10.0 it implies 0.91 reports",
        ),
        (["dau_millions", "0.001"], "parameter 'dau_millions': the trust report's 450,000 users taking part in governance"),
    ],
)
def test_degenerate_governance_parameters_are_refused_before_any_kernel(cli, tmp_path, overrides, expected):
    out = tmp_path / "out"
    args = [x for pair in zip(["-p"] * (len(overrides) // 2), overrides[::2], overrides[1::2], strict=True) for x in pair]
    proc = cli("run", "01_governance", *args, "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr, proc.stderr
    assert "running" not in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.kernel
def test_a_results_json_of_the_wrong_shape_is_a_stale_report_for_build_and_dry_run(cli, demo_site):
    site = demo_site
    results_json = site / "90_demo" / "results.json"
    for bad in ("[]", '{"provenance": []}'):
        results_json.write_text(bad)
        proc = cli("build", str(DEMO), "--dry-run", "--out", str(site))
        assert proc.returncode == 0, proc.stderr
        assert "run   90_demo" in proc.stdout and "unreadable results.json" in proc.stdout
        assert f"{results_json}: not a run record" in proc.stderr and "Traceback" not in proc.stderr
    proc = _cli("build", str(DEMO), "--out", str(site))
    assert proc.returncode == 0, proc.stderr
    assert isinstance(json.loads(results_json.read_text())["provenance"], dict)
    (site / "90_demo" / "90_demo.html").write_text("")  # an emptied page is not up to date
    proc = cli("build", str(DEMO), "--dry-run", "--out", str(site))
    assert "run   90_demo" in proc.stdout and "90_demo.html changed since it was built" in proc.stdout


# ---------------------------------------------------------------- a full disk

DISK_FULL_HOOK = Path(__file__).parent / "fixtures" / "disk_full"  # papermill's save fails as on a full disk


@pytest.mark.kernel
@pytest.mark.parametrize("moment", ["notebook", "results"])
def test_a_disk_full_in_the_run_or_the_command_says_so_and_keeps_the_report(demo_site, moment):
    """``notebook``: papermill's save fails in the run's process (the rest of the run is written, so
    the failure is kept under failed/); ``results``: results.json cannot be written by the run's
    process nor by the command, which then gives the run up whole."""
    site = demo_site
    before = _snapshot(site / "90_demo")
    pythonpath = os.pathsep.join(p for p in (str(DISK_FULL_HOOK), os.environ.get("PYTHONPATH")) if p)
    proc = _cli(
        "build", str(DEMO), "--out", str(site), "--force", extra_env={"PYTHONPATH": pythonpath, "TRUSTLAB_TEST_DISK_FULL": moment}
    )
    assert proc.returncode == 1, proc.stderr
    writing = {
        "notebook": "the executed notebook 90_demo.ipynb)",
        "results": f"the run of 90_demo); {site / '90_demo'} was left as it was",
    }[moment]
    assert f"FAILED 90_demo: no space left on device in {site} (writing {writing}\n" in proc.stdout, proc.stdout + proc.stderr
    assert "JSON" not in proc.stdout + proc.stderr and "unexpected" not in proc.stderr, proc.stderr
    assert _snapshot(site / "90_demo") == before, "the last good report was touched"
    assert not list(site.glob(".*tmp-*")), "a staging folder was left behind"
    assert (site / "failed" / "90_demo").exists() == (moment == "notebook")


@pytest.mark.parametrize(
    "where",
    ["trustlab.runner.sites.new_staging_folder", "nbformat.write", "trustlab.runner.sites.write_manifest"],
    ids=["staging folder", "input notebook", "run manifest"],
)
def test_a_disk_full_wherever_a_run_writes_is_a_failed_run_saying_so(tmp_path, monkeypatch, fake_executor, where):
    import errno

    from trustlab.runner import runs, sites

    site = sites.open_site(tmp_path / "site")
    out = site / "90_demo"
    assert runs.run_notebook(resolve_run(DEMO), out, runs.RunOptions(site_root=site, executor=fake_executor)).ok
    before = _snapshot(site)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(where, full)
    outcome = runs.run_notebook(
        resolve_run(DEMO, cli={"x": "3"}),
        out,
        runs.RunOptions(site_root=site, executor=fake_executor),
    )
    assert (outcome.status, outcome.error) == (
        "failed",
        f"no space left on device in {site} (writing the run of 90_demo); {out} was left as it was",
    )
    assert _snapshot(site) == before, "the last good report or the site was touched"
    assert sorted(p.name for p in site.iterdir()) == [sites.SITE_MANIFEST, "90_demo"], "a staging folder was left behind"


def test_a_disk_full_when_the_index_is_rewritten_keeps_the_old_index_and_says_so(tmp_path, monkeypatch, capsys):
    import errno

    from trustlab.runner import report, runs, sites
    from trustlab.runner.commands import common

    site = sites.open_site(tmp_path / "site")
    report.build_index(site, runs.notebooks())
    before = _snapshot(site)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sites, "new_file", full)
    assert common.update_index(site) is None
    assert capsys.readouterr().err == (
        f"trustlab: {site / 'index.html'} was left as it was: no space left on device in {site} (writing the index)\n"
    )
    assert _snapshot(site) == before


# ---------------------------------------------------------------- the same refusals in the explorer (trustlab serve)


@pytest.fixture(scope="module")
def explorer_client(tmp_path_factory):
    """The explorer's app on the real notebooks, without a fork server: nothing here may start a run."""
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient
    from trustlab.runner import runs
    from trustlab.runner.explorer import Explorer
    from trustlab.runner.serve import create_app

    explorer = Explorer(tmp_path_factory.mktemp("explorer") / "site", runs.notebooks(), fork_server=False)
    try:
        with TestClient(create_app(explorer), base_url="http://127.0.0.1") as client:
            yield explorer, client
    finally:
        explorer.close()


HOSTILE_REFUSALS = [
    ({"orders_in_period": "inf"}, "parameter 'orders_in_period': expected a finite number"),
    ({"orders_in_period": "-inf"}, "parameter 'orders_in_period': expected a finite number"),
    ({"orders_in_period": "nan"}, "parameter 'orders_in_period': expected a finite number"),
    (
        {"orders_in_period": "10000", "orders_previous_period": "1e12"},
        "parameter 'orders_in_period': with base_report_rate_per_10k_orders=1.0 and design_effect=10.0 it implies 0.91 reports",
    ),
    ({"dau_millions": "0.001"}, "parameter 'dau_millions': the trust report's 450,000 users taking part in governance"),
    ({"alpha": "__import__('os').system('touch /tmp/x')"}, "parameter 'alpha': expected float, got str"),
    ({"year": "2021; import os"}, "parameter 'year': expected int, got str"),
    ({"__class__": "1"}, "unknown parameter(s) ['__class__'] for notebook 01_governance"),
    (
        {"include_secondary_sources": "!!python/object/apply:os.system ['touch /tmp/x']"},
        "parameter 'include_secondary_sources': cannot parse",
    ),
]


@pytest.mark.parametrize(("given", "expected"), HOSTILE_REFUSALS)
def test_the_explorers_form_and_api_refuse_what_the_command_line_refuses(explorer_client, given, expected):
    """The same values, refused by the form and by POST /api/runs with the command line's own
    message (the contract's), before any kernel starts: no run is queued and no folder written."""
    from markupsafe import escape
    from trustlab.runner import params

    explorer, client = explorer_client
    with pytest.raises(params.ParameterError) as cli_message:
        Notebook.load("01_governance").resolve(cli=given)
    assert str(cli_message.value).startswith(expected)
    api = client.post("/api/runs", json={"notebook": "01_governance", "parameters": given})
    assert api.status_code == 400 and api.json() == {"error": str(cli_message.value)}
    for form in (
        client.get("/notebooks/01_governance/run", params=given),
        client.post("/notebooks/01_governance/run", data=given),
    ):
        assert form.status_code == 400 and str(escape(str(cli_message.value))) in form.text
    assert explorer.status()["queued"] == [] and not (explorer.site / "runs").exists()


@pytest.mark.parametrize(
    "name", ["..", "../notebooks/01_governance", "01_governance/../../x", "<img src=x onerror=alert(1)>", ""]
)
def test_the_explorer_refuses_notebook_names_it_does_not_serve(explorer_client, name):
    _, client = explorer_client
    api = client.post("/api/runs", json={"notebook": name, "parameters": {}})
    assert api.status_code == 404 and api.json()["error"].startswith(
        f"unknown notebook {name!r}; known notebooks: 00_source_facts"
    )
    page = client.get(f"/notebooks/{name}") if name and "/" not in name and name != ".." else None
    if page is not None:
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/plain")  # never rendered as HTML


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "the body is not valid JSON: nested too deeply to read"),
        (
            '{"notebook": "01_governance", "parameters": ' + '{"a": ' * 30_000,
            "the body is not valid JSON: nested too deeply to read",
        ),
        ("[]", 'expected {"notebook": NAME, "parameters": {NAME: VALUE, ...}}'),
        ('"01_governance"', 'expected {"notebook": NAME, "parameters": {NAME: VALUE, ...}}'),
    ],
)
def test_the_api_answers_a_body_too_deep_or_not_an_object_with_400(explorer_client, body, expected):
    explorer, client = explorer_client
    response = client.post("/api/runs", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"].startswith(expected)
    assert explorer.status()["queued"] == []


# ---------------------------------------------------------------- a site's records: read, never trusted

GOOD_RECORD = {
    "notebook": "90_demo",
    "parameters": {"x": 1.5, "label": "abc", "fail": False, "sleep_seconds": 0.0},
    "results": {"double": 3.0, "label": "abc"},
    "provenance": {"status": "ok", "seconds": 1.0, "started": "2026-01-01T00:00:00+00:00"},
}
BAD_RECORDS = [
    ('{"a": ' * 100_000 + "1" + "}" * 100_000, "nested deeper than 64 levels"),
    (json.dumps({**GOOD_RECORD, "results": {"r": json.loads("[" * 600 + "]" * 600)}}), "nested deeper than 64 levels"),
    (
        json.dumps({**GOOD_RECORD, "provenance": {"status": "ok", "seconds": "abc"}}),
        "expected 'provenance.seconds' to be a finite number or null, got str \"abc\"",
    ),
    (json.dumps({**GOOD_RECORD, "parameters": []}), "expected 'parameters' to be an object, got list"),
    (json.dumps({**GOOD_RECORD, "results": "x"}), "expected 'results' to be an object, got str \"x\""),
    (json.dumps({**GOOD_RECORD, "notebook": ["90_demo"]}), "expected 'notebook' to be a string, got list"),
    (json.dumps({**GOOD_RECORD, "changed_parameters": 5}), "expected 'changed_parameters' to be an object, got int 5"),
    ("[]", "expected a JSON object, got list"),
]


@pytest.mark.parametrize(("text", "problem"), BAD_RECORDS)
def test_a_results_json_too_deep_or_wrongly_typed_is_not_a_run_record_for_the_index_and_the_explorer(
    tmp_path, capsys, text, problem
):
    """The site's index, the explorer's home page and GET /api/runs/ID leave the folder out with a
    warning naming the file and what is wrong, as they do for ``[]``; a good record beside it stays listed."""
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient
    from trustlab.runner import report, sites
    from trustlab.runner.explorer import Explorer
    from trustlab.runner.serve import create_app

    explorer = Explorer(tmp_path / "site", [DEMO], fork_server=False)
    site = explorer.site
    for rid, content in (("90_demo-bad0000000", text), ("90_demo-good000000", json.dumps(GOOD_RECORD))):
        folder = site / "runs" / rid
        folder.mkdir(parents=True)
        (folder / "results.json").write_text(content)
        sites.mark_run(folder, "90_demo")
        sites.register_run(site, folder, "run")
    warning = f"trustlab: warning: {site / 'runs' / '90_demo-bad0000000' / 'results.json'}: not a run record: {problem}"
    try:
        capsys.readouterr()
        index = report.build_index(site, [DEMO]).read_text()
        assert "runs/90_demo-good000000/results.json" in index and "90_demo-bad0000000" not in index
        assert warning in capsys.readouterr().err
        with TestClient(create_app(explorer), base_url="http://127.0.0.1") as client:
            home = client.get("/")
            assert home.status_code == 200 and "/notebooks/90_demo/run?x=1.5" in home.text
            assert warning in capsys.readouterr().err
            api = client.get("/api/runs/90_demo-bad0000000")
            assert api.status_code == 404 and api.json() == {"error": "no run '90_demo-bad0000000' in this site"}
            assert warning in capsys.readouterr().err
            assert client.get("/api/runs/90_demo-good000000").json()["results"] == GOOD_RECORD["results"]
    finally:
        explorer.close()
