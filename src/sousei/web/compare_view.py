"""Charts of the compare page: one per indicator, the chosen municipalities' values as bars with their prefecture's
value and their peer-group mean as marks and Japan as a line; and how names typed in the search box become codes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from sousei.query import MUNI_CODE, Warehouse
from sousei.web.charts import KEY_INDICATORS, Chart, Series

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
        PREFIX + indicator_id, f"{meta['name']}（{meta['year']}年）", "bar", "市区町村", meta["name"] + unit, series,
        tuple(meta["sources"]), tab="compare",
        note="棒が各市区町村の値、●が所属する都道府県の値・類似団体の平均、破線が全国",
    )  # fmt: skip


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


def register(app: FastAPI, wh: Warehouse) -> None:
    @app.get("/compare/charts/{chart_id}.csv", include_in_schema=False)
    def compare_chart_csv(
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
