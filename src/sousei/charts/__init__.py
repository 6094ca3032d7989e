"""Every chart of a municipality's tabs, defined once: the dashboard (`sousei.web`) draws it with Plotly, the
analyst's report (`sousei.analyst`) draws it as SVG, and the CSV download writes exactly its data. The package sits
below both, over `sousei.query` (one module per tab, registered in tab order; the registry and shared constants in
registry.py; the /japan charts in national.py, the spec itself in spec.py).

A chart is a declarative spec (kind, titles, series, sources, note) over data it is handed by named reads of
`sousei.query` (each read once per process over the whole table and grouped by code in memory, so drawing a chart
scans nothing). The numbers are the warehouse's: the indicator registry's comparisons, and out_dashboard__* for the
series no other table holds (births index, TFR means, labour-force rate by sex, industry shares); a chart only picks,
orders and rounds them for display.
"""

from sousei.charts import births, industry, living, migration, overview, projection, women  # noqa: F401
from sousei.charts.national import NATIONAL_CHARTS
from sousei.charts.overview import key_scores
from sousei.charts.registry import (
    CHART_TAB,
    KEY_INDICATORS,
    MUNICIPAL_CHARTS,
    SCENARIO_NAMES,
    SEX_COLOR,
    TAB_FAMILY,
    TABS,
    charts_for_tab,
)
from sousei.charts.spec import Chart, Series

# The modules register on import, in the order the imports run; the charts are listed tab by tab in the order of
# TABS (a stable sort keeps each tab's own order), as when they were one module.
_listed = sorted(MUNICIPAL_CHARTS.items(), key=lambda item: list(TABS).index(CHART_TAB[item[0]]))
MUNICIPAL_CHARTS.clear()
MUNICIPAL_CHARTS.update(_listed)

__all__ = [
    "CHART_TAB",
    "KEY_INDICATORS",
    "MUNICIPAL_CHARTS",
    "NATIONAL_CHARTS",
    "SCENARIO_NAMES",
    "SEX_COLOR",
    "TAB_FAMILY",
    "TABS",
    "Chart",
    "Series",
    "charts_for_tab",
    "key_scores",
]
