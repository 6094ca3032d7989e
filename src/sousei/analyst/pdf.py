"""Print the HTML report to an A4 PDF with Debian's Chromium (Playwright drives it; fonts-noto-cjk is embedded)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sousei import config

CHROMIUM = config.chromium_path()
# The browser is restarted after this many prints: Chromium's caches (fonts, glyphs) grow by about 0.8 MB per report
# over a long batch (bench/report.py); a restart costs about a second, i.e. 1% of the batch.
PRINTS_PER_BROWSER = 100


class PdfUnavailable(RuntimeError):
    pass


class Printer:
    """One browser for many reports (starting Chromium costs about a second; a page print a fraction of it)."""

    def __init__(self) -> None:
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._prints = 0

    def __enter__(self) -> Printer:
        if not CHROMIUM.is_file():
            raise PdfUnavailable(
                f"Chromium がありません（{CHROMIUM}）: bash scripts/system-packages.sh で導入してください"
            )
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as e:  # pragma: no cover - playwright is a dependency
            raise PdfUnavailable("playwright がインストールされていません（pip install playwright）") from e
        self._pw = sync_playwright().start()
        self._launch()
        return self

    def _launch(self) -> None:
        self._browser = self._pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        self._page = self._browser.new_page()

    def pdf(self, html: str) -> bytes:
        """The A4 PDF of a self-contained HTML document (nothing is fetched: the page has no external URLs)."""
        if self._prints and self._prints % PRINTS_PER_BROWSER == 0:
            self._browser.close()
            self._launch()
        self._prints += 1
        self._page.set_content(html, wait_until="load")
        data: bytes = self._page.pdf(
            format="A4",
            print_background=True,
            prefer_css_page_size=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template='<div style="font-size:7pt;width:100%;text-align:center;'
            'color:#777"><span class="pageNumber"></span> / <span class="totalPages">'
            "</span></div>",
        )
        return data

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._pw is not None:
            self._pw.stop()
            self._pw = None

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
