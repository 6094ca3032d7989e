"""Alembic, configured in code (no alembic.ini): `sousei desk init` runs `upgrade heads` on the desk database.

Heads, plural: the foundation (0001_foundation) is followed by one branch per desk module (0002_banso,
0002_catalog …), each with its own head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from sousei.desk.db import database_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    cfg.attributes["url"] = url or database_url()
    return cfg


def upgrade(url: str | None = None) -> None:
    """Create or migrate the desk database to every head."""
    command.upgrade(alembic_config(url), "heads")


def heads() -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
