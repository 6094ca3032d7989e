"""Settings read from the environment (prefix SOUSEI_); imports nothing else from the package.

Every setting of the project is read here, and each is listed with its default in the README ("Settings").
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("var/sousei.duckdb")
DEFAULT_ESTAT_BASE_URL = "https://api.e-stat.go.jp/rest/3.0/app/json/"
# A getStatsData page at e-Stat's 100,000-value limit is about 10–15 MB of JSON; 50 MB leaves room and bounds memory.
DEFAULT_ESTAT_MAX_RESPONSE_MB = 50.0
DEFAULT_ESTAT_DEADLINE_S = 120.0
DEFAULT_ESTAT_TIMEOUT_S = 30.0
DEFAULT_RELOAD_INTERVAL_S = 10.0


def _number(name: str, default: float, *, minimum: float = 0.0) -> float:
    """A positive number from the environment; a bad value stops with one line naming the variable."""
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not number > minimum:
        raise ValueError(f"{name} must be greater than {minimum:g}, got {value!r}")
    return number


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


def estat_base_url() -> str:
    """The e-Stat API 3.0 JSON endpoint (SOUSEI_ESTAT_BASE_URL; the tests point it at a fake server)."""
    return os.environ.get("SOUSEI_ESTAT_BASE_URL") or DEFAULT_ESTAT_BASE_URL


def estat_deadline_s() -> float:
    """Overall seconds one e-Stat request may take, body included (SOUSEI_ESTAT_DEADLINE_S, default 120)."""
    return _number("SOUSEI_ESTAT_DEADLINE_S", DEFAULT_ESTAT_DEADLINE_S)


def estat_timeout_s() -> float:
    """Seconds to connect, or to wait for the next bytes, before giving up (SOUSEI_ESTAT_TIMEOUT_S, default 30)."""
    return _number("SOUSEI_ESTAT_TIMEOUT_S", DEFAULT_ESTAT_TIMEOUT_S)


def estat_max_response_bytes() -> int:
    """Largest e-Stat response accepted, in bytes (SOUSEI_ESTAT_MAX_RESPONSE_MB, default 50)."""
    return int(_number("SOUSEI_ESTAT_MAX_RESPONSE_MB", DEFAULT_ESTAT_MAX_RESPONSE_MB) * 1_000_000)


def estat_dir() -> Path:
    """Where `sousei data estat` keeps the raw e-Stat API responses (rebuilds load them again)."""
    value = os.environ.get("SOUSEI_ESTAT_DIR")
    return Path(value) if value else Path("var/estat")


def reload_interval_s() -> float:
    """How often `sousei serve` looks for a rebuilt warehouse (SOUSEI_RELOAD_INTERVAL_S, default 10; SIGHUP: now)."""
    return _number("SOUSEI_RELOAD_INTERVAL_S", DEFAULT_RELOAD_INTERVAL_S)


def desk_db_url() -> str | None:
    """SOUSEI_DESK_DB_URL: the support desk's database (SQLAlchemy URL); None = the SQLite file var/desk.sqlite3."""
    return os.environ.get("SOUSEI_DESK_DB_URL") or None


def llm_url() -> str | None:
    """SOUSEI_LLM_URL: an OpenAI-compatible chat endpoint for the analyst's optional polish; None = nothing is sent."""
    return os.environ.get("SOUSEI_LLM_URL") or None


def llm_api_key() -> str | None:
    """SOUSEI_LLM_API_KEY: bearer token for a hosted endpoint (a credential, never printed)."""
    return os.environ.get("SOUSEI_LLM_API_KEY") or None


def llm_model() -> str:
    return os.environ.get("SOUSEI_LLM_MODEL") or "default"


def llm_timeout_s() -> float:
    return _number("SOUSEI_LLM_TIMEOUT", 30.0)


def chromium_path() -> Path:
    """The Chromium that prints the analyst's PDFs (Debian's package by default)."""
    return Path(os.environ.get("SOUSEI_CHROMIUM") or "/usr/bin/chromium")
