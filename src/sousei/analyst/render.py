"""The self-contained HTML report: the narrative, fact tables, and the dashboard's charts as inline SVG."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from sousei.analyst import svg
from sousei.analyst.factbook import FactBook
from sousei.analyst.narrative import Section
from sousei.charts import MUNICIPAL_CHARTS
from sousei.query import Warehouse

HERE = Path(__file__).parent / "templates"


@dataclass
class Figure:
    id: str
    title: str
    svg: str
    note: str
    sources: str


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True, auto_reload=False)
    return env.get_template("report.html")


@cache
def _css() -> str:
    return (HERE / "report.css").read_text(encoding="utf-8")


def figures(wh: Warehouse, code: str, sections: list[Section]) -> dict[str, Figure]:
    """The dashboard charts the sections name (ids of sousei.charts.MUNICIPAL_CHARTS), drawn as SVG."""
    ids = [c for s in sections for c in (*s.charts, *(c for b in s.blocks for c in b.charts))]
    out: dict[str, Figure] = {}
    for chart_id in ids:
        fn = MUNICIPAL_CHARTS.get(chart_id)
        if fn is None:
            continue
        chart = fn(wh, code)
        credits = "、".join(n.attribution for n in wh.source_notes(list(chart.sources)))
        out[chart_id] = Figure(chart.id, chart.title, svg.render(chart), chart.note, credits)
    return out


def _row(fb: FactBook, label: str, ids: list[str], unit: str = "") -> list[str]:
    return [label] + [fb.p(i) + unit if i in fb else "—" for i in ids]


def tables(fb: FactBook) -> dict[str, list[dict[str, Any]]]:
    """Fact tables (every cell is a fact's printed string)."""
    out: dict[str, list[dict[str, Any]]] = {}
    years = fb.lists.get("pop.years", [])
    if years:
        out.setdefault("current", []).append(
            {
                "caption": "総人口の推移（国勢調査、人）",
                "head": ["", *[f"{y}年" for y in years]],
                "rows": [_row(fb, "総人口", [f"pop.total.{y}" for y in years])],
            }
        )
    if "future.groups" in fb.lists:
        rows = []
        for key in fb.lists["future.groups"]:
            label = fb.label(f"future.{key}.2020")
            rows.append(
                _row(fb, label, [f"future.{key}.{y}" for y in (2020, 2030, 2040, 2050)])
                + [fb.p(f"future.{key}.2050.change") + "%" if f"future.{key}.2050.change" in fb else "—"]
            )
        out.setdefault("future", []).append(
            {
                "caption": "計画で使う人口の見通し（パターン1、人）",
                "head": ["", "2020年", "2030年", "2040年", "2050年", "2020→50年"],
                "rows": rows,
            }
        )
    if fb.has_value("proj.pattern1.2050"):
        rows = []
        for sc, label in (("pattern1", "パターン1"), ("sim1", "シミュレーション1"), ("sim2", "シミュレーション2")):
            rows.append(_row(fb, label, [f"proj.{sc}.{y}" for y in (2020, 2040, 2050, 2070)]))
        out.setdefault("projection", []).append(
            {
                "caption": "シナリオ別の総人口（人）",
                "head": ["", "2020年", "2040年", "2050年", "2070年"],
                "rows": rows,
            }
        )
    return out


def html(wh: Warehouse, fb: FactBook, sections: list[Section]) -> str:
    return _template().render(
        name=fb.p("muni.name"),
        pref=fb.p("muni.pref_name"),
        kind=fb.p("muni.kind"),
        peer_group=fb.p("muni.peer_group"),
        code=fb.code,
        warehouse=str(fb.meta.get("warehouse", "")).split("T")[0].split("|")[0],
        sections=sections,
        figures=figures(wh, fb.code, sections),
        tables=tables(fb),
        css=_css(),
    )
