"""What a person sees: Playwright driving Debian's Chromium against a real uvicorn server on the built warehouse."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from sousei.charts import TABS

SHOTS = Path(os.environ.get("SOUSEI_SCREENSHOTS", tempfile.gettempdir())) / "sousei-screenshots"


def _page(browser: Browser, width: int) -> Page:
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP", accept_downloads=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _charts_drawn(page: Page) -> int:
    """Every figure with data has a drawn Plotly plot with points; returns how many figures."""
    figures = page.locator("figure.chart[data-has-data=true]")
    n = figures.count()
    for i in range(n):
        plot = figures.nth(i).locator(".plot")
        expect(plot).to_have_attribute("data-drawn", __import__("re").compile(r"^[1-9]\d*$"), timeout=15_000)
    return n


def test_search_open_every_tab_csv_and_simulator(browser: Browser, server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, 1280)
    page.goto(server + "/")
    page.fill("#search-box", "さっぽろ")
    suggestion = page.locator("#search-suggest a", has_text="札幌市").first
    expect(suggestion).to_be_visible()
    suggestion.click()
    page.wait_for_url("**/m/01100")
    expect(page.locator("h1")).to_contain_text("札幌市")
    expect(page.locator("#comparisons tbody tr")).not_to_have_count(0)
    drawn = {}
    for key, label in TABS.items():
        page.locator(f"nav.tabs a[data-tab={key}]").click()
        page.wait_for_url(f"**/m/01100?tab={key}")
        expect(page.locator("nav.tabs a.active")).to_have_text(label)
        drawn[key] = _charts_drawn(page)
        page.screenshot(path=str(SHOTS / f"m-01100-{key}-1280.png"), full_page=True)
    # every tab draws its charts (人口移動 included: its four charts have data since the migration steps were added);
    # 好事例 is a list of cases with no chart
    assert all(drawn[k] > 0 for k in TABS if k != "cases"), drawn
    assert drawn["overview"] >= 3

    # a CSV download is exactly what the API returns for that chart
    page.goto(server + "/m/01100?tab=births")
    with page.expect_download() as dl:
        page.locator("#fig-tfr a.csv").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    api = httpx.get(server + "/api/m/01100/charts/tfr").json()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["系列", api["x_label"], api["y_label"]]
    assert rows[1:] == [[s["name"], str(x), "" if y is None else str(y)]
                        for s in api["series"] for x, y in zip(s["x"], s["y"], strict=True)]  # fmt: skip

    # the simulator redraws from the API when a slider moves
    page.goto(server + "/m/01100?tab=projection")
    plot = page.locator("#plot-simulator")
    expect(plot).to_have_attribute("data-simulated", __import__("re").compile(r"\d"), timeout=20_000)
    first = plot.get_attribute("data-simulated")
    page.locator("#sim-mig").evaluate("e => { e.value = '0'; e.dispatchEvent(new Event('input')); }")
    expect(plot).not_to_have_attribute("data-simulated", first or "", timeout=20_000)
    api_sim = httpx.get(
        server + "/api/m/01100/simulate", params={"tfr_2030": 1.8, "tfr_2040": 2.07, "migration_scale": 0}
    ).json()
    assert float(plot.get_attribute("data-simulated") or "nan") == api_sim["simulated"][-1]
    expect(page.locator("#sim-summary")).to_contain_text("2070年の人口")
    page.screenshot(path=str(SHOTS / "m-01100-simulator-1280.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]


def test_map_ranking_compare_japan(browser: Browser, server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, 1280)
    page.goto(server + "/?indicator=tfr_bayes")
    expect(page.locator("#map")).to_have_attribute(
        "data-drawn", __import__("re").compile(r"^1[0-9]{3}$"), timeout=60_000
    )
    page.screenshot(path=str(SHOTS / "top-1280.png"))
    page.select_option("#map-pref", "47")
    page.wait_for_url("**pref=47**")
    expect(page.locator("#map")).to_have_attribute("data-drawn", __import__("re").compile(r"^[1-9]\d$"), timeout=60_000)
    page.screenshot(path=str(SHOTS / "top-okinawa-1280.png"))
    page.goto(server + "/ranking/tfr_bayes?pref=47")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("1")
    page.goto(server + "/compare?codes=01100,13101,47201")
    expect(page.locator("#compare thead th")).to_have_count(5)
    page.goto(server + "/japan")
    assert _charts_drawn(page) >= 5
    page.screenshot(path=str(SHOTS / "japan-1280.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/", "/m/01100", "/m/01100?tab=projection", "/ranking/tfr_bayes", "/japan",
                                  "/compare?codes=01100,13101", "/sources"])  # fmt: skip
def test_pages_fit_375px(browser: Browser, server: str, path: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, 375)
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-").replace(",", "-") or "top"
    page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
    assert overflow <= 375, f"{path} is {overflow}px wide at 375px"
    assert page.errors == []  # type: ignore[attr-defined]
