"""What an indicator is: metadata, formula and direction defined once (docs, labels and checks come from here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sousei.domain.scores import Direction

Family = Literal["population", "births", "migration", "women_work", "economy", "living"]
Aggregate = Literal["ratio_of_sums", "population_weighted_mean", "source_value"]

FAMILY_NAMES_JA: dict[str, str] = {
    "population": "人口",
    "births": "出生",
    "migration": "人口移動",
    "women_work": "女性の就業",
    "economy": "強い経済",
    "living": "豊かな生活環境",
}


@dataclass(frozen=True)
class Indicator:
    """One indicator.

    `query` is SQL over warehouse tables returning one row per municipality and data year with the columns
    muni_code, year, numerator, denominator; the value is numerator / denominator × scale (a plain value has
    denominator 1). `aggregate` says how the national and prefecture values are formed: as the ratio of the summed
    numerators and denominators, as a mean weighted by `weight_query`'s weights, or from `national_query` /
    `prefecture_query` where the source publishes them (e.g. TFR).
    """

    id: str
    name_ja: str
    name_en: str
    unit: str
    family: Family
    direction: Direction
    sources: tuple[str, ...]
    formula: str
    query: str
    scale: float = 1.0
    aggregate: Aggregate = "ratio_of_sums"
    national_query: str | None = None
    prefecture_query: str | None = None
    caveat: str = ""
    # Why fewer than 95% of municipalities have data, when that is so (e.g. a source covering 1,495 of 1,741).
    coverage_note: str = ""
