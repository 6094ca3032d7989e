"""The text alternative of a chart: its data as a table (x down the side, one column per series)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sousei.charts import Chart


@dataclass(frozen=True)
class ChartTable:
    names: list[str]
    rows: list[tuple[Any, list[float | None]]]
    digits: int


def _decimals(v: float) -> int:
    for d in range(4):
        if abs(v * 10**d - round(v * 10**d)) < 1e-9:
            return d
    return 3


def chart_table(chart: Chart) -> ChartTable:
    """Every x of every series in first-seen order; a series without a value at an x shows 「—」 there."""
    xs: dict[Any, None] = {}
    for s in chart.series:
        xs.update(dict.fromkeys(s.x))
    by_series = [dict(zip(s.x, s.y, strict=True)) for s in chart.series]
    rows = [(x, [d.get(x) for d in by_series]) for x in xs]
    values = [v for _, vals in rows for v in vals if v is not None]
    digits = max((_decimals(float(v)) for v in values), default=0)
    return ChartTable([s.name for s in chart.series], rows, digits)
