"""The dashboard's own pages: the top page with its map, a municipality's tabs with their chart CSVs, Japan's
charts and the sources; and Plotly's script, served compressed."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import brotli
import plotly
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sousei.charts import NATIONAL_CHARTS, TAB_FAMILY, TABS, charts_for_tab, key_scores
from sousei.desk import web_catalog
from sousei.estat import NOTICE as ESTAT_NOTICE
from sousei.web.params import ChartId, Code
from sousei.web.responses import IMMUTABLE, csv_response, encoded, negotiated
from sousei.web.simulator_view import PROJECTION_SOURCES, simulator_context
from sousei.web.site import DEFAULT_INDICATOR, Site, SiteDep
from sousei.web.sources_ja import sources_in_japanese

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

router = APIRouter(include_in_schema=False)


@cache
def _plotly_bodies() -> dict[str, bytes]:
    raw = PLOTLY_JS.read_bytes()
    return {"br": brotli.compress(raw, quality=9), "gzip": gzip.compress(raw, 9), "identity": raw}


@router.get("/static/vendor/plotly.min.js")
def plotly_js(request: Request) -> Response:
    return encoded(request, _plotly_bodies(), "application/javascript", IMMUTABLE, f'"{plotly.__version__}"')


@router.get("/", response_class=HTMLResponse)
def index(
    request: Request,
    site: SiteDep,
    indicator: Annotated[str, Query(max_length=60)] = DEFAULT_INDICATOR,
    pref: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    if request.query_params.get("q") is not None:  # the form's old action, kept for bookmarks
        return RedirectResponse("/search?" + urlencode({"q": request.query_params["q"]}), status_code=303)
    wh = site.wh
    indicators = wh.indicators()
    ind = site.indicator_or_404(indicator)
    prefs = wh.prefectures()
    if pref is not None and pref not in {p["pref_code"] for p in prefs}:
        raise HTTPException(404, f"都道府県コード {pref} はありません")
    return site.page(
        request,
        "index.html",
        prefectures=prefs,
        indicators=indicators,
        indicator=ind.meta,
        groups=site.by_family(),
        pref=pref,
        has_map=wh.has("core_geo__municipalities"),
        build_id=site.build_id,
        notes=wh.source_notes([*ind.meta["sources"], "boundaries"]),
    )


@router.get("/m/{code}", response_class=HTMLResponse)
async def municipality_page(
    request: Request, site: SiteDep, code: Code, tab: Annotated[str, Query(max_length=20)] = "overview"
) -> Response:
    # async: a cached page is served on the event loop without a thread hop; a first render (a few ms of
    # in-memory work, no I/O) runs there too.
    muni = site.municipality_or_404(code)
    if tab not in TABS:
        raise HTTPException(404, f"タブ {tab} はありません")
    # the 好事例 tab follows the desk's catalog: its cache key carries the catalog's state
    state = web_catalog.catalog_state(request.app) if tab == "cases" else None
    bodies = site.pages.get(
        ("page", code, tab, state), lambda: {"identity": render_municipality(site, request.app, muni, tab).encode()}
    )
    return negotiated(request, bodies, "text/html; charset=utf-8")


def render_municipality(site: Site, app: FastAPI, muni: dict[str, Any], tab: str) -> str:
    """The page of one municipality's tab (it depends on nothing but the code and the tab: cached)."""
    wh = site.wh
    code = muni["muni_code"]
    charts = charts_for_tab(wh, code, tab)
    notes, specs = site.chart_payload(charts)
    ctx: dict[str, Any] = {
        "muni": muni,
        "charts": charts,
        "notes": notes,
        "specs": specs,
        "tab": tab,
        "estat_notice": ESTAT_NOTICE if any(c.notice and c.has_data for c in charts) else "",
    }
    if tab in ("overview", "projection"):
        ctx["sustainability"] = wh.sustainability(code)
    if tab in TAB_FAMILY:
        ctx["comparisons"] = wh.comparisons(code, TAB_FAMILY[tab])
    if tab == "overview":
        ctx["key_scores"] = key_scores(wh, code)
        ctx["priorities"] = wh.priority_issues(code)
        ctx["projection_notes"] = wh.source_notes(PROJECTION_SOURCES)
    if tab == "births":
        ctx["walls"] = wh.walls(code)
    if tab == "migration":
        ctx["youth"] = [
            r for r in wh.comparisons(code, "migration") if "15_29" in r["indicator_id"] or "20_39" in r["indicator_id"]
        ]
    if tab == "industry":
        ctx["leading"] = wh.leading_industries(code)
    if tab == "cases":
        ctx["case_recs"] = web_catalog.recommendations_for(app, code)
    if tab == "projection":
        ctx["can_simulate"] = wh.has("core_census__population_by_sex_age")
        ctx["unit"] = wh.projection_unit(code)
        if ctx["unit"] != code:
            ctx["joint"] = wh.joint_unit(code)
        ctx |= simulator_context(wh, code)
    return site.templates.env.get_template("municipality.html").render(ctx)


def warm(site: Site, app: FastAPI) -> None:
    """Read every per-municipality table once now (one page per tab), not in the first requests."""
    for tab in TABS:
        render_municipality(site, app, site.wh.municipalities()[0], tab)
    for chart_id in NATIONAL_CHARTS:
        site.national_chart_or_404(chart_id)


@router.get("/m/{code}/charts/{chart_id}.csv")
def chart_csv(site: SiteDep, code: Code, chart_id: ChartId) -> Response:
    return csv_response(site.chart_or_404(code, chart_id).to_csv(), f"{code}_{chart_id}.csv")


@router.get("/japan", response_class=HTMLResponse)
def japan_page(request: Request, site: SiteDep) -> HTMLResponse:
    charts = [site.national_chart_or_404(c) for c in NATIONAL_CHARTS]
    notes, specs = site.chart_payload(charts)
    return site.page(request, "japan.html", charts=charts, notes=notes, specs=specs)


@router.get("/japan/charts/{chart_id}.csv")
def japan_chart_csv(site: SiteDep, chart_id: ChartId) -> Response:
    return csv_response(site.national_chart_or_404(chart_id).to_csv(), f"japan_{chart_id}.csv")


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, site: SiteDep) -> HTMLResponse:
    sources = sources_in_japanese(site.wh.all_sources())
    return site.page(request, "sources.html", sources=sources, estat_notice=ESTAT_NOTICE)
