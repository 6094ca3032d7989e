"""The dashboard: FastAPI with server-rendered Jinja2 pages over the read-only warehouse.

`create_app` assembles one app over one warehouse file: its Site (warehouse, templates, caches; web/site.py) and
the per-app state of the ranking and map routes in `app.state`, the routers of each part, the error pages, the
support desk and the report. Routes read the warehouse through dependencies on `app.state`, so web/live.py can
swap in a whole new app after a rebuild.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from sousei.desk.web import mount_desk
from sousei.query import Warehouse
from sousei.web import api, boundaries, compare_view, http_conventions, navigation, pages, ranking_view
from sousei.web.report_routes import report_router
from sousei.web.site import DEFAULT_INDICATOR, Site, make_templates

__all__ = ["DEFAULT_INDICATOR", "create_app"]

HERE = Path(__file__).parent


def create_app(db: Path, desk_url: str | None = None) -> FastAPI:
    wh = Warehouse(db)
    app = FastAPI(
        title="sousei 地域課題ダッシュボード API",
        description="地方創生の地域課題ダッシュボード：市区町村の指標・偏差値・将来推計・分類・出典（JSON / CSV）。"
        "数値はすべて公的統計から作成。出典と時点は /api/sources。",
        version="0.1.0",
    )
    app.add_middleware(GZipMiddleware, minimum_size=800)
    http_conventions.apply(app)  # HEAD, 405 Allow, security headers, OpenAPI 404/422
    templates = make_templates()
    build_id = hashlib.sha256(f"{db.resolve()}:{db.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    site = Site(wh, templates, build_id)
    app.state.wh = wh
    app.state.site = site
    app.state.rankings = ranking_view.Rankings(wh, templates)
    app.state.outlines = boundaries.Outlines(wh, build_id)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        response = site.page(
            request, "error.html", status=exc.status_code, message=exc.detail, status_code=exc.status_code
        )
        response.headers.update(exc.headers or {})  # e.g. Allow on a 405
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            errors = http_conventions.short_errors(list(exc.errors()))  # never the whole of a huge input
            return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
        return site.page(request, "error.html", status=422, message="パラメータが正しくありません", status_code=422)

    for router in (
        pages.router,
        navigation.router,
        compare_view.router,
        ranking_view.router,
        boundaries.router,
        api.router,
    ):
        app.include_router(router)  # the OpenAPI description lists the API in this order (outlines first)
    pages.warm(site, app)

    # The support desk (/desk): its own read-write database (desk_url, else SOUSEI_DESK_DB_URL, else SQLite).
    mount_desk(app, templates, wh, desk_url)
    app.include_router(report_router())  # 分析レポート: /m/{code}/report, report.pdf, /api/m/{code}/report/facts

    # Mounted last, so that /static/vendor/plotly.min.js above is not shadowed by the folder.
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
