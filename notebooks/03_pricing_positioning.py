# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
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
# platforms; a simulated logit shows what a "trust premium" does to conversion by price tier; the
# case numbers are worked through with the assumptions stated as parameters.

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
customer_voucher_value: float = 0.9  # ASSUMED value to a customer of RMB 1 of voucher (1 = surely buys again), in [0, 1]
defective_pair_value: float = 200.0  # ASSUMED value to the customer of keeping the pair with the fading tongue, RMB
return_hassle: float = 20.0  # ASSUMED customer's cost of packing and sending the pair back, RMB
menswear_price: float = 1000.0  # unit price of the menswear, about, RMB (article fact)
unit_cost: float = 400.0  # ASSUMED production cost per garment, RMB
newsvendor_salvage: float = 200.0  # ASSUMED clearance value of an unsold garment, RMB
demand_mean: float = 2000.0  # ASSUMED mean demand for one style in one season, units
demand_cv: float = 0.3  # ASSUMED coefficient of variation of that demand, > 0
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
support_monthly_gmv_min: float = 2000000.0  # fast-brand support: monthly live GMV above this, RMB (article fact)
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

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from scipy import stats

import trustlab
import trustlab.runner.params
import trustlab.provenance
from trustlab import plots
from trustlab import pricing as pr
from trustlab.data.facts import fact_value, load_facts
from trustlab.data.positioning import load_positioning
from trustlab.results import record

PARAMS = trustlab.runner.params.validate("03_pricing_positioning", globals())  # same contract as `trustlab run`
plots.setup()

# %% [markdown]
# ## Data
# - `data/facts.csv`: the article's own numbers for this case (status: quoted from the article; the
#   qualifier says whether a number is exact, "about", "at most" or "at least").
# - `data/platform_positioning.csv`: annual GMV, active buyers and spend per buyer of Pinduoduo and
#   Alibaba's China retail marketplaces, and Kuaishou's average monthly e-commerce buyers, transcribed
#   from `data/raw/kuaishou-public-figures.md` section D with source URL, verbatim quote and status:
#   **V** verified in a primary or near-primary copy, **V-c** a prior-year comparator in a later
#   release, **V-2** verified in a secondary, lower-reliability copy.
#
# Parameters marked "article fact" must equal the facts; the table says whether they do (a scenario
# may change them on purpose).

# %%
facts = load_facts()
case_facts = facts[facts["fact_id"].str.match(r"^(pricing_|support_|fastbrand_target)")]
display(case_facts[["fact_id", "metric", "value", "unit", "qualifier", "quote"]].style.hide(axis="index"))
fact_check = pr.fact_parameter_table(PARAMS, lambda fid: fact_value(facts, fid))
display(fact_check.style.hide(axis="index"))
changed = fact_check.loc[~fact_check["agrees"], "parameter"].tolist()
display(Markdown(
    "All article-fact parameters equal the facts." if not changed
    else f"**Changed from the article:** {', '.join(changed)} (this run is a scenario, not the case)."
))

# %%
positioning = load_positioning(include_secondary=include_secondary_sources)
display(positioning[["platform", "metric", "period", "value", "unit", "qualifier", "status", "comparable", "quote"]]
        .style.format({"value": "{:,.1f}"}).hide(axis="index"))
spend = pr.spend_per_buyer(positioning)
display(spend[["platform", "period", "gmv_rmb_bn", "annual_buyers_m", "monthly_buyers_m", "reported_qualifier",
               "reported_rmb", "derived_rmb", "spend_per_buyer_rmb", "basis", "status", "explanation"]]
        .style.format({c: "{:,.1f}" for c in ["gmv_rmb_bn", "annual_buyers_m", "monthly_buyers_m", "reported_rmb",
                                               "derived_rmb", "spend_per_buyer_rmb"]}, na_rep="—").hide(axis="index"))

# %%
comparable = spend[spend["comparable"]]
not_comparable = spend[~spend["comparable"]]
pdd = comparable[comparable["platform"] == "Pinduoduo"]
ali = comparable[comparable["platform"].str.startswith("Alibaba")]
lines = []
if not pdd.empty:
    lines.append(f"- Pinduoduo's reported annual spending per active buyer rose from RMB {pdd['spend_per_buyer_rmb'].iloc[0]:,.0f} "
                 f"({pdd['period'].iloc[0]}) to RMB {pdd['spend_per_buyer_rmb'].iloc[-1]:,.0f} ({pdd['period'].iloc[-1]}); "
                 f"where GMV and buyers are also given, GMV / buyers reproduces it within "
                 f"RMB {(pdd['derived_rmb'] - pdd['reported_rmb']).abs().max():,.2f}.")
if not ali.empty:
    bound = ali.dropna(subset=["reported_rmb"])
    bound_text = "" if bound.empty else (
        f" The {bound['period'].iloc[0]} derived figure {'respects' if bool(bound['bound_consistent'].iloc[0]) else 'violates'} "
        f"the reported '{bound['reported_qualifier'].iloc[0]}RMB {bound['reported_rmb'].iloc[0]:,.0f}'.")
    lines.append(f"- Alibaba's China retail GMV per annual active consumer (derived here, not quoted): "
                 + ", ".join(f"RMB {v:,.0f} ({p})" for p, v in zip(ali["period"], ali["spend_per_buyer_rmb"])) + "." + bound_text)
if not not_comparable.empty:
    lines.append(f"- Kuaishou: {len(not_comparable)} quarters of *average monthly* buyers "
                 f"({not_comparable['monthly_buyers_m'].min():,.0f}–{not_comparable['monthly_buyers_m'].max():,.0f} million, "
                 f"status {', '.join(sorted(set(not_comparable['status'])))}); Kuaishou publishes no annual active buyers, so no "
                 "spend per buyer comparable with the two rows above can be formed, and none is shown.")
display(Markdown("\n".join(lines)))

# %%
if not comparable.empty:
    fig, ax = plt.subplots()
    for platform, group in comparable.groupby("platform", sort=False):
        year = group["period"].str.extract(r"(\d{4})")[0].astype(int)
        ax.plot(year, group["spend_per_buyer_rmb"], marker="o", label=f"{platform} ({', '.join(sorted(set(group['basis'])))})")
    ax.set_xlabel("year (Alibaba: fiscal year ending March)")
    ax.set_ylabel("spend per annual active buyer, RMB per year")
    ax.set_title("Spend per buyer by platform")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
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
#    differ only in their share of trust-driven buyers. Choices of `n_buyers` buyers, each shown one
#    random price tier, are simulated from the stated true values (seed `seed`) and the model is
#    estimated back with `statsmodels.Logit`; the 1 − `alpha` Wald intervals should hold the true values.
# 3. **Recall.** Cost to the brand, against letting the sale stand: A = refund + return shipping −
#    salvage of the returned pair + voucher A × redemption × cost ratio; B = voucher B × redemption ×
#    cost ratio. Break-even redemption rate where they are equal. The customer's side: A is worth the
#    refund plus the voucher at the customer's valuation minus the hassle of returning; B is the
#    defective pair plus the larger voucher.
# 4. **Batch against semi-presale.** The newsvendor with normal demand: critical ratio (p − c)/(p − s),
#    optimal quantity μ + σ Φ⁻¹(ratio), expected lost sales σ L(z) with the standard normal loss
#    function, checked by Monte Carlo. Semi-presale produces exactly the pre-orders left after a share
#    cancels during the wait; the break-even cancellation share equates the two expected profits.
# 5. **Support criteria.** An eligibility function (age ≤ 5 years, own-brand GMV share > 30 %,
#    monthly live GMV > RMB 2 M, Kuaishou core channel) over a simulated merchant population whose
#    distributions are assumptions, with the count's sensitivity to each threshold.

# %% [markdown]
# ## Result
# ### The shoe launch and the support threshold

# %%
launch = pr.launch_numbers(list_price, promo_price, units, sellout_minutes)
threshold_units = pr.support_threshold_units(support_monthly_gmv_min, menswear_price)
record("discount_depth", launch.discount_depth)
record("units_per_minute", launch.units_per_minute)
display(Markdown(
    f"- The sneaker listed at RMB {list_price:,.0f} went on sale at RMB {promo_price:,.0f}: a discount of "
    f"**{launch.discount_depth:.1%}**.\n"
    f"- {units:,} pairs in {sellout_minutes:g} minutes is **{launch.units_per_minute:,.0f} pairs a minute** "
    f"(at least: the article says *within* two minutes).\n"
    f"- Revenue at the promo price: RMB {launch.revenue_at_promo:,.0f}; at list price it would have been "
    f"RMB {launch.revenue_at_list:,.0f}, so RMB {launch.foregone_revenue:,.0f} was given up on these pairs.\n"
    f"- The support threshold of RMB {support_monthly_gmv_min:,.0f} of monthly live GMV is "
    f"**{threshold_units:,.0f} garments a month** at RMB {menswear_price:,.0f} — about "
    f"{threshold_units / 30:,.0f} a day in a 30-day month, or {threshold_units / launch.units_per_minute:,.0f} minutes of selling at the launch's pace."
))

# %% [markdown]
# ### Price-positioning fit: buying a brand at a price tier

# %%
truth = pr.choice_truth(PARAMS)
mix = pr.platform_mix(PARAMS)
choices = pr.simulate_choices(n_buyers, seed, truth, mix, pr.PRICE_TIERS_RMB)
estimates = pr.fit_choice_logit(choices, truth, alpha=alpha)
logit_params = pr.logit_params_dict(estimates)
record("logit_params", logit_params)
display(estimates.style.format({c: "{:.3f}" for c in ["true", "estimate", "std_err", "lower", "upper"]}).hide(axis="index"))

# %%
est = estimates.set_index("term")
price_seeker_slope = est.at["price_per_1000_rmb", "estimate"]
trust_slope = price_seeker_slope + est.at["trust_x_price", "estimate"]
n_recovered = int(estimates["recovered"].sum())
checks = [
    f"- Sanity: the estimated price coefficient of price-seeking buyers is **{price_seeker_slope:.2f}** log-odds per RMB 1,000 "
    f"({'negative, as it must be' if price_seeker_slope < 0 else 'NOT negative: check the simulation'}); for trust-driven buyers "
    f"it is {trust_slope:.2f}.",
    f"- {n_recovered} of {len(estimates)} true values lie inside their {1 - alpha:.0%} intervals "
    f"(with {n_buyers:,} buyers; about {1 - alpha:.0%} of intervals are expected to cover).",
]
display(Markdown("\n".join(checks)))

# %%
conversion = pr.conversion_table(choices, truth, mix)
display(conversion.pivot(index="price_rmb", columns="platform", values=["observed_conversion", "expected_conversion"])
        .style.format("{:.1%}"))
top = conversion[conversion["price_rmb"] == max(pr.PRICE_TIERS_RMB)].set_index("platform")
low = conversion[conversion["price_rmb"] == min(pr.PRICE_TIERS_RMB)].set_index("platform")
ratio_top = top.at[pr.TRUST_PLATFORM, "expected_conversion"] / top.at[pr.PRICE_PLATFORM, "expected_conversion"]
ratio_low = low.at[pr.TRUST_PLATFORM, "expected_conversion"] / low.at[pr.PRICE_PLATFORM, "expected_conversion"]
display(Markdown(
    f"At RMB {max(pr.PRICE_TIERS_RMB):,.0f} the trust-positioned platform ({trust_share_trust_platform:.0%} trust-driven buyers) "
    f"converts **{ratio_top:.1f}×** as well as the price-positioned one ({trust_share_price_platform:.0%}); at "
    f"RMB {min(pr.PRICE_TIERS_RMB):,.0f} {ratio_low:.2f}×. "
    + ("Under these assumed values the article's claim holds in the model: the gap between platforms grows with price. "
       if ratio_top > ratio_low else "Under these values the gap does NOT grow with price, against the article's claim. ")
    + "The size of the gap is set by the assumed shares and trust terms, not measured."
))

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
plots.caption(fig, f"simulation from stated true parameters (seed {seed}); shares of trust-driven buyers are assumptions")
plt.show()

# %% [markdown]
# ### The recall: refund plus a small voucher (A), or keep the shoes plus a voucher worth the price (B)

# %%
recall = pr.recall_costs(recall_customers, promo_price, voucher_a, voucher_b, redemption_rate, cost_ratio,
                         return_shipping, salvage_value)
breakeven_r = pr.breakeven_redemption_rate(promo_price, voucher_a, voucher_b, cost_ratio, return_shipping, salvage_value)
customer = pr.customer_side(promo_price, voucher_a, voucher_b, customer_voucher_value, defective_pair_value, return_hassle)
record("recall_cost_a", recall.total_a)
record("recall_cost_b", recall.total_b)
record("breakeven_redemption_rate", breakeven_r)
display(pd.DataFrame(
    {"per customer, RMB": [recall.per_customer_a, recall.per_customer_b],
     f"{recall_customers:,} customers, RMB": [recall.total_a, recall.total_b],
     "value to the customer, RMB": [customer.value_a, customer.value_b]},
    index=["A: refund + shipping + voucher", "B: keep + voucher"],
).style.format("{:,.0f}"))
if math.isinf(breakeven_r):
    be_text = "B is never dearer than A, whatever the redemption rate"
elif breakeven_r > 1:
    be_text = (f"the break-even redemption rate is {breakeven_r:.2f}, above 1: B is cheaper than A at *every* possible "
               "redemption rate")
else:
    be_text = f"B is cheaper than A as long as fewer than **{breakeven_r:.0%}** of voucher value is redeemed"
display(Markdown(
    f"- At a redemption rate of {redemption_rate:.0%} and a cost of RMB {cost_ratio:.2f} per RMB of goods, A costs the brand "
    f"RMB {recall.total_a:,.0f} and B RMB {recall.total_b:,.0f} for {recall_customers:,} customers; {be_text}. The refund is "
    f"cash; the voucher costs only the goods redeemed with it.\n"
    f"- The customer: A is worth RMB {customer.value_a:,.0f}, B RMB {customer.value_b:,.0f}. B is the better choice for anyone "
    f"who values RMB 1 of voucher at {customer.min_voucher_value_for_b:.2f} or more (here {customer_voucher_value:.2f}) — "
    "a customer who expects to buy from the brand again. "
    + (f"With these values the customer prefers B, as all of the brand's customers did, by "
       f"RMB {customer.value_b - customer.value_a:,.0f}: the pair kept (RMB {defective_pair_value:,.0f}) plus the larger "
       f"voucher at their valuation (RMB {customer_voucher_value * (voucher_b - voucher_a):,.0f}) plus the return saved "
       f"(RMB {return_hassle:,.0f}), less the refund given up (RMB {promo_price:,.0f})."
       if customer.prefers_b else
       "With these values the customer would prefer A, which is not what the brand's customers did: trust (a higher "
       "voucher valuation) or a pair still worth wearing is needed to explain their choice.")
))

# %%
rates = np.linspace(0, 1, 101)
fig, ax = plt.subplots()
ax.plot(rates, pr.recall_cost_a(promo_price, voucher_a, rates, cost_ratio, return_shipping, salvage_value) * recall_customers / 1e3,
        label="A: refund + shipping + voucher")
ax.plot(rates, pr.recall_cost_b(voucher_b, rates, cost_ratio) * recall_customers / 1e3, label="B: keep + voucher")
ax.axvline(redemption_rate, color="0.5", ls=":", label=f"assumed redemption {redemption_rate:.0%}")
ax.set_xlabel("redemption rate, share of voucher value redeemed")
ax.set_ylabel(f"cost to the brand, RMB thousand ({recall_customers:,} customers)")
ax.set_title("Recall options: cost to the brand")
ax.legend(fontsize=8)
plots.caption(fig, "article (1,000 customers, RMB 599 refund, RMB 50 / 599 vouchers); cost ratio, shipping and salvage are assumptions")
plt.show()

# %% [markdown]
# ### Batch production against semi-presale

# %%
batch = pr.batch_inputs(PARAMS)
nv = pr.newsvendor(*batch)
mc = pr.newsvendor_monte_carlo(*batch, quantity=nv.quantity, draws=monte_carlo_draws, seed=seed + 1)
presale_profit = pr.presale_expected_profit(menswear_price, unit_cost, demand_mean, presale_cancel_share)
breakeven_k = pr.breakeven_cancel_share(*batch)
record("critical_ratio", nv.critical_ratio)
record("newsvendor_quantity", nv.quantity)
record("newsvendor_expected_profit", nv.expected_profit)
record("presale_expected_profit", presale_profit)
record("breakeven_cancel_share", breakeven_k)
fields = ["quantity", "expected_sales", "expected_leftovers", "expected_lost_sales", "fill_rate", "expected_profit"]
display(pd.DataFrame({"analytic": [getattr(nv, f) for f in fields], "Monte Carlo": [getattr(mc, f) for f in fields]}, index=fields)
        .style.format("{:,.3f}"))

# %%
mc_gap = abs(mc.expected_profit - nv.expected_profit)
p_negative = float(stats.norm.cdf(-1 / demand_cv))
display(Markdown(
    f"- Sanity: the critical ratio is **{nv.critical_ratio:.3f}**, "
    f"{'inside (0, 1) as it must be' if 0 < nv.critical_ratio < 1 else 'OUTSIDE (0, 1): check the parameters'}; the batch is "
    f"{nv.quantity:,.0f} garments against a mean demand of {demand_mean:,.0f}.\n"
    f"- Monte Carlo ({monte_carlo_draws:,} draws) differs from the closed form by RMB {mc_gap:,.0f}, "
    f"{mc_gap / mc.profit_std_err:.1f} standard errors.\n"
    f"- The normal demand model puts probability {p_negative:.2g} on negative demand (CV {demand_cv:g}).\n"
    f"- Expected profit of the optimal batch: RMB {nv.expected_profit:,.0f} (fill rate {nv.fill_rate:.1%}, "
    f"{nv.expected_leftovers:,.0f} garments left over). Semi-presale with {presale_cancel_share:.0%} cancellations: "
    f"RMB {presale_profit:,.0f}. Semi-presale is {'better' if presale_profit > nv.expected_profit else 'worse'}; "
    f"it stays better while fewer than **{breakeven_k:.1%}** of pre-order buyers cancel during the wait."
))

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
quantities = np.linspace(max(demand_mean * (1 - 3 * demand_cv), 0), demand_mean * (1 + 3 * demand_cv), 121)
curve = pr.newsvendor_profit_curve(*batch, quantities)
axes[0].plot(curve["quantity"], curve["expected_profit"] / 1e3)
axes[0].axvline(nv.quantity, color="0.5", ls=":", label=f"optimal {nv.quantity:,.0f}")
axes[0].set_xlabel("batch size, garments")
axes[0].set_ylabel("expected profit, RMB thousand")
axes[0].set_title("Batch produced before demand")
axes[0].legend(fontsize=8)
shares = np.linspace(0, 0.5, 51)
axes[1].plot(shares * 100, pr.presale_expected_profit(menswear_price, unit_cost, demand_mean, shares) / 1e3, label="semi-presale")
axes[1].axhline(nv.expected_profit / 1e3, color="C1", label="optimal batch")
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
criteria = pr.support_criteria(PARAMS)
merchants = pr.merchant_population(PARAMS)
is_eligible = pr.eligible(merchants, criteria)
eligible_brands = int(is_eligible.sum())
record("eligible_brands", eligible_brands)
sensitivity = pr.eligibility_sensitivity(merchants, criteria)
display(sensitivity.style.format({"factor": "{:.2f}", "value": "{:,.2f}"}, na_rep="—").hide(axis="index"))
passes = pd.Series({
    f"founded within {criteria.max_age_years:g} years": (merchants["brand_age_years"] <= criteria.max_age_years).mean(),
    f"own-brand share above {criteria.min_own_brand_share:.0%}": (merchants["own_brand_gmv_share"] > criteria.min_own_brand_share).mean(),
    f"monthly live GMV above RMB {criteria.min_monthly_live_gmv:,.0f}": (merchants["monthly_live_gmv_rmb"] > criteria.min_monthly_live_gmv).mean(),
    "Kuaishou core channel": merchants["kuaishou_core_channel"].mean(),
})
steps = sensitivity.dropna(subset=["factor"]).assign(step=lambda d: (d["factor"] - 1).abs())
looser = steps[(steps["direction"] == "looser") & np.isclose(steps["step"], 0.5)].set_index("threshold")["change"]
tighter = steps[(steps["direction"] == "tighter") & np.isclose(steps["step"], 0.5)].set_index("threshold")["change"]
most = looser.idxmax()
display(Markdown(
    f"In the simulated population of {n_merchants:,} brand merchants (all distributions assumed) **{eligible_brands:,}** meet "
    f"every criterion, against the 2022 target of {fastbrand_target:,} fast brands. Share passing each criterion alone: "
    + "; ".join(f"{k} {v:.1%}" for k, v in passes.items()) + ". "
    f"Loosening one threshold at a time by half (a 50 % lower minimum, a 50 % higher age limit), `{most}` moves the count "
    f"most: {looser[most]:+,} merchants; tightening it by half: {tighter[most]:+,}. "
    "The count says what the criteria do to a population like this one, not how many brands Kuaishou has."
))

# %%
fig, ax = plt.subplots()
for name, group in sensitivity.dropna(subset=["factor"]).groupby("threshold", sort=False):
    ax.plot(group["factor"], group["eligible"], marker="o", label=name)
ax.axhline(fastbrand_target, color="0.4", ls="--", label=f"2022 target: {fastbrand_target}")
ax.set_xlabel("threshold scaled by (1 = published criterion)")
ax.set_ylabel("eligible merchants, count")
ax.set_title("Sensitivity of the eligible count to each threshold")
ax.legend(fontsize=8)
plots.caption(fig, "criteria and target from the article; simulated merchant population (assumed distributions)")
plt.show()

# %% [markdown]
# ### The same numbers without the notebook
# `trustlab.pricing.analysis(params)` computes every recorded result from the parameters alone (used
# for sweeps); it must agree with this notebook exactly.

# %%
reference = pr.analysis(PARAMS)
recorded_here = {
    "discount_depth": launch.discount_depth, "units_per_minute": launch.units_per_minute,
    "recall_cost_a": recall.total_a, "recall_cost_b": recall.total_b, "breakeven_redemption_rate": breakeven_r,
    "critical_ratio": nv.critical_ratio, "newsvendor_quantity": nv.quantity, "newsvendor_expected_profit": nv.expected_profit,
    "presale_expected_profit": presale_profit, "breakeven_cancel_share": breakeven_k, "eligible_brands": eligible_brands,
    "logit_params": logit_params,
}
mismatch = [k for k, v in recorded_here.items() if reference[k] != v]
assert not mismatch, f"notebook and pricing.analysis disagree on {mismatch}"
display(Markdown(f"All {len(recorded_here)} recorded results equal `pricing.analysis(PARAMS)`."))

# %% [markdown]
# ## Caveats
# - **Spend per buyer is not a price position.** Annual spend per buyer mixes basket size, frequency
#   and category; Alibaba's is GMV per annual active consumer derived here, PDD's is reported. For
#   Kuaishou only average *monthly* buyers exist (V-2 broker notes), so the platform the article is
#   about cannot be placed on the same axis. The article's own positioning claim about Taobao is not
#   a number.
# - **The logit is a simulation.** It shows that a trust premium and a larger share of trust-driven
#   buyers make conversion fall less steeply with price, and that the model can be recovered from
#   choices; every size in it (shares, coefficients) is assumed. No choice data were available.
# - **Recall.** The article gives the offer and that every customer chose B; the brand's costs
#   (cost ratio, redemption, shipping, salvage) and the customers' valuations are assumptions. One
#   redemption rate serves both vouchers; vouchers may also bring extra spending, which is not counted.
# - **Presale.** The model lets every buyer pre-order at the same price and ignores the costs of
#   waiting other than cancellation (buyers who would not pre-order at all, a discount for waiting,
#   fabric lead times of 30–60 days against 45-day shipping). Demand is normal and may go negative
#   with small probability.
# - **Eligibility.** The merchant population is invented; only the criteria and the target come from
#   the article. "Kuaishou as core channel" is taken as a yes/no attribute.

# %% [markdown]
# ## References
# - 莊帥零售電商頻道, 對話貝源世家:快手電商的“信任金字塔”與“快品牌”成長邏輯, 2022-06-23
#   (`data/raw/kuaishou-trust-pyramid-2022-06-23.scraped.txt`; facts in `data/facts.csv`).
# - `data/raw/kuaishou-public-figures.md` section D and the press releases it cites (Pinduoduo FY2019–FY2021
#   results via GlobeNewswire reposts; Alibaba FY2020–FY2021 via IGD Retail Analysis, Opportimes, mimicnews);
#   Kuaishou monthly buyers from broker notes (futunn, reportify).
# - Newsvendor and the standard normal loss function: Cachon & Terwiesch, *Matching Supply with Demand*, ch. on the newsvendor model.
# - Binary logit: `statsmodels.discrete.discrete_model.Logit`.

# %%
# The commit and package versions are this run's provenance, not results, so nbval skips them:
# NBVAL_IGNORE_OUTPUT
trustlab.provenance.environment_table()
