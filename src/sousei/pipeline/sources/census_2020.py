"""Census 2020 table 2-7-1 (e-Stat CSV) → raw_census__population_2020 (sex × 5-year age) and its totals by area."""

from __future__ import annotations

import io

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table

FILE = "census/2020/population_census_2020.csv"

# The two header rows of table 2-7-1 as downloaded from e-Stat (code row, then name row).
ID_COLUMNS = [
    "表章事項 コード",
    "表章事項",
    "時間軸（年次） コード",
    "時間軸（年次）",
    "男女 コード",
    "男女",
    "国籍総数か日本人 コード",
    "国籍総数か日本人",
    "全国，都道府県，市区町村（2000年市区町村含む） コード",
    "全国，都道府県，市区町村（2000年市区町村含む）",
    "/年齢",
]
AGE_CODES = [f"{i:02d}" for i in range(23)] + [f"R{i}" for i in range(1, 7)]
AGE_NAMES = (
    ["総数"]
    + [f"{a}～{a + 4}歳" for a in range(0, 100, 5)]
    + ["100歳以上", "年齢「不詳」"]
    + [f"（再掲）{x}" for x in ("15歳未満", "15～64歳", "65歳以上", "75歳以上", "85歳以上", "20～69歳")]
)
# label, age_start for the 5-year groups kept (総数 goes to the totals table; 再掲 groups are sums of these).
AGE_GROUPS: list[tuple[str, int | None]] = [(f"{a}-{a + 4}", a) for a in range(0, 100, 5)] + [
    ("100+", 100),
    ("unknown", None),
]
SEXES = {"0": ("総数", "total"), "1": ("男", "male"), "2": ("女", "female")}
# '-' and '***' both mean 当該数値がないもの (the table's own legend, lines 7–8).
MARKERS = ("-", "***")
# Rows "（旧：…）" repeat the municipalities of 2000 (2000年市区町村); 2,121 areas × 3 sexes (2020 table as published).
OLD_AREAS = 2121
EXPECTED_LEVELS = {"country": 1, "prefecture": 47, "municipality": 1741, "ward": 175, "special_wards": 1}

AREA_COLUMNS = (
    field("area_code", "Area code as published: 00000 Japan, xx000 prefecture, municipality or ward code"),
    C("area_name", "VARCHAR", "Area name as published (wards carry their city's name: 札幌市中央区)", nullable=False),
    C(
        "level",
        "VARCHAR",
        "'country', 'prefecture', 'municipality' (the 1,741), 'ward' (designated-city ward) or "
        "'special_wards' (13100 特別区部, the sum of Tokyo's 23 wards)",
        nullable=False,
    ),
    field("parent_code"),
)
SEX = field("sex")
PERSONS = field(
    "persons",
    "Population on 2020-10-01 (persons); NULL where the table prints '-' or '***'",
    type="INTEGER",
    nullable=True,
)
STATUS = C(
    "persons_status",
    "VARCHAR",
    "The marker printed instead of a number ('-' or '***', both 当該数値なし); NULL where a number is printed",
)

TOTAL = Table(
    name="raw_census__population_2020_total",
    description=(
        "Census 2020 population by sex (all ages) for Japan, the prefectures, the 1,741 municipalities, the 175 "
        "designated-city wards and 13100 特別区部, as published in table 2-7-1 (国籍総数); the 2000-boundary rows are "
        "dropped."
    ),
    columns=(*AREA_COLUMNS, SEX, PERSONS, STATUS),
    key=("area_code", "sex"),
)

POPULATION = Table(
    name="raw_census__population_2020",
    description=(
        "Census 2020 population by sex and 5-year age (0-4 … 95-99, 100+, unknown = 年齢不詳) as published in table "
        "2-7-1 (国籍総数), for the areas of raw_census__population_2020_total; the 再掲 groups and the all-ages total "
        "are not repeated here."
    ),
    columns=(
        field("area_code", "Area code as published (see raw_census__population_2020_total)"),
        SEX,
        field("age_group"),
        field("age_start", nullable=True, max=100),
        PERSONS,
        STATUS,
    ),
    key=("area_code", "sex", "age_group"),
    checks=(
        SqlCheck(
            "ages-sum-to-total",
            "the age groups (with 不詳) do not add up to the published total",
            f"""SELECT t.area_code, t.sex, t.persons, sum(p.persons) AS summed
                FROM {TOTAL.name} t JOIN raw_census__population_2020 p USING (area_code, sex)
                GROUP BY ALL HAVING coalesce(t.persons, 0) <> coalesce(sum(p.persons), 0)""",
        ),
        SqlCheck(
            "male-plus-female",
            "男 + 女 differs from 総数",
            """SELECT area_code, age_group,
                      sum(persons) FILTER (sex = 'total') AS total,
                      sum(persons) FILTER (sex <> 'total') AS male_plus_female
               FROM raw_census__population_2020 GROUP BY ALL
               HAVING coalesce(total, 0) <> coalesce(male_plus_female, 0)""",
        ),
        SqlCheck(
            "sums-into-parent",
            "the municipalities of a prefecture, the prefectures of Japan or the wards of a city do not add up to "
            "the published figure of the area above them",
            f"""WITH kids AS (
                  SELECT a.parent_code AS area_code, p.sex, p.age_group, sum(p.persons) AS summed
                  FROM raw_census__population_2020 p JOIN {TOTAL.name} a ON a.area_code = p.area_code AND a.sex = p.sex
                  WHERE a.level IN ('prefecture', 'municipality', 'ward') GROUP BY ALL)
                SELECT k.*, p.persons FROM kids k
                JOIN raw_census__population_2020 p USING (area_code, sex, age_group)
                WHERE coalesce(p.persons, 0) <> coalesce(k.summed, 0)""",
        ),
        SqlCheck(
            "special-wards-sum",
            "13100 特別区部 differs from the sum of Tokyo's 23 wards",
            """SELECT sex, age_group, any_value(persons) FILTER (area_code = '13100') AS published,
                      sum(persons) FILTER (area_code BETWEEN '13101' AND '13123') AS summed
               FROM raw_census__population_2020 GROUP BY ALL HAVING published <> summed""",
        ),
    ),
)


def read_table_2_7_1(ctx: StepContext) -> pl.DataFrame:
    """The CSV as published: the header rows verified, one string column per header, the file line of each row."""
    text = ctx.path(FILE).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    try:
        head = next(i for i, line in enumerate(lines) if line.startswith('"表章事項 コード"'))
    except StopIteration:
        raise ctx.fail("header", "no header row starting with 表章事項 コード", file=FILE) from None
    codes = pl.read_csv(io.StringIO(lines[head - 1]), has_header=False, infer_schema=False).row(0)
    names = pl.read_csv(io.StringIO(lines[head]), has_header=False, infer_schema=False).row(0)
    if list(codes[len(ID_COLUMNS) :]) != AGE_CODES or list(names) != ID_COLUMNS + AGE_NAMES:
        raise ctx.fail(
            "header", f"header rows changed: codes {codes}, names {names}", file=FILE, where=f"lines {head}–{head + 1}"
        )
    cols = [f"c{i}" for i in range(len(ID_COLUMNS))] + [f"a{i}" for i in range(len(AGE_NAMES))]
    body = pl.read_csv(
        io.StringIO("\n".join(lines[head + 1 :])), has_header=False, new_columns=cols, infer_schema=False
    )
    return body.with_row_index("line", offset=head + 2)


def _numbers(ctx: StepContext, df: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Parse '1,234' to integers and markers to NULL; anything else stops the build naming line and column."""
    out = df
    for col in cols:
        raw = pl.col(col).str.replace_all(",", "")
        out = out.with_columns(
            pl.when(pl.col(col).is_in(MARKERS)).then(None).otherwise(raw.cast(pl.Int64, strict=False)).alias(col),
            pl.when(pl.col(col).is_in(MARKERS)).then(pl.col(col)).alias(f"{col}_status"),
        )
        bad = out.filter(pl.col(col).is_null() & pl.col(f"{col}_status").is_null())
        if bad.height:
            line = bad["line"][0]
            value = df.filter(pl.col("line") == line)[col][0]
            age = AGE_NAMES[int(col[1:])]
            raise ctx.fail(
                "number",
                f"{bad.height} cells are neither numbers nor markers, e.g. {value!r}",
                file=FILE,
                where=f"line {line}, column {age}",
            )
    return out


def _classify_areas(ctx: StepContext, areas: pl.DataFrame) -> pl.DataFrame:
    """Level and parent of each area, from the codes and the order of the rows (a city's wards follow it)."""
    levels, parents = [], []
    city_code, city_name = None, None
    for code, name in areas.select("area_code", "area_name").iter_rows():
        pref = code[:2] + "000"
        if code == "00000":
            level, parent = "country", None
        elif code.endswith("000"):
            level, parent = "prefecture", "00000"
        elif code == "13100":
            level, parent = "special_wards", "13000"
        elif city_name and name.startswith(city_name) and name.endswith("区") and code[:2] == city_code[:2]:
            level, parent = "ward", city_code
        else:
            level, parent = "municipality", pref
        if level == "municipality" and name.endswith("市"):
            city_code, city_name = code, name
        levels.append(level)
        parents.append(parent)
    out = areas.with_columns(pl.Series("level", levels), pl.Series("parent_code", parents))
    counts = dict(out.group_by("level").len().iter_rows())
    if counts != EXPECTED_LEVELS:
        raise ctx.fail("areas", f"areas by level {counts}, expected {EXPECTED_LEVELS}", file=FILE)
    return out


def parse_census_2020(ctx: StepContext) -> dict[str, pl.DataFrame]:
    df = read_table_2_7_1(ctx)
    for col, expected in (("c0", "2020_01"), ("c2", "2020000000"), ("c6", "0"), ("c7", "国籍総数")):
        odd = df.filter(pl.col(col) != expected)
        if odd.height:
            raise ctx.fail(
                "values",
                f"{ID_COLUMNS[int(col[1:])]} is {odd[col][0]!r}, expected {expected!r}",
                file=FILE,
                where=f"line {odd['line'][0]}",
            )
    sex_pairs = df.select("c4", "c5").unique()
    for code, name in sex_pairs.iter_rows():
        if SEXES.get(code, (None,))[0] != name:
            raise ctx.fail("code", f"unknown sex {code!r} {name!r}", file=FILE, where="column 男女")
    df = df.rename({"c8": "area_code", "c9": "area_name"}).with_columns(
        pl.col("c4").replace_strict({k: v[1] for k, v in SEXES.items()}).alias("sex")
    )

    # 2000-boundary municipalities: dropped, but their number is pinned so that a changed table is noticed.
    is_old = pl.col("area_name").str.starts_with("（旧：")
    old = df.filter(is_old)
    n_old = old["area_code"].n_unique()
    if n_old != OLD_AREAS or old.height != 3 * OLD_AREAS:
        raise ctx.fail(
            "old-areas", f"{n_old} areas ({old.height} rows) 「（旧：…）」, expected {OLD_AREAS} × 3 sexes", file=FILE
        )
    df = df.filter(~is_old)
    bad_code = df.filter(~pl.col("area_code").str.contains(r"^\d{5}$"))
    if bad_code.height:
        raise ctx.fail(
            "code",
            f"area code {bad_code['area_code'][0]!r} is not 5 digits",
            file=FILE,
            where=f"line {bad_code['line'][0]}",
        )
    dup = df.filter(pl.struct("area_code", "sex").is_duplicated())
    if dup.height:
        raise ctx.fail(
            "duplicate",
            f"area {dup['area_code'][0]} sex {dup['sex'][0]} repeats",
            file=FILE,
            where=f"line {dup['line'][0]}",
        )
    per_area = df.group_by("area_code").len().filter(pl.col("len") != 3)
    if per_area.height:
        raise ctx.fail("sex", f"area {per_area['area_code'][0]} lacks one of 総数/男/女", file=FILE)

    value_cols = [f"a{i}" for i in range(len(AGE_GROUPS) + 1)]  # 総数 and the kept groups; 再掲 are dropped
    df = _numbers(ctx, df, value_cols)
    _check_sums(ctx, df, value_cols)

    areas = _classify_areas(ctx, df.filter(pl.col("sex") == "total").select("area_code", "area_name"))
    total = (
        df.select("area_code", "sex", pl.col("a0").alias("persons"), pl.col("a0_status").alias("persons_status"))
        .join(areas, on="area_code")
        .select(TOTAL.column_names)
    )
    by_age = pl.concat(
        df.select(
            "area_code",
            "sex",
            pl.lit(label).alias("age_group"),
            pl.lit(start, dtype=pl.Int32).alias("age_start"),
            pl.col(f"a{i + 1}").alias("persons"),
            pl.col(f"a{i + 1}_status").alias("persons_status"),
        )
        for i, (label, start) in enumerate(AGE_GROUPS)
    )
    cast = {"persons": pl.Int32}
    return {
        TOTAL.name: total.cast(cast),
        POPULATION.name: by_age.cast(cast).sort("area_code", "sex", "age_start", nulls_last=True),
    }


def _check_sums(ctx: StepContext, df: pl.DataFrame, value_cols: list[str]) -> None:
    """Within every row the ages add up to 総数, and within every area 男 + 女 = 総数 in every column."""
    ages = pl.sum_horizontal(pl.col(value_cols[1:]).fill_null(0))
    off = df.filter(pl.col("a0").fill_null(0) != ages)
    if off.height:
        raise ctx.fail(
            "ages-sum-to-total",
            f"{off.height} rows whose ages do not add up to 総数",
            file=FILE,
            where=f"line {off['line'][0]} ({off['area_code'][0]})",
        )
    wide = df.select("area_code", "sex", *value_cols).with_columns(pl.col(value_cols).fill_null(0))
    mf = wide.filter(pl.col("sex") != "total").group_by("area_code").agg(pl.col(value_cols).sum())
    tot = wide.filter(pl.col("sex") == "total").drop("sex")
    diff = tot.join(mf, on="area_code", suffix="_mf").filter(
        pl.any_horizontal([pl.col(c) != pl.col(f"{c}_mf") for c in value_cols])
    )
    if diff.height:
        raise ctx.fail(
            "male-plus-female",
            f"男 + 女 ≠ 総数 for {diff.height} areas",
            file=FILE,
            where=f"area {diff['area_code'][0]}",
        )


STEP = Step(
    name="census_2020",
    description="Census 2020 population by sex and 5-year age (表2-7-1), as published",
    sources=("census_2020_sex_age5",),
    tables=(TOTAL, POPULATION),
    parse=parse_census_2020,
)
