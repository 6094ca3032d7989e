"""Reads of the series the dashboard's municipal charts draw, each a named method over one table (None where the table
is not in this warehouse, so that a chart can say so). Each is read once per process for all municipalities
(`bulk`) and grouped by code in memory; the numbers are the warehouse's (out_dashboard__* holds those the charts
used to compute)."""

from __future__ import annotations

from typing import Any

from sousei.query.connection import WarehouseConnection

Rows = list[tuple[Any, ...]]
JAPAN = "00000"


class SeriesReads(WarehouseConnection):
    """Census, projections, births, TFR, marriage, migration, labour force and industry series by municipality."""

    def _grouped(self, table: str, key: str, sql: str, code: str) -> Rows | None:
        return self.bulk(key, sql).get(code, []) if self.has(table) else None

    # -- population ----------------------------------------------------------------------------------------

    def census_population_totals(self, code: str) -> Rows | None:
        """(census year, persons) 1980–2020, rounded to whole persons (年齢不詳は按分済み)."""
        return self._grouped(
            "core_census__population_by_sex_age",
            "census_totals",
            "SELECT muni_code, census_year, round(sum(persons)) FROM core_census__population_by_sex_age "
            "GROUP BY ALL ORDER BY 1, 2",
            code,
        )

    def ipss2023_totals(self, code: str) -> Rows | None:
        """(year, persons) of the IPSS 2023 regional projection's published totals."""
        return self._grouped(
            "core_ipss2023__population",
            "ipss2023_totals",
            "SELECT area_code, year, total_persons FROM core_ipss2023__population ORDER BY 1, 2",
            code,
        )

    def ipss2018_totals(self, code: str) -> Rows | None:
        """(year, persons) of the IPSS 2018 regional projection."""
        return self._grouped(
            "core_ipss2018__population",
            "ipss2018_totals",
            "SELECT area_code, year, sum(persons) FROM core_ipss2018__population GROUP BY ALL ORDER BY 1, 2",
            code,
        )

    def census_pyramid(self, code: str) -> Rows | None:
        """(census year, sex, age group, persons rounded) for 1980 and 2020, by sex and age."""
        return self._grouped(
            "core_census__population_by_sex_age",
            "pyramid_census",
            "SELECT muni_code, census_year, sex, age_group, round(persons) FROM core_census__population_by_sex_age "
            "WHERE census_year IN (1980, 2020) ORDER BY muni_code, census_year, sex, age_start",
            code,
        )

    def projected_pyramid_2050(self, code: str) -> Rows | None:
        """(sex, age group, persons rounded) of パターン1 in 2050 for a municipality projected on its own."""
        return self._grouped(
            "out_projection__population",
            "pyramid_2050",
            "SELECT muni_code, sex, age_group, round(persons) FROM out_projection__population "
            "WHERE scenario = 'pattern1' AND year = 2050 ORDER BY muni_code, sex, age_start",
            code,
        )

    # -- births and marriage -------------------------------------------------------------------------------

    def births_index(self, area: str) -> Rows | None:
        """(year, births index with the first year = 100) of a municipality or Japan ('00000'); empty where the
        first year had no births (out_dashboard__births_index)."""
        return self._grouped(
            "out_dashboard__births_index",
            "births_index",
            "SELECT area_code, year, births_index FROM out_dashboard__births_index WHERE births_index IS NOT NULL "
            "ORDER BY 1, 2",
            area,
        )

    def tfr_estimates(self, code: str) -> dict[str, float] | None:
        """The municipality's TFR estimate per period (core_tfr__tfr)."""
        rows = self._grouped(
            "core_tfr__tfr", "tfr", "SELECT muni_code, period, tfr FROM core_tfr__tfr ORDER BY 1, 2", code
        )
        return None if rows is None else {p: v for p, v in rows}

    def tfr_means(self) -> dict[str, dict[tuple[str, Any], float]]:
        """Simple means of the municipal TFR estimates per period and (area level, key): 'prefecture' (pref code),
        'peer_group' (its name) or 'japan' ('00000') (out_dashboard__tfr_means)."""
        if not self.has("out_dashboard__tfr_means"):
            return {}

        def make() -> dict[str, dict[tuple[str, Any], float]]:
            out: dict[str, dict[tuple[str, Any], float]] = {}
            for r in self.rows("SELECT period, area_level, area_key, mean_tfr FROM out_dashboard__tfr_means"):
                out.setdefault(r["period"], {})[(r["area_level"], r["area_key"])] = r["mean_tfr"]
            return out

        return self.memo("tfr_means", make)

    def unmarried_rates(self, area: str) -> Rows | None:
        """(sex, age group, unmarried %) of census 2025 for a municipality, a prefecture ('13000') or Japan."""
        return self._grouped(
            "core_census2025__unmarried_rate",
            "unmarried",
            "SELECT area_code, sex, age_group, unmarried_pct FROM core_census2025__unmarried_rate "
            "ORDER BY area_code, sex, age_start",
            area,
        )

    # -- migration -----------------------------------------------------------------------------------------

    def net_migration_rates(self, code: str, period: str) -> Rows | None:
        """(sex, age group, net migrants, net migration rate in % of the cohort five years earlier) of one period,
        male and female (out_migration__net_by_sex_age; the rate is NULL where the cohort was 0)."""
        rows = self._grouped(
            "out_migration__net_by_sex_age",
            "net_migration_rates",
            "SELECT muni_code, period, sex, age_group, net_migrants, rate * 100 FROM out_migration__net_by_sex_age "
            "WHERE sex IN ('male', 'female') ORDER BY muni_code, period, sex, age_start",
            code,
        )
        return None if rows is None else [r[1:] for r in rows if r[0] == period]

    def youth_net_migration(self, code: str) -> Rows | None:
        """(period, sex, net migrants aged 15–34 at the end of the period), male and female."""
        return self._grouped(
            "out_migration__net_by_sex_age",
            "youth_migration",
            "SELECT muni_code, period, sex, sum(net_migrants) FROM out_migration__net_by_sex_age "
            "WHERE sex IN ('male', 'female') AND age_start BETWEEN 15 AND 34 GROUP BY ALL ORDER BY 1, 2, 3",
            code,
        )

    def movers(self, code: str) -> Rows | None:
        """(item code, year, persons): in-movers A5101 and out-movers A5102 (住民基本台帳人口移動報告, SSDSE-A)."""
        return self._grouped(
            "core_ssdse__values",
            "moves",
            "SELECT muni_code, item_code, data_year, value FROM core_ssdse__values "
            "WHERE item_code IN ('A5101', 'A5102') ORDER BY 1, 2, 3",
            code,
        )

    # -- work and industry ---------------------------------------------------------------------------------

    def labour_force_rates(self, code: str) -> dict[tuple[int, str], float | None] | None:
        """Labour-force rate (%) by (census year, sex) (out_dashboard__labour_force_by_sex; women's = the registry's
        women_labour_force_rate_pct)."""
        rows = self._grouped(
            "out_dashboard__labour_force_by_sex",
            "labour_force",
            "SELECT muni_code, year, sex, labour_force_rate_pct FROM out_dashboard__labour_force_by_sex ORDER BY 1",
            code,
        )
        return None if rows is None else {(y, s): v for y, s, v in rows}

    def industry_employment_shares(self, code: str, year: int) -> Rows | None:
        """(industry, share of private employees %) of one 経済センサス year, smallest share first."""
        rows = self._grouped(
            "out_dashboard__industry_employment_share",
            "industry_shares",
            "SELECT muni_code, year, industry, share_pct FROM out_dashboard__industry_employment_share "
            "WHERE share_pct IS NOT NULL ORDER BY muni_code, year, share_pct, industry_code",
            code,
        )
        return None if rows is None else [r[1:] for r in rows if r[0] == year]

    def specialization(self, code: str, limit: int = 10) -> Rows | None:
        """(industry, specialization coefficient of employees) of the `limit` most specialised industries (RESAS)."""
        rows = self._grouped(
            "core_resas__specialization",
            "specialization",
            "SELECT muni_code, industry, coefficient FROM core_resas__specialization WHERE measure = 'employees' "
            "ORDER BY muni_code, coefficient DESC",
            code,
        )
        return None if rows is None else rows[:limit]
