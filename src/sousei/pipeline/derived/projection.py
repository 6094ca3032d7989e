"""Population projections for every municipality (IPSS method, 人口ビジョン scenarios, CCR, closed) and the
2024 sustainability classification → out_projection__population, __parameters, __sustainability, __impact,
__sustainability_counts, and the mortality level (SMR) of each unit the IPSS method uses → __mortality_level.

福島県 浜通り's 13 municipalities are projected as one unit, as IPSS 2023 does: they appear as muni_code 07999
(IPSS's code for 浜通り地域) and not individually (pinned gaps of the coverage checks).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sousei.domain.projection.baseline import ipss_baseline
from sousei.domain.projection.engine import FEMALE, WOMEN_20_39, project
from sousei.domain.projection.impact import natural_impact, social_impact
from sousei.domain.projection.inputs import HAMADORI_CODE, Inputs, long_frame, read_inputs
from sousei.domain.projection.mortality import unit_mortality
from sousei.domain.projection.params import DEFAULT_TFR_2030, DEFAULT_TFR_2040, DEFAULT_TFR_POINTS
from sousei.domain.projection.pattern1 import pattern1
from sousei.domain.projection.scenarios import STANDARD_SCENARIOS, scenario_params
from sousei.domain.projection.sustainability import REGION_OF_PREF, change_pct, classify, halves_in_30_years
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table
from sousei.pipeline.sources import ipss_2023

JOINT = HAMADORI_CODE
# The 13 members of 浜通り地域 (core_ipss2023__hamadori_members); checked against that table while parsing.
HAMADORI = frozenset(ipss_2023.HAMADORI_MEMBERS)
# 影響度: 2040 as the 地方人口ビジョン guidance defines it (2010 base + 30 years), and 2050 (2020 base + 30 years)
IMPACT_YEARS = (2040, 2050)

SCENARIO = C("scenario", "VARCHAR", "pattern1 (2050年まで社人研（令和5年推計）、以降は本ツールによる延長: the engine "
             "anchored to IPSS 2023's total, 0–14, 15–64 and 65+ of every unit to 2050), "
             f"sim1 (TFR to {DEFAULT_TFR_2030:g} in 2030 and {DEFAULT_TFR_2040:g} in 2040), "
             "sim2 (sim1 with net migration zero), "
             "closed (pattern1 with net migration zero), ccr (コーホート変化率法)",
             nullable=False)  # fmt: skip
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
        field("life_table_year", "National life table whose death rates give the expected deaths"),  # fmt: skip
        C(
            "observed_deaths_persons",
            "DOUBLE",
            "Deaths over the years (sum of the unit's municipalities)",
            nullable=False,
            min=0,
        ),  # fmt: skip
        C(
            "expected_deaths_persons",
            "DOUBLE",
            "Deaths expected over the years at national rates (Japan = observed)",
            nullable=False,
            min=0,
        ),  # fmt: skip
        C("smr_ratio", "DOUBLE", "Standardized mortality ratio, observed ÷ expected", nullable=False, min=0),
        C("prefecture_smr_ratio", "DOUBLE", "SMR of the unit's prefecture (the prior)", nullable=False, min=0),
        C(
            "shrink_weight_ratio",
            "DOUBLE",
            "Share of the unit's own deviation from the prefecture kept, τ²/(τ² + v)",
            nullable=False,
            min=0,
            max=1,
        ),  # fmt: skip
        C(
            "smr_shrunk_ratio",
            "DOUBLE",
            "Empirical-Bayes SMR: prefecture + weight × (SMR − prefecture); the engine clips it to [0.5, 2]",
            nullable=False,
            min=0,
        ),  # fmt: skip
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


def validation_frame(inputs: Inputs) -> pl.DataFrame:
    """out_projection__validation_2015: the run `sousei.validation.projection` reports on."""
    b = ipss_baseline(inputs, VALIDATION_BASE, VALIDATION_END)
    return long_frame(project(b.base, b.params), b.units, b.years).select(VALIDATION_RUN.column_names)


def mortality_frame(inputs: Inputs) -> pl.DataFrame:
    """out_projection__mortality_level: the levels `ipss_baseline` uses, for each of MORTALITY_BASE_YEARS."""
    parts = []
    for year in MORTALITY_BASE_YEARS:
        m = unit_mortality(inputs, year)
        if m is None:
            raise ValueError("no deaths in the inputs: the mortality level cannot be computed")
        n = len(m.units)
        parts.append(
            pl.DataFrame(
                {
                    "muni_code": m.units,
                    "base_year": [year] * n,
                    "deaths_first_year": [m.years[0]] * n,
                    "deaths_last_year": [m.years[1]] * n,
                    "census_year": [m.census_year] * n,
                    "life_table_year": [m.life_table_year] * n,
                    "observed_deaths_persons": m.observed,
                    "expected_deaths_persons": m.expected,
                    "smr_ratio": m.smr,
                    "prefecture_smr_ratio": m.prior,
                    "shrink_weight_ratio": m.weight,
                    "smr_shrunk_ratio": m.smr_shrunk,
                }
            ).with_columns(
                pl.col(c).cast(pl.Int32)
                for c in ("base_year", "deaths_first_year", "deaths_last_year", "census_year", "life_table_year")
            )  # fmt: skip
        )
    return pl.concat(parts).select(MORTALITY.column_names)


def load_inputs(ctx: StepContext) -> Inputs:
    members = ctx.table("core_ipss2023__hamadori_members")
    if set(members["muni_code"].to_list()) != HAMADORI:
        raise ctx.fail(
            "hamadori",
            f"浜通り地域 members {sorted(members['muni_code'].to_list())} differ from the pinned {sorted(HAMADORI)}",
            where="table core_ipss2023__hamadori_members",
        )
    return read_inputs(ctx.table)


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    inputs = load_inputs(ctx)
    try:
        baseline = pattern1(inputs, 2020)
    except ValueError as e:
        raise ctx.fail("anchoring", str(e), where="table core_ipss2023__population") from e
    if baseline.engine is None:
        raise ctx.fail("anchoring", "IPSS 2023 does not start from the 2020 base", where="core_ipss2023__population")
    frames, params_rows, totals = [], [], {}
    for i, scenario in enumerate(STANDARD_SCENARIOS):
        ctx.progress(i, len(STANDARD_SCENARIOS) + 1, scenario)
        params = scenario_params(baseline, scenario, inputs)
        result = project(baseline.base, params)
        if not np.all(np.isfinite(result)) or result.min() < 0:
            raise ctx.fail("projection", f"scenario {scenario} produced negative or non-finite persons")
        totals[scenario] = result
        frames.append(long_frame(result, baseline.units, params.years).with_columns(pl.lit(scenario).alias("scenario")))
        notes = baseline.notes
        params_rows.append(
            {
                "scenario": scenario,
                "method": params.method,
                "base_year": baseline.base_year,
                "end_year": params.years[-1],
                "survival": notes["survival"] if scenario != "ccr" else "in the cohort change ratios",
                "migration": {
                    "ccr": "in the cohort change ratios 2015→2020, held",
                    "closed": "none",
                    "sim2": "none",
                }.get(scenario, notes["migration"]),
                "fertility": (
                    "child–woman ratio of 2020 held"
                    if scenario == "ccr"
                    else notes["fertility"]
                    + ("; raised to the TFR path (CWR = TFR × national CWR/TFR)" if scenario.startswith("sim") else "")
                ),
                "consistency": "none" if scenario in ("ccr", "closed", "sim2") else notes["consistency"],
                "anchoring": None
                if scenario == "ccr"
                else notes["anchoring"]
                if scenario == "pattern1"
                else "the parameters of パターン1 (anchored to IPSS 2023), changed as the scenario says"
                + (
                    "; closed: the anchored child–woman ratios, net migration 0"
                    if scenario in ("closed", "sim2")
                    else ""
                ),
                "tfr_path": ", ".join(f"{y}: {v}" for y, v in DEFAULT_TFR_POINTS.items())
                if scenario.startswith("sim")
                else None,
                "migration_scale": 0.0 if scenario in ("closed", "sim2") else 1.0,
            }
        )
    population = pl.concat(frames).select(POPULATION.column_names)

    units = baseline.units
    y2050 = baseline.years.index(2050)
    w2020 = baseline.base[:, FEMALE, WOMEN_20_39].sum(axis=1)
    wb = totals["pattern1"][:, y2050, FEMALE, WOMEN_20_39].sum(axis=1)
    wc = totals["closed"][:, y2050, FEMALE, WOMEN_20_39].sum(axis=1)
    cb, cc = change_pct(w2020, wb), change_pct(w2020, wc)
    subs, groups = classify(cb, cc)
    b2010 = ipss_baseline(inputs, 2010, 2040)
    r2010 = project(b2010.base, b2010.params)
    if b2010.units != units:
        raise ctx.fail("projection", "the 2010-based run has other units than the 2020-based one")
    w2010 = b2010.base[:, FEMALE, WOMEN_20_39].sum(axis=1)
    w2040 = r2010[:, -1, FEMALE, WOMEN_20_39].sum(axis=1)
    c2010 = change_pct(w2010, w2040)
    prefs = [u[:2] for u in units]
    sustainability = pl.DataFrame(
        {
            "muni_code": units,
            "pref_code": prefs,
            "region": [REGION_OF_PREF[p] for p in prefs],
            "women_20_39_2020": w2020,
            "women_20_39_2050_baseline": wb,
            "women_20_39_2050_closed": wc,
            "change_baseline_pct": cb,
            "change_closed_pct": cc,
            "sub_class": [s or None for s in subs],
            "sustainability_group": [g or None for g in groups],
            "women_20_39_2010": w2010,
            "women_20_39_2040_from_2010": w2040,
            "change_2010_2040_pct": c2010,
            "is_vanishing_2014": halves_in_30_years(c2010),
        }
    ).with_columns(pl.col(pl.Float64).fill_nan(None))

    impact_frames = []
    for year in IMPACT_YEARS:
        yi = baseline.years.index(year)
        tot = {s: totals[s][:, yi].sum(axis=(1, 2)) for s in ("pattern1", "sim1", "sim2")}
        nr, nl = natural_impact(tot["sim1"], tot["pattern1"])
        sr, sl = social_impact(tot["sim2"], tot["sim1"])
        impact_frames.append(
            pl.DataFrame(
                {
                    "muni_code": units,
                    "year": [year] * len(units),
                    "natural_ratio_pct": nr,
                    "natural_impact_level": nl.astype(np.int32),
                    "social_ratio_pct": sr,
                    "social_impact_level": sl.astype(np.int32),
                }
            ).with_columns(pl.col("year").cast(pl.Int32))
        )
    impact = pl.concat(impact_frames)
    ctx.progress(len(STANDARD_SCENARIOS) + 1, len(STANDARD_SCENARIOS) + 1, "done")
    return {
        POPULATION.name: population,
        PARAMETERS.name: pl.DataFrame(params_rows),
        SUSTAINABILITY.name: sustainability,
        IMPACT.name: impact,
        SUSTAINABILITY_COUNTS.name: sustainability_counts(sustainability),
        MORTALITY.name: mortality_frame(inputs),
        VALIDATION_RUN.name: validation_frame(inputs),
    }


def sustainability_counts(rows: pl.DataFrame) -> pl.DataFrame:
    """Counts by group, sub-class and the 2014 definition for Japan, each region and each prefecture."""
    f = rows.with_columns(
        pl.lit("全国").alias("japan"),
        pl.when(pl.col("is_vanishing_2014")).then(pl.lit("vanishing")).otherwise(pl.lit("not vanishing")).alias("v14"),
    )
    parts = []
    for level, col in (("japan", "japan"), ("region", "region"), ("prefecture", "pref_code")):
        for classification, cls in (("group", "sustainability_group"), ("sub_class", "sub_class"), ("2014", "v14")):
            parts.append(
                f.group_by(pl.col(col).alias("area"), pl.col(cls).alias("class"))
                .agg(pl.len().cast(pl.Int32).alias("units"))
                .with_columns(pl.lit(level).alias("area_level"), pl.lit(classification).alias("classification"))
            )
    return (
        pl.concat(parts)
        .select(SUSTAINABILITY_COUNTS.column_names)
        .sort("area_level", "area", "classification", "class")
    )


STEP = Step(
    name="projection",
    description="Cohort-component projections (IPSS method, 人口ビジョン scenarios, CCR, closed) and the 2024 "
    "sustainability classification for every municipality",
    sources=(),
    tables=(POPULATION, PARAMETERS, SUSTAINABILITY, IMPACT, SUSTAINABILITY_COUNTS, MORTALITY, VALIDATION_RUN),
    parse=parse,
    depends=("census_population", "ipss_2018", "ipss_2023", "national", "national_jlstat", "ssdse_a"),
)
