"""Unit tests of the priority-issue rule (docs/methods/priority.md)."""

from __future__ import annotations

import polars as pl

from sousei.domain.diagnosis import ISSUE_COLUMNS, PER_FAMILY, priority_issues


def _row(ind: str, muni: str, year: int, oj: float, oc: float | None = None, op: float = 50.0) -> dict:
    return {
        "indicator_id": ind, "muni_code": muni, "year": year, "value": 1.0, "national_value": 2.0,
        "prefecture_value": 3.0, "peer_group": "g", "peer_mean": 4.0, "deviation_japan": oj, "deviation_peer": op,
        "oriented_japan": oj, "oriented_peer": op, "rank_japan": 1, "n_japan": 2, "rank_prefecture": 1,
        "n_prefecture": 1, "previous_year": None if oc is None else year - 1, "previous_value": None,
        "change": None if oc is None else -1.0, "oriented_change_score": oc,
    }  # fmt: skip


META = pl.DataFrame(
    {
        "indicator_id": ["a", "b", "c", "n", "e1", "e2", "e3", "e4"],
        "family": ["population", "population", "living", "population", "economy", "economy", "economy", "economy"],
        "direction": ["higher_better"] * 3 + ["neutral"] + ["lower_better"] * 4,
        "unit": ["%"] * 8,
        "sources": ["s"] * 8,
    }
)


def _issues(rows: list[dict]) -> pl.DataFrame:
    return priority_issues(pl.DataFrame(rows), META)


def test_level_and_trend_flags_and_the_score() -> None:
    out = _issues(
        [
            _row("a", "00001", 2020, 40.0, 45.0, 30.0),  # level only: 10 + 0.5·5 + 0.25·20 = 17.5
            _row("b", "00001", 2020, 48.0, 30.0),  # trend only: 2 + 0.5·20 = 12
            _row("c", "00001", 2020, 44.0, 38.0),  # both: 6 + 0.5·12 = 12
            _row("n", "00001", 2020, 10.0, 10.0),  # neutral: never an issue
        ]
    )
    assert out.columns == list(ISSUE_COLUMNS)
    got = {r["indicator_id"]: (r["basis"], r["priority_score"], r["rank"]) for r in out.iter_rows(named=True)}
    assert got == {"a": ("level", 17.5, 1), "b": ("trend", 12.0, 2), "c": ("level_and_trend", 12.0, 3)}


def test_not_weak_enough_is_not_an_issue_and_only_the_latest_year_counts() -> None:
    out = _issues([_row("a", "00001", 2015, 20.0, None), _row("a", "00001", 2020, 46.0, 41.0)])
    assert out.height == 0


def test_at_most_three_per_family_ranked_within_the_family() -> None:
    rows = [_row(f"e{i}", "00002", 2021, 40.0 - i) for i in range(1, 5)] + [_row("a", "00002", 2021, 44.0)]
    out = _issues(rows)
    econ = out.filter(pl.col("family") == "economy").sort("family_rank")
    assert econ.height == PER_FAMILY
    assert econ["indicator_id"].to_list() == ["e4", "e3", "e2"]
    assert out.sort("rank")["indicator_id"].to_list() == ["e4", "e3", "e2", "a"]
    assert out["rank"].sort().to_list() == [1, 2, 3, 4]


def test_each_municipality_is_ranked_separately() -> None:
    out = _issues([_row("a", "00001", 2020, 30.0), _row("a", "00002", 2020, 40.0), _row("b", "00002", 2020, 20.0)])
    assert out.filter(pl.col("muni_code") == "00001")["rank"].to_list() == [1]
    assert out.filter(pl.col("muni_code") == "00002").sort("rank")["indicator_id"].to_list() == ["b", "a"]
