"""The desk's database: one engine per URL, the one DeclarativeBase, and a session factory.

The desk is read-write and separate from the read-only warehouse: SQLite (WAL) at var/desk.sqlite3 by default,
PostgreSQL (or any SQLAlchemy URL) when SOUSEI_DESK_DB_URL is set.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

DEFAULT_SQLITE = Path("var/desk.sqlite3")
# Write transactions on SQLite start with BEGIN IMMEDIATE (see _sqlite_begin); a session asks for it with this option.
WRITE = {"desk_write": True}


def database_url() -> str:
    """SOUSEI_DESK_DB_URL, else the SQLite file var/desk.sqlite3."""
    return os.environ.get("SOUSEI_DESK_DB_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values: they are read back as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the desk database")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """The one declarative base of every desk table (accounts, カルテ, 伴走支援, 好事例 …)."""


def make_engine(url: str | None = None) -> Engine:
    """An engine for the desk database; SQLite gets WAL, a busy timeout, foreign keys and explicit BEGINs."""
    url = url or database_url()
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True)
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20, max_overflow=40)

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
        # pysqlite's own transaction handling is switched off so that _sqlite_begin decides how a transaction
        # starts (the recipe in SQLAlchemy's SQLite dialect documentation).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes cannot wait for the lock (SQLite reports BUSY at
        # once to avoid a deadlock); writers therefore take the lock first with BEGIN IMMEDIATE and wait for it.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("desk_write") else "BEGIN")

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def write_session(factory: sessionmaker[Session]) -> Session:
    """A session whose transaction is a write transaction (BEGIN IMMEDIATE on SQLite; nothing special elsewhere).

    Lazy like any session: the transaction, and on SQLite the write lock, begins at the first statement, so work
    done before (parsing, password hashing) does not hold the lock.
    """
    bind = factory.kw["bind"]
    return factory(bind=bind.execution_options(**WRITE))
