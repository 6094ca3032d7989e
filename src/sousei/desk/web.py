"""The /desk pages: mounted into the dashboard app (same look, same server), each route behind the auth dependency.

Routers by concern: this module (login, logout, home, notifications), web_karte (相談カルテ), web_admin (accounts,
audit log). Anonymous page requests are redirected to /desk/login; the JSON API under /desk/api answers 401.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from sousei.desk import auth, ministries, policy_fields
from sousei.desk.auth import CsrfUser, CurrentUser, Db, Desk, LoginRequired
from sousei.desk.db import make_engine, utcnow
from sousei.desk.models import Notification, User
from sousei.desk.roles import ROLE_JA
from sousei.desk.security import verify_password

router = APIRouter(prefix="/desk", include_in_schema=False)
MAX_BODY = 256 * 1024
RATE_LIMITED_JA = "ログインの失敗が続いたため、しばらくログインできません。15分ほど後にもう一度お試しください"
ZONE_JST = __import__("zoneinfo").ZoneInfo("Asia/Tokyo")


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.desk_templates
    user = getattr(request.state, "user", None)
    ctx.setdefault("user", user)
    ctx.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
    if user is not None and "unread" not in ctx:
        desk: Desk = request.app.state.desk
        with desk.sessions() as db:
            ctx["unread"] = db.scalar(
                select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
            )
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def safe_next(value: str | None) -> str:
    """Only a path inside the desk (no open redirect to another site)."""
    if value and value.startswith("/desk") and not value.startswith("//") and "\\" not in value:
        return value
    return "/desk/"


def muni_label(request: Request, code: str | None) -> str:
    if not code:
        return ""
    wh = request.app.state.desk.warehouse
    muni = wh.municipality(code) if wh is not None else None
    return f"{muni['pref_name']}{muni['name']}（{code}）" if muni else code


# -- login and logout ------------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    token = auth.login_csrf(request)
    response = render(request, "desk/login.html", login_csrf=token, next=safe_next(next), errors={}, email="")
    auth.set_login_csrf(request, response, token)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: Db,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/desk/",
) -> Response:
    auth.check_login_csrf(request, csrf_token)
    email = email.strip().lower()
    address = auth.client_address(request)
    # Read and verify outside the write transaction: argon2 takes tens of milliseconds, and on SQLite a write
    # transaction holds the database's one write lock for its whole length.
    with request.app.state.desk.sessions() as read:
        limited = auth.rate_limited(read, email, address)
        user = None if limited else read.scalar(select(User).where(User.email == email))
        # verified even for an unknown e-mail (against a dummy hash), so the time taken tells nothing
        ok = verify_password(user.password_hash if user else None, password) and user is not None and user.is_active
    if limited:
        return render(
            request,
            "desk/login.html",
            status=429,
            login_csrf=csrf_token,
            next=safe_next(next),
            email=email,
            errors={"form": RATE_LIMITED_JA},
        )
    if not ok or user is None:
        auth.record_failure(db, email, address)
        db.commit()
        return render(
            request,
            "desk/login.html",
            status=401,
            login_csrf=csrf_token,
            next=safe_next(next),
            email=email,
            errors={"form": "メールアドレスまたはパスワードが違います"},
        )
    redirect = RedirectResponse(safe_next(next), status_code=303)
    auth.start_session(db, user, request, redirect)
    db.commit()
    return redirect


@router.post("/logout")
def logout(request: Request, db: Db, user: CsrfUser) -> Response:
    response = RedirectResponse("/desk/login", status_code=303)
    auth.end_session(db, request, response)
    db.commit()
    return response


# -- home and notifications ------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Db, user: CurrentUser) -> Response:
    notes = db.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(10)
    ).all()
    return render(request, "desk/home.html", notifications=notes)


@router.get("/notifications", response_class=HTMLResponse)
def notifications(request: Request, db: Db, user: CurrentUser) -> Response:
    notes = db.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(200)
    ).all()
    return render(request, "desk/notifications.html", notifications=notes)


@router.post("/notifications/read")
def notifications_read(db: Db, user: CsrfUser) -> Response:
    db.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.commit()
    return RedirectResponse("/desk/notifications", status_code=303)


@router.get("/api/me")
def api_me(user: CurrentUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "muni_code": user.muni_code,
        "ministry_id": user.ministry_id,
    }


# -- mounting --------------------------------------------------------------------------------------------------


def jst(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as Japan time for the pages."""
    if value is None:
        return "—"
    if getattr(value, "tzinfo", None) is None and hasattr(value, "hour"):
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZONE_JST).strftime(fmt) if hasattr(value, "hour") else str(value)


def mount_desk(app: FastAPI, templates: Jinja2Templates, warehouse: Any = None, url: str | None = None) -> None:
    """Add the /desk routes to the app; the database is the one at url (default: SOUSEI_DESK_DB_URL or SQLite)."""
    from sousei.desk import web_admin, web_karte

    app.state.desk = Desk.open(make_engine(url), warehouse)
    app.state.desk_templates = templates
    env = templates.env
    env.globals["policy_fields"] = policy_fields.POLICY_FIELDS
    env.globals["ministries"] = ministries.MINISTRIES
    env.globals["role_ja"] = {r.value: label for r, label in ROLE_JA.items()}
    env.filters["field_name"] = policy_fields.field_name
    env.filters["ministry_name"] = ministries.ministry_name
    env.filters["jst"] = jst
    env.globals["muni_label"] = lambda code: muni_label_plain(warehouse, code)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/desk/api/"):
            return JSONResponse({"detail": "ログインが必要です"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method not in auth.SAFE_METHODS:
            target = "/desk/"  # a form sent after the session ended: log in again, nothing was changed
        return RedirectResponse(f"/desk/login?next={quote(target)}", status_code=303)

    app.add_middleware(DeskBodyLimit)

    @app.exception_handler(SQLAlchemyError)
    async def desk_database_error(request: Request, exc: SQLAlchemyError) -> Response:
        text = str(exc)
        missing = "no such table" in text or "UndefinedTable" in text or "does not exist" in text
        message = (
            "相談窓口のデータベースが作成されていません。`sousei desk init` を実行してください"
            if missing
            else "相談窓口のデータベースに接続できません。しばらくしてからもう一度お試しください"
        )
        return templates.TemplateResponse(
            request, "error.html", {"message": message, "status_code": 503}, status_code=503
        )

    app.include_router(router)
    app.include_router(web_karte.router)
    app.include_router(web_admin.router)
    from sousei.desk.banso import web as banso_web

    app.include_router(banso_web.router)
    from sousei.desk import web_catalog, web_targets  # 好事例 catalog and KPI targets (issue 16)

    web_catalog.mount(app)
    app.include_router(web_targets.router)


class DeskBodyLimit:
    """Forms of the desk are small: a huge body sent to /desk is refused (413) before anything parses it.

    A plain ASGI middleware, not `@app.middleware("http")`: that one (Starlette's BaseHTTPMiddleware) wraps every
    request of the whole dashboard in a task and memory streams, ~1 ms of CPU each, which cut the cached pages'
    throughput by a third (docs/benchmarks.md).
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/desk"):
            length = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
            if int(length or 0) > MAX_BODY:
                response = HTMLResponse(f"送信内容が大きすぎます（{MAX_BODY // 1024} KB まで）", status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def muni_label_plain(warehouse: Any, code: str | None) -> str:
    if not code:
        return ""
    muni = warehouse.municipality(code) if warehouse is not None else None
    return f"{muni['pref_name']}{muni['name']}" if muni else code
