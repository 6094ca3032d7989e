"""The desk's foundation tables: accounts, sessions, tokens, audit log, notifications and the 相談カルテ.

Every table name starts with desk_; 伴走支援 (desk/banso) and 好事例 (desk/catalog) keep their own modules.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sousei.desk.db import Base, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "desk_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20))  # sousei.desk.roles.Role
    muni_code: Mapped[str | None] = mapped_column(String(5))  # municipality staff: their one municipality
    ministry_id: Mapped[str | None] = mapped_column(String(40))  # ministry staff: sousei.desk.ministries id
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeskSession(Base):
    """A login: the cookie holds a random token, the table only its sha256 (a leaked table logs nobody in)."""

    __tablename__ = "desk_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("desk_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """Failed logins, counted per account and per address for the rate limit."""

    __tablename__ = "desk_login_attempts"
    __table_args__ = (
        Index("ix_desk_login_attempts_email_at", "email", "at"),
        Index("ix_desk_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Token(Base):
    """A one-time link: an invitation (creates an account) or a password reset (issued by an admin)."""

    __tablename__ = "desk_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))  # invite | reset
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(20))
    muni_code: Mapped[str | None] = mapped_column(String(5))
    ministry_id: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who changed what, when, with the record before and after (JSON)."""

    __tablename__ = "desk_audit_log"
    __table_args__ = (Index("ix_desk_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))  # e-mail, or "cli" for `sousei desk create-user`
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    address: Mapped[str] = mapped_column(String(64), default="")


class Notification(Base):
    __tablename__ = "desk_notifications"
    __table_args__ = (Index("ix_desk_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("desk_users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(200), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Karte(Base):
    """A 相談カルテ of the 「新結合」相談窓口: a municipality's idea combining 施策・人材・技術 of different fields."""

    __tablename__ = "desk_karte"
    __table_args__ = (Index("ix_desk_karte_status", "status"), Index("ix_desk_karte_muni", "muni_code"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    muni_code: Mapped[str] = mapped_column(String(5))
    pref_code: Mapped[str] = mapped_column(String(2), index=True)
    partners: Mapped[str] = mapped_column(Text, default="")
    issue: Mapped[str] = mapped_column(Text, default="")  # 地域課題
    idea: Mapped[str] = mapped_column(Text, default="")  # the 新結合 in a few sentences
    elements: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{kind, field, description}]
    support_wanted: Mapped[str] = mapped_column(Text, default="")
    timeline: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(20))  # sousei.desk.workflow.Status
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int] = mapped_column(ForeignKey("desk_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fields: Mapped[list[KarteField]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    shares: Mapped[list[KarteShare]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    # Optimistic locking: every UPDATE says WHERE version = <the version read>; a lost race raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}


class KarteField(Base):
    __tablename__ = "desk_karte_fields"

    karte_id: Mapped[int] = mapped_column(ForeignKey("desk_karte.id", ondelete="CASCADE"), primary_key=True)
    field_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class KarteShare(Base):
    """The Secretariat shared a カルテ with a ministry (only then may that ministry read and answer it)."""

    __tablename__ = "desk_karte_shares"

    karte_id: Mapped[int] = mapped_column(ForeignKey("desk_karte.id", ondelete="CASCADE"), primary_key=True)
    ministry_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    shared_by: Mapped[int] = mapped_column(ForeignKey("desk_users.id"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class KarteHistory(Base):
    """Every status change of a カルテ (the first row is its submission)."""

    __tablename__ = "desk_karte_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    karte_id: Mapped[int] = mapped_column(ForeignKey("desk_karte.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("desk_users.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")


class Answer(Base):
    """A ministry's written answer: a measure the municipality can use."""

    __tablename__ = "desk_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    karte_id: Mapped[int] = mapped_column(ForeignKey("desk_karte.id", ondelete="CASCADE"), index=True)
    ministry_id: Mapped[str] = mapped_column(String(40))
    author_id: Mapped[int] = mapped_column(ForeignKey("desk_users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    measure_name: Mapped[str] = mapped_column(String(200))  # 施策名
    grant_name: Mapped[str] = mapped_column(String(200), default="")  # 交付金・補助金
    contact_point: Mapped[str] = mapped_column(String(200), default="")  # 窓口
    url: Mapped[str] = mapped_column(String(500), default="")
    comment: Mapped[str] = mapped_column(Text, default="")


class Meeting(Base):
    __tablename__ = "desk_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    karte_id: Mapped[int] = mapped_column(ForeignKey("desk_karte.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    form: Mapped[str] = mapped_column(String(20))  # online | face_to_face | phone
    participants: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("desk_users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
