"""Notebook ``00_source_facts``'s parameter contract (:class:`Parameters`): which source and topics are
shown, and the festival end date for a figure whose sentence gives none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from trustlab.contract import Contract
from trustlab.data.facts import TOPICS
from trustlab.errors import ParameterError


class Parameters(Contract):
    """The parameter contract of notebook ``00_source_facts``."""

    notebook: ClassVar[str] = "00_source_facts"

    source_id: Literal["kuaishou-trust-pyramid-2022-06-23"] = Field(
        "kuaishou-trust-pyramid-2022-06-23", description="source in data/sources.csv whose facts are shown"
    )
    topics: list[Literal[tuple(TOPICS)]] = Field(  # type: ignore[valid-type]
        list(TOPICS), min_length=1, description="fact topics shown and counted (trust-pyramid layers first)"
    )
    festival_end: Literal["2022-06-19", "2022-06-14"] = Field(
        "2022-06-19",
        description="end of the 2022 616 festival for a festival figure whose sentence gives no end (each dated "
        "figure keeps its own window): 2022-06-19 (戰報, 31 days) or 2022-06-14 (信任購 sentence, 26 days)",
    )
    max_rows_per_topic: int = Field(30, ge=1, le=100, description="facts shown per topic in the tables (all are counted)")

    @model_validator(mode="after")
    def _topics_listed_once(self) -> Parameters:
        repeated = sorted({t for t in self.topics if self.topics.count(t) > 1})
        if repeated:
            raise ParameterError(f"parameter 'topics': each topic may be listed once; repeated: {repeated}")
        return self


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Notebook 00's complete parameter set: ``params`` over the defaults, checked by :class:`Parameters`."""
    return Parameters.check(params)
