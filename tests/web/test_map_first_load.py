"""The top page's map draws on the first load after start-up (issue 12: a first load once showed a blank map).

A server of its own, started for this test: the first page it serves is `/`, opened once, while the outlines
(computed in a thread at start-up) may still be in the making. The map must then show its municipal shapes, not
only say that it drew.
"""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser
from tests.servers import uvicorn_app

# Municipalities with a value of the top page's default indicator: well over a thousand shapes.
MIN_SHAPES = 1500


def test_the_map_draws_its_shapes_on_the_first_load(browser: Browser, warehouse_path: Path) -> None:
    with uvicorn_app({"SOUSEI_DB": str(warehouse_path.resolve())}, "/api/indicators") as (base, _):
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        # Plotly draws one <path class="choroplethlocation"> per municipality with a value.
        shapes = page.locator("#map path.choroplethlocation")
        deadline = time.monotonic() + 120  # the start-up's outlines thread, on a busy machine
        while shapes.count() < MIN_SHAPES and time.monotonic() < deadline:
            page.wait_for_timeout(250)  # polled from here: the page's CSP forbids the string eval of wait_for_function
        assert shapes.count() >= MIN_SHAPES, (shapes.count(), page.locator("#map").get_attribute("data-drawn"))
        drawn = page.locator("#map").get_attribute("data-drawn")
        assert drawn is not None and drawn.isdigit() and shapes.count() == int(drawn), (drawn, shapes.count())
        # a drawn shape has an outline with area, not an empty path
        box = shapes.first.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        assert errors == []
