"""Status of a 基本構想 KPI target against the straight path to it (pure).

The straight path runs from the start to the target value at the target date. The start is the deck's baseline
(at its year's end, or at the 基本構想's decision date when the deck gives no year); without a baseline, the first
recorded value is the start. The status of the latest recorded value:

- 「順調」 (on_track): it has reached the target, or it is at or beyond the path's value at its date;
- 「遅れ」 (behind): it falls short of the path's value at its date;
- 「データなし」 (no_data): nothing is recorded, or the status cannot be judged — a target that is not numeric,
  one without a target date (and not yet reached), or one without a baseline and only one recorded value
  (which is the start of its own path). The reason is said in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sousei.desk.catalog.data import Target

ON_TRACK = "on_track"
BEHIND = "behind"
NO_DATA = "no_data"
STATUS_JA = {ON_TRACK: "順調", BEHIND: "遅れ", NO_DATA: "データなし"}


@dataclass(frozen=True)
class Point:
    on: date
    value: float


@dataclass(frozen=True)
class Status:
    code: str
    note: str
    latest: Point | None = None
    expected: float | None = None  # the path's value at the latest point's date
    start: Point | None = None  # where the path starts

    @property
    def label(self) -> str:
        return STATUS_JA[self.code]


def path_start(target: Target, points: Sequence[Point], decided_on: date) -> Point | None:
    if target.baseline is not None:
        on = date(target.baseline_year, 12, 31) if target.baseline_year else decided_on
        return Point(on, target.baseline)
    return min(points, key=lambda p: p.on) if points else None


def path_value(start: Point, target: Target, on: date) -> float:
    """The straight path's value at a date (the target itself from the target date on)."""
    assert target.target is not None and target.target_date is not None
    total = (target.target_date - start.on).days
    if total <= 0 or on >= target.target_date:
        return target.target
    share = max(0, (on - start.on).days) / total
    return start.value + (target.target - start.value) * share


def _ahead(target: Target, value: float, reference: float) -> bool:
    return value <= reference if target.target_kind == "at_most" else value >= reference


def status(target: Target, points: Sequence[Point], decided_on: date) -> Status:
    if not target.is_numeric:
        return Status(NO_DATA, "数値目標ではないため、進捗の判定はしません")
    if not points:
        return Status(NO_DATA, "進捗の値がまだ登録されていません")
    latest = max(points, key=lambda p: (p.on, p.value))
    assert target.target is not None
    if _ahead(target, latest.value, target.target):
        return Status(ON_TRACK, "目標値に達しています", latest, target.target, path_start(target, points, decided_on))
    if target.target_date is None:
        return Status(NO_DATA, "目標の期限が示されていないため、直線経路と比べられません", latest)
    start = path_start(target, points, decided_on)
    assert start is not None
    if target.baseline is None and len(points) < 2:
        return Status(NO_DATA, "基準値がなく、登録された値が1件のみのため判定できません", latest, None, start)
    expected = path_value(start, target, latest.on)
    if _ahead(target, latest.value, expected):
        return Status(ON_TRACK, "目標への直線経路どおりか、それより進んでいます", latest, expected, start)
    return Status(BEHIND, "目標への直線経路より遅れています", latest, expected, start)
