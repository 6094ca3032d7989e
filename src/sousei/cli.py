"""The one entry point: `sousei build`, `check`, `data …` (and later `serve`, `project`, `report`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from sousei import config
from sousei.desk.cli import desk_app
from sousei.domain.projection.params import DEFAULT_TFR_POINTS
from sousei.pipeline.errors import BuildError

app = typer.Typer(help="sousei: 地方創生 EBPM workbench", no_args_is_help=True, add_completion=False)
data_app = typer.Typer(help="The data bundle, its sources, and e-Stat", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(desk_app, name="desk")

console = Console()
err = Console(stderr=True)

_DEFAULT_TFR_PATH = ",".join(f"{y}:{v:g}" for y, v in DEFAULT_TFR_POINTS.items())
DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file (default: $SOUSEI_DB, then var/sousei.duckdb)"),
]


class RichReporter:
    """One progress bar per source being verified and per step being parsed."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.verify_task: TaskID | None = None
        self.tasks: dict[str, TaskID] = {}

    def verifying(self, source_id: str, done: int, total: int) -> None:
        if self.verify_task is None:
            self.verify_task = self.progress.add_task("checksums", total=total)
        self.progress.update(self.verify_task, completed=done, description=f"sha256 {source_id}".strip())

    def step_started(self, step) -> None:  # type: ignore[no-untyped-def]
        self.tasks[step.name] = self.progress.add_task(step.name, total=None)

    def step_progress(self, step, done: int, total: int, label: str) -> None:  # type: ignore[no-untyped-def]
        self.progress.update(
            self.tasks[step.name], completed=done, total=total, description=f"{step.name} {label}".strip()
        )

    def step_finished(self, step, result) -> None:  # type: ignore[no-untyped-def]
        how = "reused" if result.reused else f"{result.seconds:.1f}s"
        self.progress.update(self.tasks[step.name], total=1, completed=1, description=f"{step.name} ({how})")

    def phase(self, label: str) -> None:
        self.progress.console.log(label)


def _fail(exc: BuildError) -> None:
    err.print(f"[bold red]error[/] {escape(str(exc))}", markup=True, highlight=False)
    raise typer.Exit(1)


@app.command()
def build(
    db: DbOption = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data bundle (default: $SOUSEI_DATA_DIR)")] = None,
    step: Annotated[
        list[str] | None,
        typer.Option("--step", help="Build only these steps (with what they depend on); for development"),
    ] = None,
) -> None:
    """Build the warehouse from the data bundle (atomic: the old file stays on any failure)."""
    from sousei.pipeline.build import build as run_build
    from sousei.pipeline.registry import with_dependencies

    only = None
    if step:
        try:
            wanted = with_dependencies(step)
        except BuildError as exc:
            _fail(exc)
            return
        only = lambda s: s.name in wanted  # noqa: E731

    target = config.db_path(db)
    bundle = data_dir or config.data_dir()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        try:
            summary = run_build(target, bundle, reporter=RichReporter(progress), only=only)
        except BuildError as exc:
            progress.stop()
            _fail(exc)
            return
    reused = sum(s.reused for s in summary.steps)
    console.print(
        f"built {summary.db}: {summary.tables} tables, {summary.rows:,} rows, {summary.checks_passed} checks passed, "
        f"{len(summary.steps)} steps ({reused} reused) in {summary.seconds:.1f} s"
    )


@app.command()
def check(db: DbOption = None) -> None:
    """Verify an existing warehouse: every declared table and column, the code version, then every check."""
    from sousei.pipeline.build import check as run_check

    try:
        findings, results = run_check(config.db_path(db))
    except BuildError as exc:
        _fail(exc)
        return
    for problem in findings.problems:
        err.print(f"[red]PROBLEM[/] {escape(problem)}", highlight=False)
    failed = [r for r in results if not r.passed]
    for r in failed:
        err.print(f"[red]FAIL[/] {escape(f'{r.table}: [{r.name}] {r.message}')}", highlight=False)
    console.print(
        f"{len(findings.problems)} problem(s) with the warehouse; "
        f"{len(results) - len(failed)} checks passed, {len(failed)} failed"
    )
    if failed or findings.problems:
        raise typer.Exit(1)


@data_app.command("sources")
def data_sources(db: DbOption = None) -> None:
    """Every source with vintage, license, attribution and the rows it gave the warehouse."""
    from sousei.pipeline.declarations import declared_sources

    rows: dict[str, tuple[int, int]] = {}
    path = config.db_path(db)
    if path.is_file():
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            for sid, tables, n in con.execute("SELECT source_id, len(tables), rows FROM meta__sources").fetchall():
                rows[sid] = (tables, n)
        finally:
            con.close()
    else:
        err.print(f"no warehouse at {path}: row counts are not shown (run `sousei build`)")
    table = RichTable(show_lines=True)
    for col in ("source", "vintage", "license", "attribution", "tables", "rows"):
        table.add_column(col, overflow="fold")
    for s in declared_sources().values():
        n_tables, n_rows = rows.get(s.id, (0, 0))
        table.add_row(f"{s.id}\n{s.title}", s.vintage, s.license, s.attribution, str(n_tables), f"{n_rows:,}")
    console.print(table)


@data_app.command("docs")
def data_docs(
    out: Annotated[Path, typer.Option(help="Markdown file to write")] = Path("docs/tables.md"),
) -> None:
    """Write the table reference (docs/tables.md) from the schema definitions."""
    from sousei.pipeline.docs import render_tables_doc

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_tables_doc(), encoding="utf-8")
    console.print(f"wrote {out}")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the dashboard (read-only on the warehouse) at http://HOST:PORT/."""
    import os

    import uvicorn

    from sousei.pipeline.verify import inspect, open_read_only

    path = config.db_path(db)
    try:
        con = open_read_only(path)
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    try:
        findings = inspect(con, path)
    finally:
        con.close()
    if findings.structure:
        more = (
            f" (and {len(findings.structure) - 1} more problem(s): `sousei check`)"
            if len(findings.structure) > 1
            else ""
        )
        err.print(
            f"[bold red]error[/] {escape(findings.structure[0])}{more}; rebuild with `sousei build`", highlight=False
        )
        raise typer.Exit(1)
    for problem in findings.version:
        err.print(f"[yellow]warning[/] {escape(problem)}", highlight=False)
    os.environ["SOUSEI_DB"] = str(path.resolve())
    console.print(f"地域課題ダッシュボード: http://{host}:{port}/  (warehouse {path})")
    uvicorn.run("sousei.web.main:app", host=host, port=port, workers=workers, log_level="warning")


@data_app.command("estat")
def data_estat(
    stats_data_id: Annotated[str, typer.Argument(help="e-Stat statsDataId (統計表ID), e.g. 0003448233")],
    db: DbOption = None,
    limit: Annotated[int | None, typer.Option(help="Values per page (default: e-Stat's 100,000)")] = None,
) -> None:
    """Fetch one e-Stat table (meta + every page) into $SOUSEI_ESTAT_DIR, then rebuild the warehouse with it."""
    from sousei import estat
    from sousei.estat.client import EstatClient, EstatError
    from sousei.estat.store import fetch_table
    from sousei.pipeline.build import build as run_build

    try:
        with EstatClient() as client:
            res = fetch_table(client, stats_data_id, config.estat_dir(), limit=limit)
    except EstatError as exc:
        err.print(f"[bold red]e-Stat error[/] ({exc.kind}) {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    except ValueError as exc:  # a setting with a bad value (sousei.config names it)
        err.print(f"[bold red]error[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    note = " (e-Stat: no data for this table)" if res.status == 1 else ""
    console.print(f"saved {res.stats_data_id}: {res.pages} page(s), {res.values:,} values in {res.folder}{note}")
    try:
        summary = run_build(config.db_path(db), config.data_dir())
    except BuildError as exc:
        _fail(exc)
        return
    console.print(
        f"built {summary.db}: {summary.tables} tables, {summary.checks_passed} checks passed in {summary.seconds:.1f} s"
    )
    console.print(f"{estat.CREDIT}. {estat.NOTICE}", highlight=False)


@app.command()
def project(
    code: Annotated[str, typer.Argument(help="Municipal code (5 characters, e.g. 01100)")],
    db: DbOption = None,
    scenario: Annotated[
        str, typer.Option(help="pattern1, sim1, sim2, closed, ccr or custom (custom: --tfr-path, --migration-scale)")
    ] = "pattern1",
    tfr_path: Annotated[
        str | None, typer.Option("--tfr-path", help=f"TFR points 'YEAR:TFR,…' (default {_DEFAULT_TFR_PATH})")
    ] = None,
    migration_scale: Annotated[float, typer.Option(help="Factor on net migration rates (custom scenario)")] = 1.0,
    out: Annotated[
        Path | None, typer.Option(help="CSV file to save the table (default: projections/ beside the warehouse)")
    ] = None,
) -> None:
    """Project one municipality's population by sex and age to 2070; print totals by year and save the table."""
    import polars as pl

    from sousei.projection_api import project_municipality, totals_by_year

    points = None
    if tfr_path:
        try:
            points = {int(y): float(v) for y, v in (p.split(":") for p in tfr_path.split(","))}
        except ValueError:
            err.print(f"[red]error[/] --tfr-path must look like {_DEFAULT_TFR_PATH}, got {escape(tfr_path)}")
            raise typer.Exit(2) from None
    path = config.db_path(db)
    if not path.is_file():
        _fail(BuildError("warehouse", f"no warehouse at {path}: run `sousei build` first"))
    try:
        frame = project_municipality(path, code, scenario, points, migration_scale)
    except (KeyError, ValueError) as exc:
        err.print(f"[red]error[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    # Plain lines (not a Rich table) so that the totals can be read by people and scripts alike.
    console.print(f"{code} {scenario} (unit {frame['muni_code'][0]}): total population by year", highlight=False)
    if frame["muni_code"][0] != code:
        console.print(
            "浜通り地域の13市町村は一体（07999）で推計しています（社人研 令和5年推計と同じ）", highlight=False
        )
    from sousei.domain.projection.labels import PATTERN1_NAME

    console.print(
        f"{PATTERN1_NAME}" if scenario == "pattern1" else f"パラメータは{PATTERN1_NAME}と同じ仮定値から",
        highlight=False,
    )
    for year, total in totals_by_year(frame).iter_rows():
        console.print(f"{year}  {total:>12,.0f}", highlight=False)
    # The table records what produced it; custom runs get their parameters in the file name so none overwrites another.
    tfr_label = ",".join(f"{y}:{v:g}" for y, v in sorted(points.items())) if points else ""
    frame = frame.with_columns(
        scenario=pl.lit(scenario), tfr_path=pl.lit(tfr_label), migration_scale=pl.lit(migration_scale)
    )
    suffix = ""
    if scenario == "custom":
        suffix = f"-tfr{tfr_label.replace(':', '_').replace(',', '-')}-mig{migration_scale:g}"
    target = out or path.parent / "projections" / f"{code}-{scenario}{suffix}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.tmp")
    frame.write_csv(partial)
    partial.replace(target)  # written whole or not at all
    console.print(f"saved {target}")


@app.command()
def report(
    codes: Annotated[list[str] | None, typer.Argument(help="Municipal codes (5 digits, e.g. 31201 31384)")] = None,
    db: DbOption = None,
    out: Annotated[Path, typer.Option(help="Folder for report-CODE.html/.pdf/.facts.json")] = Path("reports"),
    all_: Annotated[bool, typer.Option("--all", help="Every one of the 1,741 municipalities")] = False,
    pref: Annotated[str | None, typer.Option(help="Every municipality of a prefecture (2 digits, e.g. 31)")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print the PDF (Chromium)")] = True,
    workers: Annotated[int, typer.Option(help="Processes for a batch (default 2: both cores)")] = 2,
) -> None:
    """The population analyst: a 人口ビジョン 現状分析 report (HTML, PDF and the facts file) per municipality."""
    from sousei.analyst import batch
    from sousei.query import Warehouse

    path = config.db_path(db)
    if not path.is_file():
        _fail(BuildError("warehouse", f"no warehouse at {path}: run `sousei build` first"))
    wh = Warehouse(path)
    munis = wh.municipalities()
    known = {m["muni_code"] for m in munis}
    wanted = list(codes or [])
    bad = [c for c in wanted if c not in known]
    if bad:
        err.print(
            f"[red]error[/] 市区町村コードが見つかりません: {escape(', '.join(bad))}"
            "（2020年の1,741市区町村の5桁コード）"
        )
        raise typer.Exit(2)
    if pref is not None:
        chosen = [m["muni_code"] for m in munis if m["pref_code"] == pref]
        if not chosen:
            err.print(f"[red]error[/] 都道府県コード {escape(pref)} はありません（2桁、01〜47）")
            raise typer.Exit(2)
        wanted += chosen
    if all_:
        wanted += [m["muni_code"] for m in munis]
    if not wanted:
        err.print("[red]error[/] 市区町村コード、--pref または --all を指定してください")
        raise typer.Exit(2)
    wh.close()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("レポート", total=len(set(wanted)))
        counts: dict[str, int] = {}

        def done(o: batch.Outcome) -> None:
            counts[o.status] = counts.get(o.status, 0) + 1
            progress.update(task, advance=1, description=f"レポート {o.code} ({o.status})")
            if o.status == "failed":
                progress.console.print(f"[red]failed[/] {o.code}: {escape(o.error)}")

        outcomes = batch.run(path, wanted, out, pdf=pdf, workers=min(workers, len(set(wanted))), on_result=done)
    console.print(
        f"written {counts.get('written', 0)}, unchanged {counts.get('unchanged', 0)}, "
        f"failed {counts.get('failed', 0)} → {out}/ (index.html, index.csv)",
        highlight=False,
    )
    if len(outcomes) == 1 and outcomes[0].status != "failed":
        for p in sorted(out.glob(f"report-{outcomes[0].code}.*")):
            console.print(f"saved {p}", highlight=False)
    if counts.get("failed"):
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
