"""Against the real e-Stat API: runs only with SOUSEI_ESTAT_APP_ID set (there is no internet in CI)."""

from __future__ import annotations

import os

import pytest

from sousei.estat.client import EstatClient

# 令和2年国勢調査 人口等基本集計 表2-1 男女別人口－全国，都道府県，市区町村 (statsDataId 0003445078).
LIVE_TABLE = "0003445078"

pytestmark = pytest.mark.skipif(
    not os.environ.get("SOUSEI_ESTAT_APP_ID"),
    reason="SOUSEI_ESTAT_APP_ID is not set: the live e-Stat API test needs an application ID and internet access",
)


def test_live_meta_info() -> None:
    with EstatClient(timeout=60) as c:
        meta = c.get_meta_info(LIVE_TABLE)
    inf = meta["GET_META_INFO"]["METADATA_INF"]
    assert inf["TABLE_INF"]["@id"] == LIVE_TABLE
    assert inf["TABLE_INF"]["STAT_NAME"]["@code"] == "00200521"  # 国勢調査
    ids = {o["@id"] for o in inf["CLASS_INF"]["CLASS_OBJ"]}
    assert {"area", "time"} <= ids


def test_live_first_page() -> None:
    with EstatClient(timeout=60) as c:
        page = c.get_stats_data(LIVE_TABLE, limit=10)
    data = page["GET_STATS_DATA"]["STATISTICAL_DATA"]
    assert page["GET_STATS_DATA"]["RESULT"]["STATUS"] == 0
    assert len(data["DATA_INF"]["VALUE"]) == 10 and int(data["RESULT_INF"]["NEXT_KEY"]) == 11
