"""The explorer's pages as an analyst uses them (issue 25): the form (number inputs, the contract's
groups folded when unchanged, allowed values in words, Run always in view), a run's progress, the
comparison, the short link, past runs, and pages that fit a 390 px phone. Starlette's test client
for the HTML, headless Chromium (playwright) on a live server for what only a browser shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from trustlab import config

from conftest import wait_until

starlette = pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402
from trustlab.runner.explorer import Explorer  # noqa: E402
from trustlab.runner.serve import create_app  # noqa: E402

DEMO = Path(__file__).parent / "fixtures" / "notebooks" / "90_demo.py"
GOVERNANCE = config.NOTEBOOKS_DIR / "01_governance.py"
PROMOTION = config.NOTEBOOKS_DIR / "02_promotion_growth.py"
PRICING = config.NOTEBOOKS_DIR / "03_pricing_positioning.py"
FIGURES = Path(__file__).parent / "fixtures" / "compare" / "92_figures.py"  # result groups and a figure
LOCAL = "http://127.0.0.1"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """An explorer of the demo notebook, a fixture with result groups and a figure, and three real
    ones (never run here), one worker, served by
    uvicorn on a free loopback port in a thread (for the browser) and by the test client."""
    from conftest import served_in_a_thread

    explorer = Explorer(tmp_path_factory.mktemp("explore") / "site", [DEMO, GOVERNANCE, PROMOTION, PRICING, FIGURES], workers=1)
    try:
        with served_in_a_thread(create_app(explorer)) as base, TestClient(create_app(explorer), base_url=LOCAL) as client:
            yield {"explorer": explorer, "client": client, "base": base}
    finally:
        explorer.close()


def _field(page: str, name: str) -> str:
    """The HTML of the form's field of parameter ``name``."""
    found = re.search(rf'<div class="field[^"]*">\s*<label for="p-{name}">.*?</div>\s*</div>', page, re.DOTALL)
    assert found, f"no field {name}"
    return found.group(0)


# ---------------------------------------------------------------- the form


def test_numbers_get_number_inputs_with_the_contracts_range_and_a_slider_where_it_is_closed(live):
    page = live["client"].get("/notebooks/03_pricing_positioning").text
    rate = _field(page, "redemption_rate")  # float, ge=0, le=1
    assert '<input type="number" name="redemption_rate" id="p-redemption_rate" value="0.8" step="any" min="0" max="1">' in rate
    assert 'type="range"' in rate and 'min="0" max="1" step="0.001"' in rate
    units = _field(page, "units")  # int, ge=1, no upper bound
    assert '<input type="number" name="units" id="p-units" value="1000" step="1" min="1">' in units
    assert 'type="range"' not in units
    draws = _field(page, "monte_carlo_draws")  # int, ge=1000, le=10000000: a slider of 1,000 steps
    assert 'min="1000" max="10000000" step="9999"' in draws
    governance = live["client"].get("/notebooks/01_governance").text
    assert '<input type="text" name="dau_millions"' in governance  # None is allowed: text
    assert "novalidate" in page  # out-of-range values reach the contract, which says what is wrong


def test_allowed_values_are_said_in_words_not_patterns(live):
    client = live["client"]
    pricing = client.get("/notebooks/03_pricing_positioning").text
    assert "Allowed: a number from 0 to 1 · default <code>0.8</code>" in _field(pricing, "redemption_rate")
    assert "Allowed: a whole number at least 1 · default <code>1000</code>" in _field(pricing, "units")
    assert "Allowed: a number more than 0 and less than 1 · default" in _field(pricing, "alpha")
    assert "Allowed: a whole number from 1,000 to 10,000,000 · default" in _field(pricing, "monte_carlo_draws")
    assert "Allowed: true or false" in _field(pricing, "include_secondary_sources")
    demo = client.get("/notebooks/90_demo").text
    assert "Allowed: a number more than 0 and at most 100 · default <code>1.5</code>" in _field(demo, "x")
    assert "Allowed: text · default <code>abc</code>" in _field(demo, "label")
    promotion = client.get("/notebooks/02_promotion_growth").text
    assert "Allowed: a quarter written YYYYQn (e.g. 2022Q1)" in _field(promotion, "train_end")
    assert "Allowed: one of ets, sarimax" in _field(promotion, "model")
    assert r"\d{4}" not in promotion and "matching" not in promotion
    governance = client.get("/notebooks/01_governance").text
    assert "Allowed: None or a positive number of millions" in _field(governance, "dau_millions")


def test_parameters_are_grouped_as_the_contract_groups_them_and_unchanged_groups_are_folded(live):
    client = live["client"]
    page = client.get("/notebooks/03_pricing_positioning").text
    groups = re.findall(
        r'<details class="group" id="group-\d+"( open)?>\s*<summary><strong>([^<]+)</strong> <span class="muted">([^<]+)</span>',
        page,
    )
    assert [(opened, title, said) for opened, title, said in groups] == [
        ("", "The sneaker sale", "4 parameters, all at their defaults"),
        ("", "The recall", "10 parameters, all at their defaults"),
        ("", "Menswear: batch or presale", "8 parameters, all at their defaults"),
        ("", "Buyers&#39; choice (simulation)", "8 parameters, all at their defaults"),
        ("", "Fast-brand support", "11 parameters, all at their defaults"),
        ("", "Data and seed", "2 parameters, all at their defaults"),
    ]
    recall = page.split("<strong>The recall</strong>")[1].split("</details>")[0]
    assert re.findall(r'<label for="p-(\w+)">', recall)[:3] == ["recall_customers", "voucher_a", "voucher_b"]
    changed = client.get("/notebooks/03_pricing_positioning", params={"redemption_rate": "0.5", "seed": "7"}).text
    opened = re.findall(
        r'<details class="group" id="group-\d+" open>\s*<summary><strong>([^<]+)</strong> <span class="muted">([^<]+)</span>',
        changed,
    )
    assert opened == [("The recall", "10 parameters, 1 changed"), ("Data and seed", "2 parameters, 1 changed")]
    assert '<div class="field changed">\n<label for="p-redemption_rate">' in changed
    demo = client.get("/notebooks/90_demo").text  # a contract without groups: one list, nothing folded
    assert "<details" not in demo and 'id="p-x"' in demo


@pytest.mark.parametrize(
    ("name", "titles"),
    [
        ("01_governance", ["The year and its users", "Orders and reports", "The report-rate test", "New-store blocking", "Data"]),
        ("02_promotion_growth", ["The GMV forecast", "The 616 festival", "Data"]),
    ],
)
def test_governance_and_promotion_forms_are_grouped_too(live, browser, name, titles):
    shown = browser.new_page(viewport=PHONE)
    try:
        shown.goto(f"{live['base']}/notebooks/{name}")
        from playwright.sync_api import expect

        expect(shown.locator("details.group summary strong")).to_have_text(titles)
        expect(shown.locator("details.group[open]")).to_have_count(0)  # every value at its default: all folded
        fields = shown.locator("details.group .field").count()
        assert fields == len(live["explorer"].notebook(name).parameters)  # each parameter shown once, in a group
    finally:
        shown.close()


def test_run_stays_in_view_while_the_long_form_scrolls(live, browser):
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(live["base"] + "/notebooks/03_pricing_positioning")
        for summary in page.locator("details.group > summary").all():
            summary.click()  # every group open: the form is many screens long
        assert page.evaluate("document.documentElement.scrollHeight") > 3 * PHONE["height"]
        for y in (0, 2 * PHONE["height"]):
            page.evaluate(f"window.scrollTo(0, {y})")
            box = page.locator("#run-button").bounding_box()
            assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], (y, box)
        page.fill("#p-redemption_rate", "0.55")
        assert page.locator('input.slider[data-for="p-redemption_rate"]').input_value() == "0.55"
    finally:
        page.close()


# ---------------------------------------------------------------- a run's progress


def _sleeping_cell() -> tuple[int, int]:
    """(N, M) of the demo notebook's cell that sleeps, counted from its source's ``# %%`` markers."""
    cells = DEMO.read_text().split("\n# %%")[1:]  # the text before the first marker is the header
    return next(i for i, cell in enumerate(cells, 1) if "time.sleep" in cell), len(cells)


def test_a_running_run_shows_the_cell_it_is_on_and_the_time_so_far(live, browser):
    client = live["client"]
    started = client.post("/api/runs?wait=false", json={"notebook": "90_demo", "parameters": {"x": "3.75", "sleep_seconds": "8"}})
    run_id = started.json()["run_id"]

    number, of = _sleeping_cell()
    seen = []

    def sleeping():
        record = client.get(f"/api/runs/{run_id}").json()
        assert record["status"] in ("queued", "running"), record
        seen.append(record["progress"]["cell"] if record["progress"] else None)
        return record if seen[-1] == number else None

    record = wait_until(sleeping, 120, "the run to reach its sleeping cell")
    assert [n for n in seen if n is not None] == sorted(n for n in seen if n is not None)  # cell after cell
    assert record["progress"] == {"cell": number, "of": of} == {"cell": 4, "of": 4}
    assert record["elapsed_seconds"] >= 0
    later = wait_until(
        lambda: (r := client.get(f"/api/runs/{run_id}").json())["elapsed_seconds"] > record["elapsed_seconds"] and r,
        120,
        "time to pass",
    )
    assert later["progress"] == record["progress"]
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(live["base"] + record["run_url"])
        from playwright.sync_api import expect

        expect(page.locator("#run-progress")).to_have_text(f" — running cell {number} of {of}")
        expect(page.locator("#elapsed")).to_contain_text("s so far")
    finally:
        page.close()
    done = client.post("/api/runs", json={"notebook": "90_demo", "parameters": {"x": "3.75", "sleep_seconds": "8"}}).json()
    assert done["status"] == "ok" and done["progress"] is None and done["elapsed_seconds"] is None


# ---------------------------------------------------------------- the comparison, the short link, past runs


def _run(client, parameters: dict) -> dict:
    record = client.post("/api/runs", json={"notebook": "90_demo", "parameters": parameters}).json()
    assert record["status"] in ("ok", "cached"), record
    return record


def test_the_comparison_puts_changed_results_first_and_folds_unchanged_parameters(live):
    client = live["client"]
    record = _run(client, {"label": "xyz"})  # label is recorded after double; double stays 2 * 1.5 = 3
    page = client.get(record["run_url"]).text
    table = page.split('<table id="comparison">')[1].split("</table>")[0]
    rows = re.findall(r'<tr class="(\w+)( changed)?"><td>\w+</td><th scope="row">(\w+)</th><td>([^<]*)</td><td>([^<]*)', table)
    assert [(*row[:4], row[4].strip()) for row in rows] == [
        ("result", " changed", "label", "abc", "xyz"),
        ("result", "", "double", "3", "3"),
        ("parameter", " changed", "label", "abc", "xyz"),
    ]
    folded = page.split('<details id="unchanged-parameters">')[1].split("</details>")[0]
    assert "<summary>3 parameters at their defaults</summary>" in folded
    assert re.findall(r'<th scope="row">(\w+)</th>', folded) == ["x", "fail", "sleep_seconds"]


def test_the_comparison_groups_results_words_them_as_the_notebook_does_and_shows_the_figures_side_by_side(live, browser):
    client = live["client"]
    record = client.post("/api/runs", json={"notebook": "92_figures", "parameters": {"price": "120", "slope": "2"}}).json()
    assert record["status"] in ("ok", "cached"), record
    # By hand: revenue is 1,000 x price (RMB 100,000 by default, RMB 120,000 here: +RMB 20,000, +20.0%);
    # taken_share 0.25 is worded as a percentage; steps, in no group, is listed under "Other results".
    shown = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        from playwright.sync_api import expect

        shown.goto(live["base"] + record["run_url"])
        groups = shown.locator("#comparison tr.group th")
        expect(groups).to_have_text(
            [
                re.compile(r"^Money 1 result, 1 changed"),
                re.compile("^Shares"),
                re.compile("^Other results"),
                "Changed parameters",
            ]
        )
        revenue = shown.locator("#comparison tr.result", has_text="revenue").locator("td")
        expect(revenue).to_have_text(["result", "RMB 100,000", "RMB 120,000", "+RMB 20,000 (+20.0%)"])
        expect(shown.locator("#comparison tr.result", has_text="taken_share").locator("td")).to_have_text(
            ["result", "25.0%", "25.0%", ""]
        )
        pair = shown.locator("#figure-pair-1")
        default, run = pair.locator("figure.default img"), pair.locator("figure.run img")
        expect(default).to_have_attribute("alt", re.compile("A line of slope 1.0"))
        expect(run).to_have_attribute("alt", re.compile("A line of slope 2.0"))
        for image in (default, run):
            image.scroll_into_view_if_needed()
            expect(image).to_have_js_property("complete", True)
            assert image.evaluate("img => img.naturalWidth") > 0  # the PNG itself was served
        left, right = default.bounding_box(), run.bounding_box()
        assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2  # side by side
    finally:
        shown.close()
    assert client.get(f"/runs/{record['run_id']}/figures/2.png").status_code == 404


def test_the_run_page_shows_its_short_link_to_copy(live, browser):
    client = live["client"]
    record = _run(client, {"x": "2.25"})
    page = client.get(record["run_url"]).text
    short = f"{LOCAL}/runs/{record['run_id']}"
    assert f'<a id="short-link" href="/runs/{record["run_id"]}">{short}</a>' in page and len(short) < 60
    assert client.get(short, follow_redirects=False).headers["location"] == record["run_url"]
    context = browser.new_context(viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        shown = context.new_page()
        shown.goto(live["base"] + record["run_url"])
        shown.click("#copy-link")
        from playwright.sync_api import expect

        expect(shown.locator("#copy-link")).to_have_text("Copied")
        assert shown.evaluate("navigator.clipboard.readText()") == f"{live['base']}/runs/{record['run_id']}"
    finally:
        context.close()


def test_the_notebook_page_lists_its_past_runs_with_their_changed_parameters_to_filter(live, browser):
    client = live["client"]
    earlier, later = _run(client, {"x": "2.5"}), _run(client, {"label": "past"})
    page = client.get("/notebooks/90_demo").text
    listed = page.split('<ul id="past-runs">')[1].split("</ul>")[0]
    links = re.findall(r'<a href="(/runs/[^"]+)">([^<]+)</a>', listed)
    assert (f"/runs/{earlier['run_id']}", "x = 2.5") in links and (f"/runs/{later['run_id']}", "label = past") in links
    assert links.index((f"/runs/{later['run_id']}", "label = past")) < links.index((f"/runs/{earlier['run_id']}", "x = 2.5"))
    assert "No runs of it in the site yet." in client.get("/notebooks/01_governance").text
    shown = browser.new_page(viewport=PHONE)
    try:
        shown.goto(live["base"] + "/notebooks/90_demo")
        shown.fill("#runs-filter", "label = past")
        from playwright.sync_api import expect

        expect(shown.locator("#past-runs li:visible")).to_have_count(1)
        expect(shown.locator("#past-runs li:visible a")).to_have_attribute("href", f"/runs/{later['run_id']}")
        shown.fill("#runs-filter", "")
        expect(shown.locator("#past-runs li:visible")).to_have_count(listed.count("<li "))
    finally:
        shown.close()


def test_a_past_run_takes_a_label_by_post_shown_in_the_list_and_the_filter_and_a_bad_one_is_refused(live, browser):
    from trustlab.runner import sites

    client, site = live["client"], live["explorer"].site
    record = _run(client, {"x": "4.75"})
    folder = f"runs/{record['run_id']}"
    shown = browser.new_page(viewport=PHONE)
    try:
        from playwright.sync_api import expect

        shown.goto(live["base"] + "/notebooks/90_demo")
        item = shown.locator("#past-runs li", has_text="x = 4.75")
        item.locator("input[name=label]").fill("  board scenario ")
        item.locator("button", has_text="Save label").click()
        item = shown.locator("#past-runs li", has_text="x = 4.75")
        expect(item.locator("strong.run-label")).to_have_text("board scenario")
        assert sites.run_labels(site)[folder] == "board scenario"  # kept in the site's own record of its runs
        shown.fill("#runs-filter", "board scen")
        expect(shown.locator("#past-runs li:visible")).to_have_count(1)
        expect(shown.locator("#past-runs li:visible a")).to_have_attribute("href", f"/runs/{record['run_id']}")
        item.locator("input[name=label]").fill("x" * 81)
        item.locator("button", has_text="Save label").click()
        expect(shown.locator("#refused")).to_have_text("label: expected at most 80 characters, got 81")
    finally:
        shown.close()
    bell = client.post("/notebooks/90_demo/label", data={"folder": folder, "label": "a\x07b"})
    assert bell.status_code == 400 and "label: control character U+0007 at position 2; expected plain text" in bell.text
    elsewhere = client.post(
        "/notebooks/90_demo/label", data={"folder": folder, "label": "hijacked"}, headers={"Origin": "http://evil.example"}
    )
    assert elsewhere.status_code == 403
    unknown = client.post("/notebooks/90_demo/label", data={"folder": "runs/../../etc", "label": "x"})
    assert unknown.status_code == 404 and "folder: no run" in unknown.text
    assert sites.run_labels(site)[folder] == "board scenario"  # nothing refused changed it
    cleared = client.post("/notebooks/90_demo/label", data={"folder": folder, "label": ""}, follow_redirects=False)
    assert cleared.status_code == 303 and folder not in sites.run_labels(site)


# ---------------------------------------------------------------- a phone's width


def test_no_page_is_wider_than_a_390_px_phone(live, browser):
    client, explorer = live["client"], live["explorer"]
    record = _run(client, {"x": "12.5", "label": "a-label-long-enough-to-need-wrapping-on-a-phone-screen"})
    client.post("/notebooks/90_demo/sweep", data={"vary": "x", "start": "1", "stop": "2", "steps": "2"})
    sweep = next(job for job in explorer.sweeps.values() if job.notebook == "90_demo" and job.values == [1.0, 2.0])
    assert sweep.done.wait(120) and sweep.status == "ok"
    pages = [
        "/",
        "/notebooks/90_demo",
        "/notebooks/01_governance",
        "/notebooks/02_promotion_growth",
        "/notebooks/03_pricing_positioning?redemption_rate=0.5",
        record["run_url"],
        "/notebooks/90_demo/sweep?vary=x&start=1&stop=2&steps=2",
    ]
    shown = browser.new_page(viewport=PHONE)
    try:
        widths = {}
        for path in pages:
            shown.goto(live["base"] + path)
            widths[path] = shown.evaluate("document.documentElement.scrollWidth")
        assert {path: width for path, width in widths.items() if width > PHONE["width"]} == {}
    finally:
        shown.close()
