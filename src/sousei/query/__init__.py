"""The only read path for the web app and reports: a read-only DuckDB connection and the queries they share.

Indicators come from the warehouse's indicator tables, one definition: names, units, direction and sources from
`out_indicators__registry`, values and comparisons (national, prefecture, peer group, 偏差値, ranks, change) from
`out_indicators__comparisons` in each indicator's latest data year. Everything a page needs per municipality is read
once per process with one query over the whole table (`Warehouse.bulk`), grouped by muni_code in memory, so that a
request does no table scan.

The reads are split by job (connection, areas, indicators, diagnosis, projections, population, the charts'
series, national series) into mixins that
`Warehouse` combines, so that every caller keeps one object and one name per read.
"""

from sousei.domain.indicators.model import DIRECTION_JA
from sousei.query.areas import MUNI_CODE
from sousei.query.connection import SourceNote, WarehouseMissing, built_at
from sousei.query.indicator import AGGREGATE_JA, NATIONAL_LABEL, IndicatorValues, display_digits
from sousei.query.indicators import COMPARISONS, REGISTRY
from sousei.query.projections import HAMADORI_CODE, IMPACT_YEAR
from sousei.query.warehouse import Warehouse

__all__ = [
    "AGGREGATE_JA",
    "COMPARISONS",
    "DIRECTION_JA",
    "HAMADORI_CODE",
    "IMPACT_YEAR",
    "MUNI_CODE",
    "NATIONAL_LABEL",
    "REGISTRY",
    "IndicatorValues",
    "SourceNote",
    "Warehouse",
    "WarehouseMissing",
    "built_at",
    "display_digits",
]
