"""Reads of the diagnosis tables: priority issues, the births gap's walls and the leading industries."""

from __future__ import annotations

from typing import Any

from sousei.domain.diagnosis import ISSUE_COLUMNS
from sousei.domain.indicators.model import FAMILY_NAMES_JA
from sousei.query.indicators import IndicatorReads


class DiagnosisReads(IndicatorReads):
    """out_diagnosis__priority_issues, out_walls__decomposition/environment and out_indicators__leading_industries."""

    def priority_issues(self, code: str) -> list[dict[str, Any]]:
        """The municipality's priority issues (out_diagnosis__priority_issues) with the indicator's name."""
        if not self.has("out_diagnosis__priority_issues"):
            return []
        # The table's own columns (domain.diagnosis.ISSUE_COLUMNS) but the code, the row key here, and the sources.
        cols = tuple(c for c in ISSUE_COLUMNS if c not in ("muni_code", "sources"))
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
            d["family_ja"] = FAMILY_NAMES_JA.get(d["family"], d["family"])
            out.append(d)
        return out

    def all_priority_issues(self) -> list[tuple[str, int, str, str]]:
        """(muni_code, rank, indicator_id, family) of every municipality's priority issues, by code and rank (the
        desk's catalog recommends cases for all municipalities at once); empty where the table is not loaded."""
        if not self.has("out_diagnosis__priority_issues"):
            return []
        return (
            self.cursor()
            .execute(
                "SELECT muni_code, rank, indicator_id, family FROM out_diagnosis__priority_issues "
                "ORDER BY muni_code, rank"
            )
            .fetchall()
        )

    def walls(self, code: str) -> dict[str, Any] | None:
        """The births gap split into the marriage and marital-fertility factors, and the environment indicators."""
        if not self.has("out_walls__decomposition"):
            return None
        cols = (
            "births_per_year",
            "women_25_39",
            "married_share",
            "fertility_per_1000",
            "marital_fertility_per_1000",
            "births_gap",
            "marriage_factor",
            "marital_fertility_factor",
            "is_marriage_wall",
            "is_second_child_wall",
        )
        found = self.bulk("walls", f"SELECT muni_code, {', '.join(cols)} FROM out_walls__decomposition").get(code)
        if not found:
            return None
        out: dict[str, Any] = dict(zip(cols, found[0], strict=True))
        env_cols = ("indicator_id", "name_ja", "year", "value", "deviation_score", "correlation_with_gap")
        env_rows = (
            self.bulk(
                "walls_env",
                f"SELECT muni_code, {', '.join(env_cols)} FROM out_walls__environment ORDER BY muni_code, indicator_id",
            ).get(code, [])
            if self.has("out_walls__environment")
            else []
        )
        out["environment"] = [self._with_display(dict(zip(env_cols, r, strict=True)), code) for r in env_rows]
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
