"""住民基本台帳 (juki): the CATALOG.yaml figures, the time key, sums and coverage, header detection, failure modes."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.sources import juki, juki_sheets

DYN = juki.RAW_DYNAMICS.name
AGE = juki.RAW_AGE.name
CORE_DYN = juki.CORE_DYNAMICS.name
CORE_AGE = juki.CORE_AGE.name
SOURCE = "juki_population_dynamics"


def num(text: str) -> int:
    return int(text.replace(",", ""))


def one(wh: duckdb.DuckDBPyConnection, sql: str, *params: object) -> object:
    return wh.execute(sql, list(params)).fetchone()[0]


@pytest.fixture(scope="module")
def checks_text(data_dir: Path) -> str:
    catalog = yaml.safe_load((data_dir / "CATALOG.yaml").read_text(encoding="utf-8"))["sources"]
    return " ".join(catalog[SOURCE]["checks"].split())


def _figure(checks_text: str, pattern: str) -> list[int]:
    m = re.search(pattern, checks_text)
    assert m, f"CATALOG checks no longer say {pattern!r}: {checks_text}"
    return [num(g) for g in m.groups()]


# --- CATALOG.yaml figures ------------------------------------------------------------------------------------------


def test_2020_sjin_japan_figures(wh: duckdb.DuckDBPyConnection, checks_text: str) -> None:
    total, male, female, births = _figure(
        checks_text,
        r"2020-01-01 \(2003ssjin\.xls\) Japan ([\d,]+) \(男 ([\d,]+) / 女 ([\d,]+)\), births in 2019 ([\d,]+)",
    )
    row = wh.execute(
        f"""SELECT population_persons, population_male_persons, population_female_persons, births_persons,
                   period_kind, period, source_file
            FROM {DYN} WHERE ref_date = DATE '2020-01-01' AND level = 'country' AND code = '00000'"""
    ).fetchall()
    assert row == [(total, male, female, births, "calendar_year", "CY2019", "juki/sjin/2003ssjin.xls")]


def test_2020_snen_japan_figures(wh: duckdb.DuckDBPyConnection, checks_text: str) -> None:
    total, age0 = _figure(checks_text, r"2020-01-01 snen Japan ([\d,]+) with 0～4歳 ([\d,]+)")
    row = wh.execute(
        f"""SELECT all_ages_persons, persons, source_file FROM {AGE}
            WHERE ref_date = DATE '2020-01-01' AND code = '00000' AND sex = 'total' AND age_group = '0-4'"""
    ).fetchall()
    assert row == [(total, age0, "juki/snen/2004ssnen.xls")]


def test_2022_japan_figure(wh: duckdb.DuckDBPyConnection, checks_text: str) -> None:
    (total,) = _figure(checks_text, r"2022-01-01 Japan ([\d,]+)")
    assert one(wh, f"SELECT population_persons FROM {DYN} WHERE ref_date = DATE '2022-01-01' AND code = '00000'") == (
        total
    )
    assert one(
        wh, f"SELECT any_value(all_ages_persons) FROM {AGE} WHERE ref_date = DATE '2022-01-01' AND code = '00000' "
        "AND sex = 'total'"
    ) == total  # fmt: skip


# --- time key ------------------------------------------------------------------------------------------------------


def test_fiscal_and_calendar_files_told_apart(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(
        f"""SELECT DISTINCT ref_date, period_kind, period, includes_foreign_residents, source_file FROM {DYN}
            ORDER BY ref_date"""
    ).fetchall()
    assert len(rows) == 28
    for ref_date, kind, period, foreign, source_file in rows:
        name = source_file.rsplit("/", 1)[-1]
        assert name[:2] == f"{ref_date.year % 100:02d}"
        if ref_date.year <= 2013:
            assert (ref_date.month, ref_date.day, kind, period) == (3, 31, "fiscal_year", f"FY{ref_date.year - 1}")
        else:
            assert (ref_date.month, ref_date.day, kind, period) == (1, 1, "calendar_year", f"CY{ref_date.year - 1}")
        assert foreign == (ref_date >= dt.date(2013, 3, 31)) == ("ss" in name)
    age_dates = [r[0] for r in wh.execute(f"SELECT DISTINCT ref_date FROM {AGE} ORDER BY 1").fetchall()]
    assert age_dates == [r[0] for r in rows]
    # Files to 1404 stop at 80+, later ones at 100+.
    tops = dict(wh.execute(f"SELECT ref_date, max(age_start) FROM {AGE} GROUP BY ALL").fetchall())
    assert {d for d, top in tops.items() if top == 80} == {d for d in tops if d <= dt.date(2014, 1, 1)}
    assert {top for top in tops.values()} == {80, 100}


def test_domestic_abroad_split_from_1303(wh: duckdb.DuckDBPyConnection) -> None:
    split = dict(
        wh.execute(
            f"SELECT ref_date, bool_and(in_movers_domestic_persons IS NOT NULL) FROM {DYN} GROUP BY ALL"
        ).fetchall()
    )
    assert all(has == (d >= dt.date(2013, 3, 31)) for d, has in split.items())
    assert one(wh, f"SELECT count(*) FROM {DYN} WHERE in_movers_persons IS NULL OR deaths_persons IS NULL") == 0


# --- rows kept, sums, signs ----------------------------------------------------------------------------------------


def test_levels_and_dropped_subtotals(wh: duckdb.DuckDBPyConnection) -> None:
    for table in (DYN, AGE):
        bad = wh.execute(
            f"""SELECT ref_date, count(DISTINCT code) FILTER (level = 'country'),
                       count(DISTINCT code) FILTER (level = 'prefecture')
                FROM {table} GROUP BY ALL HAVING count(DISTINCT code) FILTER (level = 'country') <> 1
                    OR count(DISTINCT code) FILTER (level = 'prefecture') <> 47"""
        ).fetchall()
        assert bad == []
        assert one(wh, f"SELECT count(*) FROM {table} WHERE name LIKE '%郡' OR name = '島しょ'") == 0
    # Designated-city wards: 札幌市 has its wards in every file; Tokyo's 23 wards are municipalities.
    assert one(wh, f"SELECT count(DISTINCT level) FROM {DYN} WHERE code LIKE '131%'") == 1
    assert one(wh, f"SELECT min(level) FROM {DYN} WHERE code = '01101'") == "ward"


def test_municipalities_sum_to_prefecture_and_japan(wh: duckdb.DuckDBPyConnection) -> None:
    # Written independently of the step's SqlCheck: per file, Σ municipalities = prefecture, Σ prefectures = Japan.
    off = wh.execute(
        f"""WITH p AS (SELECT ref_date, left(code, 2) AS pref, population_persons, births_persons, households
                       FROM {DYN} WHERE level = 'prefecture'),
                 m AS (SELECT ref_date, left(code, 2) AS pref, sum(population_persons) AS pop,
                              sum(births_persons) AS births, sum(households) AS hh
                       FROM {DYN} WHERE level = 'municipality' GROUP BY ALL)
            SELECT * FROM p JOIN m USING (ref_date, pref)
            WHERE pop <> population_persons OR births <> births_persons OR hh <> households"""
    ).fetchall()
    assert off == []
    off = wh.execute(
        f"""SELECT ref_date, any_value(population_persons) FILTER (level = 'country') AS japan,
                   sum(population_persons) FILTER (level = 'prefecture') AS prefs
            FROM {DYN} GROUP BY ALL HAVING japan <> prefs"""
    ).fetchall()
    assert off == []
    assert one(wh, f"SELECT count(*) FROM ({DYN_PARENT_CHECK})") == 0


DYN_PARENT_CHECK = next(c.sql for c in juki.RAW_DYNAMICS.checks if c.name == "sums-into-parent")


def test_pinned_1996_shimoda_anomaly_is_real(wh: duckdb.DuckDBPyConnection) -> None:
    # The only row whose printed parts do not add up: 02410 下田町 in 9603sjin (その他 3 against 計（Ｂ） 588).
    rows = wh.execute(
        f"""SELECT ref_date, code FROM {DYN}
            WHERE decrease_persons <> out_movers_persons + deaths_persons + other_decrease_persons"""
    ).fetchall()
    assert rows == [(dt.date(1996, 3, 31), "02410")]


def test_no_negative_counts(wh: duckdb.DuckDBPyConnection) -> None:
    counts = [m for m in juki.MEASURES if m not in juki.SIGNED]
    for table in (DYN, CORE_DYN):
        assert one(wh, f"SELECT count(*) FROM {table} WHERE " + " OR ".join(f"{m} < 0" for m in counts)) == 0
    for table in (AGE, CORE_AGE):
        assert one(wh, f"SELECT count(*) FROM {table} WHERE persons < 0 OR all_ages_persons < 0") == 0


def test_snen_total_equals_sjin_population(wh: duckdb.DuckDBPyConnection) -> None:
    off = wh.execute(
        f"""SELECT a.ref_date, a.code FROM (SELECT DISTINCT ref_date, code, all_ages_persons FROM {AGE}
                                             WHERE sex = 'total') a
            FULL JOIN {DYN} d USING (ref_date, code)
            WHERE a.all_ages_persons IS DISTINCT FROM d.population_persons"""
    ).fetchall()
    assert off == []


# --- 2020 boundaries -----------------------------------------------------------------------------------------------


def test_core_covers_the_1741_every_file(wh: duckdb.DuckDBPyConnection) -> None:
    for table in (CORE_DYN, CORE_AGE):
        counts = wh.execute(f"SELECT ref_date, count(DISTINCT muni_code) FROM {table} GROUP BY ALL").fetchall()
        assert len(counts) == 28 and {n for _, n in counts} == {1741}
        assert one(wh, f"SELECT count(*) FROM {table} WHERE muni_code NOT IN "
                   "(SELECT muni_code FROM core_areas__municipalities)") == 0  # fmt: skip


def test_core_preserves_national_totals(wh: duckdb.DuckDBPyConnection) -> None:
    off = wh.execute(
        f"""SELECT r.ref_date, r.population_persons, c.pop, r.births_persons, c.births
            FROM {DYN} r JOIN (SELECT ref_date, sum(population_persons) AS pop, sum(births_persons) AS births
                               FROM {CORE_DYN} GROUP BY ALL) c USING (ref_date)
            WHERE r.level = 'country'
              AND (abs(c.pop - r.population_persons) > 1e-6 OR abs(c.births - r.births_persons) > 1e-6)"""
    ).fetchall()
    assert off == []
    off = wh.execute(
        f"""SELECT r.ref_date, r.all_ages_persons, c.total FROM {AGE} r
            JOIN (SELECT ref_date, sum(all_ages_persons) AS total FROM {CORE_AGE}
                  WHERE sex = 'total' AND age_start = 0 GROUP BY ALL) c USING (ref_date)
            WHERE r.code = '00000' AND r.sex = 'total' AND r.age_start = 0
              AND abs(c.total - r.all_ages_persons) > 1e-6"""
    ).fetchall()
    assert off == []


def test_core_merges_municipalities_of_the_time(wh: duckdb.DuckDBPyConnection) -> None:
    # 浜松市 (22130) became a designated city in 2007 from 22202 浜松市 and 11 neighbours merged in 2005.
    early = wh.execute(
        f"SELECT n_source_codes, population_persons FROM {CORE_DYN} "
        "WHERE ref_date = '2000-03-31' AND muni_code = '22130'"
    ).fetchone()
    summed = one(
        wh, f"""SELECT sum(population_persons) FROM {DYN} WHERE ref_date = '2000-03-31' AND level = 'municipality'
                AND code IN (SELECT code FROM core_areas__code_to_2020 WHERE muni_code = '22130'
                             AND valid_from <= DATE '2000-03-31'
                             AND (valid_to IS NULL OR valid_to > DATE '2000-03-31'))"""
    )  # fmt: skip
    assert early[0] > 1 and early[1] == summed


# --- parsing units -------------------------------------------------------------------------------------------------


def test_header_paths_old_and_new_layouts() -> None:
    old = [
        ("団体コード", "都道府県名", "市区町村名", "平成7年", None, None, None, "平成6年度", None),
        (None, None, None, "人口", None, None, "世帯数", "住民票記載数", None),
        (None, None, None, "男", "女", "計", None, "転入者数", "出生者数"),
    ]
    assert juki_sheets.header_paths(old) == [
        ("団体コード",), ("都道府県名",), ("市区町村名",), ("人口", "男"), ("人口", "女"), ("人口", "計"),
        ("世帯数",), ("住民票記載数", "転入者数"), ("住民票記載数", "出生者数"),
    ]  # fmt: skip
    new = [
        (None, None, None, "令和4年", "令和3年", "令和3年"),
        (None, None, None, "2022年", "2021年", "2021年"),
        (None, None, None, "世帯数", "住民票記載数", "住民票記載数"),
        (None, None, None, "世帯数", "転入者数（国内）", "計（Ａ）"),
        ("団体コード", "都道府県名", "市区町村名", "世帯", "人", "人"),
    ]
    assert juki_sheets.header_paths(new)[3:] == [
        ("世帯数",),
        ("住民票記載数", "転入者数(国内)"),
        ("住民票記載数", "計(A)"),
    ]
    assert all(juki_sheets.SJIN_HEADERS.get(p) for p in juki_sheets.header_paths(new))


def test_age_labels() -> None:
    assert juki_sheets._age_group(("0~4歳",)) == ("0-4", 0, False)
    assert juki_sheets._age_group(("5歳~9歳",)) == ("5-9", 5, False)
    assert juki_sheets._age_group(("100歳以上",)) == ("100+", 100, True)
    assert juki_sheets._age_group(("5~10",)) is None
    assert juki_sheets._age_group(("年齢不詳",)) is None


def _ctx(bundle: Path) -> StepContext:
    return StepContext(juki.STEP, bundle, lambda name: pl.DataFrame())


def test_title_must_match_file_name(data_dir: Path) -> None:
    ctx = _ctx(data_dir)
    info = juki_sheets.file_info(
        ctx, "juki/sjin/0003sjin.xls", "平成12年3月31日住民基本台帳人口・世帯数、平成11年度人口動態"
    )
    assert (info.ref_date, info.period_kind, info.period) == (dt.date(2000, 3, 31), "fiscal_year", "FY1999")
    with pytest.raises(BuildError, match=r"\[title\].*0103sjin.xls"):
        juki_sheets.file_info(
            ctx, "juki/sjin/0103sjin.xls", "平成12年3月31日住民基本台帳人口・世帯数、平成11年度人口動態"
        )
    with pytest.raises(BuildError, match=r"\[title\].*do not precede"):
        juki_sheets.file_info(
            ctx, "juki/sjin/0003sjin.xls", "平成12年3月31日住民基本台帳人口・世帯数、平成10年度人口動態"
        )


def test_bad_check_digit_names_the_row(data_dir: Path) -> None:
    frame = pl.DataFrame(
        {"row": [5, 6, 7], "code6": [None, "010006", "011003"], "pref_name": ["合計", "北海道", "北海道"],
         "name": [None, None, "札幌市"]},
        schema_overrides={"row": pl.UInt32},
    )  # fmt: skip
    with pytest.raises(BuildError, match=r"\[code\] file juki/sjin/x\.xls at row 7, column A: .*'011003'"):
        juki_sheets.classify_rows(_ctx(data_dir), "juki/sjin/x.xls", frame)


def test_subtotals_dropped_and_wards_found(data_dir: Path) -> None:
    frame = pl.DataFrame(
        {"row": [5, 6, 7, 8, 9, 10, 11],
         "code6": [None, "010006", "011002", "011011", "023001", None, "023019"],
         "pref_name": ["合計", "北海道\u3000", "北海道", "北海道", "青森県", "東京都", "青森県"],
         "name": [None, "-", "札幌市", "札幌市中央区", "東津軽郡", "島しょ\x1f", "東津軽郡平内町*"]},
        schema_overrides={"row": pl.UInt32},
    )  # fmt: skip
    out = juki_sheets.classify_rows(_ctx(data_dir), "juki/sjin/x.xls", frame)
    assert out.select("code", "level", "parent_code", "pref_name_clean", "name_clean", "is_marked").rows() == [
        ("00000", "country", None, "合計", None, False),
        ("01000", "prefecture", "00000", "北海道", None, False),
        ("01100", "municipality", "01000", "北海道", "札幌市", False),
        ("01101", "ward", "01100", "北海道", "札幌市中央区", False),
        ("02301", "municipality", "02000", "青森県", "東津軽郡平内町", True),
    ]


# --- failure modes on an edited copy of a real file ----------------------------------------------------------------


def _xlsx_copy(data_dir: Path, tmp_path: Path, rel: str, member: str, edit: Callable[[str], str]) -> Path:
    """A temporary bundle holding one xlsx with one XML part edited (the repository never holds bundle data)."""
    target = tmp_path / rel
    target.parent.mkdir(parents=True)
    with zipfile.ZipFile(data_dir / rel) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                edited = edit(data.decode("utf-8"))
                assert edited != data.decode("utf-8")
                data = edited.encode("utf-8")
            dst.writestr(info, data)
    return tmp_path


def test_unexpected_header_names_file_and_column(data_dir: Path, tmp_path: Path) -> None:
    rel = "juki/sjin/2203ssjin.xlsx"
    bundle = _xlsx_copy(data_dir, tmp_path, rel, "xl/sharedStrings.xml",
                        lambda x: x.replace("<t>出生者数</t>", "<t>出生数</t>", 1))  # fmt: skip
    with pytest.raises(BuildError, match=r"\[header\].*2203ssjin\.xlsx.*rows 2–6, column K.*出生数"):
        juki_sheets.parse_sjin(_ctx(bundle), rel)


def test_bad_number_names_row_and_column(data_dir: Path, tmp_path: Path) -> None:
    rel = "juki/sjin/2203ssjin.xlsx"
    bundle = _xlsx_copy(
        data_dir, tmp_path, rel, "xl/worksheets/sheet1.xml",
        lambda x: x.replace('<c r="F7" s="20"><v>125927902</v></c>',
                            '<c r="F7" s="20" t="inlineStr"><is><t>12592790X</t></is></c>', 1),
    )  # fmt: skip
    with pytest.raises(
        BuildError, match=r"\[number\].*2203ssjin\.xlsx at row 7, column F: .*population_persons.*'12592790X'"
    ):
        juki_sheets.parse_sjin(_ctx(bundle), rel)
