"""The admin pages (accounts, invitations, password resets, the audit log and its export) and the one-time link
pages a new or resetting user opens without a session."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from sousei.desk import accounts, audit, auth
from sousei.desk.auth import Db, require
from sousei.desk.db import utcnow
from sousei.desk.models import AuditEntry, User
from sousei.desk.roles import Role
from sousei.desk.security import hash_password, password_problem
from sousei.desk.validation import Checker, FieldErrors
from sousei.desk.web import render

router = APIRouter(prefix="/desk", include_in_schema=False)
Admin = Annotated[User, Depends(require(Role.ADMIN))]
AUDIT_PAGE = 500


async def posted(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(posted)]


def _muni_lookup(request: Request) -> Any:
    wh = request.app.state.desk.warehouse
    return lambda code: (wh.municipality(code) or {}).get("name") if wh is not None else None


def _link(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


# -- users and invitations -------------------------------------------------------------------------------------


def _users_page(
    request: Request,
    db: Db,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    invite_link: str = "",
    reset_link: str = "",
    v: dict[str, str] | None = None,
) -> HTMLResponse:
    users = db.scalars(select(User).order_by(User.id)).all()
    return render(
        request,
        "desk/admin_users.html",
        status=status,
        users=users,
        errors=errors or {},
        invite_link=invite_link,
        reset_link=reset_link,
        v=v or {},
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, db: Db, user: Admin) -> Response:
    return _users_page(request, db)


@router.post("/admin/invite", response_class=HTMLResponse)
def invite(request: Request, db: Db, user: Admin, form: Form) -> Response:
    values = {k: str(form.get(k) or "").strip() for k in ("email", "role", "muni_code", "ministry")}
    checker = Checker()
    email, role, muni, ministry_id = accounts.check_account(
        checker, db, values["email"], values["role"], values["muni_code"], values["ministry"], _muni_lookup(request)
    )
    try:
        checker.done()
    except FieldErrors as exc:
        return _users_page(request, db, status=422, errors=exc.errors, v=values)
    assert role is not None
    token = accounts.issue_link(
        db, user, "invite", email=email, role=role.value, muni_code=muni, ministry_id=ministry_id
    )
    db.commit()
    return _users_page(request, db, invite_link=_link(request, f"/desk/invite/{token}"))


@router.post("/admin/users/{user_id}/reset", response_class=HTMLResponse)
def reset_link(request: Request, db: Db, user: Admin, user_id: int) -> Response:
    target = db.get(User, user_id)
    if target is None:
        raise HTTPException(404, f"利用者 {user_id} は見つかりません")
    token = accounts.issue_link(db, user, "reset", email=target.email, user_id=target.id)
    db.commit()
    return _users_page(request, db, reset_link=_link(request, f"/desk/reset/{token}"))


@router.post("/admin/users/{user_id}/active")
def set_active(request: Request, db: Db, user: Admin, user_id: int, form: Form) -> Response:
    target = db.get(User, user_id)
    if target is None:
        raise HTTPException(404, f"利用者 {user_id} は見つかりません")
    if target.id == user.id:
        raise HTTPException(422, "自分自身は無効にできません")
    before = audit.snapshot(target)
    target.is_active = form.get("active") == "1"
    if not target.is_active:
        auth.end_all_sessions(db, target.id)
    db.flush()
    audit.record(
        db,
        user,
        "activate" if target.is_active else "deactivate",
        "user",
        target.id,
        before,
        audit.snapshot(target),
        auth.client_address(request),
    )
    db.commit()
    return RedirectResponse("/desk/admin/users", status_code=303)


# -- the audit log ---------------------------------------------------------------------------------------------


def _audit_query(entity: str | None, actor: str | None) -> Any:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if actor:
        query = query.where(AuditEntry.actor == actor.strip().lower())
    return query


EntityQ = Annotated[str | None, Query(max_length=40)]
ActorQ = Annotated[str | None, Query(max_length=254)]


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: Db, user: Admin, entity: EntityQ = None, actor: ActorQ = None) -> Response:
    rows = db.scalars(_audit_query(entity or None, actor or None).limit(AUDIT_PAGE)).all()
    return render(request, "desk/admin_audit.html", rows=rows, entity=entity or "", actor=actor or "", limit=AUDIT_PAGE)


@router.get("/admin/audit.csv")
def audit_csv(db: Db, user: Admin, entity: EntityQ = None, actor: ActorQ = None) -> Response:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["id", "日時(UTC)", "操作者", "操作", "対象", "対象ID", "変更前(JSON)", "変更後(JSON)", "接続元"])
    query = _audit_query(entity or None, actor or None).order_by(None).order_by(AuditEntry.id)
    for e in db.scalars(query):
        out.writerow(
            [
                e.id,
                e.at.isoformat(),
                e.actor,
                e.action,
                e.entity,
                e.entity_id,
                json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
                e.address,
            ]
        )
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="desk-audit-log.csv"'},
    )


# -- one-time links (no session: the double-submit CSRF cookie) ------------------------------------------------


def _link_page(
    request: Request,
    token: str,
    purpose: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    email: str = "",
) -> Response:
    csrf = auth.login_csrf(request)
    response = render(
        request,
        "desk/link.html",
        status=status,
        token=token,
        purpose=purpose,
        errors=errors or {},
        login_csrf=csrf,
        email=email,
    )
    auth.set_login_csrf(request, response, csrf)
    return response


@router.get("/invite/{token}", response_class=HTMLResponse)
def invite_page(request: Request, db: Db, token: str) -> Response:
    row = accounts.valid_link(db, token, "invite")
    if row is None:
        raise HTTPException(
            404, "招待リンクが無効か、期限切れか、すでに使われています。管理者に再発行を依頼してください"
        )
    return _link_page(request, token, "invite", email=row.email)


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_page(request: Request, db: Db, token: str) -> Response:
    row = accounts.valid_link(db, token, "reset")
    if row is None:
        raise HTTPException(
            404, "再設定リンクが無効か、期限切れか、すでに使われています。管理者に再発行を依頼してください"
        )
    return _link_page(request, token, "reset", email=row.email)


@router.post("/invite/{token}", response_class=HTMLResponse)
def accept_invite(request: Request, db: Db, token: str, form: Form) -> Response:
    auth.check_login_csrf(request, str(form.get("csrf_token") or ""))
    row = accounts.valid_link(db, token, "invite")
    if row is None:
        raise HTTPException(404, "招待リンクが無効か、期限切れか、すでに使われています")
    password = str(form.get("password") or "")
    errors = {}
    if password != str(form.get("password_confirm") or ""):
        errors["password_confirm"] = "確認用のパスワードが一致しません"
    try:
        if errors:
            raise FieldErrors(errors)
        user = accounts.create_user(
            db,
            None,
            email=row.email,
            role=row.role or "",
            password=password,
            muni_code=row.muni_code,
            ministry=row.ministry_id,
            display_name=str(form.get("display_name") or ""),
            muni_name=_muni_lookup(request),
            address=auth.client_address(request),
        )
    except FieldErrors as exc:
        db.rollback()
        return _link_page(request, token, "invite", status=422, errors=exc.errors, email=row.email)
    row.used_at = utcnow()
    redirect = RedirectResponse("/desk/", status_code=303)
    auth.start_session(db, user, request, redirect)
    db.commit()
    return redirect


@router.post("/reset/{token}", response_class=HTMLResponse)
def accept_reset(request: Request, db: Db, token: str, form: Form) -> Response:
    auth.check_login_csrf(request, str(form.get("csrf_token") or ""))
    row = accounts.valid_link(db, token, "reset")
    user = db.get(User, row.user_id) if row is not None and row.user_id is not None else None
    if row is None or user is None:
        raise HTTPException(404, "再設定リンクが無効か、期限切れか、すでに使われています")
    password = str(form.get("password") or "")
    problem = password_problem(password, user.email)
    errors = {"password": problem} if problem else {}
    if password != str(form.get("password_confirm") or ""):
        errors["password_confirm"] = "確認用のパスワードが一致しません"
    if errors:
        return _link_page(request, token, "reset", status=422, errors=errors, email=user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    row.used_at = utcnow()
    auth.end_all_sessions(db, user.id)
    audit.record(
        db,
        user,
        "password_reset",
        "user",
        user.id,
        None,
        {"password_changed_at": utcnow().isoformat()},
        auth.client_address(request),
    )
    db.commit()
    return RedirectResponse("/desk/login", status_code=303)
