"""Code crosswalks as pure functions: code versions and dated changes → (code, interval) → 2020 municipality, share."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from sousei.pipeline.reference import name_key

CODE_TO_2020_SCHEMA = {
    "code": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "muni_code": pl.String,
    "share": pl.Float64,
    "name": pl.String,
    "is_ward": pl.Boolean,
}


class CrosswalkError(ValueError):
    """The code lists do not fit together (a code with no successor, an unpinned division, an unknown code).

    `row`, where given, is the offending input row (so that the caller can name its file and line).
    """

    def __init__(self, message: str, row: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class CodeVersion:
    """One version of a code: valid from `start` (inclusive) to `end` (exclusive; None = still valid)."""

    code: str
    name: str
    start: dt.date
    end: dt.date | None
    is_ward: bool
    parent: str | None = None
    start_events: list[int] = field(default_factory=list)
    end_events: list[int] = field(default_factory=list)

    def valid_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Change:
    """One (old code → new code) pair of a dated change."""

    date: dt.date
    old_code: str
    new_code: str
    new_name: str


def dedupe_versions(versions: list[CodeVersion]) -> list[CodeVersion]:
    """Merge records of one code and interval (the standard list repeats a few, e.g. 14113 緑区), uniting events."""
    out: dict[tuple[str, dt.date, dt.date | None], CodeVersion] = {}
    for v in versions:
        key = (v.code, v.start, v.end)
        if key in out:
            kept = out[key]
            kept.start_events = sorted(set(kept.start_events) | set(v.start_events))
            kept.end_events = sorted(set(kept.end_events) | set(v.end_events))
        else:
            out[key] = CodeVersion(
                v.code, v.name, v.start, v.end, v.is_ward, v.parent, list(v.start_events), list(v.end_events)
            )
    return list(out.values())


def link_versions(versions: list[CodeVersion]) -> dict[int, set[int]]:
    """Successors of each version by the events of the standard area code list (an end event = a start event)."""
    starting: dict[int, set[int]] = defaultdict(set)
    for j, v in enumerate(versions):
        for e in v.start_events:
            starting[e].add(j)
    out: dict[int, set[int]] = {}
    for i, v in enumerate(versions):
        succ = {j for e in v.end_events for j in starting[e] if j != i}
        # A code that goes on (the absorbing city, a change of kind) stays itself: the other versions the event
        # starts (the parts of a divided neighbour) are not its successors.
        same = {j for j in succ if versions[j].code == v.code}
        out[i] = same or succ
    return out


def apply_changes(versions: list[CodeVersion], successors: dict[int, set[int]], changes: Iterable[Change]) -> None:
    """Extend versions and successors (in place) with changes after the standard list's vintage, in date order."""
    by_date: dict[dt.date, list[Change]] = defaultdict(list)
    for c in changes:
        by_date[c.date].append(c)
    for day in sorted(by_date):
        pairs = [c for c in by_date[day] if c.old_code != c.new_code]
        open_ = {v.code: i for i, v in enumerate(versions) if v.end is None and v.start < day}
        ending = {c.old_code for c in pairs}
        new_index: dict[str, int] = {}
        for c in pairs:
            if c.new_code in new_index or (c.new_code in open_ and c.new_code not in ending):
                continue
            if c.old_code not in open_:
                raise CrosswalkError(f"{day}: {c.old_code} changes but no version of it is valid then")
            old = versions[open_[c.old_code]]
            versions.append(CodeVersion(c.new_code, c.new_name, day, None, old.is_ward, old.parent))
            new_index[c.new_code] = len(versions) - 1
            successors[len(versions) - 1] = set()
        for c in pairs:
            if c.old_code not in open_:
                raise CrosswalkError(f"{day}: {c.old_code} changes but no version of it is valid then")
            i = open_[c.old_code]
            versions[i].end = day
            target = new_index.get(c.new_code, open_.get(c.new_code))
            assert target is not None
            successors.setdefault(i, set()).add(target)


def resolve_targets(
    versions: list[CodeVersion],
    successors: Mapping[int, set[int]],
    municipalities: set[str],
    ward_parent: Mapping[str, str],
    on: dt.date,
) -> dict[int, dict[str, float]]:
    """For each version, the 2020 municipalities (share) it belongs to on `on`.

    A version valid on `on` is a municipality (itself) or a ward (its city). An earlier version takes the average of
    its successors' targets (equal weight per successor version: the lists give no population for the parts of a
    divided municipality); a later one the average of its predecessors'.
    """
    predecessors: dict[int, set[int]] = defaultdict(set)
    for i, succ in successors.items():
        for j in succ:
            predecessors[j].add(i)
    memo: dict[int, dict[str, float]] = {}

    def average(parts: list[dict[str, float]]) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for part in parts:
            for muni, share in part.items():
                out[muni] += share / len(parts)
        return dict(out)

    def resolve(i: int, stack: tuple[int, ...]) -> dict[str, float]:
        if i in memo:
            return memo[i]
        if i in stack:
            raise CrosswalkError(f"the changes of {versions[i].code} loop back on themselves")
        v = versions[i]
        if v.valid_on(on):
            if v.code in municipalities:
                result = {v.code: 1.0}
            elif v.code in ward_parent:
                result = {ward_parent[v.code]: 1.0}
            else:
                raise CrosswalkError(f"{v.code} {v.name} is valid on {on} but is no municipality or ward then")
        elif v.end is not None and v.end <= on:
            succ = sorted(successors.get(i, ()))
            if not succ:
                raise CrosswalkError(f"{v.code} {v.name} ended {v.end} with no successor")
            result = average([resolve(j, stack + (i,)) for j in succ])
        else:
            pred = sorted(predecessors.get(i, ()))
            if not pred:
                raise CrosswalkError(f"{v.code} {v.name} began {v.start} with no predecessor")
            result = average([resolve(j, stack + (i,)) for j in pred])
        memo[i] = result
        return result

    return {i: resolve(i, ()) for i in range(len(versions))}


def code_intervals(versions: list[CodeVersion], targets: Mapping[int, dict[str, float]]) -> pl.DataFrame:
    """One row per (code, interval, 2020 municipality): contiguous versions with the same targets are merged."""
    rows: list[dict[str, object]] = []
    by_code: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(versions):
        if v.end is None or v.start < v.end:
            by_code[v.code].append(i)
    for code, idx in sorted(by_code.items()):
        idx.sort(key=lambda i: versions[i].start)
        merged: list[tuple[dt.date, dt.date | None, dict[str, float], str, bool]] = []
        for i in idx:
            v = versions[i]
            t = targets[i]
            if merged and merged[-1][1] == v.start and merged[-1][2] == t:
                start, _, _, _, is_ward = merged[-1]
                merged[-1] = (start, v.end, t, v.name, is_ward and v.is_ward)
            else:
                merged.append((v.start, v.end, t, v.name, v.is_ward))
        for start, end, t, name, is_ward in merged:
            for muni, share in sorted(t.items()):
                rows.append(
                    {
                        "code": code,
                        "valid_from": start,
                        "valid_to": end,
                        "muni_code": muni,
                        "share": share,
                        "name": name,
                        "is_ward": is_ward,
                    }
                )
    return pl.DataFrame(rows, schema=CODE_TO_2020_SCHEMA)


def reweight_splits(table: pl.DataFrame, weights: Mapping[str, Mapping[str, float]]) -> pl.DataFrame:
    """The shares of each divided code (share < 1) set in proportion to `weights[code][muni_code]` (the population of
    each part); a divided code without weights for exactly its targets is an error."""
    for code, parts in weights.items():
        rows = table.filter((pl.col("code") == code) & (pl.col("share") < 1))
        targets = set(rows["muni_code"].to_list())
        if not rows.height or targets != set(parts):
            raise CrosswalkError(
                f"{code}: weights for {sorted(parts)}, but the code is divided among {sorted(targets)}"
            )
        total = float(sum(parts.values()))
        if total <= 0:
            raise CrosswalkError(f"{code}: the weights of its parts sum to {total}")
        share = pl.col("muni_code").replace_strict({m: w / total for m, w in parts.items()}, default=None)
        table = table.with_columns(
            pl.when((pl.col("code") == code) & (pl.col("share") < 1))
            .then(share)
            .otherwise(pl.col("share"))
            .alias("share")
        )
    return table


def map_to_2020(table: pl.DataFrame, code: str, on: dt.date) -> list[tuple[str, float]]:
    """The 2020 municipalities (and shares) that `code` valid on `on` belongs to; KeyError if it was not valid then."""
    hit = table.filter(
        (pl.col("code") == code)
        & (pl.col("valid_from") <= on)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > on))
    ).sort("muni_code")
    if hit.is_empty():
        raise KeyError(f"code {code} was not valid on {on}")
    return list(zip(hit["muni_code"].to_list(), hit["share"].to_list(), strict=True))


def attach_muni_2020(
    frame: pl.DataFrame,
    code_col: str,
    date_col_or_value: str | dt.date,
    table: pl.DataFrame,
    *,
    strict: bool = True,
) -> pl.DataFrame:
    """Add `muni_code` (2020) and `share` to `frame` by the code valid on each row's date.

    A row whose code was divided gets one row per 2020 municipality (multiply its figures by `share`). With
    `strict`, a (code, date) that no interval covers raises CrosswalkError naming them; otherwise those rows keep
    NULL muni_code and share.
    """
    if "muni_code" in frame.columns or "share" in frame.columns:
        raise ValueError("frame already has a muni_code or share column")
    on = "__on"
    rid = "__row"
    base = frame.with_row_index(rid)
    if isinstance(date_col_or_value, str):
        base = base.with_columns(pl.col(date_col_or_value).cast(pl.Date).alias(on))
    else:
        base = base.with_columns(pl.lit(date_col_or_value, dtype=pl.Date).alias(on))
    cw = table.select(pl.col("code").alias(code_col), "valid_from", "valid_to", "muni_code", "share")
    joined = base.join(cw, on=code_col, how="inner").filter(
        (pl.col("valid_from") <= pl.col(on)) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > pl.col(on)))
    )
    matched = joined.select(rid, "muni_code", "share")
    unmatched = base.join(matched.select(rid).unique(), on=rid, how="anti")
    if strict and unmatched.height:
        shown = unmatched.select(code_col, on).unique().sort(on, code_col).head(10).rows()
        raise CrosswalkError(f"{unmatched.height} rows have a code not valid on their date, e.g. {shown}")
    out = base.join(matched, on=rid, how="left").sort(rid, "muni_code", nulls_last=True)
    return out.drop(rid, on)


def sum_to_2020(
    rows: pl.DataFrame,
    table: pl.DataFrame,
    by: list[str],
    measures: list[str],
    *,
    uncovered: Iterable[str] = (),
    whole: Iterable[str] = (),
) -> pl.DataFrame:
    """Municipality rows on the codes of their time (`ref_date`, `code`, `by`, `measures`) summed into the 2020
    municipalities by the code valid on each ref_date, with n_source_codes and is_allocated (part of a divided code).

    A measure in `whole` is NULL where one of the rows summed lacks it (a sum over part of a municipality would pass
    for the whole). Codes in `uncovered` (valid codes that no 2020 municipality covers, the 北方領土 villages) are left
    out, and must carry no figures: CrosswalkError with the row otherwise. Any other code not valid on its date is a
    CrosswalkError too.
    """
    left_aside = set(uncovered)
    keys = rows.select("ref_date", "code").unique()
    mapped = attach_muni_2020(keys, "code", "ref_date", table, strict=False)
    unmapped = mapped.filter(pl.col("muni_code").is_null())
    unknown = unmapped.filter(~pl.col("code").is_in(sorted(left_aside)))
    if unknown.height:
        r = unknown.sort("ref_date", "code").row(0, named=True)
        raise CrosswalkError(f"{unknown.height} (date, code) pairs have no 2020 municipality, e.g. {r}")
    left_out = rows.join(unmapped, on=["ref_date", "code"]).filter(
        pl.any_horizontal([pl.col(m).fill_null(0) != 0 for m in measures])
    )
    if left_out.height:
        r = left_out.row(0, named=True)
        raise CrosswalkError(f"{r['code']} has figures but no 2020 municipality: they would be left out", row=r)
    joined = rows.join(mapped.filter(pl.col("muni_code").is_not_null()), on=["ref_date", "code"])
    whole_measures = set(whole)
    return (
        joined.group_by("ref_date", "muni_code", *by)
        .agg(
            *[
                (pl.col(m) * pl.col("share")).sum().alias(m)
                if m not in whole_measures
                else pl.when(pl.col(m).is_not_null().all()).then((pl.col(m) * pl.col("share")).sum()).alias(m)
                for m in measures
            ],
            pl.col("code").n_unique().cast(pl.Int32).alias("n_source_codes"),
            (pl.col("share") < 1).any().alias("is_allocated"),
        )
        .sort("ref_date", "muni_code", *by)
    )


def _fiscal_year_intervals(table: pl.DataFrame, fiscal_year: int) -> pl.DataFrame:
    """Code intervals valid at some time in the fiscal year, with a flag for those valid at its end."""
    start, end = dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)
    return table.filter(
        ~pl.col("is_ward")
        & (pl.col("valid_from") <= end)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > start))
    ).with_columns(
        (pl.col("valid_to").is_null() | (pl.col("valid_to") > end)).alias("at_end"),
        pl.col("code").str.slice(0, 2).alias("pref_code"),
    )


def match_in_fiscal_year(rows: pl.DataFrame, table: pl.DataFrame, fiscal_year: int, *, by_name: bool) -> pl.DataFrame:
    """One fiscal year's list of municipalities → with match_code, muni_code, share (a row per 2020 target) or a reason.

    `rows` has pref_code and name, and code unless `by_name`. By name, a row takes the code with its prefecture and
    name (through name_key) valid in the year, preferring those still valid at its end; a code maps to the 2020
    municipalities of its interval valid at the year's end (else of any interval in the year).
    """
    iv = _fiscal_year_intervals(table, fiscal_year)
    if not by_name:
        keyed = rows.with_columns(pl.col("code").alias("match_code"))
    else:
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
