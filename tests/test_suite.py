"""The suite's own set-up (the root conftest.py and pyproject.toml): a random order that leaves each
notebook's cells in order, hypothesis examples that no reseeding changes, the quick profile's cap,
and markers that must be registered.

Each test runs pytest (in this process: a new interpreter costs seconds of plugin imports) on a small
project of its own (pytester) whose conftest.py is a copy of the checkout's, so it checks that file
as the suite loads it.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from trustlab import config

ROOT_CONFTEST = config.PROJECT_ROOT / "conftest.py"
SEEDS = ["1", "2", "3"]


@pytest.fixture
def project(pytester):
    """A pytester project with the checkout's root conftest.py and no options of its own. The
    hypothesis profile the inner runs load is this session's again afterwards."""
    from hypothesis import settings

    pytester.makeconftest(ROOT_CONFTEST.read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\n")
    profile = settings.get_current_profile_name()
    try:
        yield pytester
    finally:
        settings.load_profile(profile)


def _notebook(cells: int) -> nbformat.NotebookNode:
    """Cell i checks that cell i - 1 ran just before it: a cell out of order fails."""
    code = ["step = 0"] + [f"assert step == {i - 1}, step\nstep = {i}" for i in range(1, cells)]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in code])


def _collected(pytester, *args: str) -> list[str]:
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider", "-n", "0", *args)
    assert result.ret == 0, result.stdout.str()
    return [line for line in result.stdout.lines if "::" in line]


def test_a_random_order_keeps_each_notebooks_cells_together_and_in_order(project):
    for name in ("first", "second"):
        nbformat.write(_notebook(6), project.path / f"{name}.ipynb")
    project.makepyfile(test_plain="\n".join(f"def test_{i}():\n    pass\n" for i in range(12)))
    orders = []
    for seed in SEEDS:
        items = _collected(project, "--nbval", "-p", "randomly", f"--randomly-seed={seed}")
        for name in ("first", "second"):
            positions = [i for i, item in enumerate(items) if item.startswith(f"{name}.ipynb::")]
            assert len(positions) == 6 and positions == list(range(positions[0], positions[0] + 6)), items
            cells = [int(re.search(r"Cell (\d+)$", items[i]).group(1)) for i in positions]
            assert cells == list(range(6)), f"seed {seed}: {items}"
        orders.append([item for item in items if item.startswith("test_plain.py::")])
    assert len({tuple(order) for order in orders}) > 1, "the plain tests were never shuffled: is pytest-randomly active?"


@pytest.mark.kernel
def test_a_notebook_passes_under_nbval_in_a_random_order(project):
    nbformat.write(_notebook(8), project.path / "chain.ipynb")
    result = project.runpytest(
        "-p", "no:cacheprovider", "-n", "0", "--nbval", "--nbval-current-env", "-p", "randomly", "--randomly-seed=3"
    )
    result.assert_outcomes(passed=8)


HYPOTHESIS_TEST = """
import json, random
from hypothesis import given, settings, strategies as st

@settings(max_examples={examples}, deadline=None)
@given(st.integers(0, 10**9))
def test_draws(value):
    random.random()  # what pytest-randomly reseeds
    with open("drawn.txt", "a") as out:
        out.write(json.dumps(value) + "\\n")
"""


def _drawn(project, *args: str) -> list[int]:
    """The examples the property test drew, in order, in one run of pytest with ``args``."""
    drawn = project.path / "drawn.txt"  # the test's working directory is the project
    drawn.unlink(missing_ok=True)
    result = project.runpytest("-p", "no:cacheprovider", "-n", "0", *args)
    result.assert_outcomes(passed=1)
    return [int(line) for line in drawn.read_text().splitlines()]


def test_hypothesis_draws_the_same_examples_whatever_seed_pytest_randomly_uses(project):
    project.makepyfile(test_property=HYPOTHESIS_TEST.format(examples=25))
    runs = [_drawn(project, "-p", "randomly", f"--randomly-seed={seed}") for seed in ("1", "987654")]
    runs.append(_drawn(project, "-p", "no:randomly"))
    assert len(runs[0]) == 25 and len(set(runs[0])) > 1
    assert runs[1] == runs[0] and runs[2] == runs[0], "derandomize is broken: the examples depend on the seed"


def test_the_quick_profile_caps_a_tests_own_max_examples_and_the_full_one_keeps_it(project):
    quick = int(re.search(r"^QUICK_EXAMPLES = (\d+)", ROOT_CONFTEST.read_text(), re.M).group(1))
    project.makepyfile(test_property=HYPOTHESIS_TEST.format(examples=40))
    assert len(_drawn(project, "--hypothesis-profile", "quick")) == quick
    assert len(_drawn(project)) == 40  # the full profile, loaded by default
    assert len(_drawn(project, "--hypothesis-profile", "full")) == 40


def test_the_suites_markers_are_registered_and_strict():
    import tomllib

    ini = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--strict-markers" in ini["addopts"].split()
    assert {line.split(":")[0] for line in ini["markers"]} == {"kernel", "browser", "slow"}


MARKED_BY_FIXTURE_TESTS = """
import pytest

@pytest.fixture
def browser():
    return "a browser"

@pytest.fixture
def page(browser):
    return browser

def test_asks_for_the_browser(browser):
    pass

def test_gets_it_through_another_fixture(page):
    pass

def test_plain():
    pass
"""


def test_a_test_using_the_browser_fixture_is_marked_browser_without_saying_so(project):
    """tests/conftest.py marks by fixture: a browser test not marked by its writer still stays out
    of `make test-fast`, whether it asks for ``browser`` itself or through another fixture."""
    tests = project.mkdir("tests")
    (tests / "conftest.py").write_text((config.PROJECT_ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"))
    (tests / "test_pages.py").write_text(MARKED_BY_FIXTURE_TESTS)
    kept = _collected(project, "tests", "-m", "not browser")
    assert kept == ["tests/test_pages.py::test_plain"]
    assert len(_collected(project, "tests", "-m", "browser")) == 2


@pytest.mark.slow  # two pytest runs, each starting a worker
def test_the_suites_workers_use_one_blas_thread_unless_told_otherwise(project, monkeypatch):
    """The root conftest.py asks BLAS for one thread in the processes pytest-xdist starts (each worker
    with a pool as wide as the machine oversubscribes it); a value set by the caller is kept."""
    seen = project.path / "seen.txt"
    project.makepyfile(
        test_env=f"import os\n\ndef test_env():\n    open({str(seen)!r}, 'w').write(repr([os.environ.get(v) for v in "
        "('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')]))\n"
    )
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    project.runpytest_subprocess("-p", "no:cacheprovider", "-n", "1").assert_outcomes(passed=1)
    assert seen.read_text() == "['1', '1', '1']"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    project.runpytest_subprocess("-p", "no:cacheprovider", "-n", "1").assert_outcomes(passed=1)
    assert seen.read_text() == "['3', '1', '1']"
