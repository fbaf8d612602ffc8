"""Notebook ``03_pricing_positioning``'s tables, built from one run (:class:`~trustlab.pricing.analysis.PricingRun`)
with the columns named as the page shows them; the number formats of each are beside it (``*_FORMATS``)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from trustlab import tables_display
from trustlab.pricing.claim import PRICE_TIERS_RMB
from trustlab.pricing.parameters import fact_parameter_table

if TYPE_CHECKING:  # pragma: no cover
    from trustlab.pricing.analysis import PricingRun

CASE_FACT_PATTERN = r"^(pricing_|support_|fastbrand_target)"  # the facts of the case, by fact_id
SPEND_COLUMNS = {
    "platform": "platform",
    "period": "period",
    "gmv_rmb_bn": "GMV, RMB bn",
    "annual_buyers_m": "annual buyers, m",
    "monthly_buyers_m": "monthly buyers, m",
    "reported_rmb": "reported, RMB",
    "derived_rmb": "GMV / buyers, RMB",
    "spend_per_buyer_rmb": "spend per buyer, RMB",
    "basis": "basis",
    "status": "status",
    "explanation": "explanation",
}
SPEND_FORMATS = {label: "{:,.0f}" for label in list(SPEND_COLUMNS.values())[2:8]}
LOGIT_FORMATS = {c: "{:.3f}" for c in ["true", "estimate", "std. error", "lower", "upper"]}


def short(text: Any, width: int = 70) -> str:
    """A long quote or explanation cut to one line of at most ``width`` characters ending in " …"
    (whole words; the full text is in the data file)."""
    return textwrap.shorten(str(text), width, placeholder=" …")


def case_facts_table(facts: pd.DataFrame) -> pd.DataFrame:
    """The article's facts of the case (pricing, support policy, the fast-brand target), quotes shortened."""
    case = facts[facts["fact_id"].str.match(CASE_FACT_PATTERN)]
    return case.assign(quote=case["quote"].map(short))[["fact_id", "metric", "value", "unit", "qualifier", "quote"]]


def fact_check_table(params: Mapping[str, Any], facts: pd.DataFrame) -> pd.DataFrame:
    """Each parameter that stands for an article fact against the fact (``agrees``: "yes" or "NO")."""
    from trustlab.data.facts import fact_value

    table = fact_parameter_table(params, lambda fid: fact_value(facts, fid))
    return table.assign(agrees=table["agrees"].map({True: "yes", False: "NO"}))


def positioning_table(positioning: pd.DataFrame) -> pd.DataFrame:
    """The platform figures as loaded, quotes shortened."""
    columns = ["platform", "metric", "period", "value", "unit", "qualifier", "status", "quote"]
    return positioning.assign(quote=positioning["quote"].map(short))[columns]


def spend_table(spend: pd.DataFrame) -> pd.DataFrame:
    """Spend per buyer by platform and period, reported and derived, columns named for the page."""
    shown = spend.assign(explanation=spend["explanation"].map(lambda t: short(t, 60)))[list(SPEND_COLUMNS)]
    return shown.rename(columns=SPEND_COLUMNS)


def logit_table(run: PricingRun) -> pd.DataFrame:
    """The estimated logit against the true values: "yes"/"no" whether the interval holds the true
    value, "FAR" where the estimate is far from it."""
    table = run.logit.table()
    return table.assign(
        recovered=table["recovered"].map({True: "yes", False: "no"}), far=table["far"].map({True: "FAR", False: ""})
    ).rename(columns={"std_err": "std. error", "recovered": "true value inside interval", "far": "far from true value"})


def conversion_wide(conversion: pd.DataFrame) -> pd.DataFrame:
    """Conversion by price tier (rows, "RMB 1,000") and platform x source (columns "<platform>: simulated"
    and "<platform>: true model"), from :func:`~trustlab.pricing.choice.conversion_table`."""
    shown = conversion.assign(price=conversion["price_rmb"].map(lambda v: f"RMB {v:,.0f}"))
    wide = shown.pivot(index="price", columns="platform", values=["observed_conversion", "expected_conversion"]).reindex(
        [f"RMB {v:,.0f}" for v in PRICE_TIERS_RMB]
    )
    wide.columns = [
        f"{platform}: {'simulated' if kind == 'observed_conversion' else 'true model'}" for kind, platform in wide.columns
    ]
    return wide.rename_axis("price tier").reset_index()


def recall_table(run: PricingRun) -> pd.DataFrame:
    """Options A and B: cost to the brand per customer and for all customers (RMB), value to the customer (RMB)."""
    customers = int(run.params["recall_customers"])
    return pd.DataFrame(
        {
            "option": ["A: refund + shipping + voucher", "B: keep + voucher"],
            "per customer, RMB": [run.recall.per_customer_a, run.recall.per_customer_b],
            f"{customers:,} customers, RMB": [run.recall.total_a, run.recall.total_b],
            "value to the customer, RMB": [run.customer.value_a, run.customer.value_b],
        }
    )


NEWSVENDOR_FIELDS = ["quantity", "expected_sales", "expected_leftovers", "expected_lost_sales", "fill_rate", "expected_profit"]


def newsvendor_table(run: PricingRun) -> pd.DataFrame:
    """The optimal batch in closed form beside its Monte Carlo check; the fill rate as a percentage,
    the other fields in garments or RMB."""

    def column(result: Any) -> list[Any]:
        return [
            tables_display.format_percent(getattr(result, f)) if f == "fill_rate" else getattr(result, f)
            for f in NEWSVENDOR_FIELDS
        ]

    return pd.DataFrame(
        {
            "quantity": [f.replace("_", " ") for f in NEWSVENDOR_FIELDS],
            "analytic": column(run.newsvendor),
            "Monte Carlo": column(run.monte_carlo),
        }
    )
