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
    "core_ipss2023__population",
)
# Deaths (人口動態, SSDSE-A item A4200) for the mortality level of the IPSS method; the same rows the step reads.
DEATHS_SQL = "SELECT muni_code, data_year, value FROM core_ssdse__values WHERE item_code = 'A4200'"


def load_inputs(db: Path) -> model.Inputs:
    """The engine's inputs from a built warehouse (loaded once per file and version: a rebuilt warehouse, which
    replaces the file, is read again)."""
    return _load_inputs(Path(db).resolve(), _version(db))


def _version(db: Path) -> tuple[int, int]:
    st = Path(db).stat()
    return st.st_mtime_ns, st.st_ino


@lru_cache(maxsize=4)
def _load_inputs(db: Path, version: tuple[int, int]) -> model.Inputs:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return read_inputs(con)
    finally:
        con.close()


def read_inputs(con: duckdb.DuckDBPyConnection) -> model.Inputs:
    """The engine's inputs read through an open connection (the dashboard's own, so that it never reads another
    file than the one it opened)."""
    t = {name: con.sql(f'SELECT * FROM "{name}"').pl() for name in INPUT_TABLES}
    deaths = con.sql(DEATHS_SQL).pl()
    return model.build_inputs(
        t["core_census__population_by_sex_age"],
        t["core_national__life_table"],
        t["core_national__ipss2017_projection_by_age_sex"],
        t["core_national__vital_rates"],
        sorted(t["core_ipss2023__hamadori_members"]["muni_code"].to_list()),
        deaths,
        t["core_ipss2023__population"],
    )


def baseline(db: Path, base_year: int = 2020) -> model.Baseline:
    """パターン1 of the warehouse's inputs (anchored to IPSS 2023, `model.pattern1`): the baseline every scenario
    of the step, the CLI and the dashboard derives from (built once per file and version)."""
    return _baseline(Path(db).resolve(), _version(db), base_year)


@lru_cache(maxsize=4)
def _baseline(db: Path, version: tuple[int, int], base_year: int) -> model.Baseline:
    return model.pattern1(_load_inputs(db, version), base_year)


def baseline_from(con: duckdb.DuckDBPyConnection, base_year: int = 2020) -> model.Baseline:
    """パターン1 of the inputs read through an open connection (see `read_inputs`): the same anchored baseline as
    `baseline`, so the simulator and the stored scenarios agree."""
    return model.pattern1(read_inputs(con), base_year)


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

    The parameters are those of the all-unit run (model.scenario_params, as the derived step uses), selected for
    the unit, so the result equals the unit's rows of out_projection__population for every standard scenario.
    Custom scenarios keep pattern1's prefecture/national consistency factors; with the default TFR path and
    scale 1 a custom run equals sim1 (the default path raises fertility and is a floor, as in sim1).
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


def simulate_many(
    base: model.Baseline,
    code: str,
    tfr_points: Mapping[int, float | np.ndarray],
    migration_scales: float | np.ndarray = 1.0,
) -> np.ndarray:
    """Total population (scenarios, years) of one unit for many custom scenarios at once: `tfr_points` maps
    years to one TFR per scenario (or one for all), `migration_scales` one factor per scenario (or one for all).
    The same parameters as `project_municipality(…, "custom", …)` (model.tfr_scenario_params), the scenarios as
    rows of one array run."""
    i = base.index(code)  # a projection unit: 07999 for the 13 municipalities of 浜通り地域
    n = max([np.asarray(v).size for v in tfr_points.values()] + [np.asarray(migration_scales).size])
    params = model.tfr_scenario_params(base, tfr_points, np.broadcast_to(migration_scales, (n,)), units=[i] * n)
    return project(np.repeat(base.base[[i]], n, axis=0), params).sum(axis=(2, 3))
