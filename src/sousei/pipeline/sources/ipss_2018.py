"""IPSS regional projections 2018 (suikei_kekka as CSV) → core_ipss2018__areas, __population, __population_total."""

from __future__ import annotations

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Step, Table

FILE = "ipss/2018/ipss2018_suikei_kekka.csv"
YEARS = (2015, 2020, 2025, 2030, 2035, 2040, 2045)
AGE_STARTS = tuple(range(0, 95, 5))  # 0-4 … 85-89, then 90+
AGE_LABELS = tuple(f"{a}～{a + 4}歳" for a in AGE_STARTS[:-1]) + ("90歳以上",)
AGE_GROUPS = tuple(f"{a}-{a + 4}" for a in AGE_STARTS[:-1]) + ("90+",)
SEXES = {"a": "total", "m": "male", "f": "female"}
HEADER = ["コード", "市などの別", "都道府県", "市区町村", "年", "総数"] + [
    f"{label}/{s}" for s in SEXES for label in AGE_LABELS
]
# 市などの別 as printed in the file (IPSS 結果表 凡例).
IPSS_KINDS = {"a": "都道府県", "1": "政令指定都市", "0": "区", "2": "市", "3": "町村"}

# Code changes between the projection's municipalities and those of 2020-10-01 (same area, new code).
RECODE_TO_2020 = {
    "40305": "40231",  # 那珂川町 → 那珂川市 (市制施行 2018-10-01)
}

# The 59 municipalities of 福島県 (2020): the 2018 projection gives 福島県 only as a prefecture total
# ("福島県は市区町村別の推計を行っていない", 東日本大震災・原発事故の影響), so none of them has a row.
# Formatter off: a table of codes, ten to a row.
# fmt: off
FUKUSHIMA_MUNICIPALITIES = frozenset(
    {
        "07201", "07202", "07203", "07204", "07205", "07207", "07208", "07209", "07210", "07211",
        "07212", "07213", "07214", "07301", "07303", "07308", "07322", "07342", "07344", "07362",
        "07364", "07367", "07368", "07402", "07405", "07407", "07408", "07421", "07422", "07423",
        "07444", "07445", "07446", "07447", "07461", "07464", "07465", "07466", "07481", "07482",
        "07483", "07484", "07501", "07502", "07503", "07504", "07505", "07521", "07522", "07541",
        "07542", "07543", "07544", "07545", "07546", "07547", "07548", "07561", "07564",
    }
)
# fmt: on

AREA_LEVEL = C(
    "area_level",
    "VARCHAR",
    "Area level: 'prefecture' (市などの別 a), 'municipality' (1 政令指定都市 as a whole city, 2 市, 3 町村, and the 23 "
    "特別区), 'ward' (0: wards of a designated city)",
    nullable=False,
)
# The population tables name each area as core_ipss2018__areas does, for the years of the projection.
AREA_CODE = field("area_code", "5-character area code (see core_ipss2018__areas)")
YEAR = field("year", "Projection year (population on 10-01)", min=2015, max=2045)

AREAS = Table(
    name="core_ipss2018__areas",
    description=(
        "The 1,857 areas of the IPSS 2018 regional projection: 47 prefectures, 1,682 municipalities (福島県 only as "
        "a prefecture), 128 wards of 12 designated cities; with the IPSS 市などの別 of each."
    ),
    columns=(
        field("area_code", "5-character code, leading zero restored; 2020 code where it changed"),
        C("area_code_original", "VARCHAR", "コード as printed in the file (no leading zero; code of 2018)"),
        AREA_LEVEL,
        C("ipss_kind", "VARCHAR", "IPSS 市などの別 as printed: a, 1, 0, 2, 3", nullable=False),
        C("ipss_kind_label", "VARCHAR", "IPSS 市などの別 in words: 都道府県, 政令指定都市, 区, 市, 町村"),
        field("pref_code"),
        field("parent_code", "area_code of the designated city for a ward, of the prefecture otherwise"),
        field("pref_name", "都道府県 as printed", nullable=True),
        field("name", "市区町村 as printed (the prefecture name for prefecture rows)", nullable=True),
    ),
    key=("area_code",),
    coverage=Coverage(where="area_level = 'municipality'", missing=FUKUSHIMA_MUNICIPALITIES, column="area_code"),
)

POPULATION = Table(
    name="core_ipss2018__population",
    description=(
        "Projected population (medium variant, 10-01 of each year) by sex and 5-year age group, 2015–2045. "
        "The 2015 base has age 不詳 distributed. Both sexes are not stored (the file's /a columns equal m + f, "
        "checked while parsing)."
    ),
    columns=(
        AREA_CODE,
        AREA_LEVEL,
        C("ipss_kind", "VARCHAR", "IPSS 市などの別 of the area: a, 1, 0, 2, 3", nullable=False),
        YEAR,
        field("sex"),
        field("age_group"),
        field("age_start", max=90),
        field("persons", "Projected persons"),
    ),
    key=("area_code", "year", "sex", "age_group"),
    coverage=Coverage(
        per=("year", "sex", "age_group"),
        where="area_level = 'municipality'",
        missing=FUKUSHIMA_MUNICIPALITIES,
        column="area_code",
    ),
    checks=(
        SqlCheck(
            "prefecture-equals-municipalities",
            "a prefecture differs from the sum of its municipalities (福島県 has none)",
            """
            SELECT p.area_code, p.year, p.sex, p.age_group, p.persons, m.persons AS municipalities
            FROM core_ipss2018__population p
            JOIN (SELECT substr(area_code, 1, 2) AS pref, year, sex, age_group, sum(persons) AS persons
                  FROM core_ipss2018__population WHERE area_level = 'municipality' GROUP BY ALL) m
              ON m.pref = substr(p.area_code, 1, 2) AND m.year = p.year AND m.sex = p.sex
             AND m.age_group = p.age_group
            WHERE p.area_level = 'prefecture' AND p.persons <> m.persons
            """,
        ),
        SqlCheck(
            "designated-city-equals-wards",
            "a designated city that has wards differs from the sum of its wards",
            """
            SELECT a.parent_code, p.year, p.sex, p.age_group, sum(p.persons) AS wards, c.persons AS city
            FROM core_ipss2018__population p
            JOIN core_ipss2018__areas a ON a.area_code = p.area_code AND a.area_level = 'ward'
            JOIN core_ipss2018__population c ON c.area_code = a.parent_code AND c.year = p.year
             AND c.sex = p.sex AND c.age_group = p.age_group
            GROUP BY a.parent_code, p.year, p.sex, p.age_group, c.persons
            HAVING sum(p.persons) <> c.persons
            """,
        ),
        SqlCheck(
            "every-area-every-cell",
            "an area lacks some year × sex × age group (expected 7 × 2 × 19 = 266 rows)",
            "SELECT area_code, count(*) AS n FROM core_ipss2018__population GROUP BY area_code HAVING count(*) <> 266",
        ),
    ),
)

TOTAL = Table(
    name="core_ipss2018__population_total",
    description="Projected total population (総数, both sexes, all ages) per area and year, as printed.",
    columns=(
        AREA_CODE,
        AREA_LEVEL,
        YEAR,
        field("total_persons", "総数 as printed (= Σ ages of both sexes, checked while parsing)", nullable=True),
    ),
    key=("area_code", "year"),
    checks=(
        SqlCheck(
            "total-equals-sex-age",
            "総数 differs from the sum over sex and age",
            """
            SELECT t.area_code, t.year, t.total_persons, s.persons
            FROM core_ipss2018__population_total t
            JOIN (SELECT area_code, year, sum(persons) AS persons FROM core_ipss2018__population GROUP BY ALL) s
              USING (area_code, year)
            WHERE t.total_persons <> s.persons
            """,
        ),
    ),
)


def parse_ipss_2018(ctx: StepContext, text: str) -> dict[str, pl.DataFrame]:
    """Read the result table as published: check its header, codes, years, m + f = a and ages = 総数."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    header = lines[0].split(",")
    if header != HEADER:
        raise ctx.fail("header", f"header differs from the known layout: {header[:8]}…", file=FILE, where="line 1")
    rows = [line.split(",") for line in lines[1:] if line]
    bad = [(i + 2, len(r)) for i, r in enumerate(rows) if len(r) != len(HEADER)]
    if bad:
        raise ctx.fail("columns", f"lines with the wrong number of fields (line, n): {bad[:5]}", file=FILE)
    raw = pl.DataFrame(rows, schema=HEADER, orient="row")

    def fail_rows(check: str, mask: pl.Expr, message: str, cols: list[str]) -> None:
        hit = raw.with_row_index("line", offset=2).filter(mask)
        if hit.height:
            shown = "; ".join(str(r) for r in hit.select(["line", *cols]).head(5).rows())
            raise ctx.fail(check, f"{hit.height} row(s): {message}: {shown}", file=FILE)

    fail_rows("code", ~pl.col("コード").str.contains(r"^\d{4,5}$"), "コード is not a 4–5 digit code", ["コード"])
    fail_rows("kind", ~pl.col("市などの別").is_in(list(IPSS_KINDS)), "unknown 市などの別", ["市などの別"])
    fail_rows("year", ~pl.col("年").is_in([f"{y}年" for y in YEARS]), "unknown 年", ["年"])
    value_cols = HEADER[5:]
    for col in value_cols:
        fail_rows("number", ~pl.col(col).str.contains(r"^\d+$"), f"column {col} is not a whole number", [col])

    df = raw.with_columns(
        pl.col(value_cols).cast(pl.Int64),
        pl.col("年").str.strip_suffix("年").cast(pl.Int32).alias("year"),
        pl.col("コード").str.zfill(5).alias("code_published"),
    ).with_columns(pl.col("code_published").replace(RECODE_TO_2020).alias("area_code"))

    dup = df.group_by("area_code", "year").len().filter(pl.col("len") > 1)
    if dup.height:
        raise ctx.fail("unique", f"area × year repeats: {dup.head(5).rows()}", file=FILE)
    for label in AGE_LABELS:
        a, m, f = f"{label}/a", f"{label}/m", f"{label}/f"
        hit = df.filter(pl.col(a) != pl.col(m) + pl.col(f))
        if hit.height:
            raise ctx.fail(
                "sex-sum",
                f"{a} ≠ {m} + {f}: {hit.select('コード', '年', a, m, f).head(5).rows()}",
                file=FILE,
                where=f"column {a}",
            )
    hit = df.filter(pl.col("総数") != pl.sum_horizontal([f"{label}/a" for label in AGE_LABELS]))
    if hit.height:
        raise ctx.fail("age-sum", f"総数 ≠ Σ ages: {hit.select('コード', '年', '総数').head(5).rows()}", file=FILE)

    areas = _areas(ctx, df.filter(pl.col("year") == YEARS[0]))
    level = areas.select("area_code", "area_level", "ipss_kind")
    long = (
        df.unpivot(
            index=["area_code", "year"],
            on=[f"{label}/{s}" for s in ("m", "f") for label in AGE_LABELS],
            variable_name="column",
            value_name="persons",
        )
        .with_columns(
            pl.col("column").str.split("/").list.get(1).replace_strict({"m": "male", "f": "female"}).alias("sex"),
            pl.col("column")
            .str.split("/")
            .list.get(0)
            .replace_strict(dict(zip(AGE_LABELS, AGE_GROUPS, strict=True)))
            .alias("age_group"),
        )
        .with_columns(
            pl.col("age_group")
            .replace_strict(dict(zip(AGE_GROUPS, AGE_STARTS, strict=True)))
            .cast(pl.Int32)
            .alias("age_start")
        )
        .join(level, on="area_code", how="left")
        .select(POPULATION.column_names)
        .sort("area_code", "year", "sex", "age_start")
    )
    total = (
        df.select("area_code", "year", pl.col("総数").alias("total_persons"))
        .join(level.select("area_code", "area_level"), on="area_code", how="left")
        .select(TOTAL.column_names)
        .sort("area_code", "year")
    )
    return {AREAS.name: areas, POPULATION.name: long, TOTAL.name: total}


def _areas(ctx: StepContext, base: pl.DataFrame) -> pl.DataFrame:
    """One row per area: its level (特別区 are municipalities), prefecture and parent (the city of a ward)."""
    areas = base.select(
        "area_code",
        pl.col("コード").alias("area_code_original"),
        pl.col("市などの別").alias("ipss_kind"),
        pl.col("市などの別").replace_strict(IPSS_KINDS).alias("ipss_kind_label"),
        pl.col("area_code").str.slice(0, 2).alias("pref_code"),
        pl.col("都道府県").alias("pref_name"),
        pl.when(pl.col("市などの別") == "a").then(pl.col("都道府県")).otherwise(pl.col("市区町村")).alias("name"),
    ).with_columns(
        pl.when(pl.col("ipss_kind") == "a")
        .then(pl.lit("prefecture"))
        .when((pl.col("ipss_kind") == "0") & ~pl.col("area_code").str.starts_with("131"))
        .then(pl.lit("ward"))
        .otherwise(pl.lit("municipality"))
        .alias("area_level")
    )
    prefs = areas.filter(pl.col("area_level") == "prefecture")
    bad_pref = prefs.filter(pl.col("area_code") != pl.col("pref_code") + "000")
    if bad_pref.height or prefs.height != 47:
        raise ctx.fail(
            "prefectures", f"{prefs.height} prefecture rows; odd codes {bad_pref['area_code'].to_list()}", file=FILE
        )
    cities = areas.filter(pl.col("ipss_kind") == "1").select("area_code", "name").rows()
    parents = []
    for code, level, name in areas.select("area_code", "area_level", "name").rows():
        if level == "ward":
            # A ward's city is the designated city with the highest code at or below its own (01101 → 01100).
            city = max((c for c in cities if c[0][:2] == code[:2] and c[0] <= code), default=None)
            if city is None or not name.replace(" ", "").startswith(city[1]):
                raise ctx.fail("ward", f"ward {code} {name} has no designated city {city}", file=FILE)
            parents.append(city[0])
        elif level == "prefecture":
            parents.append("00000")
        else:
            parents.append(code[:2] + "000")
    return areas.with_columns(pl.Series("parent_code", parents)).select(AREAS.column_names).sort("area_code")


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    return parse_ipss_2018(ctx, ctx.path(FILE).read_text(encoding="utf-8"))


STEP = Step(
    name="ipss_2018",
    description="IPSS 日本の地域別将来推計人口（平成30(2018)年推計）: population by sex × 5-year age, 2015–2045",
    sources=("ipss_2018_regional",),
    tables=(AREAS, POPULATION, TOTAL),
    parse=parse,
)
