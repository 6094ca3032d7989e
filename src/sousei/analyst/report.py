"""One municipality's report: facts → narrative (→ optional polish) → HTML (→ PDF), written atomically."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sousei import config
from sousei.analyst import polish
from sousei.analyst.factbook import FactBook
from sousei.analyst.facts import gather
from sousei.analyst.narrative import Section, write
from sousei.analyst.pdf import Printer
from sousei.analyst.render import html
from sousei.query import Warehouse


@dataclass
class Report:
    facts: FactBook
    sections: list[Section]
    html: str


def build(wh: Warehouse, code: str, use_llm: bool = True, facts: FactBook | None = None) -> Report:
    """The report of one municipality in memory (ValueError for an unknown code)."""
    fb = facts or gather(wh, code)
    sections = write(fb)
    if use_llm and config.llm_url():
        places = {m["name"] for m in wh.municipalities()} | {p["name"] for p in wh.prefectures()}
        indicators = {m["name"] for m in wh.indicators()}
        sections = polish.maybe_polish(fb, sections, places, indicators)
    return Report(fb, sections, html(wh, fb, sections))


def paths(out: Path, code: str) -> dict[str, Path]:
    return {k: out / f"report-{code}.{k}" for k in ("html", "pdf")} | {"facts": out / f"report-{code}.facts.json"}


def _write(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: an interrupted run never leaves half a file under the final name."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_files(report: Report, out: Path, printer: Printer | None) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    p = paths(out, report.facts.code)
    _write(p["facts"], report.facts.to_json().encode())
    _write(p["html"], report.html.encode())
    if printer is not None:
        _write(p["pdf"], printer.pdf(report.html))
    else:
        p.pop("pdf")
    return p
