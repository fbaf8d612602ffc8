"""`trustlab serve`, the explorer, through its JSON API and pages (Starlette's test client, the
explorer's real pool of warm runs on the small demo notebook): runs, the comparison with the
default run, the cache, the queue, failures, sweeps, and the token and host rules."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cli_process import trustlab
from markupsafe import escape
from trustlab import config
from trustlab.runner import params, sites

starlette = pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402
from trustlab.runner.explorer import Explorer, parameter_text  # noqa: E402
from trustlab.runner.notebook import Notebook  # noqa: E402
from trustlab.runner.serve import check_access, create_app, host_name, is_loopback  # noqa: E402

pytestmark = [pytest.mark.kernel]

DEMO = Path(__file__).parent / "fixtures" / "notebooks" / "90_demo.py"
GOVERNANCE = config.NOTEBOOKS_DIR / "01_governance.py"
PRICING = config.NOTEBOOKS_DIR / "03_pricing_positioning.py"
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An explorer of the demo notebook (and two real ones, never run here) with one worker."""
    explorer = Explorer(tmp_path_factory.mktemp("serve") / "site", [DEMO, GOVERNANCE, PRICING], workers=1)
    try:
        with TestClient(create_app(explorer), base_url=LOCAL) as client:
            yield explorer, client
    finally:
        explorer.close()


def _until(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _post(client, parameters, wait=True, notebook="90_demo"):
    return client.post("/api/runs" + ("" if wait else "?wait=false"), json={"notebook": notebook, "parameters": parameters})


def test_the_routes_are_module_level_handlers_behind_one_guard_class(served):
    """Each route's handler is a function of its own (no closure over create_app), and one
    middleware class guards every request."""
    explorer, _ = served
    app = create_app(explorer)
    handlers = [route.endpoint for route in app.routes if hasattr(route, "endpoint")]
    assert len(handlers) == 13 and [h.__qualname__ for h in handlers if "<locals>" in h.__qualname__] == []
    assert [middleware.cls.__qualname__ for middleware in app.user_middleware] == ["RequestGuard"]


def test_the_api_lists_every_notebook_with_its_contract(served):
    _, client = served
    listed = {nb["notebook"]: nb for nb in client.get("/api/notebooks").json()["notebooks"]}
    assert list(listed) == ["90_demo", "01_governance", "03_pricing_positioning"]
    x = next(p for p in listed["90_demo"]["parameters"] if p["name"] == "x")
    assert x == {
        "name": "x",
        "type": "float",
        "default": 1.5,
        "range": "> 0 and <= 100",
        "constraints": {"gt": 0, "le": 100},
        "help": "a positive number",
    }
    assert "a census, not a sample" in listed["01_governance"]["answer"]  # the first point of its Summary, from its default run


def test_a_run_is_reported_compared_with_the_default_run_cached_and_reproduced_by_its_url(served):
    explorer, client = served
    first = _post(client, {"x": "2.5"})
    assert first.status_code == 200, first.text
    record = first.json()
    assert record["status"] == "ok" and record["results"] == {"double": 5.0, "label": "abc"}
    assert record["changed_parameters"] == {"x": 1.5}
    rows = {row["name"]: row for row in record["comparison"]}
    assert rows["x"]["changed"] and (rows["x"]["default"], rows["x"]["run"]) == ("1.5", "2.5")
    assert rows["double"] == {
        "kind": "result",
        "group": "Results",
        "name": "double",
        "default": "3",
        "run": "5",
        "changed": True,
        "change": "+2 (+66.7%)",
    }
    assert not rows["label"]["changed"] and rows["label"]["change"] == ""
    page = client.get(record["report_url"])
    assert page.status_code == 200 and 'id="trustlab-provenance"' in page.text
    # An ad-hoc run of the site, in the folder `trustlab run` would use, listed in its index.
    assert sites.recorded_runs(explorer.site)[f"runs/{record['run_id']}"] == "run"
    index = explorer.site / "index.html"  # rewritten just after the run is answered
    _until(lambda: f"runs/{record['run_id']}/90_demo.html" in index.read_text(), "the run in the site's index")
    again = _post(client, {"x": 2.5}).json()  # a typed JSON value resolves to the same run
    assert again["run_id"] == record["run_id"] and again["status"] in ("ok", "cached")
    assert client.get(f"/api/runs/{record['run_id']}").json()["results"] == record["results"]
    # The run's address holds every parameter; opening it again shows the report and the comparison.
    assert record["run_url"] == "/notebooks/90_demo/run?x=2.5&label=abc&fail=false&sleep_seconds=0.0"
    shown = client.get(record["run_url"])
    assert shown.status_code == 200
    assert 'id="comparison"' in shown.text and f'src="{record["report_url"]}"' in shown.text
    assert client.get(f"/runs/{record['run_id']}", follow_redirects=False).headers["location"] == record["run_url"]
    # Another server on the same site answers from the site's folder, under the same cache key, with no kernel.
    other = Explorer(explorer.site, [DEMO], fork_server=False)
    try:
        source, resolved = other.resolve("90_demo", {"x": "2.5"})
        cached = other.submit(source, resolved)
        assert cached.status == "cached" and cached.results == record["results"] and other.status()["queued"] == []
        assert other.job(record["run_id"]).status == "cached"
    finally:
        other.close()


def test_refused_values_get_the_command_lines_message_before_any_kernel_starts(served, tmp_path):
    explorer, client = served
    before = sorted(p.name for p in (explorer.site / "runs").glob("*")) if (explorer.site / "runs").exists() else []
    cli = trustlab("run", str(DEMO), "-p", "x", "150", "--out", str(tmp_path / "out"))
    message = cli.stderr.strip().removeprefix("trustlab: error: ")
    assert cli.returncode == 2 and message == "parameter 'x': expected > 0 and <= 100, got 150"
    response = _post(client, {"x": "150"})
    assert response.status_code == 400 and response.json() == {"error": message}
    form = client.get("/notebooks/90_demo/run?x=150&label=abc")
    assert form.status_code == 400 and 'id="refused"' in form.text and str(escape(message)) in form.text
    assert 'value="150"' in form.text  # the form keeps what was typed
    for parameters in ({"x": "abc"}, {"y": "1"}, {"sleep_seconds": "-1"}, {"x": "inf"}):
        with pytest.raises(params.ParameterError) as expected:
            Notebook.load(DEMO).resolve(cli=parameters)
        assert _post(client, parameters).json() == {"error": str(expected.value)}
    after = sorted(p.name for p in (explorer.site / "runs").glob("*")) if (explorer.site / "runs").exists() else []
    assert after == before and explorer.status()["queued"] == []


def test_two_concurrent_submissions_queue_for_the_one_worker_and_both_finish(served):
    explorer, client = served
    slow = _post(client, {"x": "7", "sleep_seconds": "2"}, wait=False).json()
    queued = _post(client, {"x": "8"}, wait=False).json()
    assert queued["status"] == "queued" and queued["queue_position"] >= 1
    page = client.get(queued["run_url"]).text
    assert 'id="queue-position"' in page or "queued" in page
    answers: dict[str, dict] = {}

    def wait_for(name, parameters):
        answers[name] = _post(client, parameters).json()

    threads = [
        threading.Thread(target=wait_for, args=(n, p))
        for n, p in (("slow", {"x": "7", "sleep_seconds": "2"}), ("queued", {"x": "8"}))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers["slow"]["run_id"] == slow["run_id"] and answers["queued"]["run_id"] == queued["run_id"]
    assert answers["slow"]["results"]["double"] == 14.0 and answers["queued"]["results"]["double"] == 16.0
    assert {answers["slow"]["status"], answers["queued"]["status"]} <= {"ok", "cached"}
    assert explorer.status()["queued"] == [] and explorer.status()["running"] == []


def test_wait_false_returns_at_once_and_the_run_is_polled(served):
    _, client = served
    started = _post(client, {"x": "9", "sleep_seconds": "1"}, wait=False)
    assert started.status_code == 202 and started.json()["status"] in ("queued", "running")
    run_id = started.json()["run_id"]
    finished = _post(client, {"x": "9", "sleep_seconds": "1"}).json()
    assert finished["run_id"] == run_id and client.get(f"/api/runs/{run_id}").json()["status"] == "ok"


def test_a_failed_run_shows_its_failed_cell(served):
    explorer, client = served
    record = _post(client, {"fail": "true"}).json()
    assert record["status"] == "failed" and record["report_url"] is None
    assert record["error"] == "cell 4 of 4 failed: RuntimeError: the demo notebook was asked to fail"
    failed = client.get(record["failed_page"])
    assert failed.status_code == 200 and 'id="failed-cell"' in failed.text
    page = client.get(record["run_url"]).text
    assert 'id="run-error"' in page and 'id="failed-page"' in page


def test_a_hostile_label_stays_inert_in_the_form_and_the_api(served, tmp_path):
    _, client = served
    marker = tmp_path / "pwned"
    value = f"'; import os; os.system('touch {marker}') #<script>alert(1)</script>"
    page = client.get("/notebooks/90_demo/run", params={"label": value})
    assert page.status_code == 200
    record = _post(client, {"label": value}).json()
    assert record["status"] in ("ok", "cached") and record["results"]["label"] == value
    assert not marker.exists(), "the parameter value was executed"
    for text in (
        client.get(record["run_url"]).text,
        client.get(record["report_url"]).text,
        client.get("/notebooks/90_demo", params={"label": value}).text,
        client.get("/").text,
    ):
        assert "<script>alert(1)</script>" not in text


@pytest.mark.parametrize("name", ["../90_demo", "90_demo/../../etc", "<script>", "90_demo.py"])
def test_a_notebook_name_outside_the_explorer_is_refused(served, name):
    _, client = served
    response = _post(client, {}, notebook=name)
    assert response.status_code == 404
    assert response.json() == {
        "error": f"unknown notebook {name!r}; known notebooks: 90_demo, 01_governance, 03_pricing_positioning"
    }


def test_the_home_page_lists_questions_answers_and_the_runs_the_site_holds(served):
    _, client = served
    _post(client, {"x": "2.5"})
    page = client.get("/").text
    assert "Demo notebook for the runner tests" in page and "a census, not a sample" in page
    assert 'href="/notebooks/90_demo/run?x=2.5&amp;label=abc&amp;fail=false&amp;sleep_seconds=0.0"' in page


def test_the_form_is_generated_from_the_contract(served):
    _, client = served
    page = client.get("/notebooks/03_pricing_positioning").text
    for p in Notebook.load(PRICING).parameters.values():
        assert f'name="{p.name}"' in page and f"<code>{parameter_text(p.default)}</code>" in page
    assert "Allowed: a number from 0 to 1 · default <code>0.8</code>" in page  # redemption_rate's range, in words
    governance = client.get("/notebooks/01_governance").text
    assert '<select name="include_secondary_sources"' in governance


def test_a_notebook_sweep_plots_every_point_and_offers_its_csv(served):
    explorer, client = served
    page = client.post("/notebooks/90_demo/sweep", data={"vary": "x", "start": "1", "stop": "3", "steps": "3"})
    assert page.status_code == 200
    sweep_id = next(s for s in explorer.sweeps if s.startswith("90_demo-") and explorer.sweeps[s].values == [1.0, 2.0, 3.0])
    explorer.sweeps[sweep_id].done.wait(120)
    record = client.get(f"/api/sweeps/{sweep_id}").json()
    assert record["status"] == "ok" and record["mode"] == "notebook" and record["values"] == [1.0, 2.0, 3.0]
    assert [row["result.double"] for row in record["table"]] == [2.0, 4.0, 6.0]
    csv = client.get(f"/api/sweeps/{sweep_id}.csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.splitlines()[0].startswith("point,status")
    shown = client.get("/notebooks/90_demo/sweep", params={"vary": "x", "start": "1", "stop": "3", "steps": "3"}).text
    assert "<svg" in shown and 'id="csv"' in shown
    assert (explorer.site / record["csv"]).is_file()
    for refused in (
        client.post("/notebooks/90_demo/sweep", data={"vary": "x", "start": "50", "stop": "150", "steps": "3"}),
        client.get("/notebooks/90_demo/sweep", params={"vary": "x", "start": "50", "stop": "150", "steps": "3"}),
    ):
        assert (
            refused.status_code == 400
            and "sweep point x = 150.0: parameter &#39;x&#39;: expected &gt; 0 and &lt;= 100" in refused.text
        )


def test_a_fast_sweep_uses_the_notebooks_analysis_function(served):
    explorer, client = served
    client.post(
        "/notebooks/03_pricing_positioning/sweep",
        data={
            "vary": "redemption_rate",
            "start": "0.2",
            "stop": "0.8",
            "steps": "2",
            "monte_carlo_draws": "2000",
            "n_buyers": "2000",
            "n_merchants": "2000",
        },
    )
    job = next(j for j in explorer.sweeps.values() if j.notebook == "03_pricing_positioning")
    job.done.wait(300)
    assert job.status == "ok" and job.mode == "fast" and len(job.table) == 2
    assert explorer.status()["running"] == []  # no notebook run: the analysis function only


def test_a_token_is_required_beyond_loopback_and_then_on_every_request(served):
    explorer, _ = served
    assert check_access("127.0.0.1", None) is None and check_access("localhost", "t") == "t"
    made = check_access("0.0.0.0", None)
    assert made and len(made) >= 24 and check_access("0.0.0.0", None) != made
    with pytest.raises(params.ParameterError, match="needs a token"):
        check_access("192.168.1.5", "")
    assert is_loopback("::1") and is_loopback("127.0.0.2") and not is_loopback("0.0.0.0")
    assert host_name("[::1]:8765") == "[::1]" and host_name("localhost:80") == "localhost"
    with TestClient(create_app(explorer, token="s3cret", loopback_only=False), base_url="http://example.org") as client:
        assert client.get("/api/status").status_code == 403
        assert client.get("/api/status?token=wrong").status_code == 403
        assert client.get("/api/status", headers={"Authorization": "token s3cret"}).status_code == 200
        first = client.get("/?token=s3cret")
        assert first.status_code == 200 and "trustlab_token=s3cret" in first.headers["set-cookie"]
        assert "SameSite=Strict" in first.headers["set-cookie"]
        assert client.get("/api/notebooks").status_code == 200  # the cookie the first page set
    with TestClient(create_app(explorer), base_url="http://evil.example") as client:  # DNS rebinding
        assert client.get("/api/status").status_code == 403


def test_the_api_takes_only_json(served):
    _, client = served
    response = client.post("/api/runs", content="notebook=90_demo", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert _post(client, {"x": "2.5"}, notebook=None).status_code == 400


def test_the_default_run_to_compare_with_is_the_sites_build_when_it_is_current(served, tmp_path):
    from trustlab.runner import runs

    explorer, _ = served
    site = tmp_path / "site"
    sites.open_site(site)
    outcome = runs.build(runs.plan_build([Notebook.load(DEMO)], site), fork_server=explorer._server)[0]
    assert outcome.status == "ok"
    other = Explorer(site, [DEMO], fork_server=False)
    try:
        baseline = other.baseline(other.notebook("90_demo"))
        assert baseline.status == "cached" and baseline.out_dir == site / "90_demo" and baseline.results["double"] == 3.0
        with TestClient(create_app(other), base_url=LOCAL) as client:
            record = client.get(f"/api/runs/{baseline.run_id}").json()
            assert record["report_url"] == "/site/90_demo/90_demo.html" and client.get(record["report_url"]).status_code == 200
    finally:
        other.close()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--host", "0.0.0.0", "--token", ""],
            "--host 0.0.0.0: a server reachable from the network needs a token; --token '' is refused",
        ),
        (["--workers", "0"], "--workers: expected at least 1, got 0"),
    ],
)
def test_the_command_refuses_an_unsafe_or_empty_setup_before_it_listens(args, expected):
    proc = subprocess.run(
        [sys.executable, "-m", "trustlab.runner.cli", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2 and proc.stderr.strip() == f"trustlab: error: {expected}" and proc.stdout == ""


def test_the_explorers_runs_and_sweeps_are_published_with_the_site(served, tmp_path):
    from trustlab.runner import report

    explorer, client = served
    record = _post(client, {"x": "2.5"}).json()
    # a sweep of its own (the module's explorer may not have made one yet: tests run in any order)
    before = set(explorer.sweeps)
    client.post(
        "/notebooks/90_demo/sweep", data={"vary": "x", "start": "11", "stop": "12", "steps": "2"}
    )  # values no other test uses
    [sweep_id] = set(explorer.sweeps) - before
    assert explorer.sweeps[sweep_id].done.wait(120)
    explorer.update_index()
    dest = report.publish(explorer.site, tmp_path / "shared")
    assert report.check_site(dest) == []
    assert (dest / "runs" / record["run_id"] / "90_demo.html").is_file()
    assert any(dest.glob("sweeps/explore-90_demo-*/sweep.csv"))


def test_after_trustlab_changes_runs_start_as_new_interpreters_not_from_the_stale_server(tmp_path, monkeypatch, capsys):
    """A run forked from the warm server would compute with the modules it imported before the
    change while its record names the new code; the explorer stops forking once the code differs."""
    from trustlab import provenance
    from trustlab.runner import explorer as explorer_module

    kernel_state = Path(__file__).parent / "fixtures" / "kernel_state" / "91_kernel_state.py"
    explorer = Explorer(tmp_path / "site", [kernel_state], workers=1)
    try:
        notebook = explorer.notebook("91_kernel_state")
        before = explorer.submit(notebook, notebook.resolve())
        before.done.wait(120)
        assert before.status == "ok" and before.results["forked_from_server"] is True, before.error
        assert explorer.status()["warm"] is True and explorer.status()["why_not_warm"] is None
        real = provenance.package_digest()
        monkeypatch.setattr(provenance, "package_digest", lambda: "0" * 64 if real != "0" * 64 else "1" * 64)
        after = explorer.submit(notebook, notebook.resolve(cli={"label": "after the change"}))
        after.done.wait(120)
        assert after.status == "ok" and after.results["forked_from_server"] is False, after.error
        assert explorer.status()["warm"] is False and explorer.status()["why_not_warm"] == explorer_module.CODE_CHANGED
        assert explorer_module.CODE_CHANGED in capsys.readouterr().err
    finally:
        explorer.close()


# ---------------------------------------------------------------- work starts only when asked: POST, from this server's pages

LIMIT = 256 * 1024  # the largest body the README says the server reads
EVIL = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
CROSS_SITE = [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},  # a sandboxed frame, a page opened from a file
    {"Origin": "http://127.0.0.1:8888"},  # another server on this machine
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": LOCAL, "Sec-Fetch-Site": "cross-site"},
]


def _demo_run_id(explorer, x: str) -> str:
    from trustlab.runner.explorer import run_id

    return run_id("90_demo", explorer.resolve("90_demo", {"x": x})[1])


def test_a_cross_site_get_of_a_run_address_starts_nothing_and_shows_the_form_to_start_it(served):
    """An <img> on any page could GET a run's address: that shows the form, filled in; only its
    button (a POST from this server's page) starts the run, which the address then shows."""
    explorer, client = served
    rid = _demo_run_id(explorer, "7.25")
    page = client.get("/notebooks/90_demo/run?x=7.25&sleep_seconds=0.1", headers=EVIL)
    assert page.status_code == 200 and 'id="not-run"' in page.text
    assert '<form class="params" method="post" action="/notebooks/90_demo/run"' in page.text
    assert 'id="p-x" value="7.25"' in page.text and 'id="p-sleep_seconds" value="0.1"' in page.text
    assert explorer.job(rid) is None and not (explorer.site / "runs" / rid).exists()
    assert explorer.status()["queued"] == [] and explorer.status()["running"] == []
    started = client.post(
        "/notebooks/90_demo/run",
        data={"x": "7.25", "label": "abc", "fail": "false", "sleep_seconds": "0"},
        headers={"Origin": LOCAL, "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    assert started.headers["location"] == "/notebooks/90_demo/run?x=7.25&label=abc&fail=false&sleep_seconds=0.0"
    _until(lambda: explorer.job(rid) is not None and explorer.job(rid).done.is_set(), "the run")
    shown = client.get(started.headers["location"], headers=EVIL)  # made: any GET of its address shows it
    assert 'id="comparison"' in shown.text and 'id="not-run"' not in shown.text


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_cross_site_post_is_refused_and_starts_nothing(served, headers):
    explorer, client = served
    sweeps = set(explorer.sweeps)
    api = client.post("/api/runs?wait=false", json={"notebook": "90_demo", "parameters": {"x": "6.5"}}, headers=headers)
    form = client.post("/notebooks/90_demo/run", data={"x": "6.5"}, headers=headers)
    sweep = client.post("/notebooks/90_demo/sweep", data={"vary": "x", "start": "6", "stop": "7", "steps": "2"}, headers=headers)
    assert api.status_code == 403 and api.json()["error"].startswith("cross-site request refused (")
    assert api.json()["error"].endswith("): runs and sweeps start only from this server's own pages")
    assert form.status_code == 403 and form.text.startswith("trustlab: error: cross-site request refused (")
    assert sweep.status_code == 403
    assert explorer.job(_demo_run_id(explorer, "6.5")) is None and set(explorer.sweeps) == sweeps


@pytest.mark.parametrize("headers", [{}, {"Origin": LOCAL, "Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}])
def test_a_post_from_the_servers_own_pages_or_from_a_script_is_taken(served, headers):
    _, client = served
    response = client.post("/api/runs", json={"notebook": "90_demo", "parameters": {"x": "2.5"}}, headers=headers)
    assert response.status_code == 200 and response.json()["results"]["double"] == 5.0


def test_a_sweep_starts_only_from_its_forms_post(served):
    explorer, client = served
    asked = {"vary": "x", "start": "4", "stop": "5", "steps": "2"}
    page = client.get("/notebooks/90_demo/sweep", params=asked, headers=EVIL)
    assert page.status_code == 200 and 'id="not-run"' in page.text
    assert '<form method="post" action="/notebooks/90_demo/sweep"' in page.text and 'id="start" value="4"' in page.text
    assert not [job for job in explorer.sweeps.values() if job.values == [4.0, 5.0]]
    started = client.post("/notebooks/90_demo/sweep", data=asked, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"] == "/notebooks/90_demo/sweep?vary=x&start=4&stop=5&steps=2"
    job = next(job for job in explorer.sweeps.values() if job.values == [4.0, 5.0])
    job.done.wait(120)
    shown = client.get(started.headers["location"])
    assert "<svg" in shown.text and 'id="not-run"' not in shown.text


def test_a_body_over_256_kib_is_refused_with_413(served):
    from trustlab.runner import serve

    assert serve.MAX_BODY_BYTES == LIMIT
    explorer, client = served
    body = json.dumps({"notebook": "no_such_notebook", "parameters": {}}).encode()
    at_limit = body + b" " * (LIMIT - len(body))
    json_type = {"content-type": "application/json"}
    assert client.post("/api/runs", content=at_limit, headers=json_type).status_code == 404  # read: the limit is allowed
    message = "the request body is over 262,144 bytes (256 KiB), the most this server reads"
    over = client.post("/api/runs", content=at_limit + b" ", headers=json_type)
    assert over.status_code == 413 and over.json() == {"error": message}
    streamed = client.post("/api/runs", content=iter([at_limit, b" "]), headers=json_type)  # no Content-Length
    assert streamed.status_code == 413 and streamed.json() == {"error": message}
    form = client.post("/notebooks/90_demo/run", data={"label": "a" * LIMIT})
    assert form.status_code == 413 and form.text == f"trustlab: error: {message}\n"


def test_an_endless_body_is_cut_off_once_it_passes_the_limit(served):
    """The guard counts the bytes as they arrive (no Content-Length), and stops reading there."""
    import asyncio

    explorer, _ = served
    chunk, offered, taken = 16 * 1024, 40, []
    sent: list[dict] = []

    async def receive():
        taken.append(chunk)
        return {"type": "http.request", "body": b" " * chunk, "more_body": len(taken) < offered}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/runs",
        "raw_path": b"/api/runs",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(create_app(explorer)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert len(taken) == LIMIT // chunk + 1  # 16 chunks make 256 KiB; the 17th passes it, and no more is read


def test_opening_a_runs_address_never_starts_the_default_run_the_page_offers_it(tmp_path):
    """A run made before (by another server, or `trustlab run`) whose default run is not in the
    site: its page and GET /api/runs/ID show it without a comparison and start nothing; the
    page's button (a POST) runs the default run, and then the comparison shows."""
    explorer = Explorer(tmp_path / "site", [DEMO], workers=1, fork_server=False)
    try:
        source, resolved = explorer.resolve("90_demo", {"x": "3"})
        made = explorer.submit(source, resolved)
        made.done.wait(120)
        assert made.status == "ok", made.error
        with TestClient(create_app(explorer), base_url=LOCAL) as client:
            url = client.get(f"/api/runs/{made.run_id}").json()["run_url"]
            for _ in range(2):
                page = client.get(url, headers=EVIL)
                assert page.status_code == 200 and 'id="compare-form"' in page.text and 'id="comparison"' not in page.text
                assert "comparison" not in client.get(f"/api/runs/{made.run_id}").json()
            assert explorer.made_baseline(source) is None and explorer.status()["queued"] == []
            assert explorer.status()["running"] == []
            assert '<input type="hidden" name="x" value="3.0">' in page.text
            compared = client.post("/notebooks/90_demo/run", data={"x": "3.0", "label": "abc", "fail": "false"})
            _until(lambda: (b := explorer.made_baseline(source)) is not None and b.done.is_set(), "the default run")
            shown = client.get(url).text
            assert compared.status_code == 200 and 'id="comparison"' in shown and 'id="compare-form"' not in shown
    finally:
        explorer.close()
