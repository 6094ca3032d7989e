"""地方公共団体の主要財政指標一覧 FY2005–2021 (85 xls/xlsx) → raw_fiscal__indices, core_fiscal__indices and friends."""

from __future__ import annotations

import polars as pl

from sousei.pipeline import crosswalk
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.reference import PREF_CODE
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table
from sousei.pipeline.sources.fiscal_sheets import GROUPS, MEASURES, parse_file, status_name

SOURCE = "fiscal_indices"

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
STATUS_COLUMNS = tuple(C(status_name(m), "VARCHAR", f"How {m} was published: {STATUS_DOC}") for m in MEASURES)

RAW = Table(
    name="raw_fiscal__indices",
    description=(
        "地方公共団体の主要財政指標一覧 as published, one row per data row of each file (folder = group, file = fiscal "
        "year), averages included (is_average); pre-merger units and names of the year; no 団体コード before FY2011."
    ),
    columns=(
        field("fiscal_year", "Fiscal year (年度) of the settlement (file H17 … R3)", min=2005, max=2021),
        C(
            "group",
            "VARCHAR",
            "File folder: city (全市町村), designatedcity, capital (県庁所在市), prefecture, "
            "prefecturemean (市町村平均 per prefecture)",
            nullable=False,
        ),
        C("row_number", "INTEGER", "Row in the sheet (1-based, as Excel shows it)", nullable=False, min=3),
        field("code6", "団体コード as published (6 digits with check digit; FY2011+ city files only)"),
        C("code", "VARCHAR", "5-digit municipal code (code6 without check digit); NULL where the file has none"),
        field("pref_name", "都道府県名 as published (NULL on national average rows)", nullable=True),
        field(
            "name",
            "団体名 as published (prefecture name in prefecture files; '（市町村平均）' label kept)",
            nullable=True,
        ),
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
        field("pref_code"),
        field("fiscal_year", min=2005, max=2021),
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
        field("muni_code"),
        field("fiscal_year", min=2005, max=2021),
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
        field("fiscal_year", "Fiscal year of the file", min=2005, max=2021),
        C("row_number", "INTEGER", "Row in the file (1-based)", nullable=False),
        C("pref", "VARCHAR", "都道府県名 as published", nullable=False),
        field("name", "団体名 as published"),
        C("code", "VARCHAR", "5-digit code (published from FY2011, else the code found by name)"),
        field("muni_code", "2020 municipality it belongs to, where known", nullable=True),
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
        *(status_name(m) for m in MEASURES),
    )


def build_core(
    raw: pl.DataFrame, code_to_2020: pl.DataFrame, municipalities: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    city = raw.filter((pl.col("group") == "city") & ~pl.col("is_average"))
    statuses = [status_name(m) for m in MEASURES]
    city = city.with_columns(pl.col("pref_name").replace_strict(PREF_CODE).alias("pref_code"))
    # From FY2011 the files print 団体コード; earlier rows are coded by prefecture and name.
    matched = pl.concat(
        [
            crosswalk.match_in_fiscal_year(
                city.filter(pl.col("fiscal_year") == fy), code_to_2020, fy, by_name=fy < 2011
            )
            for fy in range(2005, 2022)
        ],
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
