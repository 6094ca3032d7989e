"""`sousei project`: totals printed to 2070 equal the stored scenario, the table is saved whole, bad input is named."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from typer.testing import CliRunner

from sousei.cli import app

runner = CliRunner()


def test_pattern1_totals_match_the_warehouse(warehouse_path: Path, wh: duckdb.DuckDBPyConnection, tmp_path: Path):
    out = tmp_path / "p.csv"
    result = runner.invoke(app, ["project", "31201", "--db", str(warehouse_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    stored = wh.execute(
        "SELECT year, sum(persons) FROM out_projection__population WHERE scenario = 'pattern1' AND muni_code = '31201'"
        " GROUP BY year ORDER BY year"
    ).fetchall()
    assert stored[-1][0] == 2070
    for year, total in stored:
        assert f"{year}" in result.output and f"{total:,.0f}" in result.output
    saved = pl.read_csv(out)
    sums = saved.group_by("year").agg(pl.col("persons").sum()).sort("year").rows()
    assert [y for y, _ in sums] == [y for y, _ in stored]
    assert all(abs(a - b) < 1e-6 * b for (_, a), (_, b) in zip(sums, stored, strict=True))
    assert set(saved["scenario"]) == {"pattern1"}


def test_custom_runs_are_saved_beside_the_warehouse_with_their_parameters(warehouse_path: Path, tmp_path: Path):
    db = tmp_path / "w.duckdb"
    db.symlink_to(warehouse_path.resolve())
    args = ["project", "31384", "--db", str(db), "--scenario", "custom", "--tfr-path", "2030:1.9,2040:2.1",
            "--migration-scale", "0.5"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = tmp_path / "projections" / "31384-custom-tfr2030_1.9-2040_2.1-mig0.5.csv"
    frame = pl.read_csv(saved)
    assert frame["tfr_path"].unique().to_list() == ["2030:1.9,2040:2.1"]
    assert frame["migration_scale"].unique().to_list() == [0.5]
    assert frame["year"].max() == 2070
    assert not list((tmp_path / "projections").glob(".*.tmp"))


def test_bad_input_is_named(warehouse_path: Path):
    bad_code = runner.invoke(app, ["project", "99999", "--db", str(warehouse_path)])
    assert bad_code.exit_code != 0
    assert "99999" in bad_code.output
    bad_path = runner.invoke(app, ["project", "01100", "--db", str(warehouse_path), "--scenario", "custom",
                                   "--tfr-path", "2030-1.8"])  # fmt: skip
    assert bad_path.exit_code != 0
    assert "--tfr-path" in bad_path.output
