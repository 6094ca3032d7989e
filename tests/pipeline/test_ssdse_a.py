"""SSDSE-A on the built warehouse: the CATALOG check figures, coverage, edition handling; edge cases of the parser."""

from __future__ import annotations

import duckdb
import pytest

from sousei.pipeline.errors import BuildError
from sousei.pipeline.sources.ssdse_a import CODE_MAP, combine_editions, parse_edition


def _sum(wh: duckdb.DuckDBPyConnection, item: str, year: int) -> float:
    return wh.execute(
        "SELECT sum(value) FROM core_ssdse__values WHERE item_code = ? AND data_year = ?", [item, year]
    ).fetchone()[0]


@pytest.mark.parametrize(
    ("item", "year", "expected"),
    [
        ("A1101", 2020, 126_146_099),  # census 2020 population
        ("A1101", 2015, 127_094_745),  # census 2015 population
        ("A4101", 2020, 840_808),  # births 2020 (人口動態 840,835 incl. unknown residence)
        ("A4101", 2023, 727_269),  # births 2023 (727,288)
        ("I6100", 2022, 343_275),  # doctors 2022
        ("F1102", 2020, 57_643_225),  # employed, census 2020
    ],
)
def test_catalog_sums(wh: duckdb.DuckDBPyConnection, item: str, year: int, expected: int) -> None:
    assert _sum(wh, item, year) == expected


def test_every_item_year_covers_1741(wh: duckdb.DuckDBPyConnection) -> None:
    counts = wh.execute(
        "SELECT item_code, data_year, count(DISTINCT muni_code) FROM core_ssdse__values GROUP BY ALL"
    ).fetchall()
    assert counts and {n for _, _, n in counts} == {1741}
    unknown = wh.execute(
        "SELECT DISTINCT muni_code FROM core_ssdse__values "
        "WHERE muni_code NOT IN (SELECT muni_code FROM core_areas__municipalities)"
    ).fetchall()
    assert unknown == []


def test_nakagawa_code_change(wh: duckdb.DuckDBPyConnection) -> None:
    # The 2018 and 2019 editions print 40305 那珂川町; it is 40231 那珂川市 in every row.
    assert wh.execute("SELECT count(*) FROM core_ssdse__values WHERE muni_code = '40305'").fetchone() == (0,)
    row = wh.execute(
        "SELECT edition, n_editions FROM core_ssdse__values "
        "WHERE muni_code = '40231' AND item_code = 'A4101' AND data_year = 2016"
    ).fetchone()
    assert row == (2018, 1)


def test_latest_edition_kept(wh: duckdb.DuckDBPyConnection) -> None:
    # The 2022 and 2023 editions carry the same 2020 births: one row, from 2023, counted twice.
    rows = wh.execute(
        "SELECT DISTINCT edition, n_editions FROM core_ssdse__values WHERE item_code = 'A4101' AND data_year = 2020"
    ).fetchall()
    assert rows == [(2023, 2)]
    # Census 2015 population: editions 2018–2021.
    rows = wh.execute(
        "SELECT DISTINCT edition, n_editions FROM core_ssdse__values WHERE item_code = 'A1101' AND data_year = 2015"
    ).fetchall()
    assert rows == [(2021, 4)]


def test_items(wh: duckdb.DuckDBPyConnection) -> None:
    items = {
        r[0]: r[1:]
        for r in wh.execute(
            "SELECT item_code, item_name, unit, first_edition, last_edition, original_codes FROM core_ssdse__items"
        ).fetchall()
    }
    # 2018 prints １５歳未満人口 with full-width digits; the name is the latest edition's, in ASCII digits.
    assert items["A1301"][:4] == ("15歳未満人口", "persons", 2018, 2026)
    # Industry codes of 2018–2020 (C2107…) merged into the later ones (C2108…), with the original codes kept.
    assert items["C2108"][2] == 2018 and items["C2108"][4].startswith("C2107 (2018–2020), C2108 (2021–2026)")
    assert "C2107" not in items and "C210703" not in items
    assert items["C210725"][2:4] == (2018, 2020)  # 公務: only in the old editions
    assert items["D3201"][1] == "thousand_yen" and items["B1101"][1] == "ha"
    per_edition = wh.execute(
        "SELECT count(*) FROM core_ssdse__items WHERE first_edition <= 2026 AND last_edition >= 2026"
    ).fetchone()
    assert per_edition == (125,)  # CATALOG: 125 items in the 2026 edition


def test_mapped_industry_rows(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(
        "SELECT data_year, min(item_code_original), count(*) FROM core_ssdse__values "
        "WHERE item_code = 'C210832' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert rows == [(2014, "C210703", 1741), (2016, "C210832", 1741), (2021, "C210832", 1741)]


# Unit tests: inline editions with the quirks real files have.

HEAD = (
    "SSDSE-A-2030,Prefecture,Municipality,A1101,C2107\n"
    ",,年度,２０２０,2014\n"  # full-width digits in the year row
    "地域コード,都道府県,市区町村,総人口,事業所数\n"
)


def test_parse_edition_quirks() -> None:
    wide, items = parse_edition(
        HEAD + "R40305,福岡県,那珂川町,50000,1200\nR01100,北海道,札幌市,1973395,72730\n", 2030, "x"
    )
    assert wide.columns == ["A1101", "C2108", "muni_code"]
    assert wide["muni_code"].to_list() == ["01100", "40231"]
    assert items["data_year"].to_list() == [2020, 2014]
    assert items["item_code_original"].to_list() == ["A1101", "C2107"]
    assert CODE_MAP["C220703"] == "C220832"


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("R01100,北海道,札幌市,-,1\n", "value"),  # a marker where a number belongs
        ("01100,北海道,札幌市,1,1\n", "code"),  # no R prefix
        ("R01100,北海道,札幌市,1,1\nR01100,北海道,札幌市,1,1\n", "code"),  # repeated code
    ],
)
def test_parse_edition_refuses(body: str, check: str) -> None:
    with pytest.raises(BuildError) as err:
        parse_edition(HEAD + body, 2030, "x")
    assert err.value.check == check


def test_unknown_item_and_wrong_edition() -> None:
    with pytest.raises(BuildError, match="unknown item code 'Z9999'"):
        parse_edition(HEAD.replace("C2107", "Z9999") + "R01100,北海道,札幌市,1,1\n", 2030, "x")
    with pytest.raises(BuildError, match="another edition"):
        parse_edition(HEAD + "R01100,北海道,札幌市,1,1\n", 2031, "x")


def test_editions_that_disagree_stop() -> None:
    a = parse_edition(HEAD + "R01100,北海道,札幌市,100,1\n", 2030, "x")
    b = parse_edition(HEAD.replace("2030", "2031") + "R01100,北海道,札幌市,101,1\n", 2031, "y")
    with pytest.raises(BuildError, match="differ"):
        combine_editions([a, b])
    same = parse_edition(HEAD.replace("2030", "2031") + "R01100,北海道,札幌市,100,1\n", 2031, "y")
    items, values = combine_editions([a, same])
    assert values.filter(values["item_code"] == "A1101").select("edition", "n_editions", "value").rows() == [
        (2031, 2, 100.0)
    ]
