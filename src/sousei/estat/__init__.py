"""e-Stat API 3.0: a client for getStatsData / getMetaInfo and a store of the raw responses (loaded by step estat)."""

from __future__ import annotations

# The notice e-Stat's API terms require wherever a service shows data got through the API (クレジット表示).
NOTICE = (
    "このサービスは、政府統計総合窓口(e-Stat)のAPI機能を使用していますが、"
    "サービスの内容は国によって保証されたものではありません。"
)
CREDIT = "出典：政府統計の総合窓口(e-Stat)"
