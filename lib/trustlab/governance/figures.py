"""Notebook ``01_governance``'s figures, each drawn from one run (:class:`~trustlab.governance.analysis.Analysis`)
in the house style (:mod:`trustlab.plots`: units in the axis labels, the source as the caption). Each
function returns the figure with its caption placed; the notebook only shows it. matplotlib and
seaborn are imported inside the functions, so importing :mod:`trustlab.governance` stays cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustlab import plots
from trustlab.governance.report_rate import MIN_EFFECTIVE_REPORTS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from trustlab.governance.analysis import Analysis

TRUST_REPORT_SOURCE = "data/trust_report_2021.csv"


def intensity_figure(a: Analysis) -> Figure:
    """Governance events per day (log scale), one bar per figure, V-2 figures in grey, each labelled
    with its value and status."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    intensity = a.intensity
    daily = intensity["per_day"].sort_values()
    colors = ["0.6" if s == "V-2" else sns.color_palette()[0] for s in intensity.loc[daily.index, "status"]]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.barh(daily.index, daily.to_numpy(), color=colors)
    ax.set_xscale("log")
    ax.set_xlabel("events per day (log scale)")
    ax.set_title(f"Kuaishou e-commerce governance, {a.params['year']}: events per day")
    for y, (label, v) in enumerate(daily.items()):
        ax.text(v * 1.1, y, f"{v:,.0f} ({intensity.loc[label, 'status']})", va="center", fontsize=8)
    ax.set_xlim(right=daily.max() * 20)
    plots.caption(
        fig,
        f"{TRUST_REPORT_SOURCE} (2021 trust report as reported by Teller Report, a Tencent News reprint and Pandaily); grey = V-2",
    )
    return fig


def design_effect_figure(a: Analysis) -> Figure:
    """The report rate's relative change (%) under each design effect (log scale): its interval as a
    band, the observed change, the minimum detectable fall, the assumed design effect and the one at
    which the verdict changes."""
    import matplotlib.pyplot as plt

    d, alpha = a.deff_table, a.params["alpha"]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ax.fill_between(d["design_effect"], 100 * d["ci_low"], 100 * d["ci_high"], alpha=0.3, label=f"{1 - alpha:.0%} interval")
    ax.axhline(100 * a.test.relative_change, color="k", lw=1, label="observed change")
    ax.plot(d["design_effect"], -100 * d["mdc"], ls="--", label="minimum detectable fall")
    ax.axhline(0, color="0.5", lw=0.8)
    if a.breakeven_deff >= 1:
        ax.axvline(a.breakeven_deff, color="C3", lw=0.8, ls=":", label=f"verdict changes (deff {a.breakeven_deff:,.0f})")
    ax.axvline(a.test.design_effect, color="0.3", lw=0.8, ls="-.", label=f"assumed (deff {a.test.design_effect:g})")
    ax.set_xscale("log")
    ax.set_xlabel("design effect (variance relative to independent orders, log scale)")
    ax.set_ylabel("relative change of the rate, %")
    ax.set_title("The report-rate change under clustered reports")
    ax.legend(fontsize=8, loc="lower left")
    plots.caption(
        fig, f"computed from the report-rate change ({TRUST_REPORT_SOURCE}) under the assumed rate, volume and design effects"
    )
    return fig


def sensitivity_figure(a: Analysis) -> Figure:
    """Two heatmaps over assumed 2020 report rates and order volumes: −z of the two-proportion test
    (left) and the minimum detectable fall, % of the rate (right); empty cells are not tested."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from scipy.stats import norm

    sens, alpha, power = a.sensitivity, a.params["alpha"], a.params["power"]
    z_grid = sens.pivot(index="base_rate_per_10k", columns="orders", values="z")
    mdc_grid = sens.pivot(index="base_rate_per_10k", columns="orders", values="mdc") * 100
    labels = [f"{v:.0e}" for v in z_grid.columns]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    sns.heatmap(-z_grid, annot=True, fmt=".1f", cmap="viridis", ax=axes[0], xticklabels=labels, cbar_kws={"label": "−z"})
    axes[0].set_title(f"−z, two-proportion test (significant if > {norm.ppf(1 - alpha / 2):.2f})")
    sns.heatmap(mdc_grid, annot=True, fmt=".2g", cmap="magma_r", ax=axes[1], xticklabels=labels, cbar_kws={"label": "%"})
    axes[1].set_title(f"minimum detectable fall, % of the rate (power {power:.0%})")
    for ax in axes[:2]:
        ax.set_xlabel("orders per year")
        ax.set_ylabel("2020 report rate, reports per 10,000 orders")
        ax.invert_yaxis()
    plots.caption(
        fig,
        f"design effect {a.test.design_effect:g}; computed from the report-rate change ({TRUST_REPORT_SOURCE}) under "
        f"assumed rates and volumes; empty cells: fewer than {MIN_EFFECTIVE_REPORTS:g} effective reports",
    )
    return fig
