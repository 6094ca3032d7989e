"""The JSON API (/api/…): municipalities, indicators and rankings, scores, projections and the simulator, charts
with their sources. Documented in OpenAPI (/docs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from sousei.charts import SCENARIO_NAMES
from sousei.domain.projection.params import DEFAULT_TFR_2030, DEFAULT_TFR_2040
from sousei.web.params import ChartId, Code, IndicatorId, PeerQ, PrefQ
from sousei.web.responses import encoded
from sousei.web.site import SiteDep

router = APIRouter()


@router.get("/api/search", tags=["areas"], summary="市区町村の検索（名称・ひらがな・コード）")
def api_search(
    site: SiteDep, q: Annotated[str, Query(max_length=50)] = "", limit: Annotated[int, Query(ge=1, le=50)] = 10
):
    return site.wh.search(q, limit)


@router.get("/api/areas", tags=["areas"], summary="1,741市区町村の一覧")
def api_areas(site: SiteDep):
    return site.wh.municipalities()


@router.get("/api/areas/{code}", tags=["areas"], summary="市区町村の基本情報")
def api_area(site: SiteDep, code: Code):
    return site.municipality_or_404(code)


@router.get("/api/geo/municipalities.json", tags=["areas"], summary="市区町村境界（GeoJSON、調査の精度のまま）")
def api_geo(site: SiteDep, request: Request) -> Response:
    bodies = site.geo_bodies
    if bodies is None:
        raise HTTPException(404, "市区町村の境界データが読み込まれていません")
    return encoded(request, bodies, "application/geo+json", "public, max-age=86400", f'"{site.build_id}"')


@router.get("/api/indicators", tags=["indicators"], summary="指標の一覧（名称・単位・向き・出典）")
def api_indicators(site: SiteDep):
    return site.wh.indicators()


@router.get("/api/indicators/{indicator_id}", tags=["indicators"], summary="指標の全市区町村の値と全国・都道府県値")
def api_indicator(site: SiteDep, indicator_id: IndicatorId):
    iv = site.indicator_or_404(indicator_id)
    return {**iv.meta, "national": iv.national, "prefectures": iv.prefecture, "values": iv.value_map()}


@router.get("/api/indicators/{indicator_id}/ranking", tags=["indicators"], summary="指標のランキング")
def api_ranking(site: SiteDep, indicator_id: IndicatorId, pref: PrefQ = None, peer: PeerQ = None):
    iv = site.indicator_or_404(indicator_id)
    site.check_pref_peer(pref, peer)
    return iv.ranking(pref=pref, peer=None if pref else peer)


@router.get(
    "/api/m/{code}/scores", tags=["scores"], summary="市区町村の全指標：値・全国・都道府県・類似団体・偏差値・順位"
)
def api_scores(site: SiteDep, code: Code):
    site.municipality_or_404(code)
    return site.wh.comparisons(code)


@router.get("/api/m/{code}/priorities", tags=["scores"], summary="優先課題と根拠")
def api_priorities(site: SiteDep, code: Code):
    site.municipality_or_404(code)
    return site.wh.priority_issues(code)


@router.get("/api/m/{code}/walls", tags=["scores"], summary="出生の壁（結婚・夫婦の出生の要因と環境の指標）")
def api_walls(site: SiteDep, code: Code):
    site.municipality_or_404(code)
    found = site.wh.walls(code)
    if found is None:
        raise HTTPException(404, "出生の壁の分解がこのウェアハウスにありません")
    return found


@router.get("/api/m/{code}/industries", tags=["scores"], summary="稼ぐ力の高い産業（特化係数の上位3）")
def api_industries(site: SiteDep, code: Code):
    site.municipality_or_404(code)
    return site.wh.leading_industries(code)


@router.get("/api/m/{code}/projection", tags=["projections"], summary="シナリオ別の将来人口（総数）")
def api_projection(site: SiteDep, code: Code):
    site.municipality_or_404(code)
    rows = site.wh.projection_totals(code)
    return {
        "muni_code": code,
        "unit": site.wh.projection_unit(code),
        "scenarios": {
            sc: {
                "name": name,
                "years": [r["year"] for r in rows if r["scenario"] == sc],
                "persons": [round(r["persons"], 1) for r in rows if r["scenario"] == sc],
            }
            for sc, name in SCENARIO_NAMES.items()
            if any(r["scenario"] == sc for r in rows)
        },
    }


@router.get("/api/m/{code}/simulate", tags=["projections"], summary="人口ビジョン・シミュレーター（出生率と移動）")
def api_simulate(
    site: SiteDep,
    code: Code,
    tfr_2030: Annotated[float, Query(ge=0.5, le=3.0, description="2030年の合計特殊出生率")] = DEFAULT_TFR_2030,
    tfr_2040: Annotated[float, Query(ge=0.5, le=3.0, description="2040年以降の合計特殊出生率")] = DEFAULT_TFR_2040,
    migration_scale: Annotated[float, Query(ge=0.0, le=2.0, description="純移動率の倍率（1＝仮定どおり）")] = 1.0,
):
    site.municipality_or_404(code)
    result = site.wh.simulate(code, tfr_2030, tfr_2040, migration_scale)
    if result is None:
        raise HTTPException(404, "この市区町村の推計に必要なデータが読み込まれていません")
    return result


@router.get("/api/m/{code}/classification", tags=["classifications"], summary="消滅可能性等の分類と影響度")
def api_classification(site: SiteDep, code: Code):
    site.municipality_or_404(code)
    found = site.wh.sustainability(code)
    if found is None:
        raise HTTPException(404, "持続可能性の分類がこのウェアハウスにありません")
    return found


@router.get("/api/classifications", tags=["classifications"], summary="全市区町村の分類（人口戦略会議2024）")
def api_classifications(site: SiteDep):
    found = site.wh.classifications()
    if found is None:
        raise HTTPException(404, "持続可能性の分類がこのウェアハウスにありません")
    return found


@router.get("/api/m/{code}/charts/{chart_id}", tags=["charts"], summary="グラフのデータと出典")
def api_chart(site: SiteDep, code: Code, chart_id: ChartId):
    chart = site.chart_or_404(code, chart_id)
    return {
        **chart.spec(),
        "sources": [n.__dict__ for n in site.wh.source_notes(chart.sources)],
        "note": chart.note,
        "notice": chart.notice,
    }


@router.get("/api/japan/charts/{chart_id}", tags=["charts"], summary="全国のグラフのデータと出典")
def api_japan_chart(site: SiteDep, chart_id: ChartId):
    chart = site.national_chart_or_404(chart_id)
    return {
        **chart.spec(),
        "sources": [n.__dict__ for n in site.wh.source_notes(chart.sources)],
        "note": chart.note,
        "notice": chart.notice,
    }


@router.get("/api/sources", tags=["sources"], summary="出典・時点・ライセンス")
def api_sources(site: SiteDep):
    return site.wh.all_sources()
