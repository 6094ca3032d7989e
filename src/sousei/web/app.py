"""The dashboard: FastAPI with server-rendered Jinja2 pages over the read-only warehouse."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import brotli
import plotly
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from sousei.query import MUNI_CODE, Warehouse
from sousei.web.charts import MUNICIPAL_CHARTS

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def _plotly_bodies() -> dict[str, bytes]:
    raw = PLOTLY_JS.read_bytes()
    return {"br": brotli.compress(raw, quality=9), "gzip": gzip.compress(raw, 9), "identity": raw}


def create_app(db: Path) -> FastAPI:
    wh = Warehouse(db)
    app = FastAPI(
        title="sousei 地域課題ダッシュボード API",
        description="地方創生の地域課題ダッシュボード：市区町村の指標・将来推計・出典（JSON / CSV）",
        version="0.1.0",
    )
    app.state.wh = wh
    app.add_middleware(GZipMiddleware, minimum_size=800)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["plotly_version"] = plotly.__version__
    templates.env.filters["num"] = lambda v, d=0: "—" if v is None else f"{v:,.{d}f}"

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def municipality_or_404(code: str) -> dict[str, Any]:
        muni = wh.municipality(code)
        if muni is None:
            detail = "市区町村コードは5桁の数字です" if not MUNI_CODE.match(code) else f"市区町村コード {code} は見つかりません"
            raise HTTPException(404, detail)
        return muni

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return page(request, "error.html", status=exc.status_code, message=exc.detail, status_code=exc.status_code)

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        accept = request.headers.get("accept-encoding", "")
        encoding = "br" if "br" in accept else "gzip" if "gzip" in accept else "identity"
        headers = {"Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding"}
        if encoding != "identity":
            headers["Content-Encoding"] = encoding
        return Response(_plotly_bodies()[encoding], media_type="application/javascript", headers=headers)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return page(request, "index.html", prefectures=wh.prefectures())

    @app.get("/m/{code}", response_class=HTMLResponse, include_in_schema=False)
    def municipality_page(request: Request, code: str, tab: str = "overview") -> HTMLResponse:
        muni = municipality_or_404(code)
        charts = [fn(wh, code) for fn in MUNICIPAL_CHARTS.values()]
        notes = {c.id: wh.source_notes(c.sources) for c in charts}
        # "<" escaped so that no string in the data can close the <script> element.
        specs = json.dumps([c.spec() for c in charts], ensure_ascii=False).replace("<", "\\u003c")
        return page(request, "municipality.html", muni=muni, charts=charts, notes=notes, specs=specs, tab=tab)

    @app.get("/m/{code}/charts/{chart_id}.csv", include_in_schema=False)
    def chart_csv(code: str, chart_id: str) -> Response:
        municipality_or_404(code)
        fn = MUNICIPAL_CHARTS.get(chart_id)
        if fn is None:
            raise HTTPException(404, f"グラフ {chart_id} はありません")
        chart = fn(wh, code)
        return PlainTextResponse(
            "\ufeff" + chart.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{code}_{chart_id}.csv"'},
        )

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources_page(request: Request) -> HTMLResponse:
        return page(request, "sources.html", sources=wh.all_sources())

    # -- JSON API --------------------------------------------------------------------------------------------

    @app.get("/api/search", tags=["areas"], summary="市区町村の検索（名称・ひらがな・コード）")
    def api_search(q: Annotated[str, Query(max_length=50)] = "", limit: Annotated[int, Query(ge=1, le=50)] = 10):
        return wh.search(q, limit)

    @app.get("/api/areas", tags=["areas"], summary="1,741市区町村の一覧")
    def api_areas():
        return wh.municipalities()

    @app.get("/api/areas/{code}", tags=["areas"], summary="市区町村の基本情報")
    def api_area(code: str):
        return municipality_or_404(code)

    @app.get("/api/m/{code}/charts/{chart_id}", tags=["charts"], summary="グラフのデータと出典")
    def api_chart(code: str, chart_id: str):
        municipality_or_404(code)
        fn = MUNICIPAL_CHARTS.get(chart_id)
        if fn is None:
            raise HTTPException(404, f"グラフ {chart_id} はありません")
        chart = fn(wh, code)
        return {**chart.spec(), "sources": [n.__dict__ for n in wh.source_notes(chart.sources)], "note": chart.note}

    @app.get("/api/sources", tags=["sources"], summary="出典・時点・ライセンス")
    def api_sources():
        return wh.all_sources()

    return app
