"""`sousei desk …`: create or migrate the desk database, create the first accounts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from sousei import config

desk_app = typer.Typer(help="The support desk (相談窓口): database and accounts", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

UrlOption = Annotated[
    str | None, typer.Option("--url", help="Desk database URL (default: $SOUSEI_DESK_DB_URL, then var/desk.sqlite3)")
]


@desk_app.command("init")
def init(url: UrlOption = None) -> None:
    """Create the desk database or migrate it to the newest schema (alembic upgrade heads)."""
    from sousei.desk.db import database_url
    from sousei.desk.migrate import upgrade

    target = url or database_url()
    upgrade(target)
    console.print(f"desk database ready: {escape(_masked(target))}", highlight=False)


@desk_app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option("--email", help="login e-mail")],
    role: Annotated[str, typer.Option("--role", help="admin | secretariat | ministry | municipality")],
    muni: Annotated[str | None, typer.Option("--muni", help="municipality code (5 digits), role municipality")] = None,
    ministry: Annotated[str | None, typer.Option("--ministry", help="府省庁 name or id, role ministry")] = None,
    name: Annotated[str, typer.Option("--name", help="display name")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
    url: UrlOption = None,
    db: Annotated[Path | None, typer.Option("--db", help="warehouse (to check --muni)")] = None,
) -> None:
    """Create one account (the first admin this way; later ones by invitation from the admin page)."""
    from sousei.desk import accounts
    from sousei.desk.db import make_engine, make_sessionmaker, write_session
    from sousei.desk.validation import FieldErrors

    if not password_stdin:
        err.print("the password is read from stdin only: pass --password-stdin (never on the command line)")
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\r\n")
    engine = make_engine(url)
    try:
        with write_session(make_sessionmaker(engine)) as session:
            user = accounts.create_user(
                session,
                None,
                email=email,
                role=role,
                password=password,
                muni_code=muni,
                ministry=ministry,
                display_name=name,
                muni_name=_muni_lookup(db) if muni else lambda code: None,
            )
            session.commit()
            console.print(f"created user {user.id}: {escape(user.email)} ({user.role})", highlight=False)
    except FieldErrors as exc:
        for field, message in exc.errors.items():
            err.print(f"[bold red]error[/] {field}: {escape(message)}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _muni_lookup(db: Path | None):  # type: ignore[no-untyped-def]
    from sousei.query import Warehouse, WarehouseMissing

    try:
        wh = Warehouse(config.db_path(db))
    except WarehouseMissing as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))} (needed to check --muni)", highlight=False)
        raise typer.Exit(1) from None
    return lambda code: (wh.municipality(code) or {}).get("name")


def _masked(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _register_banso() -> None:
    from sousei.desk.banso import cli as banso_cli

    desk_app.command("match")(banso_cli.match)
    desk_app.command("demo")(banso_cli.demo)


_register_banso()
