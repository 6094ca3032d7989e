"""Orchestration: verify checksums, run (or reuse) each step, load DuckDB, check, then swap the file atomically."""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

import sousei
from sousei.pipeline import checks as checks_mod
from sousei.pipeline import meta
from sousei.pipeline.context import StepContext
from sousei.pipeline.declarations import declared_sources, source, verify_source_files
from sousei.pipeline.errors import BuildError
from sousei.pipeline.lock import build_lock, cache_work_prefix
from sousei.pipeline.registry import AREAS_STEP, step_module_file, steps
from sousei.pipeline.schema import Step, Table
from sousei.pipeline.unreadable import UNREADABLE_INPUT, unreadable_input
from sousei.pipeline.verify import BUILD_TABLE, Findings, inspect, open_read_only

PIPELINE_DIR = Path(__file__).parent
# Bump to invalidate every cached step at once (e.g. when the cache layout changes).
CACHE_SALT = "1"


@dataclass
class StepResult:
    step: str
    fingerprint: str
    reused: bool
    seconds: float
    tables: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class BuildSummary:
    db: Path
    seconds: float
    steps: list[StepResult]
    checks_passed: int

    @property
    def tables(self) -> int:
        return sum(len(s.tables) for s in self.steps)

    @property
    def rows(self) -> int:
        return sum(sum(s.rows.values()) for s in self.steps)


class Reporter:
    """Progress hooks; the CLI plugs Rich progress bars in, tests use the silent default."""

    def verifying(self, source_id: str, done: int, total: int) -> None: ...
    def step_started(self, step: Step) -> None: ...
    def step_progress(self, step: Step, done: int, total: int, label: str) -> None: ...
    def step_finished(self, step: Step, result: StepResult) -> None: ...
    def phase(self, label: str) -> None: ...


def _shared_code_hash() -> str:
    """Hash of the pipeline code every step uses (everything outside pipeline/sources/)."""
    h = hashlib.sha256()
    for path in sorted(PIPELINE_DIR.rglob("*")):
        if (
            path.is_file()
            and path.suffix in {".py", ".toml", ".sha256", ".csv"}
            and path.relative_to(PIPELINE_DIR).parts[0] not in {"sources", "derived"}
        ):
            h.update(path.relative_to(PIPELINE_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _domain_code_hash() -> str:
    h = hashlib.sha256()
    domain = PIPELINE_DIR.parent / "domain"
    for path in sorted(domain.rglob("*.py")):
        h.update(path.relative_to(domain).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _step_code_files(module_file: Path) -> list[Path]:
    """The step's module and every sibling step module it imports (transitively), e.g. a shared name list."""
    package_root = PIPELINE_DIR.parent.parent  # src/
    found: list[Path] = []
    todo = [module_file]
    while todo:
        path = todo.pop()
        if path in found or not path.is_file():
            continue
        found.append(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith(("sousei.pipeline.sources.", "sousei.pipeline.derived."))
            ):
                todo.append(package_root / (node.module.replace(".", "/") + ".py"))
    return sorted(found)


def _fingerprint(step: Step, file_digests: dict[str, str], dep_fps: list[str], shared: str) -> str:
    h = hashlib.sha256()
    h.update(CACHE_SALT.encode())
    h.update(shared.encode())
    module_file = step_module_file(step.name)
    for path in _step_code_files(module_file):
        h.update(path.read_bytes())
    if module_file.parent.name == "derived":
        # Derived steps compute with the pure domain code: a change there must recompute them.
        h.update(_domain_code_hash().encode())
    for sid in step.sources:
        for rel in source(sid).declared_files():
            h.update(rel.encode())
            h.update(file_digests[rel].encode())
    for fp in dep_fps:
        h.update(fp.encode())
    if step.extra_inputs is not None:
        for name, digest in sorted(step.extra_inputs().items()):
            h.update(name.encode())
            h.update(digest.encode())
    return h.hexdigest()[:20]


def step_fingerprints(selected: list[Step], file_digests: dict[str, str]) -> dict[str, str]:
    """The fingerprint of each step (in dependency order) for these input file digests and the code as it is now.

    A step whose input files are not all in `file_digests`, or that depends on such a step, gets none (`sousei check`
    computes them from the digests a warehouse recorded, which cover only the steps it was built with).
    """
    shared = _shared_code_hash()
    fps: dict[str, str] = {}
    for step in selected:
        files = [rel for sid in step.sources for rel in source(sid).declared_files()]
        if all(rel in file_digests for rel in files) and all(d in fps for d in step.depends):
            fps[step.name] = _fingerprint(step, file_digests, [fps[d] for d in step.depends], shared)
    return fps


def _validate_frames(step: Step, frames: dict[str, pl.DataFrame]) -> None:
    declared = {t.name for t in step.tables}
    got = set(frames)
    if got != declared:
        raise BuildError(
            "schema",
            f"step {step.name} returned tables {sorted(got)}, declared {sorted(declared)}",
        )
    for table in step.tables:
        df = frames[table.name]
        missing = [c for c in table.column_names if c not in df.columns]
        extra = [c for c in df.columns if c not in table.column_names]
        if missing or extra:
            raise BuildError(
                "schema",
                f"columns differ from the schema: missing {missing}, undeclared {extra}",
                where=f"table {table.name}",
            )


def _cache_paths(cache: Path, step: Step, fingerprint: str) -> dict[str, Path]:
    return {t.name: cache / step.name / fingerprint / f"{t.name}.parquet" for t in step.tables}


def run_step(
    step: Step,
    data_dir: Path,
    cache: Path,
    fingerprint: str,
    table_paths: dict[str, Path],
    reporter: Reporter,
) -> StepResult:
    """Reuse the cached parquet files of a step with this fingerprint, or parse anew and cache them."""
    start = time.perf_counter()
    paths = _cache_paths(cache, step, fingerprint)
    if all(p.is_file() for p in paths.values()):
        os.utime(cache / step.name / fingerprint)  # mark as in use, so pruning keeps it
        rows = {name: pq.read_metadata(p).num_rows for name, p in paths.items()}
        return StepResult(step.name, fingerprint, True, time.perf_counter() - start, paths, rows)

    loaded: dict[str, pl.DataFrame] = {}

    def dependency_table(name: str) -> pl.DataFrame:
        if name not in table_paths:
            raise BuildError("declaration", f"step {step.name} reads table {name}, which no dependency produced")
        if name not in loaded:
            loaded[name] = pl.read_parquet(table_paths[name])
        return loaded[name]

    ctx = StepContext(step, data_dir, dependency_table, lambda d, t, label: reporter.step_progress(step, d, t, label))
    try:
        frames = step.parse(ctx)
    except UNREADABLE_INPUT as exc:
        raise unreadable_input(exc, data_dir, ctx.opened) from exc
    _validate_frames(step, frames)
    target = cache / step.name / fingerprint
    tmp = Path(tempfile.mkdtemp(prefix=cache_work_prefix(fingerprint), dir=_ensure(cache / step.name)))
    try:
        for table in step.tables:
            frames[table.name].select(table.column_names).write_parquet(tmp / f"{table.name}.parquet")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _prune_stale(cache / step.name, keep=fingerprint)
    rows = {t.name: frames[t.name].height for t in step.tables}
    return StepResult(step.name, fingerprint, False, time.perf_counter() - start, paths, rows)


STALE_AFTER_S = 24 * 3600
# DuckDB's own cap while loading and checking; the build's peak memory target is 3 GB in all.
DUCKDB_MEMORY_LIMIT = "1GB"


def _prune_stale(step_cache: Path, keep: str) -> None:
    """Drop cached results of older fingerprints unused for a day (a day's grace lets concurrent builds of
    different checkouts share one cache folder without deleting each other's files)."""
    now = time.time()
    for old in step_cache.iterdir():
        if old.name != keep and not old.name.startswith(".") and now - old.stat().st_mtime > STALE_AFTER_S:
            shutil.rmtree(old, ignore_errors=True)


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load_table(con: duckdb.DuckDBPyConnection, table: Table, path: Path, sources: str) -> None:
    con.execute(table.create_sql())
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    try:
        con.execute(f"INSERT INTO \"{table.name}\" ({cols}) SELECT {cols} FROM read_parquet('{path.as_posix()}')")
    except duckdb.Error as exc:
        raise BuildError("load", str(exc).splitlines()[0], where=f"table {table.name}") from exc
    for stmt in table.comment_sql(sources):
        con.execute(stmt)


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    results: list[StepResult],
    digests: dict[str, dict[str, str]],
    data_dir: Path,
    seconds: float,
) -> None:
    all_steps = steps()
    for table in meta.META_TABLES:
        con.execute(table.create_sql())
        for stmt in table.comment_sql("sousei build"):
            con.execute(stmt)
    table_rows: list[tuple] = []
    source_tables: dict[str, list[str]] = {}
    source_rows: dict[str, int] = {}
    for res in results:
        step = all_steps[res.step]
        for t in step.tables:
            table_rows.append((t.name, step.name, list(step.sources), t.description, res.rows[t.name], res.fingerprint))
            for sid in step.sources:
                source_tables.setdefault(sid, []).append(t.name)
                source_rows[sid] = source_rows.get(sid, 0) + res.rows[t.name]
    source_rows_out = [
        (
            s.id,
            s.title,
            s.producer,
            s.official,
            s.license,
            s.attribution,
            s.vintage,
            s.via,
            source_tables.get(s.id, []),
            source_rows.get(s.id, 0),
        )
        for s in declared_sources().values()
        if s.id in digests
    ]
    file_rows = [(sid, rel, d) for sid, files in digests.items() for rel, d in files.items()]
    # executemany refuses an empty list (a build of steps without bundle sources has no file rows).
    for sql, rows in (
        ("INSERT INTO meta__tables VALUES (?, ?, ?, ?, ?, ?)", table_rows),
        ("INSERT INTO meta__sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", source_rows_out),
        ("INSERT INTO meta__files VALUES (?, ?, ?)", file_rows),
    ):
        if rows:
            con.executemany(sql, rows)
    con.execute(
        "INSERT INTO meta__build VALUES (?, ?, ?, ?, ?, ?)",
        [
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            sousei.__version__,
            str(data_dir),
            seconds,
            sum(r.reused for r in results),
            sum(not r.reused for r in results),
        ],
    )


def build(
    db: Path,
    data_dir: Path,
    *,
    reporter: Reporter | None = None,
    only: Callable[[Step], bool] | None = None,
) -> BuildSummary:
    """Build the warehouse at `db` from the bundle at `data_dir`; the old file stays untouched on any failure."""
    reporter = reporter or Reporter()
    start = time.perf_counter()
    if not data_dir.is_dir():
        raise BuildError("data-dir", f"the data bundle folder {data_dir} does not exist (set SOUSEI_DATA_DIR)")
    all_steps = steps()
    selected = [s for s in all_steps.values() if only is None or only(s)]
    needed_sources = sorted({sid for s in selected for sid in s.sources})

    digests: dict[str, dict[str, str]] = {}
    for i, sid in enumerate(needed_sources):
        reporter.verifying(sid, i, len(needed_sources))
        digests[sid] = verify_source_files(data_dir, source(sid))
    reporter.verifying("", len(needed_sources), len(needed_sources))

    cache = _ensure(db.parent.resolve() / "cache")
    # One build of a target at a time; holding the lock, every temporary file of the target is an orphan of a
    # killed build and is removed first.
    with build_lock(cache, db):
        results, passed = _build_locked(db, data_dir, cache, selected, digests, reporter, start)
    return BuildSummary(db, time.perf_counter() - start, results, passed)


def _build_locked(
    db: Path,
    data_dir: Path,
    cache: Path,
    selected: list[Step],
    digests: dict[str, dict[str, str]],
    reporter: Reporter,
    start: float,
) -> tuple[list[StepResult], int]:
    all_steps = steps()
    flat = {rel: d for files in digests.values() for rel, d in files.items()}
    fps = step_fingerprints(selected, flat)
    table_paths: dict[str, Path] = {}
    results: list[StepResult] = []
    for step in selected:
        reporter.step_started(step)
        res = run_step(step, data_dir, cache, fps[step.name], table_paths, reporter)
        table_paths.update(res.tables)
        results.append(res)
        reporter.step_finished(step, res)

    _ensure(db.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{db.name}.", suffix=".tmp", dir=db.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    planned = {t.name: res.fingerprint for res in results for t in all_steps[res.step].tables}
    previous = _previous_fingerprints(db)
    unchanged = {name for name, fp in planned.items() if previous.get(name) == fp}
    if len(unchanged) < len(planned) / 2:
        unchanged = set()  # mostly new: a fresh file is smaller than patching the old one
    try:
        if unchanged:
            reporter.phase(f"reusing {len(unchanged)} unchanged tables of {db.name}")
            shutil.copyfile(db, tmp)
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
            present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            for name in sorted(present - unchanged):
                con.execute(f'DROP TABLE "{name}"')
            reporter.phase("loading DuckDB")
            for res in results:
                step = all_steps[res.step]
                sources = ", ".join(step.sources) or "derived"
                for table in step.tables:
                    if table.name not in unchanged:
                        _load_table(con, table, res.tables[table.name], sources)
            # A table whose inputs and code are unchanged passed these very checks when it was written; checks
            # read the areas master (coverage), so a change there re-checks everything.
            areas_tables = {t.name for t in all_steps[AREAS_STEP].tables} if AREAS_STEP in all_steps else set()
            to_check = set(planned) if areas_tables - unchanged else set(planned) - unchanged
            reporter.phase(f"checking {len(to_check)} tables")
            outcomes = checks_mod.run_all(con, to_check)
            failures = [r for r in outcomes if not r.passed]
            if failures:
                lines = "\n".join(f"  {f.table}: [{f.name}] {f.message}" for f in failures)
                raise BuildError("checks", f"{len(failures)} check(s) failed; the warehouse was not replaced:\n{lines}")
            passed = len(outcomes)
            seconds = time.perf_counter() - start
            _write_meta(con, results, digests, data_dir, seconds)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db)
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return results, passed


def _previous_fingerprints(db: Path) -> dict[str, str]:
    """Fingerprints of the tables in the current warehouse file (empty if there is none or it is unreadable)."""
    if not db.is_file():
        return {}
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return {}
    try:
        return dict(con.execute("SELECT table_name, fingerprint FROM meta__tables").fetchall())
    except duckdb.Error:
        return {}
    finally:
        con.close()


def check(db: Path) -> tuple[Findings, list[checks_mod.CheckResult]]:
    """What is wrong with an existing warehouse (opened read-only): its structure and version (`verify.inspect`),
    then every check on the tables it has (none when the file is not a warehouse at all)."""
    try:
        con = open_read_only(db)
    except ValueError as exc:
        raise BuildError("warehouse", str(exc)) from None
    try:
        findings = inspect(con, db)
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if BUILD_TABLE not in present:
            return findings, []
        return findings, checks_mod.run_all(con, present)
    finally:
        con.close()
