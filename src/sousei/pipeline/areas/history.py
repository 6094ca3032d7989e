"""The code history: Kondo's converter, dated code changes, every code 1970–2024 mapped to 2020 municipalities."""

from __future__ import annotations

import json
import re
from typing import Any

import polars as pl

from sousei.pipeline import crosswalk
from sousei.pipeline.areas.files import (
    CENSUS,
    CENSUS_DATE,
    CHANGES,
    CONVERTER,
    MIC_2024,
    STANDARD,
    STANDARD_VINTAGE,
    iso_date,
    read_census_rows,
)
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.reference import NORTHERN_TERRITORIES
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import Coverage, SqlCheck, Table

# 2006-03-01 上九一色村 was divided: 大字梯・古関 to 甲府市, 大字精進・本栖・富士ヶ嶺 to 富士河口湖町
# (the only division of a municipality between two 2020 municipalities since 1970 in the 統計LOD lists).
# A new one must be noticed.
PINNED_SPLITS = frozenset({"19341"})
CONVERTER_YEARS = (1980, 1985, 1990, 1995, 2000, 2005, 2010, 2015, 2020)
CONVERTER_NOTES = (
    "note_merge_consol",
    "note_merge_incorp",
    "note_seirei",
    "note_city",
    "note_town",
    "note_change_zone",
    "note_change_name",
)
DISTRICT_REASONS = frozenset({"abolishmentOfDistrict", "changesOfBoundariesOfDistrict", "establishmentOfNewDistrict"})


CONVERTER_TABLE = Table(
    name="core_areas__converter",
    description=(
        "Kondo's municipality converter in long form: each code at each census 1980–2020 and the 2020 municipality it "
        "belongs to. The converter assigns every municipality wholly to one 2020 municipality; the one division across "
        "2020 municipalities (19341 上九一色村, 2006) it assigns to 19201 甲府市 (is_split marks it, share stays 1.0)."
    ),
    columns=(
        field("census_year", min=1980, max=2020),
        C(
            "code",
            "VARCHAR",
            "5-character municipal code in that year (designated cities as whole cities)",
            nullable=False,
        ),
        field(
            "name", "Name in that year as the converter writes it (prefecture, 支庁/郡 and municipality)", nullable=True
        ),
        field("muni_code"),
        C("muni_name", "VARCHAR", "Name of the 2020 municipality as the converter writes it"),
        C("share", "DOUBLE", "Share of the code assigned to muni_code: always 1.0 in the converter", min=0, max=1),
        C("is_split", "BOOLEAN", "The code was later divided between several 2020 municipalities", nullable=False),
        C(
            "notes",
            "VARCHAR",
            "The converter's notes on mergers, designations, name and boundary changes (joined by ' / ')",
        ),
    ),
    key=("census_year", "code"),
    coverage=Coverage(per=("census_year",), where="census_year = 2020"),
    checks=(
        SqlCheck(
            "converter-2020-identity",
            "in 2020 the converter maps a code to another code",
            "SELECT * FROM core_areas__converter WHERE census_year = 2020 AND code <> muni_code",
        ),
        SqlCheck(
            "converter-targets",
            "a converter target that is not a 2020 municipality",
            "SELECT * FROM core_areas__converter "
            "WHERE muni_code NOT IN (SELECT muni_code FROM core_areas__municipalities)",
        ),
    ),
)

CHANGES_TABLE = Table(
    name="core_areas__changes",
    description=(
        "Dated changes of municipal (and ward and 郡) codes 1970-04-01 – 2024-01-01 from e-Stat 統計LOD: one row per "
        "(old code, new code) pair of a change."
    ),
    columns=(
        C("change_date", "DATE", "Date the change took effect", nullable=False),
        C(
            "reason",
            "VARCHAR",
            "Reason key as published (absorption, establishmentOfNewMunicipalityByMerging, …)",
            nullable=False,
        ),
        C(
            "reason_ja",
            "VARCHAR",
            "Reason in Japanese (編入合併, 新設合併, …) from the file's own legend",
            nullable=False,
        ),
        C("old_code", "VARCHAR", "5-character code before the change", nullable=False),
        C("old_name", "VARCHAR", "Name before the change"),
        C("new_code", "VARCHAR", "5-character code after the change", nullable=False),
        C("new_name", "VARCHAR", "Name after the change"),
        C("is_district", "BOOLEAN", "The change concerns a 郡 (district), not a municipality or ward", nullable=False),
        C(
            "seq",
            "INTEGER",
            "Position of the change in the published list (keeps repeated pairs apart)",
            nullable=False,
        ),
    ),
    key=("seq",),
)

CODE_TO_2020 = Table(
    name="core_areas__code_to_2020",
    description=(
        "Every municipal and ward code valid at some time 1970-04-01 – 2024-01-01 (except the 6 北方領土 "
        "villages 01695–01700, which no census covers), with its validity interval, mapped "
        "to the 2020 municipalities. Wards map to their city; codes created after 2020-10-01 map back to the 2020 "
        "municipality they came from. share is 1.0 except for a municipality divided between several 2020 "
        "municipalities (19341 上九一色村): each part gets the share of the divided municipality's census 2020 "
        "population living in it (the census lists the parts: ［北部］ 208 persons in 甲府市, ［南部］ 894 in "
        "富士河口湖町)."
    ),
    columns=(
        C("code", "VARCHAR", "5-character municipal or ward code", nullable=False),
        C(
            "valid_from",
            "DATE",
            "First day the code was valid (1970-04-01 if it was already valid then)",
            nullable=False,
        ),
        C("valid_to", "DATE", "First day it was no longer valid; NULL = still valid on 2024-01-01"),
        field("muni_code"),
        C("share", "DOUBLE", "Share of the code's area/population assigned to muni_code", nullable=False, min=0, max=1),
        field("name", "Name of the code during the interval (latest version)", nullable=True),
        C("is_ward", "BOOLEAN", "The code is a ward (区) of a designated city", nullable=False),
    ),
    key=("code", "valid_from", "muni_code"),
    coverage=Coverage(
        where="valid_from <= DATE '2020-10-01' AND (valid_to IS NULL OR valid_to > DATE '2020-10-01') AND NOT is_ward"
    ),
    checks=(
        SqlCheck(
            "shares-sum-to-one",
            "shares of a code interval do not sum to 1",
            """SELECT code, valid_from, sum(share) AS s FROM core_areas__code_to_2020 GROUP BY ALL
               HAVING abs(sum(share) - 1) > 1e-9""",
        ),
        SqlCheck(
            "intervals-disjoint",
            "two intervals of one code overlap",
            """SELECT a.code, a.valid_from, b.valid_from FROM
                 (SELECT DISTINCT code, valid_from, valid_to FROM core_areas__code_to_2020) a
               JOIN (SELECT DISTINCT code, valid_from, valid_to FROM core_areas__code_to_2020) b
                 ON a.code = b.code AND a.valid_from < b.valid_from
                AND (a.valid_to IS NULL OR a.valid_to > b.valid_from)""",
        ),
        SqlCheck(
            "2020-identity",
            "a 2020 municipality does not map to itself on 2020-10-01",
            """SELECT m.muni_code FROM core_areas__municipalities m
               LEFT JOIN core_areas__code_to_2020 c ON c.code = m.muni_code AND c.valid_from <= DATE '2020-10-01'
                 AND (c.valid_to IS NULL OR c.valid_to > DATE '2020-10-01')
               WHERE c.muni_code IS DISTINCT FROM m.muni_code OR c.share <> 1""",
        ),
        SqlCheck(
            "converter-agrees",
            "the code list mapping disagrees with Kondo's converter on a census date (other than pinned divisions)",
            """SELECT v.census_year, v.code, v.muni_code AS converter, c.muni_code AS code_list
               FROM core_areas__converter v
               LEFT JOIN core_areas__code_to_2020 c ON c.code = v.code
                 AND c.valid_from <= make_date(v.census_year, 10, 1)
                 AND (c.valid_to IS NULL OR c.valid_to > make_date(v.census_year, 10, 1))
                 AND c.muni_code = v.muni_code
               WHERE c.code IS NULL AND NOT v.is_split""",
        ),
    ),
)


# A part of a divided 2000-boundary municipality in the census list: 「（旧：上九一色村［北部］）」.
_OLD_PART = re.compile(r"^（旧：(?P<name>[^［）]+)［(?P<part>[^］]+)］）$")


def _census_split_parts(ctx: StepContext, municipalities: set[str]) -> dict[str, dict[str, float]]:
    """Old municipality name → {2020 municipality: persons} for the 2000-boundary municipalities the census lists in
    parts (「（旧：上九一色村［北部］）」 208 persons under 19201 甲府市, 「［南部］」 894 under 19430
    富士河口湖町): each 「（旧：…）」 row follows the 2020 municipality it lies in."""
    parts: dict[str, dict[str, float]] = {}
    current: str | None = None
    for code, name, persons in read_census_rows(ctx):
        if code in municipalities:
            current = code
            continue
        m = _OLD_PART.match(name)
        if m is None:
            continue
        if current is None or not persons.strip().isdigit():
            raise ctx.fail("split", f"part {name} ({code}): no municipality before it or no population", file=CENSUS)
        by_muni = parts.setdefault(m["name"], {})
        by_muni[current] = by_muni.get(current, 0.0) + float(persons)
    return parts


def build_converter(ctx: StepContext, municipalities: set[str]) -> pl.DataFrame:
    raw = pl.read_csv(ctx.path(CONVERTER), infer_schema=False)
    expected = (
        ["merge_id_muni"]
        + [f"id_muni{y}" for y in CONVERTER_YEARS]
        + [f"name_muni{y}" for y in CONVERTER_YEARS]
        + list(CONVERTER_NOTES)
    )
    if raw.columns != expected:
        raise ctx.fail("header", f"columns {raw.columns}, expected {expected}", file=CONVERTER)
    code_cols = [f"id_muni{y}" for y in CONVERTER_YEARS]
    for col in code_cols:
        bad = raw.with_row_index("line", offset=2).filter(
            pl.col(col).is_not_null() & ~pl.col(col).str.contains(r"^[1-9][0-9]{3,4}$")
        )
        if bad.height:
            r = bad.row(0, named=True)
            raise ctx.fail(
                "code", f"{col} {r[col]!r} is not a municipal code", file=CONVERTER, where=f"line {r['line']}"
            )
    notes = pl.concat_list([pl.col(c) for c in CONVERTER_NOTES]).list.drop_nulls()
    long = pl.concat(
        raw.select(
            pl.lit(y, dtype=pl.Int32).alias("census_year"),
            pl.col(f"id_muni{y}").str.zfill(5).alias("code"),
            pl.col(f"name_muni{y}").alias("name"),
            pl.col("id_muni2020").str.zfill(5).alias("muni_code"),
            pl.col("name_muni2020").alias("muni_name"),
            notes.alias("notes"),
        ).filter(pl.col("code").is_not_null())
        for y in CONVERTER_YEARS
    )
    conflicts = (
        long.group_by("census_year", "code").agg(pl.col("muni_code").n_unique().alias("n")).filter(pl.col("n") > 1)
    )
    if conflicts.height:
        raise ctx.fail("crosswalk", f"codes mapped to several 2020 codes: {conflicts.head(5).rows()}", file=CONVERTER)
    unknown = sorted(set(long["muni_code"].to_list()) - municipalities)
    if unknown:
        raise ctx.fail("coverage", f"2020 codes that are not 2020 municipalities: {unknown[:10]}", file=CONVERTER)
    out = (
        long.group_by("census_year", "code", maintain_order=True)
        .agg(
            pl.col("name").first(),
            pl.col("muni_code").first(),
            pl.col("muni_name").first(),
            pl.col("notes").list.explode(keep_nulls=False, empty_as_null=False).unique(maintain_order=True),
        )
        .with_columns(
            pl.lit(1.0).alias("share"),
            pl.lit(False).alias("is_split"),
            pl.when(pl.col("notes").list.len() > 0).then(pl.col("notes").list.join(" / ")).alias("notes"),
        )
        .sort("census_year", "code")
    )
    return out.select(CONVERTER_TABLE.column_names)


def read_changes(ctx: StepContext) -> pl.DataFrame:
    data = json.loads(ctx.path(CHANGES).read_text(encoding="utf-8"))
    if set(data) != {"fetched_at", "source", "reasons", "changes"}:
        raise ctx.fail("shape", f"top-level keys {sorted(data)}", file=CHANGES)
    reasons: dict[str, str] = data["reasons"]
    rows = []
    for i, c in enumerate(data["changes"]):
        where = f"changes[{i}]"
        if c.get("reason") not in reasons:
            raise ctx.fail("code", f"unknown reason {c.get('reason')!r}", file=CHANGES, where=where)
        for side in ("old", "new"):
            if not re.fullmatch(r"\d{5}", str(c.get(side, {}).get("code", ""))):
                raise ctx.fail("code", f"{side} code {c.get(side)!r} is not 5 digits", file=CHANGES, where=where)
        rows.append(
            {
                "change_date": iso_date(ctx, c["date"], CHANGES, where),
                "reason": c["reason"],
                "reason_ja": reasons[c["reason"]],
                "old_code": c["old"]["code"],
                "old_name": c["old"].get("name"),
                "new_code": c["new"]["code"],
                "new_name": c["new"].get("name"),
                "is_district": c["reason"] in DISTRICT_REASONS,
                "seq": i + 1,
            }
        )
    df = pl.DataFrame(rows, schema_overrides={"seq": pl.Int32})
    if not df["change_date"].is_sorted():
        raise ctx.fail("order", "changes are not in date order", file=CHANGES)
    return df


def build_code_to_2020(
    ctx: StepContext,
    standard: list[dict[str, Any]],
    changes: pl.DataFrame,
    municipalities: set[str],
    ward_parent: dict[str, str],
) -> pl.DataFrame:
    versions = crosswalk.dedupe_versions(
        [
            crosswalk.CodeVersion(
                code=v["code"],
                name=v["name"],
                start=v["start"],
                end=v["end"],
                is_ward=v["type"] == 8,  # 種別 8 = 政令指定都市の区 (7 = 特別区, a municipality)
                parent=v["parent"],
                start_events=v["start_events"],
                end_events=v["end_events"],
            )
            for v in standard
            if v["code"] not in NORTHERN_TERRITORIES  # valid codes, but no census unit covers them
        ]
    )
    successors = crosswalk.link_versions(versions)
    later = changes.filter((pl.col("change_date") > STANDARD_VINTAGE) & ~pl.col("is_district"))
    try:
        crosswalk.apply_changes(
            versions,
            successors,
            [
                crosswalk.Change(r["change_date"], r["old_code"], r["new_code"], r["new_name"])
                for r in later.iter_rows(named=True)
            ],
        )
        targets = crosswalk.resolve_targets(versions, successors, municipalities, ward_parent, CENSUS_DATE)
    except crosswalk.CrosswalkError as exc:
        raise ctx.fail("crosswalk", str(exc), file=STANDARD) from None
    table = crosswalk.code_intervals(versions, targets)
    splits = set(table.filter(pl.col("share") < 1)["code"].to_list())
    if splits != PINNED_SPLITS:
        raise ctx.fail(
            "crosswalk",
            f"codes divided between several 2020 municipalities are {sorted(splits)}, pinned {sorted(PINNED_SPLITS)}",
            file=STANDARD,
        )
    # The change lists give no population of the parts; the census 2020 lists each part with its population.
    parts = _census_split_parts(ctx, municipalities)
    weights: dict[str, dict[str, float]] = {}
    for code in sorted(splits):
        name = table.filter(pl.col("code") == code)["name"][0]
        if name not in parts:
            raise ctx.fail("crosswalk", f"the census lists no parts of the divided {code} {name}", file=CENSUS)
        weights[code] = parts[name]
    try:
        table = crosswalk.reweight_splits(table, weights)
    except crosswalk.CrosswalkError as exc:
        raise ctx.fail("crosswalk", str(exc), file=CENSUS) from None
    valid_2024 = set(table.filter(pl.col("valid_to").is_null())["code"].to_list())
    listed_2024 = {
        it["s"]
        for it in json.loads(ctx.path(MIC_2024).read_text(encoding="utf-8"))["items"]
        if it["t"] != "prefecture" and not it["u"]  # u: the 6 北方領土 villages, not in the statistical lists
    }
    if valid_2024 != listed_2024:
        raise ctx.fail(
            "crosswalk",
            f"codes valid on 2024-01-01 differ from the MIC list of 2024: only in the change lists "
            f"{sorted(valid_2024 - listed_2024)[:10]}, only in the MIC list {sorted(listed_2024 - valid_2024)[:10]}",
            file=MIC_2024,
        )
    return table
