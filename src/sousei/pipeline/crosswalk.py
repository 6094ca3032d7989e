"""Code crosswalks as pure functions: code versions and dated changes → (code, interval) → 2020 municipality, share."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

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
    """The code lists do not fit together (a code with no successor, an unpinned division, an unknown code)."""


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
