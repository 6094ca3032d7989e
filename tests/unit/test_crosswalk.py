"""Crosswalk functions on inline code lists: mergers, absorption, a division, ward reorganisation, later recoding."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from sousei.pipeline.crosswalk import (
    Change,
    CodeVersion,
    CrosswalkError,
    apply_changes,
    attach_muni_2020,
    code_intervals,
    dedupe_versions,
    link_versions,
    map_to_2020,
    resolve_targets,
    reweight_splits,
)

D = dt.date
ON = D(2020, 10, 1)


def _versions() -> list[CodeVersion]:
    return [
        # 10001 町A and 10002 村B merge (新設合併) into 10201 市C on 2005-04-01 (event 1).
        CodeVersion("10001", "町A", D(1970, 4, 1), D(2005, 4, 1), False, end_events=[1]),
        CodeVersion("10002", "村B", D(1970, 4, 1), D(2005, 4, 1), False, end_events=[1]),
        CodeVersion("10201", "市C", D(2005, 4, 1), D(2006, 3, 1), False, start_events=[1], end_events=[2]),
        CodeVersion("10201", "市C", D(2006, 3, 1), None, False, start_events=[2]),
        # 10003 村D is divided on 2006-03-01 between 市C and 10004 町E (new versions of both: event 2).
        CodeVersion("10003", "村D", D(1970, 4, 1), D(2006, 3, 1), False, end_events=[2]),
        CodeVersion("10004", "町E", D(1970, 4, 1), D(2006, 3, 1), False, end_events=[2]),
        CodeVersion("10004", "町E", D(2006, 3, 1), None, False, start_events=[2]),
        # 10100 市F is a designated city with ward 10101 (valid in 2020).
        CodeVersion("10100", "市F", D(1990, 4, 1), None, False),
        CodeVersion("10101", "北区", D(1990, 4, 1), None, True, parent="10100"),
        # 10005 町G becomes 10202 市G in 2018 (after the list's vintage: applied from the change list).
        CodeVersion("10005", "町G", D(1970, 4, 1), None, False),
    ]


def _table() -> pl.DataFrame:
    versions = dedupe_versions(_versions() + [CodeVersion("10001", "町A", D(1970, 4, 1), D(2005, 4, 1), False)])
    succ = link_versions(versions)
    apply_changes(
        versions,
        succ,
        [
            Change(D(2018, 10, 1), "10005", "10202", "市G"),
            # 2024: ward 10101 splits into 10102 and 10103 (after 2020-10-01: they map back to the city).
            Change(D(2024, 1, 1), "10101", "10102", "中央区"),
            Change(D(2024, 1, 1), "10101", "10103", "浜区"),
        ],
    )
    targets = resolve_targets(versions, succ, {"10201", "10004", "10100", "10202"}, {"10101": "10100"}, ON)
    return code_intervals(versions, targets)


def test_intervals_and_shares() -> None:
    t = _table()
    got = {(r["code"], r["muni_code"]): (r["valid_from"], r["valid_to"], r["share"]) for r in t.iter_rows(named=True)}
    assert got[("10001", "10201")] == (D(1970, 4, 1), D(2005, 4, 1), 1.0)
    assert got[("10003", "10201")] == (D(1970, 4, 1), D(2006, 3, 1), 0.5)
    assert got[("10003", "10004")] == (D(1970, 4, 1), D(2006, 3, 1), 0.5)
    # 町E's two versions map to itself: merged into one interval.
    assert got[("10004", "10004")] == (D(1970, 4, 1), None, 1.0)
    assert got[("10005", "10202")] == (D(1970, 4, 1), D(2018, 10, 1), 1.0)
    assert got[("10202", "10202")] == (D(2018, 10, 1), None, 1.0)
    assert got[("10101", "10100")] == (D(1990, 4, 1), D(2024, 1, 1), 1.0)
    assert got[("10102", "10100")] == (D(2024, 1, 1), None, 1.0)
    assert t.filter(pl.col("code") == "10001").height == 1  # the repeated record was merged
    sums = t.group_by("code", "valid_from").agg(pl.col("share").sum())
    assert sums["share"].to_list() == [1.0] * sums.height


def test_map_to_2020() -> None:
    t = _table()
    assert map_to_2020(t, "10002", D(2000, 10, 1)) == [("10201", 1.0)]
    assert map_to_2020(t, "10003", D(2005, 10, 1)) == [("10004", 0.5), ("10201", 0.5)]
    assert map_to_2020(t, "10103", D(2024, 6, 1)) == [("10100", 1.0)]
    with pytest.raises(KeyError):
        map_to_2020(t, "10002", D(2005, 4, 1))  # the day of the merger: no longer valid
    with pytest.raises(KeyError):
        map_to_2020(t, "10202", D(2015, 10, 1))  # not yet valid


def test_divided_code_takes_the_population_weights_of_its_parts() -> None:
    t = reweight_splits(_table(), {"10003": {"10201": 208.0, "10004": 894.0}})
    assert map_to_2020(t, "10003", D(2005, 10, 1)) == [("10004", 894 / 1102), ("10201", 208 / 1102)]
    assert map_to_2020(t, "10002", D(2000, 10, 1)) == [("10201", 1.0)]  # undivided codes untouched
    with pytest.raises(CrosswalkError, match="divided among"):
        reweight_splits(_table(), {"10003": {"10201": 1.0, "99999": 1.0}})
    with pytest.raises(CrosswalkError, match="sum to"):
        reweight_splits(_table(), {"10003": {"10201": 0.0, "10004": 0.0}})


def test_attach_muni_2020() -> None:
    t = _table()
    frame = pl.DataFrame(
        {
            "code": ["10001", "10003", "10201", "10101"],
            "ref_date": [D(2000, 3, 31), D(2005, 3, 31), D(2010, 3, 31), D(2022, 1, 1)],
            "persons": [100, 60, 500, 70],
        }
    )
    out = attach_muni_2020(frame, "code", "ref_date", t)
    assert out.columns == ["code", "ref_date", "persons", "muni_code", "share"]
    assert out.select("code", "muni_code", "share").rows() == [
        ("10001", "10201", 1.0),
        ("10003", "10004", 0.5),
        ("10003", "10201", 0.5),
        ("10201", "10201", 1.0),
        ("10101", "10100", 1.0),
    ]
    allocated = out.group_by("muni_code").agg((pl.col("persons") * pl.col("share")).sum()).sort("muni_code")
    assert allocated.rows() == [("10004", 30.0), ("10100", 70.0), ("10201", 630.0)]


def test_attach_fixed_date_and_unknown() -> None:
    t = _table()
    frame = pl.DataFrame({"code": ["10005", "99999"], "x": [1, 2]})
    with pytest.raises(CrosswalkError, match="99999"):
        attach_muni_2020(frame, "code", D(2015, 10, 1), t)
    loose = attach_muni_2020(frame, "code", D(2015, 10, 1), t, strict=False)
    assert loose.select("code", "muni_code").rows() == [("10005", "10202"), ("99999", None)]


def test_missing_successor_fails() -> None:
    versions = [CodeVersion("10001", "町A", D(1970, 4, 1), D(2005, 4, 1), False, end_events=[9])]
    with pytest.raises(CrosswalkError, match="no successor"):
        resolve_targets(versions, link_versions(versions), {"10201"}, {}, ON)


def test_change_of_unknown_code_fails() -> None:
    versions = _versions()
    with pytest.raises(CrosswalkError, match="10999"):
        apply_changes(versions, link_versions(versions), [Change(D(2018, 1, 1), "10999", "10998", "x")])
