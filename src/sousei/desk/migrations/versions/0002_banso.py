"""banso: 伴走支援 officials, applications, locks, team-forming runs and members, evaluations

Revision ID: 0002_banso
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_banso"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_banso_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("muni_code", sa.String(length=5), nullable=False),
        sa.Column("muni_name", sa.String(length=100), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("continues", sa.Boolean(), nullable=False),
        sa.Column("keep", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["desk_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("muni_code"),
    )
    op.create_table(
        "desk_banso_officials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("ministry_id", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("home_pref", sa.String(length=2), nullable=True),
        sa.Column("yukari", sa.JSON(), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("availability_note", sa.Text(), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["desk_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "desk_banso_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("team_size", sa.Integer(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("shortages", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("locks", sa.JSON(), nullable=False),
        sa.Column("explanations", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["desk_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "desk_banso_application_themes",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["desk_banso_applications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("application_id", "field_id"),
    )
    op.create_table(
        "desk_banso_locks",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["desk_banso_applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["desk_users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["official_id"], ["desk_banso_officials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("official_id", "application_id"),
    )
    op.create_table(
        "desk_banso_members",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["desk_banso_applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["official_id"], ["desk_banso_officials.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["desk_banso_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "official_id"),
    )
    op.create_index(
        op.f("ix_desk_banso_members_application_id"), "desk_banso_members", ["application_id"], unique=False
    )
    op.create_table(
        "desk_banso_muni_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("wants_continuation", sa.Boolean(), nullable=False),
        sa.Column("years", sa.Integer(), nullable=True),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["desk_banso_applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["desk_banso_runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["desk_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "application_id"),
    )
    op.create_table(
        "desk_banso_official_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("back_office", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["official_id"], ["desk_banso_officials.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["desk_banso_runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["desk_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "official_id"),
    )
    op.create_table(
        "desk_banso_official_fields",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.String(length=40), nullable=False),
        sa.Column("strength", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["official_id"], ["desk_banso_officials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("official_id", "field_id"),
    )


def downgrade() -> None:
    op.drop_table("desk_banso_official_fields")
    op.drop_table("desk_banso_official_evaluations")
    op.drop_table("desk_banso_muni_evaluations")
    op.drop_table("desk_banso_members")
    op.drop_table("desk_banso_locks")
    op.drop_table("desk_banso_application_themes")
    op.drop_table("desk_banso_runs")
    op.drop_table("desk_banso_officials")
    op.drop_table("desk_banso_applications")
