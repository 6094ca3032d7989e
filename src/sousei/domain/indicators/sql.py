"""SQL building blocks shared by the family modules (pure strings; the queries run on the warehouse tables)."""

from __future__ import annotations

import re

SSDSE = "core_ssdse__values"
AREAS = "core_areas__municipalities"

# The census year whose population is the denominator of a per-capita figure of data year `year`: the latest
# census at or before it (2015 for 2014–2019, 2020 from 2020), so that rates of one year share one population.
CENSUS_YEAR_OF = "CASE WHEN {y} >= 2020 THEN 2020 ELSE 2015 END"


def item(code: str, alias: str = "value") -> str:
    """One SSDSE-A item per municipality and data year: (muni_code, year, <alias>)."""
    return f"(SELECT muni_code, data_year AS year, value AS {alias} FROM {SSDSE} WHERE item_code = '{code}')"


def ratio(num: str, den: str, *, years: tuple[int, ...] | None = None) -> str:
    """numerator = item `num`, denominator = item `den`, same municipality and data year."""
    where = f" WHERE n.year IN ({', '.join(map(str, years))})" if years else ""
    return (
        f"SELECT n.muni_code, n.year, n.value AS numerator, d.value AS denominator "
        f"FROM {item(num)} n JOIN {item(den)} d USING (muni_code, year){where}"
    )


def per_population(num: str, *, pop_item: str = "A1101", years: tuple[int, ...] | None = None) -> str:
    """numerator = item `num` of its data year, denominator = census population (item `pop_item`) of the latest
    census at or before that year."""
    where = f" WHERE n.year IN ({', '.join(map(str, years))})" if years else ""
    return (
        f"SELECT n.muni_code, n.year, n.value AS numerator, p.value AS denominator "
        f"FROM {item(num)} n JOIN {item(pop_item)} p "
        f"ON p.muni_code = n.muni_code AND p.year = {CENSUS_YEAR_OF.format(y='n.year')}{where}"
    )


def items_frame(items: dict[str, str]) -> str:
    """SELECT muni_code, year and one column per alias of several SSDSE items of the same data year
    (`items` maps an alias to an item code, e.g. {"e": "F110202", "u": "F110702"})."""
    aliases = list(items)
    first = aliases[0]
    joins = " ".join(f"JOIN {item(items[a], a)} {a}_t USING (muni_code, year)" for a in aliases[1:])
    cols = ", ".join(f"{a}_t.{a}" for a in aliases)
    return f"SELECT muni_code, year, {cols} FROM {item(items[first], first)} {first}_t {joins}"


def expr(items: dict[str, str], numerator: str, denominator: str, *, years: tuple[int, ...] | None = None) -> str:
    """numerator and denominator as SQL expressions over the aliases of `items_frame(items)`
    (e.g. numerator "e", denominator "e + u")."""
    where = f" WHERE year IN ({', '.join(map(str, years))})" if years else ""
    return (
        f"SELECT muni_code, year, ({numerator}) AS numerator, ({denominator}) AS denominator "
        f"FROM ({items_frame(items)}){where}"
    )


def aggregated(items: dict[str, str], value: str) -> tuple[str, str]:
    """(national_query, prefecture_query) computing `value` (SQL over sums of the aliases, e.g.
    "sum(e) / sum(e + u)") over the municipalities of Japan and of each prefecture."""
    frame = items_frame(items)
    return (
        f"SELECT year, {value} AS value FROM ({frame}) GROUP BY year",
        f"SELECT left(muni_code, 2) AS pref_code, year, {value} AS value FROM ({frame}) GROUP BY ALL",
    )


_TABLE = re.compile(r"\b((?:raw|core|out)_[a-z0-9_]+?__[a-z0-9_]+)\b")


def tables_read(sql: str) -> set[str]:
    """The warehouse tables a query names (layer_source__name)."""
    return set(_TABLE.findall(sql))
