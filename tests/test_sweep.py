"""Sweeps: grid expansion and checks, a Dask sweep on a LocalCluster, and run diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from trustlab import sweep
from trustlab.params import ParameterError

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DEMO = FIXTURES / "90_demo.py"


def test_grid_expands_every_combination_then_listed_points(tmp_path):
    grid = tmp_path / "g.yaml"
    grid.write_text("grid:\n  x: [1, 2]\n  label: [a, b]\nfixed:\n  fail: false\npoints:\n  - {x: 9}\n")
    points = sweep.load_grid(grid)
    assert points == [
        {"fail": False, "x": 1, "label": "a"},
        {"fail": False, "x": 1, "label": "b"},
        {"fail": False, "x": 2, "label": "a"},
        {"fail": False, "x": 2, "label": "b"},
        {"fail": False, "x": 9},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grid: [1, 2\n", "malformed YAML"),
        ("x: [1]\n", "expected a mapping with 'grid' and/or 'points'"),
        ("grid:\n  x: 3\n", "grid entry 'x' must be a non-empty list of values, got 3"),
        ("grid:\n  x: [1]\nextra: 1\n", "unknown key(s) ['extra']"),
        ("points:\n  - 5\n", "points[0] must be a mapping of parameter values, got 5"),
    ],
)
def test_bad_grid_files_are_rejected(tmp_path, text, message):
    grid = tmp_path / "bad.yaml"
    grid.write_text(text)
    with pytest.raises(ParameterError) as info:
        sweep.load_grid(grid)
    assert message in str(info.value) and str(grid) in str(info.value)


def test_every_point_is_checked_before_anything_runs():
    with pytest.raises(ParameterError, match=r"sweep point 1 \{'x': -1\}: parameter 'x': expected > 0"):
        sweep.resolve_points(DEMO, [{"x": 1}, {"x": -1}])


def test_notebook_sweep_on_a_local_dask_cluster(tmp_path):
    resolved = sweep.resolve_points(DEMO, [{"x": 1, "label": "007"}, {"x": 2.5}])
    table = sweep.run_notebooks(DEMO, resolved, tmp_path / "sweep", workers=2)
    assert list(table["status"]) == ["ok", "ok"]
    assert list(table["result.double"]) == [2.0, 5.0]
    assert list(table["param.label"]) == ["007", "abc"]
    csv, parquet = sweep.write_table(table, tmp_path / "sweep")
    assert pd.read_parquet(parquet)["result.double"].tolist() == [2.0, 5.0]
    assert pd.read_csv(csv, dtype={"param.label": str})["param.label"].tolist() == ["007", "abc"]
    for i in range(2):
        assert (tmp_path / "sweep" / f"point-{i:04d}" / "results.json").exists()


def test_diff_lists_changed_parameters_and_results(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "results.json").write_text(json.dumps({"parameters": {"x": 1, "y": 2}, "results": {"r": {"v": 1}, "s": 3}}))
    (b / "results.json").write_text(json.dumps({"parameters": {"x": 1, "y": 5}, "results": {"r": {"v": 2}, "s": 3}}))
    table = sweep.diff_runs(a, b)
    assert table.to_dict(orient="records") == [
        {"kind": "parameter", "name": "y", "a": 2, "b": 5},
        {"kind": "result", "name": "r.v", "a": 1, "b": 2},
    ]
    with pytest.raises(ParameterError, match="no results.json there"):
        sweep.diff_runs(a, tmp_path / "missing")


def test_fast_sweep_equals_the_notebook_runs_at_sampled_points(tmp_path):
    """The analysis function and the notebook agree exactly on every recorded result."""
    from trustlab import params

    smoke = params.scenario_path("03_pricing_positioning", "smoke")
    base = params.resolve("03_pricing_positioning", files=[smoke])
    points = sweep.resolve_points("03_pricing_positioning", [
        {**base, "redemption_rate": 0.15, "seed": 11},
        {**base, "redemption_rate": 0.8, "presale_cancel_share": 0.3, "seed": 5},
    ])
    fast = sweep.run_fast("03_pricing_positioning", points)
    slow = sweep.run_notebooks("03_pricing_positioning", points, tmp_path / "sweep", workers=2)
    assert list(slow["status"]) == ["ok", "ok"]
    result_columns = sorted(c for c in slow.columns if c.startswith("result."))
    assert len(result_columns) >= 12
    assert set(result_columns) <= set(fast.columns), "the notebook records a result the fast path lacks"
    pd.testing.assert_frame_equal(fast[result_columns], slow[result_columns], check_exact=True)
    assert fast["result.recall_cost_b"].iloc[0] != fast["result.recall_cost_b"].iloc[1]


def test_fast_sweep_needs_a_declared_analysis_function():
    with pytest.raises(ParameterError, match="notebook 90_demo has no fast analysis function"):
        sweep.fast_function(DEMO)


def test_sweeps_run_on_an_existing_dask_scheduler(tmp_path):
    import logging

    from dask.distributed import LocalCluster

    from trustlab import params

    smoke = params.resolve("03_pricing_positioning", files=[params.scenario_path("03_pricing_positioning", "smoke")])
    fast_points = sweep.resolve_points("03_pricing_positioning", [{**smoke, "seed": s} for s in (1, 2, 1)])
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        table = sweep.run_fast("03_pricing_positioning", fast_points, scheduler=cluster.scheduler_address)
        notebook = sweep.run_notebooks(
            DEMO, sweep.resolve_points(DEMO, [{"x": 4}]), tmp_path / "s", scheduler=cluster.scheduler_address
        )
    assert list(table["status"]) == ["ok"] * 3
    pd.testing.assert_series_equal(table.loc[0].filter(like="result."), table.loc[2].filter(like="result."),
                                   check_names=False)
    assert notebook["result.double"].tolist() == [8.0]
