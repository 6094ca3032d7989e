"""The pages work in Chromium under the Content-Security-Policy (scripts only from the app itself): no violation is
reported, the map and the charts are drawn, the filter selects still submit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.web.test_browser import _charts_drawn, _page

from sousei.charts import TABS

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _watched(browser: Browser) -> tuple[Page, list[str]]:
    page = _page(browser, 1280)
    page.add_init_script(WATCH)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return page, console


def _violations(page: Page, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__csp"), *console, *page.errors]  # type: ignore[attr-defined]


@pytest.mark.parametrize("tab", list(TABS))
def test_every_municipal_tab_draws_its_charts_under_the_policy(browser: Browser, server: str, tab: str) -> None:
    page, console = _watched(browser)
    page.goto(f"{server}/m/01100?tab={tab}")
    page.wait_for_load_state("networkidle")
    _charts_drawn(page)
    assert _violations(page, console) == []


def test_map_selects_ranking_japan_and_compare_under_the_policy(browser: Browser, server: str) -> None:
    page, console = _watched(browser)
    page.goto(server + "/?indicator=tfr_bayes")
    expect(page.locator("#map")).to_have_attribute("data-drawn", re.compile(r"^1[0-9]{3}$"), timeout=60_000)
    page.select_option("#map-pref", "47")  # the inline onchange handler, allowed by its hash
    page.wait_for_url("**pref=47**")
    page.goto(server + "/ranking/tfr_bayes")
    page.select_option("select[name=pref]", "47")
    page.wait_for_url("**pref=47**")
    page.goto(server + "/japan")
    assert _charts_drawn(page) >= 5
    for path in ("/compare?codes=01100,13101", "/sources", "/m/99999"):
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
    assert _violations(page, console) == []
