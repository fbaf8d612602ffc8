"""Conditioning: each notebook's analysis, run on its data perturbed by a relative 1e-9, records the
same results within the tolerances nbval uses (trustlab.results: relative 1e-6, 1e-4 for a value an
optimizer computes) and exactly the same verdicts (strings, booleans, counts).

A result that moves more than that under a perturbation in the 9th digit comes from an ill-conditioned
computation (a fit that did not converge, a likelihood too flat to locate): its last digits would move
with the CPU's BLAS kernel too, and a report re-run on another machine would differ. The perturbation
multiplies every numeric value the data loaders return by 1 + 1e-9 or 1 - 1e-9 (alternating by row,
so ratios move as well as levels); the simulated inputs of notebook 03 move with its float parameters.
"""

from __future__ import annotations

import importlib

import pandas as pd
import pytest
from trustlab.results import OPTIMIZER_RTOL, RESULT_RTOL, differences, to_jsonable
from trustlab.runner import runs
from trustlab.runner.notebook import Notebook

RELATIVE_PERTURBATION = 1e-9
LOADERS = [
    ("trustlab.data.quarterly", "load_quarterly"),
    ("trustlab.data.facts", "load_facts"),
    ("trustlab.data.trust_report", "load_trust_report"),
    ("trustlab.data.positioning", "load_positioning"),
    ("trustlab.data.annual", "load_annual"),
    ("trustlab.data.community", "load_community"),
]
NOTEBOOKS = [nb.stem for nb in runs.notebooks()]


def _perturbed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    signs = pd.Series([1.0 if i % 2 == 0 else -1.0 for i in range(len(out))], index=out.index)
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column] * (1.0 + RELATIVE_PERTURBATION * signs)
    return out


def _perturb_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    for module_name, name in LOADERS:
        module = importlib.import_module(module_name)
        original = getattr(module, name)

        def perturbed_loader(*args, _original=original, **kwargs):
            return _perturbed(_original(*args, **kwargs))

        monkeypatch.setattr(module, name, perturbed_loader)


def _perturbed_params(defaults: dict) -> dict:
    return {
        k: v * (1.0 + RELATIVE_PERTURBATION) if isinstance(v, float) and not isinstance(v, bool) else v
        for k, v in defaults.items()
    }


def test_the_perturbation_moves_every_loaded_value_by_a_relative_1e_9(monkeypatch):
    from trustlab.data import quarterly

    plain = quarterly.load_quarterly()
    _perturb_loaders(monkeypatch)
    moved = quarterly.load_quarterly()
    ratio = (moved["value"] / plain["value"] - 1.0).abs()
    assert ((ratio - RELATIVE_PERTURBATION).abs() < 1e-12).all()


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_results_and_verdicts_survive_a_perturbation_in_the_ninth_digit(notebook, monkeypatch):

    loaded = Notebook.load(notebook)
    analysis = loaded.fast_function()
    module = importlib.import_module(analysis.__module__)
    optimizer_results = getattr(module, "OPTIMIZER_RESULTS", frozenset())
    defaults = {name: p.default for name, p in loaded.parameters.items()}
    base = to_jsonable(analysis(dict(defaults)))
    _perturb_loaders(monkeypatch)
    moved = to_jsonable(analysis(_perturbed_params(defaults)))
    problems = []
    for name in sorted(set(base) | set(moved)):
        rtol = OPTIMIZER_RTOL if name in optimizer_results else RESULT_RTOL
        problems += differences(base.get(name), moved.get(name), rtol, name)
    assert not problems, "\n".join(problems)
