"""Against the real e-Stat API: runs only with SOUSEI_ESTAT_APP_ID set (there is no internet in CI)."""

from __future__ import annotations

import os

import pytest

from sousei.estat.client import EstatClient

# 令和7年国勢調査 人口等基本集計（不詳補完値） 第4-4表: the database view 0004066272 that CATALOG.yaml cites for
# source unmarried_rates_2025 (a dbview sid is the statsDataId). SOUSEI_ESTAT_LIVE_TABLE picks another.
LIVE_TABLE = os.environ.get("SOUSEI_ESTAT_LIVE_TABLE", "0004066272")

pytestmark = pytest.mark.skipif(
    not os.environ.get("SOUSEI_ESTAT_APP_ID"),
    reason="SOUSEI_ESTAT_APP_ID is not set: the live e-Stat API test needs an application ID and internet access",
)


def test_live_meta_info() -> None:
    with EstatClient(timeout=60) as c:
        meta = c.get_meta_info(LIVE_TABLE)
    inf = meta["GET_META_INFO"]["METADATA_INF"]
    assert inf["TABLE_INF"]["@id"] == LIVE_TABLE
    ids = {o["@id"] for o in inf["CLASS_INF"]["CLASS_OBJ"]}
    assert {"area", "time"} <= ids


def test_live_first_page() -> None:
    with EstatClient(timeout=60) as c:
        page = c.get_stats_data(LIVE_TABLE, limit=10)
    data = page["GET_STATS_DATA"]["STATISTICAL_DATA"]
    assert page["GET_STATS_DATA"]["RESULT"]["STATUS"] == 0
    assert len(data["DATA_INF"]["VALUE"]) == 10 and int(data["RESULT_INF"]["NEXT_KEY"]) == 11
