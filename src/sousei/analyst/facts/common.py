"""What the fact gatherers share: the tables and sources they cite, the years and windows the report covers."""

from __future__ import annotations

CENSUS = "core_census__population_by_sex_age"
CENSUS_SOURCES = "census_1980_2015_sex_age5, census_2020_sex_age5"
COMPARISONS = "out_indicators__comparisons"
PROJECTION = "out_projection__population"
# パターン1 reproduces IPSS 2023 to 2050 (issue 9); the engine rests on the census and the national life tables.
PROJECTION_SOURCES = "ipss_2023_regional_totals, census_2020_sex_age5, national_series"
TREND_YEARS = (1980, 1990, 2000, 2010, 2015, 2020)
PLAN_YEARS = (2020, 2030, 2040, 2050)
SCENARIOS = {"pattern1": "パターン1", "sim1": "シミュレーション1", "sim2": "シミュレーション2"}
# Windows of the 住民基本台帳 series for natural and social change (fiscal years to FY2012, calendar years after;
# foreign residents are counted from FY2012 on, which the text says).
VITAL_WINDOWS = (
    ("1995〜99年度", ("FY1995", "FY1996", "FY1997", "FY1998", "FY1999")),
    ("2005〜09年度", ("FY2005", "FY2006", "FY2007", "FY2008", "FY2009")),
    ("2017〜21年", ("CY2017", "CY2018", "CY2019", "CY2020", "CY2021")),
)
# Indicators the 現状分析 compares with Japan, the prefecture and the peer group, by section.
SECTION_INDICATORS = {
    "population": ("pop_change_5y_pct", "pop_aging_rate_pct"),
    "births": (
        "tfr_bayes",
        "child_woman_ratio",
        "marriages_per_1000_women_20_39",
        "unmarried_female_30_34_pct",
        "unmarried_male_30_34_pct",
    ),
    "migration": (
        "net_migration_rate_15_29_female_pct",
        "net_migration_rate_15_29_male_pct",
        "net_migration_rate_20_39_female_pct",
    ),
    "work": ("women_employment_rate_pct", "women_labour_force_rate_pct"),
    "living": (
        "living_food_access_difficulty_65plus_pct",
        "living_doctors_per_10000",
        "living_childcare_per_1000_children",
    ),
}
YOUTH_AGE_STARTS = (15, 20, 25, 30)


def when(indicator_id: str, year: int) -> str:
    """The period an indicator's data year stands for, as the text prints it."""
    if indicator_id == "tfr_bayes":
        return f"{year - 4}〜{year}年"  # the 5-year Bayesian estimates (2008〜2012, 2018〜2022)
    if indicator_id.startswith("net_migration_rate_"):
        return f"{year - 5}→{year}年"  # census cohort residual over 5 years
    return f"{year}年"


MAX_ISSUES = 5
MAX_DEVIANT_ISSUES = 3
