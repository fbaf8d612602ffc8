"""Two runs compared (``trustlab diff`` and the explorer share :mod:`trustlab.runner.compare`): the
results in the notebook's own groups, worded as its narrative words them, changed ones first."""

from __future__ import annotations

import json

import pytest
from cli_process import trustlab
from trustlab import config, results
from trustlab.runner import compare
from trustlab.runner.notebook import Notebook

GROUPED = ["01_governance", "02_promotion_growth", "03_pricing_positioning"]


def _committed_results(name: str) -> dict:
    return results.collect(json.loads((config.NOTEBOOKS_DIR / f"{name}.ipynb").read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", GROUPED)
def test_every_recorded_result_is_in_exactly_one_group_of_its_notebook(name):
    groups = Notebook.load(name).result_groups()
    named = [result for members in groups.values() for result in members]
    assert len(named) == len(set(named)), f"{name}: a result in two groups"
    assert sorted(named) == sorted(_committed_results(name)), f"{name}: groups and recorded results differ"


def _pricing_runs(tmp_path):
    """Two records of 03 that differ in one parameter and three results (values set by hand)."""
    base = _committed_results("03_pricing_positioning")
    changed = {**base, "recall_cost_b": 201080.0, "eligible_share": 0.02, "logit_converged": not base["logit_converged"]}
    folders = []
    for label, values, rate in (("a", {**base, "recall_cost_b": 191680.0, "eligible_share": 0.01665}, 0.8), ("b", changed, 0.9)):
        folder = tmp_path / label
        folder.mkdir()
        record = {"notebook": "03_pricing_positioning", "parameters": {"redemption_rate": rate}, "results": values}
        (folder / "results.json").write_text(json.dumps(record), encoding="utf-8")
        folders.append(folder)
    return folders


def test_diff_groups_the_results_as_the_notebook_does_and_words_them_with_its_narrative(tmp_path):
    a, b = _pricing_runs(tmp_path)
    proc = trustlab("diff", str(a), str(b))
    assert proc.returncode == 1, proc.stderr
    headings = [block.splitlines()[0] for block in proc.stdout.strip().split("\n\n")]
    # Declared order among the groups that differ: the recall, buyers' choice, fast-brand support; then the parameters.
    assert headings == ["The recall", "Buyers' choice (simulation)", "Fast-brand support", "Parameters"]
    recall = proc.stdout.split("\n\n")[0]
    # By hand: 201,080 - 191,680 = 9,400, and 9,400 / 191,680 = 4.90 %.
    assert "RMB 191,680" in recall and "RMB 201,080" in recall and "+RMB 9,400 (+4.9%)" in recall
    support = proc.stdout.split("\n\n")[2]
    # 0.01665 and 0.02 as percentages; (0.02 - 0.01665) / 0.01665 = +20.1 %.
    assert "1.7%" in support and "2.0%" in support and "(+20.1%)" in support
    as_json = json.loads(trustlab("diff", str(a), str(b), "--json").stdout)
    assert as_json["groups"][0] == {"title": "The recall", "names": ["recall_cost_b"]}
    assert as_json["groups"][-1] == {"title": "Parameters", "names": ["redemption_rate"]}


def test_groups_with_a_change_come_first_and_changed_rows_first_within_them():
    rows = [
        {"name": "a1", "a": 1, "b": 1},
        {"name": "a2", "a": 1, "b": 2},
        {"name": "b1", "a": 0.5, "b": 0.5},
        {"name": "c.x", "a": 1.0, "b": 3.0},
    ]
    groups = {"A": {"a1": str, "a2": str}, "B": {"b1": lambda v: f"{100 * v:.0f} per cent"}}
    sections = compare.group_rows(rows, groups)
    assert [(s["title"], [r["name"] for r in s["rows"]], s["changed"]) for s in sections] == [
        ("A", ["a2", "a1"], 1),
        (compare.OTHER_RESULTS, ["c.x"], 1),
        ("B", ["b1"], 0),
    ]
    assert sections[2]["rows"][0]["a_shown"] == "50 per cent"  # the group's own wording
    assert sections[1]["rows"][0]["change"] == "+2 (+200.0%)"  # 3 - 1 = 2, 2 / 1 = +200 %
    assert compare.shown([[-0.649167667592274, 20.0]], lambda v: f"{v:.2f}") == "[[-0.65, 20.00]]"  # nested lists too


@pytest.mark.parametrize(
    ("a", "b", "formatter", "expected"),
    [
        (0.25, 0.30, "percent", "+5.0 pp (+20.0%)"),  # 30 % - 25 % = 5 points; 0.05 / 0.25 = 20 %
        (-0.10, -0.05, "signed_percent", "+5.0 pp (+50.0%)"),  # one sign, not "++5.0%"; 0.05 / 0.10 = 50 %
        (191680.0, 182280.0, "rmb", "−RMB 9,400 (−4.9%)"),  # 9,400 / 191,680 = 4.90 %
        (0.01, 0.002, "p_value", "−0.008 (−80.0%)"),  # "p = 0.008" says nothing of a gap: the plain number
    ],
)
def test_a_change_is_worded_in_the_values_own_units(a, b, formatter, expected):
    from trustlab import prose
    from trustlab.pricing.narrative import rmb

    wording = {"percent": prose.percent, "signed_percent": prose.signed_percent, "rmb": rmb, "p_value": prose.p_value}
    assert compare.change_text(a, b, wording[formatter]) == expected
