"""Tests of trustlab.promotion.effects and effects_narrative: quarter contrasts against hand-computed
patterns, the bootstrap check, and verdict words that follow the printed intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trustlab import promotion as p
from trustlab.data import quarterly
from trustlab.promotion import effects as ef

SEASON = {1: 0.0, 2: np.log(1.1), 3: np.log(1.04), 4: np.log(1.5)}  # log level of each quarter of the year


@pytest.fixture(scope="module")
def gmv() -> pd.Series:
    return quarterly.wide(quarterly.load_quarterly())["gmv_rmb_bn"]


def _noise_free(trend) -> pd.Series:
    idx = pd.period_range("2021Q1", "2025Q3", freq="Q")
    t = np.arange(len(idx))
    y = np.exp(5 + trend(t) + np.array([SEASON[q.quarter] for q in idx]))
    s = pd.Series(y, index=idx)
    s.iloc[3] = np.nan  # a gap is skipped, not filled
    return s


@pytest.mark.parametrize(
    ("trend", "path"),
    [("linear", lambda t: 0.05 * t), ("quadratic", lambda t: 0.1 * t - 0.003 * t**2), ("log-time", lambda t: 0.4 * np.log1p(t))],
)
def test_contrasts_of_a_noise_free_series_are_the_quarter_ratios(trend, path) -> None:
    c = ef.quarter_contrasts(_noise_free(path), trend=trend).set_index(["quarter", "against"])
    assert len(c) == 12
    # By hand: Q2 sells 1.1 / 1.0 of Q1, 1.1 / 1.04 of Q3, 1.1 / 1.5 of Q4 at the same trend level.
    assert c.loc[("Q2", "Q1"), "effect"] == pytest.approx(0.1, abs=1e-9)
    assert c.loc[("Q2", "Q3"), "effect"] == pytest.approx(1.1 / 1.04 - 1, abs=1e-9)
    assert c.loc[("Q2", "Q4"), "effect"] == pytest.approx(1.1 / 1.5 - 1, abs=1e-9)
    assert c.loc[("Q4", "Q1"), "effect"] == pytest.approx(0.5, abs=1e-9)
    assert c.loc[("Q1", "Q4"), "effect"] == pytest.approx(1 / 1.5 - 1, abs=1e-9)
    assert (c["n"] == 18).all()


def test_quarter_effects_recover_a_known_pattern() -> None:
    idx = pd.period_range("2021Q1", "2025Q3", freq="Q")
    t = np.arange(len(idx))
    season = {1: 0.0, 2: np.log(1.1), 3: 0.0, 4: np.log(1.5)}
    rng = np.random.default_rng(1)
    y = np.exp(5 + 0.05 * t + np.array([season[p_.quarter] for p_ in idx]) + rng.normal(0, 0.005, len(idx)))
    s = pd.Series(y, index=idx)
    s.iloc[3] = np.nan
    eff = p.quarter_effects(s, reference_quarter=3).set_index("quarter")
    assert eff.loc["Q4", "effect"] == pytest.approx(0.5, abs=0.02)
    assert eff.loc["Q2", "effect"] == pytest.approx(0.1, abs=0.02)
    assert eff.loc["Q4", "lower"] < eff.loc["Q4", "effect"] < eff.loc["Q4", "upper"]
    assert eff.loc["Q4", "n"] == len(idx) - 1


def test_contrasts_match_a_refit_with_each_reference(gmv: pd.Series) -> None:
    """Q2 against Q3 (and Q1) from one fit equals the treatment-coded fit with Q3 (Q1) as reference:
    the same HAC covariance, reparameterised."""
    c = ef.quarter_contrasts(gmv, trend="quadratic").set_index(["quarter", "against"])
    for ref in (1, 3):
        e = p.quarter_effects(gmv, reference_quarter=ref, trend="quadratic").set_index("quarter").loc["Q2"]
        got = c.loc[("Q2", f"Q{ref}")]
        for col in ("effect", "lower", "upper", "p_value"):
            assert got[col] == pytest.approx(e[col], rel=1e-9)


def test_q2_against_q1_is_the_reviewers_figure(gmv: pd.Series) -> None:
    """The expert review recomputed it independently: +6.2 % (95 % CI +1.3 % to +11.3 %, p = 0.017)."""
    e = p.effect_specifications(gmv).effect("Q2", "Q1")
    assert (round(100 * e["effect"], 1), round(100 * e["lower"], 1), round(100 * e["upper"], 1)) == (6.2, 1.3, 11.3)
    assert round(e["p_value"], 3) == 0.017


def test_effect_specifications_choose_by_bic_and_use_t(gmv: pd.Series) -> None:
    es = p.effect_specifications(gmv)
    t = es.table.set_index("trend")
    assert set(t.index) == set(p.TRENDS)
    assert es.chosen == t["bic"].idxmin()
    assert (t["df"] == t["n"] - np.where(t.index == "quadratic", 6, 5)).all()  # df = n - k
    assert t.loc["linear", "durbin_watson"] < 1  # the linear trend leaves strong autocorrelation
    q4 = es.effect("Q4", "Q3")
    assert q4["lower"] < q4["effect"] < q4["upper"]
    assert set(es.contrasts["trend"]) == set(p.TRENDS)


def test_quadratic_trend_recovers_contrasts_under_slowing_growth() -> None:
    idx = pd.period_range("2021Q1", "2025Q3", freq="Q")
    t = np.arange(len(idx))
    season = {1: 0.0, 2: np.log(0.95), 3: 0.0, 4: np.log(1.3)}
    rng = np.random.default_rng(3)
    y = np.exp(5 + 0.1 * t - 0.003 * t**2 + np.array([season[q.quarter] for q in idx]) + rng.normal(0, 0.003, len(idx)))
    es = p.effect_specifications(pd.Series(y, index=idx))
    assert es.chosen == "quadratic"
    assert es.effect("Q4", "Q3")["effect"] == pytest.approx(0.3, abs=0.02)
    assert es.effect("Q2", "Q1")["effect"] == pytest.approx(-0.05, abs=0.02)


def test_bootstrap_with_one_block_redraws_the_data_itself() -> None:
    """A block as long as the series can only start at the first observation: every replication is the
    fit plus the residuals in their own order (rescaled by sqrt(n / (n - k))), so each interval
    collapses to the OLS contrast of that one redraw, computed here by hand with numpy."""
    rng = np.random.default_rng(5)
    s = _noise_free(lambda t: 0.05 * t) * np.exp(rng.normal(0, 0.01, 19))
    b = ef.bootstrap_contrasts(s, "linear", replications=99, block_length=18).set_index(["quarter", "against"])
    assert (b["boot_lower"] == b["boot_upper"]).all()
    # the redraw: fitted + sqrt(n / (n - k)) x residuals, with n = 18 observations and k = 5 coefficients
    obs = s.dropna()
    t = np.array([(q - obs.index.min()).n for q in obs.index])
    x = np.column_stack([np.ones(len(t))] + [obs.index.quarter == q for q in (2, 3, 4)] + [t]).astype(float)
    y = np.log(obs.to_numpy())
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    y_star = x @ beta + np.sqrt(18 / 13) * (y - x @ beta)
    beta_star = np.linalg.lstsq(x, y_star, rcond=None)[0]
    assert b.loc[("Q2", "Q1"), "boot_lower"] == pytest.approx(np.expm1(beta_star[1]), rel=1e-9)
    assert b.loc[("Q4", "Q2"), "boot_upper"] == pytest.approx(np.expm1(beta_star[3] - beta_star[1]), rel=1e-9)


def test_bootstrap_is_seeded_and_checks_its_inputs(gmv: pd.Series) -> None:
    a = ef.bootstrap_contrasts(gmv, "quadratic", replications=199, seed=1)
    assert a.equals(ef.bootstrap_contrasts(gmv, "quadratic", replications=199, seed=1))
    assert not a.equals(ef.bootstrap_contrasts(gmv, "quadratic", replications=199, seed=2))
    n = int(gmv.notna().sum())  # observed quarters
    assert (a["replications"] == 199).all() and (a["block_length"] == ef.hac_lags(n) + 1).all()
    with pytest.raises(ValueError, match="block_length"):
        ef.bootstrap_contrasts(gmv, "quadratic", block_length=n + 1)
    with pytest.raises(ValueError, match="replications"):
        ef.bootstrap_contrasts(gmv, "quadratic", replications=10)


def test_bootstrap_agreement_is_recorded_per_verdict(gmv: pd.Series) -> None:
    es = p.effect_specifications(gmv)
    e = es.effects
    assert (e["agree"] == (e["hac_side"] == e["boot_side"])).all()
    sides = {"above": e["boot_lower"] > 0, "below": e["boot_upper"] < 0}
    assert (e["boot_side"] == np.select(list(sides.values()), list(sides), "straddles")).all()
    r = ef.effects_results(es)
    assert r["effects_bootstrap"]["replications"] == ef.BOOTSTRAP_REPLICATIONS
    shown = e[e["quarter"].isin(["Q2", "Q4"]) & ~((e["quarter"] == "Q4") & (e["against"] == "Q2"))]
    disagree = {f"{q} against {a}" for q, a, ok in zip(shown.quarter, shown.against, shown.agree) if not ok}
    assert set(r["effects_bootstrap"]["disagreements"]) == disagree


def test_recorded_effects_are_stable_under_a_tiny_perturbation(gmv: pd.Series) -> None:
    """OLS in closed form: a 1e-9 relative change of the GMV values moves no recorded effect by 1e-6 relative."""
    rng = np.random.default_rng(7)
    base = ef.effects_results(p.effect_specifications(gmv))
    moved = ef.effects_results(p.effect_specifications(gmv * (1 + 1e-9 * rng.choice([-1.0, 1.0], len(gmv)))))
    for key in ("q2_vs_others", "q4_vs_others"):
        for against, e in base[key].items():
            for col, value in e.items():
                assert moved[key][against][col] == pytest.approx(value, rel=1e-6), (key, against, col)
    for trend, row in base["effects_by_trend"].items():
        assert moved["effects_by_trend"][trend]["bic"] == pytest.approx(row["bic"], rel=1e-6)
        for contrast, e in row.items():
            if contrast != "bic":
                for col, value in e.items():
                    assert moved["effects_by_trend"][trend][contrast][col] == pytest.approx(value, rel=1e-6), (trend, contrast)
