"""Alembic environment of the desk: the URL comes from sousei.desk.migrate (never from an ini file)."""

from __future__ import annotations

import importlib
import pkgutil

from alembic import context

import sousei.desk
from sousei.desk.catalog.search import outside_the_models  # the search index's SQL-made objects (issue 16)
from sousei.desk.db import Base, make_engine

# Every desk module's tables on Base.metadata: sousei.desk.models and any sousei.desk.<module>.models
# (banso, catalog …), so autogenerate sees them all without this file naming each one.
for info in pkgutil.walk_packages(sousei.desk.__path__, "sousei.desk."):
    if info.name.endswith(".models") and ".migrations" not in info.name:
        importlib.import_module(info.name)

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
                include_name=lambda name, type_, parents: not outside_the_models(name, type_, parents),
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()
