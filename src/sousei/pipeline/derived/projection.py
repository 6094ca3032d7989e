"""Population projections for every municipality (IPSS method, 人口ビジョン scenarios, CCR, closed) and the
2024 sustainability classification → out_projection__population, __parameters, __sustainability, __impact,
__sustainability_counts, and the mortality level (SMR) of each unit the IPSS method uses → __mortality_level.

福島県 浜通り's 13 municipalities are projected as one unit, as IPSS 2023 does: they appear as muni_code 07999
(IPSS's code for 浜通り地域) and not individually (pinned gaps of the coverage checks).

The tables' declarations live in projection_tables.py; this module computes their rows and declares the step.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sousei.domain.projection.baseline import ipss_baseline
from sousei.domain.projection.engine import FEMALE, WOMEN_20_39, project
from sousei.domain.projection.impact import natural_impact, social_impact
from sousei.domain.projection.inputs import Inputs, long_frame, read_inputs
from sousei.domain.projection.mortality import unit_mortality
from sousei.domain.projection.params import DEFAULT_TFR_POINTS
from sousei.domain.projection.pattern1 import pattern1
from sousei.domain.projection.scenarios import STANDARD_SCENARIOS, scenario_params
from sousei.domain.projection.sustainability import REGION_OF_PREF, change_pct, classify, halves_in_30_years
from sousei.pipeline.context import StepContext
from sousei.pipeline.derived.projection_tables import (
    HAMADORI,
    IMPACT,
    IMPACT_YEARS,
    JOINT,
    MORTALITY,
    MORTALITY_BASE_YEARS,
    PARAMETERS,
    PATTERN1_AND_IPSS2023,
    POPULATION,
    PROJECTED_PERSONS,
    SCENARIO,
    SUSTAINABILITY,
    SUSTAINABILITY_COUNTS,
    UNIT,
    VALIDATION_BASE,
    VALIDATION_END,
    VALIDATION_RUN,
)
from sousei.pipeline.schema import Step


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
            )
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

# The step's names, and its tables' (declared in projection_tables.py), importable from here.
__all__ = [
    "HAMADORI",
    "IMPACT",
    "IMPACT_YEARS",
    "JOINT",
    "MORTALITY",
    "MORTALITY_BASE_YEARS",
    "PARAMETERS",
    "PATTERN1_AND_IPSS2023",
    "POPULATION",
    "PROJECTED_PERSONS",
    "SCENARIO",
    "STEP",
    "SUSTAINABILITY",
    "SUSTAINABILITY_COUNTS",
    "UNIT",
    "VALIDATION_BASE",
    "VALIDATION_END",
    "VALIDATION_RUN",
    "load_inputs",
    "mortality_frame",
    "parse",
    "sustainability_counts",
    "validation_frame",
]
