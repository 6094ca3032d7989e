"""National series from fmsb (Jvital, Jpopl, Jpop, Jfert, Jlife) → core_national__ vital rates, population, ASFR,
life tables and 5-year survival ratios."""

from __future__ import annotations

import math

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table

VITAL_FILE = "national/fmsb_Jvital.csv"
POPL_FILE = "national/fmsb_Jpopl.csv"
POP_FILE = "national/fmsb_Jpop.csv"
FERT_FILE = "national/fmsb_Jfert.csv"
LIFE_FILE = "national/fmsb_Jlife.csv"

# Jvital column → (our column, description). Definitions from the fmsb documentation of Jvital (MHLW 人口動態統計).
VITAL_COLUMNS = {
    "CBR": ("cbr_per_1000", "Crude birth rate: live births per 1,000 mid-year population"),
    "CDR": ("cdr_per_1000", "Crude death rate: deaths per 1,000 mid-year population"),
    "IMR": ("imr_per_1000", "Infant mortality rate: deaths under age 1 per 1,000 live births"),
    "NMR": ("nmr_per_1000", "Neonatal mortality rate: deaths within 4 weeks of birth per 1,000 live births"),
    "NIR": ("nir_per_1000", "Natural increase rate: CBR − CDR, per 1,000"),
    "SBRPB": ("stillbirth_per_1000", "死産率: fetal deaths per 1,000 births (live births + fetal deaths)"),
    "SARPB": ("spontaneous_stillbirth_per_1000", "自然死産率: spontaneous fetal deaths per 1,000 births"),
    "ACRPB": ("artificial_stillbirth_per_1000", "人工死産率: induced fetal deaths per 1,000 births"),
    "PNMPB": (
        "perinatal_mortality_per_1000",
        "周産期死亡率: (fetal deaths ≥ 22 weeks + early neonatal deaths) per "
        "1,000 (live births + fetal deaths ≥ 22 weeks); definition of 1995, some earlier values",
    ),
    "MR": ("marriage_per_1000", "Marriages per 1,000 mid-year population"),
    "DR": ("divorce_per_1000", "Divorces per 1,000 mid-year population"),
    "TFR": ("tfr", "Total fertility rate (合計特殊出生率): sum of age-specific fertility rates, children per woman"),
    "ASMRM": ("asmr_male_1985_per_1000", "Age-standardised mortality, males, per 1,000 (1985 model population)"),
    "ASMRM2": ("asmr_male_2015_per_1000", "Age-standardised mortality, males, per 1,000 (2015 model population)"),
    "ASMRF": ("asmr_female_1985_per_1000", "Age-standardised mortality, females, per 1,000 (1985 model population)"),
    "ASMRF2": ("asmr_female_2015_per_1000", "Age-standardised mortality, females, per 1,000 (2015 model population)"),
    "PNMPLB": (
        "perinatal_mortality_live_births_per_1000",
        "周産期死亡率 (definition until 1994): (fetal deaths ≥ 28 weeks + early neonatal deaths) per 1,000 live births",
    ),
    "MMR": ("maternal_mortality_per_100000", "Maternal deaths per 100,000 births (live births + fetal deaths)"),
}
# 1944–1946 are not published (war and its aftermath).
VITAL_MISSING_YEARS = frozenset({1944, 1945, 1946})

VITAL = Table(
    name="core_national__vital_rates",
    description="Vital rates of Japan per calendar year, 1899–2022 (no 1944–1946); empty cells are NULL (not "
    "published for that year).",
    columns=(field("year", min=1899, max=2100),)
    + tuple(C(name, "DOUBLE", desc, min=None if key == "NIR" else 0) for key, (name, desc) in VITAL_COLUMNS.items()),
    key=("year",),
)

POP_DESC = (
    "Population of Japan on 10-01 by sex and single year of age (age 不詳 excluded). Census years 1920–2020 (1947: "
    "臨時国勢調査); 1888–1918 are pre-census estimates. Until 2000 the top group is 100+, from 2005 110+. "
    "nationality 'japanese' rows exist for 2000–2020."
)
POPULATION = Table(
    name="core_national__population_by_age_sex",
    description=POP_DESC + " (fmsb Jpopl)",
    columns=(
        field("year", "Reference year (10-01)", min=1888, max=2100),
        C("is_census", "BOOLEAN", "True for census rounds (1920–2020 and 1947), false for estimates", nullable=False),
        C("nationality", "VARCHAR", "'total' (all residents) or 'japanese'", nullable=False),
        field("sex"),
        field("age_group", "Single age '0' … '109', or the open top group '100+' / '110+'"),
        field("age_start", max=110),
        field("persons"),
    ),
    key=("year", "nationality", "sex", "age_group"),
)
# Cells where Jpop (85+) and Jpopl summed to 85+ disagree, pinned: 1940 Jpop holds figures rounded to hundreds
# (another estimate), and the 85+ groups of F1903 and 1960–1970 (Jpop's 85+ is larger). A new difference fails.
POP_DIFF_PINNED = (
    "p.year = 1940 OR (p.age_start = 85 AND (p.year IN (1960, 1965, 1970) OR (p.year = 1903 AND p.sex = 'female')))"
)
POPULATION_85 = Table(
    name="core_national__population_by_age_sex_85plus",
    description=POP_DESC.replace("Until 2000 the top group is 100+, from 2005 110+", "Ages 0–84 and 85+")
    + " (fmsb Jpop; japanese rows for 2015 and 2020 only)",
    columns=POPULATION.columns,
    key=POPULATION.key,
    checks=(
        SqlCheck(
            "agrees-with-single-age",
            "Jpop differs from Jpopl summed to 85+ outside the pinned cells",
            f"""
            WITH l AS (SELECT year, nationality, sex, least(age_start, 85) AS age_start, sum(persons) AS persons
                       FROM core_national__population_by_age_sex GROUP BY ALL)
            SELECT p.year, p.nationality, p.sex, p.age_group, p.persons, l.persons AS single_age_sum
            FROM core_national__population_by_age_sex_85plus p JOIN l USING (year, nationality, sex, age_start)
            WHERE p.persons <> l.persons AND NOT ({POP_DIFF_PINNED})
            """,
        ),
    ),
)

ASFR = Table(
    name="core_national__asfr",
    description=(
        "Age-specific fertility of Japanese women by single age 15–54, every 5 years 1950–2020 (live births ÷ women "
        "of the census). Σ asfr differs from the vital-statistics TFR by up to 0.03 (different denominators)."
    ),
    columns=(
        field("year", min=1950, max=2100),
        field("age_group", "Single age of the mother '15' … '54'"),
        field("age_start", "Age of the mother", min=15, max=54),
        C("asfr", "DOUBLE", "Age-specific fertility rate: live births per woman of that age in the year", min=0, max=1),
        C(
            "asmfr",
            "DOUBLE",
            "Age-specific marital fertility rate: legitimate live births per married woman",
            min=0,
            max=1,
        ),
    ),
    key=("year", "age_start"),
)

LIFE_DOC = (
    "qx as published; the rest derived here with l0 = 100,000, l(x+1) = lx·(1 − qx), dx = lx·qx, "
    "Lx = l(x+1) + ax·dx with ax = 0.5 except a0 (Coale–Demeny from q0: males 0.33 if q0 ≥ 0.1 else "
    "0.0425 + 2.875·q0; females 0.35 if q0 ≥ 0.1 else 0.05 + 3.0·q0); beyond the last published age ω a "
    "constant hazard μ = −ln(1 − qω) closes the table (Tω = lω / μ), Tx = Σ L from x, ex = Tx / lx."
)
LIFE = Table(
    name="core_national__life_table",
    description="Complete life tables of Japan (完全生命表) by sex and single age, 1895–2020. " + LIFE_DOC,
    columns=(
        field("life_table_year", min=1890, max=2100),
        field("sex"),
        field("age_group", "Single age '0' … (last published age ω)"),
        field("age_start", "Age x", max=130),
        C("qx", "DOUBLE", "Probability of dying between x and x+1 (as published)", nullable=False, min=0, max=1),
        C("lx", "DOUBLE", "Survivors at exact age x of 100,000 births (derived)", nullable=False, min=0),
        C("dx", "DOUBLE", "Deaths between x and x+1 (derived)", nullable=False, min=0),
        C(
            "nlx",
            "DOUBLE",
            "Person-years lived between x and x+1, Lx (derived; for ω: Tω, the open tail)",
            nullable=False,
            min=0,
        ),
        C("tx", "DOUBLE", "Person-years lived beyond x, Tx (derived)", nullable=False, min=0),
        C("ex", "DOUBLE", "Life expectancy at x in years (derived)", nullable=False, min=0, max=120),
    ),
    key=("life_table_year", "sex", "age_start"),
)

SURVIVAL = Table(
    name="core_national__survival_ratio_5y",
    description=(
        "Five-year survival ratios for a cohort-component projection, from the life tables (core_national__"
        "life_table, whose T(x) closes the tail): birth → 0-4: 5L0 / (5·l0); a 5-year group x → x+5: "
        "5L(x+5) / 5Lx with 5Lx = T(x) − T(x+5), for x = 0 … 95; an open group x+ → (x+5)+: T(x+5) / T(x), for "
        "x = 80 … 100. Persons in x-(x+4) at t are the survivors × ratio in (x+5)-(x+9) at t+5."
    ),
    columns=(
        field("life_table_year", min=1890, max=2100),
        field("sex"),
        C("from_age_group", "VARCHAR", "'birth', '0-4' … '95-99', or an open group '80+' … '100+'", nullable=False),
        C("from_age_start", "INTEGER", "First age of from_age_group (NULL for birth)", min=0, max=100),
        C("to_age_group", "VARCHAR", "Group five years later: '0-4' … '100-104', or '85+' … '105+'", nullable=False),
        C("survival_ratio", "DOUBLE", "Share surviving five years into to_age_group", nullable=False, min=0, max=1),
    ),
    key=("life_table_year", "sex", "from_age_group"),
)


def _read(ctx: StepContext, rel: str) -> pl.DataFrame:
    return pl.read_csv(ctx.path(rel), infer_schema=False)


def _numbers(ctx: StepContext, rel: str, df: pl.DataFrame, cols: list[str], pattern: str) -> None:
    """Every non-empty cell of `cols` must match `pattern`; fail naming the first bad cell."""
    for col in cols:
        bad = df.with_row_index("line", offset=2).filter(pl.col(col).is_not_null() & ~pl.col(col).str.contains(pattern))
        if bad.height:
            raise ctx.fail(
                "number",
                f"{bad.height} cell(s) are not numbers: {bad.select('line', col).head(3).rows()}",
                file=rel,
                where=f"column {col}",
            )


def parse_vital(ctx: StepContext) -> pl.DataFrame:
    df = _read(ctx, VITAL_FILE)
    expected = ["YEAR", *VITAL_COLUMNS]
    if df.columns != expected:
        raise ctx.fail("header", f"columns {df.columns}, expected {expected}", file=VITAL_FILE)
    _numbers(ctx, VITAL_FILE, df, ["YEAR"], r"^\d{4}$")
    _numbers(ctx, VITAL_FILE, df, list(VITAL_COLUMNS), r"^-?\d+(\.\d+)?$")
    out = df.select(
        pl.col("YEAR").cast(pl.Int32).alias("year"),
        *[pl.col(k).cast(pl.Float64).alias(name) for k, (name, _) in VITAL_COLUMNS.items()],
    )
    years = set(out["year"].to_list())
    expected_years = set(range(min(years), max(years) + 1)) - VITAL_MISSING_YEARS
    if years != expected_years or out.height != len(years):
        raise ctx.fail(
            "years",
            f"years differ from {min(years)}–{max(years)} without 1944–46: "
            f"extra {sorted(years - expected_years)}, missing {sorted(expected_years - years)}",
            file=VITAL_FILE,
        )
    return out


def _wide_population(ctx: StepContext, rel: str, top: str) -> pl.DataFrame:
    """Jpopl/Jpop: rows = ages, columns = {M,F}{year}[J]; the last non-empty age of a column is its open group."""
    df = _read(ctx, rel)
    ages = df["Age"].to_list()
    expected_ages = [str(a) for a in range(int(top.rstrip("+")))] + [top]
    if ages != expected_ages:
        raise ctx.fail("ages", f"Age column {ages[:3]}…{ages[-3:]}, expected 0 … {top}", file=rel)
    cols = df.columns[1:]
    bad = [c for c in cols if not (len(c) in (5, 6) and c[0] in "MF" and c[1:5].isdigit() and c[5:] in ("", "J"))]
    if bad:
        raise ctx.fail("header", f"unknown columns {bad}", file=rel)
    _numbers(ctx, rel, df, cols, r"^\d+$")
    frames = []
    for col in cols:
        values = df[col].to_list()
        last = max(i for i, v in enumerate(values) if v is not None)
        if any(v is None for v in values[: last + 1]):
            raise ctx.fail(
                "ages", f"empty cell below the last filled age {ages[last]}", file=rel, where=f"column {col}"
            )
        labels = ages[:last] + [ages[last].rstrip("+") + "+"]
        frames.append(
            pl.DataFrame(
                {
                    "year": [int(col[1:5])] * (last + 1),
                    "nationality": ["japanese" if col.endswith("J") else "total"] * (last + 1),
                    "sex": ["male" if col[0] == "M" else "female"] * (last + 1),
                    "age_group": labels,
                    "age_start": list(range(last + 1)),
                    "persons": [int(v) for v in values[: last + 1]],
                },
                schema={
                    "year": pl.Int32,
                    "nationality": pl.String,
                    "sex": pl.String,
                    "age_group": pl.String,
                    "age_start": pl.Int32,
                    "persons": pl.Int64,
                },
            )
        )
    out = pl.concat(frames).with_columns(
        (((pl.col("year") >= 1920) & (pl.col("year") % 5 == 0)) | (pl.col("year") == 1947)).alias("is_census")
    )
    return out.select(POPULATION.column_names).sort("year", "nationality", "sex", "age_start")


def parse_asfr(ctx: StepContext) -> pl.DataFrame:
    df = _read(ctx, FERT_FILE)
    years = [int(c[4:]) for c in df.columns if c.startswith("ASFR")]
    expected = ["Age"] + [f"ASFR{y}" for y in years] + [f"ASMFR{y}" for y in years]
    if df.columns != expected or years != list(range(1950, years[-1] + 1, 5)):
        raise ctx.fail("header", f"columns {df.columns}", file=FERT_FILE)
    if df["Age"].to_list() != [str(a) for a in range(15, 55)]:
        raise ctx.fail("ages", "Age is not 15 … 54", file=FERT_FILE)
    _numbers(ctx, FERT_FILE, df, df.columns[1:], r"^\d+(\.\d+)?(e-?\d+)?$")
    return pl.concat(
        df.select(
            pl.lit(y, pl.Int32).alias("year"),
            pl.col("Age").alias("age_group"),
            pl.col("Age").cast(pl.Int32).alias("age_start"),
            pl.col(f"ASFR{y}").cast(pl.Float64).alias("asfr"),
            pl.col(f"ASMFR{y}").cast(pl.Float64).alias("asmfr"),
        )
        for y in years
    )


def _a0(sex: str, q0: float) -> float:
    if sex == "male":
        return 0.33 if q0 >= 0.1 else 0.0425 + 2.875 * q0
    return 0.35 if q0 >= 0.1 else 0.05 + 3.0 * q0


def compute_life_table(sex: str, qx: list[float]) -> dict[str, list[float]]:
    """lx, dx, Lx, Tx, ex from qx (single ages 0 … ω); see LIFE_DOC for the formulas."""
    omega = len(qx) - 1
    lx = [100_000.0]
    for q in qx[:-1]:
        lx.append(lx[-1] * (1 - q))
    dx = [lx[i] * qx[i] for i in range(omega + 1)]
    nlx = []
    for i in range(omega):
        a = _a0(sex, qx[0]) if i == 0 else 0.5
        nlx.append(lx[i + 1] + a * dx[i])
    q_last = qx[omega]
    mu = -math.log(1 - q_last) if q_last < 1 else math.inf
    nlx.append(lx[omega] / mu if mu != math.inf else lx[omega] * 0.5)
    tx = [0.0] * (omega + 1)
    acc = 0.0
    for i in range(omega, -1, -1):
        acc += nlx[i]
        tx[i] = acc
    ex = [tx[i] / lx[i] if lx[i] > 0 else 0.0 for i in range(omega + 1)]
    return {"lx": lx, "dx": dx, "nlx": nlx, "tx": tx, "ex": ex, "mu": [mu]}


def _t_at(tx: list[float], lx: list[float], mu: float, age: int) -> float:
    """T(age), continued beyond ω with the constant hazard: T(ω + k) = lω·e^(−μk) / μ."""
    omega = len(tx) - 1
    if age <= omega:
        return tx[age]
    if mu == math.inf:
        return 0.0
    return lx[omega] * math.exp(-mu * (age - omega)) / mu


def parse_life(ctx: StepContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    df = _read(ctx, LIFE_FILE)
    cols = df.columns[1:]
    bad = [c for c in cols if not (len(c) == 7 and c.startswith("qx") and c[2:6].isdigit() and c[6] in "MF")]
    if df.columns[0] != "Age" or bad:
        raise ctx.fail("header", f"unknown columns {bad or df.columns[:1]}", file=LIFE_FILE)
    if df["Age"].to_list() != [str(a) for a in range(df.height)]:
        raise ctx.fail("ages", "Age is not 0, 1, 2, …", file=LIFE_FILE)
    _numbers(ctx, LIFE_FILE, df, cols, r"^\d+(\.\d+)?(e-?\d+)?$")
    life, surv = [], []
    for col in cols:
        year, sex = int(col[2:6]), "male" if col[6] == "M" else "female"
        values = df[col].to_list()
        last = max(i for i, v in enumerate(values) if v is not None)
        if any(v is None for v in values[: last + 1]):
            raise ctx.fail("ages", "empty qx below the last published age", file=LIFE_FILE, where=f"column {col}")
        qx = [float(v) for v in values[: last + 1]]
        if any(not 0 <= q <= 1 for q in qx):
            raise ctx.fail("bounds", "qx outside [0, 1]", file=LIFE_FILE, where=f"column {col}")
        t = compute_life_table(sex, qx)
        for age in range(last + 1):
            life.append(
                (
                    year,
                    sex,
                    str(age),
                    age,
                    qx[age],
                    t["lx"][age],
                    t["dx"][age],
                    t["nlx"][age],
                    t["tx"][age],
                    t["ex"][age],
                )
            )
        mu = t["mu"][0]

        def big_t(age: int, tx: list[float] = t["tx"], lx: list[float] = t["lx"], mu: float = mu) -> float:
            return _t_at(tx, lx, mu, age)

        surv.append((year, sex, "birth", None, "0-4", (big_t(0) - big_t(5)) / (5 * t["lx"][0])))
        for x in range(0, 100, 5):
            ratio = (big_t(x + 5) - big_t(x + 10)) / (big_t(x) - big_t(x + 5))
            surv.append((year, sex, f"{x}-{x + 4}", x, f"{x + 5}-{x + 9}", ratio))
        for x in range(80, 105, 5):
            surv.append((year, sex, f"{x}+", x, f"{x + 5}+", big_t(x + 5) / big_t(x)))
    life_df = pl.DataFrame(
        life,
        schema={
            "life_table_year": pl.Int32,
            "sex": pl.String,
            "age_group": pl.String,
            "age_start": pl.Int32,
            "qx": pl.Float64,
            "lx": pl.Float64,
            "dx": pl.Float64,
            "nlx": pl.Float64,
            "tx": pl.Float64,
            "ex": pl.Float64,
        },
        orient="row",
    )
    surv_df = pl.DataFrame(
        surv,
        schema={
            "life_table_year": pl.Int32,
            "sex": pl.String,
            "from_age_group": pl.String,
            "from_age_start": pl.Int32,
            "to_age_group": pl.String,
            "survival_ratio": pl.Float64,
        },
        orient="row",
    )
    return life_df, surv_df


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    life, surv = parse_life(ctx)
    return {
        VITAL.name: parse_vital(ctx),
        POPULATION.name: _wide_population(ctx, POPL_FILE, "110+"),
        POPULATION_85.name: _wide_population(ctx, POP_FILE, "85+"),
        ASFR.name: parse_asfr(ctx),
        LIFE.name: life,
        SURVIVAL.name: surv,
    }


STEP = Step(
    name="national",
    description="National vital rates, population by single age, ASFR and life tables (fmsb data sets)",
    sources=("national_series",),
    tables=(VITAL, POPULATION, POPULATION_85, ASFR, LIFE, SURVIVAL),
    parse=parse,
)
