"""One registry indicator in its latest data year, held as arrays over the 1,741 municipalities, and its labels."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sousei.domain.indicators.compare import COMPARISON_COLUMNS

# How Japan's and a prefecture's value is formed, by the registry's aggregate (shown beside 全国 / 都道府県).
AGGREGATE_JA = {
    "sum": "合計",
    "ratio_of_sums": "総数の比",
    "source_value": "公表値",
    "population_weighted_mean": "人口加重平均",
}
NATIONAL_LABEL = {"source_value": "全国（公表値）", "ratio_of_sums": "全国（総数の比）", "sum": "全国（合計）"}


def _num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _int(v: Any) -> int | None:
    return None if v is None or math.isnan(float(v)) else int(v)


def display_digits(unit: str, typical: float | None) -> int:
    """Decimals to show for an indicator: from its unit and the size of its typical (median) value."""
    if unit in ("人", "円") and (typical or 0) >= 100:
        return 0
    a = abs(typical or 0)
    return 0 if a >= 1000 else 1 if a >= 10 else 2 if a >= 0.1 else 3


@dataclass(frozen=True, eq=False)
class IndicatorValues:
    """One registry indicator in its latest data year over the 1,741 municipalities (arrays in muni_code order)."""

    meta: dict[str, Any]
    codes: list[str]
    names: list[str]
    prefs: list[str]
    pref_names: list[str]
    peers: list[str]
    cols: dict[str, np.ndarray]
    national: float | None
    prefecture: dict[str, float | None]
    peer_mean: dict[str, float | None]
    rank_peer: np.ndarray
    n_peer: dict[str, int]
    index: dict[str, int]
    # 参考値 (out_indicators__comparisons.reference_reason) by municipality: shown with the label, not compared
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.meta["indicator_id"])

    @property
    def year(self) -> int | None:
        return self.meta["year"]

    def row(self, code: str) -> dict[str, Any]:
        """The municipality's value with national, prefecture and peer values, 偏差値, ranks and change."""
        i = self.index[code]
        c = self.cols
        return {
            "muni_code": code,
            "year": self.year,
            "value": _num(c["value"][i]),
            "national": self.national,
            "prefecture": self.prefecture.get(self.prefs[i]),
            "peer_group": self.peers[i],
            "peer_mean": self.peer_mean.get(self.peers[i]),
            "deviation_japan": _num(c["deviation_japan"][i]),
            "deviation_peer": _num(c["deviation_peer"][i]),
            "oriented_japan": _num(c["oriented_japan"][i]),
            "oriented_peer": _num(c["oriented_peer"][i]),
            "rank_japan": _int(c["rank_japan"][i]),
            "n_japan": _int(c["n_japan"][i]),
            "rank_prefecture": _int(c["rank_prefecture"][i]),
            "n_prefecture": _int(c["n_prefecture"][i]),
            "rank_peer": _int(self.rank_peer[i]),
            "n_peer": self.n_peer.get(self.peers[i], 0) if not math.isnan(c["value"][i]) else None,
            "previous_year": _int(c["previous_year"][i]),
            "previous_value": _num(c["previous_value"][i]),
            "change": _num(c["change"][i]),
            "oriented_change_score": _num(c["oriented_change_score"][i]),
            "is_reference": bool(c["is_reference"][i] == 1),
            "reference_reason": self.reasons.get(code),
        }

    def ranking(self, pref: str | None = None, peer: str | None = None) -> list[dict[str, Any]]:
        """Municipalities with a value, best first: in Japan, within a prefecture or within a peer group."""
        values = self.cols["value"]
        if pref is not None:
            sel, rank = [i for i, p in enumerate(self.prefs) if p == pref], self.cols["rank_prefecture"]
        elif peer is not None:
            sel, rank = [i for i, p in enumerate(self.peers) if p == peer], self.rank_peer
        else:
            sel, rank = list(range(len(self.codes))), self.cols["rank_japan"]
        sel = [i for i in sel if not math.isnan(values[i])]
        sel.sort(key=lambda i: (math.isnan(rank[i]), 0 if math.isnan(rank[i]) else rank[i], self.codes[i]))
        return [
            {
                "rank": _int(rank[i]),
                "muni_code": self.codes[i],
                "name": self.names[i],
                "pref_name": self.pref_names[i],
                "peer_group": self.peers[i],
                "value": _num(values[i]),
                "oriented_japan": _num(self.cols["oriented_japan"][i]),
                "is_reference": bool(self.cols["is_reference"][i] == 1),
                "reference_reason": self.reasons.get(self.codes[i]),
            }
            for i in sel
        ]

    def value_map(self) -> dict[str, float | None]:
        return {c: _num(v) for c, v in zip(self.codes, self.cols["value"], strict=True)}


# The comparison table's per-municipality numeric columns (domain.indicators.compare.COMPARISON_COLUMNS less its
# keys, the area-level values read once per indicator, and its text columns), read as one float array each.
_COMPARISON_COLS = tuple(
    c
    for c in COMPARISON_COLUMNS
    if c
    not in (
        "indicator_id",
        "muni_code",
        "year",
        "national_value",
        "prefecture_value",
        "peer_group",
        "peer_mean",
        "reference_reason",
    )
)
