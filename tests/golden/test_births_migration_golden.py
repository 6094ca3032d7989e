"""Golden values for 札幌市 (01100), 鳥取市 (31201) and 日吉津村 (31384): indicators from the warehouse against
figures this test reads itself from the raw bundle files (CSV as published; no warehouse table involved)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from sousei.domain.indicators import births

MUNIS = ("01100", "31201", "31384")


def _entry(id_: str):
    return next(e for e in births.ENTRIES if e.id == id_)


def _value(wh: duckdb.DuckDBPyConnection, id_: str, muni: str, year: int) -> float:
    e = _entry(id_)
    row = wh.sql(
        f"SELECT numerator / denominator FROM ({e.query}) WHERE muni_code = ? AND year = ?", params=[muni, year]
    )
    got = row.fetchall()
    assert len(got) == 1, (id_, muni, year, got)
    return got[0][0] * e.scale


def _ssdse_raw(data_dir: Path, edition: int, item: str) -> tuple[int, dict[str, float]]:
    """(data year, {muni_code: value}) of one item of one SSDSE-A edition, read from the cp932 CSV."""
    with open(data_dir / f"ssdse_a/SSDSE-A-{edition}.csv", encoding="cp932", newline="") as f:
        rows = list(csv.reader(f))
    col = rows[0].index(item)
    values = {r[0].removeprefix("R"): float(r[col]) for r in rows[3:] if r and r[0].startswith("R")}
    return int(rows[1][col]), values


@pytest.mark.parametrize("muni", MUNIS)
def test_tfr_2018_2022_as_published(wh: duckdb.DuckDBPyConnection, data_dir: Path, muni: str) -> None:
    with open(data_dir / "tfr/tfr_bayes_2018_2022.csv", encoding="utf-8", newline="") as f:
        raw = {r["code"]: float(r["tfr_2018_2022"]) for r in csv.DictReader(f)}
    assert _value(wh, "tfr_bayes", muni, 2022) == pytest.approx(raw[muni], abs=1e-12)


@pytest.mark.parametrize("muni", MUNIS)
@pytest.mark.parametrize("sex", ["male", "female"])
@pytest.mark.parametrize("age", ["25-29", "30-34", "35-39"])
def test_unmarried_shares_as_published(
    wh: duckdb.DuckDBPyConnection, data_dir: Path, muni: str, sex: str, age: str
) -> None:
    path = data_dir / "marital/unmarried_rate_census2025_age25_39_by_sex_long.csv"
    with open(path, encoding="utf-8", newline="") as f:
        raw = {
            (r["code5"], r["sex"], r["age"]): float(r["unmarried_rate_pct"])
            for r in csv.DictReader(f)
            if r["unmarried_rate_pct"]  # 47356 female 30-34 is blank
        }
    got = _value(wh, f"unmarried_{sex}_{age.replace('-', '_')}_pct", muni, 2025)
    assert got == pytest.approx(raw[(muni, sex, age)], abs=1e-9)


@pytest.mark.parametrize("muni", MUNIS)
def test_vital_births_and_their_index_against_japan(wh: duckdb.DuckDBPyConnection, data_dir: Path, muni: str) -> None:
    y23, b23 = _ssdse_raw(data_dir, 2026, "A4101")
    y16, b16 = _ssdse_raw(data_dir, 2018, "A4101")
    assert (y16, y23) == (2016, 2023)
    assert _value(wh, "births_vital", muni, 2023) == b23[muni]
    expected = (b23[muni] / b16[muni]) / (sum(b23.values()) / sum(b16.values())) * 100
    assert _value(wh, "births_vital_index_vs_japan", muni, 2023) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("muni", MUNIS)
def test_marriages_numerator_is_the_published_count(wh: duckdb.DuckDBPyConnection, data_dir: Path, muni: str) -> None:
    year, marriages = _ssdse_raw(data_dir, 2026, "A9101")
    e = _entry("marriages_per_1000_women_20_39")
    got = wh.sql(f"SELECT numerator FROM ({e.query}) WHERE muni_code = ? AND year = ?", params=[muni, year]).fetchall()[
        0
    ]
    assert got[0] == marriages[muni]
