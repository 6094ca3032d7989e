"""IPSS regional projections 2023 (totals and 3 age groups, JSON) → core_ipss2023__population, __hamadori_members."""

from __future__ import annotations

import json

import polars as pl

from sousei.domain.projection.inputs import HAMADORI_CODE
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

FILE = "ipss/2023/ipss2023_municipality_population_projections.json"
YEARS = [2020, 2025, 2030, 2035, 2040, 2045, 2050]
METRICS = ["population", "under15", "workingAge", "elderly"]
VALUE_COLUMNS = ["total_persons", "under15_persons", "working_age_persons", "elderly_persons"]
# IPSS 市などの別 (kekkahyo 凡例); 9 is the joint record of 福島県 浜通り地域.
IPSS_KINDS = {"a": "都道府県", "1": "政令指定都市", "0": "区", "2": "市", "3": "町村", "9": "地域 (共同推計)"}
HAMADORI_NAME = "浜通り地域"
# The 13 municipalities IPSS projects together as 福島県「浜通り地域」 (令和5年推計 推計方法の概要: 東日本大震災・
# 原発事故の影響で市町村別の推計が困難なため、一つの地域として推計). The file names only the joint record, so the
# list comes from the IPSS report; the Coverage check below proves that exactly these 13 of Fukushima's 59
# municipalities have no row of their own.
HAMADORI_MEMBERS = {
    "07204": "いわき市",
    "07209": "相馬市",
    "07212": "南相馬市",
    "07541": "広野町",
    "07542": "楢葉町",
    "07543": "富岡町",
    "07544": "川内村",
    "07545": "大熊町",
    "07546": "双葉町",
    "07547": "浪江町",
    "07548": "葛尾村",
    "07561": "新地町",
    "07564": "飯舘村",
}
AREA_LEVEL_DOC = (
    "'prefecture' (a), 'municipality' (1 政令指定都市 as a whole city, 2 市, 3 町村, and the 23 特別区), "
    "'ward' (0: wards of a designated city), 'joint' (9: 07999 浜通り地域, 13 municipalities projected as one)"
)

POPULATION = Table(
    name="core_ipss2023__population",
    description=(
        "IPSS 2023 regional projection (medium variant, 10-01 of each year), total and three age groups, 2020–2050: "
        "47 prefectures, 1,728 municipalities, 175 designated-city wards and the joint record 07999 浜通り地域 "
        "(IPSS's own code, not a municipal code: いわき市, 相馬市, 南相馬市 and 10 towns/villages projected as one; "
        "members in core_ipss2023__hamadori_members). 2020 is the census base."
    ),
    columns=(
        field("area_code", "5-character code as published (07999 = 浜通り地域 joint record)"),
        C("area_level", "VARCHAR", "Area level: " + AREA_LEVEL_DOC, nullable=False),
        C("ipss_kind", "VARCHAR", "IPSS 市などの別 (file field kind): a, 1, 0, 2, 3, 9", nullable=False),
        field("pref_code"),
        field("name", "Name as published (prefecture name for prefecture rows)"),
        field("year", "Projection year (population on 10-01; 2020 = census)", min=2020, max=2050),
        field("total_persons"),
        C("under15_persons", "BIGINT", "Aged 0–14 (persons)", nullable=False, min=0),
        C("working_age_persons", "BIGINT", "Aged 15–64 (persons)", nullable=False, min=0),
        C("elderly_persons", "BIGINT", "Aged 65 and over (persons)", nullable=False, min=0),
    ),
    key=("area_code", "year"),
    coverage=Coverage(
        per=("year",),
        where="area_level = 'municipality'",
        missing=frozenset(HAMADORI_MEMBERS),  # 浜通り地域: projected jointly as 07999
        column="area_code",
    ),
    checks=(
        SqlCheck(
            "prefecture-equals-municipalities",
            "a prefecture differs from the sum of its municipalities and joint records",
            """
            SELECT p.area_code, p.year, p.total_persons, m.total, p.under15_persons, m.u15,
                   p.working_age_persons, m.wa, p.elderly_persons, m.eld
            FROM core_ipss2023__population p
            JOIN (SELECT pref_code, year, sum(total_persons) AS total, sum(under15_persons) AS u15,
                         sum(working_age_persons) AS wa, sum(elderly_persons) AS eld
                  FROM core_ipss2023__population WHERE area_level IN ('municipality', 'joint') GROUP BY ALL) m
              USING (pref_code, year)
            WHERE p.area_level = 'prefecture'
              AND (p.total_persons, p.under15_persons, p.working_age_persons, p.elderly_persons)
                  IS DISTINCT FROM (m.total, m.u15, m.wa, m.eld)
            """,
        ),
        SqlCheck(
            "designated-city-equals-wards",
            "a designated city differs from the sum of its wards",
            """
            WITH cities AS (SELECT area_code, name, year, total_persons, under15_persons, working_age_persons,
                                   elderly_persons FROM core_ipss2023__population WHERE ipss_kind = '1'),
            wards AS (SELECT c.area_code AS city, w.year, sum(w.total_persons) AS total,
                             sum(w.under15_persons) AS u15, sum(w.working_age_persons) AS wa,
                             sum(w.elderly_persons) AS eld, count(*) AS n
                      FROM core_ipss2023__population w JOIN cities c
                        ON w.area_level = 'ward' AND w.year = c.year AND starts_with(w.name, c.name)
                      GROUP BY ALL)
            SELECT c.area_code, c.year, c.total_persons, w.total, w.n
            FROM cities c LEFT JOIN wards w ON w.city = c.area_code AND w.year = c.year
            WHERE (c.total_persons, c.under15_persons, c.working_age_persons, c.elderly_persons)
                  IS DISTINCT FROM (w.total, w.u15, w.wa, w.eld)
            """,
        ),
        SqlCheck(
            "every-ward-has-a-city",
            "a ward whose name starts with no designated city of its prefecture",
            """
            SELECT w.area_code, w.name FROM core_ipss2023__population w
            WHERE w.area_level = 'ward' AND w.year = 2020 AND NOT EXISTS (
              SELECT 1 FROM core_ipss2023__population c
              WHERE c.ipss_kind = '1' AND c.year = 2020 AND c.pref_code = w.pref_code AND starts_with(w.name, c.name))
            """,
        ),
    ),
)

HAMADORI = Table(
    name="core_ipss2023__hamadori_members",
    description=(
        "The 13 municipalities of 福島県 projected together as 浜通り地域 (area_code 07999) in the IPSS 2023 regional "
        "projection; list from the IPSS report, matched by the Coverage check of core_ipss2023__population."
    ),
    columns=(
        C("joint_code", "VARCHAR", "area_code of the joint record (07999)", nullable=False),
        field("muni_code"),
        field("name", "Name of the member municipality", nullable=True),
    ),
    key=("muni_code",),
)


def parse_ipss_2023(ctx: StepContext, doc: object) -> dict[str, pl.DataFrame]:
    """Check the metadata, each record's kind, code and values, and 0–14 + 15–64 + 65+ = total in every row."""
    if not isinstance(doc, dict):
        raise ctx.fail("format", "top level is not an object", file=FILE)
    if doc.get("years") != YEARS or doc.get("metrics") != METRICS:
        raise ctx.fail("format", f"years {doc.get('years')} / metrics {doc.get('metrics')} changed", file=FILE)
    rows = []
    for i, rec in enumerate(doc.get("records", [])):
        where = f"records[{i}]"
        code, kind = rec.get("code"), rec.get("kind")
        if not (isinstance(code, str) and len(code) == 5 and code.isdigit()):
            raise ctx.fail("code", f"code {code!r} is not 5 digits", file=FILE, where=where)
        if kind not in IPSS_KINDS:
            raise ctx.fail("kind", f"unknown kind {kind!r} ({code})", file=FILE, where=where)
        if kind == "9" and (code != HAMADORI_CODE or rec.get("municipality") != HAMADORI_NAME):
            raise ctx.fail("kind", f"unknown joint record {code} {rec.get('municipality')}", file=FILE, where=where)
        if kind == "a" and not code.endswith("000"):
            raise ctx.fail("code", f"prefecture code {code}", file=FILE, where=where)
        values = rec.get("values")
        if not (
            isinstance(values, list)
            and len(values) == len(YEARS)
            and all(isinstance(v, list) and len(v) == 4 and all(type(x) is int and x >= 0 for x in v) for v in values)
        ):
            raise ctx.fail("values", f"{code}: expected {len(YEARS)} × 4 non-negative integers", file=FILE, where=where)
        for year, (total, u15, wa, eld) in zip(YEARS, values, strict=True):
            if u15 + wa + eld != total:
                raise ctx.fail("age-sum", f"{code} {year}: {u15} + {wa} + {eld} ≠ {total}", file=FILE, where=where)
        if kind == "a":
            level = "prefecture"
        elif kind == "9":
            level = "joint"
        elif kind == "0" and not code.startswith("131"):
            level = "ward"
        else:
            level = "municipality"
        name = rec["prefecture"] if kind == "a" else rec.get("municipality")
        for year, vals in zip(YEARS, values, strict=True):
            rows.append((code, level, kind, code[:2], name, year, *vals))
    df = pl.DataFrame(
        rows,
        schema={
            "area_code": pl.String,
            "area_level": pl.String,
            "ipss_kind": pl.String,
            "pref_code": pl.String,
            "name": pl.String,
            "year": pl.Int32,
            **dict.fromkeys(VALUE_COLUMNS, pl.Int64),
        },
        orient="row",
    )
    if df.filter(pl.col("name").is_null() | (pl.col("name") == "")).height:
        raise ctx.fail("name", "records without a name", file=FILE)
    hamadori = pl.DataFrame(
        {
            "joint_code": [HAMADORI_CODE] * len(HAMADORI_MEMBERS),
            "muni_code": list(HAMADORI_MEMBERS),
            "name": list(HAMADORI_MEMBERS.values()),
        }
    )
    clash = df.filter(pl.col("area_code").is_in(list(HAMADORI_MEMBERS)))
    if clash.height:
        raise ctx.fail(
            "hamadori", f"浜通り members have rows of their own: {clash['area_code'].unique().to_list()}", file=FILE
        )
    return {POPULATION.name: df.sort("area_code", "year"), HAMADORI.name: hamadori}


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    return parse_ipss_2023(ctx, json.loads(ctx.path(FILE).read_text(encoding="utf-8")))


STEP = Step(
    name="ipss_2023",
    description="IPSS 日本の地域別将来推計人口（令和5(2023)年推計）: total and 0–14 / 15–64 / 65+, 2020–2050",
    sources=("ipss_2023_regional_totals",),
    tables=(POPULATION, HAMADORI),
    parse=parse,
)
