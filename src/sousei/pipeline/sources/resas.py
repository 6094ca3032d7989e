"""RESAS extract per municipality (経済センサス 2016, 医療 2020; cp932 CSV) → core_resas__municipal_2016 and friends.

Several columns of the extract repeat a prefecture figure for every municipality (RESAS served them per prefecture).
The rule that finds them: a column with exactly one distinct value in every one of the 47 prefectures is not
municipal data. Such columns never reach the municipal tables; they are listed in core_resas__prefecture_level_columns
and their values kept once per prefecture in core_resas__prefecture_values.
"""

from __future__ import annotations

import io
import re

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table

SOURCE = "resas_municipal_2016"
FILE = "economy/resas_municipal_2016_output_cp932.csv"
ID_COLUMNS = ("prefCode", "都道府県", "cityCode", "都市")
SPECIALIZATION = re.compile(r"産業別特化係数_(.+)_(付加価値額|従業者数|労働生産性)")
MEASURES = {"付加価値額": "value_added", "従業者数": "employees", "労働生産性": "labour_productivity"}
MISSING_MUNICIPALITIES = 246  # 1,741 − 1,495: RESAS served no figures for them (mostly small towns and villages)

# Published column → (our column, type, description). Every column of the file that is neither an identifier, a
# specialization coefficient nor a prefecture-level column must be here: an unknown column stops the build.
MUNICIPAL: dict[str, tuple[str, str, str]] = {
    "人口2015": ("population_2015_persons", "BIGINT", "Population, census 2015 (persons)"),
    "人口2020": ("population_2020_persons", "BIGINT", "Population, census 2020 (persons)"),
    "年少人口": ("population_0_14_persons", "BIGINT", "Population 0–14 as served by RESAS (persons; 不詳 excluded)"),
    "生産年齢人口": ("population_15_64_persons", "BIGINT", "Population 15–64 as served by RESAS (persons)"),
    "老年人口": ("population_65plus_persons", "BIGINT", "Population 65+ as served by RESAS (persons)"),
    "人口増加率": ("population_change_pct", "DOUBLE", "人口増加率 as served by RESAS (%)"),
    "年少人口増加率": ("population_0_14_change_pct", "DOUBLE", "年少人口増加率 (%)"),
    "生産年齢人口増加率": ("population_15_64_change_pct", "DOUBLE", "生産年齢人口増加率 (%)"),
    "老年人口増加率": ("population_65plus_change_pct", "DOUBLE", "老年人口増加率 (%)"),
    "出生数": ("births_persons", "BIGINT", "Births in the latest year served (persons)"),
    "死亡数": ("deaths_persons", "BIGINT", "Deaths in the latest year served (persons)"),
    "転入数": ("in_migrants_persons", "BIGINT", "In-migrants in the latest year served (persons)"),
    "転出数": ("out_migrants_persons", "BIGINT", "Out-migrants in the latest year served (persons)"),
    "出生数2015": ("births_2015_persons", "BIGINT", "Births in 2015 (persons)"),
    "出生数増加率": ("births_vs_2015_ratio", "DOUBLE", "出生数 ÷ 出生数2015 (ratio, as published under 増加率)"),
    "死亡数増加率": ("deaths_vs_2015_ratio", "DOUBLE", "死亡数 relative to 2015 (ratio, as published)"),
    "転入数増加率": ("in_migrants_vs_2015_ratio", "DOUBLE", "転入数 relative to 2015 (ratio, as published)"),
    "転出数増加率": ("out_migrants_vs_2015_ratio", "DOUBLE", "転出数 relative to 2015 (ratio, as published)"),
    "企業数": ("enterprises", "BIGINT", "企業数 (経済センサス-活動調査 2016)"),
    "事業所数": ("establishments", "BIGINT", "事業所数 (経済センサス-活動調査 2016)"),
    "従業者数（事業所単位）": ("employees_establishment_persons", "BIGINT", "従業者数, establishment basis (persons)"),
    "付加価値額（企業単位）": (
        "value_added_enterprise_million_yen",
        "BIGINT",
        "付加価値額, enterprise basis, as published (million yen; credited to the head office's municipality)",
    ),
    "労働生産性（企業単位）": (
        "labour_productivity_enterprise_thousand_yen",
        "BIGINT",
        "労働生産性 = 付加価値額 ÷ 従業者数, enterprise basis (thousand yen per worker)",
    ),
    "創業比率_2001～2004年": ("startup_rate_2001_2004_pct", "DOUBLE", "創業比率 2001–2004 (%)"),
    "創業比率_2004～2006年": ("startup_rate_2004_2006_pct", "DOUBLE", "創業比率 2004–2006 (%)"),
    "創業比率_2006～2009年": ("startup_rate_2006_2009_pct", "DOUBLE", "創業比率 2006–2009 (%)"),
    "創業比率_2009～2012年": ("startup_rate_2009_2012_pct", "DOUBLE", "創業比率 2009–2012 (%)"),
    "創業比率_2012～2014年": ("startup_rate_2012_2014_pct", "DOUBLE", "創業比率 2012–2014 (%)"),
    "創業比率_2014～2016年": ("startup_rate_2014_2016_pct", "DOUBLE", "創業比率 2014–2016 (%)"),
    "黒字赤字企業比率_黒字": ("profitable_enterprises_pct", "DOUBLE", "Share of enterprises in profit (%)"),
    "黒字赤字企業比率_赤字": ("loss_making_enterprises_pct", "DOUBLE", "Share of enterprises with a loss (%)"),
    "医療需給_推移_病院数（診療科別）": ("hospitals", "BIGINT", "病院数, 2020 (医療施設調査)"),
    "医療需給_推移_一般診療所数（診療科別）": ("general_clinics", "BIGINT", "一般診療所数, 2020"),
    "医療需給_推移_歯科診療所数": ("dental_clinics", "BIGINT", "歯科診療所数, 2020"),
    "医療需給_推移_病床数（病床種類別）": ("hospital_beds", "BIGINT", "病床数 (all bed types), 2020"),
    "医療需給_推移_医師数（主たる診療科別）": ("doctors_persons", "BIGINT", "医師数, 2020 (persons)"),
    "医療需給_推移_歯科医師数": ("dentists_persons", "BIGINT", "歯科医師数, 2020 (persons)"),
    "医療需給_推移_薬剤師数": ("pharmacists_persons", "BIGINT", "薬剤師数, 2020 (persons)"),
    "目的別歳出決算額構成割合_総務費": ("expenditure_general_affairs_pct", "DOUBLE", "歳出 share: 総務費 (%)"),
    "目的別歳出決算額構成割合_民生費": ("expenditure_welfare_pct", "DOUBLE", "歳出 share: 民生費 (%)"),
    "目的別歳出決算額構成割合_衛生費": ("expenditure_sanitation_pct", "DOUBLE", "歳出 share: 衛生費 (%)"),
    "目的別歳出決算額構成割合_農林水産業費": ("expenditure_agriculture_pct", "DOUBLE", "歳出 share: 農林水産業費 (%)"),
    "目的別歳出決算額構成割合_商工費": ("expenditure_commerce_pct", "DOUBLE", "歳出 share: 商工費 (%)"),
    "目的別歳出決算額構成割合_土木費": ("expenditure_civil_engineering_pct", "DOUBLE", "歳出 share: 土木費 (%)"),
    "目的別歳出決算額構成割合_警察費・消防費": (
        "expenditure_police_fire_pct",
        "DOUBLE",
        "歳出 share: 警察費・消防費 (%)",
    ),
    "目的別歳出決算額構成割合_教育費": ("expenditure_education_pct", "DOUBLE", "歳出 share: 教育費 (%)"),
    "目的別歳出決算額構成割合_公債費": ("expenditure_debt_service_pct", "DOUBLE", "歳出 share: 公債費 (%)"),
    "目的別歳出決算額構成割合_労務費": (
        "expenditure_labour_pct",
        "DOUBLE",
        "歳出 share: 労働費 (published 労務費) (%)",
    ),
    "目的別歳出決算額構成割合_その他": ("expenditure_other_pct", "DOUBLE", "歳出 share: その他 (%)"),
    "一人当たり地方税": ("local_tax_per_capita_thousand_yen", "DOUBLE", "一人当たり地方税 (thousand yen)"),
    "一人当たり市町村民税法人分": (
        "corporate_municipal_tax_per_capita_thousand_yen",
        "DOUBLE",
        "一人当たり市町村民税法人分 (thousand yen)",
    ),
    "一人当たり固定資産税": (
        "fixed_asset_tax_per_capita_thousand_yen",
        "DOUBLE",
        "一人当たり固定資産税 (thousand yen)",
    ),
}
POLARS = {"BIGINT": pl.Int64, "DOUBLE": pl.Float64}

MUNICIPAL_TABLE = Table(
    name="core_resas__municipal_2016",
    description=(
        "RESAS extract per municipality (2020 codes, designated cities whole): 経済センサス-活動調査 2016 (enterprise "
        "basis value added credited to head offices), 医療施設調査/医師・歯科医師・薬剤師統計 2020, population and "
        "finance figures as served by RESAS; 1,495 of the 1,741 municipalities. Prefecture-level columns excluded."
    ),
    columns=(
        field("muni_code", "Municipal code (5 characters; cityCode zero-padded)"),
        field("pref_code"),
        field("name", "Municipality name as published (都市)"),
        *(C(col, typ, desc) for col, typ, desc in MUNICIPAL.values()),
        C("value_added_enterprise_yen", "BIGINT", "付加価値額, enterprise basis (yen = published million yen × 10^6)"),
    ),
    key=("muni_code",),
    checks=(
        SqlCheck(
            "resas-codes-2020",
            "a code that is not a 2020 municipality",
            "SELECT muni_code, name FROM core_resas__municipal_2016 "
            "WHERE muni_code NOT IN (SELECT muni_code FROM core_areas__municipalities)",
        ),
        SqlCheck(
            "resas-missing-count",
            f"the number of 2020 municipalities without RESAS figures is not the pinned {MISSING_MUNICIPALITIES}",
            f"""SELECT count(*) AS missing FROM core_areas__municipalities
                WHERE muni_code NOT IN (SELECT muni_code FROM core_resas__municipal_2016)
                HAVING count(*) <> {MISSING_MUNICIPALITIES}""",
        ),
    ),
)

SPECIALIZATION_TABLE = Table(
    name="core_resas__specialization",
    description=(
        "産業別特化係数 (経済センサス-活動調査 2016) per municipality, industry (中分類 as RESAS names it) and "
        "measure: the municipality's share of the industry ÷ the national share (1 = national structure). "
        "Only published cells."
    ),
    columns=(
        field("muni_code"),
        C("industry", "VARCHAR", "Industry name as published (e.g. 食料品製造業)", nullable=False),
        C(
            "measure",
            "VARCHAR",
            "'value_added' (付加価値額), 'employees' (従業者数) or 'labour_productivity'",
            nullable=False,
        ),
        C(
            "coefficient",
            "DOUBLE",
            "Specialization coefficient (negative where value added is negative)",
            nullable=False,
        ),
    ),
    key=("muni_code", "industry", "measure"),
)

PREF_COLUMNS_TABLE = Table(
    name="core_resas__prefecture_level_columns",
    description=(
        "Columns of the RESAS extract that repeat one value per prefecture for every municipality (one distinct value "
        "in each of the 47 prefectures): not municipal data, kept out of the municipal tables."
    ),
    columns=(
        C("column_name", "VARCHAR", "Column name as published", nullable=False),
        C("reason", "VARCHAR", "Why it is treated as prefecture-level", nullable=False),
    ),
    key=("column_name",),
)

PREF_VALUES_TABLE = Table(
    name="core_resas__prefecture_values",
    description="The values of the prefecture-level RESAS columns, once per prefecture (as published).",
    columns=(
        field("pref_code"),
        C("column_name", "VARCHAR", "Column name as published", nullable=False),
        C("value", "DOUBLE", "The value RESAS repeats for every municipality of the prefecture"),
    ),
    key=("pref_code", "column_name"),
)


def find_prefecture_level_columns(df: pl.DataFrame, columns: list[str]) -> list[str]:
    """Columns with exactly one distinct non-null value in every prefecture (all prefectures of `df`)."""
    counts = df.group_by("pref_code").agg(pl.col(c).drop_nulls().n_unique() for c in columns)
    return [c for c in columns if (counts[c] == 1).all()]


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    raw = ctx.path(FILE).read_bytes().decode("cp932")
    df = pl.read_csv(io.StringIO(raw), infer_schema_length=0)
    if df.columns[:4] != list(ID_COLUMNS) or len(df.columns) != 360:
        raise ctx.fail("resas-header", f"expected 360 columns starting {ID_COLUMNS}, got {df.columns[:4]} …", file=FILE)
    for col in ("prefCode", "cityCode"):
        bad = df.filter(~pl.col(col).str.contains(r"^\d+$"))
        if bad.height:
            raise ctx.fail("resas-code", f"non-numeric {col}: {bad.row(0)[:4]}", file=FILE, where=f"column {col}")
    df = df.with_columns(
        pl.col("cityCode").str.zfill(5).alias("muni_code"), pl.col("prefCode").str.zfill(2).alias("pref_code")
    )
    bad = df.filter(
        (pl.col("muni_code").str.len_chars() != 5) | (pl.col("muni_code").str.slice(0, 2) != pl.col("pref_code"))
    )
    if bad.height:
        raise ctx.fail("resas-code", f"cityCode not 5 digits or not in prefCode: {bad.row(0)[:4]}", file=FILE)
    if df["muni_code"].is_duplicated().any():
        raise ctx.fail("resas-code", "a cityCode repeats", file=FILE)
    if df["pref_code"].n_unique() != 47:
        raise ctx.fail("resas-code", f"{df['pref_code'].n_unique()} prefectures, expected 47", file=FILE)

    value_cols = df.columns[4:360]
    numeric = {}
    for c in value_cols:
        typ = pl.Float64
        if c in MUNICIPAL:
            typ = POLARS[MUNICIPAL[c][1]]
        try:
            numeric[c] = df[c].cast(pl.Float64, strict=True).cast(typ, strict=True)
        except pl.exceptions.InvalidOperationError as exc:
            raise ctx.fail(
                "resas-value", f"non-numeric value in {c}: {exc}".splitlines()[0], file=FILE, where=f"column {c}"
            ) from exc
    df = df.select("muni_code", "pref_code", pl.col("都市").alias("name")).with_columns(**numeric)

    specialization = [c for c in value_cols if SPECIALIZATION.fullmatch(c)]
    others = [c for c in value_cols if c not in specialization]
    pref_level = find_prefecture_level_columns(df, value_cols)
    wrongly_municipal = [c for c in pref_level if c in MUNICIPAL or c in specialization]
    if wrongly_municipal:
        raise ctx.fail(
            "resas-prefecture-level",
            f"mapped as municipal but one value per prefecture: {wrongly_municipal}",
            file=FILE,
        )
    unknown = [c for c in others if c not in MUNICIPAL and c not in pref_level]
    if unknown or set(MUNICIPAL) - set(others):
        raise ctx.fail(
            "resas-header", f"unmapped columns {unknown}; mapped but absent {set(MUNICIPAL) - set(others)}", file=FILE
        )

    municipal = df.select(
        "muni_code",
        "pref_code",
        "name",
        *(pl.col(src).alias(dst) for src, (dst, _, _) in MUNICIPAL.items()),
        (pl.col("付加価値額（企業単位）") * 1_000_000).alias("value_added_enterprise_yen"),
    )
    long = (
        df.unpivot(index="muni_code", on=specialization, variable_name="column", value_name="coefficient")
        .drop_nulls("coefficient")
        .with_columns(
            pl.col("column").str.extract(SPECIALIZATION.pattern, 1).alias("industry"),
            pl.col("column").str.extract(SPECIALIZATION.pattern, 2).replace_strict(MEASURES).alias("measure"),
        )
        .select("muni_code", "industry", "measure", "coefficient")
    )
    pref_columns = pl.DataFrame(
        {
            "column_name": pref_level,
            "reason": [
                "one distinct value in each of the 47 prefectures: a prefecture figure repeated for every municipality"
            ]
            * len(pref_level),
        },
        schema={"column_name": pl.String, "reason": pl.String},
    )
    pref_values = (
        df.unpivot(index="pref_code", on=pref_level, variable_name="column_name", value_name="value")
        .drop_nulls("value")
        .unique()
        .sort("pref_code", "column_name")
    )
    return {
        MUNICIPAL_TABLE.name: municipal,
        SPECIALIZATION_TABLE.name: long,
        PREF_COLUMNS_TABLE.name: pref_columns,
        PREF_VALUES_TABLE.name: pref_values,
    }


STEP = Step(
    name="resas",
    description="RESAS extract per municipality: 経済センサス 2016 value added, specialization, medical resources 2020",
    sources=(SOURCE,),
    tables=(MUNICIPAL_TABLE, SPECIALIZATION_TABLE, PREF_COLUMNS_TABLE, PREF_VALUES_TABLE),
    parse=parse,
)
