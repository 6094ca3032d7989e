"""Pages that help a person find their way: search results, the methods notes and the favicon."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sousei.kana import to_hiragana
from sousei.query import Warehouse
from sousei.web.methods import method_slugs, method_title, render_method
from sousei.web.site import SiteDep

SEARCH_LIMIT = 50
SUGGESTIONS = 8
FAVICON = Path(__file__).parent / "static" / "favicon.svg"


def suggestions(wh: Warehouse, query: str) -> list[dict[str, Any]]:
    """Municipalities whose name or reading is close to a query that matched nothing (typing slips, a dropped kana)."""
    q = query.strip()
    if not q:
        return []
    kana = to_hiragana(q)
    by_key: dict[str, dict[str, Any]] = {}
    for m in wh.municipalities():
        by_key.setdefault(m["name"], m)
        if m["name_kana"]:
            by_key.setdefault(m["name_kana"], m)
    found: dict[str, dict[str, Any]] = {}
    for key in difflib.get_close_matches(q, list(by_key), n=SUGGESTIONS, cutoff=0.6) + difflib.get_close_matches(
        kana, list(by_key), n=SUGGESTIONS, cutoff=0.6
    ):
        m = by_key[key]
        found.setdefault(m["muni_code"], m)
    if not found and len(q) > 1:  # a longer query whose start names a place: 「札幌市中央」→ 札幌市…
        for hit in wh.search(q[:2], SUGGESTIONS):
            found.setdefault(hit["muni_code"], hit)
    return list(found.values())[:SUGGESTIONS]


router = APIRouter(include_in_schema=False)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, site: SiteDep, q: Annotated[str, Query(max_length=50)] = "") -> Response:
    """A submitted search: one hit goes to the municipality, several give a list, none says so with suggestions."""
    wh = site.wh
    hits = wh.search(q, SEARCH_LIMIT + 1)
    if len(hits) == 1:
        return RedirectResponse(f"/m/{hits[0]['muni_code']}", status_code=303)
    more = len(hits) > SEARCH_LIMIT
    ctx = {
        "q": q,
        "search_q": q,
        "hits": hits[:SEARCH_LIMIT],
        "more": more,
        "suggestions": [] if hits else suggestions(wh, q),
        "prefectures": wh.prefectures(),
    }
    return site.templates.TemplateResponse(request, "search.html", ctx)


@router.get("/methods", response_class=HTMLResponse)
def methods_index(request: Request, site: SiteDep) -> HTMLResponse:
    pages = [(s, method_title(s)) for s in method_slugs()]
    return site.templates.TemplateResponse(request, "methods.html", {"pages": pages, "slug": None})


@router.get("/methods/{slug}", response_class=HTMLResponse)
def method_page(request: Request, site: SiteDep, slug: Annotated[str, PathParam(max_length=40)]) -> HTMLResponse:
    found = render_method(slug)
    if found is None:
        raise HTTPException(404, f"方法の解説「{slug}」はありません")
    heading, body = found
    ctx = {
        "slug": slug,
        "title": method_title(slug),
        "heading": heading,
        "body": body,
        "pages": [(s, method_title(s)) for s in method_slugs()],
    }
    return site.templates.TemplateResponse(request, "methods.html", ctx)


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(
        FAVICON.read_bytes(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
