"""Saved e-Stat API responses (`sousei data estat ID`) → raw_estat__tables, raw_estat__classes, raw_estat__values."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from sousei import config
from sousei.estat.errors import EstatError
from sousei.estat.shape import CHECKS
from sousei.estat.store import MANIFEST_FILE, META_FILE, PAGE_GLOB, saved_files, saved_tables
from sousei.pipeline.context import StepContext
from sousei.pipeline.fields import field
from sousei.pipeline.schema import Column as C
from sousei.pipeline.schema import SqlCheck, Step, Table

CATS = tuple(f"cat{i:02d}" for i in range(1, 16))
# CLASS_OBJ @id values and the VALUE attribute (without '@') they key: API仕様 3.0 4.3 統計データ取得.
DIMENSIONS = ("tab", *CATS, "area", "time")
VALUE_COLUMN = {"tab": "tab", "area": "area_code", "time": "time_code", **{c: c for c in CATS}}
VALUE_ATTRS = {f"@{d}" for d in DIMENSIONS} | {"@unit", "@anno", "$"}

TABLES = Table(
    name="raw_estat__tables",
    description="Each e-Stat table saved with `sousei data estat` (TABLE_INF of getMetaInfo), as published.",
    columns=(
        C("stats_data_id", "VARCHAR", "e-Stat statsDataId (統計表ID)", nullable=False),
        C("title", "VARCHAR", "Table title (TITLE)"),
        C("stat_code", "VARCHAR", "政府統計コード (STAT_NAME/@code)"),
        C("stat_name", "VARCHAR", "Survey name (STAT_NAME)"),
        C("gov_org", "VARCHAR", "Producing ministry or agency (GOV_ORG)"),
        C("statistics_name", "VARCHAR", "Name of the tabulation (STATISTICS_NAME)"),
        C("survey_date", "VARCHAR", "Survey date as published (SURVEY_DATE, e.g. 202010 = 2020-10; 0 when none)"),
        C("open_date", "VARCHAR", "Publication date (OPEN_DATE)"),
        C("updated_date", "VARCHAR", "Last update of the table (UPDATED_DATE)"),
        C("total_number", "BIGINT", "Number of values e-Stat reported (RESULT_INF.TOTAL_NUMBER)", min=0),
        C("pages", "INTEGER", "Number of getStatsData pages saved", nullable=False, min=0),
        C("fetched_at", "TIMESTAMP", "When the responses were fetched (UTC)", nullable=False),
    ),
    key=("stats_data_id",),
)

CLASSES = Table(
    name="raw_estat__classes",
    description="The classification items (表章事項, 分類事項, 地域, 時間軸) of each saved e-Stat table (CLASS_INF).",
    columns=(
        C("stats_data_id", "VARCHAR", "e-Stat statsDataId", nullable=False),
        C("class_id", "VARCHAR", "CLASS_OBJ/@id: tab, cat01 … cat15, area or time", nullable=False),
        C("class_name", "VARCHAR", "CLASS_OBJ/@name (e.g. 表章項目, 男女別, 地域)"),
        C("code", "VARCHAR", "CLASS/@code, as published", nullable=False),
        field("name", "CLASS/@name", nullable=True),
        C("level", "VARCHAR", "CLASS/@level (hierarchy depth; empty when none)"),
        C("unit", "VARCHAR", "CLASS/@unit"),
        field("parent_code", "CLASS/@parentCode"),
    ),
    key=("stats_data_id", "class_id", "code"),
)

VALUES = Table(
    name="raw_estat__values",
    description=(
        "Every value of each saved e-Stat table (DATA_INF/VALUE), with its codes as published; markers such as "
        "'-', '***', 'X', '…' are kept in value_raw and give value NULL."
    ),
    columns=(
        C("stats_data_id", "VARCHAR", "e-Stat statsDataId", nullable=False),
        C("position", "BIGINT", "1-based position of the value in the API's order", nullable=False, min=1),
        C("tab", "VARCHAR", "表章項目 code (@tab)"),
        *(C(c, "VARCHAR", f"分類事項 code (@{c})") for c in CATS),
        field(
            "area_code", "地域 code (@area), as published (e.g. 00000 = 全国, 5-digit municipal codes)", nullable=True
        ),
        C("time_code", "VARCHAR", "時間軸 code (@time), as published (e.g. 2020000000)"),
        C("unit", "VARCHAR", "Unit (@unit)"),
        C("annotation", "VARCHAR", "注釈 code (@anno)"),
        C("value", "DOUBLE", "The value as a number; NULL where value_raw is a marker"),
        C("value_raw", "VARCHAR", "The value exactly as published ($)", nullable=False),
    ),
    key=("stats_data_id", "position"),
    checks=(
        SqlCheck(
            "estat-total-number",
            "the number of saved values differs from RESULT_INF.TOTAL_NUMBER",
            """SELECT t.stats_data_id, t.total_number, count(v.position) AS saved
               FROM raw_estat__tables t LEFT JOIN raw_estat__values v USING (stats_data_id)
               WHERE t.total_number IS NOT NULL GROUP BY ALL HAVING count(v.position) <> t.total_number""",
        ),
        SqlCheck(
            "estat-codes-known",
            "a value carries a code that its table's CLASS_INF does not list",
            " UNION ALL ".join(
                f"""SELECT v.stats_data_id, '{dim}' AS class_id, v."{col}" AS code FROM raw_estat__values v
                    WHERE v."{col}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM raw_estat__classes c
                    WHERE c.stats_data_id = v.stats_data_id AND c.class_id = '{dim}' AND c.code = v."{col}")"""
                for dim, col in VALUE_COLUMN.items()
            ),
        ),
        SqlCheck(
            "estat-cells-unique",
            "two values share every code",
            "SELECT stats_data_id, tab, " + ", ".join(CATS) + ", area_code, time_code, count(*) AS n "
            "FROM raw_estat__values GROUP BY ALL HAVING count(*) > 1",
        ),
    ),
)

_TYPES = {
    "VARCHAR": pl.String,
    "BIGINT": pl.Int64,
    "INTEGER": pl.Int32,
    "DOUBLE": pl.Float64,
    "TIMESTAMP": pl.Datetime("us"),
}


def _frame(table: Table, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {c.name: _TYPES[c.type] for c in table.columns}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _as_list(x: Any) -> list[Any]:
    """The JSON API writes a one-element list as the bare element: normalise."""
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def _text(x: Any) -> str | None:
    """A field that is either a string/number or {"@code": …, "$": text}."""
    if x is None:
        return None
    if isinstance(x, dict):
        v = x.get("$")
        return None if v is None else str(v)
    return str(x)


def _code(x: Any) -> str | None:
    return str(x["@code"]) if isinstance(x, dict) and x.get("@code") is not None else None


def parse_number(raw: str) -> float | None:
    """The numeric value of a published cell, or None for a marker ('-', '***', 'X', '…', '' …)."""
    text = raw.strip().replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _Fail(Exception):
    def __init__(self, check: str, message: str, file: str, where: str | None = None):
        super().__init__(message)
        self.check, self.file, self.where = check, file, where


def _read(path: Path, root: Path, section: str) -> dict[str, Any]:
    rel = path.relative_to(root).as_posix()
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise _Fail("json", f"cannot read the saved response: {exc}", rel) from exc
    try:
        CHECKS[section](body)  # the structure every read below relies on
    except EstatError as exc:
        raise _Fail("format", str(exc), rel, where=exc.path) from exc
    return body[section]


def _int(x: Any, rel: str, where: str) -> int:
    try:
        return int(x)
    except (TypeError, ValueError):
        raise _Fail("format", f"{x!r} is not a whole number", rel, where=where) from None


def parse_table(folder: Path, root: Path) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of the three tables for one saved table folder."""
    sid = folder.name
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        fetched = dt.datetime.fromisoformat(manifest["fetched_at"]).astimezone(dt.UTC).replace(tzinfo=None)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _Fail("manifest", f"unreadable fetch manifest: {exc!r}", f"{sid}/{MANIFEST_FILE}") from exc
    meta_rel = f"{sid}/{META_FILE}"
    meta = _read(folder / META_FILE, root, "GET_META_INFO")
    inf = meta.get("METADATA_INF") or {}
    table_inf = inf.get("TABLE_INF") or {}
    if str(table_inf.get("@id")) != sid:
        raise _Fail("format", f"TABLE_INF/@id is {table_inf.get('@id')!r}, the folder says {sid}", meta_rel)

    classes: list[dict[str, Any]] = []
    known: set[str] = set()
    for obj in _as_list((inf.get("CLASS_INF") or {}).get("CLASS_OBJ")):
        cid = obj.get("@id")
        if cid not in DIMENSIONS:
            raise _Fail(
                "format",
                f"unknown CLASS_OBJ @id {cid!r} (expected tab, cat01–cat15, area, time)",
                meta_rel,
                where=f"CLASS_OBJ {obj.get('@name')!r}",
            )
        known.add(cid)
        for cls in _as_list(obj.get("CLASS")):
            classes.append(
                {
                    "stats_data_id": sid,
                    "class_id": cid,
                    "class_name": obj.get("@name"),
                    "code": _s(cls.get("@code")),
                    "name": _s(cls.get("@name")),
                    "level": _s(cls.get("@level")),
                    "unit": _s(cls.get("@unit")),
                    "parent_code": _s(cls.get("@parentCode")),
                }
            )

    pages = sorted(folder.glob(PAGE_GLOB))
    if len(pages) != manifest.get("pages"):
        raise _Fail(
            "pages", f"{len(pages)} page files, the manifest says {manifest.get('pages')}", f"{sid}/{MANIFEST_FILE}"
        )
    values: list[dict[str, Any]] = []
    total: int | None = None
    for page_path in pages:
        rel = page_path.relative_to(root).as_posix()
        page = _read(page_path, root, "GET_STATS_DATA")
        status = _int(page["RESULT"]["STATUS"], rel, "GET_STATS_DATA.RESULT.STATUS")
        if status not in (0, 1, 2):
            raise _Fail("status", f"saved page has RESULT.STATUS {status}", rel)
        data = page.get("STATISTICAL_DATA") or {}
        info = data.get("RESULT_INF") or {}
        if info.get("TOTAL_NUMBER") is not None:
            total = _int(info["TOTAL_NUMBER"], rel, "GET_STATS_DATA.STATISTICAL_DATA.RESULT_INF.TOTAL_NUMBER")
        start = _int(info.get("FROM_NUMBER") or 1, rel, "GET_STATS_DATA.STATISTICAL_DATA.RESULT_INF.FROM_NUMBER")
        for i, v in enumerate(_as_list((data.get("DATA_INF") or {}).get("VALUE"))):
            extra = set(v) - VALUE_ATTRS
            if extra:
                raise _Fail("format", f"VALUE has unknown attributes {sorted(extra)}", rel, where=f"VALUE {i}")
            dims = {d for d in DIMENSIONS if f"@{d}" in v}
            if dims - known:
                raise _Fail(
                    "format",
                    f"VALUE uses {sorted(dims - known)}, which CLASS_INF does not define",
                    rel,
                    where=f"VALUE {i}",
                )
            raw = v.get("$")
            if raw is None:
                raise _Fail("format", "VALUE without '$'", rel, where=f"VALUE {i}")
            row: dict[str, Any] = {"stats_data_id": sid, "position": start + i}
            for d, col in VALUE_COLUMN.items():
                row[col] = _s(v.get(f"@{d}"))
            row.update(
                unit=_s(v.get("@unit")), annotation=_s(v.get("@anno")), value=parse_number(str(raw)), value_raw=str(raw)
            )
            values.append(row)
        if status == 1 and total is None:
            total = 0  # 正常終了・該当データなし

    table_row = {
        "stats_data_id": sid,
        "title": _text(table_inf.get("TITLE")),
        "stat_code": _code(table_inf.get("STAT_NAME")),
        "stat_name": _text(table_inf.get("STAT_NAME")),
        "gov_org": _text(table_inf.get("GOV_ORG")),
        "statistics_name": _text(table_inf.get("STATISTICS_NAME")),
        "survey_date": _text(table_inf.get("SURVEY_DATE")),
        "open_date": _text(table_inf.get("OPEN_DATE")),
        "updated_date": _text(table_inf.get("UPDATED_DATE")),
        "total_number": total,
        "pages": len(pages),
        "fetched_at": fetched,
    }
    return table_row, classes, values


def _s(x: Any) -> str | None:
    return None if x is None else str(x)


def parse(ctx: StepContext) -> dict[str, pl.DataFrame]:
    root = config.estat_dir()
    tables, classes, values = [], [], []
    folders = saved_tables(root)
    for i, folder in enumerate(folders):
        ctx.progress(i, len(folders), folder.name)
        try:
            t, c, v = parse_table(folder, root)
        except _Fail as exc:
            raise ctx.fail(exc.check, str(exc), file=str(root / exc.file), where=exc.where) from exc
        tables.append(t)
        classes.extend(c)
        values.extend(v)
    return {
        TABLES.name: _frame(TABLES, tables),
        CLASSES.name: _frame(CLASSES, classes),
        VALUES.name: _frame(VALUES, values),
    }


def problems_of_saved_table(folder: Path, root: Path) -> list[str]:
    """What the build would refuse in one saved table folder: its parse errors, else the failures of the checks of
    this step's tables run on it alone (in memory). `sousei data estat` calls it before it replaces a saved table."""
    from sousei.pipeline.checks import check_table

    try:
        table_row, classes, values = parse_table(folder, root)
    except _Fail as exc:
        return [f"{exc.file}{f' at {exc.where}' if exc.where else ''}: [{exc.check}] {exc}"]
    con = duckdb.connect()
    try:
        for table, rows in ((TABLES, [table_row]), (CLASSES, classes), (VALUES, values)):
            con.execute(table.create_sql())
            frame = _frame(table, rows).to_arrow()  # noqa: F841 - read by name in the query below
            con.execute(f'INSERT INTO "{table.name}" SELECT * FROM frame')
        results = [r for table in STEP.tables for r in check_table(con, table)]
    finally:
        con.close()
    return [f"{r.table}: [{r.name}] {r.message}" for r in results if not r.passed]


def _inputs() -> dict[str, str]:
    return saved_files(config.estat_dir())


STEP = Step(
    name="estat",
    description="Tables fetched from the e-Stat API 3.0 by `sousei data estat` (raw responses in SOUSEI_ESTAT_DIR)",
    sources=(),
    tables=(TABLES, CLASSES, VALUES),
    parse=parse,
    extra_inputs=_inputs,
)
