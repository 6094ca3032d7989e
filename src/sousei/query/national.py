"""Reads of Japan's national series (core_national__*, the IPSS 2023 prefectures' total): the /japan charts. Each
returns rows {year, value column} in year order, or None where the table is not in this warehouse."""

from __future__ import annotations

from typing import Any

from sousei.query.connection import WarehouseConnection

Rows = list[dict[str, Any]]
# 年齢3区分 by the SQL condition on age_start that selects each.
AGE_GROUPS = {"0-14": "age_start < 15", "15-64": "age_start BETWEEN 15 AND 64", "65+": "age_start >= 65"}


class NationalReads(WarehouseConnection):
    """Census 1920–2020, the IPSS 2017 national projection, vital rates and the Tokyo area's net migration."""

    def _national(self, table: str, sql: str, params: list[Any] | None = None) -> Rows | None:
        return self.rows(sql, params) if self.has(table) else None

    def national_census_totals(self) -> Rows | None:
        """{year, persons}: Japan's census population 1920–2020."""
        return self._national(
            "core_national__census_population_total",
            "SELECT census_year AS year, persons FROM core_national__census_population_total "
            "WHERE area_code = '00000' ORDER BY 1",
        )

    def ipss2017_national_totals(self, fertility: str) -> Rows | None:
        """{year, persons}: the IPSS 2017 national projection, fertility variant 'medium' | 'high' | 'low' with
        medium mortality."""
        return self._national(
            "core_national__ipss2017_projection_total",
            "SELECT year, total_persons AS persons FROM core_national__ipss2017_projection_total "
            "WHERE fertility_variant = ? AND mortality_variant = 'medium' ORDER BY 1",
            [fertility],
        )

    def ipss2023_national_totals(self) -> Rows | None:
        """{year, persons}: the IPSS 2023 regional projection's 47 prefectures added up (= the national medium
        variant of 2023, a CATALOG check)."""
        return self._national(
            "core_ipss2023__population",
            "SELECT year, sum(total_persons) AS persons FROM core_ipss2023__population "
            "WHERE area_level = 'prefecture' GROUP BY year ORDER BY year",
        )

    def national_age_groups(self) -> dict[str, Rows]:
        """{year, persons} per age group ('0-14', '15-64', '65+'): the census 1920–2020 (age 不詳 left out), then
        the IPSS 2017 projection (medium) every five years after 2020."""
        out: dict[str, Rows] = {}
        for group, condition in AGE_GROUPS.items():
            rows: Rows = []
            if self.has("core_national__census_population_by_age_sex"):
                rows += self.rows(
                    "SELECT census_year AS year, sum(persons) AS persons "
                    f"FROM core_national__census_population_by_age_sex WHERE {condition} GROUP BY 1 ORDER BY 1"
                )
            if self.has("core_national__ipss2017_projection_by_age_sex"):
                rows += self.rows(
                    "SELECT year, sum(persons) AS persons FROM core_national__ipss2017_projection_by_age_sex "
                    f"WHERE {condition} AND year > 2020 AND year % 5 = 0 GROUP BY 1 ORDER BY 1"
                )
            out[group] = rows
        return out

    def national_tfr(self) -> Rows | None:
        """{year, tfr}: Japan's total fertility rate."""
        return self._national(
            "core_national__vital_rates",
            "SELECT year, tfr FROM core_national__vital_rates WHERE tfr IS NOT NULL ORDER BY 1",
        )

    def national_birth_rate(self) -> Rows | None:
        """{year, cbr_per_1000}: Japan's crude birth rate per 1,000."""
        return self._national(
            "core_national__vital_rates",
            "SELECT year, cbr_per_1000 FROM core_national__vital_rates WHERE cbr_per_1000 IS NOT NULL ORDER BY 1",
        )

    def tokyo_area_net_migration(self) -> Rows | None:
        """{year, persons}: net in-migration of Japanese nationals to the Tokyo area (埼玉・千葉・東京・神奈川)."""
        return self._national(
            "core_national__tokyo_area_net_migration",
            "SELECT year, net_migration_persons AS persons FROM core_national__tokyo_area_net_migration ORDER BY 1",
        )
