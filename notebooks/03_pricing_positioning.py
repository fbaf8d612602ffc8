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
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

import trustlab.provenance
from trustlab import plots, prose, tables_display
from trustlab import pricing as pr
from trustlab.pricing import figures, narrative, tables
from trustlab.results import record

PARAMS = pr.Parameters.check_notebook(globals())  # the same contract as `trustlab run`
plots.setup()
RUN = pr.run(PARAMS)  # the one orchestration: every recorded result, and the pieces shown below
RESULTS = RUN.results

# %% [markdown]
# ## Summary

# %% tags=["remove-input"]
display(Markdown(prose.bullets(narrative.summary(RESULTS, PARAMS, RUN.spend))))

# %% tags=["remove-input"]
# The recorded results (results.json) are the run's: pricing.run computed them above.
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
tables_display.show(tables.case_facts_table(RUN.facts), formats={"value": tables_display.format_text_number})
fact_check = tables.fact_check_table(PARAMS, RUN.facts)
tables_display.show(fact_check)
display(Markdown(narrative.fact_check_text(fact_check)))

# %%
tables_display.show(tables.positioning_table(RUN.positioning), formats={"value": "{:,.1f}"})
tables_display.show(tables.spend_table(RUN.spend), formats=tables.SPEND_FORMATS)
display(Markdown("\n".join(narrative.positioning_lines(RUN.spend))))

# %%
fig = figures.spend_per_buyer_figure(RUN.spend)
if fig is not None:  # no platform publishes a comparable figure in this run's data
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
# `trustlab.pricing.run(PARAMS)` computes every recorded result (the same function serves
# `trustlab sweep --fast`); the cells below display its pieces.

# %% [markdown]
# ## Result
# ### The shoe launch and the support threshold

# %%
display(Markdown("\n".join(narrative.launch_lines(RESULTS, PARAMS))))

# %% [markdown]
# ### Price-positioning fit: what the claim implies under assumed parameters

# %%
display(Markdown("\n\n".join(narrative.claim_lines(RESULTS, PARAMS))))
if RUN.logit.usable:  # a fit that did not converge has no estimates to show
    tables_display.show(tables.logit_table(RUN), formats=tables.LOGIT_FORMATS)
display(Markdown("\n".join(narrative.logit_lines(RESULTS, PARAMS))))

# %%
figures.claim_map_figure(RUN)
plt.show()

# %%
conversion = pr.conversion_table(RUN.choices, RUN.truth, pr.platform_mix(PARAMS))
wide = tables.conversion_wide(conversion)
tables_display.show(wide, formats={c: "{:.1%}" for c in wide.columns[1:]}, caption="Conversion, share of buyers who buy")

# %%
figures.conversion_figure(conversion, seed)
plt.show()

# %% [markdown]
# ### The recall: refund plus a small voucher (A), or keep the shoes plus a voucher worth the price (B)

# %%
recall_table = tables.recall_table(RUN)
tables_display.show(recall_table, formats={c: "{:,.0f}" for c in recall_table.columns[1:]})
display(Markdown("\n".join(narrative.recall_lines(RESULTS, PARAMS))))

# %%
figures.recall_figure(RUN)
plt.show()

# %% [markdown]
# ### Batch production against semi-presale

# %%
tables_display.show(tables.newsvendor_table(RUN))
display(Markdown("\n".join(narrative.presale_lines(RESULTS, PARAMS))))

# %%
figures.batch_figure(RUN)
plt.show()

# %% [markdown]
# ### The fast-brand support criteria

# %%
sensitivity = pr.eligibility_sensitivity(RUN.merchants, RUN.criteria)
tables_display.show(sensitivity, formats={"factor": "{:.2f}", "value": "{:,.2f}", "change": "{:+,}",
                                          "eligible_share": "{:.2%}", "share_change": "{:+.2%}"})
passes = pr.pass_shares(RUN.merchants, RUN.criteria)
display(Markdown("\n".join(narrative.eligibility_lines(RESULTS, PARAMS, passes, sensitivity))))

# %%
figures.eligibility_figure(sensitivity)
plt.show()

# %% [markdown]
# ## Caveats

# %%
display(Markdown("\n".join(narrative.caveats(RESULTS, PARAMS, RUN.spend))))

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
