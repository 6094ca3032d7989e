"""The tables of the projection step (sousei.pipeline.derived.projection): out_projection__population, __parameters,
__sustainability, __impact, __sustainability_counts, __mortality_level and __validation_2015, their columns and
build checks, and the constants they share with the step's parse."""

from __future__ import annotations

from sousei.domain.projection.inputs import HAMADORI_CODE
from sousei.domain.projection.params import DEFAULT_TFR_2030, DEFAULT_TFR_2040
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Table
from sousei.pipeline.sources import ipss_2023

JOINT = HAMADORI_CODE
# The 13 members of 浜通り地域 (core_ipss2023__hamadori_members); checked against that table while parsing.
HAMADORI = frozenset(ipss_2023.HAMADORI_MEMBERS)
# 影響度: 2040 as the 地方人口ビジョン guidance defines it (2010 base + 30 years), and 2050 (2020 base + 30 years)
IMPACT_YEARS = (2040, 2050)

SCENARIO = C(
    "scenario",
    "VARCHAR",
    "pattern1 (2050年まで社人研（令和5年推計）、以降は本ツールによる延長: the engine "
    "anchored to IPSS 2023's total, 0–14, 15–64 and 65+ of every unit to 2050), "
    f"sim1 (TFR to {DEFAULT_TFR_2030:g} in 2030 and {DEFAULT_TFR_2040:g} in 2040), "
    "sim2 (sim1 with net migration zero), "
    "closed (pattern1 with net migration zero), ccr (コーホート変化率法)",
    nullable=False,
)
UNIT = field("muni_code", "Municipal code of 2020, or 07999 for 浜通り地域 (13 municipalities as one unit)")
PROJECTED_PERSONS = field("persons", "Projected persons (not rounded)", type="DOUBLE")

# パターン1's total, 0–14, 15–64 and 65+ per unit and year to 2050 (p) beside IPSS 2023's published ones (i): the
# build check below and the validation report (sousei.validation.projection) compare the same two relations.
PATTERN1_AND_IPSS2023 = """p AS (SELECT muni_code, year, sum(persons) AS total,
                 sum(persons) FILTER (WHERE age_start < 15) AS u15,
                 sum(persons) FILTER (WHERE age_start BETWEEN 15 AND 60) AS wa,
                 sum(persons) FILTER (WHERE age_start >= 65) AS eld
          FROM out_projection__population WHERE scenario = 'pattern1' AND year <= 2050 GROUP BY ALL),
    i AS (SELECT area_code AS muni_code, year, total_persons AS total, under15_persons AS u15,
                 working_age_persons AS wa, elderly_persons AS eld
          FROM core_ipss2023__population WHERE area_level IN ('municipality', 'joint'))"""

POPULATION = Table(
    name="out_projection__population",
    description="Projected population by scenario, municipality, year (2020 census base … 2070), sex and 5-year "
    "age (cohort-component method; docs/methods/projection.md).",
    columns=(
        SCENARIO,
        UNIT,
        field("year", "Year (10-01); 2020 = census with age 不詳 allocated", min=2020, max=2070),
        field("sex"),
        field("age_group"),
        field("age_start", max=90),
        PROJECTED_PERSONS,
    ),
    key=("scenario", "muni_code", "year", "sex", "age_group"),
    coverage=Coverage(per=("scenario", "year"), where=f"muni_code <> '{JOINT}'", missing=HAMADORI),
    checks=(
        SqlCheck(
            "base-equals-census",
            "the 2020 base differs from the census (age 不詳 allocated) for a municipality or 浜通り地域",
            f"""WITH c AS (SELECT CASE WHEN muni_code IN ({", ".join(f"'{c}'" for c in sorted(HAMADORI))})
                                  THEN '{JOINT}' ELSE muni_code END AS muni_code, sum(persons) AS census
                           FROM core_census__population_by_sex_age WHERE census_year = 2020 GROUP BY ALL),
                    p AS (SELECT scenario, muni_code, sum(persons) AS projected FROM out_projection__population
                          WHERE year = 2020 GROUP BY ALL)
                SELECT * FROM p FULL JOIN c USING (muni_code)
                WHERE c.census IS NULL OR p.projected IS NULL OR abs(p.projected - c.census) > 1e-6""",
        ),
        SqlCheck(
            "pattern1-equals-ipss2023",
            "パターン1 departs from IPSS 2023 (total, 0–14, 15–64 or 65+ of a unit and year 2020–2050) by more than "
            "0.5% or 1 person, whichever is larger",
            f"""WITH {PATTERN1_AND_IPSS2023}
                SELECT * FROM i FULL JOIN p USING (muni_code, year)
                WHERE p.total IS NULL OR i.total IS NULL
                   OR abs(p.total - i.total) > greatest(0.005 * i.total, 1)
                   OR abs(p.u15 - i.u15) > greatest(0.005 * i.u15, 1)
                   OR abs(p.wa - i.wa) > greatest(0.005 * i.wa, 1)
                   OR abs(p.eld - i.eld) > greatest(0.005 * i.eld, 1)""",
        ),
        SqlCheck(
            "joint-unit-present",
            "浜通り地域 (07999) is missing from a scenario × year",
            f"""SELECT scenario, year FROM out_projection__population GROUP BY ALL
                HAVING count(*) FILTER (WHERE muni_code = '{JOINT}') <> 38""",
        ),
    ),
)

PARAMETERS = Table(
    name="out_projection__parameters",
    description="What produced each scenario of out_projection__population: method, base, inputs and assumptions.",
    columns=(
        SCENARIO,
        C("method", "VARCHAR", "ipss, ipss+tfr, ipss+tfr+closed, ipss+closed, ccr", nullable=False),
        C("base_year", "INTEGER", "Census base year", nullable=False),
        C("end_year", "INTEGER", "Last projected year", nullable=False),
        C("survival", "VARCHAR", "Survival ratios used"),
        C("migration", "VARCHAR", "Net migration assumption"),
        C("fertility", "VARCHAR", "Fertility assumption (child–woman ratio, TFR path)"),
        C("consistency", "VARCHAR", "Consistency with the national projection"),
        C("anchoring", "VARCHAR", "What the scenario is anchored to (パターン1: IPSS 2023 to 2050), NULL if none"),
        C("tfr_path", "VARCHAR", "TFR points of the scenario (year: TFR), NULL if none"),
        C("migration_scale", "DOUBLE", "Factor on the net migration rates (1 = as assumed, 0 = none)"),
    ),
    key=("scenario",),
)

SUSTAINABILITY = Table(
    name="out_projection__sustainability",
    description="人口戦略会議 (2024) classification per unit: women aged 20–39 in 2020 and 2050 under pattern1 "
    "(移動仮定) and the closed population (封鎖人口), bands at −20% / −50%, sub-class A–I and group; plus the 2014 "
    "日本創成会議 definition on a 2010-based run (2010 → 2040). 1,728 municipalities + 07999 浜通り地域 = 1,729 units.",
    columns=(
        UNIT,
        field("pref_code"),
        C(
            "region",
            "VARCHAR",
            "地方 (8 regions: 北海道, 東北, 関東, 中部, 近畿, 中国, 四国, 九州・沖縄)",
            nullable=False,
        ),
        C("women_20_39_2020", "DOUBLE", "Women aged 20–39 in 2020 (census, 不詳 allocated)", min=0),
        C("women_20_39_2050_baseline", "DOUBLE", "Women aged 20–39 in 2050, pattern1 (with migration)", min=0),
        C("women_20_39_2050_closed", "DOUBLE", "Women aged 20–39 in 2050, closed population", min=0),
        C("change_baseline_pct", "DOUBLE", "Change 2020 → 2050 with migration (%)"),
        C("change_closed_pct", "DOUBLE", "Change 2020 → 2050 closed (%)"),
        C("sub_class", "VARCHAR", "A–I: closed band (rows A–C <20%, D–F 20–50%, G–I ≥50% decline) × baseline band"),
        C(
            "sustainability_group",
            "VARCHAR",
            "自立持続可能性自治体, ブラックホール型自治体, 消滅可能性自治体 or その他",
        ),
        C("women_20_39_2010", "DOUBLE", "Women aged 20–39 in 2010 (census on 2020 boundaries)", min=0),
        C("women_20_39_2040_from_2010", "DOUBLE", "Women aged 20–39 in 2040 projected from the 2010 base", min=0),
        C("change_2010_2040_pct", "DOUBLE", "Change 2010 → 2040 (%), 2010-based IPSS-method run"),
        C("is_vanishing_2014", "BOOLEAN", "2014 definition: decline of 50% or more over 2010 → 2040"),
    ),
    key=("muni_code",),
    coverage=Coverage(where=f"muni_code <> '{JOINT}'", missing=HAMADORI),
    checks=(
        SqlCheck(
            "units-1729",
            "the classification does not cover 1,729 units (1,728 municipalities and 浜通り地域)",
            "SELECT count(*) AS n FROM out_projection__sustainability HAVING count(*) <> 1729",
        ),
        SqlCheck(
            "group-matches-changes",
            "a group disagrees with the bands of its changes",
            """SELECT * FROM out_projection__sustainability WHERE sustainability_group <> CASE
                 WHEN change_baseline_pct <= -50 THEN '消滅可能性自治体'
                 WHEN change_closed_pct <= -50 THEN 'ブラックホール型自治体'
                 WHEN change_baseline_pct > -20 AND change_closed_pct > -20 THEN '自立持続可能性自治体'
                 ELSE 'その他' END""",
        ),
    ),
)

IMPACT = Table(
    name="out_projection__impact",
    description="影響度 per unit and target year (2040 as in the 地方人口ビジョン guidance; "
    "2050 = 30 years from the 2020 base): natural = sim1 ÷ pattern1 total population "
    "(levels 1 <100%, 2 100–105, 3 105–110, 4 110–115, 5 ≥115%), "
    "social = sim2 ÷ sim1 (levels 1 <100%, 2 100–110, 3 110–120, 4 120–130, 5 ≥130%).",
    columns=(
        UNIT,
        field("year", "Target year of the comparison"),
        C("natural_ratio_pct", "DOUBLE", "sim1 ÷ pattern1 total population (%)", min=0),
        C("natural_impact_level", "INTEGER", "自然増減の影響度 1–5", nullable=False, min=1, max=5),
        C("social_ratio_pct", "DOUBLE", "sim2 ÷ sim1 total population (%)", min=0),
        C("social_impact_level", "INTEGER", "社会増減の影響度 1–5", nullable=False, min=1, max=5),
    ),
    key=("muni_code", "year"),
    coverage=Coverage(per=("year",), where=f"muni_code <> '{JOINT}'", missing=HAMADORI),
    checks=(
        SqlCheck(
            "impact-levels-match-ratios",
            "an impact level disagrees with its ratio and the guidance's thresholds",
            """SELECT * FROM out_projection__impact
               WHERE natural_impact_level <> CASE WHEN natural_ratio_pct < 100 THEN 1 WHEN natural_ratio_pct < 105
                     THEN 2 WHEN natural_ratio_pct < 110 THEN 3 WHEN natural_ratio_pct < 115 THEN 4 ELSE 5 END
                  OR social_impact_level <> CASE WHEN social_ratio_pct < 100 THEN 1 WHEN social_ratio_pct < 110
                     THEN 2 WHEN social_ratio_pct < 120 THEN 3 WHEN social_ratio_pct < 130 THEN 4 ELSE 5 END""",
        ),
    ),
)

SUSTAINABILITY_COUNTS = Table(
    name="out_projection__sustainability_counts",
    description="Counts of out_projection__sustainability by group and sub-class for Japan, each region and each "
    "prefecture (浜通り地域 07999 counted in 福島県 and 東北).",
    columns=(
        C("area_level", "VARCHAR", "'japan', 'region' or 'prefecture'", nullable=False),
        C("area", "VARCHAR", "'全国', the region's name or the pref_code", nullable=False),
        C(
            "classification",
            "VARCHAR",
            "'group' (2024 groups), 'sub_class' (A–I) or '2014' (日本創成会議)",
            nullable=False,
        ),
        C(
            "class",
            "VARCHAR",
            "Group name, sub-class letter, or for 2014 'vanishing' / 'not vanishing'",
            nullable=False,
        ),
        C("units", "INTEGER", "Number of units (municipalities; 浜通り地域 as one)", nullable=False, min=0),
    ),
    key=("area_level", "area", "classification", "class"),
    checks=(
        SqlCheck(
            "counts-match-rows",
            "the counts for Japan differ from the per-unit rows",
            """SELECT c.classification, c.class FROM out_projection__sustainability_counts c
               WHERE c.area_level = 'japan' AND c.classification = 'group' AND c.units <> (
                 SELECT count(*) FROM out_projection__sustainability s WHERE s.sustainability_group = c.class)""",
        ),
        SqlCheck(
            "counts-sum-1729",
            "a classification of an area level does not add up to the 1,729 units",
            """SELECT area_level, classification, sum(units) FROM out_projection__sustainability_counts
               GROUP BY ALL HAVING sum(units) <> 1729""",
        ),
    ),
)


MORTALITY_BASE_YEARS = (2010, 2015, 2020)  # the bases the step (2010, 2020) and the validation (2015) run from

MORTALITY = Table(
    name="out_projection__mortality_level",
    description="Mortality level of each projection unit used by the IPSS method: standardized mortality ratio "
    "(both sexes) = deaths (人口動態 by residence, SSDSE-A A4200) pooled over five calendar years ÷ expected deaths "
    "(census population by sex × age × national death rates of the life table, × years, scaled so that Japan's "
    "SMR is 1), and its empirical-Bayes estimate shrunk toward the prefecture's SMR (Poisson variance); survival "
    "ratios are S ** smr_shrunk_ratio (docs/methods/projection.md, Survival). 1,728 municipalities + 07999.",
    columns=(
        UNIT,
        C("base_year", "INTEGER", "Census base year of the projection the level is used for", nullable=False),
        C("deaths_first_year", "INTEGER", "First calendar year of the deaths pooled", nullable=False, min=2000),
        C("deaths_last_year", "INTEGER", "Last calendar year of the deaths pooled", nullable=False, min=2000),
        field("census_year", "Census whose population by sex × age gives the expected deaths"),
        field("life_table_year", "National life table whose death rates give the expected deaths"),
        C(
            "observed_deaths_persons",
            "DOUBLE",
            "Deaths over the years (sum of the unit's municipalities)",
            nullable=False,
            min=0,
        ),
        C(
            "expected_deaths_persons",
            "DOUBLE",
            "Deaths expected over the years at national rates (Japan = observed)",
            nullable=False,
            min=0,
        ),
        C("smr_ratio", "DOUBLE", "Standardized mortality ratio, observed ÷ expected", nullable=False, min=0),
        C("prefecture_smr_ratio", "DOUBLE", "SMR of the unit's prefecture (the prior)", nullable=False, min=0),
        C(
            "shrink_weight_ratio",
            "DOUBLE",
            "Share of the unit's own deviation from the prefecture kept, τ²/(τ² + v)",
            nullable=False,
            min=0,
            max=1,
        ),
        C(
            "smr_shrunk_ratio",
            "DOUBLE",
            "Empirical-Bayes SMR: prefecture + weight × (SMR − prefecture); the engine clips it to [0.5, 2]",
            nullable=False,
            min=0,
        ),
    ),
    key=("muni_code", "base_year"),
    coverage=Coverage(per=("base_year",), where=f"muni_code <> '{JOINT}'", missing=HAMADORI),
    checks=(
        SqlCheck(
            "deaths-match-ssdse",
            "the deaths of a base year do not add up to SSDSE-A's A4200 over the same years",
            """WITH m AS (SELECT base_year, any_value(deaths_first_year) AS y0, any_value(deaths_last_year) AS y1,
                                 sum(observed_deaths_persons) AS observed
                          FROM out_projection__mortality_level GROUP BY base_year)
               SELECT m.*, (SELECT sum(value) FROM core_ssdse__values v WHERE v.item_code = 'A4200'
                            AND v.data_year BETWEEN m.y0 AND m.y1) AS ssdse
               FROM m WHERE abs(observed - ssdse) > 1e-6""",
        ),
        SqlCheck(
            "japan-smr-1",
            "expected deaths do not add up to the observed ones for Japan",
            """SELECT base_year FROM out_projection__mortality_level GROUP BY base_year
               HAVING abs(sum(expected_deaths_persons) / sum(observed_deaths_persons) - 1) > 1e-9""",
        ),
        SqlCheck(
            "shrunk-between-smr-and-prefecture",
            "a shrunk SMR outside the interval between the unit's SMR and its prefecture's",
            """SELECT * FROM out_projection__mortality_level
               WHERE smr_shrunk_ratio < least(smr_ratio, prefecture_smr_ratio) - 1e-12
                  OR smr_shrunk_ratio > greatest(smr_ratio, prefecture_smr_ratio) + 1e-12""",
        ),
    ),
)


VALIDATION_BASE, VALIDATION_END = 2015, 2045

VALIDATION_RUN = Table(
    name="out_projection__validation_2015",
    description="The engine's 2015-based run to 2045 (IPSS method with the inputs of 2010→2015, not anchored) that "
    "docs/validation/projection.md compares with IPSS 2018 (日本の地域別将来推計人口 平成30年推計), by unit, year, "
    "sex and 5-year age, so that the report's figures can be recomputed from the warehouse.",
    columns=(
        UNIT,
        field("year", "Year (10-01); 2015 = census with age 不詳 allocated", min=2015, max=2045),
        field("sex"),
        field("age_group"),
        field("age_start", max=90),
        PROJECTED_PERSONS,
    ),
    key=("muni_code", "year", "sex", "age_group"),
    coverage=Coverage(per=("year",), where=f"muni_code <> '{JOINT}'", missing=HAMADORI),
)
