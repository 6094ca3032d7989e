"""What an indicator is: metadata, formula and direction defined once (docs, labels and checks come from here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sousei.domain.scores import Direction, Standardisation

Family = Literal["population", "births", "migration", "women_work", "economy", "living"]
# sum: a count (総人口, 出生数 …): Japan's and a prefecture's value is the total of its municipalities, and a count
# is never scored (size is not performance; its rate and change indicators carry the comparison).
Aggregate = Literal["sum", "ratio_of_sums", "population_weighted_mean", "source_value"]

# How the 偏差値 of a family's indicators is standardised (sousei.domain.scores.standardised_scores,
# docs/methods/deviation.md): rates and shares are roughly symmetric and take the winsorised mean and sd; the
# economy's per-capita amounts and the living environment's facilities per population are skewed to the right
# (a village with one clinic has a large rate) and are compared on a log scale. An entry may override its family's.
FAMILY_STANDARDISATION: dict[str, Standardisation] = {
    "population": "winsorised",
    "births": "winsorised",
    "migration": "winsorised",
    "women_work": "winsorised",
    "economy": "log_winsorised",
    "living": "log_winsorised",
}

# Registered population (住民基本台帳) ÷ census population outside this range marks a municipality whose residents
# are registered but not present (the evacuated towns of 浜通り, 飯舘村): an indicator whose numerator counts
# registered residents and whose denominator counts the census population is 参考値 there.
REGISTRATION_RATIO_RANGE = (0.7, 1.3)
# A municipality whose census (the one a data year is set against) counted fewer people than this has no comparable
# rate that year (葛尾村 18 and 飯舘村 41 persons in 2015; 青ヶ島村, the smallest inhabited, 169 in 2020).
MIN_CENSUS_POPULATION = 100.0

FAMILY_NAMES_JA: dict[str, str] = {
    "population": "人口",
    "births": "出生",
    "migration": "人口移動",
    "women_work": "女性の就業",
    "economy": "強い経済",
    "living": "豊かな生活環境",
}
# An indicator's direction in words. "neutral" is 向きなし (no direction), not 中立: the pages say that scores and
# ranks of an indicator without a direction run by size (「向きのない指標は大きい順」), and 中立 reads as "average".
DIRECTION_JA: dict[str, str] = {"higher_better": "高いほど良い", "lower_better": "低いほど良い", "neutral": "向きなし"}


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
    # None = the family's standardisation (FAMILY_STANDARDISATION).
    standardisation: Standardisation | None = None
    # A value whose denominator is below this is 参考値 (a rate on a handful of people): shown with that label and
    # left out of the 偏差値, ranks, peer means and priority issues. min_denominator_ja names the denominator.
    min_denominator: float = 0.0
    min_denominator_ja: str = ""
    # Another indicator whose 参考値 rows are 参考値 here too (an index relative to Japan shares its base's).
    reference_as: str = ""
    # The numerator counts registered residents (住民基本台帳, 人口動態 by address) and the denominator the census
    # population: 参考値 where the two populations differ (REGISTRATION_RATIO_RANGE).
    registered_over_census: bool = False
    # Decimals shown on pages and in CSV (the JSON API keeps full precision); None = by the unit (unit_decimals).
    decimals: int | None = None

    @property
    def scored(self) -> bool:
        """Whether the indicator gets a 偏差値 (a count does not)."""
        return self.aggregate != "sum"

    @property
    def effective_standardisation(self) -> Standardisation:
        return self.standardisation or FAMILY_STANDARDISATION[self.family]

    @property
    def display_decimals(self) -> int:
        return self.decimals if self.decimals is not None else unit_decimals(self.unit)


def unit_decimals(unit: str) -> int:
    """Decimals a value in `unit` is shown with: whole people, yen and facilities per many people need none; rates
    one; small ratios two."""
    if unit in ("人", "円", "円/人", "千円/人", "人/km²"):
        return 0
    if unit in ("%", "‰", "人/校") or "100" in unit or unit.endswith(("万人", "千人", "百人")):
        return 1
    return 2
