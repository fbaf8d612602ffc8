"""Notebook ``03_pricing_positioning``'s figures, each drawn from one run in the house style
(:mod:`trustlab.plots`: units in the axis labels, the source as the caption). Each function returns
the figure with its caption placed; the notebook only shows it. matplotlib is imported inside the
functions, so importing :mod:`trustlab.pricing` stays cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from trustlab import plots
from trustlab.pricing.claim import INTERACTION_RANGE
from trustlab.pricing.newsvendor import newsvendor_profit_curve, presale_expected_profit
from trustlab.pricing.parameters import batch_inputs
from trustlab.pricing.recall import recall_cost_a, recall_cost_b

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from trustlab.pricing.analysis import PricingRun

MAX_COST_RATIO = 2.0  # the recall figure's cost-ratio axis ends here (the contract's upper bound)
MAX_CANCEL_SHARE = 0.5  # the presale figure's cancellation axis ends here


def spend_per_buyer_figure(spend: pd.DataFrame) -> Figure | None:
    """Spend per annual active buyer (RMB per year) by platform over time, each point labelled with its
    period; None when no platform has a comparable figure."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from trustlab.data.positioning import period_end

    comparable = spend[spend["comparable"]]
    if comparable.empty:
        return None
    fig, ax = plt.subplots()
    for platform, group in comparable.groupby("platform", sort=False):
        ends = group["period"].map(period_end)
        fiscal = group["period"].str.startswith("FY").any()
        label = f"{platform} ({', '.join(sorted(set(group['basis'])))}" + ("; fiscal years ending March)" if fiscal else ")")
        (line,) = ax.plot(ends, group["spend_per_buyer_rmb"], marker="o", label=label)
        for x, y, period in zip(ends, group["spend_per_buyer_rmb"], group["period"], strict=True):
            ax.annotate(
                period, (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7, color=line.get_color()
            )
    ax.margins(y=0.1)  # room above the highest point for its label
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("end of the 12-month period (each point labelled with its calendar or fiscal year)")
    ax.set_ylabel("spend per annual active buyer, RMB per year")
    ax.set_title("Spend per buyer by platform")
    ax.legend(fontsize=8)
    plots.caption(
        fig,
        "data/platform_positioning.csv (PDD press releases via GlobeNewswire reposts; Alibaba via IGD, "
        "Opportimes, mimicnews). Kuaishou not shown: monthly buyers only.",
    )
    return fig


def claim_map_figure(run: PricingRun) -> Figure:
    """Where the claim holds in the assumed logit (green) over the trust x price interaction and the
    trust-positioned platform's share of trust-driven buyers (%), this run's assumption marked."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from trustlab.pricing.claim import claim_map

    p = run.params
    share_price = p["trust_share_price_platform"]
    region = claim_map(run.truth, share_price, np.linspace(*INTERACTION_RANGE, 161).tolist(), np.linspace(0, 1, 101).tolist())
    holds = region.pivot(index="trust_share_trust_platform", columns="trust_price_interaction", values="claim_holds")
    fig, ax = plt.subplots()
    ax.pcolormesh(
        holds.columns,
        holds.index * 100,
        holds.to_numpy(float),
        cmap=ListedColormap(["0.92", "C2"]),
        vmin=0,
        vmax=1,
        shading="nearest",
    )
    ax.scatter(
        [p["trust_price_interaction"]],
        [p["trust_share_trust_platform"] * 100],
        color="C3",
        zorder=3,
        label="this run's assumption",
    )
    ax.axhline(share_price * 100, color="0.4", ls=":", label=f"price-positioned platform's share ({share_price:.0%})")
    ax.set_xlabel("trust × price interaction, log-odds per RMB 1,000")
    ax.set_ylabel("trust-driven buyers on the trust-positioned platform, %")
    ax.set_title("Where the claim holds in the model (green), other parameters as assumed")
    ax.legend(fontsize=8, loc="lower left")
    plots.caption(fig, "closed form of the assumed logit (no simulation); not data")
    return fig


def conversion_figure(conversion: pd.DataFrame, seed: int) -> Figure:
    """Conversion (share of buyers who buy) by price tier and platform: the true model as lines, the
    simulation (seed ``seed``) as points."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    for platform, group in conversion.groupby("platform", observed=True, sort=False):
        (line,) = ax.plot(group["price_rmb"], group["expected_conversion"], label=f"{platform}: true model")
        ax.scatter(
            group["price_rmb"],
            group["observed_conversion"],
            color=line.get_color(),
            marker="o",
            label=f"{platform}: simulated ({int(group['buyers'].sum()):,} buyers)",
        )
    ax.set_xlabel("price tier, RMB")
    ax.set_ylabel("conversion, share of buyers who buy")
    ax.set_ylim(0, 1)
    ax.set_title("Conversion by price tier and platform positioning")
    ax.legend(fontsize=8)
    plots.caption(fig, f"simulation from assumed parameters (seed {seed}); not data")
    return fig


def recall_figure(run: PricingRun) -> Figure:
    """Cost to the brand of recall options A and B (RMB thousand, all customers): against the redemption
    rate at the assumed cost ratio (left), against the cost ratio at the assumed redemption rate (right)."""
    import matplotlib.pyplot as plt

    p, breakeven = run.params, run.results["breakeven_cost_ratio"]
    scale = p["recall_customers"] / 1e3
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    rates, ratios = np.linspace(0, 1, 101), np.linspace(0, MAX_COST_RATIO, 101)
    for ax, x, rate, ratio in ((axes[0], rates, rates, p["cost_ratio"]), (axes[1], ratios, p["redemption_rate"], ratios)):
        cost_a = recall_cost_a(p["promo_price"], p["voucher_a"], rate, ratio, p["return_shipping"], p["salvage_value"])
        ax.plot(x, np.broadcast_to(cost_a, x.shape) * scale, label="A: refund + shipping + voucher")
        ax.plot(x, np.broadcast_to(recall_cost_b(p["voucher_b"], rate, ratio), x.shape) * scale, label="B: keep + voucher")
    axes[0].axvline(p["redemption_rate"], color="0.5", ls=":", label=f"assumed redemption {p['redemption_rate']:.0%}")
    axes[0].set_xlabel("redemption rate, share of voucher value redeemed")
    axes[0].set_ylabel(f"cost to the brand, RMB thousand ({p['recall_customers']:,} customers)")
    axes[0].set_title(f"At the assumed cost ratio {p['cost_ratio']:g}")
    axes[1].axvline(p["cost_ratio"], color="0.5", ls=":", label=f"assumed cost ratio {p['cost_ratio']:g}")
    if np.isfinite(breakeven) and breakeven <= MAX_COST_RATIO:
        axes[1].axvline(breakeven, color="C3", ls="--", label=f"break-even cost ratio {breakeven:.2f}")
    axes[1].set_xlabel("brand's cost per RMB of goods redeemed")
    axes[1].set_title(f"At the assumed redemption rate {p['redemption_rate']:.0%}")
    for ax in axes:
        ax.legend(fontsize=8)
    plots.caption(fig, "article (customers, refund, vouchers); cost ratio, redemption, shipping and salvage are assumptions")
    return fig


def batch_figure(run: PricingRun) -> Figure:
    """Expected profit (RMB thousand) of a batch made before demand, by batch size (left), and of
    semi-presale by the share of pre-order buyers who cancel, against the optimal batch (right)."""
    import matplotlib.pyplot as plt

    p, r = run.params, run.results
    quantity, profit, breakeven = r["newsvendor_quantity"], r["newsvendor_expected_profit"], r["breakeven_cancel_share"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    curve = newsvendor_profit_curve(*batch_inputs(p), np.linspace(0, max(2 * quantity, 2 * p["demand_mean"]), 121).tolist())
    axes[0].plot(curve["quantity"], curve["expected_profit"] / 1e3)
    axes[0].axvline(quantity, color="0.5", ls=":", label=f"optimal {quantity:,.0f}")
    axes[0].set_xlabel("batch size, garments")
    axes[0].set_title("Batch produced before demand")
    shares = np.linspace(0, MAX_CANCEL_SHARE, 51)
    presale = presale_expected_profit(p["menswear_price"], p["unit_cost"], p["demand_mean"], shares, p["presale_accept_share"])
    axes[1].plot(shares * 100, presale / 1e3, label=f"semi-presale ({p['presale_accept_share']:.0%} of demand waits)")
    axes[1].axhline(profit / 1e3, color="C1", label="optimal batch")
    if 0 <= breakeven <= MAX_CANCEL_SHARE:
        axes[1].axvline(breakeven * 100, color="0.5", ls=":", label=f"break-even {breakeven:.1%}")
    axes[1].set_xlabel("pre-order buyers who cancel during the wait, %")
    axes[1].set_title("Semi-presale against the batch")
    for ax in axes:
        ax.set_ylabel("expected profit, RMB thousand")
        ax.legend(fontsize=8)
    plots.caption(
        fig, "model with assumed price, cost, salvage and demand; RMB 1,000 unit price and 45-day shipping from the article"
    )
    return fig


def eligibility_figure(sensitivity: pd.DataFrame) -> Figure:
    """Eligible merchants (% of the simulated population) as each support threshold is scaled, from
    :func:`~trustlab.pricing.eligibility.eligibility_sensitivity`."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    for name, group in sensitivity.dropna(subset=["factor"]).groupby("threshold", sort=False):
        ax.plot(group["factor"], group["eligible_share"] * 100, marker="o", label=name)
    ax.set_xlabel("threshold scaled by (1 = published criterion)")
    ax.set_ylabel("eligible merchants, % of the simulated population")
    ax.set_title("Sensitivity of the eligible share to each threshold")
    ax.legend(fontsize=8)
    plots.caption(fig, "criteria and target from the article; simulated merchant population (assumed distributions)")
    return fig
