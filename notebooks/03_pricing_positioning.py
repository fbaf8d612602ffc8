# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (trustlab)
#     language: python
#     name: trustlab
# ---

# %% [markdown]
# # 03 · Pricing and platform positioning: a RMB 1,000 brand on a trust platform
# The article claims that on a platform positioned on low prices (Taobao, in its words) a high-priced
# brand struggles, while Kuaishou's trust model lets the streamer's and the brand's own positioning
# lead, so that 貝源世家 (Beiyuan Shijia), menswear at about RMB 1,000 a piece, could grow fast. How far
# do public figures, a discrete-choice model and the case's own numbers (a 1,099 → 599 shoe launch,
# a recall, semi-presale, the fast-brand support criteria) carry that claim? Public figures place the
# platforms; a logit shows what a "trust premium" does to conversion by price tier, and in closed form
# where in its assumed parameters the claim holds; the case numbers are worked through with the
# assumptions stated as parameters. The logit shows what the claim implies under assumed parameters;
# it is not evidence for the claim.

# %% tags=["parameters"]
list_price: float = 1099.0  # list price of the sneaker, RMB (article fact)
promo_price: float = 599.0  # anniversary-day price of the sneaker, RMB (article fact)
units: int = 1000  # pairs sold at the promo price (article fact)
sellout_minutes: float = 2.0  # minutes to sell out, at most (article fact)
recall_customers: int = 1000  # buyers offered the recall options, at least (article fact)
voucher_a: float = 50.0  # voucher on top of refund + paid return shipping in option A, RMB (article fact)
voucher_b: float = 599.0  # voucher instead of a return in option B, RMB (article fact)
redemption_rate: float = 0.8  # ASSUMED share of voucher value customers redeem, in [0, 1]
cost_ratio: float = 0.4  # ASSUMED brand's cost per RMB of goods redeemed with a voucher, RMB/RMB
return_shipping: float = 15.0  # ASSUMED return shipping the brand pays per pair in option A, RMB
salvage_value: float = 50.0  # ASSUMED value to the brand of a returned defective pair, RMB
customer_voucher_value: float = 0.9  # ASSUMED value to a customer of RMB 1 of voucher (1 means surely buys again), in [0, 1]
defective_pair_value: float = 200.0  # ASSUMED value to the customer of keeping the pair with the fading tongue, RMB
return_hassle: float = 20.0  # ASSUMED customer's cost of packing and sending the pair back, RMB
menswear_price: float = 1000.0  # unit price of the menswear, about, RMB (article fact)
unit_cost: float = 400.0  # ASSUMED production cost per garment, RMB
newsvendor_salvage: float = 200.0  # ASSUMED clearance value of an unsold garment, RMB
demand_mean: float = 2000.0  # ASSUMED mean demand for one style in one season, units
demand_cv: float = 0.3  # ASSUMED coefficient of variation of that (lognormal) demand, > 0
presale_accept_share: float = 0.9  # ASSUMED share of demand that accepts the 45-day presale wait and pre-orders, in [0, 1]
presale_cancel_share: float = 0.1  # ASSUMED share of pre-order buyers who cancel during the 45-day wait, in [0, 1]
monte_carlo_draws: int = 200000  # demand draws for the Monte Carlo check of the newsvendor
choice_intercept: float = 0.5  # TRUE log-odds of buying for a price-seeking buyer at price 0 (simulation)
price_coef: float = -3.0  # TRUE price coefficient of a price-seeking buyer, log-odds per RMB 1,000 (simulation)
trust_premium: float = 1.0  # TRUE extra log-odds of buying for a trust-driven buyer (simulation)
trust_price_interaction: float = 2.0  # TRUE change of the price coefficient for trust-driven buyers, per RMB 1,000 (simulation)
trust_share_price_platform: float = 0.2  # ASSUMED share of trust-driven buyers on the price-positioned platform, in [0, 1]
trust_share_trust_platform: float = 0.7  # ASSUMED share of trust-driven buyers on the trust-positioned platform, in [0, 1]
n_buyers: int = 20000  # simulated buyers in the choice model
alpha: float = 0.05  # 1 - confidence level of the logit intervals, in (0, 1)
support_max_age_years: float = 5.0  # fast-brand support: founded within this many years (article fact)
support_own_brand_share_min: float = 0.3  # fast-brand support: own-brand GMV share above this, share (article fact, 30 %)
support_monthly_gmv_min: float = 2.0e6  # fast-brand support: monthly live GMV above this, RMB (article fact)
fastbrand_target: int = 500  # fast brands Kuaishou planned to incubate in 2022 (article fact)
n_merchants: int = 20000  # ASSUMED number of brand merchants in the simulated population
merchant_age_mean_years: float = 4.0  # ASSUMED mean brand age (exponential), years
merchant_own_share_mean: float = 0.4  # ASSUMED mean own-brand GMV share (beta), in (0, 1)
merchant_own_share_concentration: float = 4.0  # ASSUMED beta concentration a + b of the own-brand share
merchant_gmv_median: float = 200000.0  # ASSUMED median monthly live GMV (lognormal), RMB
merchant_gmv_sigma: float = 1.5  # ASSUMED log-sd of monthly live GMV
merchant_core_share: float = 0.6  # ASSUMED share of merchants with Kuaishou as core channel, in [0, 1]
include_secondary_sources: bool = True  # keep V-2 (secondary copy) rows of the platform figures
seed: int = 20220623  # random seed: choices use seed, Monte Carlo seed + 1, merchants seed + 2

# %% tags=["remove-input"]
import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import trustlab
import trustlab.runner.notebook
import trustlab.provenance
from trustlab import plots, tables_display
from trustlab import pricing as pr
from trustlab.data.facts import fact_value, load_facts
from trustlab.data.positioning import load_positioning, period_end
from trustlab.results import record

PARAMS = trustlab.runner.notebook.validate("03_pricing_positioning", globals())  # same contract as `trustlab run`
plots.setup()
RUN = pr.run_analysis(PARAMS)  # the one orchestration: every recorded result, and the pieces shown below
RESULTS = RUN.results
positioning = load_positioning(include_secondary=include_secondary_sources)
spend = pr.spend_per_buyer(positioning)


def short(text: str, width: int = 70) -> str:
    """A long quote or explanation cut to one readable line (the full text is in the data file)."""
    return textwrap.shorten(str(text), width, placeholder=" …")


def bullets(lines: list[str]) -> Markdown:
    return Markdown("\n".join(line if line.startswith("- ") else f"- {line}" for line in lines))


# %% [markdown]
# ## Summary

# %% tags=["remove-input"]
display(bullets(pr.summary(RESULTS, PARAMS, spend)))

# %% tags=["remove-input"]
# The recorded results (results.json) are the run's: pricing.run_analysis computed them above.
for name, value in RESULTS.items():
    record(name, value)

# %% [markdown]
# ## Data
# - `data/facts.csv`: the article's own numbers for this case (status: quoted from the article; the
#   qualifier says whether a number is exact, "about", "at most" or "at least").
# - `data/platform_positioning.csv`: annual GMV, active buyers and spend per buyer of Pinduoduo and
#   Alibaba's China retail marketplaces, and Kuaishou's average monthly e-commerce buyers, transcribed
#   from `data/raw/kuaishou-public-figures.md` section D with source URL, verbatim quote and status:
#   **V** verified in a primary or near-primary copy, **V-c** a prior-year comparator in a later
#   release, **V-2** verified in a secondary, lower-reliability copy. Quotes are shortened here; the
#   full text is in the files.
#
# Parameters marked "article fact" must equal the facts; the table says whether they do (a scenario
# may change them on purpose).

# %%
facts = load_facts()
case_facts = facts[facts["fact_id"].str.match(r"^(pricing_|support_|fastbrand_target)")]
tables_display.show(case_facts.assign(quote=case_facts["quote"].map(short))[["fact_id", "metric", "value", "unit", "qualifier", "quote"]],
                    formats={"value": tables_display.format_text_number})
fact_check = pr.fact_parameter_table(PARAMS, lambda fid: fact_value(facts, fid))
tables_display.show(fact_check.assign(agrees=fact_check["agrees"].map({True: "yes", False: "NO"})))
changed = fact_check.loc[~fact_check["agrees"], "parameter"].tolist()
display(Markdown(
    "All article-fact parameters equal the facts." if not changed
    else f"**Changed from the article:** {', '.join(changed)} (this run is a scenario, not the case)."
))

# %%
tables_display.show(positioning.assign(quote=positioning["quote"].map(short))
                    [["platform", "metric", "period", "value", "unit", "qualifier", "status", "quote"]],
                    formats={"value": "{:,.1f}"})
tables_display.show(spend.assign(explanation=spend["explanation"].map(lambda t: short(t, 60)))
                    [["platform", "period", "gmv_rmb_bn", "annual_buyers_m", "monthly_buyers_m", "reported_rmb", "derived_rmb",
                      "spend_per_buyer_rmb", "basis", "status", "explanation"]]
                    .rename(columns={"gmv_rmb_bn": "GMV, RMB bn", "annual_buyers_m": "annual buyers, m",
                                     "monthly_buyers_m": "monthly buyers, m", "reported_rmb": "reported, RMB",
                                     "derived_rmb": "GMV / buyers, RMB", "spend_per_buyer_rmb": "spend per buyer, RMB"}),
                    formats={c: "{:,.0f}" for c in ["GMV, RMB bn", "annual buyers, m", "monthly buyers, m", "reported, RMB",
                                                    "GMV / buyers, RMB", "spend per buyer, RMB"]})
display(Markdown("\n".join(pr.narrative.positioning_lines(spend))))

# %%
comparable = spend[spend["comparable"]]
if not comparable.empty:
    fig, ax = plt.subplots()
    for platform, group in comparable.groupby("platform", sort=False):
        ends = group["period"].map(period_end)
        fiscal = group["period"].str.startswith("FY").any()
        label = f"{platform} ({', '.join(sorted(set(group['basis'])))}" + ("; fiscal years ending March)" if fiscal else ")")
        line, = ax.plot(ends, group["spend_per_buyer_rmb"], marker="o", label=label)
        for x, y, period in zip(ends, group["spend_per_buyer_rmb"], group["period"]):
            ax.annotate(period, (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7,
                        color=line.get_color())
    ax.margins(y=0.1)  # room above the highest point for its label
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("end of the 12-month period (each point labelled with its calendar or fiscal year)")
    ax.set_ylabel("spend per annual active buyer, RMB per year")
    ax.set_title("Spend per buyer by platform")
    ax.legend(fontsize=8)
    plots.caption(fig, "data/platform_positioning.csv (PDD press releases via GlobeNewswire reposts; Alibaba via IGD, "
                       "Opportimes, mimicnews). Kuaishou not shown: monthly buyers only.")
    plt.show()

# %% [markdown]
# ## Method
# 1. **Case numbers.** Discount depth 1 − promo / list; units per minute; revenue at the promo price
#    and revenue foregone against the list price; the support threshold (monthly live GMV above
#    RMB 2 M) as garments a month at the menswear price.
# 2. **Price-positioning fit.** A binary logit of buy / not buy. A buyer is price-seeking or
#    trust-driven (follows and trusts the streamer); the log-odds of buying at price *p* (RMB 1,000) are
#    `intercept + price_coef·p + trust_premium·trust + trust_price_interaction·trust·p`. Two platforms
#    differ only in their share of trust-driven buyers. **Every value in the model is assumed**: it
#    shows what the article's claim implies if these values were true, and is not evidence for the
#    claim (no choice data exist). The claim holds in the model when, at the highest price tier, the
#    trust-positioned platform converts better than the price-positioned one and its advantage is
#    larger there than at the lowest tier; otherwise the text says it fails. In closed form a
#    platform's conversion ratio rises with u = P(trust-driven buyer buys) / P(price seeker buys)
#    whenever the trust-positioned platform has more trust-driven buyers, so the claim holds exactly
#    when it does (the premise) and u at the top price exceeds both 1 and u at the bottom price: the
#    shares do not move the boundary, and the map over (interaction, trust share) shows where it lies.
#    Choices of `n_buyers` buyers, each shown one random price tier, are simulated (seed `seed`) and
#    the model is estimated back with `statsmodels.Logit` (Newton, until no parameter moves by more
#    than 1e-10 in a step); a fit that did not converge, or whose estimator warns (separation, a
#    Hessian that cannot be inverted), records no estimate and supports no sentence. An estimate that
#    misses its true value by more than half its size (at least 0.5 log-odds) is flagged. The 1 −
#    `alpha` Wald intervals should hold the true values.
# 3. **Recall.** Cost to the brand, against letting the sale stand: A = refund + return shipping −
#    salvage of the returned pair + voucher A × redemption × cost ratio; B = voucher B × redemption ×
#    cost ratio. What decides it is the brand's cost per RMB of redeemed goods: B is cheaper while the
#    cost ratio is below the **break-even cost ratio** (refund + shipping − salvage) / ((voucher B −
#    voucher A) × redemption), and cheaper at *every* redemption rate below that ratio at full
#    redemption. (The break-even redemption rate is above 1, so decides nothing, whenever the cost
#    ratio is below the latter.) The customer's side: A is worth the refund plus the voucher at the
#    customer's valuation minus the hassle of returning; B is the defective pair plus the larger
#    voucher, so B wins when the difference between the vouchers, at the customer's valuation, makes
#    up for the refund given up.
# 4. **Batch against semi-presale.** The newsvendor with lognormal demand of the stated mean and
#    coefficient of variation (never negative; σ² = ln(1 + CV²)): critical ratio (p − c)/(p − s),
#    optimal quantity the lognormal's quantile at that ratio, expected lost sales
#    mean·Φ(d₁) − Q·Φ(d₂) in closed form, checked by Monte Carlo. Under semi-presale only a share of
#    demand (`presale_accept_share`) accepts the 45-day wait and pre-orders, a share of those
#    cancels, and exactly the rest is made; the break-even acceptance and cancellation shares equate
#    the two expected profits, one assumption at a time.
# 5. **Support criteria.** An eligibility function (founded within the age limit, own-brand GMV share
#    and monthly live GMV above their minimums, Kuaishou core channel) over a simulated merchant
#    population whose distributions are assumptions. Eligibility is a share of that population, beside
#    the share the assumed distributions give in closed form (the attributes are independent); the
#    2022 target, a count of brands, is set only against the number of merchants a population like it
#    would need to yield that many (target / share), never against a count in the invented population.
#
# `trustlab.pricing.run_analysis(PARAMS)` computes every recorded result (the same function serves
# `trustlab sweep --fast`); the cells below display its pieces.

# %% [markdown]
# ## Result
# ### The shoe launch and the support threshold

# %%
display(Markdown("\n".join(pr.narrative.launch_lines(RESULTS, PARAMS))))

# %% [markdown]
# ### Price-positioning fit: what the claim implies under assumed parameters

# %%
display(Markdown("\n\n".join(pr.narrative.claim_lines(RESULTS, PARAMS))))
if RUN.logit.usable:  # a fit that did not converge has no estimates to show
    tables_display.show(RUN.logit.table().assign(recovered=lambda d: d["recovered"].map({True: "yes", False: "no"}),
                                                 far=lambda d: d["far"].map({True: "FAR", False: ""}))
                        .rename(columns={"std_err": "std. error", "recovered": "true value inside interval",
                                         "far": "far from true value"}),
                        formats={c: "{:.3f}" for c in ["true", "estimate", "std. error", "lower", "upper"]})
display(Markdown("\n".join(pr.narrative.logit_lines(RESULTS, PARAMS))))

# %%
region = pr.claim_map(RUN.truth, trust_share_price_platform, np.linspace(*pr.INTERACTION_RANGE, 161), np.linspace(0, 1, 101))
holds = region.pivot(index="trust_share_trust_platform", columns="trust_price_interaction", values="claim_holds")
fig, ax = plt.subplots()
ax.pcolormesh(holds.columns, holds.index * 100, holds.to_numpy(float), cmap=ListedColormap(["0.92", "C2"]), vmin=0, vmax=1,
              shading="nearest")
ax.scatter([trust_price_interaction], [trust_share_trust_platform * 100], color="C3", zorder=3, label="this run's assumption")
ax.axhline(trust_share_price_platform * 100, color="0.4", ls=":",
           label=f"price-positioned platform's share ({trust_share_price_platform:.0%})")
ax.set_xlabel("trust × price interaction, log-odds per RMB 1,000")
ax.set_ylabel("trust-driven buyers on the trust-positioned platform, %")
ax.set_title("Where the claim holds in the model (green), other parameters as assumed")
ax.legend(fontsize=8, loc="lower left")
plots.caption(fig, "closed form of the assumed logit (no simulation); not data")
plt.show()

# %%
conversion = pr.conversion_table(RUN.choices, RUN.truth, pr.platform_mix(PARAMS))
shown = conversion.assign(price=conversion["price_rmb"].map(lambda v: f"RMB {v:,.0f}"))
wide = (shown.pivot(index="price", columns="platform", values=["observed_conversion", "expected_conversion"])
        .reindex([f"RMB {v:,.0f}" for v in pr.PRICE_TIERS_RMB]))
wide.columns = [f"{platform}: {'simulated' if kind == 'observed_conversion' else 'true model'}" for kind, platform in wide.columns]
wide = wide.rename_axis("price tier").reset_index()
tables_display.show(wide, formats={c: "{:.1%}" for c in wide.columns[1:]}, caption="Conversion, share of buyers who buy")

# %%
fig, ax = plt.subplots()
for platform, group in conversion.groupby("platform", observed=True, sort=False):
    line, = ax.plot(group["price_rmb"], group["expected_conversion"], label=f"{platform}: true model")
    ax.scatter(group["price_rmb"], group["observed_conversion"], color=line.get_color(), marker="o",
               label=f"{platform}: simulated ({int(group['buyers'].sum()):,} buyers)")
ax.set_xlabel("price tier, RMB")
ax.set_ylabel("conversion, share of buyers who buy")
ax.set_ylim(0, 1)
ax.set_title("Conversion by price tier and platform positioning")
ax.legend(fontsize=8)
plots.caption(fig, f"simulation from assumed parameters (seed {seed}); not data")
plt.show()

# %% [markdown]
# ### The recall: refund plus a small voucher (A), or keep the shoes plus a voucher worth the price (B)

# %%
recall_table = pd.DataFrame(
    {"option": ["A: refund + shipping + voucher", "B: keep + voucher"],
     "per customer, RMB": [RUN.recall.per_customer_a, RUN.recall.per_customer_b],
     f"{recall_customers:,} customers, RMB": [RUN.recall.total_a, RUN.recall.total_b],
     "value to the customer, RMB": [RUN.customer.value_a, RUN.customer.value_b]},
)
tables_display.show(recall_table, formats={c: "{:,.0f}" for c in recall_table.columns[1:]})
display(Markdown("\n".join(pr.narrative.recall_lines(RESULTS, PARAMS))))

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
rates = np.linspace(0, 1, 101)
axes[0].plot(rates, pr.recall_cost_a(promo_price, voucher_a, rates, cost_ratio, return_shipping, salvage_value)
             * recall_customers / 1e3, label="A: refund + shipping + voucher")
axes[0].plot(rates, pr.recall_cost_b(voucher_b, rates, cost_ratio) * recall_customers / 1e3, label="B: keep + voucher")
axes[0].axvline(redemption_rate, color="0.5", ls=":", label=f"assumed redemption {redemption_rate:.0%}")
axes[0].set_xlabel("redemption rate, share of voucher value redeemed")
axes[0].set_ylabel(f"cost to the brand, RMB thousand ({recall_customers:,} customers)")
axes[0].set_title(f"At the assumed cost ratio {cost_ratio:g}")
axes[0].legend(fontsize=8)
ratios = np.linspace(0, 2, 101)
axes[1].plot(ratios, pr.recall_cost_a(promo_price, voucher_a, redemption_rate, ratios, return_shipping, salvage_value)
             * recall_customers / 1e3, label="A: refund + shipping + voucher")
axes[1].plot(ratios, pr.recall_cost_b(voucher_b, redemption_rate, ratios) * recall_customers / 1e3, label="B: keep + voucher")
axes[1].axvline(cost_ratio, color="0.5", ls=":", label=f"assumed cost ratio {cost_ratio:g}")
if np.isfinite(RESULTS["breakeven_cost_ratio"]) and RESULTS["breakeven_cost_ratio"] <= 2:
    axes[1].axvline(RESULTS["breakeven_cost_ratio"], color="C3", ls="--",
                    label=f"break-even cost ratio {RESULTS['breakeven_cost_ratio']:.2f}")
axes[1].set_xlabel("brand's cost per RMB of goods redeemed")
axes[1].set_title(f"At the assumed redemption rate {redemption_rate:.0%}")
axes[1].legend(fontsize=8)
plots.caption(fig, "article (customers, refund, vouchers); cost ratio, redemption, shipping and salvage are assumptions")
plt.show()

# %% [markdown]
# ### Batch production against semi-presale

# %%
fields = ["quantity", "expected_sales", "expected_leftovers", "expected_lost_sales", "fill_rate", "expected_profit"]
# the fill rate is a share; the other fields are garments or RMB
tables_display.show(pd.DataFrame({"quantity": [f.replace("_", " ") for f in fields]} | {
    label: [tables_display.format_percent(getattr(res, f)) if f == "fill_rate" else getattr(res, f) for f in fields]
    for label, res in (("analytic", RUN.newsvendor), ("Monte Carlo", RUN.monte_carlo))
}))
display(Markdown("\n".join(pr.narrative.presale_lines(RESULTS, PARAMS))))

# %%
batch = pr.batch_inputs(PARAMS)
nv_quantity, nv_profit, breakeven_k = (RESULTS["newsvendor_quantity"], RESULTS["newsvendor_expected_profit"],
                                       RESULTS["breakeven_cancel_share"])
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
quantities = np.linspace(0, max(2 * nv_quantity, demand_mean * 2), 121)
curve = pr.newsvendor_profit_curve(*batch, quantities)
axes[0].plot(curve["quantity"], curve["expected_profit"] / 1e3)
axes[0].axvline(nv_quantity, color="0.5", ls=":", label=f"optimal {nv_quantity:,.0f}")
axes[0].set_xlabel("batch size, garments")
axes[0].set_ylabel("expected profit, RMB thousand")
axes[0].set_title("Batch produced before demand")
axes[0].legend(fontsize=8)
shares = np.linspace(0, 0.5, 51)
axes[1].plot(shares * 100, pr.presale_expected_profit(menswear_price, unit_cost, demand_mean, shares, presale_accept_share) / 1e3,
             label=f"semi-presale ({presale_accept_share:.0%} of demand waits)")
axes[1].axhline(nv_profit / 1e3, color="C1", label="optimal batch")
if 0 <= breakeven_k <= 0.5:
    axes[1].axvline(breakeven_k * 100, color="0.5", ls=":", label=f"break-even {breakeven_k:.1%}")
axes[1].set_xlabel("pre-order buyers who cancel during the wait, %")
axes[1].set_ylabel("expected profit, RMB thousand")
axes[1].set_title("Semi-presale against the batch")
axes[1].legend(fontsize=8)
plots.caption(fig, "model with assumed price, cost, salvage and demand; RMB 1,000 unit price and 45-day shipping from the article")
plt.show()

# %% [markdown]
# ### The fast-brand support criteria

# %%
criteria, merchants = RUN.criteria, RUN.merchants
sensitivity = pr.eligibility_sensitivity(merchants, criteria)
tables_display.show(sensitivity, formats={"factor": "{:.2f}", "value": "{:,.2f}", "change": "{:+,}",
                                          "eligible_share": "{:.2%}", "share_change": "{:+.2%}"})
passes = pr.pass_shares(merchants, criteria)
display(Markdown("\n".join(pr.narrative.eligibility_lines(RESULTS, PARAMS, passes, sensitivity))))

# %%
fig, ax = plt.subplots()
for name, group in sensitivity.dropna(subset=["factor"]).groupby("threshold", sort=False):
    ax.plot(group["factor"], group["eligible_share"] * 100, marker="o", label=name)
ax.set_xlabel("threshold scaled by (1 = published criterion)")
ax.set_ylabel("eligible merchants, % of the simulated population")
ax.set_title("Sensitivity of the eligible share to each threshold")
ax.legend(fontsize=8)
plots.caption(fig, "criteria and target from the article; simulated merchant population (assumed distributions)")
plt.show()

# %% [markdown]
# ## Caveats

# %%
display(Markdown("\n".join(pr.narrative.caveats(RESULTS, PARAMS, spend))))

# %% [markdown]
# ## References
# From the project's bibliography, `data/references.json`.

# %%
from trustlab import references

references.show(
    ["zhuangshuai-2022-trust-pyramid", "trustlab-2026-facts", "trustlab-2026-platform-positioning",
     "trustlab-2026-public-figures", "cachon-terwiesch-2013", "seabold-perktold-2010"],
    notes={"cachon-terwiesch-2013": "Used here: the newsvendor model and its critical-ratio quantity.",
           "seabold-perktold-2010": "Used here: the binary logit, statsmodels.discrete.discrete_model.Logit."},
)

# %% tags=["remove-cell"]
# The commit and package versions are this run's provenance, not results, so nbval skips them;
# the report page leaves this cell out, its header shows the same commit and versions:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
