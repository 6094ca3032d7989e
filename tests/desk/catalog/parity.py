"""Hits of a query on a fresh SQLite catalog: the reference the PostgreSQL results are compared with."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from sousei.desk.catalog.search import ranked_ids
from sousei.desk.db import make_engine, make_sessionmaker
from sousei.desk.migrate import upgrade


@cache
def _sessions() -> sessionmaker[Session]:
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='sousei-catalog-')) / 'desk.sqlite3'}"
    upgrade(url)
    return make_sessionmaker(make_engine(url))


def sqlite_hits(query: str) -> set[str]:
    with _sessions()() as db:
        return {case_id for case_id, _ in ranked_ids(db, query) or []}
