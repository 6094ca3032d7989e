"""住民基本台帳 sjin/snen Excel files as published: titles, multi-row headers, area rows → one frame per file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.excel import cells_to_int, column_letter, normalize_label, read_sheet
from sousei.pipeline.reference import era_year, is_valid_code6

# ---------------------------------------------------------------------------------------------------------------------
# Headers. Labels are compared after NFKC (full-width brackets, Ａ and ～ become ASCII) with all whitespace removed.
# A column is known by the path of its labels from the top header row down (era years, 西暦 years and unit rows
# such as 人 / ％ are skipped; 2021+ files repeat merged labels in every cell, older files leave them blank).
# ---------------------------------------------------------------------------------------------------------------------
ERA_OR_YEAR = re.compile(r"(平成|令和)(元|\d+)年度?|\d{4}年")
UNITS = {"人", "世帯", "%"}
GROUPS = {"人口", "住民票記載数", "住民票消除数"}
IN, OUT = "住民票記載数", "住民票消除数"
SJIN_HEADERS: dict[tuple[str, ...], str | None] = {
    ("団体コード",): "code6",
    ("都道府県名",): "pref_name",
    ("市区町村名",): "name",
    ("人口", "男"): "population_male_persons",
    ("人口", "女"): "population_female_persons",
    ("人口", "計"): "population_persons",
    ("人口", "(修正人口)"): "population_revised_persons",  # 0503sjin only (prefectures and Japan)
    ("世帯数",): "households",
    ("(修正世帯数)",): "households_revised",  # 0503sjin only
    (IN, "転入者数"): "in_movers_persons",  # to 1203: no domestic/abroad split
    (IN, "転入者数(計)"): "in_movers_persons",
    (IN, "転入者数(国内)"): "in_movers_domestic_persons",
    (IN, "転入者数(国外)"): "in_movers_abroad_persons",
    (IN, "出生者数"): "births_persons",
    (IN, "その他"): "other_increase_persons",
    (IN, "その他(計)"): "other_increase_persons",
    (IN, "計(A)"): "increase_persons",
    (OUT, "転出者数"): "out_movers_persons",
    (OUT, "転出者数(計)"): "out_movers_persons",
    (OUT, "転出者数(国内)"): "out_movers_domestic_persons",
    (OUT, "転出者数(国外)"): "out_movers_abroad_persons",
    (OUT, "死亡者数"): "deaths_persons",
    (OUT, "その他"): "other_decrease_persons",
    (OUT, "その他(計)"): "other_decrease_persons",
    (OUT, "計(B)"): "decrease_persons",
    ("増減数(A)-(B)",): "change_persons",
    ("自然増加数",): "natural_change_persons",
    ("自然増減数",): "natural_change_persons",
    ("社会増加数",): "social_change_persons",
    ("社会増減数",): "social_change_persons",
    # Rates (per cent of the population) are derived from the counts: not kept.
    ("増加率",): None,
    ("増減率",): None,
    ("自然増加率",): None,
    ("自然増減率",): None,
    ("社会増加率",): None,
    ("社会増減率",): None,
}
ID_COLUMNS = ("code6", "pref_name", "name")
SPLIT_MEASURES = (
    "in_movers_domestic_persons",
    "in_movers_abroad_persons",
    "out_movers_domestic_persons",
    "out_movers_abroad_persons",
)
REVISED_MEASURES = ("population_revised_persons", "households_revised")
MEASURES = (
    "population_male_persons",
    "population_female_persons",
    "population_persons",
    "households",
    "in_movers_domestic_persons",
    "in_movers_abroad_persons",
    "in_movers_persons",
    "births_persons",
    "other_increase_persons",
    "increase_persons",
    "out_movers_domestic_persons",
    "out_movers_abroad_persons",
    "out_movers_persons",
    "deaths_persons",
    "other_decrease_persons",
    "decrease_persons",
    "change_persons",
    "natural_change_persons",
    "social_change_persons",
)
# Changes may be negative; every other count may not.
SIGNED = {"change_persons", "natural_change_persons", "social_change_persons"}
REQUIRED = set(ID_COLUMNS) | (set(MEASURES) - set(SPLIT_MEASURES))

SNEN_ID_HEADERS = {("団体コード",): "code6", ("都道府県名",): "pref_name", ("市区町村名",): "name", ("性別",): "sex"}
SNEN_TOTAL = ("総数",)
SNEN_IGNORED = {("(修正総数)",)}  # 0504snen only: revised all-ages total of prefectures, repeated from 0503sjin
AGE_RANGE = re.compile(r"(\d+)歳?~(\d+)歳?")
AGE_OPEN = re.compile(r"(\d+)歳以上")
SEXES = {"計": "total", "男": "male", "女": "female"}

TITLE_DATE = re.compile(r"^(平成|令和)(元|\d+)年(\d+)月(\d+)日住民基本台帳")
FISCAL = re.compile(r"、(平成|令和)(元|\d+)年度人口動態")
CALENDAR = re.compile(r"、(平成|令和)(元|\d+)年(\([^)]*\))?人口動態")
FILE_NAME = re.compile(r"(\d\d)(\d\d)(s?)s(jin|nen)\.xlsx?")


@dataclass(frozen=True)
class FileInfo:
    rel: str
    ref_date: dt.date
    period_kind: str | None
    period: str | None
    includes_foreign_residents: bool


def file_info(ctx: StepContext, rel: str, title: str | None) -> FileInfo:
    """Reference date, period and coverage from the title row, cross-checked with the file name (YYMM, 'ss')."""
    name = rel.rsplit("/", 1)[-1]
    m_name = FILE_NAME.fullmatch(name)
    if not m_name:
        raise ctx.fail("file-name", f"unexpected file name {name!r}", file=rel)
    text = normalize_label(title) or ""
    m = TITLE_DATE.match(text)
    if not m:
        raise ctx.fail("title", f"no date in the title {title!r}", file=rel, where="row 1, column A")
    ref_date = dt.date(era_year(m[1], m[2]), int(m[3]), int(m[4]))
    foreign = "(総計)" in text
    if ref_date.year % 100 != int(m_name[1]) or foreign != (m_name[3] == "s"):
        raise ctx.fail("title", f"title {title!r} does not match the file name", file=rel, where="row 1, column A")
    if (
        ref_date.year <= 2013
        and (ref_date.month, ref_date.day) != (3, 31)
        or (ref_date.year >= 2014 and (ref_date.month, ref_date.day) != (1, 1))
    ):
        raise ctx.fail("title", f"unexpected reference date {ref_date}", file=rel, where="row 1, column A")
    kind = period = None
    if m_name[4] == "jin":
        if fy := FISCAL.search(text):
            kind, year, expected = "fiscal_year", era_year(fy[1], fy[2]), ref_date.year - 1
            period = f"FY{year}"
        elif cy := CALENDAR.search(text):
            kind, year, expected = "calendar_year", era_year(cy[1], cy[2]), ref_date.year - 1
            period = f"CY{year}"
        else:
            raise ctx.fail("title", f"no period of the dynamics in {title!r}", file=rel, where="row 1, column A")
        if year != expected or (kind == "fiscal_year") != (ref_date.month == 3):
            raise ctx.fail("title", f"dynamics {period} do not precede {ref_date}", file=rel, where="row 1, column A")
    return FileInfo(rel, ref_date, kind, period, foreign)


def _header_end(ctx: StepContext, rel: str, df: pl.DataFrame) -> int:
    """Index (0-based) of the 合計 row: the rows between the title and it are the header."""
    hit = df.with_row_index("i").filter(pl.col("c1").str.strip_chars() == "合計")
    if hit.is_empty():
        raise ctx.fail("header", "no 合計 row in column B", file=rel)
    return int(hit["i"][0])


def header_paths(rows: list[tuple[object, ...]]) -> list[tuple[str, ...]]:
    """Per column, its labels from the top header row down (see the comment at SJIN_HEADERS)."""
    grid = [[normalize_label(v) for v in row] for row in rows]
    for r in grid:
        # Group rows (人口 / 住民票記載数 …) and year rows label merged cells only in their first column: fill right.
        if any(v is not None and (v in GROUPS or ERA_OR_YEAR.fullmatch(v)) for v in r):
            last = None
            for j in range(3, len(r)):
                if r[j] is None:
                    r[j] = last
                else:
                    last = r[j]
    paths = []
    for j in range(len(grid[0]) if grid else 0):
        path: list[str] = []
        for r in grid:
            v = r[j]
            if v is None or v in UNITS or ERA_OR_YEAR.fullmatch(v) or (path and path[-1] == v):
                continue
            path.append(v)
        paths.append(tuple(path))
    return paths


def _header_error(ctx: StepContext, rel: str, h: int, j: int, path: tuple[str, ...], what: str):
    return ctx.fail(
        "header",
        f"{what} header {' / '.join(path) or '(empty)'!r}",
        file=rel,
        where=f"rows 2–{h}, column {column_letter(j)}",
    )


def _clean(col: str) -> pl.Expr:
    """Whitespace (full-width too), control characters and the '*' marker removed; '' and '-' become NULL."""
    text = pl.col(col).str.replace_all(r"[\s\p{Cc}*]", "")
    return pl.when(text.is_in(["", "-"])).then(None).otherwise(text)


def classify_rows(ctx: StepContext, rel: str, df: pl.DataFrame) -> pl.DataFrame:
    """Level, codes and parent of each data row; 郡/島しょ subtotals, empty 北方領土 rows and notes are dropped.

    Expects columns row, code6, pref_name, name (strings); returns the kept rows with code, code6, level,
    parent_code, pref_name_clean, name_clean, is_marked ('*' after the name, snen 1304–2004). A city's wards follow
    it, so the level of a row depends on the rows above: the areas are walked in order once (snen repeats each
    area for 計/男/女, walked once).
    """
    df = df.with_columns(
        _clean("code6").alias("code6"),
        _clean("pref_name").alias("pref_name_clean"),
        _clean("name").alias("name_clean"),
        (
            pl.col("pref_name").str.contains("*", literal=True).fill_null(False)
            | pl.col("name").str.contains("*", literal=True).fill_null(False)
        ).alias("is_marked"),
    )
    # A note below the table (2021+): text in column A, nothing in B.
    df = df.filter(~(pl.col("code6").str.starts_with("注").fill_null(False) & pl.col("pref_name_clean").is_null()))
    # A file has a few thousand distinct codes: checked once each, then the first row with a wrong one is named.
    wrong = [c for c in df["code6"].drop_nulls().unique().to_list() if not is_valid_code6(c)]
    bad = df.filter(pl.col("code6").is_in(wrong))
    if bad.height:
        raise ctx.fail(
            "code",
            f"団体コード {bad['code6'][0]!r} is not 6 digits with a valid check digit",
            file=rel,
            where=f"row {bad['row'][0]}, column A",
        )
    keys = ["code6", "pref_name_clean", "name_clean"]
    out: list[tuple] = []
    city_code = city_name = None
    for code6, pref, name in df.select(keys).unique(maintain_order=True).iter_rows():
        if pref == "合計":
            out.append((code6, pref, name, "00000", "country", None))
            continue
        if name == "島しょ":
            continue  # 東京都 島しょ: subtotal of the island towns and villages that follow (0203: with code 13360)
        if code6 is None:
            # 0903 lists the six 北方領土 villages without code: they must be empty, or the drop loses people.
            out.append((code6, pref, name, None, "uncoded", None))
            continue
        code = code6[:5]
        if name and name.endswith("郡"):
            continue  # 郡 subtotal row: its towns and villages follow with their own codes
        if code.endswith("000"):
            level, parent = "prefecture", "00000"
        elif (
            city_name
            and city_code
            and name
            and name.startswith(city_name)
            and name.endswith("区")
            and code[:2] == city_code[:2]
            and code[2] == "1"
        ):
            level, parent = "ward", city_code
        else:
            level, parent = "municipality", code[:2] + "000"
        if level == "municipality" and code[2] == "1" and name and name.endswith("市"):
            city_code, city_name = code, name
        out.append((code6, pref, name, code, level, parent))
    schema = {k: pl.Utf8 for k in [*keys, "code", "level", "parent_code"]}
    areas = pl.DataFrame(out, schema=schema, orient="row")
    return df.join(areas, on=keys, how="inner", nulls_equal=True).sort("row")


def _drop_uncoded(ctx: StepContext, rel: str, df: pl.DataFrame, measures: list[str]) -> pl.DataFrame:
    uncoded = df.filter(pl.col("level") == "uncoded")
    nonzero = uncoded.filter(pl.any_horizontal([pl.col(m).fill_null(0) != 0 for m in measures]))
    if nonzero.height:
        r = nonzero.row(0, named=True)
        raise ctx.fail(
            "code",
            f"row without 団体コード ({r['pref_name_clean']} {r['name_clean']}) has people",
            file=rel,
            where=f"row {r['row']}, column A",
        )
    return df.filter(pl.col("level") != "uncoded")


# ---------------------------------------------------------------------------------------------------------------------
# sjin: population, households and dynamics
# ---------------------------------------------------------------------------------------------------------------------
def parse_sjin(ctx: StepContext, rel: str) -> pl.DataFrame:
    df = read_sheet(ctx, rel)
    info = file_info(ctx, rel, df["c0"][0])
    h = _header_end(ctx, rel, df)
    paths = header_paths(df.slice(1, h - 1).drop("row").rows())
    cols: dict[str, str] = {}
    for j, path in enumerate(paths):
        if path not in SJIN_HEADERS:
            if not path and df[f"c{j}"].slice(h).is_null().all():
                continue  # an empty column
            raise _header_error(ctx, rel, h, j, path, "unexpected")
        name = SJIN_HEADERS[path]
        if name is None:
            continue
        if name in cols.values():
            raise _header_error(ctx, rel, h, j, path, "repeated")
        cols[f"c{j}"] = name
    missing = REQUIRED - set(cols.values())
    if info.includes_foreign_residents:
        missing |= set(SPLIT_MEASURES) - set(cols.values())
    if missing:
        raise ctx.fail("header", f"columns missing: {sorted(missing)}", file=rel, where=f"rows 2–{h}")
    body = df.slice(h)
    ids = {src: name for src, name in cols.items() if name in ID_COLUMNS}
    body = body.select(
        "row",
        *[pl.col(src).alias(name) for src, name in ids.items()],
        *[pl.col(src) for src, name in cols.items() if name not in ID_COLUMNS],
    )
    body = classify_rows(ctx, rel, body)
    measures = {src: name for src, name in cols.items() if name not in ID_COLUMNS}
    body = cells_to_int(ctx, rel, body, measures, nullable=set(REVISED_MEASURES))
    body = _drop_uncoded(ctx, rel, body, list(measures.values()))
    negative = body.filter(pl.any_horizontal([pl.col(m) < 0 for m in measures.values() if m not in SIGNED]))
    if negative.height:
        raise ctx.fail("negative", "negative count", file=rel, where=f"row {negative['row'][0]}")
    return body.select(
        pl.lit(info.ref_date).alias("ref_date"),
        pl.lit(info.period_kind).alias("period_kind"),
        pl.lit(info.period).alias("period"),
        pl.lit(info.includes_foreign_residents).alias("includes_foreign_residents"),
        "code",
        "code6",
        "level",
        "parent_code",
        pl.col("pref_name_clean").alias("pref_name"),
        pl.col("name_clean").alias("name"),
        *[pl.col(m) if m in body.columns else pl.lit(None, pl.Int64).alias(m) for m in MEASURES + REVISED_MEASURES],
        pl.lit(rel).alias("source_file"),
        pl.col("row").cast(pl.Int32).alias("source_row"),
    )


# ---------------------------------------------------------------------------------------------------------------------
# snen: population by sex and 5-year age
# ---------------------------------------------------------------------------------------------------------------------
def _age_group(path: tuple[str, ...]) -> tuple[str, int, bool] | None:
    """('0~4歳',) → ('0-4', 0, False); ('80歳以上',) → ('80+', 80, True); None if not an age label."""
    if len(path) != 1:
        return None
    if m := AGE_RANGE.fullmatch(path[0]):
        lo, hi = int(m[1]), int(m[2])
        return (f"{lo}-{hi}", lo, False) if hi == lo + 4 else None
    if m := AGE_OPEN.fullmatch(path[0]):
        return f"{m[1]}+", int(m[1]), True
    return None


def parse_snen(ctx: StepContext, rel: str) -> pl.DataFrame:
    df = read_sheet(ctx, rel)
    info = file_info(ctx, rel, df["c0"][0])
    h = _header_end(ctx, rel, df)
    paths = header_paths(df.slice(1, h - 1).drop("row").rows())
    ids: dict[str, str] = {}
    ages: dict[str, tuple[str, int]] = {}
    total_col = None
    expected_start, closed = 0, False
    for j, path in enumerate(paths):
        src = f"c{j}"
        if path in SNEN_ID_HEADERS and not ages:
            ids[src] = SNEN_ID_HEADERS[path]
        elif path == SNEN_TOTAL and total_col is None:
            total_col = src
        elif path in SNEN_IGNORED:
            continue
        elif (age := _age_group(path)) and not closed and age[1] == expected_start:
            ages[src] = (age[0], age[1])
            expected_start, closed = age[1] + 5, age[2]
        elif not path and df[src].slice(h).is_null().all():
            continue
        else:
            raise _header_error(ctx, rel, h, j, path, "unexpected")
    if set(ids.values()) != set(SNEN_ID_HEADERS.values()) or total_col is None or not closed:
        raise ctx.fail(
            "header",
            f"incomplete header: ids {sorted(ids.values())}, 総数 {total_col is not None}, "
            f"ages {[a for a, _ in ages.values()]}",
            file=rel,
            where=f"rows 2–{h}",
        )
    body = df.slice(h).select(
        "row", *[pl.col(s).alias(n) for s, n in ids.items()], pl.col(total_col).alias("c_total"), *ages
    )
    body = classify_rows(ctx, rel, body)
    body = cells_to_int(ctx, rel, body, {"c_total": "all_ages_persons", **{s: s for s in ages}}, nullable=set())
    body = _drop_uncoded(ctx, rel, body, ["all_ages_persons", *ages])
    sex = _clean("sex").replace_strict(SEXES, default=None, return_dtype=pl.Utf8)
    body = body.with_columns(sex.alias("sex_code"))
    bad = body.filter(pl.col("sex_code").is_null())
    if bad.height:
        raise ctx.fail("sex", f"unknown 性別 {bad['sex'][0]!r}", file=rel, where=f"row {bad['row'][0]}, column D")
    triples = body.group_by("code", maintain_order=True).agg(pl.col("sex_code"), pl.col("row").first())
    odd = triples.filter(pl.col("sex_code").list.join(",") != "total,male,female")
    if odd.height:
        raise ctx.fail(
            "sex", f"area {odd['code'][0]} is not printed as 計/男/女", file=rel, where=f"row {odd['row'][0]}"
        )
    # One row per age group, in the order of the sheet (row, then age).
    groups = [a for a, _ in ages.values()]
    starts = [st for _, st in ages.values()]
    return (
        body.select(
            pl.lit(info.ref_date).alias("ref_date"),
            pl.lit(info.includes_foreign_residents).alias("includes_foreign_residents"),
            "code",
            "code6",
            "level",
            "parent_code",
            pl.col("pref_name_clean").alias("pref_name"),
            pl.col("name_clean").alias("name"),
            pl.col("is_marked").alias("is_age_detail_marked"),
            pl.col("sex_code").alias("sex"),
            pl.lit(groups, dtype=pl.List(pl.Utf8)).alias("age_group"),
            pl.lit(starts, dtype=pl.List(pl.Int32)).alias("age_start"),
            pl.concat_list(list(ages)).alias("persons"),
            "all_ages_persons",
            pl.lit(rel).alias("source_file"),
            pl.col("row").cast(pl.Int32).alias("source_row"),
        )
        .explode("age_group", "age_start", "persons")
        .with_columns(
            # 3.8 million rows repeat each area's names 63 times: dictionary-encode them to keep the build under 3 GB.
            pl.col("code6", "level", "parent_code", "pref_name", "name", "source_file").cast(pl.Categorical)
        )
    )
