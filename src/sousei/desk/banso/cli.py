"""`sousei desk match` and `sousei desk demo` (registered on the desk's Typer app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sousei import config

console = Console()
err = Console(stderr=True)


def match(
    url: Annotated[str | None, typer.Option("--url", help="Desk database URL (default: $SOUSEI_DESK_DB_URL)")] = None,
    team_size: Annotated[int, typer.Option("--team-size", min=1, max=10, help="members per team")] = 3,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help="solver time limit, seconds")] = 10.0,
    show: Annotated[int, typer.Option("--show", help="teams to print")] = 10,
) -> None:
    """Form 伴走支援 teams from the registered 支援官 and applications (stored as a run; publish on the web page)."""
    from sousei.desk.banso import service
    from sousei.desk.db import make_engine, make_sessionmaker, write_session

    engine = make_engine(url)
    try:
        with write_session(make_sessionmaker(engine)) as db:
            run = service.run_matching(db, None, team_size=team_size, time_limit=time_limit)
            db.commit()
            for s in run.shortages:
                tag = "[bold red]不足[/]" if s["blocking"] else "[yellow]注意[/]"
                console.print(f"{tag} {escape(s['message'])}", highlight=False)
            if run.status == "infeasible":
                err.print(f"[bold red]編成できません[/]: {escape(run.message)}", highlight=False)
                raise typer.Exit(1)
            bound = f"{run.bound:.1f}" if run.bound is not None else "—"
            gap = f"{100 * run.gap:.2f}%" if run.gap is not None else "unknown (no bound in the time limit)"
            console.print(
                f"run {run.id}: {run.status}, {len(run.explanations)} teams, objective {run.objective:.1f}, "
                f"bound {bound}, gap {gap}, {run.seconds:.1f} s",
                highlight=False,
            )
            table = Table("市町村", "メンバー", "曲げた規則")
            for exp in list(run.explanations.values())[:show]:
                members = "、".join(f"{m['name']}（{m['ministry']}・{m['stage']}）" for m in exp["members"])
                table.add_row(exp["name"], members, "／".join(exp["bent"]) or "なし")
            console.print(table)
    finally:
        engine.dispose()


def demo(
    url: Annotated[str | None, typer.Option("--url", help="demo database URL (default: var/desk-demo.sqlite3)")] = None,
    db: Annotated[Path | None, typer.Option("--db", help="warehouse (real municipality codes and priorities)")] = None,
    officials: Annotated[int, typer.Option("--officials", min=1)] = 180,
    municipalities: Annotated[int, typer.Option("--municipalities", min=1)] = 60,
) -> None:
    """Fill a SEPARATE demo database with invented 支援官 and applications of real municipalities."""
    from sousei.desk.banso.demo import DemoRefused, demo_url, fill_demo
    from sousei.query import Warehouse, WarehouseMissing

    try:
        wh = Warehouse(config.db_path(db))
    except WarehouseMissing as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    target = url or demo_url()
    try:
        made = fill_demo(target, wh, officials, municipalities)
    except DemoRefused as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    console.print(
        f"demo database {escape(target)}: {made['officials']} 架空の支援官, "
        f"{made['municipalities']} 申請（実在の市町村コード）\n"
        f"login {made['secretariat']} / {made['password']} (every demo account shares this password); serve it with "
        f"SOUSEI_DESK_DB_URL={escape(target)} sousei serve",
        highlight=False,
    )
