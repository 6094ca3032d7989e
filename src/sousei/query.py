"""The only read path for the web app and reports: a read-only DuckDB connection and the queries they share."""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

MUNI_CODE = re.compile(r"^\d{5}$")
_KATAKANA = {chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)}


def to_hiragana(text: str) -> str:
    return text.translate(str.maketrans(_KATAKANA))


class WarehouseMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class SourceNote:
    source_id: str
    attribution: str
    vintage: str
    license: str


class Warehouse:
    """One read-only connection; each request works on its own cursor (DuckDB cursors are thread-safe per cursor)."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise WarehouseMissing(f"no warehouse at {path}: run `sousei build` first")
        self.path = path
        self._con = duckdb.connect(str(path), read_only=True)
        self._local = threading.local()
        self._lock = threading.RLock()
        self._indicator_cache: dict[str, IndicatorValues] = {}
        self._hamadori: set[str] | None = None
        self._baseline: Any = None
        self._geojson: bytes | None = None
        self._munis: list[dict[str, Any]] | None = None
        self.tables = {r[0] for r in self._con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        self._sources = {
            r[0]: SourceNote(*r)
            for r in self._con.execute("SELECT source_id, attribution, vintage, license FROM meta__sources").fetchall()
        }

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.cursor().execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def source_notes(self, source_ids: tuple[str, ...] | list[str]) -> list[SourceNote]:
        return [self._sources[s] for s in source_ids if s in self._sources]

    def all_sources(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM meta__sources ORDER BY source_id")

    def close(self) -> None:
        self._con.close()

    # -- areas ---------------------------------------------------------------------------------------------

    def municipality(self, code: str) -> dict[str, Any] | None:
        if not MUNI_CODE.match(code):
            return None
        found = self.rows("SELECT * FROM core_areas__municipalities WHERE muni_code = ?", [code])
        return found[0] if found else None

    def municipalities(self) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT muni_code, name, name_kana, pref_code, pref_name, kind, peer_group "
            "FROM core_areas__municipalities ORDER BY muni_code"
        )

    def prefectures(self) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT area_code, pref_code, name FROM core_areas__areas WHERE level = 'prefecture' ORDER BY area_code"
        )

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Municipalities whose name, ひらがな reading or code matches; exact and prefix matches first."""
        q = query.strip()
        if not q:
            return []
        kana = to_hiragana(q)
        like = f"%{q}%"
        return self.rows(
            """
            SELECT muni_code, name, name_kana, pref_name, kind FROM core_areas__municipalities
            WHERE name LIKE ? OR name_kana LIKE ? OR muni_code LIKE ? OR pref_name || name LIKE ?
            ORDER BY (name = ? OR name_kana = ?) DESC, (starts_with(name, ?) OR starts_with(name_kana, ?)) DESC,
                     muni_code
            LIMIT ?
            """,
            [like, f"%{kana}%", f"{q}%", like, q, kana, q, kana, limit],
        )

    # -- indicators ----------------------------------------------------------------------------------------

    def indicators(self) -> list[IndicatorDef]:
        """The indicators whose tables are in this warehouse."""
        return [i for i in INDICATORS if all(self.has(t) for t in i.tables)]

    def indicator(self, indicator_id: str) -> IndicatorDef | None:
        return next((i for i in self.indicators() if i.id == indicator_id), None)

    def indicator_values(self, indicator_id: str) -> IndicatorValues | None:
        ind = self.indicator(indicator_id)
        if ind is None:
            return None
        with self._lock:
            found = self._indicator_cache.get(indicator_id)
        if found is None:
            found = _compute_indicator(self, ind)
            with self._lock:
                self._indicator_cache[indicator_id] = found
        return found

    def comparisons(self, code: str) -> list[dict[str, Any]]:
        """Every indicator for one municipality, with national, prefecture and peer-group values, 偏差値 and ranks."""
        out = []
        for ind in self.indicators():
            iv = self.indicator_values(ind.id)
            assert iv is not None
            out.append({**ind.meta(), **iv.row(code)})
        return out

    def ranking(self, indicator_id: str, pref: str | None = None, peer: str | None = None) -> list[dict[str, Any]]:
        iv = self.indicator_values(indicator_id)
        if iv is None:
            return []
        return iv.ranking(pref=pref, peer=peer)

    def peer_groups(self) -> list[str]:
        return [
            r["peer_group"] for r in self.rows("SELECT DISTINCT peer_group FROM core_areas__municipalities ORDER BY 1")
        ]

    # -- classifications and projections --------------------------------------------------------------------

    def sustainability(self, code: str) -> dict[str, Any] | None:
        """人口戦略会議 (2024) class of the municipality (or of 浜通り地域 07999 for its 13 members)."""
        if not self.has("out_projection__sustainability"):
            return None
        unit = self.projection_unit(code)
        found = self.rows("SELECT * FROM out_projection__sustainability WHERE muni_code = ?", [unit])
        if not found:
            return None
        row = found[0]
        if self.has("out_projection__impact"):
            imp = self.rows("SELECT * FROM out_projection__impact WHERE muni_code = ?", [unit])
            if imp:
                row |= {k: v for k, v in imp[0].items() if k != "muni_code"}
        row["is_joint_unit"] = unit != code
        return row

    def projection_unit(self, code: str) -> str:
        """The unit a municipality is projected as: itself, or 07999 for the 13 members of 浜通り地域."""
        if self.has("core_ipss2023__hamadori_members") and self._hamadori is None:
            self._hamadori = {
                r["muni_code"] for r in self.rows("SELECT muni_code FROM core_ipss2023__hamadori_members")
            }
        return HAMADORI_CODE if code in (self._hamadori or set()) else code

    def projection_totals(self, code: str) -> list[dict[str, Any]]:
        """Total population per scenario and year of out_projection__population for the municipality's unit."""
        if not self.has("out_projection__population"):
            return []
        return self.rows(
            "SELECT scenario, year, sum(persons) AS persons FROM out_projection__population WHERE muni_code = ? "
            "GROUP BY ALL ORDER BY scenario, year",
            [self.projection_unit(code)],
        )

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
        params = model.scenario_params(
            sim, "custom", tfr_points={2030: tfr_2030, 2040: tfr_2040}, migration_scale=migration_scale
        ).select([i])
        result = project(sim.base[[i]], params)[0]
        base = project(sim.base[[i]], sim.params.select([i]))[0]
        years = list(sim.years)
        return {
            "muni_code": code,
            "unit": unit,
            "years": years,
            "baseline": [round(float(v), 1) for v in base.sum(axis=(1, 2))],
            "simulated": [round(float(v), 1) for v in result.sum(axis=(1, 2))],
            "women_20_39_baseline": [round(float(v), 1) for v in base[:, 1, 4:8].sum(axis=1)],
            "women_20_39_simulated": [round(float(v), 1) for v in result[:, 1, 4:8].sum(axis=1)],
            "tfr_2030": tfr_2030,
            "tfr_2040": tfr_2040,
            "migration_scale": migration_scale,
        }

    def _simulator(self) -> Any:
        """The パターン1 baseline of the projection engine (built once from this warehouse, read-only)."""
        from sousei.projection_api import INPUT_TABLES, baseline

        if not all(self.has(t) for t in INPUT_TABLES):
            return None
        with self._lock:
            return baseline(self.path.resolve())

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


HAMADORI_CODE = "07999"


@dataclass(frozen=True)
class IndicatorDef:
    """An indicator the dashboard computes from warehouse tables: SQL giving muni_code, num, den per municipality.

    The municipal value is num / den × scale. `aggregate` says how Japan and the prefectures are formed: 'ratio' =
    Σnum / Σden × scale (a true national rate), 'sum' = Σnum, 'mean' = the unweighted mean of the municipalities
    (for rates that cannot be summed, such as a Bayesian TFR); `national_sql` / `pref_sql` take the published value.
    """

    id: str
    name: str
    unit: str
    family: str
    direction: str  # higher_better | lower_better | neutral
    sources: tuple[str, ...]
    tables: tuple[str, ...]
    sql: str
    scale: float = 1.0
    digits: int = 1
    aggregate: str = "ratio"
    national_sql: str | None = None
    pref_sql: str | None = None
    note: str = ""

    def meta(self) -> dict[str, Any]:
        return {
            "indicator_id": self.id,
            "name": self.name,
            "unit": self.unit,
            "family": self.family,
            "direction": self.direction,
            "digits": self.digits,
            "aggregate": self.aggregate,
            "national_label": NATIONAL_LABEL[self.aggregate if self.national_sql is None else "published"],
            "sources": list(self.sources),
            "note": self.note,
        }


NATIONAL_LABEL = {
    "ratio": "全国",
    "sum": "全国（合計）",
    "mean": "全国（市区町村の単純平均）",
    "published": "全国（公表値）",
}

_POP = "core_census__population_by_sex_age"
_SSDSE = "core_ssdse__values"


def _ssdse_ratio(num_items: str, den_items: str, year: int) -> str:
    return (
        f"SELECT muni_code, sum(value) FILTER (WHERE item_code IN ({num_items})) AS num, "
        f"sum(value) FILTER (WHERE item_code IN ({den_items})) AS den FROM {_SSDSE} WHERE data_year = {year} "
        "GROUP BY muni_code"
    )


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        "population_2020", "総人口（2020年）", "人", "population", "neutral",
        ("census_2020_sex_age5",), (_POP,),
        f"SELECT muni_code, sum(persons) AS num, 1.0 AS den FROM {_POP} WHERE census_year = 2020 GROUP BY 1",
        digits=0, aggregate="sum", note="国勢調査、年齢不詳を按分した人口の合計",
    ),
    IndicatorDef(
        "population_change_2015_2020_pct", "人口増減率（2015→2020年）", "%", "population", "higher_better",
        ("census_1980_2015_sex_age5", "census_2020_sex_age5"), (_POP,),
        f"""SELECT muni_code, sum(persons) FILTER (WHERE census_year = 2020)
                  - sum(persons) FILTER (WHERE census_year = 2015) AS num,
                  sum(persons) FILTER (WHERE census_year = 2015) AS den
            FROM {_POP} GROUP BY 1""",
        scale=100.0, digits=2,
    ),
    IndicatorDef(
        "aged_65_share_2020_pct", "高齢化率（65歳以上人口の割合、2020年）", "%", "population", "lower_better",
        ("census_2020_sex_age5",), (_POP,),
        f"""SELECT muni_code, sum(persons) FILTER (WHERE age_start >= 65) AS num, sum(persons) AS den
            FROM {_POP} WHERE census_year = 2020 GROUP BY 1""",
        scale=100.0, digits=1,
    ),
    IndicatorDef(
        "under15_share_2020_pct", "年少人口割合（15歳未満、2020年）", "%", "population", "higher_better",
        ("census_2020_sex_age5",), (_POP,),
        f"""SELECT muni_code, sum(persons) FILTER (WHERE age_start < 15) AS num, sum(persons) AS den
            FROM {_POP} WHERE census_year = 2020 GROUP BY 1""",
        scale=100.0, digits=1,
    ),
    IndicatorDef(
        "tfr_2018_2022", "合計特殊出生率（2018〜2022年、ベイズ推定値）", "人", "births", "higher_better",
        ("tfr_2018_2022",), ("core_tfr__tfr",),
        "SELECT muni_code, tfr AS num, 1.0 AS den FROM core_tfr__tfr WHERE period = '2018-2022'",
        digits=2, aggregate="mean", note="市区町村の推定値は合算できないため、県・全国・類似団体は市区町村の単純平均",
    ),
    IndicatorDef(
        "women_unmarried_30_34_2025_pct", "30〜34歳女性の未婚率（2025年）", "%", "births", "neutral",
        ("unmarried_rates_2025",), ("core_census2025__unmarried_rate",),
        """SELECT area_code AS muni_code, unmarried_pct AS num, 1.0 AS den FROM core_census2025__unmarried_rate
           WHERE area_level = 'municipality' AND sex = 'female' AND age_group = '30-34'""",
        digits=1, aggregate="mean",
        national_sql="""SELECT unmarried_pct FROM core_census2025__unmarried_rate
                        WHERE area_level = 'japan' AND sex = 'female' AND age_group = '30-34'""",
        pref_sql="""SELECT substr(area_code, 1, 2) AS pref_code, unmarried_pct AS value
                    FROM core_census2025__unmarried_rate
                    WHERE area_level = 'prefecture' AND sex = 'female' AND age_group = '30-34'""",
        note="令和7年国勢調査（不詳補完値）",
    ),
    IndicatorDef(
        "women_20_39_change_2050_pct", "20〜39歳女性人口の変化率（2020→2050年、移動あり）", "%", "population",
        "higher_better", ("census_2020_sex_age5", "national_series"), ("out_projection__sustainability",),
        """SELECT muni_code, women_20_39_2050_baseline - women_20_39_2020 AS num, women_20_39_2020 AS den
           FROM out_projection__sustainability""",
        scale=100.0, digits=1,
        note="本プロジェクトの推計（社人研方式、パターン1）。浜通り地域13市町村は一体で推計するため個別値なし",
    ),
    IndicatorDef(
        "net_migration_2015_2020_pct", "純移動率（2015→2020年）", "%", "migration", "higher_better",
        ("census_1980_2015_sex_age5", "census_2020_sex_age5", "national_series"), ("out_migration__net_by_sex_age",),
        """SELECT muni_code, sum(net_migrants) AS num, sum(start_persons) AS den FROM out_migration__net_by_sex_age
           WHERE period = '2015-2020' AND sex = 'total' GROUP BY 1""",
        scale=100.0, digits=2, note="国勢調査のコーホート残差法（5歳以上）",
    ),
    IndicatorDef(
        "women_labour_force_2020_pct", "女性の労働力率（15歳以上、2020年）", "%", "women_work", "higher_better",
        ("ssdse_a",), (_SSDSE,),
        _ssdse_ratio("'F110202', 'F110702'", "'F110202', 'F110702', 'F110802'", 2020),
        scale=100.0, digits=1, note="（就業者＋完全失業者）÷（就業者＋完全失業者＋非労働力人口）、労働力状態不詳を除く",
    ),
    IndicatorDef(
        "income_per_taxpayer_thousand_yen", "納税義務者1人当たり所得（2023年）", "千円", "economy", "higher_better",
        ("income_per_taxpayer",), ("core_income__income_per_taxpayer",),
        "SELECT muni_code, income_per_taxpayer_yen AS num, 1000.0 AS den FROM core_income__income_per_taxpayer",
        digits=0, aggregate="mean", note="総所得金額等÷所得割納税義務者数（令和6年度課税）",
    ),
    IndicatorDef(
        "doctors_per_1000_2020", "人口千人当たり医師数（2020年）", "人", "living", "higher_better",
        ("resas_municipal_2016", "census_2020_sex_age5"), ("core_resas__municipal_2016", _POP),
        f"""SELECT r.muni_code, r.doctors_persons AS num, p.persons AS den FROM core_resas__municipal_2016 r
            JOIN (SELECT muni_code, sum(persons) AS persons FROM {_POP} WHERE census_year = 2020 GROUP BY 1) p
            USING (muni_code)""",
        scale=1000.0, digits=2,
    ),
    IndicatorDef(
        "food_access_difficulty_pct", "食料品アクセス困難人口の割合（65歳以上、2020年）", "%", "living",
        "lower_better", ("food_access_2020",), ("core_food_access__difficulty_2020",),
        "SELECT muni_code, difficulty_persons AS num, pop65_persons AS den FROM core_food_access__difficulty_2020",
        scale=100.0, digits=1,
    ),
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class IndicatorValues:
    """One indicator over the 1,741 municipalities with its comparison values, 偏差値 and ranks."""

    ind: IndicatorDef
    codes: list[str]
    names: list[str]
    prefs: list[str]
    pref_names: list[str]
    peers: list[str]
    values: np.ndarray
    national: float | None
    prefecture: dict[str, float | None]
    peer_mean: dict[str, float | None]
    score_japan: np.ndarray
    score_pref: np.ndarray
    score_peer: np.ndarray
    rank_japan: np.ndarray
    rank_pref: np.ndarray
    rank_peer: np.ndarray
    index: dict[str, int]

    def row(self, code: str) -> dict[str, Any]:
        i = self.index[code]
        pref, peer = self.prefs[i], self.peers[i]
        sel_pref = [j for j, p in enumerate(self.prefs) if p == pref]
        sel_peer = [j for j, p in enumerate(self.peers) if p == peer]
        return {
            "muni_code": code,
            "value": _num(self.values[i], self.ind.digits),
            "national": _num(self.national, self.ind.digits),
            "prefecture": _num(self.prefecture.get(pref), self.ind.digits),
            "peer_group": peer,
            "peer_mean": _num(self.peer_mean.get(peer), self.ind.digits),
            "deviation_japan": _num(self.score_japan[i], 1),
            "deviation_prefecture": _num(self.score_pref[i], 1),
            "deviation_peer": _num(self.score_peer[i], 1),
            "rank_japan": _int(self.rank_japan[i]),
            "n_japan": int(np.count_nonzero(~np.isnan(self.values))),
            "rank_prefecture": _int(self.rank_pref[i]),
            "n_prefecture": int(np.count_nonzero(~np.isnan(self.values[sel_pref]))),
            "rank_peer": _int(self.rank_peer[i]),
            "n_peer": int(np.count_nonzero(~np.isnan(self.values[sel_peer]))),
        }

    def ranking(self, pref: str | None = None, peer: str | None = None) -> list[dict[str, Any]]:
        if pref is not None:
            sel, rank = [i for i, p in enumerate(self.prefs) if p == pref], self.rank_pref
        elif peer is not None:
            sel, rank = [i for i, p in enumerate(self.peers) if p == peer], self.rank_peer
        else:
            sel, rank = list(range(len(self.codes))), self.rank_japan
        sel = [i for i in sel if not np.isnan(self.values[i])]
        sel.sort(key=lambda i: (rank[i], self.codes[i]))
        return [
            {
                "rank": _int(rank[i]),
                "muni_code": self.codes[i],
                "name": self.names[i],
                "pref_name": self.pref_names[i],
                "peer_group": self.peers[i],
                "value": _num(self.values[i], self.ind.digits),
                "deviation_japan": _num(self.score_japan[i], 1),
            }
            for i in sel
        ]

    def value_map(self) -> dict[str, float | None]:
        return {c: _num(v, self.ind.digits) for c, v in zip(self.codes, self.values, strict=True)}


def _num(v: Any, digits: int) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else round(f, digits)


def _int(v: Any) -> int | None:
    return None if v is None or math.isnan(float(v)) else int(v)


def _compute_indicator(wh: Warehouse, ind: IndicatorDef) -> IndicatorValues:
    from sousei.domain.scores import deviation_scores, oriented, ranks

    munis = wh.municipalities()
    codes = [m["muni_code"] for m in munis]
    data = {r["muni_code"]: r for r in wh.rows(ind.sql)}
    num = np.array([_float(data.get(c, {}).get("num")) for c in codes])
    den = np.array([_float(data.get(c, {}).get("den")) for c in codes])
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(den > 0, num / den * ind.scale, np.nan)
    prefs = [m["pref_code"] for m in munis]
    peers = [m["peer_group"] for m in munis]

    def aggregate(sel: np.ndarray) -> float | None:
        ok = sel & ~np.isnan(values)
        if not ok.any():
            return None
        if ind.aggregate == "sum":
            return float(num[ok].sum())
        if ind.aggregate == "mean":
            return float(values[ok].mean())
        return float(num[ok].sum() / den[ok].sum() * ind.scale)

    pref_arr, peer_arr = np.array(prefs), np.array(peers)
    national = aggregate(np.ones(len(codes), dtype=bool))
    prefecture = {p: aggregate(pref_arr == p) for p in sorted(set(prefs))}
    if ind.national_sql:
        found = wh.cursor().execute(ind.national_sql).fetchone()
        national = None if found is None or found[0] is None else float(found[0])
    if ind.pref_sql:
        prefecture = {r["pref_code"]: _float(r["value"]) for r in wh.rows(ind.pref_sql)}
    peer_mean = {}
    for p in sorted(set(peers)):
        sel = (peer_arr == p) & ~np.isnan(values)
        peer_mean[p] = float(values[sel].mean()) if sel.any() else None
    direction: Any = ind.direction
    return IndicatorValues(
        ind=ind,
        codes=codes,
        names=[m["name"] for m in munis],
        prefs=prefs,
        pref_names=[m["pref_name"] for m in munis],
        peers=peers,
        values=values,
        national=national,
        prefecture=prefecture,
        peer_mean=peer_mean,
        score_japan=oriented(deviation_scores(values), direction),
        score_pref=oriented(deviation_scores(values, pref_arr), direction),
        score_peer=oriented(deviation_scores(values, peer_arr), direction),
        rank_japan=ranks(values, direction),
        rank_pref=ranks(values, direction, pref_arr),
        rank_peer=ranks(values, direction, peer_arr),
        index={c: i for i, c in enumerate(codes)},
    )


def _float(v: Any) -> float:
    return math.nan if v is None else float(v)
