"""The 「分析レポート」 on the dashboard: HTML report, PDF on demand cached per warehouse version, facts as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


def test_municipality_page_links_the_report(client: TestClient) -> None:
    page = client.get("/m/31384").text
    assert 'href="/m/31384/report"' in page and "分析レポート" in page


def test_html_report(client: TestClient) -> None:
    r = client.get("/m/31384/report")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for text in ("日吉津村", "要旨", "人口の現状分析", "将来推計", "地域の将来への影響", "優先的に取り組む地域課題",
                 "参考になる自治体", "出典・方法・限界", "<svg"):  # fmt: skip
        assert text in r.text, text
    assert "http://" not in r.text.replace("http://www.w3.org", "") and "<script" not in r.text  # self-contained
    assert 'href="/m/31384/report.pdf"' in r.text and 'href="/m/31384"' in r.text


def test_facts_json(client: TestClient) -> None:
    r = client.get("/api/m/31384/report/facts")
    assert r.status_code == 200
    doc = json.loads(r.text)
    assert doc["muni_code"] == "31384"
    names = {f["id"]: f["printed"] for f in doc["facts"]}
    assert names["muni.name"] == "日吉津村"
    assert all({"table", "sources", "year", "comparison", "unit"} <= f.keys() for f in doc["facts"])


def test_pdf_is_generated_once_per_warehouse_version(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUSEI_REPORT_CACHE", str(tmp_path))
    r = client.get("/m/31384/report.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    cached = list(tmp_path.glob("*/report-31384.pdf"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    assert client.get("/m/31384/report.pdf").content == r.content
    assert cached[0].stat().st_mtime_ns == stamp  # served from the cache, not printed again


@pytest.mark.parametrize("url", ["/m/99999/report", "/m/99999/report.pdf", "/api/m/99999/report/facts"])
def test_unknown_code_is_404(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
