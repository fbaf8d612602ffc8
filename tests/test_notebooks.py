"""The notebooks of the collection: skeleton, parameters cell, sync with the committed .ipynb.

The smoke scenario of each is executed once, through the command line, by the build of
tests/runner/test_build.py, which checks its recorded results against REQUIRED_RESULTS below.

nbval (configured in pyproject.toml) separately re-executes every committed ``notebooks/*.ipynb``
and compares its outputs with the stored ones.
"""

from __future__ import annotations

import ast

import jupytext
import nbformat
import pytest
from nbval.plugin import find_comment_markers
from trustlab import results
from trustlab.runner import runs
from trustlab.runner.notebook import Notebook

NOTEBOOKS = runs.notebooks()
NAMES = [nb.stem for nb in NOTEBOOKS]

# The results each notebook must record (from its issue).
REQUIRED_RESULTS = {
    "00_source_facts": {
        "n_facts",
        "n_facts_by_topic",
        "n_unrepaired_spans",
        "festival_days",
        "fast_brand_orders_per_day",
        "trust_buy_orders_per_day_2021",
        "interceptions_per_day_2021",
        "quote_problems",
    },
    "01_governance": {
        "interceptions_per_day",
        "bans_per_day",
        "new_store_blocks_per_day",
        "blocks_per_ban",
        "interceptions_per_million_dau",
        "report_rate_z",
        "report_rate_p_value",
        "minimum_detectable_relative_change",
    },
    "02_promotion_growth": {
        "gmv_per_merchant_change",
        "views_per_order",
        "fast_brand_orders_per_day",
        "trust_buy_daily_2021",
        "trust_buy_daily_festival",
        "forecast",
        "backtest_mape",
        "backtest_coverage",
        "q4_vs_others",
        "q2_vs_others",
        "effects_bootstrap",
        "holdout_mape",
        "backtest_mape_by_method",
    },
    "03_pricing_positioning": {
        "discount_depth",
        "units_per_minute",
        "recall_cost_a",
        "recall_cost_b",
        "breakeven_redemption_rate",
        "critical_ratio",
        "newsvendor_quantity",
        "newsvendor_expected_profit",
        "presale_expected_profit",
        "breakeven_cancel_share",
        "eligible_brands",
        "logit_params",
        "logit_converged",
        "logit_far_terms",
        "breakeven_cost_ratio",
        "b_cheaper_at_every_redemption",
        "claim_holds_in_model",
    },
    "04_community_trust": {
        "growth_pairs",
        "growth_pairs_primary",
        "slope",
        "slope_lower",
        "slope_upper",
        "power_at_target",
        "detectable_correlation",
        "mutual_follow_growth_quarters",
        "trust_buy_share_2021",
        "trust_buy_share_since_launch",
        "trust_buy_share_616",
        "repurchase_comparable_pairs",
    },
}
SECTIONS = ("## Data", "## Method", "## Result", "## Caveats", "## References")


def test_every_required_notebook_exists():
    assert set(REQUIRED_RESULTS) <= set(NAMES)


@pytest.mark.parametrize("source", NOTEBOOKS, ids=NAMES)
def test_skeleton_and_parameters_cell(source):
    nb = jupytext.read(source)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for section in SECTIONS:
        assert section in markdown, f"{source.name} lacks a '{section}' section"
    declared = Notebook.load(source).parameters
    assert declared, "no parameters declared"
    for p in declared.values():
        assert p.help, f"parameter {p.name!r} of {source.name} has no help comment"
    assert Notebook.load(source).scenario_path("smoke").exists()
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    # its own question's contract checks the parameters in the kernel, never the runner (issue 24)
    checks = (".Parameters.check_notebook(globals())",)
    assert "trustlab.runner" not in "\n".join(code), f"{source.name} imports the runner"
    assert any(check in "\n".join(code) for check in checks), f"{source.name} does not check its parameters"
    assert "environment_table()" in code[-1], "the last cell must show the environment"
    assert ("check", False) in list(find_comment_markers(code[-1])), "nbval must skip the environment's output"
    assert "sys.path" not in "\n".join(code)


@pytest.mark.parametrize("source", NOTEBOOKS, ids=NAMES)
def test_committed_notebook_is_in_sync_with_its_source(source):
    committed = source.with_suffix(".ipynb")
    assert committed.exists(), f"{committed.name} missing: run `make notebooks`"
    stored = nbformat.read(committed, as_version=4)
    fresh = jupytext.read(source)

    def cells(nb):  # the tags too: the report page reads them (remove-input, remove-cell)
        return [(c.cell_type, c.source, [t for t in c.metadata.get("tags", []) if t != "injected-parameters"]) for c in nb.cells]

    assert cells(stored) == cells(fresh), f"{committed.name} is stale: run `make notebooks`"
    recorded = results.collect(stored)
    missing = REQUIRED_RESULTS.get(source.stem, set()) - set(recorded)
    assert not missing, f"{committed.name} lacks the recorded results {sorted(missing)} of its default run"
    assert "papermill" not in stored.metadata


def _display_problems(code: str) -> list[str]:
    """Tables shown other than through trustlab.tables_display: a pandas Styler built in the
    notebook (``.style``), or ``display(x)`` of anything but Markdown, a bullet list or a
    ``tables_display.styled(...)`` chain."""
    problems = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Attribute) and node.attr == "style":
            problems.append(f"line {node.lineno}: a Styler built in the notebook (use tables_display.show/styled)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "display":
            shown = ast.unparse(node.args[0]) if node.args else ""
            if not shown.startswith(("Markdown(", "bullets(", "tables_display.styled(")):
                problems.append(f"line {node.lineno}: display({shown[:60]}) is not through tables_display")
    return problems


@pytest.mark.parametrize("source", NOTEBOOKS, ids=NAMES)
def test_every_table_goes_through_tables_display(source):
    nb = jupytext.read(source)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    problems = [p for cell in code[:-1] for p in _display_problems(cell)]  # the last cell: the environment, left off the page
    assert not problems, "\n".join(problems)
    # and in the executed notebook no output is a raw DataFrame (pandas' own HTML, class="dataframe")
    stored = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    raw = [
        i
        for i, c in enumerate(stored.cells[:-1])
        for o in c.get("outputs", [])
        if 'class="dataframe"' in str((o.get("data") or {}).get("text/html", ""))
    ]
    assert not raw, f"cells {raw} of {source.stem}.ipynb show a raw DataFrame"


def test_the_display_check_catches_raw_tables():
    assert _display_problems("display(df)") and _display_problems("display(df.style.format('{:.1f}'))")
    assert _display_problems("x = df.style")
    assert not _display_problems("display(Markdown('a'))\ntables_display.show(df)\ndisplay(tables_display.styled(df).apply(f))")
