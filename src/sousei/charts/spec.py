"""What a chart is: a declarative spec (kind, titles, series, sources, note) that app.js draws with Plotly, the CSV
download writes and the analyst draws as SVG; and the helpers that turn rows read from `sousei.query` into series
(rounded for display: the data is the warehouse's)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Series:
    name: str
    x: list[Any]
    y: list[float | None]
    dash: bool = False
    kind: str = ""  # overrides the chart kind for this series: 'bar' | 'line'
    side: str = ""  # a pyramid's side, 'left' | 'right' (drawn on the left as negative)
    color: str = ""  # a fixed colour (CSS), else the drawing's sequence

    def spec(self) -> dict[str, Any]:
        """What app.js needs of the series; side and color only where set (other charts' specs keep their shape)."""
        out = {"name": self.name, "x": self.x, "y": self.y, "dash": self.dash, "kind": self.kind}
        return out | ({"side": self.side} if self.side else {}) | ({"color": self.color} if self.color else {})


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
    tab: str = "overview"
    extra: dict[str, Any] = field(default_factory=dict)  # drawing hints: highlight (x categories to shade)
    notice: str = ""  # a notice the data's terms require (the e-Stat API notice)

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
            "series": [s.spec() for s in self.series],
            **self.extra,
        }

    def to_csv(self) -> str:
        """Long form: 系列, x, y — exactly the values drawn."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["系列", self.x_label, self.y_label])
        for s in self.series:
            for x, y in zip(s.x, s.y, strict=True):
                # a whole number without ".0" (1401757, not 1401757.0); values are rounded where drawn
                writer.writerow([s.name, x, "" if y is None else int(y) if float(y).is_integer() else y])
        return buf.getvalue()


def rounded(v: Any, digits: int | None = None) -> float | None:
    if v is None:
        return None
    return float(v) if digits is None else round(float(v), digits)


def series_of(rows: list[tuple[Any, ...]], name: str, dash: bool = False, digits: int | None = 0) -> Series:
    """A series from (x, y) rows."""
    return Series(name, [r[0] for r in rows], [rounded(r[1], digits) for r in rows], dash)


def series_of_dicts(
    rows: list[dict[str, Any]], name: str, x: str = "year", y: str = "persons", dash: bool = False, digits: int = 0
) -> Series:
    """A series from dict rows (the national charts, each drawn once per process)."""
    return Series(name, [r[x] for r in rows], [rounded(r[y], digits) for r in rows], dash)
