"""The field dictionary: columns that many tables share (muni_code, sex, persons, …) defined once.

As pudl's `FIELD_METADATA`: a table declares such a column with `field("muni_code")` and overrides only what truly
differs for it (a description that says more about that table's values, its bounds, whether it may be NULL). A
column whose name is here must be declared through `field()`, never re-typed by hand (tests/pipeline/test_fields.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sousei.pipeline.schema import Column


@dataclass(frozen=True)
class Field:
    """One shared column: its name, Japanese name, DuckDB type, meaning, and the bounds that hold in every table.

    `other_types` lists the types some tables use instead of `type`, each with where and why (a phrase that reads
    after the type: "DOUBLE where …"); kept so that no warehouse column's type changed when the dictionary came.
    """

    name: str
    name_ja: str
    type: str
    description: str
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    other_types: tuple[tuple[str, str], ...] = ()

    @property
    def types(self) -> tuple[str, ...]:
        return (self.type, *(t for t, _ in self.other_types))


_FIELDS = (
    # Areas
    Field("muni_code", "市区町村コード", "VARCHAR",
          'Municipality of 2020: the 5-character 全国地方公共団体コード without check digit ("01100"), a string, '
          "never an int; figures of earlier boundaries are recoded or allocated to it"),
    Field("pref_code", "都道府県コード", "VARCHAR",
          '2-character prefecture code ("01" 北海道 … "47" 沖縄県); NULL on a row for Japan'),
    Field("pref_name", "都道府県名", "VARCHAR", "Prefecture name (北海道, 東京都, …)"),
    Field("area_code", "地域コード", "VARCHAR",
          "5-character area code: 00000 Japan, PP000 a prefecture, else a municipality or a designated-city ward"),
    Field("code6", "団体コード（検査数字付き）", "VARCHAR",
          '6-digit 団体コード with its check digit ("011002"); NULL for Japan', nullable=True),
    Field("parent_code", "上位の地域コード", "VARCHAR",
          "Area this one adds up into: Japan for a prefecture, the prefecture for a municipality, the designated "
          "city for a ward; NULL for Japan", nullable=True),
    Field("name", "名称", "VARCHAR", "Name of the area as the source writes it"),
    # Time (和暦 becomes 西暦 at parse time)
    Field("census_year", "国勢調査年", "INTEGER", "Census round (population on 1 October of that year)"),
    Field("year", "年", "INTEGER", "Calendar year (西暦)"),
    Field("fiscal_year", "年度", "INTEGER", "Fiscal year (年度, April to March) in 西暦: 2020 = 令和2年度"),
    Field("ref_date", "基準日", "DATE", "Date the figures refer to"),
    # Sex and age
    Field("sex", "男女", "VARCHAR", "'male' or 'female', and 'total' (both sexes) where the table holds it"),
    Field("age_group", "年齢階級", "VARCHAR",
          "Age group label: 5-year groups '0-4', '5-9', … up to an open top group ('85+', '90+', '100+'; "
          "age_start gives the top), 'unknown' for 年齢不詳 where kept"),
    Field("age_start", "年齢階級の下限", "INTEGER",
          "First year of age of the group (the open top group's too); NULL only for 'unknown' (年齢不詳)", min=0),
    # Counts
    Field("persons", "人数", "BIGINT", "Number of persons", min=0,
          other_types=(
              ("DOUBLE", "where figures are allocated to 2020 boundaries or projected (not whole numbers)"),
              ("INTEGER", "in the census tables (declared so before this dictionary; the same whole numbers)"),
          )),  # fmt: skip
    Field("total_persons", "総人口", "BIGINT", "Total population (persons)", min=0),
    # Rates and references
    Field("tfr", "合計特殊出生率", "DOUBLE",
          "Total fertility rate (合計特殊出生率): sum of age-specific fertility rates, children per woman",
          nullable=True, min=0),
    Field("life_table_year", "生命表の年", "INTEGER",
          "Year that labels the national life table (第1回 1891–98 = 1895, …, 第23回 = 2020; "
          "core_national__life_table)"),
    Field("indicator_id", "指標ID", "VARCHAR", "Indicator id (out_indicators__registry)"),
)  # fmt: skip
"""Each shared field, by name. Defaults are NOT NULL: a table says where a shared column may be NULL."""
FIELDS: dict[str, Field] = {f.name: f for f in _FIELDS}


def field(name: str, description: str | None = None, **overrides: Any) -> Column:
    """The column `name` of the dictionary, with what differs in this table (`type`, `nullable`, `min`, `max`).

    A description given here replaces the dictionary's for this table only; it must say something the dictionary
    does not (an identical one is refused, so that duplicates cannot creep back).
    """
    base = FIELDS[name]
    if description == base.description:
        raise ValueError(f"{name}: the description repeats the dictionary's; leave it out")
    column = Column(name, base.type, description or base.description, base.nullable, base.min, base.max)
    column = dataclasses.replace(column, **overrides)
    if column.type not in base.types:
        raise ValueError(f"{name}: type {column.type} is not one of the dictionary's {base.types}")
    return column
