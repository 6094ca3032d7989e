"""Settings read from the environment (prefix SOUSEI_); imports nothing else from the package."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("var/sousei.duckdb")


def data_dir() -> Path:
    """The data bundle folder: SOUSEI_DATA_DIR, else ../shared/data beside the checkout."""
    value = os.environ.get("SOUSEI_DATA_DIR")
    if value:
        return Path(value)
    return Path("../shared/data")


def db_path(explicit: Path | None = None) -> Path:
    """The warehouse file: --db, else SOUSEI_DB, else var/sousei.duckdb."""
    if explicit is not None:
        return explicit
    value = os.environ.get("SOUSEI_DB")
    return Path(value) if value else DEFAULT_DB


def cache_dir(db: Path) -> Path:
    """Per-step parquet cache kept beside the warehouse, so a rebuild reuses unchanged steps."""
    return db.parent / "cache"


def estat_app_id() -> str | None:
    return os.environ.get("SOUSEI_ESTAT_APP_ID") or None


def estat_dir() -> Path:
    """Where `sousei data estat` keeps the raw e-Stat API responses (rebuilds load them again)."""
    value = os.environ.get("SOUSEI_ESTAT_DIR")
    return Path(value) if value else Path("var/estat")
