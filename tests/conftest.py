"""Shared fixtures: the real data bundle and one warehouse built from it per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest
import yaml
from hypothesis import settings

from sousei import config

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Property tests judge results, not speed (speed is measured in bench/): hypothesis' per-example deadline failed
# them at random on a loaded machine.
settings.register_profile("sousei", deadline=None)
settings.load_profile("sousei")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = config.data_dir()
    if not (path / "CATALOG.yaml").is_file():
        pytest.fail(f"the data bundle is not at {path}: set SOUSEI_DATA_DIR")
    return path


@pytest.fixture(scope="session")
def catalog(data_dir: Path) -> dict[str, Any]:
    """The `sources` of the bundle's CATALOG.yaml (the figures the tests reproduce are quoted from it)."""
    return yaml.safe_load((data_dir / "CATALOG.yaml").read_text(encoding="utf-8"))["sources"]  # type: ignore[no-any-return]


def ensure_test_warehouse() -> Path:
    """The warehouse every integration test reads.

    SOUSEI_TEST_DB names an already built file (handy while developing one step); otherwise the whole
    warehouse is built (once: later calls reuse it whole, and reruns reuse the step cache in var/test-build).
    """
    given = os.environ.get("SOUSEI_TEST_DB")
    if given:
        return Path(given)
    from sousei.pipeline.build import build

    db = Path(os.environ.get("SOUSEI_TEST_CACHE", "var/test-build")) / "warehouse.duckdb"
    if db not in _BUILT:
        build(db, config.data_dir())
        _BUILT.add(db)
    return db


_BUILT: set[Path] = set()


@pytest.fixture(scope="session")
def warehouse_path(data_dir: Path) -> Path:
    return ensure_test_warehouse()


@pytest.fixture(scope="session")
def wh_connection(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(warehouse_path), read_only=True)
    yield con
    con.close()


@pytest.fixture
def wh(wh_connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The test warehouse through a cursor of the test's own: a result one test leaves unfetched (execute() then
    fetchone()) would otherwise block the next test's queries on the shared connection."""
    cursor = wh_connection.cursor()
    yield cursor
    cursor.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, one per test module (tests/servers.py has its path and flags)."""
    from playwright.sync_api import sync_playwright
    from tests.servers import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()
