"""The 好事例 catalog's tables: cases (with every version kept), their search tokens, and KPI progress entries.

The deck's cases are seeded from cases.toml by migration 0002_catalog; the Secretariat edits them and adds more;
municipalities propose theirs, which are published after the Secretariat's review. Every change of a case adds a
row to desk_catalog_case_versions (and one to the desk's audit log).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sousei.desk.catalog.data import case_record
from sousei.desk.db import Base, UTCDateTime, utcnow

# status of a case: only published cases are shown to the public, searched and recommended
PUBLISHED = "published"
PROPOSED = "proposed"
REJECTED = "rejected"
STATUS_JA = {PUBLISHED: "公開", PROPOSED: "審査待ち", REJECTED: "不採用"}

# where a case comes from
ORIGIN_DECK = "deck"
ORIGIN_SECRETARIAT = "secretariat"
ORIGIN_MUNICIPALITY = "municipality"


class CatalogCase(Base):
    __tablename__ = "desk_catalog_cases"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    deck_name: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200))
    muni_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    pref_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str] = mapped_column(String(100), default="")
    pillar: Mapped[int] = mapped_column(Integer, index=True)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    combination: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text)
    deck_page: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def record(self) -> dict[str, Any]:
        """The editable content (what a version keeps)."""
        return case_record(self)


class CatalogCaseVersion(Base):
    __tablename__ = "desk_catalog_case_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("desk_catalog_cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    edited_by: Mapped[str] = mapped_column(String(254))  # e-mail at the time, or "deck" for the seeded version
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class CatalogCaseSearch(Base):
    """The case's search tokens (sousei.desk.catalog.tokens), space-separated: title = name and place, body = the
    rest. SQLite indexes them in the FTS5 table desk_catalog_case_fts, PostgreSQL in the tsvector column `document`
    (both created by the migration, outside this model)."""

    __tablename__ = "desk_catalog_case_search"

    case_id: Mapped[str] = mapped_column(ForeignKey("desk_catalog_cases.id", ondelete="CASCADE"), primary_key=True)
    title_tokens: Mapped[str] = mapped_column(Text)
    body_tokens: Mapped[str] = mapped_column(Text)


class KpiProgress(Base):
    """A value of a 基本構想 KPI target at a date, entered by the Secretariat with its source."""

    __tablename__ = "desk_catalog_kpi_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[str] = mapped_column(String(80), index=True)  # kpi_targets.toml id
    value: Mapped[float] = mapped_column(Float)
    observed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="SET NULL"))
    entered_by: Mapped[str] = mapped_column(String(254))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
