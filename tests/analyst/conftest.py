"""The analyst's tests read the real warehouse through the read layer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sousei.query import Warehouse

GOLDEN_CODES = ("01100", "31201", "31384")  # 札幌市 (政令指定都市), 鳥取市 (中核市), 日吉津村 (村)


@pytest.fixture(scope="session")
def warehouse(warehouse_path: Path) -> Iterator[Warehouse]:
    w = Warehouse(warehouse_path)
    yield w
    w.close()
