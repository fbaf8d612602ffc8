"""The parameter contract of notebook ``04_community_trust``: every parameter declared once, with the rules across them."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from trustlab.contract import Contract
from trustlab.errors import ParameterError

# The quarters data/kuaishou_quarterly.csv spans; the window parameters must lie inside it.
FIRST_QUARTER = "2021Q1"
LAST_QUARTER = "2025Q3"
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"


def _about(name: str, message: str) -> ParameterError:
    error = ParameterError(f"parameter {name!r}: {message}")
    error.parameter = name
    return error


class Parameters(Contract):
    """The parameter contract of notebook ``04_community_trust``.

    Rules across parameters (:meth:`_rules`): ``start_quarter`` and ``end_quarter`` lie in the data's
    span (:data:`FIRST_QUARTER` to :data:`LAST_QUARTER`) and the window holds at least five quarters
    (one year-on-year pair needs a quarter and the same quarter a year later); ``power`` > ``alpha``.
    """

    notebook: ClassVar[str] = "04_community_trust"

    start_quarter: str = Field(
        FIRST_QUARTER, pattern=QUARTER_PATTERN, description="first quarter of the window, YYYYQn, from 2021Q1"
    )
    end_quarter: str = Field(LAST_QUARTER, pattern=QUARTER_PATTERN, description="last quarter of the window, YYYYQn, to 2025Q3")
    include_secondary_sources: bool = Field(True, description="keep V-2 (secondary copy) and D-2 (derived from one) figures")
    min_pairs: int = Field(5, ge=3, le=16, description="fewest year-on-year pairs needed to estimate the growth slope, 3 to 16")
    alpha: float = Field(0.05, gt=0, lt=0.5, description="significance level of the slope's test and interval, in (0, 0.5)")
    target_correlation: float = Field(
        0.5, gt=0, lt=1, description="correlation of the growth rates the power is computed for, in (0, 1)"
    )
    power: float = Field(0.8, gt=0, lt=1, description="power at which the smallest detectable correlation is given, in (0, 1)")
    order_value_rmb: float = Field(
        70.0, ge=1, le=10000, description="ASSUMED average order value, RMB an order, 1 to 10000 (Kuaishou 2020: about 70)"
    )

    @model_validator(mode="after")
    def _rules(self) -> Parameters:
        import pandas as pd

        first, last = pd.Period(FIRST_QUARTER, freq="Q"), pd.Period(LAST_QUARTER, freq="Q")
        start, end = pd.Period(self.start_quarter, freq="Q"), pd.Period(self.end_quarter, freq="Q")
        for name, quarter in (("start_quarter", start), ("end_quarter", end)):
            if not first <= quarter <= last:
                raise _about(
                    name, f"expected a quarter from {FIRST_QUARTER} to {LAST_QUARTER} (the data's span), got {str(quarter)!r}"
                )
        if (end - start).n < 4:
            raise _about(
                "end_quarter",
                f"expected at least four quarters after start_quarter {self.start_quarter!r} (a year-on-year pair needs "
                f"a quarter and the same quarter a year later), got {self.end_quarter!r}",
            )
        if self.power <= self.alpha:
            raise _about("power", f"expected more than alpha ({self.alpha}), got {self.power}")
        return self
