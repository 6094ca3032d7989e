"""The population analyst: a 人口ビジョン 現状分析 in Japanese for any municipality (facts → narrative → HTML → PDF).

`facts` reads every figure through `sousei.query.Warehouse` into a `FactBook` (value, unit, the string as printed,
table, source, year, comparison); `narrative` writes the sections from the FactBook only; `polish` optionally asks a
language model for better prose and keeps it only when `verify` finds nothing new or lost; `svg` draws the
dashboard's own chart definitions (`sousei.web.charts`) as inline vector graphics; `render` makes the self-contained
HTML; `pdf` prints it with Debian's Chromium; `batch` writes many reports on both cores.
"""

ANALYST_VERSION = "1"  # bump when the wording or layout changes: batch resume redoes every report then
