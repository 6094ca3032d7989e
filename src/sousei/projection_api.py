"""Python API of the population engine for the dashboard, the report and the CLI (reads the warehouse read-only)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from sousei.domain.projection import model
from sousei.domain.projection.engine import project
from sousei.domain.projection.inputs import long_frame

INPUT_TABLES = (
    "core_census__population_by_sex_age",
    "core_national__life_table",
    "core_national__ipss2017_projection_by_age_sex",
    "core_national__vital_rates",
    "core_ipss2023__hamadori_members",
)


@lru_cache(maxsize=4)
def load_inputs(db: Path) -> model.Inputs:
    """The engine's inputs from a built warehouse (loaded once per file)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        t = {name: con.sql(f'SELECT * FROM "{name}"').pl() for name in INPUT_TABLES}
    finally:
        con.close()
    return model.build_inputs(
        t["core_census__population_by_sex_age"],
        t["core_national__life_table"],
        t["core_national__ipss2017_projection_by_age_sex"],
        t["core_national__vital_rates"],
        sorted(t["core_ipss2023__hamadori_members"]["muni_code"].to_list()),
    )


@lru_cache(maxsize=4)
def baseline(db: Path, base_year: int = 2020) -> model.Baseline:
    return model.ipss_baseline(load_inputs(db), base_year)


def unit_of(code: str, inputs: model.Inputs) -> str:
    """The projection unit of a municipality (07999 for the 13 of 浜通り地域)."""
    for joint, members in inputs.joint.items():
        if code in members:
            return joint
    return code


def project_municipality(
    db: Path,
    code: str,
    scenario: str = "pattern1",
    tfr_points: Mapping[int, float] | None = None,
    migration_scale: float = 1.0,
) -> pl.DataFrame:
    """Projection of one municipality (or its joint unit) under a scenario: long rows by year, sex and age.

    Custom scenarios keep the national consistency factors of pattern1, so a custom run with the default TFR
    path and scale 1 equals sim1 for that unit.
    """
    inputs = load_inputs(db)
    base = baseline(db)
    unit = unit_of(code, inputs)
    if unit not in base.units:
        raise KeyError(f"no municipality {code} in the warehouse")
    i = base.index(unit)
    params = model.scenario_params(base, scenario, inputs, tfr_points, migration_scale)
    result = project(base.base[[i]], params.select([i]))
    return long_frame(result, [unit], params.years).with_columns(pl.lit(scenario).alias("scenario"))


def totals_by_year(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("year").agg(pl.col("persons").sum().alias("total_persons")).sort("year")


def simulate_many(base: model.Baseline, code: str, tfr_targets: np.ndarray, migration_scales: np.ndarray) -> np.ndarray:
    """Total population (scenarios, years) of one unit for many custom scenarios at once: TFR reached in 2040
    (reaching 1.8 ⋯ target linearly from the base) × migration scale; scenarios are the rows of one array run."""
    i = base.index(code)
    p = base.params.select([i])
    n = len(tfr_targets)
    start = np.asarray(p.cwr)[0, 0] / base.cwr_per_tfr
    years = np.array(p.years[1:], dtype=np.float64)
    w = np.clip((years - base.base_year) / (2040 - base.base_year), 0, 1)
    path = start * (1 - w)[None, :] + np.asarray(tfr_targets)[:, None] * w[None, :]
    cwr = np.maximum(np.asarray(p.cwr), path * base.cwr_per_tfr)
    mig = np.maximum(np.asarray(p.migration) * np.asarray(migration_scales)[:, None, None, None], -1.0)
    params = p.with_(cwr=cwr, migration=mig, male_share_0_4=np.asarray(p.male_share_0_4))
    return project(np.repeat(base.base[[i]], n, axis=0), params).sum(axis=(2, 3))
