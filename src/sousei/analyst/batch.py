"""Many reports on both cores, resumable: a manifest records each report's input key; an unchanged one is skipped.

The key of a report is the sha256 of its facts file (which carries the warehouse version and the analyst version)
and of the templates, so a report is redone exactly when a figure, the wording version or the layout changed.
Each worker process opens its own read-only warehouse and its own Chromium; the parent only writes the manifest
(after every report, atomically), the index page and the CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from sousei.analyst import report as report_mod
from sousei.analyst.render import HERE as TEMPLATES

MANIFEST = "manifest.json"
INDEX_COLUMNS = (
    ("muni_code", "市区町村コード"),
    ("pref_name", "都道府県"),
    ("name", "市区町村"),
    ("sustainability_group", "人口戦略会議（2024年）の分類"),
    ("sub_class", "区分"),
    ("pattern1_2050_change_pct", "2050年人口の増減率（パターン1、%）"),
    ("issue_1", "優先課題1"),
    ("issue_2", "優先課題2"),
    ("issue_3", "優先課題3"),
)


@dataclass
class Outcome:
    code: str
    status: str  # 'written' | 'unchanged' | 'failed'
    key: str
    row: dict[str, Any]
    error: str = ""


def _template_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(TEMPLATES.iterdir()):
        h.update(p.read_bytes())
    return h.hexdigest()


def input_key(facts_json: str, pdf: bool) -> str:
    return hashlib.sha256(f"{facts_json}|{_template_digest()}|pdf={pdf}".encode()).hexdigest()


def index_row(fb: Any, sections: list[Any] | None = None) -> dict[str, Any]:
    """The municipality's line of the index: class and top issues (from its facts)."""
    from sousei.analyst.narrative import Writer

    w = Writer(fb)
    issues = [w.issue_name(n) for n in fb.lists.get("issues", [])[:3]]
    row = {
        "muni_code": fb.code,
        "pref_name": fb.p("muni.pref_name"),
        "name": fb.p("muni.name"),
        "sustainability_group": fb.p("sus.group") if "sus.group" in fb else "",
        "sub_class": fb.p("sus.sub_class") if "sus.sub_class" in fb else "",
        "pattern1_2050_change_pct": fb.p("proj.pattern1.2050.change") if "proj.pattern1.2050.change" in fb else "",
    }
    for i in range(3):
        row[f"issue_{i + 1}"] = issues[i] if i < len(issues) else ""
    return row


# -- worker ---------------------------------------------------------------------------------------------------

_state: dict[str, Any] = {}


def _init(db: str, out: str, pdf: bool, previous: dict[str, str]) -> None:
    from sousei.analyst.pdf import Printer
    from sousei.query import Warehouse

    _state.update(wh=Warehouse(Path(db)), out=Path(out), previous=previous, pdf=pdf, printer=None)
    if pdf:
        printer = Printer().__enter__()
        _state["printer"] = printer
        Finalize(printer, printer.close, exitpriority=10)  # close Chromium when the pool lets the worker exit


def _one(code: str) -> Outcome:
    from sousei.analyst.facts import gather

    wh, out, pdf = _state["wh"], _state["out"], _state["pdf"]
    try:
        fb = gather(wh, code)
        facts_json = fb.to_json()
        key = input_key(facts_json, pdf)
        files = report_mod.paths(out, code)
        if not pdf:
            files.pop("pdf")
        if _state["previous"].get(code) == key and all(p.is_file() for p in files.values()):
            return Outcome(code, "unchanged", key, index_row(fb))
        rep = report_mod.build(wh, code, facts=fb)
        report_mod.write_files(rep, out, _state["printer"])
        return Outcome(code, "written", key, index_row(rep.facts))
    except Exception as e:  # one failing municipality must not stop the other 1,740: reported at the end
        return Outcome(code, "failed", "", {"muni_code": code}, f"{type(e).__name__}: {e}")


# -- parent ---------------------------------------------------------------------------------------------------


def _read_manifest(out: Path) -> dict[str, str]:
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        return {k: v["key"] for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (ValueError, KeyError, TypeError):
        return {}  # a damaged manifest only costs a full rerun


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def run(
    db: Path,
    codes: Iterable[str],
    out: Path,
    pdf: bool = True,
    workers: int = 2,
    on_result: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Write the reports of `codes` under `out` (skipping unchanged ones), then the index page and the CSV."""
    codes = list(dict.fromkeys(codes))
    out.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out)
    manifest: dict[str, dict[str, Any]] = {}
    if (out / MANIFEST).is_file():
        try:
            manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        except ValueError:
            manifest = {}
    outcomes: list[Outcome] = []
    ctx = mp.get_context("spawn")  # each worker opens its own DuckDB connection and browser from scratch
    with ctx.Pool(max(1, workers), initializer=_init, initargs=(str(db), str(out), pdf, previous)) as pool:
        for o in pool.imap_unordered(_one, codes):
            outcomes.append(o)
            if o.status != "failed":
                manifest[o.code] = {"key": o.key, "row": o.row}
                _write_atomic(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=0, sort_keys=True))
            if on_result:
                on_result(o)
        pool.close()
        pool.join()
    rows = [manifest[c]["row"] for c in sorted(manifest)]
    _write_atomic(out / "index.csv", _csv(rows))
    _write_atomic(out / "index.html", _index_html(rows, pdf))
    return outcomes


def _csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([label for _, label in INDEX_COLUMNS])
    for r in rows:
        w.writerow([r.get(k, "") for k, _ in INDEX_COLUMNS])
    return buf.getvalue()


def _index_html(rows: list[dict[str, Any]], pdf: bool) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for _, label in INDEX_COLUMNS) + "<th>レポート</th>"
    body = []
    for r in rows:
        code = r["muni_code"]
        links = f'<a href="report-{code}.html">HTML</a>' + (f' ・ <a href="report-{code}.pdf">PDF</a>' if pdf else "")
        body.append(
            "<tr>"
            + "".join(f"<td>{escape(str(r.get(k, '')))}</td>" for k, _ in INDEX_COLUMNS)
            + f"<td>{links}</td></tr>"
        )
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>人口の現状分析 レポート一覧</title>'
        "<style>body{font-family:'Noto Sans CJK JP',sans-serif;font-size:14px}table{border-collapse:collapse}"
        "td,th{border-bottom:1px solid #ccc;padding:2px 8px}</style></head><body>"
        f'<h1>人口の現状分析 レポート一覧（{len(rows)}団体）</h1><p>CSV：<a href="index.csv">index.csv</a></p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n"
    )
