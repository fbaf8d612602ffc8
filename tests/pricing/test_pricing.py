"""Tests of trustlab.pricing (notebook 03_pricing_positioning) and trustlab.data.positioning: positioning data, the logit, the case
numbers, the recall decision, the newsvendor against semi-presale, the support criteria, parameters."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats
from trustlab import config
from trustlab import pricing as pr
from trustlab.data import positioning
from trustlab.data.tables import DataFileError
from trustlab.results import RESULT_RTOL, collect
from trustlab.runner.notebook import Notebook
from trustlab.runner.params import ParameterError

NOTEBOOK = "03_pricing_positioning"
RAW_FIGURES = config.RAW_DIR / "kuaishou-public-figures.md"


@pytest.fixture(scope="module")
def defaults() -> dict:
    return Notebook.load(NOTEBOOK).resolve()


@pytest.fixture(scope="module")
def smoke() -> dict:
    return Notebook.load(NOTEBOOK).resolve(files=[Notebook.load(NOTEBOOK).scenario_path("smoke")])


# ---------------------------------------------------------------- positioning data


def test_positioning_loads_and_every_value_is_in_its_verbatim_quote():
    frame = positioning.load_positioning()
    raw = RAW_FIGURES.read_text(encoding="utf-8")
    assert len(frame) > 0 and list(frame.columns) == positioning.POSITIONING_COLUMNS
    for row in frame.itertuples():
        assert row.quote in raw, f"quote of {row.platform} {row.metric} {row.period} is not verbatim in the source file"
        assert positioning.value_in_quote(row.value, row.unit, row.quote), (row.platform, row.metric, row.period, row.value)
        if row.source_url:
            assert row.source_url in raw
    assert set(frame["status"]) <= {"V", "V-c", "V-2"}
    assert frame["comparable"].dtype == bool
    assert not frame.loc[frame["platform"] == "Kuaishou", "comparable"].any()


def test_transcribed_figures_hand_checked():
    frame = positioning.load_positioning().set_index(["platform", "metric", "period"])["value"]
    assert frame[("Pinduoduo", "annual_spending_per_active_buyer", "2021")] == 2810.0
    assert frame[("Pinduoduo", "gmv", "2019")] == 1006.6
    assert frame[("Alibaba (China retail marketplaces)", "gmv", "FY2021")] == 7494.0
    assert frame[("Kuaishou", "monthly_active_buyers", "Q3 2024")] == 133.0


def test_period_end_places_fiscal_years_at_their_end():
    assert positioning.period_end("2021") == pd.Timestamp("2021-12-31")
    assert positioning.period_end("FY2021") == pd.Timestamp("2021-03-31")  # Alibaba: April 2020 to March 2021
    assert positioning.period_end("Q3 2024") == pd.Timestamp("2024-09-30")
    with pytest.raises(ValueError, match="'2021/22'"):
        positioning.period_end("2021/22")


def test_include_secondary_false_drops_v2_rows():
    full = positioning.load_positioning()
    primary = positioning.load_positioning(include_secondary=False)
    assert len(primary) == (full["status"] != "V-2").sum()
    assert "V-2" not in set(primary["status"])


@pytest.mark.parametrize(
    ("column", "line", "bad", "expected"),
    [
        ("value", 3, "471.7", "value/unit/quote"),  # not the quoted number
        ("value", 3, "1,006.6", "plain decimal number"),
        ("status", 4, "D", "one of ['V', 'V-c', 'V-2']"),
        ("comparable", 20, "true", "metric/comparable"),  # a Kuaishou monthly-buyer row
        ("unit", 2, "RMB", "one of ['RMB bn'"),
        ("period", 2, "2018/19", "YYYY, FYYYYY or 'Qn YYYY'"),
    ],
)
def test_positioning_errors_name_file_line_column_and_form(tmp_path, column, line, bad, expected):
    frame = pd.read_csv(config.DATA_DIR / "platform_positioning.csv", dtype=str, keep_default_na=False)
    frame.loc[line - 2, column] = bad
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError) as err:
        positioning.load_positioning(path)
    text = str(err.value)
    assert str(path) in text and f"line {line}" in text and expected in text


def test_positioning_missing_column_is_named(tmp_path):
    frame = pd.read_csv(config.DATA_DIR / "platform_positioning.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "bad.csv"
    frame.drop(columns="quote").to_csv(path, index=False)
    with pytest.raises(DataFileError, match="missing \\['quote'\\]"):
        positioning.load_positioning(path)


def test_value_in_quote_converts_the_unit():
    assert positioning.value_in_quote(1006.6, "RMB bn", "was RMB1,006.6 billion")
    assert positioning.value_in_quote(7494, "RMB bn", "a GMV of RMB 7 trillion 494,000 million")
    assert positioning.value_in_quote(133, "million buyers", "number 0.133 billion, a year-on-year increase")
    assert positioning.value_in_quote(726, "million buyers", "reached 726m")
    assert not positioning.value_in_quote(72.6, "million buyers", "reached 726m")


def test_spend_per_buyer_reported_derived_and_not_comparable():
    spend = pr.spend_per_buyer(positioning.load_positioning()).set_index(["platform", "period"])
    pdd = spend.loc["Pinduoduo"]
    assert (pdd["basis"] == "reported").all()
    assert (pdd["derived_rmb"] - pdd["reported_rmb"]).abs().max() < 0.1  # GMV / buyers reproduces the reported figure
    ali = spend.loc["Alibaba (China retail marketplaces)"]
    assert ali.at["FY2020", "basis"] == "derived"
    assert ali.at["FY2020", "spend_per_buyer_rmb"] == pytest.approx(6589e9 / 726e6)
    assert ali.at["FY2021", "bound_consistent"] is True and ali.at["FY2021", "derived_rmb"] > 9200
    ks = spend.loc["Kuaishou"]
    assert (ks["basis"] == "not comparable").all() and ks["spend_per_buyer_rmb"].isna().all()
    assert not ks["comparable"].any()


# ---------------------------------------------------------------- logit

TRUTH = pr.ChoiceTruth(intercept=0.5, price_coef=-3.0, trust_premium=1.0, trust_price_interaction=2.0)
MIX = {pr.PRICE_PLATFORM: 0.2, pr.TRUST_PLATFORM: 0.7}


def test_logit_recovers_true_parameters_at_large_n():
    choices = pr.simulate_choices(200_000, 11, TRUTH, MIX, pr.PRICE_TIERS_RMB)
    est = pr.fit_choice_logit(choices, TRUTH).set_index("term")
    assert (est["std_err"] < 0.05).all()  # large n: tight intervals
    assert ((est["estimate"] - est["true"]).abs() < 4 * est["std_err"]).all()  # fails with probability < 0.1 %
    assert est.at["price_per_1000_rmb", "estimate"] < 0


def test_logit_interval_coverage_is_near_nominal():
    covered = []
    for seed in range(40):
        choices = pr.simulate_choices(3000, seed, TRUTH, MIX, pr.PRICE_TIERS_RMB)
        covered.append(pr.fit_choice_logit(choices, TRUTH, alpha=0.1)["recovered"].to_numpy())
    rate = np.mean(covered)
    assert 0.8 <= rate <= 0.97  # nominal 0.90 over 160 intervals


def test_simulated_conversion_matches_model_and_trust_platform_wins_at_high_price():
    choices = pr.simulate_choices(100_000, 3, TRUTH, MIX, pr.PRICE_TIERS_RMB)
    table = pr.conversion_table(choices, TRUTH, MIX)
    assert (table["observed_conversion"] - table["expected_conversion"]).abs().max() < 0.02
    top = table[table["price_rmb"] == 1000].set_index("platform")["expected_conversion"]
    assert top[pr.TRUST_PLATFORM] > top[pr.PRICE_PLATFORM]
    # hand value: price-seeker at RMB 1,000: logistic(0.5 - 3) ; trust-driven: logistic(0.5 + 1 - 3 + 2)
    expected = 0.8 / (1 + math.exp(2.5)) + 0.2 / (1 + math.exp(-0.5))
    assert top[pr.PRICE_PLATFORM] == pytest.approx(expected)


def test_logit_fit_reports_non_convergence_and_far_estimates():
    # the case: few trust-driven buyers, a steep trust price slope: quasi-separation
    truth = pr.ChoiceTruth(0.5, -3.0, 1.0, -20.0)
    choices = pr.simulate_choices(500, 20220623, truth, {pr.PRICE_PLATFORM: 0.2, pr.TRUST_PLATFORM: 0.0}, pr.PRICE_TIERS_RMB)
    fit = pr.estimate_choice_logit(choices, truth)
    assert not fit.usable and fit.problems  # the estimator says something is wrong, and it is caught
    assert fit.table()["estimate"].isna().all()  # and nothing is read from it
    # no trust-driven buyer at all: the trust terms do not vary, the fit cannot identify them
    none = pr.simulate_choices(500, 1, TRUTH, {pr.PRICE_PLATFORM: 0.0, pr.TRUST_PLATFORM: 0.0}, pr.PRICE_TIERS_RMB)
    failed = pr.estimate_choice_logit(none, TRUTH)
    assert not failed.converged and failed.problems
    # a well-posed fit converges, with nothing far
    good = pr.estimate_choice_logit(pr.simulate_choices(20_000, 2, TRUTH, MIX, pr.PRICE_TIERS_RMB), TRUTH)
    assert good.converged and not good.problems and not good.far_terms


def perturbed(choices: pd.DataFrame, seed: int, relative: float = 1e-9) -> pd.DataFrame:
    """The simulated choices with each price and trust indicator moved by up to ``relative`` of itself."""
    rng = np.random.default_rng(seed)
    moved = choices.copy()
    for column in ("price_rmb", "trust_buyer"):
        moved[column] = moved[column].astype(float) * (1 + relative * rng.uniform(-1, 1, len(moved)))
    return moved


def logit_outcome(fit: pr.LogitFit) -> dict:
    return {
        "record": fit.record(),
        "converged": fit.converged,
        "far": fit.far_terms,
        "recovered": fit.recovered_terms,
        "problems": fit.problems,
    }


def assert_same_within(first, second, relative: float, path: str = "") -> None:
    """Equal structures; floats within ``relative`` of each other (nan equal to nan), the rest identical."""
    if isinstance(first, dict):
        assert first.keys() == second.keys(), path
        for key in first:
            assert_same_within(first[key], second[key], relative, f"{path}.{key}")
    elif isinstance(first, float) and isinstance(second, float):
        assert (math.isnan(first) and math.isnan(second)) or abs(first - second) <= relative * abs(first), (path, first, second)
    else:
        assert first == second, (path, first, second)


@pytest.mark.parametrize(
    ("truth", "mix", "n_buyers"),
    [
        (TRUTH, MIX, 20_000),  # the default run
        (TRUTH, MIX, 2_000),  # the smoke run
        # issue 23's case: price coefficient +20, both platforms 70 % trust-driven: almost everyone buys,
        # the likelihood has no maximum and the iterations wander
        (pr.ChoiceTruth(0.5, 20.0, 1.0, 2.0), {pr.PRICE_PLATFORM: 0.7, pr.TRUST_PLATFORM: 0.7}, 500),
        (pr.ChoiceTruth(0.5, -3.0, 1.0, -20.0), {pr.PRICE_PLATFORM: 0.2, pr.TRUST_PLATFORM: 0.0}, 500),
    ],
)
def test_logit_results_are_stable_under_a_1e9_perturbation_of_the_data(truth, mix, n_buyers):
    # issue 22: what the logit records may not depend on the last bits of its inputs (nor, so, on the
    # CPU's BLAS kernel); a fit that did not converge records no numbers rather than unstable ones
    choices = pr.simulate_choices(n_buyers, 20220623, truth, mix, pr.PRICE_TIERS_RMB)
    base = logit_outcome(pr.estimate_choice_logit(choices, truth))
    for seed in (1, 2):
        assert_same_within(base, logit_outcome(pr.estimate_choice_logit(perturbed(choices, seed), truth)), 1e-8)


@settings(max_examples=30, deadline=None)
@given(
    intercept=st.floats(-10, 10),
    price_coef=st.floats(-20, 20),
    premium=st.floats(-10, 10),
    interaction=st.floats(-20, 20),
    share_price=st.floats(0, 1),
    share_trust=st.floats(0, 1),
    n_buyers=st.sampled_from([500, 2000]),
    seed=st.integers(0, 2**31),
)
def test_logit_verdicts_and_numbers_are_stable_anywhere_in_the_parameter_space(
    intercept, price_coef, premium, interaction, share_price, share_trust, n_buyers, seed
):
    # the same as above over the whole legal range: the verdicts (usable, far, recovered) never change and
    # every number moves by at most the recorded results' tolerance (trustlab.results.RESULT_RTOL) of its size
    # (of 1 for estimates near 0, which the data move absolutely): a 1e-9 perturbation of a fit whose
    # condition number is in the tens moves the last digits by more than 1e-8, and that is not a defect
    truth = pr.ChoiceTruth(intercept, price_coef, premium, interaction)
    mix = {pr.PRICE_PLATFORM: share_price, pr.TRUST_PLATFORM: share_trust}
    choices = pr.simulate_choices(n_buyers, seed, truth, mix, pr.PRICE_TIERS_RMB)
    first = pr.estimate_choice_logit(choices, truth)
    second = pr.estimate_choice_logit(perturbed(choices, seed + 1), truth)
    assert (first.usable, first.far_terms, first.recovered_terms, first.problems) == (
        second.usable,
        second.far_terms,
        second.recovered_terms,
        second.problems,
    )
    for a, b in zip(first.estimate + first.lower + first.upper, second.estimate + second.lower + second.upper):
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= RESULT_RTOL * max(abs(a), 1.0), (a, b)


def test_a_fit_that_did_not_converge_records_no_estimate():
    truth = pr.ChoiceTruth(0.5, 20.0, 1.0, 2.0)
    choices = pr.simulate_choices(500, 20220623, truth, {pr.PRICE_PLATFORM: 0.7, pr.TRUST_PLATFORM: 0.7}, pr.PRICE_TIERS_RMB)
    fit = pr.estimate_choice_logit(choices, truth)
    assert not fit.converged and not fit.usable and "did not converge" in fit.problems[0]
    for term in fit.record().values():
        assert all(math.isnan(term[k]) for k in ("estimate", "lower", "upper"))
    assert fit.far_terms == [] and fit.recovered_terms is None and not any(fit.recovered)


def test_far_from_truth_by_hand():
    assert pr.far_from_truth(-94.96, -20.0) and not pr.far_from_truth(-25.0, -20.0)
    assert pr.far_from_truth(1.1, 0.5) and not pr.far_from_truth(0.9, 0.5)  # at least 0.5 log-odds of slack
    assert pr.far_from_truth(math.nan, 1.0)


def test_claim_in_model_verdict_follows_the_conversions():
    holds = pr.claim_in_model(TRUTH, MIX)
    assert holds["claim_holds_in_model"] and holds["conversion_ratio_top_tier"] > holds["conversion_ratio_bottom_tier"] > 1
    same = pr.claim_in_model(TRUTH, {pr.PRICE_PLATFORM: 0.4, pr.TRUST_PLATFORM: 0.4})
    assert not same["claim_holds_in_model"] and same["conversion_ratio_top_tier"] == pytest.approx(1)
    # trust buyers more price sensitive: the trust platform's advantage shrinks with price, the claim fails
    sensitive = pr.claim_in_model(pr.ChoiceTruth(0.5, -3.0, 1.0, -2.0), MIX)
    assert not sensitive["claim_holds_in_model"]
    assert sensitive["conversion_ratio_top_tier"] < sensitive["conversion_ratio_bottom_tier"]


def hand_ratios(a: float, b: float, t: float, g: float, share_price: float, share_trust: float) -> tuple[float, float]:
    """Conversion ratio trust / price platform at RMB 1,000 and at RMB 100, written out from the logit."""

    def conversion(share: float, price_k: float) -> float:
        seeker = 1 / (1 + math.exp(-(a + b * price_k)))
        trusting = 1 / (1 + math.exp(-(a + b * price_k + t + g * price_k)))
        return share * trusting + (1 - share) * seeker

    return conversion(share_trust, 1.0) / conversion(share_price, 1.0), conversion(share_trust, 0.1) / conversion(
        share_price, 0.1
    )


def test_claim_region_by_hand_and_by_brute_force():
    # trust premium -10: at RMB 1,000 a trust-driven buyer's log-odds equal a price seeker's at g = 10 exactly,
    # and at RMB 100 they are 9 lower whatever g in range: the claim holds exactly above g = 10
    (interval,) = pr.claim_interaction_intervals(pr.ChoiceTruth(0.5, -3.0, -10.0, 0.0))
    assert interval == [pytest.approx(10.0, abs=1e-9), 20.0]
    # the defaults: brute force over interactions and trust shares with the ratios written out
    (interval,) = pr.claim_interaction_intervals(TRUTH)
    start = interval[0]
    assert interval[1] == 20.0 and -1 < start < 0  # above -1 at least: the top ratio exceeds 1 once t + g > 0
    for g in np.linspace(-20, 20, 161):
        for share_trust in (0.0, 0.1, 0.21, 0.5, 0.7, 1.0):
            top, low = hand_ratios(0.5, -3.0, 1.0, g, 0.2, share_trust)
            holds = share_trust > 0.2 and top > 1 and top > low
            if abs(g - start) > 1e-6:
                assert holds == (share_trust > 0.2 and g > start), (g, share_trust)
    ratio_top, ratio_low = hand_ratios(0.5, -3.0, 1.0, start + 1e-6, 0.2, 0.7)
    assert ratio_top > ratio_low and ratio_top == pytest.approx(ratio_low, rel=1e-5)  # the boundary is where they meet
    grid = pr.claim_map(TRUTH, 0.2, np.linspace(-20, 20, 81), np.linspace(0, 1, 11))
    assert (grid["claim_holds"] == ((grid["trust_share_trust_platform"] > 0.2) & (grid["trust_price_interaction"] > start))).all()


def test_same_seed_same_results_and_another_seed_differs(smoke):
    first = pr.recorded_results(smoke)
    assert pr.recorded_results(dict(smoke)) == first
    other = pr.recorded_results({**smoke, "seed": smoke["seed"] + 100})
    assert other["logit_params"] != first["logit_params"]
    assert other["eligible_brands"] != first["eligible_brands"] or other["newsvendor_mc_profit"] != first["newsvendor_mc_profit"]
    assert other["critical_ratio"] == first["critical_ratio"]  # analytic results do not depend on the seed


# ---------------------------------------------------------------- case numbers


def test_launch_numbers_by_hand():
    launch = pr.launch_numbers(1099, 599, 1000, 2)
    assert launch.discount_depth == pytest.approx(500 / 1099)
    assert launch.units_per_minute == 500
    assert launch.revenue_at_promo == 599_000
    assert launch.foregone_revenue == 500_000
    assert pr.support_threshold_units(2_000_000, 1000) == 2000


# ---------------------------------------------------------------- recall


def test_recall_costs_by_hand():
    costs = pr.recall_costs(1000, 599, 50, 599, redemption_rate=0.8, cost_ratio=0.4, return_shipping=15, salvage_value=50)
    assert costs.per_customer_a == pytest.approx(599 + 15 - 50 + 50 * 0.8 * 0.4)  # 580
    assert costs.per_customer_b == pytest.approx(599 * 0.8 * 0.4)  # 191.68
    assert costs.total_a == pytest.approx(580_000)
    assert costs.total_b == pytest.approx(191_680)
    assert pr.breakeven_redemption_rate(599, 50, 599, 0.4, 15, 50) == pytest.approx(564 / (549 * 0.4))
    r = pr.breakeven_redemption_rate(599, 50, 599, 1.0, 15, 100)
    assert r == pytest.approx(514 / 549)
    at_r = pr.recall_costs(1, 599, 50, 599, r, 1.0, 15, 100)
    assert at_r.per_customer_a == pytest.approx(at_r.per_customer_b)


def test_customer_side_by_hand():
    side = pr.customer_side(599, 50, 599, voucher_value=0.9, defective_pair_value=200, return_hassle=20)
    assert side.value_a == pytest.approx(599 + 45 - 20)
    assert side.value_b == pytest.approx(200 + 0.9 * 599)
    assert side.prefers_b
    assert side.min_voucher_value_for_b == pytest.approx((599 - 200 - 20) / 549)
    assert not pr.customer_side(599, 50, 599, 0.2, 0, 0).prefers_b  # a customer who will not shop again takes the cash


money = st.floats(min_value=0, max_value=5000, allow_nan=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)
ratio = st.floats(min_value=0, max_value=2, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(voucher_b=money, cost_ratio=ratio)
def test_option_b_costs_nothing_without_redemption(voucher_b, cost_ratio):
    assert pr.recall_cost_b(voucher_b, 0.0, cost_ratio) == 0.0


@settings(max_examples=200, deadline=None)
@given(voucher_b=money, cost_ratio=ratio, r1=share, r2=share)
def test_more_redemption_never_makes_b_cheaper(voucher_b, cost_ratio, r1, r2):
    lo, hi = sorted((r1, r2))
    assert pr.recall_cost_b(voucher_b, hi, cost_ratio) >= pr.recall_cost_b(voucher_b, lo, cost_ratio)


@settings(max_examples=200, deadline=None)
@given(refund=money, voucher_a=money, voucher_b=money, cost_ratio=ratio, shipping=money, r=share)
def test_breakeven_separates_the_cheaper_option(refund, voucher_a, voucher_b, cost_ratio, shipping, r):
    salvage = refund / 2
    r_star = pr.breakeven_redemption_rate(refund, voucher_a, voucher_b, cost_ratio, shipping, salvage)
    a = float(pr.recall_cost_a(refund, voucher_a, r, cost_ratio, shipping, salvage))
    b = float(pr.recall_cost_b(voucher_b, r, cost_ratio))
    if not math.isnan(r_star) and r < r_star - 1e-9:
        assert b <= a + 1e-6
    if not math.isnan(r_star) and r > r_star + 1e-9:
        assert b >= a - 1e-6


def test_breakeven_cost_ratio_by_hand_and_the_every_redemption_verdict():
    # defaults: fixed cost of A = 599 + 15 - 50 = 564; voucher difference 549
    assert pr.breakeven_cost_ratio(599, 50, 599, 0.8, 15, 50) == pytest.approx(564 / (549 * 0.8))
    verdict = pr.recall_verdict(599, 50, 599, 0.8, 0.4, 15, 50)
    assert verdict.b_cheaper and verdict.b_cheaper_at_every_redemption
    assert verdict.always_b_cost_ratio == pytest.approx(564 / 549)  # about 1.03: the threshold
    assert pr.breakeven_redemption_rate(599, 50, 599, 0.4, 15, 50) > 1  # decides nothing at this cost ratio
    dear = pr.recall_verdict(599, 50, 599, 0.8, 1.1, 15, 50)  # above 1.03, below 1.28
    assert dear.b_cheaper and not dear.b_cheaper_at_every_redemption
    assert 0 < pr.breakeven_redemption_rate(599, 50, 599, 1.1, 15, 50) < 1
    assert not pr.recall_verdict(599, 50, 599, 0.8, 1.3, 15, 50).b_cheaper
    assert math.isinf(pr.breakeven_cost_ratio(599, 50, 599, 0.0, 15, 50))  # no redemption: B costs nothing
    assert math.isinf(pr.breakeven_cost_ratio(599, 600, 599, 0.5, 15, 50))  # B's voucher the smaller one
    assert math.isnan(pr.breakeven_cost_ratio(50, 50, 50, 0.5, 0, 50))  # both cost nothing fixed, same voucher


@settings(max_examples=200, deadline=None)
@given(refund=money, voucher_a=money, voucher_b=money, r=share, cost_ratio=ratio, shipping=money, c=ratio)
def test_breakeven_cost_ratio_separates_and_every_redemption_is_true_on_a_grid(
    refund, voucher_a, voucher_b, r, cost_ratio, shipping, c
):
    salvage = refund / 2
    c_star = pr.breakeven_cost_ratio(refund, voucher_a, voucher_b, r, shipping, salvage)
    a = float(pr.recall_cost_a(refund, voucher_a, r, c, shipping, salvage))
    b = float(pr.recall_cost_b(voucher_b, r, c))
    if not math.isnan(c_star) and c < c_star - 1e-9:
        assert b <= a + 1e-6
    if not math.isnan(c_star) and c > c_star + 1e-9:
        assert b >= a - 1e-6
    verdict = pr.recall_verdict(refund, voucher_a, voucher_b, r, cost_ratio, shipping, salvage)
    grid = np.linspace(0, 1, 201)
    gaps = pr.recall_cost_a(refund, voucher_a, grid, cost_ratio, shipping, salvage) - pr.recall_cost_b(
        voucher_b, grid, cost_ratio
    )
    if verdict.b_cheaper_at_every_redemption:
        assert (gaps > -1e-6).all()
    else:
        assert (gaps <= 1e-6).any()


def test_customer_side_when_b_has_the_smaller_voucher():
    side = pr.customer_side(599, 600, 50, voucher_value=0.9, defective_pair_value=0, return_hassle=0)
    assert not side.prefers_b and math.isinf(side.min_voucher_value_for_b)
    keep = pr.customer_side(100, 50, 50, voucher_value=0.5, defective_pair_value=200, return_hassle=0)
    assert keep.prefers_b and keep.min_voucher_value_for_b == 0


# ---------------------------------------------------------------- newsvendor and presale


def lognormal_demand(mean: float, cv: float):
    """scipy's lognormal with this mean and coefficient of variation (a second route to the parameters)."""
    sigma = math.sqrt(math.log(1 + cv * cv))
    return stats.lognorm(s=sigma, scale=mean / math.sqrt(1 + cv * cv))  # median = mean / sqrt(1 + cv^2)


@pytest.mark.parametrize(("mean", "cv"), [(2000, 0.3), (100, 0.5), (1, 2.0)])
def test_lognormal_demand_has_the_stated_mean_and_cv_and_its_lost_sales_match_the_integral(mean, cv):
    demand = lognormal_demand(mean, cv)
    assert demand.mean() == pytest.approx(mean, rel=1e-12) and demand.std() / demand.mean() == pytest.approx(cv, rel=1e-12)
    mu, sigma = pr.lognormal_parameters(mean, cv)
    assert (math.exp(mu), sigma) == (pytest.approx(demand.median(), rel=1e-12), pytest.approx(demand.kwds["s"], rel=1e-12))
    for q in (0.5 * mean, mean, 2 * mean):
        integral, _ = integrate.quad(lambda x: (x - q) * demand.pdf(x), q, np.inf, limit=200)
        assert pr.lognormal_lost_sales(q, mean, cv) == pytest.approx(integral, rel=1e-7)
    assert pr.lognormal_lost_sales(0.0, mean, cv) == mean  # nothing ordered: every unit of demand is lost


def test_newsvendor_closed_form_by_hand():
    nv = pr.newsvendor(price=1000, unit_cost=400, salvage=200, demand_mean=2000, demand_cv=0.3)
    assert nv.critical_ratio == 0.75  # (1000 - 400) / (1000 - 200)
    demand = lognormal_demand(2000, 0.3)
    assert nv.quantity == pytest.approx(demand.ppf(0.75), rel=1e-12)  # the critical-ratio quantile
    lost, _ = integrate.quad(lambda x: (x - nv.quantity) * demand.pdf(x), nv.quantity, np.inf)
    assert nv.expected_lost_sales == pytest.approx(lost, rel=1e-7)
    assert nv.expected_profit == pytest.approx(800 * (2000 - lost) - 200 * nv.quantity, rel=1e-9)
    assert nv.fill_rate == pytest.approx((2000 - lost) / 2000)
    assert nv.expected_leftovers == pytest.approx(nv.quantity - nv.expected_sales)
    # critical ratio 1/2: order the median, mean / sqrt(1 + cv^2)
    half = pr.newsvendor(price=10, unit_cost=6, salvage=2, demand_mean=100, demand_cv=0.2)
    assert half.critical_ratio == 0.5 and half.quantity == pytest.approx(100 / math.sqrt(1.04), rel=1e-12)
    # the lognormal is never negative: at CV 0.5 a normal demand would be below zero 2.3 % of the time
    assert lognormal_demand(2000, 0.5).cdf(0) == 0


def test_newsvendor_optimum_is_the_maximum_of_the_profit_curve():
    nv = pr.newsvendor(1000, 400, 200, 2000, 0.3)
    result = optimize.minimize_scalar(
        lambda q: -pr.newsvendor(1000, 400, 200, 2000, 0.3, q).expected_profit, bounds=(0, 5000), method="bounded"
    )
    assert result.x == pytest.approx(nv.quantity, rel=1e-3)


@pytest.mark.parametrize(("price", "cost", "salvage", "mean", "cv"), [(1000, 400, 200, 2000, 0.3), (300, 250, 0, 500, 0.5)])
def test_monte_carlo_agrees_with_closed_form(price, cost, salvage, mean, cv):
    nv = pr.newsvendor(price, cost, salvage, mean, cv)
    mc = pr.newsvendor_monte_carlo(price, cost, salvage, mean, cv, nv.quantity, draws=400_000, seed=5)
    assert abs(mc.expected_profit - nv.expected_profit) < 4 * mc.profit_std_err
    assert mc.expected_sales == pytest.approx(nv.expected_sales, rel=5e-3)
    assert mc.expected_leftovers == pytest.approx(nv.expected_leftovers, rel=2e-2)
    assert mc.fill_rate == pytest.approx(nv.fill_rate, abs=3e-3)


def test_breakeven_shares_closed_form_match_brentq():
    args = (1000, 400, 200, 2000, 0.3)
    nv = pr.newsvendor(*args)
    closed = pr.breakeven_cancel_share(*args, accept_share=0.9)
    root = optimize.brentq(lambda k: pr.presale_expected_profit(1000, 400, 2000, k, 0.9) - nv.expected_profit, -1, 1)
    assert closed == pytest.approx(root, abs=1e-10) and 0 < closed < 1
    accept = pr.breakeven_accept_share(nv, 1000, 400, 2000, cancel_share=0.1)
    root = optimize.brentq(lambda a: pr.presale_expected_profit(1000, 400, 2000, 0.1, a) - nv.expected_profit, 0, 2)
    assert accept == pytest.approx(root, abs=1e-10) and 0 < accept < 1
    # by hand: (1000 - 400) x 0.9 accept x (1 - 0.1) kept x 2000 = 972,000
    assert pr.presale_expected_profit(1000, 400, 2000, 0.1, 0.9) == pytest.approx(972_000)
    assert pr.presale_expected_profit(1000, 400, 2000, 0.1) == pytest.approx(600 * 0.9 * 2000)  # everyone accepts
    assert pr.breakeven_cancel_share(*args, accept_share=0.5) < 0  # half the buyers lost: worse with no cancellation
    assert math.isinf(pr.breakeven_accept_share(nv, 1000, 400, 2000, cancel_share=1.0))


# ---------------------------------------------------------------- support criteria


def test_eligibility_truth_table():
    rows = pd.DataFrame(
        [  # age, share, gmv, core, eligible
            (5.0, 0.31, 2_000_001, True, True),  # on the age bound: "within 5 years" includes 5
            (5.01, 0.31, 2_000_001, True, False),
            (1.0, 0.30, 3e6, True, False),  # share must be *above* 30 %
            (1.0, 0.30001, 3e6, True, True),
            (1.0, 0.9, 2_000_000, True, False),  # GMV must be *above* RMB 2 M
            (1.0, 0.9, 3e6, False, False),  # Kuaishou not the core channel
            (np.nan, 0.9, 3e6, True, False),  # unknown age: not eligible
        ],
        columns=[*pr.MERCHANT_COLUMNS, "expected"],
    )
    result = pr.eligible(rows)
    assert result.tolist() == rows["expected"].tolist()
    loose = pr.SupportCriteria(require_core_channel=False)
    assert pr.eligible(rows, loose).iloc[5]


def test_expected_eligible_share_by_hand():
    # age limit = mean age: 1 - 1/e; Beta(1, 1) is uniform: P(share > 0.3) = 0.7; GMV minimum at the
    # median: 1/2; core channel 0.6
    criteria = pr.SupportCriteria(max_age_years=5.0, min_own_brand_share=0.3, min_monthly_live_gmv=2e6)
    share = pr.expected_eligible_share(criteria, 5.0, 0.5, 2.0, 2e6, 1.5, 0.6)
    assert share == pytest.approx((1 - math.exp(-1)) * 0.7 * 0.5 * 0.6, rel=1e-12)
    loose = pr.SupportCriteria(5.0, 0.3, 0.0, require_core_channel=False)  # no GMV minimum, no core rule
    assert pr.expected_eligible_share(loose, 5.0, 0.5, 2.0, 2e6, 1.5, 0.6) == pytest.approx((1 - math.exp(-1)) * 0.7)


def test_eligibility_requires_the_columns():
    with pytest.raises(KeyError, match="monthly_live_gmv_rmb"):
        pr.eligible(pd.DataFrame({"brand_age_years": [1], "own_brand_gmv_share": [0.5], "kuaishou_core_channel": [True]}))


def test_merchant_population_follows_its_parameters_and_sensitivity_is_monotone():
    merchants = pr.simulate_merchants(100_000, 1, 4.0, 0.4, 4.0, 200_000, 1.5, 0.6)
    assert merchants["brand_age_years"].mean() == pytest.approx(4.0, rel=0.02)
    assert merchants["own_brand_gmv_share"].mean() == pytest.approx(0.4, abs=0.005)
    assert merchants["monthly_live_gmv_rmb"].median() == pytest.approx(200_000, rel=0.03)
    assert merchants["kuaishou_core_channel"].mean() == pytest.approx(0.6, abs=0.01)
    # P(eligible) = P(age<=5) P(share>0.3) P(gmv>2M) P(core) for independent attributes
    p = stats.expon(scale=4).cdf(5) * stats.beta(1.6, 2.4).sf(0.3) * stats.norm.sf(math.log(10) / 1.5) * 0.6
    assert pr.eligible(merchants).mean() == pytest.approx(p, rel=0.1)
    table = pr.eligibility_sensitivity(merchants, pr.SupportCriteria())
    for _, group in table.groupby("threshold"):
        base = group.loc[group["direction"] == "published", "eligible"].iloc[0]
        assert (group.loc[group["direction"] == "looser", "eligible"] >= base).all()
        assert (group.loc[group["direction"] == "tighter", "eligible"] <= base).all()


# ---------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("override", "name"),
    [
        ({"promo_price": 1200.0}, "promo_price"),
        ({"list_price": -1.0}, "list_price"),
        ({"return_shipping": -5.0}, "return_shipping"),
        ({"units": 0}, "units"),
        ({"redemption_rate": 1.5}, "redemption_rate"),
        ({"presale_cancel_share": -0.1}, "presale_cancel_share"),
        ({"demand_cv": 0.0}, "demand_cv"),
        ({"unit_cost": 1000.0}, "unit_cost"),
        ({"newsvendor_salvage": 400.0}, "newsvendor_salvage"),
        ({"salvage_value": 700.0}, "salvage_value"),
        ({"trust_share_trust_platform": 1.2}, "trust_share_trust_platform"),
        ({"alpha": 1.0}, "alpha"),
    ],
)
def test_check_params_names_the_parameter(defaults, override, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        pr.check_params({**defaults, **override})


def test_schema_and_checker_reject_through_resolve():
    with pytest.raises(ParameterError, match="'promo_price'"):
        Notebook.load(NOTEBOOK).resolve(cli={"promo_price": "1200"})
    with pytest.raises(ParameterError, match="'demand_cv'"):
        Notebook.load(NOTEBOOK).resolve(cli={"demand_cv": "0"})


def test_notebook_defaults_that_are_article_facts_equal_the_facts():
    from trustlab.data.facts import fact_value, load_facts

    facts = load_facts()
    declared = Notebook.load(NOTEBOOK).parameters
    for name, (fact_id, factor) in pr.FACT_PARAMETERS.items():
        assert name in declared, f"{name} is not a parameter of {NOTEBOOK}"
        assert declared[name].default == pytest.approx(fact_value(facts, fact_id) * factor, rel=1e-12), name
        assert "article fact" in declared[name].help
    table = pr.fact_parameter_table({n: p.default for n, p in declared.items()}, lambda f: fact_value(facts, f))
    assert table["agrees"].all()


def test_analysis_covers_every_recorded_result_and_matches_the_parts(defaults):
    result = pr.recorded_results(defaults)
    committed = nbformat.read(config.NOTEBOOKS_DIR / f"{NOTEBOOK}.ipynb", as_version=4)
    recorded = collect(committed)  # every result the committed notebook records
    assert "logit_params" in recorded and set(recorded) <= set(result)
    source = (config.NOTEBOOKS_DIR / f"{NOTEBOOK}.py").read_text(encoding="utf-8")
    # One orchestration: the notebook records exactly what pr.run computes, and nothing else.
    assert "RUN = pr.run(PARAMS)" in source and "for name, value in RESULTS.items():" in source
    assert source.count("record(") == 1 and "pr.recorded_results(" not in source
    assert result["recall_cost_b"] == pytest.approx(1000 * 599 * defaults["redemption_rate"] * defaults["cost_ratio"])
    assert set(result["logit_params"]) == set(pr.LOGIT_TERMS)
    for term in result["logit_params"].values():
        assert term["lower"] <= term["estimate"] <= term["upper"]
    assert abs(result["newsvendor_mc_profit"] - result["newsvendor_expected_profit"]) < 4 * result["newsvendor_mc_std_err"]


def test_analysis_equals_the_public_functions_bit_for_bit(smoke):
    # analysis() takes shortcuts past the tables the notebook shows; the numbers must not differ.
    for seed in (smoke["seed"], smoke["seed"] + 1):
        p = {**smoke, "seed": seed}
        result = pr.recorded_results(p)
        truth = pr.choice_truth(p)
        choices = pr.simulate_choices(p["n_buyers"], seed, truth, pr.platform_mix(p), pr.PRICE_TIERS_RMB)
        assert result["logit_params"] == pr.logit_params_dict(pr.fit_choice_logit(choices, truth, alpha=p["alpha"]))
        inputs = pr.batch_inputs(p)
        assert result["breakeven_cancel_share"] == pr.breakeven_cancel_share(*inputs, accept_share=p["presale_accept_share"])
        mc = pr.newsvendor_monte_carlo(
            *inputs, quantity=result["newsvendor_quantity"], draws=p["monte_carlo_draws"], seed=seed + 1
        )
        assert (result["newsvendor_mc_profit"], result["newsvendor_mc_std_err"]) == (mc.expected_profit, mc.profit_std_err)
        assert result["eligible_brands"] == int(pr.eligible(pr.merchant_population(p), pr.support_criteria(p)).sum())


def test_monte_carlo_equals_its_formulas_bit_for_bit():
    mc = pr.newsvendor_monte_carlo(1000, 400, 200, 2000, 0.3, quantity=2100, draws=1000, seed=7)
    demand = np.random.default_rng(7).lognormal(*pr.lognormal_parameters(2000, 0.3), size=1000)
    sales = np.minimum(demand, 2100)
    profit = 1000 * sales + 200 * (2100 - sales) - 400 * 2100
    assert mc.expected_sales == sales.mean() and mc.expected_leftovers == (2100 - sales).mean()
    assert mc.expected_lost_sales == (demand - sales).mean() and mc.fill_rate == sales.mean() / 2000
    assert mc.expected_profit == profit.mean() and mc.profit_std_err == profit.std(ddof=1) / math.sqrt(1000)


def test_analysis_with_redemption_half_changes_only_recall_results(defaults):
    base = pr.recorded_results(defaults)
    half = pr.recorded_results({**defaults, "redemption_rate": 0.5})
    assert half["recall_cost_b"] < base["recall_cost_b"]
    assert half["recall_cost_a"] < base["recall_cost_a"]
    assert half["breakeven_cost_ratio"] == pytest.approx(base["breakeven_cost_ratio"] * 0.8 / 0.5)
    unchanged = set(base) - {"recall_cost_a", "recall_cost_b", "breakeven_cost_ratio"}
    assert {k: half[k] for k in unchanged} == {k: base[k] for k in unchanged}
