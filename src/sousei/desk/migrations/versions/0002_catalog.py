"""catalog: 好事例 cases with versions, their search index (FTS5 / tsvector+GIN), KPI progress; seeds the deck's cases

Revision ID: 0002_catalog
Revises: 0001_foundation
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from sousei.desk.db import UTCDateTime

revision = "0002_catalog"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_catalog_cases",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("deck_name", sa.String(200), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("muni_codes", sa.JSON(), nullable=False),
        sa.Column("pref_codes", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("pillar", sa.Integer(), nullable=False, index=True),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("combination", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("deck_page", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), sa.ForeignKey("desk_users.id", ondelete="SET NULL")),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "desk_catalog_case_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.String(80),
            sa.ForeignKey("desk_catalog_cases.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), sa.ForeignKey("desk_users.id", ondelete="SET NULL")),
        sa.Column("edited_by", sa.String(254), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_table(
        "desk_catalog_case_search",
        sa.Column(
            "case_id", sa.String(80), sa.ForeignKey("desk_catalog_cases.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("title_tokens", sa.Text(), nullable=False),
        sa.Column("body_tokens", sa.Text(), nullable=False),
    )
    op.create_table(
        "desk_catalog_kpi_progress",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("target_id", sa.String(80), nullable=False, index=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), sa.ForeignKey("desk_users.id", ondelete="SET NULL")),
        sa.Column("entered_by", sa.String(254), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
    )
    from sousei.desk.catalog.search import create_index_sql
    from sousei.desk.catalog.seed import seed_deck_cases

    bind = op.get_bind()
    for statement in create_index_sql(bind.dialect.name):
        op.execute(statement)
    with Session(bind=bind) as db:
        seed_deck_cases(db)
        db.flush()


def downgrade() -> None:
    from sousei.desk.catalog.search import drop_index_sql

    for statement in drop_index_sql(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("desk_catalog_kpi_progress")
    op.drop_table("desk_catalog_case_search")
    op.drop_table("desk_catalog_case_versions")
    op.drop_table("desk_catalog_cases")
