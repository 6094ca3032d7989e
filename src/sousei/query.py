"""The only read path for the web app and reports: a read-only DuckDB connection and the queries they share.

Indicators come from the warehouse's indicator tables, one definition: names, units, direction and sources from
`out_indicators__registry`, values and comparisons (national, prefecture, peer group, 偏差値, ranks, change) from
`out_indicators__comparisons` in each indicator's latest data year. Everything a page needs per municipality is read
once per process with one query over the whole table (`Warehouse.bulk`), grouped by muni_code in memory, so that a
request does no table scan.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from sousei.domain.projection.labels import PATTERN1_NAME
from sousei.kana import to_hiragana
from sousei.pipeline.verify import open_read_only, use_warehouse

MUNI_CODE = re.compile(r"^\d{5}$")
IMPACT_YEAR = 2040
HAMADORI_CODE = "07999"
REGISTRY = "out_indicators__registry"
COMPARISONS = "out_indicators__comparisons"

FAMILY_JA = {"population": "人口", "births": "出生", "migration": "人口移動", "women_work": "女性の就業",
             "economy": "強い経済", "living": "豊かな生活環境"}  # fmt: skip
DIRECTION_JA = {"higher_better": "高いほど良い", "lower_better": "低いほど良い", "neutral": "向きなし"}
# How Japan's and a prefecture's value is formed, by the registry's aggregate (shown beside 全国 / 都道府県).
AGGREGATE_JA = {
    "sum": "合計",
    "ratio_of_sums": "総数の比",
    "source_value": "公表値",
    "population_weighted_mean": "人口加重平均",
}
NATIONAL_LABEL = {"source_value": "全国（公表値）", "ratio_of_sums": "全国（総数の比）", "sum": "全国（合計）"}


class WarehouseMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class SourceNote:
    source_id: str
    attribution: str
    vintage: str
    license: str


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
class Indicator:
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


_COMPARISON_COLS = ("value", "deviation_japan", "deviation_peer", "oriented_japan", "oriented_peer", "rank_japan",
                    "n_japan", "rank_prefecture", "n_prefecture", "previous_year", "previous_value", "change",
                    "oriented_change_score", "is_reference")  # fmt: skip


class Warehouse:
    """One read-only connection, and in-memory copies of what the pages read per municipality."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise WarehouseMissing(f"no warehouse at {path}: run `sousei build` first")
        self.path = path
        self._con = open_read_only(path)  # the file now at the path, even if this process has an older one open
        self._local = threading.local()
        self._lock = threading.RLock()
        self._bulk: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        self._memo: dict[str, Any] = {}
        self._geojson: bytes | None = None
        self.tables = {r[0] for r in self._con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        self._sources = {
            r[0]: SourceNote(*r)
            for r in self._con.execute("SELECT source_id, attribution, vintage, license FROM meta__sources").fetchall()
        }
        self._munis = self.rows("SELECT * FROM core_areas__municipalities ORDER BY muni_code")
        self._muni_index = {m["muni_code"]: m for m in self._munis}
        self._prefs = self.rows(
            "SELECT area_code, pref_code, name FROM core_areas__areas WHERE level = 'prefecture' ORDER BY area_code"
        )
        self._peer_groups = sorted({m["peer_group"] for m in self._munis if m["peer_group"]})
        self._search_rows = [
            (m["muni_code"], m["name"], m["name_kana"] or "", m["pref_name"], m["kind"]) for m in self._munis
        ]
        self._hamadori: set[str] = set()
        if self.has("core_ipss2023__hamadori_members"):
            self._hamadori = {r[0] for r in self._con.execute("SELECT muni_code FROM core_ipss2023__hamadori_members")
                              .fetchall()}  # fmt: skip
        self._indicators = self._load_indicators()

    # -- plumbing ------------------------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = use_warehouse(self._con.cursor())
            self._local.cursor = cur
        return cur

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.cursor().execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def bulk(self, key: str, sql: str) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of `sql` (first column muni_code, or an area code) grouped by that code: run once per process."""
        found = self._bulk.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._bulk.get(key)
            if found is None:
                found = {}
                for r in self.cursor().execute(sql).fetchall():
                    found.setdefault(r[0], []).append(r[1:])
                self._bulk[key] = found
        return found

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """A value computed once per process (the warehouse is read-only)."""
        if key in self._memo:
            return self._memo[key]
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def source_notes(self, source_ids: tuple[str, ...] | list[str]) -> list[SourceNote]:
        return [self._sources[s] for s in source_ids if s in self._sources]

    def all_sources(self) -> list[dict[str, Any]]:
        return self.memo("sources", lambda: self.rows("SELECT * FROM meta__sources ORDER BY source_id"))

    def close(self) -> None:
        self._con.close()

    # -- areas ---------------------------------------------------------------------------------------------

    def municipality(self, code: str) -> dict[str, Any] | None:
        if not MUNI_CODE.match(code):
            return None
        return self._muni_index.get(code)

    def municipalities(self) -> list[dict[str, Any]]:
        keys = ("muni_code", "name", "name_kana", "pref_code", "pref_name", "kind", "peer_group")
        return [{k: m[k] for k in keys} for m in self._munis]

    def prefectures(self) -> list[dict[str, Any]]:
        return self._prefs

    def peer_groups(self) -> list[str]:
        return self._peer_groups

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Municipalities whose name, ひらがな reading or code matches; exact and prefix matches first."""
        q = query.strip()
        if not q:
            return []
        kana = to_hiragana(q)  # NFKC: also half-width kana and full-width digits, for the reading and the code
        hits = []
        for code, name, name_kana, pref_name, kind in self._search_rows:
            if q in name or kana in name_kana or code.startswith(kana) or q in pref_name + name:
                exact = name == q or name_kana == kana
                prefix = name.startswith(q) or name_kana.startswith(kana)
                hits.append((not exact, not prefix, code, name, name_kana, pref_name, kind))
        hits.sort()
        keys = ("muni_code", "name", "name_kana", "pref_name", "kind")
        return [dict(zip(keys, h[2:], strict=True)) for h in hits[:limit]]

    # -- indicators ----------------------------------------------------------------------------------------

    def _load_indicators(self) -> dict[str, Indicator]:
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
        out: dict[str, Indicator] = {}
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
            national = next((_num(v) for v in np.ma.filled(np.ma.asarray(data["national_value"][rows],
                             dtype=np.float64), np.nan) if not math.isnan(v)), None)  # fmt: skip
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
                "indicator_id": reg["indicator_id"], "name": reg["name_ja"], "name_en": reg["name_en"],
                "unit": reg["unit"], "family": reg["family"], "family_ja": reg["family_ja"] or FAMILY_JA.get(
                    reg["family"], reg["family"]), "direction": reg["direction"], "aggregate": reg["aggregate"],
                "national_label": NATIONAL_LABEL.get(reg["aggregate"] or "", "全国"),
                "sources": [s.strip() for s in reg["sources"].split(",") if s.strip()],
                "formula": reg["formula"], "caveat": reg["caveat"], "coverage_note": reg["coverage_note"],
                "year": reg["last_year"], "first_year": reg["first_year"],
                "digits": reg["decimals"] if reg.get("decimals") is not None else display_digits(
                    reg["unit"], float(np.median(values[has])) if has.any() else None),
                "aggregate_ja": AGGREGATE_JA.get(reg["aggregate"] or "", ""), "scored": reg.get("scored", True),
            }  # fmt: skip
            out[reg["indicator_id"]] = Indicator(
                meta=meta, codes=codes, names=[m["name"] for m in self._munis], prefs=prefs,
                pref_names=[m["pref_name"] for m in self._munis], peers=peers, cols=cols, national=national,
                prefecture=prefecture, peer_mean=peer_mean,
                rank_peer=ranks(compared, reg["direction"], peer_arr.astype(str)), n_peer=n_peer, index=index,
                reasons=reasons.get(reg["indicator_id"], {}),
            )  # fmt: skip
        return out

    def indicators(self) -> list[dict[str, Any]]:
        """Metadata of every indicator with data (registry order)."""
        return [i.meta for i in self._indicators.values()]

    def indicator(self, indicator_id: str) -> Indicator | None:
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

    def priority_issues(self, code: str) -> list[dict[str, Any]]:
        """The municipality's priority issues (out_diagnosis__priority_issues) with the indicator's name."""
        if not self.has("out_diagnosis__priority_issues"):
            return []
        cols = ("rank", "family", "family_rank", "indicator_id", "year", "basis", "priority_score", "value", "unit",
                "national_value", "prefecture_value", "peer_mean", "oriented_japan", "oriented_peer", "previous_year",
                "change", "oriented_change_score")  # fmt: skip
        rows = self.bulk(
            "priority",
            f"SELECT muni_code, {', '.join(cols)} FROM out_diagnosis__priority_issues ORDER BY muni_code, rank",
        ).get(code, [])
        out = []
        for r in rows:
            d = dict(zip(cols, r, strict=True))
            ind = self._indicators.get(d["indicator_id"])
            d["name"] = ind.meta["name"] if ind else d["indicator_id"]
            d["digits"] = ind.meta["digits"] if ind else 2
            d["family_ja"] = FAMILY_JA.get(d["family"], d["family"])
            out.append(d)
        return out

    def walls(self, code: str) -> dict[str, Any] | None:
        """The births gap split into the marriage and marital-fertility factors, and the environment indicators."""
        if not self.has("out_walls__decomposition"):
            return None
        cols = ("births_per_year", "women_25_39", "married_share", "fertility_per_1000", "marital_fertility_per_1000",
                "births_gap", "marriage_factor", "marital_fertility_factor", "is_marriage_wall",
                "is_second_child_wall")  # fmt: skip
        found = self.bulk("walls", f"SELECT muni_code, {', '.join(cols)} FROM out_walls__decomposition").get(code)
        if not found:
            return None
        out: dict[str, Any] = dict(zip(cols, found[0], strict=True))
        env_cols = ("indicator_id", "name_ja", "year", "value", "deviation_score", "correlation_with_gap")
        out["environment"] = [
            self._with_display(dict(zip(env_cols, r, strict=True)), code)
            for r in self.bulk(
                "walls_env",
                f"SELECT muni_code, {', '.join(env_cols)} FROM out_walls__environment ORDER BY muni_code, indicator_id",
            ).get(code, [])
        ] if self.has("out_walls__environment") else []  # fmt: skip
        return out

    def _with_display(self, row: dict[str, Any], code: str) -> dict[str, Any]:
        """A walls' environment row with its indicator's decimals and 参考値 reason (from the registry/comparisons)."""
        ind = self._indicators.get(row["indicator_id"])
        row["digits"] = ind.meta["digits"] if ind else None
        row["reference_reason"] = ind.reasons.get(code) if ind and ind.year == row["year"] else None
        return row

    def leading_industries(self, code: str) -> list[dict[str, Any]]:
        """The 3 leading industries of the latest 経済センサス year (out_indicators__leading_industries)."""
        if not self.has("out_indicators__leading_industries"):
            return []
        cols = ("year", "rank", "industry_code", "industry", "specialization", "employees_share_pct")
        rows = self.bulk(
            "leading",
            f"SELECT muni_code, {', '.join(cols)} FROM out_indicators__leading_industries "
            "ORDER BY muni_code, year, rank",
        ).get(code, [])
        if not rows:
            return []
        last = max(r[0] for r in rows)
        return [dict(zip(cols, r, strict=True)) for r in rows if r[0] == last]

    # -- classifications and projections --------------------------------------------------------------------

    def projection_unit(self, code: str) -> str:
        """The unit a municipality is projected as: itself, or 07999 for the 13 members of 浜通り地域."""
        return HAMADORI_CODE if code in self._hamadori else code

    def joint_unit(self, code: str) -> dict[str, Any]:
        """The joint projection unit of a member of 浜通り地域: its code, its members (code, name) and its パターン1
        totals by year (empty where out_projection__population is not loaded)."""
        unit = self.projection_unit(code)
        members = self.memo(
            "hamadori_members",
            lambda: self.rows("SELECT muni_code, name FROM core_ipss2023__hamadori_members ORDER BY muni_code"),
        )
        totals = [
            {"year": r["year"], "persons": r["persons"]}
            for r in self.projection_totals(code)
            if r["scenario"] == "pattern1" and r["year"] in (2020, 2030, 2040, 2050, 2070)
        ]
        return {"code": unit, "name": "浜通り地域", "members": members, "totals": totals}

    def sustainability(self, code: str) -> dict[str, Any] | None:
        """人口戦略会議 (2024) class of the municipality (or of 浜通り地域 07999 for its 13 members), with 影響度."""
        if not self.has("out_projection__sustainability"):
            return None
        table = self.memo(
            "sustainability",
            lambda: {r["muni_code"]: r for r in self.rows("SELECT * FROM out_projection__sustainability")},
        )
        unit = self.projection_unit(code)
        row = table.get(unit)
        if row is None:
            return None
        row = dict(row)
        if self.has("out_projection__impact"):
            impact = self.memo("impact", lambda: self._impact_by_unit())
            row |= impact.get(unit, {})
        row["is_joint_unit"] = unit != code
        return row

    def _impact_by_unit(self) -> dict[str, dict[str, Any]]:
        """影響度 per unit in 2040, the year the 人口ビジョン guidance defines it for (2050 is stored too)."""
        out: dict[str, dict[str, Any]] = {}
        for r in self.rows("SELECT * FROM out_projection__impact WHERE year = ? ORDER BY muni_code", [IMPACT_YEAR]):
            out[r["muni_code"]] = {k: v for k, v in r.items() if k != "muni_code"}
        return out

    def projection_totals(self, code: str) -> list[dict[str, Any]]:
        """Total population per scenario and year of out_projection__population for the municipality's unit."""
        if not self.has("out_projection__population"):
            return []
        rows = self.bulk(
            "projection_totals",
            "SELECT muni_code, scenario, year, sum(persons) FROM out_projection__population GROUP BY ALL "
            "ORDER BY muni_code, scenario, year",
        ).get(self.projection_unit(code), [])
        return [{"scenario": s, "year": y, "persons": p} for s, y, p in rows]

    def simulate(self, code: str, tfr_2030: float, tfr_2040: float, migration_scale: float) -> dict[str, Any] | None:
        """The 人口ビジョン simulator for one unit: パターン1 with a TFR path and scaled migration."""
        sim = self._simulator()
        if sim is None:
            return None
        from sousei.domain.projection import model
        from sousei.domain.projection.engine import project

        unit = self.projection_unit(code)
        if unit not in sim.units:
            return None
        i = sim.index(unit)
        # The custom scenario's parameters for this unit only (`units=[i]`: the same numbers as scenario_params'
        # all-unit run then .select([i]), in ~1 ms instead of ~30 ms); the パターン1 run is kept per unit.
        params = model.tfr_scenario_params(sim, {2030: tfr_2030, 2040: tfr_2040}, migration_scale, units=[i])
        result = project(sim.base[[i]], params)[0]
        base = self.memo(f"pattern1:{unit}", lambda: project(sim.base[[i]], sim.params.select([i]))[0])
        years = list(sim.years)
        return {
            "muni_code": code,
            "unit": unit,
            "years": years,
            "baseline": [round(float(v), 1) for v in base.sum(axis=(1, 2))],
            "simulated": [round(float(v), 1) for v in result.sum(axis=(1, 2))],
            "women_20_39_baseline": [round(float(v), 1) for v in base[:, 1, 4:8].sum(axis=1)],
            "women_20_39_simulated": [round(float(v), 1) for v in result[:, 1, 4:8].sum(axis=1)],
            "baseline_name": PATTERN1_NAME,
            "tfr_2030": tfr_2030,
            "tfr_2040": tfr_2040,
            "migration_scale": migration_scale,
        }

    def _simulator(self) -> Any:
        """The パターン1 baseline of the projection engine (built once from this warehouse, read-only)."""
        from sousei.projection_api import INPUT_TABLES, baseline_from

        if not all(self.has(t) for t in INPUT_TABLES):
            return None
        # Read through this warehouse's own connection: the file it opened, even once moved or replaced by a rebuild.
        return self.memo("simulator", lambda: baseline_from(self.cursor()))

    # -- maps ----------------------------------------------------------------------------------------------

    def municipal_geojson(self) -> bytes | None:
        """One FeatureCollection of the 1,741 municipal boundaries (properties: muni_code, name, pref_code)."""
        if not self.has("core_geo__municipalities"):
            return None
        with self._lock:
            if self._geojson is None:
                rows = (
                    self.cursor()
                    .execute(
                        "SELECT g.muni_code, m.name, g.pref_code, g.geometry_geojson FROM core_geo__municipalities g "
                        "JOIN core_areas__municipalities m USING (muni_code) ORDER BY g.muni_code"
                    )
                    .fetchall()
                )
                head = '{"type":"Feature","id":%s,"properties":{"muni_code":%s,"name":%s,"pref_code":%s},"geometry":'
                features = ",".join(
                    head % (json.dumps(c), json.dumps(c), json.dumps(n, ensure_ascii=False), json.dumps(p)) + g + "}"
                    for c, n, p, g in rows
                )
                self._geojson = ('{"type":"FeatureCollection","features":[' + features + "]}").encode()
            return self._geojson

    # -- the population analyst's reads (sousei.analyst) -----------------------------------------------------

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

    def build_stamp(self) -> str:
        """When and by which version the warehouse was built: the key of anything cached per warehouse version."""
        if not self.has("meta__build"):
            return f"mtime:{self.path.stat().st_mtime_ns}"
        row = self.cursor().execute("SELECT built_at, sousei_version FROM meta__build").fetchone()
        return f"{row[0].isoformat()}|{row[1]}" if row else f"mtime:{self.path.stat().st_mtime_ns}"

    def census_age_groups(self, area: str) -> list[dict[str, Any]]:
        """Census population 1980–2020 in three age groups (年齢不詳は按分済み) for a municipality (5 digits),
        a prefecture (2 digits) or Japan ('00000', the sum of the 1,741)."""
        if not self.has("core_census__population_by_sex_age"):
            return []
        table = self.memo("census_age_groups", self._census_age_groups)
        return table.get(area, [])

    def _census_age_groups(self) -> dict[str, list[dict[str, Any]]]:
        rows = (
            self.cursor()
            .execute(
                """SELECT m.muni_code, m.pref_code, c.census_year,
                      sum(c.persons) FILTER (WHERE c.age_start < 15),
                      sum(c.persons) FILTER (WHERE c.age_start BETWEEN 15 AND 64),
                      sum(c.persons) FILTER (WHERE c.age_start >= 65),
                      sum(c.persons)
               FROM core_census__population_by_sex_age c JOIN core_areas__municipalities m USING (muni_code)
               GROUP BY ALL ORDER BY 1, 3"""
            )
            .fetchall()
        )
        acc: dict[str, dict[int, list[float]]] = {}
        for code, pref, year, *vals in rows:
            for area in (code, pref, "00000"):
                slot = acc.setdefault(area, {}).setdefault(year, [0.0, 0.0, 0.0, 0.0])
                for k, v in enumerate(vals):
                    slot[k] += v or 0.0
        keys = ("age_0_14", "age_15_64", "age_65_plus", "total")
        return {
            area: [{"year": y, **dict(zip(keys, v, strict=True))} for y, v in sorted(years.items())]
            for area, years in acc.items()
        }

    def vital_dynamics(self, code: str) -> list[dict[str, Any]]:
        """住民基本台帳 births, deaths, in- and out-movers per fiscal (to FY2012) or calendar year (from 2013)."""
        if not self.has("core_juki__population_dynamics"):
            return []
        cols = (
            "period_kind",
            "period",
            "includes_foreign_residents",
            "births_persons",
            "deaths_persons",
            "in_movers_persons",
            "out_movers_persons",
            "natural_change_persons",
            "social_change_persons",
        )
        rows = self.bulk(
            "vital_dynamics",
            f"SELECT muni_code, {', '.join(cols)} FROM core_juki__population_dynamics ORDER BY muni_code, ref_date",
        ).get(code, [])
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def net_migration_by_sex_age(self, code: str) -> list[dict[str, Any]]:
        """Net migrants by period × sex × age (cohort residual, out_migration__net_by_sex_age; male and female)."""
        if not self.has("out_migration__net_by_sex_age"):
            return []
        cols = ("period", "sex", "age_group", "age_start", "net_migrants", "start_persons")
        rows = self.bulk(
            "net_migration",
            "SELECT muni_code, period, sex, age_group, age_start, net_migrants, start_persons "
            "FROM out_migration__net_by_sex_age WHERE sex IN ('male', 'female') "
            "ORDER BY muni_code, period, sex, age_start",
        ).get(code, [])
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def projection_age_bands(self, code: str, scenario: str = "pattern1") -> list[dict[str, Any]]:
        """Projected persons per year and 5-year age group (both sexes) of one scenario, for the municipality's unit."""
        if not self.has("out_projection__population"):
            return []
        rows = self.bulk(
            f"projection_bands_{scenario}",
            "SELECT muni_code, year, age_start, sum(persons) FROM out_projection__population "
            f"WHERE scenario = '{scenario}' GROUP BY ALL ORDER BY 1, 2, 3",
        ).get(self.projection_unit(code), [])
        return [{"year": y, "age_start": a, "persons": p} for y, a, p in rows]

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
