"""Every chart of the dashboard, defined once: the page draws it and the CSV download writes exactly its data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sousei.query import Warehouse


@dataclass
class Series:
    name: str
    x: list[Any]
    y: list[float | None]
    dash: bool = False


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # 'line' | 'bar' | 'pyramid' | 'hbar'
    x_label: str
    y_label: str
    series: list[Series]
    sources: tuple[str, ...]
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return any(any(v is not None for v in s.y) for s in self.series)

    def spec(self) -> dict[str, Any]:
        """What app.js needs to draw the chart with Plotly."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "series": [{"name": s.name, "x": s.x, "y": s.y, "dash": s.dash} for s in self.series],
        }

    def to_csv(self) -> str:
        """Long form: 系列, x, y — exactly the values drawn."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["系列", self.x_label, self.y_label])
        for s in self.series:
            for x, y in zip(s.x, s.y, strict=True):
                writer.writerow([s.name, x, "" if y is None else y])
        return buf.getvalue()


ChartFn = Callable[[Warehouse, str], Chart]
MUNICIPAL_CHARTS: dict[str, ChartFn] = {}


def municipal_chart(fn: ChartFn) -> ChartFn:
    MUNICIPAL_CHARTS[fn.__name__.removeprefix("chart_")] = fn
    return fn


def _series(rows: list[dict[str, Any]], name: str, x: str = "year", y: str = "persons", dash: bool = False) -> Series:
    return Series(name, [r[x] for r in rows], [None if r[y] is None else float(r[y]) for r in rows], dash)


@municipal_chart
def chart_population(wh: Warehouse, code: str) -> Chart:
    """Total population: census 1980–2020 and the IPSS projections."""
    series: list[Series] = []
    sources: list[str] = []
    if wh.has("core_census__population_by_sex_age"):
        rows = wh.rows(
            "SELECT census_year AS year, round(sum(persons)) AS persons FROM core_census__population_by_sex_age "
            "WHERE muni_code = ? GROUP BY ALL ORDER BY year",
            [code],
        )
        series.append(_series(rows, "国勢調査（実績）"))
        sources += ["census_1980_2015_sex_age5", "census_2020_sex_age5"]
    if wh.has("core_ipss2023__population"):
        rows = wh.rows(
            "SELECT year, total_persons AS persons FROM core_ipss2023__population WHERE area_code = ? ORDER BY year",
            [code],
        )
        if rows:
            series.append(_series(rows, "社人研 2023年推計", dash=True))
            sources.append("ipss_2023_regional_totals")
    if wh.has("core_ipss2018__population"):
        rows = wh.rows(
            "SELECT year, sum(persons) AS persons FROM core_ipss2018__population WHERE area_code = ? "
            "GROUP BY ALL ORDER BY year",
            [code],
        )
        if rows:
            series.append(_series(rows, "社人研 2018年推計", dash=True))
            sources.append("ipss_2018_regional")
    return Chart("population", "総人口の推移", "line", "年", "人口（人）", series, tuple(sources))


@municipal_chart
def chart_pyramid(wh: Warehouse, code: str) -> Chart:
    """Population pyramid at the 2020 census (age 不詳 allocated)."""
    series: list[Series] = []
    if wh.has("core_census__population_by_sex_age"):
        for sex, label in (("male", "男性"), ("female", "女性")):
            rows = wh.rows(
                "SELECT age_group AS year, round(persons) AS persons FROM core_census__population_by_sex_age "
                "WHERE muni_code = ? AND census_year = 2020 AND sex = ? ORDER BY age_start",
                [code, sex],
            )
            series.append(_series(rows, label))
    return Chart(
        "pyramid", "人口ピラミッド（2020年）", "pyramid", "年齢", "人口（人）", series,
        ("census_2020_sex_age5",), note="年齢不詳は男女別に按分",
    )
