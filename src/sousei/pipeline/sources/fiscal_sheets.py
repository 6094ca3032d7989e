"""主要財政指標一覧 files as published: the year from the file name, columns by header, cells and their markers."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from sousei.pipeline.context import StepContext
from sousei.pipeline.excel import read_sheet
from sousei.pipeline.reference import PREF_CODE, era_year, is_valid_code6

GROUPS = ("city", "designatedcity", "capital", "prefecture", "prefecturemean")

# Header text (whitespace removed) → column. Column order differs by year, so columns are found by these labels.
HEADERS = {
    "団体コード": "code6",
    "都道府県名": "pref_name",
    "団体名": "name",
    "財政力指数": "fiscal_strength_index",
    "経常収支比率": "current_balance_ratio_pct",
    "実質公債費比率": "real_debt_service_ratio_pct",
    "起債制限比率": "debt_restriction_ratio_pct",
    "将来負担比率": "future_burden_ratio_pct",
    "ラスパイレス指数": "laspeyres_index",
    "ラスパイレス指数参考値※": "laspeyres_index_reference",
}
MEASURES = (
    "fiscal_strength_index",
    "current_balance_ratio_pct",
    "real_debt_service_ratio_pct",
    "future_burden_ratio_pct",
    "laspeyres_index",
)
EXTRA_MEASURES = ("debt_restriction_ratio_pct", "laspeyres_index_reference")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
DASHES = {"-", "－", "―", "‐"}
NOTE_START = ("(注)", "（注）", "※", "\u3000", " ")


def status_name(measure: str) -> str:
    return measure.removesuffix("_pct") + "_status"


def fiscal_year_of(rel: str) -> int:
    """'fiscal/city/H23.xls' → 2011 (和暦 year of the file name → 西暦 fiscal year)."""
    stem = PurePosixPath(rel).stem
    m = re.fullmatch(r"([HR])(\d{1,2})", stem)
    if m is None:
        raise ValueError(f"file name {stem} is not an era year such as H23 or R3")
    return era_year(m.group(1), m.group(2))


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_cell(text: str | None) -> tuple[float | None, str | None]:
    """One index cell → (value, status)."""
    if text is None:
        return None, "blank"
    if text in DASHES:
        return None, "dash"
    if NUMBER.fullmatch(text):
        return float(text), None
    m = re.fullmatch(r"[(（](-?\d+(?:\.\d+)?)[)）]", text)
    if m:
        return float(m.group(1)), "parenthesised"
    raise ValueError(f"cell {text!r} is neither a number nor a known marker")


def parse_file(ctx: StepContext, rel: str) -> list[dict]:
    group = PurePosixPath(rel).parent.name
    if group not in GROUPS:
        raise ctx.fail("fiscal-layout", f"unknown folder {group!r} (expected one of {GROUPS})", file=rel)
    try:
        year = fiscal_year_of(rel)
    except ValueError as exc:
        raise ctx.fail("fiscal-layout", str(exc), file=rel) from exc
    rows = read_sheet(ctx, rel).drop("row").rows()
    title = _clean(rows[0][0]) or ""
    if "主要財政指標" not in title:
        raise ctx.fail("fiscal-header", f"row 1 is not the title (主要財政指標…): {title!r}", file=rel, where="row 1")
    columns: dict[str, int] = {}
    for i, label in enumerate(rows[1]):
        text = re.sub(r"\s", "", label or "")
        if not text:
            if group == "prefecturemean" and i == 1:
                columns["name"] = i  # the '（市町村平均）' label column has no header
                continue
            raise ctx.fail("fiscal-header", f"column {i + 1} has no header", file=rel, where="row 2")
        if text not in HEADERS or HEADERS[text] in columns:
            raise ctx.fail(
                "fiscal-header", f"unknown or repeated header {label!r}", file=rel, where=f"row 2, column {i + 1}"
            )
        columns[HEADERS[text]] = i
    if "pref_name" not in columns or "fiscal_strength_index" not in columns:
        raise ctx.fail("fiscal-header", f"no 都道府県名 or 財政力指数 column in {rows[1]}", file=rel, where="row 2")
    if group == "prefecture":
        columns["name"] = columns["pref_name"]
    label_cols = sorted({columns[c] for c in ("code6", "pref_name", "name") if c in columns})

    out: list[dict] = []
    in_notes = False
    for r, row in enumerate(rows[2:], start=3):
        cells = [_clean(v) for v in row]
        if all(v is None for v in cells):
            continue
        first = str(row[0] or "")
        if first.startswith(NOTE_START) and all(v is None for v in cells[1:]):
            in_notes = True
            continue
        if in_notes:
            raise ctx.fail("fiscal-layout", f"a data row after the notes: {cells}", file=rel, where=f"row {r}")
        labels = [cells[i] for i in label_cols]
        pref = cells[columns["pref_name"]]
        name = cells[columns["name"]] if "name" in columns else None
        is_average = any(v is not None and "平均" in v and v != "（市町村平均）" for v in labels) or (
            group == "capital" and name == "特別区"
        )
        if not is_average and pref not in PREF_CODE:
            raise ctx.fail(
                "fiscal-prefecture",
                f"unknown prefecture {pref!r}",
                file=rel,
                where=f"row {r}, column {columns['pref_name'] + 1}",
            )
        if not is_average and not name:
            raise ctx.fail("fiscal-layout", "a row without 団体名", file=rel, where=f"row {r}")
        rec: dict = {
            "fiscal_year": year,
            "group": group,
            "row_number": r,
            "code6": None,
            "code": None,
            "pref_name": pref if pref in PREF_CODE else None,
            "name": name if pref in PREF_CODE else " ".join(v for v in labels if v),
            "is_average": is_average,
        }
        if "code6" in columns and not is_average:
            code6 = cells[columns["code6"]]
            if code6 is None or not is_valid_code6(code6):
                raise ctx.fail(
                    "fiscal-code",
                    f"団体コード {code6!r} is not a 6-digit code with a valid check digit",
                    file=rel,
                    where=f"row {r}, column {columns['code6'] + 1}",
                )
            if code6[:2] != PREF_CODE[pref]:
                raise ctx.fail("fiscal-code", f"団体コード {code6} is not in {pref}", file=rel, where=f"row {r}")
            rec["code6"], rec["code"] = code6, code6[:5]
        for measure in (*MEASURES, *EXTRA_MEASURES):
            if measure not in columns:
                rec[measure] = None
                if measure in MEASURES:
                    rec[status_name(measure)] = "not_in_file"
                continue
            try:
                value, status = parse_cell(cells[columns[measure]])
            except ValueError as exc:
                raise ctx.fail(
                    "fiscal-value", str(exc), file=rel, where=f"row {r}, column {columns[measure] + 1}"
                ) from exc
            rec[measure] = value
            if measure in MEASURES:
                rec[status_name(measure)] = status
        out.append(rec)
    if not out:
        raise ctx.fail("fiscal-layout", "no data rows", file=rel)
    return out
