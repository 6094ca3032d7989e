"""Accessibility and the 375 px layout in Chromium: axe-core (bundled by axe-playwright-python, injected into each
page) on every page type and tab at 1280 and 375 px, axis titles never under a legend at 375 px, keyboard use of
the tabs and the simulator with a visible focus, and the search, compare and ranking flows a person follows."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from tests.web.test_browser import _page

from sousei.charts import TABS

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ["/", "/japan", "/sources", "/compare", "/compare?codes=01100,31201,13101", "/ranking/tfr_bayes?from=01100",
         "/ranking/tfr_bayes?pref=31&all=true", "/search?q=zzzz", "/search?q=府中", "/methods/walls", "/methods",
         "/m/99999"] + [f"/m/01100?tab={t}" for t in TABS]  # fmt: skip
CHART_PAGES = [f"/m/01100?tab={t}" for t in TABS if t != "cases"] + [
    "/m/46303?tab=projection", "/compare?codes=01100,31201,13101", "/ranking/tfr_bayes?from=01100",
    "/japan"]  # fmt: skip
# Boxes of every axis title that intersect the legend's box, per plot (Plotly's SVG classes).
OVERLAPS = """() => { const out = [];
  document.querySelectorAll('.js-plotly-plot').forEach(p => {
    const legend = p.querySelector('.legend'); if (!legend) return;
    const l = legend.getBoundingClientRect();
    p.querySelectorAll('.xtitle, .ytitle').forEach(t => { const b = t.getBoundingClientRect();
      if (b.width && l.width && b.left < l.right && l.left < b.right && b.top < l.bottom && l.top < b.bottom)
        out.push(p.id + ' ' + t.getAttribute('class')); }); });
  return out; }"""
axe = Axe()


def _settled(page: Page) -> None:
    """Every chart with data drawn (or the map), so that axe and the boxes see the final page."""
    page.wait_for_load_state("networkidle")
    for plot in page.locator("figure.chart[data-has-data=true] .plot, #map, #plot-simulator").all():
        expect(plot).to_have_attribute("data-drawn", re.compile(r"^[1-9]\d*$"), timeout=30_000)


def _serious(page: Page) -> list[tuple[str, str, list[object]]]:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_violation(browser: Browser, server: str, path: str) -> None:
    page = _page(browser, 1280)
    page.goto(server + path)
    _settled(page)
    assert _serious(page) == []
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("path", CHART_PAGES + ["/", "/sources", "/search?q=府中"])
def test_375px_titles_clear_of_legends_no_sideways_scroll_axe(browser: Browser, server: str, path: str) -> None:
    page = _page(browser, 375)
    page.goto(server + path)
    _settled(page)
    assert page.evaluate(OVERLAPS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert _serious(page) == []
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def _focus_ring(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.activeElement).outlineStyle"))


def test_tabs_and_simulator_by_keyboard(browser: Browser, server: str) -> None:
    page = _page(browser, 1280)
    page.goto(server + "/m/01100")
    tab = page.locator("nav.tabs a[data-tab=projection]")
    tab.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus arrives by the keyboard: :focus-visible applies
    assert page.evaluate("document.activeElement.dataset.tab") == "projection"
    assert _focus_ring(page) not in ("", "none")
    page.keyboard.press("Enter")
    page.wait_for_url("**/m/01100?tab=projection")
    plot = page.locator("#plot-simulator")
    expect(plot).to_have_attribute("data-simulated", re.compile(r"\d"), timeout=20_000)
    before = plot.get_attribute("data-simulated")
    page.locator("#sim-tfr30").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "sim-tfr30"
    assert _focus_ring(page) not in ("", "none")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#out-tfr30")).to_have_text("2.00")
    expect(plot).not_to_have_attribute("data-simulated", before or "", timeout=20_000)
    assert page.errors == []  # type: ignore[attr-defined]


def test_search_submitted_before_suggestions(browser: Browser, server: str) -> None:
    page = _page(browser, 1280)
    page.goto(server + "/")
    page.locator("#search-box").fill("とっとり")
    page.keyboard.press("Enter")  # at once, before the suggestions arrive
    page.wait_for_url("**/m/31201")
    page.locator("#search-box").fill("zzzz")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=zzzz")
    expect(page.locator("#no-results h2")).to_have_text("該当する市区町村が見つかりません")
    page.locator("#search-box").fill("府中")
    page.locator("#search-box").press("Enter")
    expect(page).to_have_url(re.compile(r"/(search\?q=|m/\d{5})"))
    assert page.errors == []  # type: ignore[attr-defined]


def test_compare_by_names_and_ranking_pages(browser: Browser, server: str) -> None:
    page = _page(browser, 375)
    page.goto(server + "/compare?codes=01100")
    page.locator("#compare-add").fill("とっとり")
    page.locator("#compare-suggest a", has_text="鳥取市").click()
    page.wait_for_url(re.compile(r"codes=01100(%2C|,)31201"))
    _settled(page)
    assert page.locator("figure.chart[data-has-data=true] .plot[data-drawn]").count() >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the table stacks at 375 px

    page.goto(server + "/ranking/pop_aging_rate_pct?from=01100")
    _settled(page)
    marked = page.locator('#ranking tr[data-code="01100"] td').first
    expect(marked).to_have_css("font-weight", "700")
    expect(page.locator("#marked")).to_contain_text("位")
    page.locator("nav.pager a[rel=next]").first.click()
    expect(page.locator("#ranking tbody tr")).to_have_count(50)
    assert page.errors == []  # type: ignore[attr-defined]
