"""The population engine over a built warehouse, for the CLI, the dashboard and the analyst (read-only).

The one way in: `baseline` (パターン1, from the inputs `domain.projection.inputs.read_inputs` builds out of the
warehouse) and `domain.projection.scenarios.simulate` (any scenario from it); `project_municipality` is both for one
municipality as a table. The derived step builds its inputs with the same `read_inputs`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from sousei.domain.projection.baseline import Baseline
from sousei.domain.projection.inputs import INPUT_TABLES, Inputs, long_frame, read_inputs
from sousei.domain.projection.pattern1 import pattern1
from sousei.domain.projection.scenarios import simulate


def has_inputs(has_table: Callable[[str], bool]) -> bool:
    """Whether a warehouse holds every table the engine reads."""
    return all(has_table(name) for name in INPUT_TABLES)


def table_reader(con: duckdb.DuckDBPyConnection) -> Callable[[str], pl.DataFrame]:
    """`read_inputs`' table function over an open connection (only the rows each table's filter keeps are read)."""

    def table(name: str) -> pl.DataFrame:
        keep = INPUT_TABLES[name]  # our own constants, not user input
        where = "" if keep is None else f" WHERE \"{keep[0]}\" = '{keep[1]}'"
        return con.sql(f'SELECT * FROM "{name}"{where}').pl()

    return table


def load_inputs(db: Path) -> Inputs:
    """The engine's inputs from a built warehouse (loaded once per file and version: a rebuilt warehouse, which
    replaces the file, is read again)."""
    return _load_inputs(Path(db).resolve(), _version(db))


def _version(db: Path) -> tuple[int, int]:
    st = Path(db).stat()
    return st.st_mtime_ns, st.st_ino


@lru_cache(maxsize=4)
def _load_inputs(db: Path, version: tuple[int, int]) -> Inputs:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return read_inputs(table_reader(con))
    finally:
        con.close()


def baseline(source: Path | duckdb.DuckDBPyConnection, base_year: int = 2020) -> Baseline:
    """パターン1 (anchored to IPSS 2023, `pattern1`): the baseline every scenario of the step, the CLI, the dashboard
    and the analyst derives from. `source`: a warehouse file (built once per file and version) or an open
    connection (the dashboard's own, so that it never reads another file than the one it opened; the caller keeps
    the result)."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        return pattern1(read_inputs(table_reader(source)), base_year)
    return _baseline(Path(source).resolve(), _version(source), base_year)


@lru_cache(maxsize=4)
def _baseline(db: Path, version: tuple[int, int], base_year: int) -> Baseline:
    return pattern1(_load_inputs(db, version), base_year)


def project_municipality(
    db: Path,
    code: str,
    scenario: str = "pattern1",
    tfr_points: Mapping[int, float] | None = None,
    migration_scale: float = 1.0,
) -> pl.DataFrame:
    """Projection of one municipality (or its joint unit) under a scenario: long rows by year, sex and age.

    The unit's row of the all-unit run (`simulate`), so the result equals the unit's rows of
    out_projection__population for every standard scenario. A custom scenario's migration scale acts on all of
    pattern1's net migration (its anchoring and consistency are part of its rates), so with the default TFR path
    scale 1 equals sim1 (the default path raises fertility and is a floor, as in sim1) and scale 0 equals sim2.
    """
    inputs = load_inputs(db)
    base = baseline(db)
    unit = inputs.unit_of(code)
    if unit not in base.units:
        raise KeyError(f"no municipality {code} in the warehouse")
    result = simulate(base, scenario, [base.index(unit)], tfr_points, migration_scale, inputs)
    return long_frame(result, [unit], base.years).with_columns(pl.lit(scenario).alias("scenario"))


def totals_by_year(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("year").agg(pl.col("persons").sum().alias("total_persons")).sort("year")
