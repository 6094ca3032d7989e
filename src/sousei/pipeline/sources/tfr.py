"""MHLW Bayesian TFR per municipality, 2008–2012 (XML) and 2018–2022 (CSV) → raw_tfr__tfr, core_tfr__tfr, …_missing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import polars as pl

from sousei.pipeline.context import StepContext
from sousei.pipeline.errors import BuildError
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table

FILE_2008 = "tfr/tfr_bayes_2008_2012_CityTfr.xml"
FILE_2018 = "tfr/tfr_bayes_2018_2022.csv"
PERIODS = {
    "2008-2012": (dt.date(2008, 1, 1), dt.date(2012, 12, 31)),
    "2018-2022": (dt.date(2018, 1, 1), dt.date(2022, 12, 31)),
}
SPECIAL_WARDS = "13100"  # 東京都の区部 (the 23 special wards together), printed in the 2008–2012 file
# Pinned counts of 2020 municipalities without a rate (checked): 2008–2012: 09203 栃木市 (岩舟町 joined it in 2014,
# so two areas of the period make it up); 2018–2022: 58 municipalities the hand-compiled source lacks.
MISSING_COUNTS = {"2008-2012": 1, "2018-2022": 58}
_RATE = re.compile(r"\d(\.\d{1,2})?")  # the 2018–2022 compiler dropped trailing zeros: "1", "1.3"

PERIOD = C("period", "VARCHAR", "'2008-2012' | '2018-2022'", nullable=False)

RAW = Table(
    name="raw_tfr__tfr",
    description=(
        "Total fertility rate (合計特殊出生率, Bayesian estimate, 人口動態保健所・市区町村別統計) as published, on the "
        "codes of the time: municipalities, designated-city wards and (2008–2012) 13100 東京都の区部. 2008–2012 on "
        "the boundaries of the end of 2012 (1,918 areas); 2018–2022 on 2020 codes (1,683 municipalities + 133 wards; "
        "hand-compiled from the MHLW release)."
    ),
    columns=(
        field("area_code", "Code as published (5 characters)"),
        PERIOD,
        field("name"),
        C("area_level", "VARCHAR", "'municipality' | 'ward' | 'special_wards' (13100)", nullable=False),
        field("tfr", "Total fertility rate (children per woman); NULL where '-' is printed", min=0.3, max=4),
        C(
            "tfr_status",
            "VARCHAR",
            "'published' or 'not_available' ('-': a ward created during the period)",
            nullable=False,
        ),
    ),
    key=("area_code", "period"),
)

TABLE = Table(
    name="core_tfr__tfr",
    description=(
        "Total fertility rate (Bayesian estimate) per 2020 municipality and period. 2008–2012 codes are mapped where "
        "one area of the period is exactly one 2020 municipality (code changes such as 40305 → 40231 included); a "
        "2020 municipality made of several areas of the period gets no rate (rates cannot be summed). Municipalities "
        "without a rate are in core_tfr__missing; nothing is imputed."
    ),
    columns=(
        field("muni_code"),
        PERIOD,
        field("tfr", "Total fertility rate (children per woman), Bayesian estimate", nullable=False, min=0.3, max=4),
        field("area_code", "The code the rate is published under (differs where the code changed)"),
    ),
    key=("muni_code", "period"),
)

MISSING = Table(
    name="core_tfr__missing",
    description="2020 municipalities without a total fertility rate for a period, and why (never imputed).",
    columns=(
        field("muni_code"),
        PERIOD,
        C("reason", "VARCHAR", "Why there is no rate", nullable=False),
    ),
    key=("muni_code", "period"),
    checks=(
        SqlCheck(
            "missing-counts",
            "the number of municipalities without a rate changed (update the pin in tfr.py)",
            "SELECT period, count(*) AS n FROM core_tfr__missing GROUP BY period HAVING count(*) <> CASE period "
            + " ".join(f"WHEN '{p}' THEN {n}" for p, n in MISSING_COUNTS.items())
            + " END",
        ),
    ),
)

STEP_CHECKS = (
    SqlCheck(
        "every-municipality-once",
        "a 2020 municipality is neither rated nor listed as missing, or both, for a period",
        """WITH p AS (SELECT * FROM (VALUES ('2008-2012'), ('2018-2022')) t(period)),
                both_ AS (SELECT muni_code, period FROM core_tfr__tfr
                          UNION ALL SELECT muni_code, period FROM core_tfr__missing)
           SELECT m.muni_code, p.period, count(b.muni_code) AS n
           FROM core_areas__municipalities m CROSS JOIN p
           LEFT JOIN both_ b ON b.muni_code = m.muni_code AND b.period = p.period
           GROUP BY ALL HAVING count(b.muni_code) <> 1
           UNION ALL
           SELECT muni_code, period, -1 FROM both_
           WHERE muni_code NOT IN (SELECT muni_code FROM core_areas__municipalities)""",
    ),
    SqlCheck(
        "core-equals-raw",
        "a rate in core_tfr__tfr differs from the published one",
        """SELECT c.* FROM core_tfr__tfr c LEFT JOIN raw_tfr__tfr r ON r.area_code = c.area_code AND r.period = c.period
           WHERE r.tfr IS DISTINCT FROM c.tfr""",
    ),
)


def _rate(text: str | None, file: str, where: str) -> tuple[float | None, str]:
    value = (text or "").strip()
    if value == "-":  # 該当数値なし: the ward did not exist for the whole period
        return None, "not_available"
    if not _RATE.fullmatch(value):
        raise BuildError("value", f"rate {text!r} is neither a number like 1.23 nor '-'", file=file, where=where)
    return float(value), "published"


def read_tfr_2008(text: str, file: str = FILE_2008) -> list[tuple[str, str, float | None, str]]:
    """<ArrayOfCityTfr><CityTfr><Code/><Name/><Tfr/></CityTfr>…: (code, name, tfr, status) in file order."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise BuildError("format", f"not XML: {exc}", file=file) from None
    if root.tag != "ArrayOfCityTfr":
        raise BuildError("format", f"root element {root.tag}, expected ArrayOfCityTfr", file=file)
    rows = []
    for i, el in enumerate(root, start=1):
        tags = [c.tag for c in el]
        where = f"CityTfr #{i}"
        if el.tag != "CityTfr" or tags != ["Code", "Name", "Tfr"]:
            raise BuildError(
                "format", f"element {el.tag} with {tags}, expected CityTfr(Code, Name, Tfr)", file=file, where=where
            )
        code, name = (el.findtext("Code") or "").strip(), (el.findtext("Name") or "").strip()
        if not re.fullmatch(r"\d{5}", code):
            raise BuildError("code", f"code {code!r} is not 5 digits", file=file, where=where)
        rows.append((code, name, *_rate(el.findtext("Tfr"), file, f"{where} ({code} {name})")))
    return rows


def read_tfr_2018(text: str, file: str = FILE_2018) -> list[tuple[str, str, float | None, str]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != ["code", "name", "tfr_2018_2022"]:
        raise BuildError("header", f"header {header}, expected code,name,tfr_2018_2022", file=file, where="line 1")
    rows = []
    for lineno, rec in enumerate(reader, start=2):
        if len(rec) != 3 or not re.fullmatch(r"\d{5}", rec[0]):
            raise BuildError(
                "format", f"expected 5-digit code, name, rate; got {rec}", file=file, where=f"line {lineno}"
            )
        rows.append((rec[0], rec[1], *_rate(rec[2], file, f"line {lineno} ({rec[0]})")))
    return rows


def build_raw(
    period: str, rows: list[tuple[str, str, float | None, str]], munis: set[str], wards: set[str], file: str
) -> pl.DataFrame:
    """Level of each published code; a code that is none of municipality, ward or 13100 stops the build."""
    out = []
    for code, name, tfr, status in rows:
        if code == SPECIAL_WARDS:
            level = "special_wards"
        elif code in wards:
            level = "ward"
        elif code in munis:
            level = "municipality"
        else:
            raise BuildError(
                "code", f"{code} {name} is not a municipal or ward code of the period", file=file, where=f"code {code}"
            )
        out.append((code, period, name, level, tfr, status))
    df = pl.DataFrame(
        out,
        schema={
            "area_code": pl.Utf8,
            "period": pl.Utf8,
            "name": pl.Utf8,
            "area_level": pl.Utf8,
            "tfr": pl.Float64,
            "tfr_status": pl.Utf8,
        },
        orient="row",
    )
    dup = df.filter(pl.col("area_code").is_duplicated())
    if dup.height:
        raise BuildError("duplicate", f"codes repeat: {sorted(set(dup['area_code']))[:5]}", file=file)
    return df


def map_to_2020(
    raw: pl.DataFrame, period: str, crosswalk: pl.DataFrame, munis: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rates of the period's municipalities on 2020 municipalities where the correspondence is one to one.

    `crosswalk` is core_areas__code_to_2020; the intervals used are those overlapping the period. Returns
    (core rows, missing rows). A 2020 municipality made of several areas of the period gets no rate.
    """
    start, end = PERIODS[period]
    cw = crosswalk.filter(
        (pl.col("valid_from") <= end)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > start))
        & ~pl.col("is_ward")
    ).select("code", "muni_code", "share", pl.col("name").alias("cw_name"))
    src = raw.filter(pl.col("area_level") == "municipality").join(cw, left_on="area_code", right_on="code", how="left")
    unmapped = src.filter(pl.col("muni_code").is_null())
    if unmapped.height:
        raise BuildError(
            "code",
            f"codes of {period} with no 2020 municipality in core_areas__code_to_2020: "
            f"{unmapped['area_code'].to_list()[:5]}",
            where=f"period {period}",
        )
    # A code split between several 2020 municipalities (share < 1) or a 2020 municipality fed by several codes
    # is not one to one.
    parts_per_code = src.group_by("area_code").agg(
        pl.len().alias("n_targets"), pl.col("share").min().alias("min_share")
    )
    src = src.join(parts_per_code, on="area_code")
    # Sorted first: a group keeps its rows' order, and the join's order varies between runs (a reason that names
    # several areas listed them in a different order in each build).
    per_muni = (
        src.sort("area_code")
        .group_by("muni_code")
        .agg(pl.col("area_code"), pl.col("name"), pl.col("tfr"), pl.col("n_targets").max(), pl.col("min_share").min())
    )
    one = per_muni.filter(
        (pl.col("area_code").list.len() == 1)
        & (pl.col("n_targets") == 1)
        & (pl.col("min_share") == 1.0)
        & pl.col("tfr").list.first().is_not_null()
    )
    core = one.select(
        "muni_code",
        pl.lit(period).alias("period"),
        pl.col("tfr").list.first(),
        pl.col("area_code").list.first(),
    )
    missing = []
    by_muni = {r["muni_code"]: r for r in per_muni.iter_rows(named=True)}
    dup_names = set(munis.group_by("name").len().filter(pl.col("len") > 1)["name"].to_list())
    rated = set(core["muni_code"].to_list())
    for m in munis.sort("muni_code").iter_rows(named=True):
        code = m["muni_code"]
        if code in rated:
            continue
        r = by_muni.get(code)
        if r is None:
            reason = "not in the source"
            if m["name"] in dup_names:
                reason += f" (the name {m['name']} is shared with another municipality)"
        elif len(r["area_code"]) > 1:
            parts = ", ".join(f"{c} {n}" for c, n in zip(r["area_code"], r["name"], strict=True))
            reason = f"made of several areas of {period} ({parts}); rates cannot be combined"
        elif r["n_targets"] > 1 or r["min_share"] < 1:
            reason = f"{r['area_code'][0]} was divided between several 2020 municipalities"
        else:
            reason = "no rate printed ('-')"
        missing.append((code, period, reason))
    missing_df = pl.DataFrame(
        missing, schema={"muni_code": pl.Utf8, "period": pl.Utf8, "reason": pl.Utf8}, orient="row"
    )
    return core, missing_df


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    munis = ctx.table("core_areas__municipalities").select("muni_code", "name")
    muni_set = set(munis["muni_code"].to_list())
    crosswalk = ctx.table("core_areas__code_to_2020")
    # The 2018–2022 source was compiled after 浜松市 redrew its wards (2024-01-01): it prints 22140 天竜区, so wards
    # are recognised among every ward code the crosswalk knows, not only those of 2020.
    all_wards = set(crosswalk.filter(pl.col("is_ward"))["code"].to_list())
    # 2008–2012: codes of the time; the crosswalk knows every code that ever existed and whether it is a ward.
    start, end = PERIODS["2008-2012"]
    of_period = crosswalk.filter(
        (pl.col("valid_from") <= end) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > start))
    )
    wards_2008 = set(of_period.filter(pl.col("is_ward"))["code"].to_list())
    munis_2008 = set(of_period.filter(~pl.col("is_ward"))["code"].to_list())
    raw_2008 = build_raw(
        "2008-2012", read_tfr_2008(ctx.path(FILE_2008).read_text(encoding="utf-8")), munis_2008, wards_2008, FILE_2008
    )
    raw_2018 = build_raw(
        "2018-2022", read_tfr_2018(ctx.path(FILE_2018).read_text(encoding="utf-8")), muni_set, all_wards, FILE_2018
    )
    core_2008, missing_2008 = map_to_2020(raw_2008, "2008-2012", crosswalk, munis)
    core_2018, missing_2018 = map_to_2020(raw_2018, "2018-2022", crosswalk, munis)
    return {
        RAW.name: pl.concat([raw_2008, raw_2018]),
        TABLE.name: pl.concat([core_2008, core_2018]).sort("period", "muni_code"),
        MISSING.name: pl.concat([missing_2008, missing_2018]),
    }


STEP = Step(
    name="tfr",
    description="Total fertility rate (Bayesian estimate) per municipality, 2008–2012 and 2018–2022 (厚生労働省)",
    sources=("tfr_2008_2012", "tfr_2018_2022"),
    tables=(RAW, TABLE, MISSING),
    parse=parse,
    depends=("areas",),
    checks=STEP_CHECKS,
)
