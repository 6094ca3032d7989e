"""The 「分析レポート」 of a municipality on the dashboard: the HTML report, its PDF on demand, and its facts as JSON.

The warehouse is read from `app.state.wh` on every request, so a reloaded warehouse serves new reports; the HTML
and the facts are cached in memory and the PDF on disk, both keyed by the warehouse's build stamp (a new build is
a new key: nothing stale is served).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from sousei.analyst.report import Report, build
from sousei.query import Warehouse

Code = Annotated[str, PathParam(min_length=1, max_length=10, description="5桁の市区町村コード（例：31201）")]
CACHE_SIZE = 64


def _cache_dir() -> Path:
    return Path(os.environ.get("SOUSEI_REPORT_CACHE", "var/report-cache"))


class _Printing:
    """One Chromium for the server, owned by one thread (Playwright's sync API is bound to the thread it starts in)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-pdf")
        self._printer: Any = None
        self._closed = False

    def _print(self, html: str) -> bytes:
        from sousei.analyst.pdf import Printer

        if self._printer is None:
            self._printer = Printer().__enter__()
        data: bytes = self._printer.pdf(html)
        return data

    def pdf(self, html: str) -> bytes:
        return self._pool.submit(self._print, html).result(timeout=120)

    def _close(self) -> None:
        if self._printer is not None:
            self._printer.close()
            self._printer = None

    def close(self) -> None:
        """Stop Chromium (from its own thread) when the server shuts down (idempotent: may be called twice)."""
        if self._closed:
            return
        self._closed = True
        self._pool.submit(self._close).result(timeout=30)
        self._pool.shutdown(wait=True)


def report_router() -> APIRouter:
    printing = _Printing()
    router = APIRouter(on_shutdown=[printing.close])
    reports: OrderedDict[tuple[str, str], Report] = OrderedDict()
    lock = threading.Lock()

    def report_of(request: Request, code: str) -> tuple[Warehouse, Report]:
        wh: Warehouse = request.app.state.wh
        if wh.municipality(code) is None:
            raise HTTPException(404, f"市区町村コード {code} は見つかりません（2020年の1,741市区町村の5桁コード）")
        key = (wh.build_stamp(), code)
        with lock:
            found = reports.get(key)
            if found is not None:
                reports.move_to_end(key)
                return wh, found
        made = build(wh, code)
        with lock:
            reports[key] = made
            while len(reports) > CACHE_SIZE:
                reports.popitem(last=False)
        return wh, made

    @router.get("/m/{code}/report", response_class=HTMLResponse, include_in_schema=False)
    def report_html(request: Request, code: Code) -> HTMLResponse:
        _, rep = report_of(request, code)
        # on the dashboard only: a way back and to the PDF (the report file itself stays free of site links)
        nav = (
            '<nav class="back" style="font-size:9pt;margin-bottom:4mm">'
            f'<a href="/m/{code}">← ダッシュボードに戻る</a> ・ <a href="/m/{code}/report.pdf">PDF（A4）</a>'
            f' ・ <a href="/api/m/{code}/report/facts">数値（JSON）</a></nav>'
        )
        return HTMLResponse(rep.html.replace("<body>", "<body>\n" + nav, 1))

    @router.get("/m/{code}/report.pdf", include_in_schema=False)
    def report_pdf(request: Request, code: Code) -> Response:
        wh, rep = report_of(request, code)
        stamp = hashlib.sha256(wh.build_stamp().encode()).hexdigest()[:16]
        path = _cache_dir() / stamp / f"report-{code}.pdf"
        if not path.is_file():
            data = printing.pdf(rep.html)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return Response(
            path.read_bytes(),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="report-{code}.pdf"'},
        )

    @router.get("/api/m/{code}/report/facts", tags=["report"], summary="分析レポートの数値（facts、出典・時点つき）")
    def report_facts(request: Request, code: Code) -> Response:
        _, rep = report_of(request, code)
        return Response(rep.facts.to_json(), media_type="application/json")

    return router
