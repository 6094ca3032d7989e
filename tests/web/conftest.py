"""Fixtures for the dashboard tests: an app client and a real uvicorn server on the built warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.servers import uvicorn_app

from sousei.web.app import create_app


@pytest.fixture(scope="session")
def client(warehouse_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(warehouse_path)) as c:
        yield c


@pytest.fixture(scope="session")
def server(warehouse_path: Path) -> Iterator[str]:
    """`uvicorn sousei.web.main:app` on a free port of 127.0.0.1; yields the base URL."""
    with uvicorn_app({"SOUSEI_DB": str(warehouse_path.resolve())}, "/api/indicators") as (base, _):
        yield base
