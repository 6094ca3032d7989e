"""Catalog fixtures: a fresh migrated desk database per backend, seeded with the deck's cases by the migration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.desk.conftest import BACKENDS, fresh_database

from sousei.desk.db import make_engine, make_sessionmaker
from sousei.desk.migrate import upgrade


@pytest.fixture(scope="module", params=BACKENDS)
def catalog_sessions(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[sessionmaker[Session]]:  # fmt: skip
    for url in fresh_database(request.param, tmp_path_factory.mktemp(f"catalog-{request.param}")):
        upgrade(url)
        engine = make_engine(url)
        yield make_sessionmaker(engine)
        engine.dispose()
