"""Reads of the areas: the 1,741 municipalities, the prefectures, peer groups, name search and the boundaries."""

from __future__ import annotations

import json
import re
from typing import Any

from sousei.kana import to_hiragana
from sousei.query.connection import WarehouseConnection

MUNI_CODE = re.compile(r"^\d{5}$")


class AreaReads(WarehouseConnection):
    """Municipalities and prefectures (read once per process) and the municipal boundaries' GeoJSON."""

    def _load_areas(self) -> None:
        self._munis = self.rows("SELECT * FROM core_areas__municipalities ORDER BY muni_code")
        self._muni_index = {m["muni_code"]: m for m in self._munis}
        self._prefs = self.rows(
            "SELECT area_code, pref_code, name FROM core_areas__areas WHERE level = 'prefecture' ORDER BY area_code"
        )
        self._peer_groups = sorted({m["peer_group"] for m in self._munis if m["peer_group"]})
        self._search_rows = [
            (m["muni_code"], m["name"], m["name_kana"] or "", m["pref_name"], m["kind"]) for m in self._munis
        ]

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
