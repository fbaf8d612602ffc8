"""Sentence builders at the edges of their ranges, and the narrative check the notebooks' property tests use."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from trustlab import prose

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
positive = st.floats(min_value=1e-9, max_value=1e12, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (100, 148, "up 48.0%"),
        (100, 76.9, "down 23.1%"),
        (100, 100, "unchanged"),
        (100, 240, "up 2.4-fold (+140.0%)"),
        (100, 1, "down 99.0%"),
        (0, 5, "from zero to 5"),
        (0, 0, "unchanged at zero"),
        (-2, 3, "from −2 to 3 (a change of sign)"),
        (100, 100.001, "essentially unchanged (less than 0.05%)"),
    ],
)
def test_change_in_words(old, new, expected):
    assert prose.change(old, new) == expected


@given(finite, finite)
def test_change_never_prints_a_contradiction(old, new):
    text = prose.change(old, new)
    assert not prose.narrative_problems(text), text
    if old > 0 and new > old * 1.0005:
        assert text.startswith(("up", "from")), text
    if old > 0 and 0 < new < old * 0.9995:
        assert text.startswith("down"), text


@given(positive)
def test_fold_is_never_negative_or_below_one(ratio):
    text = prose.fold(ratio)
    assert not prose.narrative_problems(text), text
    assert text.endswith("-fold") == (ratio >= 1)


def test_percent_refuses_a_share_outside_0_and_1():
    assert prose.percent(0.125) == "12.5%"
    for bad in (-0.01, 1.5, math.nan, math.inf):
        with pytest.raises(ValueError):
            prose.percent(bad)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0, "p < 1e-300"),
        (1e-320, "p < 1e-300"),
        (3e-12, "p < 1e-11"),
        (0.0004, "p < 0.001"),
        (0.032, "p = 0.032"),
        (0.5, "p = 0.50"),
        (1.0, "p = 1.00"),
    ],
)
def test_p_value_reports_underflow_as_a_bound(p, expected):
    assert prose.p_value(p) == expected


def test_signed_percent_and_numbers():
    assert prose.signed_percent(0.12) == "+12.0%"
    assert prose.signed_percent(-0.034) == "−3.4%"
    assert prose.signed_percent(-0.00001) == "0.0%"
    assert prose.number(171068.4) == "171,068"
    assert prose.number(2.5678) == "2.57"
    assert prose.number(0.012345) == "0.0123"
    assert prose.number(-1e-300) == "−1e-300"
    with pytest.raises(ValueError):
        prose.number(math.inf)


def test_error_percent_may_exceed_100_but_not_go_negative():
    assert prose.error_percent(1.0644) == "106.4%"
    assert prose.error_percent(0.058) == "5.8%"
    with pytest.raises(ValueError):
        prose.error_percent(-0.1)


def test_join():
    assert prose.join([]) == "" and prose.join(["a"]) == "a"
    assert prose.join(["a", "b", "c"]) == "a, b and c"


@pytest.mark.parametrize(
    "text",
    [
        "GMV up -99%",
        "GMV +-99%",
        "grown -0.5-fold",
        "grown 0.0-fold",
        "at inf or more",
        "a nan share",
        "45000.000% of the average DAU",
        "the parameter was None",
    ],
)
def test_narrative_problems_finds_what_the_reviews_found(text):
    assert prose.narrative_problems(text), text


def test_narrative_problems_accepts_ordinary_prose():
    text = (
        "GMV per merchant is down 23.1%; orders grew 2.4-fold (+140.0%); participants are 4.5% of "
        "the average DAU; information and influence are words, not numbers; p < 1e-300."
    )
    assert prose.narrative_problems(text) == []
