"""The ranking page: a distribution chart with the municipality you came from marked, pages of 50 or all rows.

Rankings are computed once per (indicator, prefecture, peer group) and kept; rendered pages are kept with their
compressed bodies (LRU), so a request costs a dictionary look-up (≥ 500 req/s at 32 connections, bench/web.py).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from sousei.query import MUNI_CODE, IndicatorValues, Warehouse
from sousei.web.params import IndicatorId, PeerQ, PrefQ
from sousei.web.responses import LRU, csv_response, negotiated, rows_csv
from sousei.web.site import SiteDep

PAGE_SIZE = 50
BINS = 30
NAME_SLOT = "\x00"  # no name, label or count contains it, and escaping leaves it as it is


@dataclass(frozen=True)
class Ranking:
    rows: list[dict[str, Any]]
    position: dict[str, int]  # muni_code → index in rows
    bins: list[tuple[float, float, int]]  # (low, high, count)
    labels: list[str]  # the bins as the chart and its table name them


def _ranking(iv: IndicatorValues, pref: str | None, peer: str | None) -> Ranking:
    rows = iv.ranking(pref=pref, peer=peer)
    values = np.array([r["value"] for r in rows], dtype=float)
    bins: list[tuple[float, float, int]] = []
    if len(values):
        lo, hi = float(values.min()), float(values.max())
        if hi == lo:
            bins = [(lo, hi, len(values))]
        else:
            counts, edges = np.histogram(values, bins=min(BINS, max(5, len(values) // 5)))
            bins = [(float(a), float(b), int(c)) for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)]
    digits = iv.meta["digits"] + (1 if iv.meta["digits"] < 3 else 0)
    labels = [_bin_label(lo, hi, digits) for lo, hi, _ in bins]
    return Ranking(rows, {r["muni_code"]: i for i, r in enumerate(rows)}, bins, labels)


def _bin_label(lo: float, hi: float, digits: int) -> str:
    return f"{lo:,.{digits}f}〜{hi:,.{digits}f}"


def distribution_spec(rk: Ranking, meta: dict[str, Any], marked: dict[str, Any] | None) -> dict[str, Any]:
    """A bar chart of the histogram (app.js draws kind 'bar'); the bin of the marked municipality is shaded."""
    labels = rk.labels
    highlight = []
    if marked is not None and marked["value"] is not None:
        v = marked["value"]
        for (lo, hi, _), label in zip(rk.bins, labels, strict=True):
            if lo <= v <= hi:
                highlight = [label]
                break
    unit = f"（{meta['unit']}）" if meta["unit"] else ""
    return {
        "id": "distribution",
        "kind": "bar",
        "title": "分布",
        "x_label": meta["name"] + unit,
        "y_label": "市区町村数",
        "highlight": highlight,
        "series": [{"name": "市区町村数", "x": labels, "y": [c for _, _, c in rk.bins], "dash": False, "kind": ""}],
    }


class Rankings:
    """One app's rankings and rendered ranking pages (built by create_app, kept in app.state.rankings)."""

    def __init__(self, wh: Warehouse, templates: Jinja2Templates):
        self.wh = wh
        self.rankings = LRU(4096)
        self.pages = LRU(4096)
        env = templates.env
        self.template = env.get_template("ranking.html")
        self.rows_template = env.get_template("_ranking_rows.html")
        self.filters_template = env.get_template("_ranking_filters.html")
        self.bins_template = env.get_template("_ranking_bins.html")
        # Parts shared by every marked municipality, rendered once: a page with ?from= is mostly a first render (one
        # per indicator × municipality), so it must cost little more than these look-ups (≥ 500 req/s, bench/web.py).
        self.fragments = LRU(4096)  # the rows of a page
        self.filters = LRU(4096)  # the scope <select>s, per (pref, peer)
        self.spec_json = LRU(8192)  # the distribution chart's JSON, per (ranking, shaded bin)
        self.bin_rows = LRU(8192)  # its data table's rows, per (ranking, shaded bin), split where the name goes
        self.pref_codes = {p["pref_code"] for p in wh.prefectures()}
        self.pref_names = {p["pref_code"]: p["name"] for p in wh.prefectures()}

    def ranking_of(self, iv: IndicatorValues, pref: str | None, peer: str | None) -> Ranking:
        return self.rankings.get((iv.id, pref, peer), lambda: _ranking(iv, pref, peer))  # type: ignore[no-any-return]

    def render(
        self,
        iv: IndicatorValues,
        pref: str | None,
        peer: str | None,
        page: int | None,
        show_all: bool,
        origin: str | None,
    ) -> str:
        wh = self.wh
        rk = self.ranking_of(iv, pref, peer)
        marked = None
        if origin is not None:
            at = rk.position.get(origin)
            muni = wh.municipality(origin)
            marked = {
                "muni": muni,
                "row": rk.rows[at] if at is not None else None,
                "value": rk.rows[at]["value"] if at is not None else None,
            }
        n_pages = max(1, math.ceil(len(rk.rows) / PAGE_SIZE))
        if page is None:
            at = rk.position.get(origin or "")
            page = at // PAGE_SIZE + 1 if at is not None else 1
        page = min(page, n_pages)
        shown_key = (iv.id, pref, peer, None if show_all else page)
        shown = rk.rows if show_all else rk.rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        rows_html = self.fragments.get(shown_key, lambda: Markup(self.rows_template.render(rows=shown, ind=iv.meta)))
        filters_html = self.filters.get(
            (pref, peer),
            lambda: Markup(
                self.filters_template.render(
                    prefectures=wh.prefectures(), peer_groups=wh.peer_groups(), pref=pref, peer=peer
                )
            ),
        )
        spec = distribution_spec(rk, iv.meta, marked)
        shaded = (iv.id, pref, peer, tuple(spec["highlight"]))
        specs = self.spec_json.get(shaded, lambda: json.dumps([spec], ensure_ascii=False).replace("<", "\\u003c"))
        # rendered with NAME_SLOT for the name and split there; the page puts the (escaped) name between the parts
        table_rows = self.bin_rows.get(
            shaded, lambda: [Markup(p) for p in self.bins_template.render(spec=spec, name=NAME_SLOT).split(NAME_SLOT)]
        )
        scope = self.pref_names.get(pref) if pref else None
        return self.template.render(  # type: ignore[no-any-return]
            ind=iv.meta,
            rows_html=rows_html,
            filters_html=filters_html,
            total=len(rk.rows),
            pref=pref,
            peer=peer,
            national=iv.national,
            notes=wh.source_notes(iv.meta["sources"]),
            page=page,
            n_pages=n_pages,
            show_all=show_all,
            page_size=PAGE_SIZE,
            marked=marked,
            origin=origin,
            scope=scope or (f"類似団体 {peer}" if peer else "全国"),
            bins=rk.bins,
            spec=spec,
            specs=specs,
            bin_rows=table_rows,
        )


async def current_rankings(request: Request) -> Rankings:
    return request.app.state.rankings  # type: ignore[no-any-return]


router = APIRouter(include_in_schema=False)


# Before the page's route: /ranking/{indicator_id} would also match "….csv" and answer 422.
@router.get("/ranking/{indicator_id}.csv")
def ranking_csv(site: SiteDep, indicator_id: IndicatorId, pref: PrefQ = None, peer: PeerQ = None) -> Response:
    iv = site.indicator_or_404(indicator_id)
    site.check_pref_peer(pref, peer)
    rows = iv.ranking(pref=pref, peer=None if pref else peer)
    unit = f"{iv.meta['unit']}、" if iv.meta["unit"] else ""  # a pure number (合計特殊出生率) has no unit
    cols = [
        ("rank", "順位"),
        ("muni_code", "市区町村コード"),
        ("name", "市区町村"),
        ("pref_name", "都道府県"),
        ("peer_group", "類似団体区分"),
        ("value", f"{iv.meta['name']}（{unit}{iv.year}年）"),
        ("oriented_japan", "偏差値（全国、高いほど良い）"),
    ]
    digits: dict[str, int | str] = {"value": int(iv.meta["digits"]), "oriented_japan": 1}
    return csv_response(rows_csv(rows, cols, digits), f"ranking_{iv.id}.csv")


@router.get("/ranking/{indicator_id}")
async def ranking_page(
    request: Request,
    rankings: Annotated[Rankings, Depends(current_rankings)],
    indicator_id: Annotated[str, PathParam(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")],
    pref: Annotated[str | None, Query(pattern=r"^\d{2}$", description="都道府県コード（2桁）")] = None,
    peer: Annotated[str | None, Query(max_length=20, description="類似団体区分")] = None,
    page: Annotated[int | None, Query(ge=1, le=100, description="ページ（50件ずつ）")] = None,
    show_all: Annotated[bool, Query(alias="all", description="全件を表示")] = False,
    origin: Annotated[str | None, Query(alias="from", max_length=5, description="強調する市区町村コード")] = None,
) -> Response:
    # async: a cached page is served on the event loop; a first render is about a millisecond of in-memory work.
    wh = rankings.wh
    iv = wh.indicator(indicator_id)
    if iv is None:
        raise HTTPException(404, f"指標 {indicator_id} はありません")
    if pref is not None and pref not in rankings.pref_codes:
        raise HTTPException(404, f"都道府県コード {pref} はありません")
    if peer is not None and peer not in wh.peer_groups():
        raise HTTPException(404, f"類似団体区分 {peer} はありません")
    if origin is not None and (not MUNI_CODE.match(origin) or wh.municipality(origin) is None):
        raise HTTPException(404, f"市区町村コード {origin} は見つかりません")
    peer = None if pref else peer
    key = (indicator_id, pref, peer, page, show_all, origin)
    bodies = rankings.pages.get(
        key, lambda: {"identity": rankings.render(iv, pref, peer, page, show_all, origin).encode()}
    )
    # a page marking a municipality is mostly served once: compressed quickly rather than smallest
    return negotiated(request, bodies, "text/html; charset=utf-8", brotli_quality=1 if origin else 4)
