"""foundation: accounts, sessions, tokens, audit log, notifications, karte

Revision ID: 0001_foundation
Revises: (none: the first revision of the desk)
Create Date: 2026-12-06 00:46:34.662110
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("desk_login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_desk_login_attempts_address_at", ["address", "at"], unique=False)
        batch_op.create_index("ix_desk_login_attempts_email_at", ["email", "at"], unique=False)

    op.create_table(
        "desk_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("muni_code", sa.String(length=5), nullable=True),
        sa.Column("ministry_id", sa.String(length=40), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "desk_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["desk_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("desk_audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_desk_audit_log_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "desk_karte",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("muni_code", sa.String(length=5), nullable=False),
        sa.Column("pref_code", sa.String(length=2), nullable=False),
        sa.Column("partners", sa.Text(), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("idea", sa.Text(), nullable=False),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("support_wanted", sa.Text(), nullable=False),
        sa.Column("timeline", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_phone", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["desk_users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("desk_karte", schema=None) as batch_op:
        batch_op.create_index("ix_desk_karte_muni", ["muni_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_desk_karte_pref_code"), ["pref_code"], unique=False)
        batch_op.create_index("ix_desk_karte_status", ["status"], unique=False)

    op.create_table(
        "desk_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["desk_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("desk_notifications", schema=None) as batch_op:
        batch_op.create_index("ix_desk_notifications_user_read", ["user_id", "read_at"], unique=False)

    op.create_table(
        "desk_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["desk_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("desk_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "desk_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("muni_code", sa.String(length=5), nullable=True),
        sa.Column("ministry_id", sa.String(length=40), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["desk_users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["desk_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "desk_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("karte_id", sa.Integer(), nullable=False),
        sa.Column("ministry_id", sa.String(length=40), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("measure_name", sa.String(length=200), nullable=False),
        sa.Column("grant_name", sa.String(length=200), nullable=False),
        sa.Column("contact_point", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["desk_users.id"],
        ),
        sa.ForeignKeyConstraint(["karte_id"], ["desk_karte.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("desk_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_answers_karte_id"), ["karte_id"], unique=False)

    op.create_table(
        "desk_karte_fields",
        sa.Column("karte_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["karte_id"], ["desk_karte.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("karte_id", "field_id"),
    )
    with op.batch_alter_table("desk_karte_fields", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_karte_fields_field_id"), ["field_id"], unique=False)

    op.create_table(
        "desk_karte_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("karte_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["desk_users.id"],
        ),
        sa.ForeignKeyConstraint(["karte_id"], ["desk_karte.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("desk_karte_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_karte_history_karte_id"), ["karte_id"], unique=False)

    op.create_table(
        "desk_karte_shares",
        sa.Column("karte_id", sa.Integer(), nullable=False),
        sa.Column("ministry_id", sa.String(length=40), nullable=False),
        sa.Column("shared_by", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["karte_id"], ["desk_karte.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["shared_by"],
            ["desk_users.id"],
        ),
        sa.PrimaryKeyConstraint("karte_id", "ministry_id"),
    )
    with op.batch_alter_table("desk_karte_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_karte_shares_ministry_id"), ["ministry_id"], unique=False)

    op.create_table(
        "desk_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("karte_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["karte_id"], ["desk_karte.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["desk_users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("desk_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_meetings_karte_id"), ["karte_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("desk_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_meetings_karte_id"))

    op.drop_table("desk_meetings")
    with op.batch_alter_table("desk_karte_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_karte_shares_ministry_id"))

    op.drop_table("desk_karte_shares")
    with op.batch_alter_table("desk_karte_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_karte_history_karte_id"))

    op.drop_table("desk_karte_history")
    with op.batch_alter_table("desk_karte_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_karte_fields_field_id"))

    op.drop_table("desk_karte_fields")
    with op.batch_alter_table("desk_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_answers_karte_id"))

    op.drop_table("desk_answers")
    op.drop_table("desk_tokens")
    with op.batch_alter_table("desk_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_sessions_user_id"))

    op.drop_table("desk_sessions")
    with op.batch_alter_table("desk_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_desk_notifications_user_read")

    op.drop_table("desk_notifications")
    with op.batch_alter_table("desk_karte", schema=None) as batch_op:
        batch_op.drop_index("ix_desk_karte_status")
        batch_op.drop_index(batch_op.f("ix_desk_karte_pref_code"))
        batch_op.drop_index("ix_desk_karte_muni")

    op.drop_table("desk_karte")
    with op.batch_alter_table("desk_audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_desk_audit_log_entity")
        batch_op.drop_index(batch_op.f("ix_desk_audit_log_at"))

    op.drop_table("desk_audit_log")
    op.drop_table("desk_users")
    with op.batch_alter_table("desk_login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_desk_login_attempts_email_at")
        batch_op.drop_index("ix_desk_login_attempts_address_at")

    op.drop_table("desk_login_attempts")
