"""The dashboard: FastAPI with server-rendered Jinja2 pages over the read-only warehouse."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections import OrderedDict
from functools import cache
from pathlib import Path
from threading import Lock
from typing import Annotated, Any
from urllib.parse import urlencode

import brotli
import plotly
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from sousei.desk import web_catalog
from sousei.desk.web import mount_desk
from sousei.domain.projection.labels import PATTERN1_LABEL
from sousei.estat import NOTICE as ESTAT_NOTICE
from sousei.query import DIRECTION_JA, MUNI_CODE, Indicator, Warehouse
from sousei.web import boundaries, compare_view, navigation, ranking_view
from sousei.web.chart_text import chart_table
from sousei.web.charts import (
    MUNICIPAL_CHARTS,
    NATIONAL_CHARTS,
    SCENARIO_NAMES,
    TAB_FAMILY,
    TABS,
    Chart,
    charts_for_tab,
    key_scores,
)
from sousei.web.compare_view import MAX_COMPARE, chart_indicators, compare_chart, resolve_added
from sousei.web.formatting import csv_number, score_text
from sousei.web.methods import plain_text
from sousei.web.pending import MIGRATION_OD, PENDING_CHARTS
from sousei.web.report_routes import report_router
from sousei.web.simulator_view import simulator_context
from sousei.web.sources_ja import sources_in_japanese

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
IMMUTABLE = "public, max-age=31536000, immutable"
DEFAULT_INDICATOR = "pop_aging_rate_pct"
BASIS_JA = {"level": "水準", "trend": "変化", "level_and_trend": "水準と変化"}

Code = Annotated[str, PathParam(min_length=1, max_length=10, description="5桁の市区町村コード（例：01100）")]
ChartId = Annotated[str, PathParam(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
IndicatorId = Annotated[str, PathParam(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")]
PrefQ = Annotated[str | None, Query(pattern=r"^\d{2}$", description="都道府県コード（2桁）")]
FamilyQ = Annotated[str | None, Query(max_length=20, pattern=r"^[a-z_]+$", description="指標の分野（例：births）")]
PeerQ = Annotated[str | None, Query(max_length=20, description="類似団体区分（例：都市Ⅱ-1）")]


@cache
def _plotly_bodies() -> dict[str, bytes]:
    raw = PLOTLY_JS.read_bytes()
    return {"br": brotli.compress(raw, quality=9), "gzip": gzip.compress(raw, 9), "identity": raw}


def _encoded(request: Request, bodies: dict[str, bytes], media_type: str, cache_control: str, etag: str) -> Response:
    """Serve a pre-compressed body in the best encoding the client accepts."""
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache_control})
    accept = request.headers.get("accept-encoding", "")
    encoding = "br" if "br" in accept else "gzip" if "gzip" in accept else "identity"
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding", "ETag": etag}
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    return Response(bodies[encoding], media_type=media_type, headers=headers)


def _negotiated(request: Request, bodies: dict[str, bytes], media_type: str) -> Response:
    """A cached page in the encoding the client accepts, compressed once per encoding and kept with the page."""
    accept = request.headers.get("accept-encoding", "")
    encoding = "br" if "br" in accept else "gzip" if "gzip" in accept else "identity"
    body = bodies.get(encoding)
    if body is None:
        raw = bodies["identity"]
        body = brotli.compress(raw, quality=4) if encoding == "br" else gzip.compress(raw, 6)
        bodies[encoding] = body
    headers = {"Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    return Response(body, media_type=media_type, headers=headers)


SCORE_WORDS = {"na": "データなし", "weak": "弱み", "": "平均的", "strong": "強み"}


def score_band(score: float | None) -> str:
    """The tile class of a 偏差値, judged on the value as printed (one decimal): a 59.96 shown as 60.0 is strong."""
    if score is None:
        return "na"
    shown = round(score, 1)
    return "weak" if shown < 40 else "strong" if shown >= 60 else ""


def score_word(score: float | None) -> str:
    """The word a 偏差値 tile carries beside its number and colour (colour is never the only carrier)."""
    return SCORE_WORDS[score_band(score)]


def _csv_response(text: str, filename: str) -> Response:
    return PlainTextResponse(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _rows_csv(
    rows: list[dict[str, Any]], columns: list[tuple[str, str]], digits: dict[str, int | str] | None = None
) -> str:
    """CSV of `rows`; `digits` rounds a column to a number of decimals, or to the row's value of the named key."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([label for _, label in columns])
    digits = digits or {}
    for r in rows:
        cells = []
        for k, _ in columns:
            d = digits.get(k)
            cells.append(("" if r.get(k) is None else r.get(k)) if d is None
                         else csv_number(r.get(k), int(r[d]) if isinstance(d, str) else d))  # fmt: skip
        writer.writerow(cells)
    return buf.getvalue()


class _LRU:
    """A small thread-safe LRU for rendered chart lists (the warehouse is read-only, so results never change)."""

    def __init__(self, size: int):
        self.size, self.data, self.lock = size, OrderedDict[Any, Any](), Lock()

    def get(self, key: Any, make: Any) -> Any:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        value = make()
        with self.lock:
            self.data[key] = value
            if len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


def create_app(db: Path, desk_url: str | None = None) -> FastAPI:
    wh = Warehouse(db)
    app = FastAPI(
        title="sousei 地域課題ダッシュボード API",
        description="地方創生の地域課題ダッシュボード：市区町村の指標・偏差値・将来推計・分類・出典（JSON / CSV）。"
        "数値はすべて公的統計から作成。出典と時点は /api/sources。",
        version="0.1.0",
    )
    app.state.wh = wh
    app.add_middleware(GZipMiddleware, minimum_size=800)
    from sousei.web import http_conventions  # HEAD, 405 Allow, security headers, OpenAPI 404/422

    http_conventions.apply(app)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.auto_reload = False  # templates ship with the package: no stat() per include and render
    templates.env.globals["plotly_version"] = plotly.__version__
    templates.env.globals["tabs"] = TABS
    templates.env.globals["pattern1_label"] = PATTERN1_LABEL
    templates.env.globals["default_indicator"] = DEFAULT_INDICATOR
    templates.env.globals["direction_ja"] = DIRECTION_JA
    templates.env.globals["basis_ja"] = BASIS_JA
    templates.env.filters["num"] = lambda v, d=0: "—" if v is None else f"{v:,.{d}f}"
    templates.env.filters["signed"] = lambda v, d=0: "—" if v is None else f"{v:+,.{d}f}"
    templates.env.filters["score"] = score_text
    templates.env.filters["plain"] = plain_text
    templates.env.globals["chart_table"] = chart_table
    templates.env.globals["pending_charts"] = PENDING_CHARTS
    templates.env.globals["migration_od"] = MIGRATION_OD
    templates.env.globals["score_word"] = score_word
    templates.env.globals["score_band"] = score_band
    build_id = hashlib.sha256(f"{db.resolve()}:{db.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    chart_cache = _LRU(8192)
    page_cache = _LRU(4096)  # rendered municipality pages, per (code, tab), with their compressed bodies

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def municipality_or_404(code: str) -> dict[str, Any]:
        muni = wh.municipality(code)
        if muni is None:
            detail = (
                "市区町村コードは5桁の数字です"
                if not MUNI_CODE.match(code)
                else f"市区町村コード {code} は見つかりません"
            )
            raise HTTPException(404, detail)
        return muni

    def indicator_or_404(indicator_id: str) -> Indicator:
        iv = wh.indicator(indicator_id)
        if iv is None:
            raise HTTPException(404, f"指標 {indicator_id} はありません")
        return iv

    def chart_or_404(code: str, chart_id: str) -> Chart:
        municipality_or_404(code)
        fn = MUNICIPAL_CHARTS.get(chart_id)
        if fn is None:
            raise HTTPException(404, f"グラフ {chart_id} はありません")
        return chart_cache.get(("chart", code, chart_id), lambda: fn(wh, code))

    def national_chart_or_404(chart_id: str) -> Chart:
        fn = NATIONAL_CHARTS.get(chart_id)
        if fn is None:
            raise HTTPException(404, f"グラフ {chart_id} はありません")
        return chart_cache.get(("japan", chart_id), lambda: fn(wh))

    def chart_payload(charts: list[Chart]) -> tuple[dict[str, Any], str]:
        notes = {c.id: wh.source_notes(c.sources) for c in charts}
        # "<" escaped so that no string in the data can close the <script> element.
        specs = json.dumps([c.spec() for c in charts if c.has_data], ensure_ascii=False).replace("<", "\\u003c")
        return notes, specs

    def by_family() -> dict[str, list[dict[str, Any]]]:
        """Indicators grouped by family (Japanese name), in registry order."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for i in wh.indicators():
            groups.setdefault(i["family_ja"], []).append(i)
        return groups

    def check_pref_peer(pref: str | None, peer: str | None) -> None:
        if pref is not None and pref not in {p["pref_code"] for p in wh.prefectures()}:
            raise HTTPException(404, f"都道府県コード {pref} はありません")
        if peer is not None and peer not in wh.peer_groups():
            raise HTTPException(404, f"類似団体区分 {peer} はありません")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        response = page(request, "error.html", status=exc.status_code, message=exc.detail, status_code=exc.status_code)
        response.headers.update(exc.headers or {})  # e.g. Allow on a 405
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            errors = http_conventions.short_errors(list(exc.errors()))  # never the whole of a huge input
            return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
        return page(request, "error.html", status=422, message="パラメータが正しくありません", status_code=422)

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        return _encoded(request, _plotly_bodies(), "application/javascript", IMMUTABLE, f'"{plotly.__version__}"')

    # -- pages ---------------------------------------------------------------------------------------------
    navigation.register(app, wh, templates)
    compare_view.register(app, wh)
    boundaries.register(app, wh, build_id)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(
        request: Request,
        indicator: Annotated[str, Query(max_length=60)] = DEFAULT_INDICATOR,
        pref: Annotated[str | None, Query(max_length=2)] = None,
    ) -> Response:
        if request.query_params.get("q") is not None:  # the form's old action, kept for bookmarks
            return RedirectResponse("/search?" + urlencode({"q": request.query_params["q"]}), status_code=303)
        indicators = wh.indicators()
        ind = indicator_or_404(indicator)
        prefs = wh.prefectures()
        if pref is not None and pref not in {p["pref_code"] for p in prefs}:
            raise HTTPException(404, f"都道府県コード {pref} はありません")
        return page(
            request, "index.html", prefectures=prefs, indicators=indicators, indicator=ind.meta, groups=by_family(),
            pref=pref, has_map=wh.has("core_geo__municipalities"), build_id=build_id,
            notes=wh.source_notes([*ind.meta["sources"], "boundaries"]),
        )  # fmt: skip

    @app.get("/m/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def municipality_page(
        request: Request, code: Code, tab: Annotated[str, Query(max_length=20)] = "overview"
    ) -> Response:
        # async: a cached page is served on the event loop without a thread hop; a first render (a few ms of
        # in-memory work, no I/O) runs there too.
        muni = municipality_or_404(code)
        if tab not in TABS:
            raise HTTPException(404, f"タブ {tab} はありません")
        # the 好事例 tab follows the desk's catalog: its cache key carries the catalog's state
        state = web_catalog.catalog_state(app) if tab == "cases" else None
        bodies = page_cache.get(("page", code, tab, state),
                                lambda: {"identity": render_municipality(muni, tab).encode()})  # fmt: skip
        return _negotiated(request, bodies, "text/html; charset=utf-8")

    municipality_template = templates.env.get_template("municipality.html")

    def render_municipality(muni: dict[str, Any], tab: str) -> str:
        """The page of one municipality's tab (it depends on nothing but the code and the tab: cached)."""
        code = muni["muni_code"]
        charts = charts_for_tab(wh, code, tab)
        notes, specs = chart_payload(charts)
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
        if tab == "births":
            ctx["walls"] = wh.walls(code)
        if tab == "migration":
            ctx["youth"] = [
                r
                for r in wh.comparisons(code, "migration")
                if "15_29" in r["indicator_id"] or "20_39" in r["indicator_id"]
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
        return municipality_template.render(ctx)

    @app.get("/m/{code}/charts/{chart_id}.csv", include_in_schema=False)
    def chart_csv(code: Code, chart_id: ChartId) -> Response:
        return _csv_response(chart_or_404(code, chart_id).to_csv(), f"{code}_{chart_id}.csv")

    @app.get("/ranking/{indicator_id}.csv", include_in_schema=False)
    def ranking_csv(indicator_id: IndicatorId, pref: PrefQ = None, peer: PeerQ = None) -> Response:
        iv = indicator_or_404(indicator_id)
        check_pref_peer(pref, peer)
        rows = iv.ranking(pref=pref, peer=None if pref else peer)
        unit = f"{iv.meta['unit']}、" if iv.meta["unit"] else ""  # a pure number (合計特殊出生率) has no unit
        cols = [("rank", "順位"), ("muni_code", "市区町村コード"), ("name", "市区町村"), ("pref_name", "都道府県"),
                ("peer_group", "類似団体区分"), ("value", f"{iv.meta['name']}（{unit}{iv.year}年）"),
                ("oriented_japan", "偏差値（全国、高いほど良い）")]  # fmt: skip
        digits = {"value": int(iv.meta["digits"]), "oriented_japan": 1}
        return _csv_response(_rows_csv(rows, cols, digits), f"ranking_{iv.id}.csv")

    # After the CSV route: /ranking/{indicator_id} would also match "….csv" and answer 422.
    ranking_view.register(app, wh, templates)

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(
        request: Request,
        codes: Annotated[str, Query(max_length=80)] = "",
        family: Annotated[str, Query(max_length=20)] = "",
        add: Annotated[str, Query(max_length=50, description="検索欄に入力した市区町村名・よみ・コード")] = "",
        remove: Annotated[str, Query(max_length=5)] = "",
    ):
        wanted = [c.strip() for c in codes.split(",") if c.strip() and c.strip() != remove]
        wanted, candidates, message = resolve_added(wh, list(dict.fromkeys(wanted)), add)
        if (add or remove) and not candidates and not message:  # one clean URL per selection (reload, bookmark)
            query = urlencode({"codes": ",".join(wanted), **({"family": family} if family else {})})
            return RedirectResponse(f"/compare?{query}", status_code=303)
        munis = compare_munis(",".join(wanted))
        fam = check_family(family or None)
        table = compare_table(munis, fam)
        families = {i["family"]: i["family_ja"] for i in wh.indicators()}
        charts = [compare_chart(wh, munis, i) for i in chart_indicators(wh, fam)] if munis else []
        notes, specs = chart_payload(charts)
        code_list = ",".join(m["muni_code"] for m in munis)
        return page(request, "compare.html", munis=munis, table=table, codes=code_list, family=fam,
                    families=families, candidates=candidates, message=message, add=add if candidates else "",
                    charts=charts, chart_notes=notes, specs=specs, csv_query="?codes=" + code_list,
                    notes=wh.source_notes(sorted({s for i in table for s in i["sources"]})))  # fmt: skip

    def check_family(family: str | None) -> str | None:
        if family is not None and family not in {i["family"] for i in wh.indicators()}:
            raise HTTPException(404, f"分野 {family} はありません")
        return family

    def compare_munis(codes: str) -> list[dict[str, Any]]:
        wanted = [c.strip() for c in codes.split(",") if c.strip()]
        if len(wanted) > MAX_COMPARE:
            raise HTTPException(404, f"比較できるのは{MAX_COMPARE}市区町村までです")
        return [municipality_or_404(c) for c in dict.fromkeys(wanted)]

    def compare_table(munis: list[dict[str, Any]], family: str | None = None) -> list[dict[str, Any]]:
        per = {m["muni_code"]: {r["indicator_id"]: r for r in wh.comparisons(m["muni_code"], family)} for m in munis}
        return [{**ind, "cells": [per[m["muni_code"]][ind["indicator_id"]] for m in munis]}
                for ind in wh.indicators() if family is None or ind["family"] == family]  # fmt: skip

    @app.get("/compare.csv", include_in_schema=False)
    def compare_csv(codes: Annotated[str, Query(max_length=80)] = "", family: FamilyQ = None) -> Response:
        munis = compare_munis(codes)
        check_family(family)
        rows = [
            {"indicator_id": t["indicator_id"], "name": t["name"], "unit": t["unit"], "muni_code": c["muni_code"],
             "muni_name": m["name"], "value": c["value"], "prefecture": c["prefecture"], "peer_mean": c["peer_mean"],
             "year": c["year"], "national": c["national"], "oriented_japan": c["oriented_japan"],
             "digits": t["digits"], "national_basis": t.get("aggregate_ja", "")}
            for t in compare_table(munis, family) for m, c in zip(munis, t["cells"], strict=True)
        ]  # fmt: skip
        cols = [("indicator_id", "指標ID"), ("name", "指標"), ("unit", "単位"), ("year", "年"),
                ("muni_code", "市区町村コード"), ("muni_name", "市区町村"), ("value", "値"), ("prefecture", "都道府県"),
                ("peer_mean", "類似団体平均"), ("national", "全国"),
                ("national_basis", "全国・都道府県の値（合計／総数の比／公表値）"),
                ("oriented_japan", "偏差値（全国、高いほど良い）")]  # fmt: skip
        digits: dict[str, int | str] = {k: "digits" for k in ("value", "prefecture", "peer_mean", "national")}
        return _csv_response(_rows_csv(rows, cols, {**digits, "oriented_japan": 1}), "compare.csv")

    @app.get("/japan", response_class=HTMLResponse, include_in_schema=False)
    def japan_page(request: Request):
        charts = [national_chart_or_404(c) for c in NATIONAL_CHARTS]
        notes, specs = chart_payload(charts)
        return page(request, "japan.html", charts=charts, notes=notes, specs=specs)

    @app.get("/japan/charts/{chart_id}.csv", include_in_schema=False)
    def japan_chart_csv(chart_id: ChartId) -> Response:
        return _csv_response(national_chart_or_404(chart_id).to_csv(), f"japan_{chart_id}.csv")

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources_page(request: Request) -> HTMLResponse:
        return page(request, "sources.html", sources=sources_in_japanese(wh.all_sources()), estat_notice=ESTAT_NOTICE)

    # -- JSON API --------------------------------------------------------------------------------------------

    @app.get("/api/search", tags=["areas"], summary="市区町村の検索（名称・ひらがな・コード）")
    def api_search(q: Annotated[str, Query(max_length=50)] = "", limit: Annotated[int, Query(ge=1, le=50)] = 10):
        return wh.search(q, limit)

    @app.get("/api/areas", tags=["areas"], summary="1,741市区町村の一覧")
    def api_areas():
        return wh.municipalities()

    @app.get("/api/areas/{code}", tags=["areas"], summary="市区町村の基本情報")
    def api_area(code: Code):
        return municipality_or_404(code)

    @app.get("/api/geo/municipalities.json", tags=["areas"], summary="市区町村境界（GeoJSON、調査の精度のまま）")
    def api_geo(request: Request) -> Response:
        bodies = geo_bodies()
        if bodies is None:
            raise HTTPException(404, "市区町村の境界データが読み込まれていません")
        return _encoded(request, bodies, "application/geo+json", "public, max-age=86400", f'"{build_id}"')

    @cache  # noqa: B019 - one app, one warehouse
    def geo_bodies() -> dict[str, bytes] | None:
        raw = wh.municipal_geojson()
        if raw is None:
            return None
        return {"br": brotli.compress(raw, quality=9), "gzip": gzip.compress(raw, 6), "identity": raw}

    @app.get("/api/indicators", tags=["indicators"], summary="指標の一覧（名称・単位・向き・出典）")
    def api_indicators():
        return wh.indicators()

    @app.get("/api/indicators/{indicator_id}", tags=["indicators"], summary="指標の全市区町村の値と全国・都道府県値")
    def api_indicator(indicator_id: IndicatorId):
        iv = indicator_or_404(indicator_id)
        return {**iv.meta, "national": iv.national, "prefectures": iv.prefecture, "values": iv.value_map()}

    @app.get("/api/indicators/{indicator_id}/ranking", tags=["indicators"], summary="指標のランキング")
    def api_ranking(indicator_id: IndicatorId, pref: PrefQ = None, peer: PeerQ = None):
        iv = indicator_or_404(indicator_id)
        check_pref_peer(pref, peer)
        return iv.ranking(pref=pref, peer=None if pref else peer)

    @app.get(
        "/api/m/{code}/scores", tags=["scores"], summary="市区町村の全指標：値・全国・都道府県・類似団体・偏差値・順位"
    )
    def api_scores(code: Code):
        municipality_or_404(code)
        return wh.comparisons(code)

    @app.get("/api/m/{code}/priorities", tags=["scores"], summary="優先課題と根拠")
    def api_priorities(code: Code):
        municipality_or_404(code)
        return wh.priority_issues(code)

    @app.get("/api/m/{code}/walls", tags=["scores"], summary="出生の壁（結婚・夫婦の出生の要因と環境の指標）")
    def api_walls(code: Code):
        municipality_or_404(code)
        found = wh.walls(code)
        if found is None:
            raise HTTPException(404, "出生の壁の分解がこのウェアハウスにありません")
        return found

    @app.get("/api/m/{code}/industries", tags=["scores"], summary="稼ぐ力の高い産業（特化係数の上位3）")
    def api_industries(code: Code):
        municipality_or_404(code)
        return wh.leading_industries(code)

    @app.get("/api/m/{code}/projection", tags=["projections"], summary="シナリオ別の将来人口（総数）")
    def api_projection(code: Code):
        municipality_or_404(code)
        rows = wh.projection_totals(code)
        return {
            "muni_code": code,
            "unit": wh.projection_unit(code),
            "scenarios": {
                sc: {"name": name, "years": [r["year"] for r in rows if r["scenario"] == sc],
                     "persons": [round(r["persons"], 1) for r in rows if r["scenario"] == sc]}
                for sc, name in SCENARIO_NAMES.items() if any(r["scenario"] == sc for r in rows)
            },
        }  # fmt: skip

    @app.get("/api/m/{code}/simulate", tags=["projections"], summary="人口ビジョン・シミュレーター（出生率と移動）")
    def api_simulate(
        code: Code,
        tfr_2030: Annotated[float, Query(ge=0.5, le=3.0, description="2030年の合計特殊出生率")] = 1.8,
        tfr_2040: Annotated[float, Query(ge=0.5, le=3.0, description="2040年以降の合計特殊出生率")] = 2.07,
        migration_scale: Annotated[float, Query(ge=0.0, le=2.0, description="純移動率の倍率（1＝仮定どおり）")] = 1.0,
    ):
        municipality_or_404(code)
        result = wh.simulate(code, tfr_2030, tfr_2040, migration_scale)
        if result is None:
            raise HTTPException(404, "この市区町村の推計に必要なデータが読み込まれていません")
        return result

    @app.get("/api/m/{code}/classification", tags=["classifications"], summary="消滅可能性等の分類と影響度")
    def api_classification(code: Code):
        municipality_or_404(code)
        found = wh.sustainability(code)
        if found is None:
            raise HTTPException(404, "持続可能性の分類がこのウェアハウスにありません")
        return found

    @app.get("/api/classifications", tags=["classifications"], summary="全市区町村の分類（人口戦略会議2024）")
    def api_classifications():
        found = wh.classifications()
        if found is None:
            raise HTTPException(404, "持続可能性の分類がこのウェアハウスにありません")
        return found

    @app.get("/api/m/{code}/charts/{chart_id}", tags=["charts"], summary="グラフのデータと出典")
    def api_chart(code: Code, chart_id: ChartId):
        chart = chart_or_404(code, chart_id)
        return {
            **chart.spec(),
            "sources": [n.__dict__ for n in wh.source_notes(chart.sources)],
            "note": chart.note,
            "notice": chart.notice,
        }

    @app.get("/api/japan/charts/{chart_id}", tags=["charts"], summary="全国のグラフのデータと出典")
    def api_japan_chart(chart_id: ChartId):
        chart = national_chart_or_404(chart_id)
        return {
            **chart.spec(),
            "sources": [n.__dict__ for n in wh.source_notes(chart.sources)],
            "note": chart.note,
            "notice": chart.notice,
        }

    @app.get("/api/sources", tags=["sources"], summary="出典・時点・ライセンス")
    def api_sources():
        return wh.all_sources()

    # Read every per-municipality table once now, not in the first requests.
    for tab in TABS:
        render_municipality(wh.municipalities()[0], tab)
    for chart_id in NATIONAL_CHARTS:
        national_chart_or_404(chart_id)

    # The support desk (/desk): its own read-write database (desk_url, else SOUSEI_DESK_DB_URL, else SQLite).
    mount_desk(app, templates, wh, desk_url)
    app.include_router(report_router())  # 分析レポート: /m/{code}/report, report.pdf, /api/m/{code}/report/facts

    # Mounted last, so that /static/vendor/plotly.min.js above is not shadowed by the folder.
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
