"""Batch reports: both cores, resume without redoing unchanged reports, index page and CSV; the CLI's messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from sousei.analyst import batch
from sousei.cli import app

CODES = ["31384", "31201", "31302"]


def test_batch_writes_resumes_and_indexes(warehouse_path: Path, tmp_path: Path) -> None:
    first = batch.run(warehouse_path, CODES, tmp_path, pdf=False, workers=2)
    assert sorted(o.status for o in first) == ["written"] * 3
    for code in CODES:
        for suffix in ("html", "facts.json"):
            assert (tmp_path / f"report-{code}.{suffix}").is_file()
    rows = list(csv.DictReader((tmp_path / "index.csv").open(encoding="utf-8")))
    assert [r["市区町村コード"] for r in rows] == sorted(CODES)
    assert {r["市区町村"] for r in rows} == {"日吉津村", "鳥取市", "岩美町"}
    assert all(r["人口戦略会議（2024年）の分類"] for r in rows)
    assert "report-31201.html" in (tmp_path / "index.html").read_text(encoding="utf-8")

    # resume: nothing changed → nothing redone; a changed input key or a lost file → that report only
    again = batch.run(warehouse_path, CODES, tmp_path, pdf=False, workers=2)
    assert sorted(o.status for o in again) == ["unchanged"] * 3
    manifest = json.loads((tmp_path / batch.MANIFEST).read_text(encoding="utf-8"))
    manifest["31201"]["key"] = "stale"
    (tmp_path / batch.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "report-31302.html").unlink()
    third = {o.code: o.status for o in batch.run(warehouse_path, CODES, tmp_path, pdf=False, workers=2)}
    assert third == {"31384": "unchanged", "31201": "written", "31302": "written"}
    assert not list(tmp_path.glob(".*.tmp"))  # no half-written file left behind


def test_cli_report_and_its_errors(warehouse_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["report", "31384", "--db", str(warehouse_path), "--out", str(tmp_path), "--no-pdf"])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "report-31384.facts.json").is_file() and "written 1" in ok.output
    bad = runner.invoke(app, ["report", "99999", "--db", str(warehouse_path), "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "99999" in bad.output
    bad_pref = runner.invoke(app, ["report", "--pref", "48", "--db", str(warehouse_path), "--out", str(tmp_path)])
    assert bad_pref.exit_code == 2 and "48" in bad_pref.output
    nothing = runner.invoke(app, ["report", "--db", str(warehouse_path), "--out", str(tmp_path)])
    assert nothing.exit_code == 2 and "--all" in nothing.output
