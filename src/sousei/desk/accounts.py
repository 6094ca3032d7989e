"""Accounts: creating users (the CLI, invitations), invitations and password-reset links, deactivation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sousei.desk import audit, ministries
from sousei.desk.db import utcnow
from sousei.desk.models import Token, User
from sousei.desk.roles import Role
from sousei.desk.security import hash_password, new_token, password_problem, token_hash
from sousei.desk.validation import Checker

LINK_DAYS = 7
# A municipality code is checked against the warehouse's municipalities (name by code, or None when unknown).
MuniLookup = Callable[[str], str | None]


def check_account(
    checker: Checker,
    db: Session,
    email: str,
    role: str,
    muni_code: str | None,
    ministry: str | None,
    muni_name: MuniLookup,
) -> tuple[str, Role | None, str | None, str | None]:
    """The normalised (email, role, muni_code, ministry_id); messages go to checker."""
    email = checker.email("email", "メールアドレス", email, required=True)
    if email and db.scalar(select(User.id).where(User.email == email)) is not None:
        checker.add("email", "このメールアドレスの利用者はすでに登録されています")
    try:
        parsed = Role(role)
    except ValueError:
        checker.add("role", "役割を選んでください（管理者・事務局・府省庁・自治体）")
        return email, None, None, None
    code = (muni_code or "").strip() or None
    ministry_id = None
    if parsed is Role.MUNICIPALITY:
        if code is None:
            checker.add("muni_code", "自治体の利用者には市区町村コード（5桁）が必要です")
        elif muni_name(code) is None:
            checker.add("muni_code", f"市区町村コード {code} は見つかりません（5桁、例：01100）")
    elif code is not None:
        checker.add("muni_code", "市区町村コードは自治体の利用者にだけ指定します")
    if parsed is Role.MINISTRY:
        if not (ministry or "").strip():
            checker.add("ministry", "府省庁の利用者には府省庁が必要です")
        else:
            try:
                ministry_id = ministries.resolve(ministry or "").id
            except ValueError as exc:
                checker.add("ministry", str(exc))
    elif (ministry or "").strip():
        checker.add("ministry", "府省庁は府省庁の利用者にだけ指定します")
    return email, parsed, code if parsed is Role.MUNICIPALITY else None, ministry_id


def create_user(
    db: Session,
    actor: User | None,
    *,
    email: str,
    role: str,
    password: str,
    muni_code: str | None = None,
    ministry: str | None = None,
    display_name: str = "",
    muni_name: MuniLookup,
    address: str = "",
) -> User:
    """Validate everything, then add the user and its audit entry (the caller commits)."""
    checker = Checker()
    email, parsed, code, ministry_id = check_account(checker, db, email, role, muni_code, ministry, muni_name)
    name = checker.text("display_name", "氏名", display_name, max_len=100)
    problem = password_problem(password, email)
    if problem:
        checker.add("password", problem)
    checker.done()
    assert parsed is not None
    user = User(
        email=email,
        role=parsed.value,
        muni_code=code,
        ministry_id=ministry_id,
        display_name=name,
        password_hash=hash_password(password),
        is_active=True,
    )
    db.add(user)
    db.flush()
    audit.record(db, actor, "create", "user", user.id, None, audit.snapshot(user), address)
    return user


def issue_link(
    db: Session,
    actor: User,
    purpose: str,
    *,
    email: str,
    role: str | None = None,
    muni_code: str | None = None,
    ministry_id: str | None = None,
    user_id: int | None = None,
) -> str:
    """A one-time link token (invite or reset), valid LINK_DAYS days; only its hash is stored."""
    token = new_token()
    row = Token(
        token_hash=token_hash(token),
        purpose=purpose,
        email=email,
        role=role,
        muni_code=muni_code,
        ministry_id=ministry_id,
        user_id=user_id,
        created_by=actor.id,
        expires_at=utcnow() + timedelta(days=LINK_DAYS),
    )
    db.add(row)
    audit.record(
        db,
        actor,
        f"issue_{purpose}",
        "token",
        email,
        None,
        {
            "purpose": purpose,
            "email": email,
            "role": role,
            "muni_code": muni_code,
            "ministry_id": ministry_id,
            "user_id": user_id,
        },
    )
    return token


def valid_link(db: Session, token: str, purpose: str) -> Token | None:
    row = db.get(Token, token_hash(token))
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row
