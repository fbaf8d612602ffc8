"""Price-positioning fit: a binary logit of buy / not buy at a price tier, on platforms that differ in
their share of trust-driven buyers, simulated from stated true parameters and estimated back.

Prices are in RMB; coefficients are log-odds (price per RMB 1,000); shares are in [0, 1].
statsmodels is imported by the fit.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

LOGIT_TERMS = ("intercept", "price_per_1000_rmb", "trust_premium", "trust_x_price")


@dataclass(frozen=True)
class ChoiceTruth:
    """True parameters of the buy / not-buy logit (log-odds units).

    ``price_coef`` is per RMB 1,000 of price for a price-seeking buyer; ``trust_premium`` is the extra
    log-odds of buying for a trust-driven buyer (one who follows and trusts the streamer);
    ``trust_price_interaction`` is added to the price coefficient for trust-driven buyers (positive:
    they are less price sensitive).
    """

    intercept: float
    price_coef: float
    trust_premium: float
    trust_price_interaction: float

    def as_terms(self) -> dict[str, float]:
        """The true values under the names of :data:`LOGIT_TERMS`."""
        return dict(zip(LOGIT_TERMS, (self.intercept, self.price_coef, self.trust_premium, self.trust_price_interaction)))


def buy_probability(price_rmb: np.ndarray | float, trust_buyer: np.ndarray | float, truth: ChoiceTruth) -> np.ndarray:
    """Probability in [0, 1] that a buyer buys the brand at ``price_rmb`` (RMB), by buyer type (0/1)."""
    price_k = np.asarray(price_rmb, dtype=float) / 1000.0
    trust = np.asarray(trust_buyer, dtype=float)
    eta = (
        truth.intercept
        + truth.price_coef * price_k
        + truth.trust_premium * trust
        + truth.trust_price_interaction * trust * price_k
    )
    return 1.0 / (1.0 + np.exp(-eta))


def simulate_choices(
    n_buyers: int,
    seed: int,
    truth: ChoiceTruth,
    platform_trust_share: Mapping[str, float],
    price_tiers_rmb: Sequence[float],
) -> pd.DataFrame:
    """Simulate one buy / not-buy decision per buyer.

    Each buyer is on one platform (equal odds), is trust-driven with the platform's share in
    ``platform_trust_share`` (share in [0, 1]), is shown one price tier (RMB, equal odds) and buys
    with the logit probability of ``truth``. Columns: ``platform``, ``trust_buyer`` (0/1),
    ``price_rmb``, ``buy`` (0/1).
    """
    rng = np.random.default_rng(seed)
    names = list(platform_trust_share)
    shares = np.array([platform_trust_share[n] for n in names], dtype=float)
    platform = rng.integers(0, len(names), size=n_buyers)
    trust = (rng.random(n_buyers) < shares[platform]).astype(np.int8)
    price = np.asarray(price_tiers_rmb, dtype=float)[rng.integers(0, len(price_tiers_rmb), size=n_buyers)]
    buy = (rng.random(n_buyers) < buy_probability(price, trust, truth)).astype(np.int8)
    return pd.DataFrame(
        {"platform": pd.Categorical.from_codes(platform, categories=names), "trust_buyer": trust, "price_rmb": price, "buy": buy}
    )


def _no_callback(params: np.ndarray) -> None:
    """A Newton callback that does nothing (see :func:`estimate_choice_logit`)."""


# An estimate is "far" from the value it was simulated from when it misses it by more than this share
# of the value's size (at least 0.5 log-odds): a simulation that does not pin the term down.
FAR_TOLERANCE = 0.5


def far_from_truth(estimate: float, true: float, tolerance: float = FAR_TOLERANCE) -> bool:
    """Whether ``estimate`` misses ``true`` by more than ``tolerance`` x max(1, |true|) (or is not finite)."""
    if not (math.isfinite(estimate) and math.isfinite(true)):
        return True
    return abs(estimate - true) > tolerance * max(1.0, abs(true))


@dataclass(frozen=True)
class LogitFit:
    """The buy / not-buy logit estimated back from simulated choices, beside the true values.

    One entry per term of :data:`LOGIT_TERMS` in ``true``, ``estimate``, ``std_err`` and the 1 - alpha
    Wald interval ``lower`` / ``upper`` (nan when the fit is not :attr:`usable`). ``converged`` is
    statsmodels' convergence flag (False when the fit failed); ``problems`` are the estimator's
    warnings (non-convergence, perfect separation, a singular Hessian), worded for a reader.
    """

    true: tuple[float, ...]
    estimate: tuple[float, ...]
    std_err: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    converged: bool
    problems: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """Whether the fit converged without a problem: only then do its numbers support a sentence."""
        return self.converged and not self.problems and all(math.isfinite(e) for e in self.estimate)

    @property
    def far_terms(self) -> list[str]:
        """Terms whose estimate is far from its true value (:func:`far_from_truth`); none for a fit
        that is not :attr:`usable` (it has no estimates to compare)."""
        if not self.usable:
            return []
        return [t for t, e, tr in zip(LOGIT_TERMS, self.estimate, self.true) if far_from_truth(e, tr)]

    @property
    def recovered(self) -> list[bool]:
        """Per term: the true value lies inside its interval (False for a fit that is not :attr:`usable`)."""
        return [bool(lo <= tr <= up) for tr, lo, up in zip(self.true, self.lower, self.upper)]

    @property
    def recovered_terms(self) -> int | None:
        """How many true values lie inside their intervals; None for a fit that is not :attr:`usable`."""
        return int(sum(self.recovered)) if self.usable else None

    def table(self) -> pd.DataFrame:
        """One row per term: ``true``, ``estimate``, ``std_err``, ``lower``, ``upper``, ``recovered``
        (true value inside the interval) and ``far`` (:func:`far_from_truth`)."""
        far = set(self.far_terms)
        return pd.DataFrame(
            {
                "term": list(LOGIT_TERMS),
                "true": list(self.true),
                "estimate": list(self.estimate),
                "std_err": list(self.std_err),
                "lower": list(self.lower),
                "upper": list(self.upper),
                "recovered": self.recovered,
                "far": [t in far for t in LOGIT_TERMS],
            }
        )

    def record(self) -> dict[str, dict[str, float]]:
        """The recorded form: term -> {estimate, lower, upper, true}."""
        return _logit_record(LOGIT_TERMS, self.true, self.estimate, self.lower, self.upper)


def _problem_text(warning: warnings.WarningMessage) -> str:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning

    category = warning.category
    if issubclass(category, ConvergenceWarning):
        return "the maximum-likelihood iterations did not converge"
    if issubclass(category, PerfectSeparationWarning):
        return "some buyers' choices are perfectly predicted (separation), so some terms are not identified"
    if issubclass(category, HessianInversionWarning):
        return "the Hessian could not be inverted, so the standard errors are unreliable"
    return f"{category.__name__}: {warning.message}"


# Newton stops when no parameter moves by more than this (log-odds) in a step. Convergence is
# quadratic, so the estimates it returns are within rounding of the maximum: the recorded results
# then agree to about 1e-10 relative across BLAS kernels and 1e-9 perturbations of the data.
NEWTON_TOL = 1e-10
# A design whose smallest singular value is below this share of its largest does not identify every term.
IDENTIFIED_RTOL = 1e-6
NEWTON_MAXITER = 100


def estimate_choice_logit(choices: pd.DataFrame, truth: ChoiceTruth, alpha: float = 0.05) -> LogitFit:
    """Estimate the buy / not-buy logit with statsmodels (Newton to a step below :data:`NEWTON_TOL`,
    at most :data:`NEWTON_MAXITER` iterations).

    The estimator's warnings are caught, not printed: they are returned in ``problems``. A fit that
    did not converge (statsmodels' ``mle_retvals["converged"]``, or a singular Hessian that stops
    it), or that converged with a problem (separation, a Hessian that cannot be inverted), supports
    no conclusion: it has ``converged=False`` or ``problems`` and nan estimates, standard errors and
    intervals, so nothing downstream can use its numbers.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    price_k = choices["price_rmb"].to_numpy(float) / 1000.0
    trust = choices["trust_buyer"].to_numpy(float)
    exog = np.column_stack([np.ones_like(price_k), price_k, trust, trust * price_k])
    true = tuple(float(v) for v in truth.as_terms().values())
    # check_rank=False skips a QR of exog that only sets df_model / df_resid, which the normal-based
    # intervals do not use. statsmodels' default callback tests for perfect prediction after every
    # Newton step; the test is run once, at the estimates, instead. Neither changes the estimates.
    singular_values = np.linalg.svd(exog, compute_uv=False)
    if (singular_values <= IDENTIFIED_RTOL * singular_values[0]).any():
        # a term that does not vary (every buyer trust-driven, or none; a variation in the 9th digit is
        # none) is collinear with the others: said before fitting, so the verdict does not depend on
        # where a singular Newton step fails
        nan = np.full(len(LOGIT_TERMS), np.nan)
        problem = "a term does not vary in the simulated choices, so it is not identified"
        return LogitFit(true, tuple(nan), tuple(nan), tuple(nan), tuple(nan), False, (problem,))
    model = sm.Logit(choices["buy"].to_numpy(float), exog, check_rank=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(all="ignore"):
                result = model.fit(disp=0, method="newton", maxiter=NEWTON_MAXITER, tol=NEWTON_TOL, callback=_no_callback)
                if np.allclose(model.predict(result.params) - model.endog, 0):
                    warnings.warn(
                        "Perfect separation or prediction detected, parameter may not be identified",
                        PerfectSeparationWarning,
                        stacklevel=2,
                    )
                estimate = np.asarray(result.params, dtype=float)
                std_err = np.asarray(result.bse, dtype=float)
                ci = np.asarray(result.conf_int(alpha=alpha), dtype=float)
            converged = bool(result.mle_retvals.get("converged", False))
        except np.linalg.LinAlgError as exc:
            nan = np.full(len(LOGIT_TERMS), np.nan)
            estimate, std_err, ci, converged = nan, nan, np.column_stack([nan, nan]), False
            fail = [f"the fit failed ({exc}): a term does not vary in the simulated choices, so it is not identified"]
        else:
            fail = []
    problems = list(dict.fromkeys([_problem_text(w) for w in caught] + fail))
    if not converged and not any("converge" in p for p in problems):
        problems.insert(0, "the maximum-likelihood iterations did not converge")
    if problems or not (np.isfinite(estimate).all() and np.isfinite(std_err).all()):
        # numbers from a fit that did not converge move with the last bits of the data: none is kept
        nan = np.full(len(LOGIT_TERMS), np.nan)
        estimate, std_err, ci = nan, nan, np.column_stack([nan, nan])
        if not problems:
            problems = ["the standard errors could not be computed"]
    return LogitFit(
        true,
        tuple(map(float, estimate)),
        tuple(map(float, std_err)),
        tuple(map(float, ci[:, 0])),
        tuple(map(float, ci[:, 1])),
        converged,
        tuple(problems),
    )


def fit_choice_logit(choices: pd.DataFrame, truth: ChoiceTruth, alpha: float = 0.05) -> pd.DataFrame:
    """Estimate the buy / not-buy logit with statsmodels and set the estimates beside the true values.

    Returns :meth:`LogitFit.table` of :func:`estimate_choice_logit`: one row per term of
    :data:`LOGIT_TERMS` with ``true``, ``estimate``, ``std_err``, ``lower`` and ``upper`` (the
    1 - ``alpha`` Wald interval), ``recovered`` (true value inside it) and ``far``.
    """
    return estimate_choice_logit(choices, truth, alpha).table()


def _logit_record(
    terms: Sequence[str], true: Sequence[float], estimate: Sequence[float], lower: Sequence[float], upper: Sequence[float]
) -> dict[str, dict[str, float]]:
    """term -> {estimate, lower, upper, true} from parallel sequences."""
    return {
        t: {"estimate": float(e), "lower": float(lo), "upper": float(up), "true": float(tr)}
        for t, tr, e, lo, up in zip(terms, true, estimate, lower, upper)
    }


def logit_params_dict(estimates: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The recorded form of :func:`fit_choice_logit`: term -> {estimate, lower, upper, true}."""
    return _logit_record(*(estimates[c].to_numpy() for c in ("term", "true", "estimate", "lower", "upper")))


def conversion_table(choices: pd.DataFrame, truth: ChoiceTruth, platform_trust_share: Mapping[str, float]) -> pd.DataFrame:
    """Conversion (share buying, in [0, 1]) by price tier x platform: observed in the simulation and
    expected under the true model for the platform's buyer mix, with the number of buyers shown the tier."""
    observed = choices.groupby(["price_rmb", "platform"], observed=False)["buy"].agg(["mean", "size"]).reset_index()
    share = observed["platform"].astype(str).map(platform_trust_share).astype(float)
    expected = share * buy_probability(observed["price_rmb"], 1, truth) + (1 - share) * buy_probability(
        observed["price_rmb"], 0, truth
    )
    return observed.rename(columns={"mean": "observed_conversion", "size": "buyers"}).assign(
        expected_conversion=np.asarray(expected), trust_share=np.asarray(share)
    )[["price_rmb", "platform", "trust_share", "buyers", "observed_conversion", "expected_conversion"]]
