"""Gather every figure of one municipality's report through the read layer into a FactBook.

Nothing here writes prose; `narrative` reads only the FactBook this returns. Fact ids are stable names
(`pop.total.2020`, `ind.tfr_bayes.national`, `issue.1.value` …) so that the golden files diff cleanly. One module
per part of the report: `population` (census, 住民基本台帳, migration), `indicators` (comparisons, walls, industries,
priority issues), `projection` (scenarios and the plan's age groups), `context` (method, limits, 好事例, sources).
"""

from __future__ import annotations

from sousei.analyst import ANALYST_VERSION
from sousei.analyst.factbook import FactBook
from sousei.analyst.facts.common import SECTION_INDICATORS
from sousei.analyst.facts.context import add_cases, add_method, add_sources, add_unloaded
from sousei.analyst.facts.indicators import add_indicator, add_industries, add_issues, add_walls
from sousei.analyst.facts.population import add_migration, add_population, add_vital_change
from sousei.analyst.facts.projection import add_future, add_projection
from sousei.query import Warehouse

__all__ = ["gather"]


def gather(wh: Warehouse, code: str) -> FactBook:
    """Every figure of the report of `code` (ValueError for a code that is not one of the 1,741)."""
    muni = wh.municipality(code)
    if muni is None:
        raise ValueError(f"市区町村コード {code!r} は2020年の1,741市区町村にありません（5桁、例：31201）")
    fb = FactBook(code, meta={"warehouse": wh.build_stamp(), "analyst_version": ANALYST_VERSION})
    areas = "core_areas__municipalities"
    for key, label in (
        ("name", "市区町村名"),
        ("pref_name", "都道府県名"),
        ("kind", "区分"),
        ("peer_group", "類似団体区分"),
    ):
        fb.add(
            f"muni.{key}", label, muni[key], table=areas, sources="municipal_codes, peer_groups", text=muni[key] or "—"
        )
    add_population(wh, fb, code, muni["pref_code"])
    add_vital_change(wh, fb, code)
    for section, ids in SECTION_INDICATORS.items():
        fb.lists[f"indicators.{section}"] = [i for i in ids if add_indicator(wh, fb, code, i)]
    add_walls(wh, fb, code)
    add_migration(wh, fb, code)
    add_industries(wh, fb, code)
    add_projection(wh, fb, code)
    add_future(wh, fb, code)
    add_issues(wh, fb, code)
    add_cases(wh, fb, code)
    add_method(fb)
    add_unloaded(wh, fb)
    add_sources(wh, fb)
    return fb
