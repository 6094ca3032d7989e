"""What the dashboard's routes read, one per app: the warehouse it serves, the templates and the rendered-chart and
page caches, with the look-ups that answer 404.

Routes reach it through FastAPI dependencies (`SiteDep`, `WarehouseDep`) that take it from `request.app.state`:
web/live.py serves each request with the app current when it arrived and swaps in a whole new app (and so a new
Site over the new warehouse) after a rebuild, so a dependency always hands out the warehouse of the app serving the
request and never mixes two.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import brotli
import plotly
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from sousei.charts import MUNICIPAL_CHARTS, NATIONAL_CHARTS, TABS, Chart
from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.domain.projection.params import DEFAULT_TFR_2030, DEFAULT_TFR_2040
from sousei.query import DIRECTION_JA, MUNI_CODE, IndicatorValues, SourceNote, Warehouse
from sousei.web.chart_text import chart_table
from sousei.web.formatting import score_band, score_text, score_word
from sousei.web.methods import plain_text
from sousei.web.pending import MIGRATION_OD, PENDING_CHARTS
from sousei.web.responses import LRU

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_INDICATOR = "pop_aging_rate_pct"
BASIS_JA = {"level": "水準", "trend": "変化", "level_and_trend": "水準と変化"}


def make_templates() -> Jinja2Templates:
    """The Jinja2 environment of the pages, with the filters and names every template may use."""
    templates = Jinja2Templates(directory=TEMPLATES)
    env = templates.env
    env.auto_reload = False  # templates ship with the package: no stat() per include and render
    env.globals.update(
        plotly_version=plotly.__version__,
        tabs=TABS,
        pattern1_label=PATTERN1_LABEL,
        default_indicator=DEFAULT_INDICATOR,
        direction_ja=DIRECTION_JA,
        basis_ja=BASIS_JA,
        chart_table=chart_table,
        pending_charts=PENDING_CHARTS,
        migration_od=MIGRATION_OD,
        score_word=score_word,
        score_band=score_band,
        default_tfr_2030=DEFAULT_TFR_2030,
        default_tfr_2040=DEFAULT_TFR_2040,  # the simulator's starting sliders
    )
    env.filters["num"] = lambda v, d=0: "—" if v is None else f"{v:,.{d}f}"
    env.filters["signed"] = lambda v, d=0: "—" if v is None else f"{v:+,.{d}f}"
    env.filters["score"] = score_text
    env.filters["plain"] = plain_text
    return templates


@dataclass
class Site:
    wh: Warehouse
    templates: Jinja2Templates
    build_id: str  # names the warehouse file in URLs that browsers may cache (outlines)
    charts: LRU = field(default_factory=lambda: LRU(8192))  # rendered charts, per (code, chart)
    pages: LRU = field(default_factory=lambda: LRU(4096))  # rendered municipality pages with their compressed bodies

    def page(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, ctx, status_code=status)

    def municipality_or_404(self, code: str) -> dict[str, Any]:
        muni = self.wh.municipality(code)
        if muni is None:
            detail = (
                "市区町村コードは5桁の数字です"
                if not MUNI_CODE.match(code)
                else f"市区町村コード {code} は見つかりません"
            )
            raise HTTPException(404, detail)
        return muni

    def indicator_or_404(self, indicator_id: str) -> IndicatorValues:
        iv = self.wh.indicator(indicator_id)
        if iv is None:
            raise HTTPException(404, f"指標 {indicator_id} はありません")
        return iv

    def chart_or_404(self, code: str, chart_id: str) -> Chart:
        self.municipality_or_404(code)
        fn = MUNICIPAL_CHARTS.get(chart_id)
        if fn is None:
            raise HTTPException(404, f"グラフ {chart_id} はありません")
        return self.charts.get(("chart", code, chart_id), lambda: fn(self.wh, code))  # type: ignore[no-any-return]

    def national_chart_or_404(self, chart_id: str) -> Chart:
        fn = NATIONAL_CHARTS.get(chart_id)
        if fn is None:
            raise HTTPException(404, f"グラフ {chart_id} はありません")
        return self.charts.get(("japan", chart_id), lambda: fn(self.wh))  # type: ignore[no-any-return]

    def chart_payload(self, charts: list[Chart]) -> tuple[dict[str, list[SourceNote]], str]:
        """Each chart's source notes, and the specs of those with data as JSON for the page's <script>."""
        notes = {c.id: self.wh.source_notes(c.sources) for c in charts}
        # "<" escaped so that no string in the data can close the <script> element.
        specs = json.dumps([c.spec() for c in charts if c.has_data], ensure_ascii=False).replace("<", "\\u003c")
        return notes, specs

    def by_family(self) -> dict[str, list[dict[str, Any]]]:
        """Indicators grouped by family (Japanese name), in registry order."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for i in self.wh.indicators():
            groups.setdefault(i["family_ja"], []).append(i)
        return groups

    def check_pref_peer(self, pref: str | None, peer: str | None) -> None:
        if pref is not None and pref not in {p["pref_code"] for p in self.wh.prefectures()}:
            raise HTTPException(404, f"都道府県コード {pref} はありません")
        if peer is not None and peer not in self.wh.peer_groups():
            raise HTTPException(404, f"類似団体区分 {peer} はありません")

    @cached_property
    def geo_bodies(self) -> dict[str, bytes] | None:
        """The outlines at survey detail (GeoJSON) in each encoding, compressed once; None without boundaries."""
        raw = self.wh.municipal_geojson()
        if raw is None:
            return None
        return {"br": brotli.compress(raw, quality=9), "gzip": gzip.compress(raw, 6), "identity": raw}

    def check_family(self, family: str | None) -> str | None:
        if family is not None and family not in {i["family"] for i in self.wh.indicators()}:
            raise HTTPException(404, f"分野 {family} はありません")
        return family


async def current_site(request: Request) -> Site:
    """The Site of the app serving this request (see the module's docstring on reloads)."""
    return request.app.state.site  # type: ignore[no-any-return]


async def current_warehouse(request: Request) -> Warehouse:
    """The warehouse of the app serving this request."""
    return request.app.state.wh  # type: ignore[no-any-return]


# The dependencies are `async def`: a plain `def` one would run in the thread pool, a thread hop on every request
# (it halved the cached pages' throughput).
SiteDep = Annotated[Site, Depends(current_site)]
WarehouseDep = Annotated[Warehouse, Depends(current_warehouse)]
