"""The compare page (up to five municipalities: a table, and a chart per indicator) with its CSVs.

A chart shows the chosen municipalities' values as bars with their prefecture's value and their peer-group mean as
marks and Japan as a line; names typed in the search box become codes (`resolve_added`)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sousei.charts import KEY_INDICATORS, Chart, Series
from sousei.query import MUNI_CODE, Warehouse
from sousei.web.params import FamilyQ
from sousei.web.responses import csv_response, rows_csv
from sousei.web.site import Site, SiteDep, WarehouseDep

MAX_COMPARE = 5
PREFIX = "compare_"


def chart_indicators(wh: Warehouse, family: str | None) -> list[str]:
    """The chosen family's indicators, or the key indicators of 概要 when no family is chosen (a chart each)."""
    if family:
        return [i["indicator_id"] for i in wh.indicators() if i["family"] == family]
    return [i for i in KEY_INDICATORS if wh.indicator(i) is not None]


def compare_chart(wh: Warehouse, munis: list[dict[str, Any]], indicator_id: str) -> Chart:
    iv = wh.indicator(indicator_id)
    if iv is None:
        raise HTTPException(404, f"指標 {indicator_id} はありません")
    meta = iv.meta
    d = meta["digits"] + 1
    labels = [f"{m['name']}（{m['pref_name']}）" for m in munis]
    rows = [iv.row(m["muni_code"]) for m in munis]

    def r(v: float | None) -> float | None:
        return None if v is None else round(v, d)

    series = [
        Series(meta["name"], labels, [r(x["value"]) for x in rows], kind="bar"),
        Series("都道府県", labels, [r(x["prefecture"]) for x in rows], kind="marker"),
        Series("類似団体平均", labels, [r(x["peer_mean"]) for x in rows], kind="marker"),
        Series(meta["national_label"], labels, [r(iv.national)] * len(labels), dash=True, kind="line"),
    ]
    if all(x["value"] is None for x in rows):
        series = []
    unit = f"（{meta['unit']}）" if meta["unit"] else ""
    return Chart(
        PREFIX + indicator_id,
        f"{meta['name']}（{meta['year']}年）",
        "bar",
        "市区町村",
        meta["name"] + unit,
        series,
        tuple(meta["sources"]),
        tab="compare",
        note="棒が各市区町村の値、●が所属する都道府県の値・類似団体の平均、破線が全国",
    )


def resolve_added(wh: Warehouse, codes: list[str], add: str) -> tuple[list[str], list[dict[str, Any]], str]:
    """Codes after adding what was typed in the search box: (codes, candidates to choose from, message)."""
    add = add.strip()
    if not add:
        return codes, [], ""
    hits = wh.search(add, 20)
    if len(hits) == 1 or (hits and hits[0]["name"] == add and (len(hits) < 2 or hits[1]["name"] != add)):
        code = hits[0]["muni_code"]
        if code in codes:
            return codes, [], f"{hits[0]['name']}はすでに選ばれています"
        if len(codes) >= MAX_COMPARE:
            return codes, [], f"比較できるのは{MAX_COMPARE}市区町村までです"
        return [*codes, code], [], ""
    if not hits:
        return codes, [], f"「{add}」に該当する市区町村が見つかりません"
    return codes, hits, f"「{add}」に該当する市区町村が複数あります。選んでください"


router = APIRouter(include_in_schema=False)


@router.get("/compare/charts/{chart_id}.csv")
def compare_chart_csv(
    wh: WarehouseDep,
    chart_id: Annotated[str, PathParam(max_length=80, pattern=r"^compare_[a-z0-9_]+$")],
    codes: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    wanted = list(dict.fromkeys(c.strip() for c in codes.split(",") if c.strip()))
    if not wanted or len(wanted) > MAX_COMPARE:
        raise HTTPException(404, f"市区町村コードを1〜{MAX_COMPARE}個、カンマ区切りで指定してください")
    munis = []
    for c in wanted:
        m = wh.municipality(c) if MUNI_CODE.match(c) else None
        if m is None:
            raise HTTPException(404, f"市区町村コード {c} は見つかりません")
        munis.append(m)
    chart = compare_chart(wh, munis, chart_id.removeprefix(PREFIX))
    return Response(
        "\ufeff" + chart.to_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{chart_id}.csv"'},
    )


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    site: SiteDep,
    codes: Annotated[str, Query(max_length=80)] = "",
    family: Annotated[str, Query(max_length=20)] = "",
    add: Annotated[str, Query(max_length=50, description="検索欄に入力した市区町村名・よみ・コード")] = "",
    remove: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    wh = site.wh
    wanted = [c.strip() for c in codes.split(",") if c.strip() and c.strip() != remove]
    wanted, candidates, message = resolve_added(wh, list(dict.fromkeys(wanted)), add)
    if (add or remove) and not candidates and not message:  # one clean URL per selection (reload, bookmark)
        query = urlencode({"codes": ",".join(wanted), **({"family": family} if family else {})})
        return RedirectResponse(f"/compare?{query}", status_code=303)
    munis = _compare_munis(site, ",".join(wanted))
    fam = site.check_family(family or None)
    table = _compare_table(wh, munis, fam)
    families = {i["family"]: i["family_ja"] for i in wh.indicators()}
    charts = [compare_chart(wh, munis, i) for i in chart_indicators(wh, fam)] if munis else []
    notes, specs = site.chart_payload(charts)
    code_list = ",".join(m["muni_code"] for m in munis)
    return site.page(
        request,
        "compare.html",
        munis=munis,
        table=table,
        codes=code_list,
        family=fam,
        families=families,
        candidates=candidates,
        message=message,
        add=add if candidates else "",
        charts=charts,
        chart_notes=notes,
        specs=specs,
        csv_query="?codes=" + code_list,
        notes=wh.source_notes(sorted({s for i in table for s in i["sources"]})),
    )


def _compare_munis(site: Site, codes: str) -> list[dict[str, Any]]:
    wanted = [c.strip() for c in codes.split(",") if c.strip()]
    if len(wanted) > MAX_COMPARE:
        raise HTTPException(404, f"比較できるのは{MAX_COMPARE}市区町村までです")
    return [site.municipality_or_404(c) for c in dict.fromkeys(wanted)]


def _compare_table(wh: Warehouse, munis: list[dict[str, Any]], family: str | None = None) -> list[dict[str, Any]]:
    per = {m["muni_code"]: {r["indicator_id"]: r for r in wh.comparisons(m["muni_code"], family)} for m in munis}
    return [
        {**ind, "cells": [per[m["muni_code"]][ind["indicator_id"]] for m in munis]}
        for ind in wh.indicators()
        if family is None or ind["family"] == family
    ]


@router.get("/compare.csv")
def compare_csv(site: SiteDep, codes: Annotated[str, Query(max_length=80)] = "", family: FamilyQ = None) -> Response:
    munis = _compare_munis(site, codes)
    site.check_family(family)
    rows = [
        {
            "indicator_id": t["indicator_id"],
            "name": t["name"],
            "unit": t["unit"],
            "muni_code": c["muni_code"],
            "muni_name": m["name"],
            "value": c["value"],
            "prefecture": c["prefecture"],
            "peer_mean": c["peer_mean"],
            "year": c["year"],
            "national": c["national"],
            "oriented_japan": c["oriented_japan"],
            "digits": t["digits"],
            "national_basis": t.get("aggregate_ja", ""),
        }
        for t in _compare_table(site.wh, munis, family)
        for m, c in zip(munis, t["cells"], strict=True)
    ]
    cols = [
        ("indicator_id", "指標ID"),
        ("name", "指標"),
        ("unit", "単位"),
        ("year", "年"),
        ("muni_code", "市区町村コード"),
        ("muni_name", "市区町村"),
        ("value", "値"),
        ("prefecture", "都道府県"),
        ("peer_mean", "類似団体平均"),
        ("national", "全国"),
        ("national_basis", "全国・都道府県の値（合計／総数の比／公表値）"),
        ("oriented_japan", "偏差値（全国、高いほど良い）"),
    ]
    digits: dict[str, int | str] = {k: "digits" for k in ("value", "prefecture", "peer_mean", "national")}
    return csv_response(rows_csv(rows, cols, {**digits, "oriented_japan": 1}), "compare.csv")
