"""The 人口移動 (migration) family: net migration of young people and women by the census cohort residual method
(out_migration__net_by_sex_age, 1980–2020) and 住基 / 住基移動報告 movers in and out per year."""

from __future__ import annotations

from sousei.domain.indicators.births import CENSUS, JUKI, JUKI_2020, MIN_PERSONS, NEAREST_CENSUS
from sousei.domain.indicators.model import Indicator

NET = "out_migration__net_by_sex_age"
RESIDUAL_SOURCES = (*CENSUS, "national_series")


def _net_rate(id_: str, ja: str, en: str, sex: str, lo: int, hi: int) -> Indicator:
    sex_ja = {"total": "", "female": "女性", "male": "男性"}[sex]
    return Indicator(
        id=id_,
        name_ja=ja,
        name_en=en,
        unit="%",
        family="migration",
        direction="higher_better",
        sources=RESIDUAL_SOURCES,
        formula=f"Σ 5年間の純移動数（期末に{sex_ja}{lo}～{hi}歳） ÷ Σ 同じコーホートの期首人口 × 100"
        "（国勢調査のコーホート残差法、全国の生残率）。年 = 期間の最終年",
        query=f"""SELECT muni_code, end_year AS year, sum(net_migrants) AS numerator, sum(start_persons) AS denominator
                  FROM {NET} WHERE sex = '{sex}' AND age_start BETWEEN {lo} AND {hi - 4}
                  GROUP BY muni_code, end_year HAVING sum(start_persons) > 0""",
        scale=100.0,
        min_denominator=MIN_PERSONS,
        min_denominator_ja="期首のコーホート人口",
        caveat="残差法による推計値のため、国勢調査の把握誤差や、地域と全国の死亡水準の差を含む。年齢は期末時点。"
        "詳しくは docs/methods/migration.md。",
    )


JUKI_MOVERS_JA = {
    "in_movers": "転入者数",
    "out_movers": "転出者数",
    "in_movers - out_movers": "(転入者数 − 転出者数)",
}


def _juki_rate(id_: str, ja: str, en: str, column: str, direction: str) -> Indicator:
    return Indicator(
        id=id_,
        name_ja=ja,
        name_en=en,
        unit="‰",
        family="migration",
        direction=direction,  # type: ignore[arg-type]
        sources=JUKI,
        formula=f"期間中の{JUKI_MOVERS_JA[column]} ÷ 期末人口 × 1,000（住民基本台帳）",
        query=f"SELECT muni_code, year, {column} AS numerator, population AS denominator FROM {JUKI_2020} "
        "WHERE population > 0",
        scale=1000.0,
        caveat="2012年までは年度（4月～翌3月）、2013年からは暦年。国外との転出入を含む。外国人住民は2013年から含む。",
    )


IN_JP = "sum(value) FILTER (WHERE item_code = 'A5101')"
OUT_JP = "sum(value) FILTER (WHERE item_code = 'A5102')"


def _ssdse_per_1000(id_: str, ja: str, en: str, what: str, value_sql: str, direction: str) -> Indicator:
    return Indicator(
        id=id_,
        name_ja=ja,
        name_en=en,
        unit="‰",
        family="migration",
        direction=direction,  # type: ignore[arg-type]
        sources=("ssdse_a", *CENSUS),
        formula=f"{what}（住民基本台帳人口移動報告、日本人移動者、SSDSE-A） ÷ 国勢調査人口（最も近い国勢調査、"
        "2020年より後は2020年） × 1,000",
        query=f"""SELECT m.muni_code, m.year, m.v AS numerator, p.persons AS denominator
                  FROM (SELECT muni_code, data_year AS year,
                               {value_sql} AS v
                        FROM core_ssdse__values WHERE item_code IN ('A5101', 'A5102') GROUP BY ALL) m
                  JOIN (SELECT muni_code, census_year, sum(persons) AS persons FROM core_census__population_by_sex_age
                        GROUP BY ALL) p
                    ON p.muni_code = m.muni_code AND p.census_year = {NEAREST_CENSUS.replace("year", "m.year")}
                  WHERE p.persons > 0""",
        scale=1000.0,
        registered_over_census=True,
        caveat="日本人移動者のみ（外国人を除く）。市区町村内の移動は含まない。",
    )


ENTRIES: list[Indicator] = [
    _net_rate(
        "net_migration_rate_15_29_pct",
        "純移動率（15～29歳、5年間）",
        "Net migration rate, ages 15–29 (5 years)",
        "total",
        15,
        29,
    ),
    _net_rate(
        "net_migration_rate_15_29_female_pct",
        "純移動率（女性15～29歳、5年間）",
        "Net migration rate, women 15–29 (5 years)",
        "female",
        15,
        29,
    ),
    _net_rate(
        "net_migration_rate_15_29_male_pct",
        "純移動率（男性15～29歳、5年間）",
        "Net migration rate, men 15–29 (5 years)",
        "male",
        15,
        29,
    ),
    _net_rate(
        "net_migration_rate_20_39_female_pct",
        "純移動率（女性20～39歳、5年間）",
        "Net migration rate, women 20–39 (5 years)",
        "female",
        20,
        39,
    ),
    _net_rate(
        "net_migration_rate_all_ages_pct",
        "純移動率（5歳以上、5年間）",
        "Net migration rate, ages 5 and over (5 years)",
        "total",
        5,
        94,
    ),
    _juki_rate(
        "in_movers_per_1000_juki",
        "転入率（住民基本台帳、人口千対）",
        "Movers in per 1,000 (resident register)",
        "in_movers",
        "higher_better",
    ),
    _juki_rate(
        "out_movers_per_1000_juki",
        "転出率（住民基本台帳、人口千対）",
        "Movers out per 1,000 (resident register)",
        "out_movers",
        "lower_better",
    ),
    _juki_rate(
        "net_movers_per_1000_juki",
        "転入超過率（住民基本台帳、人口千対）",
        "Net movers (in − out) per 1,000 (resident register)",
        "in_movers - out_movers",
        "higher_better",
    ),
    _ssdse_per_1000(
        "net_movers_japanese_per_1000",
        "転入超過率（日本人移動者、人口千対）",
        "Net Japanese movers (in − out) per 1,000",
        "(転入者数 A5101 − 転出者数 A5102)",
        f"{IN_JP} - {OUT_JP}",
        "higher_better",
    ),
]
