"""The 出生 (births) family: births 1994–2023 and their change against Japan's, TFR, child–woman ratio, women 20–39,
marriages and the never-married shares (census 2025).

Each `query` returns muni_code, year, numerator, denominator on 2020 municipalities. 住基 figures of the codes of their
time are put on 2020 boundaries with core_areas__code_to_2020 (the code valid on the file's reference date; wards are
left out since their city is there as a whole, and rows without a 2020 municipality are the 6 北方領土 villages (0
residents) and the 13360 島しょ subtotal, whose islands are listed one by one).
"""

from __future__ import annotations

from sousei.domain.indicators.model import Indicator

CENSUS = ("census_2020_sex_age5", "census_1980_2015_sex_age5")
JUKI = ("juki_population_dynamics",)

# 住基 dynamics per 2020 municipality and period. year = the period's year: 年度 (April–March) to FY2012 (files to
# 1303), calendar year from 2013 (files from 1403); population at the end of the period (March 31 / January 1).
JUKI_2020 = """(
  SELECT x.muni_code,
         CAST(substr(j.period, 3) AS INTEGER) AS year,
         any_value(j.period_kind) AS period_kind,
         sum(j.births_persons * x.share) AS births,
         sum(j.deaths_persons * x.share) AS deaths,
         sum(j.population_persons * x.share) AS population,
         sum(j.in_movers_persons * x.share) AS in_movers,
         sum(j.out_movers_persons * x.share) AS out_movers
  FROM raw_juki__population_dynamics j
  JOIN core_areas__code_to_2020 x
    ON x.code = j.code AND x.valid_from <= j.ref_date AND (x.valid_to IS NULL OR x.valid_to > j.ref_date)
  WHERE j.level = 'municipality'
  GROUP BY x.muni_code, j.period
)"""

# Census population per 2020 municipality, year, sex and age (age 不詳 allocated).
CENSUS_POP = "core_census__population_by_sex_age"


def _women(lo: int, hi: int, year_expr: str = "census_year") -> str:
    return f"""(SELECT muni_code, {year_expr} AS census_year, sum(persons) AS women FROM {CENSUS_POP}
               WHERE sex = 'female' AND age_start BETWEEN {lo} AND {hi - 4} GROUP BY ALL)"""


def _ssdse(item: str) -> str:
    return f"(SELECT muni_code, data_year AS year, value FROM core_ssdse__values WHERE item_code = '{item}')"


# The census a yearly figure is set against: the nearest round, 2020 for the years after it.
NEAREST_CENSUS = "least(2020, CAST(round(year / 5.0) * 5 AS INTEGER))"

BIRTHS_BASE_YEAR = 1995
VITAL_BASE_YEAR = 2016


# An index on a base year of fewer births is 参考値 (8 births in 1995 make 800 of a village's later year with 64).
MIN_BASE_BIRTHS = 10.0
# A rate on fewer people (women of an age group, a census cohort) is 参考値.
MIN_PERSONS = 20.0


def _relative_index(series: str, value: str, base_year: int) -> str:
    """(x(y) / x(base)) / (X(y) / X(base)) as numerator x(y)·X(base)/X(y) over x(base): summed over any set of
    municipalities (ratio of sums) it gives that set's index against Japan, Japan gets exactly 100, and the
    denominator is the base year's births (the minimum-denominator rule applies to it)."""
    return f"""
WITH s AS (SELECT muni_code, year, {value} AS v FROM {series} s),
     nat AS (SELECT year, sum(v) AS nv FROM s GROUP BY year),
     base AS (SELECT muni_code, v AS v0 FROM s WHERE year = {base_year}),
     nbase AS (SELECT nv AS nv0 FROM nat WHERE year = {base_year})
SELECT s.muni_code, s.year, s.v * nbase.nv0 / nat.nv AS numerator, base.v0 AS denominator
FROM s JOIN base USING (muni_code) JOIN nat USING (year) CROSS JOIN nbase
WHERE base.v0 > 0"""


def _unmarried(sex: str, age: str) -> Indicator:
    sex_ja = {"male": "男性", "female": "女性"}[sex]
    age_ja = age.replace("-", "～")
    where = f"sex = '{sex}' AND age_group = '{age}'"
    return Indicator(
        id=f"unmarried_{sex}_{age.replace('-', '_')}_pct",
        name_ja=f"未婚率（{sex_ja}{age.replace('-', '～')}歳）",
        name_en=f"Never-married share, {sex}s aged {age}",
        unit="%",
        family="births",
        direction="lower_better",
        sources=("unmarried_rates_2025",),
        formula=f"未婚の{sex_ja} {age_ja}歳 ÷ {sex_ja} {age_ja}歳 × 100（2025年国勢調査、不詳補完値、公表値どおり）",
        query=f"""SELECT area_code AS muni_code, 2025 AS year, unmarried_pct AS numerator, 1.0 AS denominator
                  FROM core_census2025__unmarried_rate
                  WHERE area_level = 'municipality' AND {where} AND unmarried_pct IS NOT NULL""",
        aggregate="source_value",
        national_query=f"""SELECT 2025 AS year, unmarried_pct AS value FROM core_census2025__unmarried_rate
                           WHERE area_level = 'japan' AND {where}""",
        prefecture_query=f"""SELECT substr(area_code, 1, 2) AS pref_code, 2025 AS year, unmarried_pct AS value
                             FROM core_census2025__unmarried_rate WHERE area_level = 'prefecture' AND {where}""",
        caveat="2020年ではなく2025年国勢調査（2025年10月1日現在）。人口の極めて少ない町村では0や100になりうる。"
        "「低いほうが良い」は出生の観点に限った見方で、結婚は個人の選択である。",
        coverage_note="47356 渡名喜村の女性30～34歳は原資料で空欄。" if sex == "female" and age == "30-34" else "",
    )


ENTRIES: list[Indicator] = [
    Indicator(
        id="births_juki",
        name_ja="出生数（住民基本台帳）",
        name_en="Births (resident register)",
        unit="人",
        family="births",
        direction="neutral",  # a count measures size, not performance: no 偏差値 judgement
        aggregate="sum",
        sources=JUKI,
        formula="期間中の出生者数（2020年の市区町村を構成する当時の団体コードの合計）",
        query=f"SELECT muni_code, year, births AS numerator, 1.0 AS denominator FROM {JUKI_2020}",
        caveat="2012年までは年度（4月～翌3月）、2013年からは暦年。外国人住民は2013年から含む。住民基本台帳の値は人口動態統計より大きめになる。",
    ),
    Indicator(
        id="births_juki_index_1995",
        name_ja="出生数指数（1995年度=100）",
        name_en="Births index (FY1995 = 100)",
        unit="1995年度=100",
        family="births",
        direction="higher_better",
        sources=JUKI,
        formula="出生数（当該年） ÷ 出生数（1995年度） × 100（住民基本台帳）",
        query=f"""SELECT s.muni_code, s.year, s.births AS numerator, b.births AS denominator
                  FROM {JUKI_2020} s JOIN (SELECT muni_code, births FROM {JUKI_2020}
                  WHERE year = {BIRTHS_BASE_YEAR}) b USING (muni_code) WHERE b.births > 0""",
        scale=100.0,
        min_denominator=MIN_BASE_BIRTHS,
        min_denominator_ja="1995年度の出生数",
        caveat="2012年までは年度（4月～翌3月）、2013年からは暦年。外国人住民は2013年から含む。",
    ),
    Indicator(
        id="births_juki_index_vs_japan",
        name_ja="出生数指数の全国比（1995年度基準、全国=100）",
        name_en="Births index relative to Japan's (FY1995 base, Japan = 100)",
        unit="全国=100",
        family="births",
        direction="higher_better",
        sources=JUKI,
        formula="(出生数（当該年） ÷ 出生数（1995年度）) ÷ (全国の出生数（当該年） ÷ 全国の出生数（1995年度）) × 100",
        query=_relative_index(JUKI_2020, "births", BIRTHS_BASE_YEAR),
        scale=100.0,
        min_denominator=MIN_BASE_BIRTHS,
        min_denominator_ja="1995年度の出生数",
        caveat="100未満は、1995年度以降の出生数の減少が全国より速いことを示す。",
    ),
    Indicator(
        id="crude_birth_rate_juki",
        name_ja="粗出生率（住民基本台帳、人口千対）",
        name_en="Crude birth rate (resident register, per 1,000)",
        unit="‰",
        family="births",
        direction="higher_better",
        sources=JUKI,
        formula="期間中の出生数 ÷ 期末人口 × 1,000",
        query=f"SELECT muni_code, year, births AS numerator, population AS denominator FROM {JUKI_2020} "
        "WHERE population > 0",
        scale=1000.0,
    ),
    Indicator(
        id="births_vital",
        name_ja="出生数（人口動態統計）",
        name_en="Live births (vital statistics)",
        unit="人",
        family="births",
        direction="neutral",  # a count measures size, not performance: no 偏差値 judgement
        aggregate="sum",
        sources=("ssdse_a",),
        formula="SSDSE-A A4101 出生数（人口動態統計、母の住所地別）",
        query=f"SELECT muni_code, year, value AS numerator, 1.0 AS denominator FROM {_ssdse('A4101')}",
        caveat="住所地不詳の出生（2020年は27人）は全国の公表値に含まれるが、どの市区町村にも含まれない。",
    ),
    Indicator(
        id="births_vital_index_vs_japan",
        name_ja="出生数指数の全国比（人口動態、2016年基準、全国=100）",
        name_en="Live births index relative to Japan's (2016 base, Japan = 100)",
        unit="全国=100",
        family="births",
        direction="higher_better",
        sources=("ssdse_a",),
        formula="(出生数（当該年） ÷ 出生数（2016年）) ÷ (全国の出生数（当該年） ÷ 全国の出生数（2016年）) × 100",
        query=_relative_index(_ssdse("A4101"), "value", VITAL_BASE_YEAR),
        scale=100.0,
        min_denominator=MIN_BASE_BIRTHS,
        min_denominator_ja="2016年の出生数",
    ),
    Indicator(
        id="general_fertility_rate",
        name_ja="出生率（女性15～49歳千対）",
        name_en="General fertility rate (births per 1,000 women 15–49)",
        unit="‰",
        family="births",
        direction="higher_better",
        sources=("ssdse_a", *CENSUS),
        formula="出生数（人口動態、当該年） ÷ 女性15～49歳人口（最も近い国勢調査、2020年より後は2020年） × 1,000",
        query=f"""SELECT b.muni_code, b.year, b.value AS numerator, w.women AS denominator
                  FROM {_ssdse("A4101")} b JOIN {_women(15, 49)} w
                    ON w.muni_code = b.muni_code AND w.census_year = {NEAREST_CENSUS.replace("year", "b.year")}
                  WHERE w.women > 0""",
        scale=1000.0,
        min_denominator=MIN_PERSONS,
        min_denominator_ja="女性15～49歳人口",
        registered_over_census=True,
    ),
    Indicator(
        id="tfr_bayes",
        name_ja="合計特殊出生率（ベイズ推定値）",
        name_en="Total fertility rate (Bayesian estimate)",
        unit="",  # conventionally shown without a unit
        family="births",
        direction="higher_better",
        sources=("tfr_2008_2012", "tfr_2018_2022", "national_series"),
        formula="5年間の年齢別出生率の合計（厚生労働省のベイズ推定値、公表値どおり）。年 = 期間の最終年"
        "（2012 = 2008～2012年、2022 = 2018～2022年）",
        query="""SELECT muni_code, CAST(substr(period, 6, 4) AS INTEGER) AS year, tfr AS numerator,
                        1.0 AS denominator FROM core_tfr__tfr""",
        aggregate="source_value",
        # The bundle lacks the national figure of the Bayes tables: Japan's value is the mean of the yearly TFRs
        # of the period (人口動態統計, core_national__vital_rates): 1.386 for 2008–12, 1.334 for 2018–22.
        national_query="""SELECT y AS year, avg(tfr) AS value FROM (
                            SELECT year, tfr, CASE WHEN year BETWEEN 2008 AND 2012 THEN 2012
                                                   WHEN year BETWEEN 2018 AND 2022 THEN 2022 END AS y
                            FROM core_national__vital_rates) WHERE y IS NOT NULL GROUP BY y""",
        caveat="全国値は期間中の各年の全国の合計特殊出生率の平均（ベイズ推定の表自体の全国値はデータ一式にない）。"
        "2018～2022年は厚生労働省の公表資料から手作業で転記された値。",
        coverage_note="58市区町村は2018～2022年の値がなく、複数の地域から成る2020年の市区町村の一部は2008～2012年の値が"
        "ない（core_tfr__missing）。補完はしない。",
    ),
    Indicator(
        id="child_woman_ratio",
        name_ja="子ども女性比（0～4歳人口／女性15～49歳）",
        name_en="Child–woman ratio (children 0–4 per woman 15–49)",
        unit="",  # a ratio, conventionally shown without a unit
        family="births",
        direction="higher_better",
        sources=CENSUS,
        formula="0～4歳人口（男女計） ÷ 女性15～49歳人口（国勢調査、年齢不詳を按分）",
        query=f"""SELECT c.muni_code, c.census_year AS year, c.children AS numerator, w.women AS denominator
                  FROM (SELECT muni_code, census_year, sum(persons) AS children FROM {CENSUS_POP}
                        WHERE age_start = 0 GROUP BY ALL) c
                  JOIN {_women(15, 49)} w USING (muni_code, census_year) WHERE w.women > 0""",
        min_denominator=MIN_PERSONS,
        min_denominator_ja="女性15～49歳人口",
    ),
    Indicator(
        id="women_20_39",
        name_ja="若年女性人口（20～39歳）",
        name_en="Women aged 20–39",
        unit="人",
        family="births",
        direction="neutral",  # a count measures size, not performance: no 偏差値 judgement
        aggregate="sum",
        sources=CENSUS,
        formula="女性20～39歳人口（国勢調査、年齢不詳を按分）",
        query=f"SELECT muni_code, census_year AS year, women AS numerator, 1.0 AS denominator FROM {_women(20, 39)}",
    ),
    Indicator(
        id="women_20_39_change_5y_pct",
        name_ja="若年女性人口（20～39歳）の5年間増減率",
        name_en="Change of women aged 20–39 over 5 years",
        unit="%",
        family="births",
        direction="higher_better",
        sources=CENSUS,
        formula="(女性20～39歳人口（国勢調査 t年） − 同（t−5年）) ÷ 同（t−5年） × 100",
        query=f"""SELECT w.muni_code, w.census_year AS year, w.women - p.women AS numerator, p.women AS denominator
                  FROM {_women(20, 39)} w JOIN {_women(20, 39, "census_year + 5")} p USING (muni_code, census_year)
                  WHERE p.women > 0""",
        scale=100.0,
        min_denominator=MIN_PERSONS,
        min_denominator_ja="5年前の女性20～39歳人口",
    ),
    Indicator(
        id="women_20_39_share_pct",
        name_ja="若年女性（20～39歳）の人口に占める割合",
        name_en="Share of women aged 20–39 in the population",
        unit="%",
        family="births",
        direction="higher_better",
        sources=CENSUS,
        formula="女性20～39歳人口 ÷ 総人口 × 100（国勢調査）",
        query=f"""SELECT w.muni_code, w.census_year AS year, w.women AS numerator, t.persons AS denominator
                  FROM {_women(20, 39)} w JOIN (SELECT muni_code, census_year, sum(persons) AS persons
                  FROM {CENSUS_POP} GROUP BY ALL) t USING (muni_code, census_year) WHERE t.persons > 0""",
        scale=100.0,
    ),
    Indicator(
        id="marriages_per_1000_women_20_39",
        name_ja="婚姻件数（女性20～39歳千対）",
        name_en="Marriages per 1,000 women aged 20–39",
        unit="‰",
        family="births",
        direction="higher_better",
        sources=("ssdse_a", *CENSUS),
        formula="婚姻件数（人口動態、SSDSE-A A9101） ÷ 女性20～39歳人口（最も近い国勢調査、2020年より後は2020年）"
        " × 1,000",
        query=f"""SELECT m.muni_code, m.year, m.value AS numerator, w.women AS denominator
                  FROM {_ssdse("A9101")} m JOIN {_women(20, 39)} w
                    ON w.muni_code = m.muni_code AND w.census_year = {NEAREST_CENSUS.replace("year", "m.year")}
                  WHERE w.women > 0""",
        scale=1000.0,
        min_denominator=MIN_PERSONS,
        min_denominator_ja="女性20～39歳人口",
        registered_over_census=True,
        caveat="婚姻は夫妻の住所地で計上し、分子には全年齢の妻を含む。",
    ),
    *(_unmarried(sex, age) for sex in ("female", "male") for age in ("25-29", "30-34", "35-39")),
]
