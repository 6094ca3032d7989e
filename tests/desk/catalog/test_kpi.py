"""KPI status rules against the straight path."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sousei.desk.catalog import data
from sousei.desk.catalog.kpi import BEHIND, NO_DATA, ON_TRACK, Point, path_value, status

DECIDED = date(2025, 6, 13)


def _target(tid: str) -> data.Target:
    return next(t for t in data.targets() if t.id == tid)


def test_no_entry_is_no_data() -> None:
    assert status(_target("inbound-visitors"), [], DECIDED).code == NO_DATA


def test_milestones_are_not_judged() -> None:
    s = status(_target("regional-finance-bill"), [Point(date(2026, 1, 1), 1.0)], DECIDED)
    assert s.code == NO_DATA and "数値目標ではない" in s.note


def test_baseline_path_on_track_and_behind() -> None:
    # startup hub cities 8 → 13, given a date for the test: 8 at 2025-06-13, 13 at 2030-06-13 (1,826 days)
    t = replace(_target("startup-hub-cities"), target_date=date(2030, 6, 13))
    halfway = date(2027, 12, 13)
    assert abs(path_value(Point(DECIDED, 8), t, halfway) - 10.5) < 0.01
    assert status(t, [Point(halfway, 11)], DECIDED).code == ON_TRACK
    s = status(t, [Point(halfway, 10)], DECIDED)
    assert s.code == BEHIND and abs(s.expected - 10.5) < 0.01


def test_without_baseline_the_first_value_starts_the_path() -> None:
    t = _target("inbound-visitors")  # 6,000万人 by 2030-12-31, no baseline in the deck
    one = [Point(date(2025, 12, 31), 4000)]
    assert status(t, one, DECIDED).code == NO_DATA
    two = [*one, Point(date(2026, 12, 31), 4300)]  # the path asks 4,400 after one of five years
    s = status(t, two, DECIDED)
    assert s.code == BEHIND and abs(s.expected - 4400) < 1
    assert status(t, [*one, Point(date(2026, 12, 31), 4500)], DECIDED).code == ON_TRACK


def test_decreasing_target_and_reached_target() -> None:
    t = replace(_target("transport-gap-districts"), target_date=date(2030, 6, 13))  # 2,000 → 0
    assert status(t, [Point(date(2027, 12, 13), 900)], DECIDED).code == ON_TRACK
    assert status(t, [Point(date(2027, 12, 13), 1100)], DECIDED).code == BEHIND
    no_date = _target("transport-gap-districts")
    assert status(no_date, [Point(date(2027, 1, 1), 500)], DECIDED).code == NO_DATA
    assert status(no_date, [Point(date(2027, 1, 1), 0)], DECIDED).code == ON_TRACK  # reached: 目標値に達して
