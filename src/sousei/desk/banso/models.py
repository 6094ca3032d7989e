"""伴走支援 tables (desk_banso_*): 支援官, applications, team-forming runs and their teams, locks, evaluations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sousei.desk.db import Base, UTCDateTime, utcnow


class Official(Base):
    """A 地方創生支援官 as registered by themself (a ministry account): one row per account."""

    __tablename__ = "desk_banso_officials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("desk_users.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    ministry_id: Mapped[str] = mapped_column(String(40))  # sousei.desk.ministries
    stage: Mapped[str] = mapped_column(String(10))  # 若手 | 中堅 | シニア (sousei.domain.matching.STAGES)
    home_pref: Mapped[str | None] = mapped_column(String(2))
    yukari: Mapped[list[str]] = mapped_column(JSON, default=list)  # prefecture or municipality codes
    conflicts: Mapped[list[str]] = mapped_column(JSON, default=list)  # municipality codes it must not support
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    availability_note: Mapped[str] = mapped_column(Text, default="")  # e.g. 勤務時間の1～2割, 出張可能な時期
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)  # only ever True in a demo database
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    strengths: Mapped[list[OfficialField]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class OfficialField(Base):
    __tablename__ = "desk_banso_official_fields"

    official_id: Mapped[int] = mapped_column(
        ForeignKey("desk_banso_officials.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # sousei.desk.policy_fields
    strength: Mapped[int] = mapped_column(Integer)  # 1..3


class Application(Base):
    """A municipality's application for a 伴走支援チーム: one per municipality."""

    __tablename__ = "desk_banso_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    muni_code: Mapped[str] = mapped_column(String(5), unique=True)
    muni_name: Mapped[str] = mapped_column(String(100))
    problem: Mapped[str] = mapped_column(Text, default="")  # 課題の提示、支援の希望
    continues: Mapped[bool] = mapped_column(Boolean, default=False)  # 前年度からの継続
    keep: Mapped[list[int]] = mapped_column(JSON, default=list)  # Official ids to keep when continuing
    created_by: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    themes: Mapped[list[ApplicationTheme]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class ApplicationTheme(Base):
    __tablename__ = "desk_banso_application_themes"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("desk_banso_applications.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    priority: Mapped[int] = mapped_column(Integer)  # 1..3


class Lock(Base):
    """The Secretariat fixed this official into this municipality's team for the next runs."""

    __tablename__ = "desk_banso_locks"

    official_id: Mapped[int] = mapped_column(
        ForeignKey("desk_banso_officials.id", ondelete="CASCADE"), primary_key=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("desk_banso_applications.id", ondelete="CASCADE"), primary_key=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Run(Base):
    """One team-forming run: settings, solver figures, feasibility findings, explanations; published or not."""

    __tablename__ = "desk_banso_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    team_size: Mapped[int] = mapped_column(Integer)
    weights: Mapped[dict[str, float]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))  # optimal | feasible | infeasible
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float] = mapped_column(Float)
    parts: Mapped[dict[str, float]] = mapped_column(JSON)
    shortages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    locks: Mapped[list[list[int]]] = mapped_column(JSON, default=list)  # [[official_id, application_id], …]
    explanations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # application id → explanation
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list[Member]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class Member(Base):
    __tablename__ = "desk_banso_members"

    run_id: Mapped[int] = mapped_column(ForeignKey("desk_banso_runs.id", ondelete="CASCADE"), primary_key=True)
    official_id: Mapped[int] = mapped_column(
        ForeignKey("desk_banso_officials.id", ondelete="CASCADE"), primary_key=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("desk_banso_applications.id", ondelete="CASCADE"), index=True
    )


class MunicipalityEvaluation(Base):
    """The municipality's survey (the deck's questions) about its published team."""

    __tablename__ = "desk_banso_muni_evaluations"
    __table_args__ = (UniqueConstraint("run_id", "application_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("desk_banso_runs.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("desk_banso_applications.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    rating: Mapped[int] = mapped_column(Integer)  # 5（良い）～1（悪い）
    wants_continuation: Mapped[bool] = mapped_column(Boolean)
    years: Mapped[int | None] = mapped_column(Integer)  # 何年程度必要（5 = 5年以上）
    change: Mapped[str] = mapped_column(Text, default="")  # 庁内の変化
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfficialEvaluation(Base):
    """The 支援官's survey: rating, reasons (the deck's 12, multiple choice), use of the back-office support."""

    __tablename__ = "desk_banso_official_evaluations"
    __table_args__ = (UniqueConstraint("run_id", "official_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("desk_banso_runs.id", ondelete="CASCADE"))
    official_id: Mapped[int] = mapped_column(ForeignKey("desk_banso_officials.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    rating: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # ids from sousei.domain.evaluation.reasons()
    back_office: Mapped[str] = mapped_column(String(20))  # sousei.domain.evaluation.BACK_OFFICE_OPTIONS
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
