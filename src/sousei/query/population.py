"""Reads of population statistics over time: census age groups, 住民基本台帳 dynamics and net migration."""

from __future__ import annotations

from typing import Any

from sousei.query.connection import WarehouseConnection


class PopulationReads(WarehouseConnection):
    """Census 1980–2020, core_juki__population_dynamics and out_migration__net_by_sex_age."""

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
