"""Net migration by the census cohort residual method, and origin–destination partners from a 住基移動報告 OD table.

Pure: frames in, frames out. The derived step `net_migration` feeds it the census on 2020 boundaries and the national
five-year survival ratios; the OD functions read the rows of raw_estat__values / raw_estat__classes.

Cohort residual (forward survival): the persons aged x … x+4 at census t who would still live in the municipality
at t+5 if nobody moved are P(x, t) · s(x); the rest of the population aged x+5 … x+9 at t+5 is net migration:

    net(x+5, t+5) = P(x+5, t+5) − s(x) · P(x, t)                          for x = 0, 5, …, 80
    net(90+, t+5) = P(90+, t+5) − s(85+) · (P(85-89, t) + P(90+, t))      (open top group)

The age of a row is the age at the end of the period; 0-4 (born during the period) needs births by municipality and
sex for every period, which the bundle lacks, so it is left out. rate = net / P(cohort at t) (NULL when that is 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

TOP_AGE = 90  # census tables on 2020 boundaries stop at 90+
OPEN_FROM = 85  # the open group that survives into 90+: 85+ → 90+


def age_label(age_start: int) -> str:
    return f"{age_start}+" if age_start >= TOP_AGE else f"{age_start}-{age_start + 4}"


def compute_net_migration(start: pl.DataFrame, end: pl.DataFrame, survival: pl.DataFrame) -> pl.DataFrame:
    """Net migrants by area × sex × age at the end of the period (5-9 … 85-89, 90+).

    `start` and `end`: area_code, sex, age_start (0, 5, …, 85, 90 = 90+), persons. `survival`: sex, from_age_start
    (0 … 80 for a closed group x → x+5, 85 for the open group 85+ → 90+), survival_ratio. Returns area_code, sex,
    age_start, age_group, start_persons (the cohort at t), expected_persons, end_persons, net_migrants, rate.
    """
    for name, frame, cols in (
        ("start", start, ("area_code", "sex", "age_start", "persons")),
        ("end", end, ("area_code", "sex", "age_start", "persons")),
        ("survival", survival, ("sex", "from_age_start", "survival_ratio")),
    ):
        missing = set(cols) - set(frame.columns)
        if missing:
            raise ValueError(f"{name} lacks columns {sorted(missing)}")
    # The cohort at t that reaches end age a at t+5: a−5, except the top group (85-89 and 90+ together).
    cohort = (
        start.with_columns(
            pl.when(pl.col("age_start") >= OPEN_FROM)
            .then(pl.lit(TOP_AGE))
            .otherwise(pl.col("age_start") + 5)
            .alias("end_age"),
            pl.when(pl.col("age_start") >= OPEN_FROM)
            .then(pl.lit(OPEN_FROM))
            .otherwise(pl.col("age_start"))
            .alias("from_age_start"),
        )
        .group_by("area_code", "sex", "end_age", "from_age_start")
        .agg(pl.col("persons").sum().alias("start_persons"))
    )
    cohort = cohort.join(
        survival.select("sex", "from_age_start", "survival_ratio"), on=["sex", "from_age_start"], how="left"
    )
    if cohort["survival_ratio"].null_count():
        gaps = cohort.filter(pl.col("survival_ratio").is_null()).select("sex", "from_age_start").unique()
        raise ValueError(f"no survival ratio for {gaps.rows()}")
    out = (
        end.filter(pl.col("age_start") >= 5)
        .select("area_code", "sex", pl.col("age_start").alias("end_age"), pl.col("persons").alias("end_persons"))
        .join(cohort, on=["area_code", "sex", "end_age"], how="full", coalesce=True)
    )
    if out["start_persons"].null_count() or out["end_persons"].null_count():
        gaps = out.filter(pl.col("start_persons").is_null() | pl.col("end_persons").is_null())
        raise ValueError(f"start and end populations do not match: {gaps.head(5).rows()}")
    return (
        out.with_columns((pl.col("start_persons") * pl.col("survival_ratio")).alias("expected_persons"))
        .with_columns((pl.col("end_persons") - pl.col("expected_persons")).alias("net_migrants"))
        .with_columns(
            pl.when(pl.col("start_persons") > 0)
            .then(pl.col("net_migrants") / pl.col("start_persons"))
            .otherwise(None)
            .alias("rate"),
            pl.col("end_age").map_elements(age_label, return_dtype=pl.String).alias("age_group"),
        )
        .select(
            "area_code",
            "sex",
            pl.col("end_age").alias("age_start"),
            "age_group",
            pl.col("start_persons").cast(pl.Float64),
            "expected_persons",
            pl.col("end_persons").cast(pl.Float64),
            "net_migrants",
            "rate",
        )
        .sort("area_code", "sex", "age_start")
    )


def average_survival(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    """Survival ratios of a period: the mean of the life tables at its start and its end (both sex, from_age_start)."""
    joined = first.join(second, on=["sex", "from_age_start"], how="full", coalesce=True, suffix="_end")
    if joined["survival_ratio"].null_count() or joined["survival_ratio_end"].null_count():
        raise ValueError("the two life tables do not cover the same groups")
    return joined.select(
        "sex",
        "from_age_start",
        ((pl.col("survival_ratio") + pl.col("survival_ratio_end")) / 2).alias("survival_ratio"),
    ).sort("sex", "from_age_start")


# ---- origin–destination partners (住民基本台帳人口移動報告 OD tables loaded through e-Stat) ----

OdState = Literal["loaded", "not_loaded"]


@dataclass(frozen=True)
class OdPartners:
    """The top origins or destinations of one municipality, or the statement that no OD table is loaded."""

    state: OdState
    muni_code: str
    direction: Literal["origin", "destination"]
    stats_data_id: str | None = None
    year: str | None = None
    partners: tuple[tuple[str, str, float], ...] = ()  # (muni_code, name, movers), largest first
    message: str = ""


@dataclass(frozen=True)
class OdLayout:
    """Which dimensions of an OD table hold what: the documented layout of 住民基本台帳人口移動報告 OD tables
    (移動前の住所地 × 移動後の住所地 × 男女 (× 年齢)) as e-Stat serves them: `area` is the 移動後 (destination)
    municipality, one category the 移動前 (origin) municipality, one the sex, optionally one the age group."""

    origin: str = "cat01"
    sex: str | None = "cat02"
    age: str | None = None
    total_code: str = "00000"  # the 総数 / 全国 code of the origin class and of the area class
    sex_total_code: str = "0"
    age_total_code: str = "00"


def find_od_partners(
    muni_code: str,
    direction: Literal["origin", "destination"],
    tables: pl.DataFrame,
    values: pl.DataFrame,
    classes: pl.DataFrame,
    *,
    layout: OdLayout = OdLayout(),
    n: int = 5,
    sex_code: str | None = None,
    age_codes: tuple[str, ...] | None = None,
) -> OdPartners:
    """The n municipalities most movers to `muni_code` come from (origin) or go to (destination).

    `tables`, `values`, `classes` are the rows of raw_estat__tables / __values / __classes. A table counts as an OD
    table when its statistics name contains 住民基本台帳人口移動報告 and its CLASS_INF has the layout's origin class.
    Without one the answer has state 'not_loaded' (never an empty list passed off as "no movers"). Only the latest
    time code is used; rows for the municipality itself (within-municipality moves) and totals are left out.
    """
    od_ids = _od_table_ids(tables, classes, layout)
    if not od_ids:
        return OdPartners(
            "not_loaded",
            muni_code,
            direction,
            message="住民基本台帳人口移動報告の移動前・移動後住所地別の表が読み込まれていません"
            "（sousei data estat STATS_DATA_ID で読み込めます）",
        )
    sid = od_ids[-1]
    v = values.filter(pl.col("stats_data_id") == sid)
    if layout.sex is not None:
        v = v.filter(pl.col(layout.sex) == (sex_code or layout.sex_total_code))
    if layout.age is not None:
        if age_codes:
            v = v.filter(pl.col(layout.age).is_in(list(age_codes)))
        else:
            v = v.filter(pl.col(layout.age) == layout.age_total_code)
    latest = v["time_code"].max()
    v = v.filter(pl.col("time_code") == latest)
    mine, other = ("area_code", layout.origin) if direction == "origin" else (layout.origin, "area_code")
    picked = (
        v.filter((pl.col(mine) == muni_code) & (pl.col(other) != muni_code) & (pl.col(other) != layout.total_code))
        .filter(pl.col(other).str.slice(2, 3) != "000")  # prefecture rows are totals, not partners
        .group_by(pl.col(other).alias("partner"))
        .agg(pl.col("value").sum())
        .filter(pl.col("value") > 0)
        .sort(["value", "partner"], descending=[True, False])
        .head(n)
    )
    names_class = "area" if other == "area_code" else layout.origin
    names = dict(
        classes.filter((pl.col("stats_data_id") == sid) & (pl.col("class_id") == names_class))
        .select("code", "name")
        .iter_rows()
    )
    return OdPartners(
        "loaded",
        muni_code,
        direction,
        stats_data_id=sid,
        year=None if latest is None else str(latest),  # time_code is VARCHAR: str() only narrows the type
        partners=tuple((p, names.get(p) or p, float(val)) for p, val in picked.iter_rows()),
    )


def _od_table_ids(tables: pl.DataFrame, classes: pl.DataFrame, layout: OdLayout) -> list[str]:
    if tables.is_empty():
        return []
    named = tables.filter(pl.col("statistics_name").fill_null("").str.contains("住民基本台帳人口移動報告"))
    with_origin = classes.filter(
        (pl.col("class_id") == layout.origin) & pl.col("class_name").fill_null("").str.contains("移動前")
    )["stats_data_id"].unique()
    return sorted(set(named["stats_data_id"]) & set(with_origin))
