"""Who is asking: session cookies, the current-user dependency, role checks, CSRF and the login rate limit.

Every /desk route depends on `current_user` (or `require(...)`), so an unauthenticated request never reaches
data: pages redirect to /desk/login, the JSON API answers 401. State-changing requests also depend on
`csrf_user`, which compares the form field `csrf_token` (or the X-CSRF-Token header) with the session's token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from sousei.desk.db import Engine, make_sessionmaker, utcnow, write_session
from sousei.desk.models import DeskSession, LoginAttempt, User
from sousei.desk.roles import Role
from sousei.desk.security import new_token, same, token_hash

SESSION_COOKIE = "sousei_desk_session"
LOGIN_CSRF_COOKIE = "sousei_desk_csrf"  # double-submit token for the forms used before login
SESSION_DAYS = 7
RATE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Desk:
    """What the desk routes need, kept on app.state.desk."""

    engine: Engine
    sessions: sessionmaker[Session]
    warehouse: Any = None  # sousei.query.Warehouse: municipality names and the dashboard summary

    @classmethod
    def open(cls, engine: Engine, warehouse: Any = None) -> Desk:
        return cls(engine, make_sessionmaker(engine), warehouse)


class LoginRequired(Exception):
    """Raised by current_user for an anonymous request; the desk's handler redirects or answers 401."""


def desk_of(request: Request) -> Desk:
    return request.app.state.desk  # type: ignore[no-any-return]


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; requests that change state get a write transaction (BEGIN IMMEDIATE on SQLite)."""
    factory = desk_of(request).sessions
    session = factory() if request.method in SAFE_METHODS else write_session(factory)
    try:
        yield session
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def current_user(request: Request) -> User:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired
    # A short read of its own: the request's write transaction (and on SQLite the write lock) starts only when
    # the handler itself touches the database.
    with desk_of(request).sessions() as db:
        row = db.get(DeskSession, token_hash(token))
        if row is None or row.expires_at <= utcnow() or not row.user.is_active:
            raise LoginRequired
    request.state.csrf_token = row.csrf_token
    request.state.user = row.user
    return row.user


CurrentUser = Annotated[User, Depends(current_user)]


async def csrf_user(request: Request, user: CurrentUser) -> User:
    """The current user, after the request's CSRF token matched the session's (403 otherwise)."""
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token") or ""
        if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            sent = str((await request.form()).get("csrf_token") or "")
        if not same(sent, request.state.csrf_token):
            raise HTTPException(
                403,
                "フォームの有効期限が切れたか、不正な送信です（CSRFトークンが一致しません）。ページを開き直してください",
            )
    return user


CsrfUser = Annotated[User, Depends(csrf_user)]


def require(*roles: Role) -> Callable[..., User]:
    """A dependency: the current user (CSRF-checked on state changes) if their role is one of roles, else 403."""
    allowed = {r.value for r in roles}

    def check(user: CsrfUser) -> User:
        if user.role not in allowed:
            raise HTTPException(403, "この操作を行う権限がありません")
        return user

    return check


# -- login, logout and the rate limit --------------------------------------------------------------------------


def rate_limited(db: Session, email: str, address: str) -> bool:
    """Too many recent failures for this account or from this address."""
    since = utcnow() - RATE_WINDOW
    by_account = db.scalar(select(func.count()).where(LoginAttempt.email == email, LoginAttempt.at > since))
    by_address = db.scalar(select(func.count()).where(LoginAttempt.address == address, LoginAttempt.at > since))
    return (by_account or 0) >= MAX_FAILURES_PER_ACCOUNT or (by_address or 0) >= MAX_FAILURES_PER_ADDRESS


def record_failure(db: Session, email: str, address: str) -> None:
    db.add(LoginAttempt(email=email, address=address))


def start_session(db: Session, user: User, request: Request, response: Response) -> None:
    """A new session row and its cookie (HttpOnly, SameSite=Lax, Secure over HTTPS); clears the account's failures."""
    token = new_token()
    db.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    db.add(
        DeskSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=new_token(),
            expires_at=utcnow() + timedelta(days=SESSION_DAYS),
            address=client_address(request),
        )
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 86400,
        path="/desk",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def end_session(db: Session, request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        db.execute(delete(DeskSession).where(DeskSession.token_hash == token_hash(token)))
    response.delete_cookie(SESSION_COOKIE, path="/desk")


def end_all_sessions(db: Session, user_id: int) -> None:
    """After a password reset or deactivation every login of the account ends."""
    db.execute(delete(DeskSession).where(DeskSession.user_id == user_id))


def login_csrf(request: Request) -> str:
    """The double-submit token of the pre-login forms (a new one when the cookie is missing)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()


def set_login_csrf(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        value,
        path="/desk",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def check_login_csrf(request: Request, sent: str) -> None:
    if not same(sent, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        raise HTTPException(403, "フォームの有効期限が切れました。ページを開き直してください")
