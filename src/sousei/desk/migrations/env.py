"""Alembic environment of the desk: the URL comes from sousei.desk.migrate (never from an ini file)."""

from __future__ import annotations

from alembic import context

import sousei.desk.banso.models  # noqa: F401  (伴走支援 tables)
import sousei.desk.models  # noqa: F401  (registers the foundation tables on Base.metadata)
from sousei.desk.db import Base, make_engine

config = context.config
url = config.attributes.get("url")


def run() -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",  # ALTER on SQLite by table copy
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()
