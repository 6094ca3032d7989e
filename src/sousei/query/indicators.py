"""Reads of the indicator registry and comparisons: every indicator with data, one municipality's comparisons,
rankings, indicators with no data, and the peer group's positive deviants."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sousei.domain.indicators.model import FAMILY_NAMES_JA
from sousei.query.areas import AreaReads
from sousei.query.indicator import (
    _COMPARISON_COLS,
    AGGREGATE_JA,
    NATIONAL_LABEL,
    IndicatorValues,
    _int,
    _num,
    display_digits,
)

REGISTRY = "out_indicators__registry"
COMPARISONS = "out_indicators__comparisons"


class IndicatorReads(AreaReads):
    """Indicators read once per process from out_indicators__registry and out_indicators__comparisons."""

    _indicators: dict[str, IndicatorValues]

    def _load_indicators(self) -> dict[str, IndicatorValues]:
        """Every registry indicator with data, in its latest data year (registry order)."""
        if not (self.has(REGISTRY) and self.has(COMPARISONS)):
            return {}
        registry = self.rows(f"SELECT * FROM {REGISTRY} WHERE last_year IS NOT NULL ORDER BY position")
        cur = self.cursor().execute(
            f"""SELECT c.indicator_id, c.muni_code, c.national_value, c.prefecture_value, c.peer_mean,
                       {", ".join("c." + k for k in _COMPARISON_COLS)}
                FROM {COMPARISONS} c JOIN {REGISTRY} r ON r.indicator_id = c.indicator_id AND r.last_year = c.year"""
        )
        data = cur.fetchnumpy()
        reasons: dict[str, dict[str, str]] = {}
        if "reference_reason" in {r[0] for r in self.cursor().execute(f"DESCRIBE {COMPARISONS}").fetchall()}:
            for ind_id, code, reason in (
                self.cursor()
                .execute(
                    f"""SELECT c.indicator_id, c.muni_code, c.reference_reason FROM {COMPARISONS} c
                    JOIN {REGISTRY} r ON r.indicator_id = c.indicator_id AND r.last_year = c.year
                    WHERE c.is_reference"""
                )
                .fetchall()
            ):
                reasons.setdefault(ind_id, {})[code] = reason
        codes = [m["muni_code"] for m in self._munis]
        index = {c: i for i, c in enumerate(codes)}
        prefs = [m["pref_code"] for m in self._munis]
        peers = [m["peer_group"] for m in self._munis]
        peer_arr = np.array(peers, dtype=object)
        ids = np.asarray(data["indicator_id"], dtype=object)
        muni = np.asarray(data["muni_code"], dtype=object)
        order = np.argsort(ids, kind="stable")
        bounds = np.flatnonzero(np.r_[True, ids[order][1:] != ids[order][:-1], True])
        groups = {ids[order[a]]: order[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)}
        out: dict[str, IndicatorValues] = {}
        from sousei.domain.scores import ranks

        for reg in registry:
            rows = groups.get(reg["indicator_id"])
            if rows is None or len(rows) == 0:
                continue
            pos = np.array([index[c] for c in muni[rows]])
            cols: dict[str, np.ndarray] = {}
            for k in _COMPARISON_COLS:
                arr = np.full(len(codes), np.nan)
                src = np.ma.filled(np.ma.asarray(data[k][rows], dtype=np.float64), np.nan)
                arr[pos] = src
                cols[k] = arr
            national = next(
                (
                    _num(v)
                    for v in np.ma.filled(np.ma.asarray(data["national_value"][rows], dtype=np.float64), np.nan)
                    if not math.isnan(v)
                ),
                None,
            )
            prefecture: dict[str, float | None] = {}
            peer_mean: dict[str, float | None] = {}
            pv = np.ma.filled(np.ma.asarray(data["prefecture_value"][rows], dtype=np.float64), np.nan)
            gm = np.ma.filled(np.ma.asarray(data["peer_mean"][rows], dtype=np.float64), np.nan)
            for j, p in enumerate(pos):
                prefecture.setdefault(prefs[p], _num(pv[j]))
                peer_mean.setdefault(peers[p], _num(gm[j]))
            values = cols["value"]
            has = ~np.isnan(values)
            compared = np.where(cols["is_reference"] == 1, np.nan, values)  # 参考値 are not ranked
            n_peer = {g: int((~np.isnan(compared) & (peer_arr == g)).sum()) for g in self._peer_groups}
            meta = {
                "indicator_id": reg["indicator_id"],
                "name": reg["name_ja"],
                "name_en": reg["name_en"],
                "unit": reg["unit"],
                "family": reg["family"],
                "family_ja": reg["family_ja"] or FAMILY_NAMES_JA.get(reg["family"], reg["family"]),
                "direction": reg["direction"],
                "aggregate": reg["aggregate"],
                "national_label": NATIONAL_LABEL.get(reg["aggregate"] or "", "全国"),
                "sources": [s.strip() for s in reg["sources"].split(",") if s.strip()],
                "formula": reg["formula"],
                "caveat": reg["caveat"],
                "coverage_note": reg["coverage_note"],
                "year": reg["last_year"],
                "first_year": reg["first_year"],
                "digits": reg["decimals"]
                if reg.get("decimals") is not None
                else display_digits(reg["unit"], float(np.median(values[has])) if has.any() else None),
                "aggregate_ja": AGGREGATE_JA.get(reg["aggregate"] or "", ""),
                "scored": reg.get("scored", True),
            }
            out[reg["indicator_id"]] = IndicatorValues(
                meta=meta,
                codes=codes,
                names=[m["name"] for m in self._munis],
                prefs=prefs,
                pref_names=[m["pref_name"] for m in self._munis],
                peers=peers,
                cols=cols,
                national=national,
                prefecture=prefecture,
                peer_mean=peer_mean,
                rank_peer=ranks(compared, reg["direction"], peer_arr.astype(str)),
                n_peer=n_peer,
                index=index,
                reasons=reasons.get(reg["indicator_id"], {}),
            )
        return out

    def indicators(self) -> list[dict[str, Any]]:
        """Metadata of every indicator with data (registry order)."""
        return [i.meta for i in self._indicators.values()]

    def indicator(self, indicator_id: str) -> IndicatorValues | None:
        return self._indicators.get(indicator_id)

    def comparisons(self, code: str, family: str | None = None) -> list[dict[str, Any]]:
        """Every indicator (or one family's) for one municipality: value, national, prefecture, peer, 偏差値, ranks."""
        return [
            {**ind.meta, **ind.row(code)}
            for ind in self._indicators.values()
            if family is None or ind.meta["family"] == family
        ]

    def comparison(self, code: str, indicator_id: str) -> dict[str, Any] | None:
        ind = self._indicators.get(indicator_id)
        return None if ind is None or code not in ind.index else {**ind.meta, **ind.row(code)}

    def ranking(self, indicator_id: str, pref: str | None = None, peer: str | None = None) -> list[dict[str, Any]]:
        ind = self.indicator(indicator_id)
        return [] if ind is None else ind.ranking(pref=pref, peer=peer)

    def unloaded_indicators(self) -> list[dict[str, Any]]:
        """Registry indicators with no data in this warehouse (their source, e.g. an e-Stat table, is not loaded)."""
        if not self.has(REGISTRY):
            return []
        return self.memo(
            "unloaded_indicators",
            lambda: self.rows(
                f"SELECT indicator_id, name_ja AS name, sources FROM {REGISTRY} "
                "WHERE last_year IS NULL ORDER BY position"
            ),
        )

    def positive_deviants(
        self, code: str, indicator_id: str, limit: int = 3, threshold: float = 60.0
    ) -> dict[str, list[dict[str, Any]]]:
        """Peer-group members doing markedly better on an indicator (oriented 偏差値 within the group ≥ threshold,
        best first) and those whose change was the best (oriented change score ≥ threshold, scored over all
        municipalities), the municipality itself excluded."""
        ind = self._indicators.get(indicator_id)
        muni = self.municipality(code)
        if ind is None or muni is None or ind.meta["direction"] == "neutral":
            return {"better": [], "improved": []}
        c = ind.cols
        members = [i for i, g in enumerate(ind.peers) if g == muni["peer_group"] and ind.codes[i] != code]

        def entry(i: int) -> dict[str, Any]:
            return {
                "muni_code": ind.codes[i],
                "name": ind.names[i],
                "pref_name": ind.pref_names[i],
                "value": _num(c["value"][i]),
                "oriented_peer": _num(c["oriented_peer"][i]),
                "previous_year": _int(c["previous_year"][i]),
                "previous_value": _num(c["previous_value"][i]),
                "change": _num(c["change"][i]),
                "oriented_change_score": _num(c["oriented_change_score"][i]),
            }

        def top(key: str) -> list[dict[str, Any]]:
            sel = [i for i in members if not math.isnan(c[key][i]) and c[key][i] >= threshold]
            sel.sort(key=lambda i: (-c[key][i], ind.codes[i]))
            return [entry(i) for i in sel[:limit]]

        return {"better": top("oriented_peer"), "improved": top("oriented_change_score")}
