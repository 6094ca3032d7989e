"""The audit log: every change written in the same transaction as the change itself."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from sousei.desk.models import AuditEntry, User

SECRET_COLUMNS = {"password_hash", "token_hash", "csrf_token"}


def snapshot(obj: Any) -> dict[str, Any]:
    """The columns of a mapped object as JSON-ready values (secrets left out)."""
    out: dict[str, Any] = {}
    for col in inspect(obj).mapper.column_attrs:
        if col.key in SECRET_COLUMNS:
            continue
        value = getattr(obj, col.key)
        out[col.key] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    address: str = "",
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            actor=actor.email if actor else "cli",
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
            address=address,
        )
    )
