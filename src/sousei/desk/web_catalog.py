"""The 好事例 pages: search and case pages (public), the Secretariat's editing and review, municipal proposals
(the KPI targets' pages are web_targets').

Reading needs no account; every change needs a login with the right role, a CSRF token, and writes a new case
version and an audit-log entry in the same transaction.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sousei.desk import audit, auth
from sousei.desk.auth import Db
from sousei.desk.catalog import data
from sousei.desk.catalog.models import (
    ORIGIN_MUNICIPALITY,
    ORIGIN_SECRETARIAT,
    PROPOSED,
    PUBLISHED,
    REJECTED,
    STATUS_JA,
    CatalogCase,
    CatalogCaseVersion,
)
from sousei.desk.catalog.search import index_case
from sousei.desk.catalog.service import (
    POPULATION_INDICATOR,
    SIZE_LABELS,
    Filters,
    Recommender,
    catalog_stamp,
    populations,
    search,
)
from sousei.desk.db import utcnow
from sousei.desk.models import Notification, User
from sousei.desk.policy_fields import POLICY_FIELDS, field_name, is_field
from sousei.desk.roles import Role
from sousei.desk.validation import Checker, FieldErrors
from sousei.desk.web import render

router = APIRouter(prefix="/desk", include_in_schema=False)
CASE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
Q = Annotated[str, Query(max_length=200)]
SMALL = Annotated[str, Query(max_length=40)]


def optional_user(request: Request) -> User | None:
    """The logged-in user if any: public pages show editing links to the Secretariat, and nothing else changes."""
    try:
        return auth.current_user(request)
    except auth.LoginRequired:
        return None


def _filters(pillar: str, theme: str, pref: str, size: str) -> Filters:
    """The URL's filters; an unknown value is a 400 naming the parameter (never silently ignored)."""
    if pillar and pillar not in {str(p.id) for p in data.pillars()}:
        raise HTTPException(400, f"pillar は 1〜5 のいずれかです（{pillar!r} は使えません）")
    if theme and not is_field(theme):
        raise HTTPException(400, f"theme {theme!r} は政策分野の一覧にありません")
    if pref and not re.fullmatch(r"0[1-9]|[1-3]\d|4[0-7]", pref):
        raise HTTPException(400, f"pref は都道府県コード（01〜47）です（{pref!r} は使えません）")
    if size and size not in SIZE_LABELS:
        raise HTTPException(400, f"size は {'・'.join(SIZE_LABELS)} のいずれかです")
    return Filters(int(pillar) if pillar else None, theme or None, pref or None, size or None)


def _population(request: Request) -> dict[str, float | None]:
    app_state = request.app.state
    cached = getattr(app_state, "catalog_population", None)
    if cached is None:
        cached = populations(app_state.desk.warehouse)
        app_state.catalog_population = cached
    return cached


def _case_or_404(db: Session, case_id: str) -> CatalogCase:
    case = db.get(CatalogCase, case_id) if CASE_ID.match(case_id) else None
    if case is None:
        raise HTTPException(404, f"好事例 {case_id} は見つかりません")
    return case


def _can_see(case: CatalogCase, user: User | None) -> bool:
    if case.status == PUBLISHED:
        return True
    if user is None:
        return False
    return user.role in (Role.SECRETARIAT.value, Role.ADMIN.value) or (
        user.role == Role.MUNICIPALITY.value and case.proposed_by_id == user.id
    )


# -- search and case pages (public) ----------------------------------------------------------------------------


@router.get("/cases", response_class=HTMLResponse)
async def cases_page(
    request: Request, q: Q = "", pillar: SMALL = "", theme: SMALL = "", pref: SMALL = "", size: SMALL = ""
) -> Response:
    # async, with its own short read session: the search is ~1 ms of work (index lookup, a few rows, the template),
    # less than the hop to the thread pool a synchronous route and the session dependency would cost.
    f = _filters(pillar, theme, pref, size)
    with auth.desk_of(request).sessions() as db:
        user = optional_user(request)
        result = search(db, q, f, _population(request))
        wh = request.app.state.desk.warehouse
        return render(
            request,
            "desk/catalog/search.html",
            user=user,
            q=q,
            f=f,
            result=result,
            pillars=data.pillars(),
            fields=POLICY_FIELDS,
            prefectures=wh.prefectures() if wh is not None else [],
            sizes=SIZE_LABELS,
            pillar_name=data.pillar_name,
            field_name=field_name,
            size_source=_size_source(wh),
        )


def _size_source(wh: Any) -> str:
    """The population behind the size filter, with its source and year (shown when the filter is used)."""
    ind = wh.indicator(POPULATION_INDICATOR) if wh is not None else None
    if ind is None:
        return "総人口（データなし）"
    notes = "、".join(f"{n.attribution}（{n.vintage}）" for n in wh.source_notes(ind.meta["sources"]))
    return f"{ind.meta['name']}（{ind.meta['year']}年、出典：{notes}）"


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, db: Db, case_id: str) -> Response:
    user = optional_user(request)
    case = _case_or_404(db, case_id)
    if not _can_see(case, user):
        raise HTTPException(404, f"好事例 {case_id} は見つかりません")
    versions = db.scalars(
        select(CatalogCaseVersion)
        .where(CatalogCaseVersion.case_id == case.id)
        .order_by(CatalogCaseVersion.version.desc())
    ).all()
    return render(
        request,
        "desk/catalog/case.html",
        user=user,
        case=case,
        versions=versions,
        pillar_name=data.pillar_name,
        field_name=field_name,
        status_ja=STATUS_JA,
        source=data.catalog_version(),
    )


# -- editing by the Secretariat, proposals by municipalities ---------------------------------------------------


def _split_codes(value: str) -> list[str]:
    return [c for c in re.split(r"[\s,、，]+", value.strip()) if c]


def case_from_form(form: dict[str, Any], request: Request, fixed_muni: str | None = None) -> dict[str, Any]:
    """The case fields of a submitted form, checked; every problem is reported in Japanese, field by field."""
    chk = Checker()
    rec: dict[str, Any] = {
        "name": chk.text("name", "名称", form.get("name"), required=True, max_len=200),
        "place": chk.text("place", "場所", form.get("place"), required=True, max_len=200),
        "region": chk.text("region", "広域の圏域名", form.get("region"), max_len=100),
        "summary": chk.text("summary", "概要", form.get("summary"), required=True, max_len=2000),
        "deck_name": chk.text("deck_name", "資料での表記", form.get("deck_name"), max_len=200),
    }
    wh = request.app.state.desk.warehouse
    munis = [fixed_muni] if fixed_muni else _split_codes(str(form.get("muni_codes") or ""))
    bad = [c for c in munis if not re.fullmatch(r"\d{5}", c) or (wh is not None and wh.municipality(c) is None)]
    if bad:
        chk.add("muni_codes", f"市区町村コード {'、'.join(bad)} は見つかりません（5桁のコードを空白区切りで）")
    prefs = _split_codes(str(form.get("pref_codes") or ""))
    prefs = sorted(set(prefs) | {c[:2] for c in munis if not bad})
    bad_pref = [p for p in prefs if not re.fullmatch(r"0[1-9]|[1-3]\d|4[0-7]", p)]
    if bad_pref:
        chk.add("pref_codes", f"都道府県コード {'、'.join(bad_pref)} は使えません（01〜47）")
    if not munis and not prefs:
        chk.add("muni_codes", "市区町村コードか都道府県コードを少なくとも一つ入力してください")
    pillar = str(form.get("pillar") or "")
    if pillar not in {str(p.id) for p in data.pillars()}:
        chk.add("pillar", "基本構想の柱を選んでください")
    themes = [t for t in form.get("themes", []) if t]
    if not themes:
        chk.add("themes", "分野（テーマ）を少なくとも一つ選んでください")
    elif any(not is_field(t) for t in themes):
        chk.add("themes", "一覧にない分野が含まれています")
    combination = [c.strip() for c in re.split(r"[×x＊*]", str(form.get("combination") or "")) if c.strip()]
    page = str(form.get("deck_page") or "").strip()
    if page and not page.isdigit():
        chk.add("deck_page", "資料のページは数字で入力してください")
    chk.done()
    rec.update(
        muni_codes=munis,
        pref_codes=prefs,
        pillar=int(pillar),
        themes=themes,
        combination=combination,
        deck_page=int(page) if page else None,
    )
    return rec


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    out: dict[str, Any] = {k: form.get(k) for k in form.keys()}
    out["themes"] = [str(t) for t in form.getlist("themes")]
    return out


def _save_version(db: Session, case: CatalogCase, user: User, note: str) -> None:
    db.add(
        CatalogCaseVersion(
            case_id=case.id,
            version=case.version,
            status=case.status,
            content=case.record(),
            edited_by_id=user.id,
            edited_by=user.email,
            note=note,
        )
    )


def _blank_form() -> dict[str, Any]:
    return {
        "name": "",
        "place": "",
        "region": "",
        "summary": "",
        "deck_name": "",
        "muni_codes": "",
        "pref_codes": "",
        "pillar": "",
        "themes": [],
        "combination": "",
        "deck_page": "",
    }


def _form_of(case: CatalogCase) -> dict[str, Any]:
    return {
        **case.record(),
        "muni_codes": " ".join(case.muni_codes),
        "pref_codes": " ".join(case.pref_codes),
        "combination": "×".join(case.combination),
        "deck_page": case.deck_page or "",
        "pillar": str(case.pillar),
    }


def _edit_page(
    request: Request,
    form: dict[str, Any],
    errors: dict[str, str],
    action: str,
    title: str,
    fixed_muni: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "desk/catalog/edit.html",
        status=status,
        form=form,
        errors=errors,
        action=action,
        title=title,
        pillars=data.pillars(),
        fields=POLICY_FIELDS,
        fixed_muni=fixed_muni,
    )


def _notify_secretariat(db: Session, case: CatalogCase, message: str) -> None:
    ids = db.scalars(select(User.id).where(User.role == Role.SECRETARIAT.value, User.is_active.is_(True))).all()
    db.add_all(Notification(user_id=i, message=message[:500], link=f"/desk/cases/{case.id}") for i in ids)


SecretariatUser = Annotated[User, Depends(auth.require(Role.SECRETARIAT))]
MunicipalityUser = Annotated[User, Depends(auth.require(Role.MUNICIPALITY))]


@router.get("/catalog/new", response_class=HTMLResponse)
def new_case_page(request: Request, user: SecretariatUser) -> Response:
    return _edit_page(request, _blank_form(), {}, "/desk/catalog/new", "好事例を追加")


@router.post("/catalog/new", response_class=HTMLResponse)
async def new_case(request: Request, db: Db, user: SecretariatUser) -> Response:
    form = await _form(request)
    try:
        rec = case_from_form(form, request)
    except FieldErrors as e:
        return _edit_page(request, form, e.errors, "/desk/catalog/new", "好事例を追加", status=422)
    case = CatalogCase(
        id=f"c-{secrets.token_hex(4)}", **rec, origin=ORIGIN_SECRETARIAT, status=PUBLISHED, version=1, review_note=""
    )
    db.add(case)
    db.flush()
    _save_version(db, case, user, "事務局が追加")
    index_case(db, case)
    audit.record(db, user, "create", "catalog_case", case.id, None, case.record(), auth.client_address(request))
    db.commit()
    return RedirectResponse(f"/desk/cases/{case.id}", status_code=303)


@router.get("/catalog/{case_id}/edit", response_class=HTMLResponse)
def edit_case_page(request: Request, db: Db, case_id: str, user: SecretariatUser) -> Response:
    case = _case_or_404(db, case_id)
    return _edit_page(request, _form_of(case), {}, f"/desk/catalog/{case.id}/edit", f"{case.name} を編集")


@router.post("/catalog/{case_id}/edit", response_class=HTMLResponse)
async def edit_case(request: Request, db: Db, case_id: str, user: SecretariatUser) -> Response:
    case = _case_or_404(db, case_id)
    form = await _form(request)
    try:
        rec = case_from_form(form, request)
    except FieldErrors as e:
        return _edit_page(request, form, e.errors, f"/desk/catalog/{case.id}/edit", f"{case.name} を編集", status=422)
    before = case.record()
    for key, value in rec.items():
        setattr(case, key, value)
    case.version += 1
    case.updated_at = utcnow()
    _save_version(db, case, user, "事務局が編集")
    index_case(db, case)
    audit.record(db, user, "update", "catalog_case", case.id, before, case.record(), auth.client_address(request))
    db.commit()
    return RedirectResponse(f"/desk/cases/{case.id}", status_code=303)


@router.get("/catalog/propose", response_class=HTMLResponse)
def propose_page(request: Request, user: MunicipalityUser) -> Response:
    return _edit_page(
        request, _blank_form(), {}, "/desk/catalog/propose", "自治体の取組を好事例として提案", fixed_muni=user.muni_code
    )


@router.post("/catalog/propose", response_class=HTMLResponse)
async def propose(request: Request, db: Db, user: MunicipalityUser) -> Response:
    form = await _form(request)
    try:
        rec = case_from_form(form, request, fixed_muni=user.muni_code)
    except FieldErrors as e:
        return _edit_page(
            request,
            form,
            e.errors,
            "/desk/catalog/propose",
            "自治体の取組を好事例として提案",
            fixed_muni=user.muni_code,
            status=422,
        )
    case = CatalogCase(
        id=f"p-{secrets.token_hex(4)}",
        **rec,
        origin=ORIGIN_MUNICIPALITY,
        status=PROPOSED,
        version=1,
        proposed_by_id=user.id,
        review_note="",
    )
    db.add(case)
    db.flush()
    _save_version(db, case, user, "自治体が提案")
    index_case(db, case)  # indexed now; searches only return published cases
    audit.record(db, user, "propose", "catalog_case", case.id, None, case.record(), auth.client_address(request))
    _notify_secretariat(db, case, f"好事例の提案「{case.name}」（{case.place}）が届きました。審査してください")
    db.commit()
    return RedirectResponse(f"/desk/cases/{case.id}", status_code=303)


@router.get("/catalog/review", response_class=HTMLResponse)
def review_list(request: Request, db: Db, user: SecretariatUser) -> Response:
    proposed = db.scalars(
        select(CatalogCase).where(CatalogCase.status == PROPOSED).order_by(CatalogCase.created_at)
    ).all()
    return render(request, "desk/catalog/review.html", proposed=proposed, pillar_name=data.pillar_name)


@router.post("/catalog/{case_id}/review")
async def review(request: Request, db: Db, case_id: str, user: SecretariatUser) -> Response:
    case = _case_or_404(db, case_id)
    form = await request.form()
    decision = str(form.get("decision") or "")
    if case.status != PROPOSED:
        raise HTTPException(409, f"この事例は審査待ちではありません（現在：{STATUS_JA.get(case.status, case.status)}）")
    if decision not in ("publish", "reject"):
        raise HTTPException(400, "decision は publish（公開）か reject（不採用）です")
    before = case.record() | {"status": case.status}
    case.status = PUBLISHED if decision == "publish" else REJECTED
    case.review_note = str(form.get("note") or "")[:2000]
    case.version += 1
    case.updated_at = utcnow()
    _save_version(db, case, user, "事務局が公開" if decision == "publish" else "事務局が不採用")
    audit.record(
        db,
        user,
        decision,
        "catalog_case",
        case.id,
        before,
        case.record() | {"status": case.status},
        auth.client_address(request),
    )
    if case.proposed_by_id is not None:
        outcome = "公開されました" if case.status == PUBLISHED else "不採用となりました"
        db.add(
            Notification(
                user_id=case.proposed_by_id,
                message=f"提案した好事例「{case.name}」が{outcome}"[:500],
                link=f"/desk/cases/{case.id}",
            )
        )
    db.commit()
    return RedirectResponse(f"/desk/cases/{case.id}", status_code=303)


# -- the municipality page's 好事例 tab ------------------------------------------------------------------------


def recommendations_for(app: FastAPI, code: str) -> list[dict[str, Any]] | None:
    """What the 好事例 tab of a municipality shows: each recommended case with its one-line reason.

    None when the desk is not there to ask (not mounted yet, or its database not initialised by `sousei desk init`).
    """
    desk = getattr(app.state, "desk", None)
    if desk is None:
        return None
    with desk.sessions() as db:
        try:
            pairs = app.state.catalog_recommender.for_municipality(db, code)
        except DBAPIError:
            return None
        return [
            {
                "id": c.id,
                "name": c.name,
                "place": c.place,
                "summary": c.summary,
                "kind": r.kind,
                "reason": r.reason,
                "themes": [field_name(t) for t in c.themes],
            }
            for r, c in pairs
        ]


def catalog_state(app: FastAPI) -> tuple[Any, ...]:
    """Changes when the published cases change (the municipality page's cached 好事例 tab is then re-rendered)."""
    desk = getattr(app.state, "desk", None)
    if desk is None:
        return ()
    with desk.sessions() as db:
        try:
            return catalog_stamp(db)
        except DBAPIError:
            return ()


def search_link(**params: str) -> str:
    return "/desk/cases?" + urlencode({k: v for k, v in params.items() if v})


def mount(app: FastAPI) -> None:
    app.state.catalog_recommender = Recommender(app.state.desk.warehouse)
    app.state.desk_templates.env.globals["case_search_link"] = search_link
    app.include_router(router)
