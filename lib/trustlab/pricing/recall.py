"""The recall decision: refund + shipping + RMB 50 voucher (option A) against keep the pair + RMB 599
voucher (option B), from the brand's side and from the customer's. Money is in RMB; redemption rates
and valuations are shares in [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RecallCosts:
    """Cost to the brand of each recall option, against letting the sale stand (RMB)."""

    per_customer_a: float
    per_customer_b: float
    total_a: float
    total_b: float


def recall_cost_a(refund, voucher_a, redemption_rate, cost_ratio, return_shipping, salvage_value):
    """Option A per customer (RMB): refund the price paid, pay the return shipping, get back a defective
    pair worth ``salvage_value``, and give a voucher of ``voucher_a`` of which a share
    ``redemption_rate`` is redeemed on goods costing the brand ``cost_ratio`` per RMB. Vectorised."""
    return refund + return_shipping - salvage_value + voucher_a * np.asarray(redemption_rate) * cost_ratio


def recall_cost_b(voucher_b, redemption_rate, cost_ratio):
    """Option B per customer (RMB): the customer keeps the pair and gets a ``voucher_b`` voucher,
    redeemed with share ``redemption_rate`` on goods costing ``cost_ratio`` per RMB. Vectorised."""
    return voucher_b * np.asarray(redemption_rate) * cost_ratio


def recall_costs(
    n_customers: float,
    refund: float,
    voucher_a: float,
    voucher_b: float,
    redemption_rate: float,
    cost_ratio: float,
    return_shipping: float,
    salvage_value: float,
) -> RecallCosts:
    """Per-customer and total (``n_customers`` customers, all taking the option) cost of A and B (RMB)."""
    a = float(recall_cost_a(refund, voucher_a, redemption_rate, cost_ratio, return_shipping, salvage_value))
    b = float(recall_cost_b(voucher_b, redemption_rate, cost_ratio))
    return RecallCosts(a, b, a * n_customers, b * n_customers)


def breakeven_redemption_rate(
    refund: float, voucher_a: float, voucher_b: float, cost_ratio: float, return_shipping: float, salvage_value: float
) -> float:
    """Redemption rate at which A and B cost the brand the same.

    Solves refund + shipping - salvage + voucher_a r c = voucher_b r c for r. Below it B is cheaper.
    A value above 1 means B is cheaper at every possible redemption rate; ``inf`` when the voucher of
    B costs no more per redeemed RMB than A's (so redemption never makes B dearer); ``nan`` when both
    options cost nothing fixed and redemption is free.
    """
    fixed = refund + return_shipping - salvage_value
    slope = (voucher_b - voucher_a) * cost_ratio
    if slope <= 0:
        return math.inf if fixed > 0 or slope < 0 else math.nan
    return fixed / slope


def breakeven_cost_ratio(
    refund: float, voucher_a: float, voucher_b: float, redemption_rate: float, return_shipping: float, salvage_value: float
) -> float:
    """Brand's cost per RMB of redeemed goods at which A and B cost the same, at ``redemption_rate``.

    Solves refund + shipping - salvage + voucher_a r c = voucher_b r c for c: B is cheaper while the
    cost ratio is below it. This is the margin that decides the recall: the break-even redemption rate
    is above 1 (so decides nothing) whenever the cost ratio is below this value at r = 1.
    ``inf`` when the voucher difference costs nothing at this redemption (r = 0, or B's voucher no
    larger than A's) while A has a cost (B is cheaper at every cost ratio); ``nan`` when both cost
    nothing whatever the ratio.
    """
    fixed = refund + return_shipping - salvage_value
    slope = (voucher_b - voucher_a) * redemption_rate
    if slope <= 0:
        return math.inf if fixed > 0 or slope < 0 else math.nan
    return fixed / slope


@dataclass(frozen=True)
class RecallVerdict:
    """Which recall option costs the brand less, and the margins that decide it.

    ``b_cheaper``: B costs less than A at the assumed redemption rate and cost ratio.
    ``breakeven_cost_ratio``: at the assumed redemption rate, B is cheaper below this cost ratio.
    ``always_b_cost_ratio``: below this cost ratio B is cheaper at every redemption rate in [0, 1]
    (the break-even cost ratio at full redemption). ``b_cheaper_at_every_redemption``: the assumed
    cost ratio is below it (the break-even redemption rate is above 1 and decides nothing).
    """

    b_cheaper: bool
    breakeven_cost_ratio: float
    always_b_cost_ratio: float
    b_cheaper_at_every_redemption: bool


def recall_verdict(
    refund: float,
    voucher_a: float,
    voucher_b: float,
    redemption_rate: float,
    cost_ratio: float,
    return_shipping: float,
    salvage_value: float,
) -> RecallVerdict:
    """The recall decision from the brand's side (see :class:`RecallVerdict`)."""
    a = float(recall_cost_a(refund, voucher_a, redemption_rate, cost_ratio, return_shipping, salvage_value))
    b = float(recall_cost_b(voucher_b, redemption_rate, cost_ratio))
    always = breakeven_cost_ratio(refund, voucher_a, voucher_b, 1.0, return_shipping, salvage_value)
    # B is cheaper at every redemption rate when, at the worst case for B (full redemption), it still
    # costs no more than A: r = 1 maximises B - A when B's voucher is the larger one.
    full_a = float(recall_cost_a(refund, voucher_a, 1.0, cost_ratio, return_shipping, salvage_value))
    full_b = float(recall_cost_b(voucher_b, 1.0, cost_ratio))
    zero_a = float(recall_cost_a(refund, voucher_a, 0.0, cost_ratio, return_shipping, salvage_value))
    every = full_b < full_a and 0.0 < zero_a  # B costs nothing at r = 0, so it needs A > 0 there too
    return RecallVerdict(
        b < a, breakeven_cost_ratio(refund, voucher_a, voucher_b, redemption_rate, return_shipping, salvage_value), always, every
    )


@dataclass(frozen=True)
class CustomerSide:
    """Value to the customer of each option (RMB) and the voucher valuation that makes B the better one."""

    value_a: float
    value_b: float
    prefers_b: bool
    min_voucher_value_for_b: float


def customer_side(
    refund: float,
    voucher_a: float,
    voucher_b: float,
    voucher_value: float,
    defective_pair_value: float,
    return_hassle: float,
) -> CustomerSide:
    """The customer's view of the two options.

    A gives the refund plus a voucher, minus the hassle of sending the pair back (RMB); B gives the
    defective pair (worth ``defective_pair_value`` to the customer) plus a bigger voucher. A voucher
    RMB is worth ``voucher_value`` in [0, 1] to a customer (1 if they surely buy from the brand again:
    trust). B is preferred when voucher_value >= (refund - pair - hassle) / (voucher_b - voucher_a),
    the ``min_voucher_value_for_b`` (0 when B is better at every valuation; above 1 or ``inf`` when no
    valuation in [0, 1] makes B better, ``inf`` when B's voucher is not the larger one and B needs it).
    """
    value_a = refund + voucher_value * voucher_a - return_hassle
    value_b = defective_pair_value + voucher_value * voucher_b
    gap = voucher_b - voucher_a
    need = refund - defective_pair_value - return_hassle  # what B must make up through the voucher difference
    if gap > 0:
        threshold = max(need / gap, 0.0)
    else:  # the voucher difference does not favour B: B wins at no valuation or at all of them
        threshold = 0.0 if need <= 0 else math.inf
    return CustomerSide(value_a, value_b, value_b >= value_a, threshold)
