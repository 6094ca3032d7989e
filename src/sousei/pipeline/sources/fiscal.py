"""地方公共団体の主要財政指標一覧 FY2005–2021 (85 xls/xlsx) → raw_fiscal__indices, core_fiscal__indices and friends."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import PurePosixPath

import fastexcel
import polars as pl

from sousei.pipeline.codes import is_valid_code6
from sousei.pipeline.context import StepContext
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

SOURCE = "fiscal_indices"
GROUPS = ("city", "designatedcity", "capital", "prefecture", "prefecturemean")
PREFS = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 富山県 "
    "石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 "
    "岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
PREF_CODE = {name: f"{i:02d}" for i, name in enumerate(PREFS, start=1)}
ERAS = {"H": 1988, "R": 2018}  # 平成n年度 = 1988 + n, 令和n年度 = 2018 + n

# Header text (whitespace removed) → column. Column order differs by year, so columns are found by these labels.
HEADERS = {
    "団体コード": "code6",
    "都道府県名": "pref_name",
    "団体名": "name",
    "財政力指数": "fiscal_strength_index",
    "経常収支比率": "current_balance_ratio_pct",
    "実質公債費比率": "real_debt_service_ratio_pct",
    "起債制限比率": "debt_restriction_ratio_pct",
    "将来負担比率": "future_burden_ratio_pct",
    "ラスパイレス指数": "laspeyres_index",
    "ラスパイレス指数参考値※": "laspeyres_index_reference",
}
MEASURES = (
    "fiscal_strength_index",
    "current_balance_ratio_pct",
    "real_debt_service_ratio_pct",
    "future_burden_ratio_pct",
    "laspeyres_index",
)
EXTRA_MEASURES = ("debt_restriction_ratio_pct", "laspeyres_index_reference")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
DASHES = {"-", "－", "―", "‐"}
NOTE_START = ("(注)", "（注）", "※", "\u3000", " ")


def _status_name(measure: str) -> str:
    return measure.removesuffix("_pct") + "_status"


STATUS_DOC = (
    "NULL = a number as published; 'dash' = published as '-'/'－' (value NULL: not computed, or for 将来負担比率 "
    "no positive ratio because 充当可能財源等 exceed 将来負担額); 'parenthesised' = published in parentheses "
    "(FY2008 特別区, computed with 特別区財政調整交付金 in place of 普通交付税; value kept); "
    "'not_in_file' = the year's file has no such column (value NULL)"
)

MEASURE_COLUMNS = (
    C("fiscal_strength_index", "DOUBLE", "財政力指数 (3-year mean of 基準財政収入額 ÷ 基準財政需要額)", min=0, max=5),
    C("current_balance_ratio_pct", "DOUBLE", "経常収支比率 (%)", min=0, max=200),
    C("real_debt_service_ratio_pct", "DOUBLE", "実質公債費比率 (%, 3-year mean; may be negative)", min=-20, max=100),
    C(
        "future_burden_ratio_pct",
        "DOUBLE",
        "将来負担比率 (%; FY2008+; negative only on average rows)",
        min=-500,
        max=1500,
    ),
    C("laspeyres_index", "DOUBLE", "ラスパイレス指数 (national civil servants' pay = 100)", min=50, max=150),
)
STATUS_COLUMNS = tuple(C(_status_name(m), "VARCHAR", f"How {m} was published: {STATUS_DOC}") for m in MEASURES)

RAW = Table(
    name="raw_fiscal__indices",
    description=(
        "地方公共団体の主要財政指標一覧 as published, one row per data row of each file (folder = group, file = fiscal "
        "year), averages included (is_average); pre-merger units and names of the year; no 団体コード before FY2011."
    ),
    columns=(
        C(
            "fiscal_year",
            "INTEGER",
            "Fiscal year (年度) of the settlement (file H17 … R3)",
            nullable=False,
            min=2005,
            max=2021,
        ),
        C(
            "group",
            "VARCHAR",
            "File folder: city (全市町村), designatedcity, capital (県庁所在市), prefecture, "
            "prefecturemean (市町村平均 per prefecture)",
            nullable=False,
        ),
        C("row_number", "INTEGER", "Row in the sheet (1-based, as Excel shows it)", nullable=False, min=3),
        C("code6", "VARCHAR", "団体コード as published (6 digits with check digit; FY2011+ city files only)"),
        C("code", "VARCHAR", "5-digit municipal code (code6 without check digit); NULL where the file has none"),
        C("pref_name", "VARCHAR", "都道府県名 as published (NULL on national average rows)"),
        C("name", "VARCHAR", "団体名 as published (prefecture name in prefecture files; '（市町村平均）' label kept)"),
        C(
            "is_average",
            "BOOLEAN",
            "Row is an average printed by the file (全国市町村平均, 政令指定都市平均, 都道府県平均, "
            "特別区 23-ward mean in capital files), not one authority",
            nullable=False,
        ),
        *MEASURE_COLUMNS,
        C("debt_restriction_ratio_pct", "DOUBLE", "起債制限比率 (%; FY2005–2007 files only)", min=-20, max=100),
        C(
            "laspeyres_index_reference",
            "DOUBLE",
            "ラスパイレス指数 参考値 (FY2012–13: without the 2012 temporary pay cut of national civil servants)",
            min=50,
            max=150,
        ),
        *STATUS_COLUMNS,
    ),
    key=("group", "fiscal_year", "row_number"),
    checks=(
        SqlCheck(
            "fiscal-code-years",
            "団体コード present before FY2011 or missing from FY2011 on in city files",
            """SELECT fiscal_year, count(*) FILTER (code IS NULL) AS no_code,
                      count(*) FILTER (code IS NOT NULL) AS coded
               FROM raw_fiscal__indices WHERE "group" = 'city' AND NOT is_average GROUP BY fiscal_year
               HAVING (fiscal_year < 2011 AND coded > 0) OR (fiscal_year >= 2011 AND no_code > 0)""",
        ),
        SqlCheck(
            "fiscal-groups-agree",
            "a designated city or prefectural capital differs from its row in the same year's 全市町村 file",
            """SELECT g.fiscal_year, g."group", g.pref_name, g.name, g.fiscal_strength_index, c.fiscal_strength_index
               FROM raw_fiscal__indices g JOIN raw_fiscal__indices c
                 ON c."group" = 'city' AND c.fiscal_year = g.fiscal_year AND c.pref_name = g.pref_name
                AND c.name = g.name AND NOT c.is_average
               WHERE g."group" IN ('designatedcity', 'capital') AND NOT g.is_average
                 AND (g.fiscal_strength_index IS DISTINCT FROM c.fiscal_strength_index
                   OR g.current_balance_ratio_pct IS DISTINCT FROM c.current_balance_ratio_pct
                   OR g.real_debt_service_ratio_pct IS DISTINCT FROM c.real_debt_service_ratio_pct)""",
        ),
    ),
)

PREF_TABLE = Table(
    name="core_fiscal__prefecture_indices",
    description=(
        "Fiscal indices per prefecture and fiscal year: the prefecture government itself (entity 'prefecture', files "
        "prefecture/) and the mean of its municipalities (entity 'municipal_mean', files prefecturemean/: 財政力指数 "
        "simple mean, ratios weighted means, as the files' notes say)."
    ),
    columns=(
        C("pref_code", "VARCHAR", "Prefecture code (2 characters)", nullable=False),
        C("fiscal_year", "INTEGER", "Fiscal year (年度)", nullable=False, min=2005, max=2021),
        C(
            "entity",
            "VARCHAR",
            "'prefecture' (the prefectural government) or 'municipal_mean' (市町村平均)",
            nullable=False,
        ),
        *MEASURE_COLUMNS,
        *STATUS_COLUMNS,
    ),
    key=("pref_code", "fiscal_year", "entity"),
    checks=(
        SqlCheck(
            "fiscal-prefecture-count",
            "a (fiscal year, entity) does not have the 47 prefectures",
            """SELECT fiscal_year, entity, count(*) AS n FROM core_fiscal__prefecture_indices GROUP BY ALL
               HAVING count(*) <> 47""",
        ),
    ),
)


# 2020 municipalities without a value in a year's 全市町村 file from FY2011 on: formed by a merger after that year,
# so the file lists several predecessors (their ratios are not averaged: NULL, predecessors in core_fiscal__unmatched).
PINNED_FROM_2011 = frozenset(
    {
        "09203",  # 栃木市: 岩舟町 joined 2014-04-05 (FY2011–2013 list both)
    }
)

CORE = Table(
    name="core_fiscal__indices",
    description=(
        "Fiscal indices of each 2020 municipality per fiscal year (全市町村 files). FY2011+ matched by 団体コード, "
        "earlier years by prefecture + name against the code intervals of core_areas__code_to_2020 valid in that "
        "fiscal year. A 2020 municipality with several predecessors in a year's file (merged later), or with a "
        "predecessor later divided, gets NULL indices and match_status saying why (ratios are never averaged); "
        "the predecessors are listed in core_fiscal__unmatched. One row per 2020 municipality and year."
    ),
    columns=(
        C("muni_code", "VARCHAR", "2020 municipality (5 characters)", nullable=False),
        C("fiscal_year", "INTEGER", "Fiscal year (年度)", nullable=False, min=2005, max=2021),
        *MEASURE_COLUMNS,
        *STATUS_COLUMNS,
        C(
            "match_status",
            "VARCHAR",
            "'code' (FY2011+ by 団体コード), 'name' (before FY2011 by prefecture + name), "
            "'several_predecessors' (NULL indices), 'split_predecessor' (NULL), 'not_in_file' (NULL)",
            nullable=False,
        ),
        C("source_code", "VARCHAR", "5-digit code of the matched row (NULL before FY2011 unless matched by name)"),
        C("source_name", "VARCHAR", "団体名 of the matched row as published"),
        C("source_row", "INTEGER", "row_number of the matched row in the year's 全市町村 file (raw_fiscal__indices)"),
    ),
    key=("muni_code", "fiscal_year"),
    coverage=Coverage(
        per=("fiscal_year",), where="fiscal_year >= 2011 AND match_status = 'code'", missing=PINNED_FROM_2011
    ),
    checks=(
        SqlCheck(
            "fiscal-core-complete",
            "a (2020 municipality, fiscal year) without a row",
            """SELECT y.fiscal_year, count(*) AS n FROM (SELECT DISTINCT fiscal_year FROM core_fiscal__indices) y
               CROSS JOIN core_areas__municipalities m
               LEFT JOIN core_fiscal__indices f USING (fiscal_year, muni_code)
               WHERE f.muni_code IS NULL GROUP BY ALL""",
        ),
        SqlCheck(
            "fiscal-null-unless-matched",
            "indices present on a row that is not a one-to-one match",
            """SELECT * FROM core_fiscal__indices WHERE match_status NOT IN ('code', 'name')
               AND (fiscal_strength_index IS NOT NULL OR current_balance_ratio_pct IS NOT NULL)""",
        ),
    ),
)

UNMATCHED = Table(
    name="core_fiscal__unmatched",
    description=(
        "Rows of the 全市町村 files that gave no value to core_fiscal__indices, with the reason: no code or name "
        "match, an ambiguous name, or one of several predecessors of a 2020 municipality (merged later)."
    ),
    columns=(
        C("fiscal_year", "INTEGER", "Fiscal year of the file", nullable=False, min=2005, max=2021),
        C("row_number", "INTEGER", "Row in the file (1-based)", nullable=False),
        C("pref", "VARCHAR", "都道府県名 as published", nullable=False),
        C("name", "VARCHAR", "団体名 as published", nullable=False),
        C("code", "VARCHAR", "5-digit code (published from FY2011, else the code found by name)"),
        C("muni_code", "VARCHAR", "2020 municipality it belongs to, where known"),
        C("reason", "VARCHAR", "Why no value was attached", nullable=False),
    ),
    key=("fiscal_year", "row_number"),
    checks=(
        SqlCheck(
            "fiscal-every-row-matched",
            "a row of a 全市町村 file matched no code (all rows matched when this was written, 2025)",
            "SELECT * FROM core_fiscal__unmatched WHERE muni_code IS NULL",
        ),
    ),
)


def fiscal_year_of(rel: str) -> int:
    """'fiscal/city/H23.xls' → 2011 (和暦 year of the file name → 西暦 fiscal year)."""
    stem = PurePosixPath(rel).stem
    m = re.fullmatch(r"([HR])(\d{1,2})", stem)
    if m is None:
        raise ValueError(f"file name {stem} is not an era year such as H23 or R3")
    return ERAS[m.group(1)] + int(m.group(2))


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_cell(text: str | None) -> tuple[float | None, str | None]:
    """One index cell → (value, status)."""
    if text is None:
        return None, "blank"
    if text in DASHES:
        return None, "dash"
    if NUMBER.fullmatch(text):
        return float(text), None
    m = re.fullmatch(r"[(（](-?\d+(?:\.\d+)?)[)）]", text)
    if m:
        return float(m.group(1)), "parenthesised"
    raise ValueError(f"cell {text!r} is neither a number nor a known marker")


def parse_file(ctx: StepContext, rel: str) -> list[dict]:
    group = PurePosixPath(rel).parent.name
    if group not in GROUPS:
        raise ctx.fail("fiscal-layout", f"unknown folder {group!r} (expected one of {GROUPS})", file=rel)
    try:
        year = fiscal_year_of(rel)
    except ValueError as exc:
        raise ctx.fail("fiscal-layout", str(exc), file=rel) from exc
    reader = fastexcel.read_excel(ctx.path(rel))
    if len(reader.sheet_names) != 1:
        raise ctx.fail("fiscal-layout", f"expected one sheet, found {reader.sheet_names}", file=rel)
    rows = reader.load_sheet(0, header_row=None, dtypes="string").to_polars().rows()
    title = _clean(rows[0][0]) or ""
    if "主要財政指標" not in title:
        raise ctx.fail("fiscal-header", f"row 1 is not the title (主要財政指標…): {title!r}", file=rel, where="row 1")
    columns: dict[str, int] = {}
    for i, label in enumerate(rows[1]):
        text = re.sub(r"\s", "", label or "")
        if not text:
            if group == "prefecturemean" and i == 1:
                columns["name"] = i  # the '（市町村平均）' label column has no header
                continue
            raise ctx.fail("fiscal-header", f"column {i + 1} has no header", file=rel, where="row 2")
        if text not in HEADERS or HEADERS[text] in columns:
            raise ctx.fail(
                "fiscal-header", f"unknown or repeated header {label!r}", file=rel, where=f"row 2, column {i + 1}"
            )
        columns[HEADERS[text]] = i
    if "pref_name" not in columns or "fiscal_strength_index" not in columns:
        raise ctx.fail("fiscal-header", f"no 都道府県名 or 財政力指数 column in {rows[1]}", file=rel, where="row 2")
    if group == "prefecture":
        columns["name"] = columns["pref_name"]
    label_cols = sorted({columns[c] for c in ("code6", "pref_name", "name") if c in columns})

    out: list[dict] = []
    in_notes = False
    for r, row in enumerate(rows[2:], start=3):
        cells = [_clean(v) for v in row]
        if all(v is None for v in cells):
            continue
        first = str(row[0] or "")
        if first.startswith(NOTE_START) and all(v is None for v in cells[1:]):
            in_notes = True
            continue
        if in_notes:
            raise ctx.fail("fiscal-layout", f"a data row after the notes: {cells}", file=rel, where=f"row {r}")
        labels = [cells[i] for i in label_cols]
        pref = cells[columns["pref_name"]]
        name = cells[columns["name"]] if "name" in columns else None
        is_average = any(v is not None and "平均" in v and v != "（市町村平均）" for v in labels) or (
            group == "capital" and name == "特別区"
        )
        if not is_average and pref not in PREF_CODE:
            raise ctx.fail(
                "fiscal-prefecture",
                f"unknown prefecture {pref!r}",
                file=rel,
                where=f"row {r}, column {columns['pref_name'] + 1}",
            )
        if not is_average and not name:
            raise ctx.fail("fiscal-layout", "a row without 団体名", file=rel, where=f"row {r}")
        rec: dict = {
            "fiscal_year": year,
            "group": group,
            "row_number": r,
            "code6": None,
            "code": None,
            "pref_name": pref if pref in PREF_CODE else None,
            "name": name if pref in PREF_CODE else " ".join(v for v in labels if v),
            "is_average": is_average,
        }
        if "code6" in columns and not is_average:
            code6 = cells[columns["code6"]]
            if code6 is None or not is_valid_code6(code6):
                raise ctx.fail(
                    "fiscal-code",
                    f"団体コード {code6!r} is not a 6-digit code with a valid check digit",
                    file=rel,
                    where=f"row {r}, column {columns['code6'] + 1}",
                )
            if code6[:2] != PREF_CODE[pref]:
                raise ctx.fail("fiscal-code", f"団体コード {code6} is not in {pref}", file=rel, where=f"row {r}")
            rec["code6"], rec["code"] = code6, code6[:5]
        for measure in (*MEASURES, *EXTRA_MEASURES):
            if measure not in columns:
                rec[measure] = None
                if measure in MEASURES:
                    rec[_status_name(measure)] = "not_in_file"
                continue
            try:
                value, status = parse_cell(cells[columns[measure]])
            except ValueError as exc:
                raise ctx.fail(
                    "fiscal-value", str(exc), file=rel, where=f"row {r}, column {columns[measure] + 1}"
                ) from exc
            rec[measure] = value
            if measure in MEASURES:
                rec[_status_name(measure)] = status
        out.append(rec)
    if not out:
        raise ctx.fail("fiscal-layout", "no data rows", file=rel)
    return out


RAW_SCHEMA = {
    c.name: {"INTEGER": pl.Int32, "VARCHAR": pl.String, "BOOLEAN": pl.Boolean, "DOUBLE": pl.Float64}[c.type]
    for c in RAW.columns
}


def parse_raw(ctx: StepContext) -> pl.DataFrame:
    files = ctx.files(SOURCE)
    records: list[dict] = []
    for i, rel in enumerate(files):
        ctx.progress(i, len(files), rel)
        records.extend(parse_file(ctx, rel))
    ctx.progress(len(files), len(files), "")
    raw = pl.DataFrame(records, schema=RAW_SCHEMA)
    expected = {(g, y) for g in GROUPS for y in range(2005, 2022)}
    found = set(raw.select("group", "fiscal_year").unique().iter_rows())
    if found != expected:
        raise ctx.fail("fiscal-files", f"group × year files missing: {sorted(expected - found)[:10]}")
    return raw


def build_prefecture_indices(raw: pl.DataFrame) -> pl.DataFrame:
    rows = raw.filter(pl.col("group").is_in(["prefecture", "prefecturemean"]) & ~pl.col("is_average"))
    return rows.select(
        pl.col("pref_name").replace_strict(PREF_CODE).alias("pref_code"),
        "fiscal_year",
        pl.when(pl.col("group") == "prefecture")
        .then(pl.lit("prefecture"))
        .otherwise(pl.lit("municipal_mean"))
        .alias("entity"),
        *MEASURES,
        *(_status_name(m) for m in MEASURES),
    )


# Spellings that differ between the fiscal files and the code list (ヶ/ケ and old/new character forms):
# both sides are compared through name_key. An ambiguity this creates would show as 'ambiguous name'.
VARIANTS = str.maketrans(
    {"ヶ": "ケ", "檜": "桧", "檮": "梼", "條": "条", "龍": "竜", "曽": "曾", "澤": "沢", "邊": "辺"}
)


def name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).translate(VARIANTS).replace(" ", "")


def _intervals(code_to_2020: pl.DataFrame, fiscal_year: int) -> pl.DataFrame:
    """Code intervals valid at some time in the fiscal year, with a flag for those valid at its end."""
    start, end = dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)
    return code_to_2020.filter(
        ~pl.col("is_ward")
        & (pl.col("valid_from") <= end)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > start))
    ).with_columns(
        (pl.col("valid_to").is_null() | (pl.col("valid_to") > end)).alias("at_end"),
        pl.col("code").str.slice(0, 2).alias("pref_code"),
    )


def _match_year(rows: pl.DataFrame, code_to_2020: pl.DataFrame, fiscal_year: int) -> pl.DataFrame:
    """One year's 全市町村 rows → with match_code, muni_code, share (a row per 2020 target) or a reason."""
    iv = _intervals(code_to_2020, fiscal_year)
    rows = rows.with_columns(pl.col("pref_name").replace_strict(PREF_CODE).alias("pref_code"))
    if fiscal_year >= 2011:
        keyed = rows.with_columns(pl.col("code").alias("match_code"))
    else:
        # name → code: the codes with that prefecture and name valid in the year; prefer those valid at its end
        cands = iv.select(
            "pref_code",
            pl.col("name").map_elements(name_key, return_dtype=pl.String).alias("match_name"),
            pl.col("code").alias("cand"),
            "at_end",
        )
        cands = cands.unique()
        best = cands.group_by("pref_code", "match_name").agg(
            pl.col("cand").filter(pl.col("at_end")).unique().alias("at_end_codes"), pl.col("cand").unique()
        )
        best = best.with_columns(
            pl.when(pl.col("at_end_codes").list.len() > 0).then("at_end_codes").otherwise("cand").alias("codes")
        )
        keyed = (
            rows.with_columns(pl.col("name").map_elements(name_key, return_dtype=pl.String).alias("key"))
            .join(
                best.select("pref_code", "match_name", "codes"),
                left_on=["pref_code", "key"],
                right_on=["pref_code", "match_name"],
                how="left",
            )
            .with_columns(
                pl.when(pl.col("codes").list.len() == 1).then(pl.col("codes").list.first()).alias("match_code"),
                pl.when(pl.col("codes").is_null())
                .then(pl.lit("no code with this prefecture and name was valid in the fiscal year"))
                .when(pl.col("codes").list.len() > 1)
                .then(pl.lit("ambiguous name: several codes with this prefecture and name"))
                .alias("reason"),
            )
            .drop("codes", "key")
        )
    if "reason" not in keyed.columns:
        keyed = keyed.with_columns(pl.lit(None, pl.String).alias("reason"))
    targets = iv.group_by("code").agg(
        pl.col("muni_code").filter(pl.col("at_end")).alias("end_munis"),
        pl.col("share").filter(pl.col("at_end")).alias("end_shares"),
        pl.col("muni_code").alias("munis"),
        pl.col("share").alias("shares"),
    )
    targets = targets.select(
        pl.col("code").alias("match_code"),
        pl.when(pl.col("end_munis").list.len() > 0).then("end_munis").otherwise("munis").alias("muni_code"),
        pl.when(pl.col("end_munis").list.len() > 0).then("end_shares").otherwise("shares").alias("share"),
    )
    matched = keyed.join(targets, on="match_code", how="left").with_columns(
        pl.when(pl.col("reason").is_null() & pl.col("muni_code").is_null())
        .then(pl.lit("code not valid in the fiscal year"))
        .otherwise("reason")
        .alias("reason")
    )
    return matched.explode("muni_code", "share")


def build_core(
    raw: pl.DataFrame, code_to_2020: pl.DataFrame, municipalities: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    city = raw.filter((pl.col("group") == "city") & ~pl.col("is_average"))
    statuses = [_status_name(m) for m in MEASURES]
    matched = pl.concat(
        [_match_year(city.filter(pl.col("fiscal_year") == fy), code_to_2020, fy) for fy in range(2005, 2022)],
        how="diagonal_relaxed",
    )
    ok = matched.filter(pl.col("muni_code").is_not_null())
    per_muni = ok.group_by("fiscal_year", "muni_code").agg(
        pl.len().alias("n"), pl.col("share").min().alias("min_share")
    )
    one = per_muni.filter((pl.col("n") == 1) & (pl.col("min_share") == 1.0)).select("fiscal_year", "muni_code")
    values = ok.join(one, on=["fiscal_year", "muni_code"], how="inner").select(
        "muni_code",
        "fiscal_year",
        *MEASURES,
        *statuses,
        pl.when(pl.col("fiscal_year") >= 2011).then(pl.lit("code")).otherwise(pl.lit("name")).alias("match_status"),
        pl.col("match_code").alias("source_code"),
        pl.col("name").alias("source_name"),
        pl.col("row_number").alias("source_row"),
    )
    several = per_muni.filter(pl.col("n") > 1).select(
        "muni_code", "fiscal_year", pl.lit("several_predecessors").alias("match_status")
    )
    split = per_muni.filter((pl.col("n") == 1) & (pl.col("min_share") < 1.0)).select(
        "muni_code", "fiscal_year", pl.lit("split_predecessor").alias("match_status")
    )
    grid = municipalities.select("muni_code").join(pl.DataFrame({"fiscal_year": list(range(2005, 2022))}), how="cross")
    grid = grid.with_columns(pl.col("fiscal_year").cast(pl.Int32))
    core = pl.concat([values, several, split], how="diagonal_relaxed")
    missing = grid.join(core, on=["muni_code", "fiscal_year"], how="anti").with_columns(
        pl.lit("not_in_file").alias("match_status")
    )
    core = pl.concat([core, missing], how="diagonal_relaxed").sort("fiscal_year", "muni_code")

    reasons = ok.join(per_muni, on=["fiscal_year", "muni_code"]).filter((pl.col("n") > 1) | (pl.col("min_share") < 1))
    reasons = reasons.with_columns(
        pl.when(pl.col("n") > 1)
        .then(
            pl.format(
                "one of {} predecessors of 2020 municipality {} in this year's file (merged later); "
                "ratios are not averaged",
                pl.col("n"),
                pl.col("muni_code"),
            )
        )
        .otherwise(pl.format("divided later between 2020 municipalities (share {})", pl.col("share")))
        .alias("reason")
    )
    failed = matched.filter(pl.col("muni_code").is_null())
    unmatched = (
        pl.concat(
            [
                frame.select(
                    "fiscal_year",
                    "row_number",
                    pl.col("pref_name").alias("pref"),
                    "name",
                    pl.col("match_code").alias("code"),
                    "muni_code",
                    "reason",
                )
                for frame in (failed, reasons)
            ]
        )
        .unique(["fiscal_year", "row_number"], keep="first")
        .sort("fiscal_year", "row_number")
    )
    return core, unmatched


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    raw = parse_raw(ctx)
    core, unmatched = build_core(raw, ctx.table("core_areas__code_to_2020"), ctx.table("core_areas__municipalities"))
    return {
        RAW.name: raw,
        PREF_TABLE.name: build_prefecture_indices(raw),
        CORE.name: core,
        UNMATCHED.name: unmatched,
    }


STEP = Step(
    name="fiscal",
    description="地方公共団体の主要財政指標一覧 FY2005–2021 (財政力指数, 経常収支比率, 実質公債費比率, "
    "将来負担比率, ラスパイレス指数)",
    sources=(SOURCE,),
    depends=("areas",),
    tables=(RAW, PREF_TABLE, CORE, UNMATCHED),
    parse=parse,
)
