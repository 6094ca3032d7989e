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
class Field(Column):
    """One shared column as every table has it unless it says otherwise (NOT NULL unless `nullable`), with its
    Japanese name.

    `other_types` lists the types some tables use instead of `type`, each with where and why (a phrase that reads
    after the type: "DOUBLE where …"); kept so that no warehouse column's type changed when the dictionary came.
    """

    nullable: bool = False
    name_ja: str = ""
    other_types: tuple[tuple[str, str], ...] = ()

    @property
    def types(self) -> tuple[str, ...]:
        return (self.type, *(t for t, _ in self.other_types))


_FIELDS = (
    # Areas
    Field(
        "muni_code",
        "VARCHAR",
        'Municipality of 2020: the 5-character 全国地方公共団体コード without check digit ("01100"), a string, '
        "never an int; figures of earlier boundaries are recoded or allocated to it",
        name_ja="市区町村コード",
    ),
    Field(
        "pref_code",
        "VARCHAR",
        '2-character prefecture code ("01" 北海道 … "47" 沖縄県); NULL on a row for Japan',
        name_ja="都道府県コード",
    ),
    Field("pref_name", "VARCHAR", "Prefecture name (北海道, 東京都, …)", name_ja="都道府県名"),
    Field(
        "area_code",
        "VARCHAR",
        "5-character area code: 00000 Japan, PP000 a prefecture, else a municipality or a designated-city ward",
        name_ja="地域コード",
    ),
    Field(
        "code6",
        "VARCHAR",
        '6-digit 団体コード with its check digit ("011002"); NULL for Japan',
        nullable=True,
        name_ja="団体コード（検査数字付き）",
    ),
    Field(
        "parent_code",
        "VARCHAR",
        "Area this one adds up into: Japan for a prefecture, the prefecture for a municipality, the designated "
        "city for a ward; NULL for Japan",
        nullable=True,
        name_ja="上位の地域コード",
    ),
    Field("name", "VARCHAR", "Name of the area as the source writes it", name_ja="名称"),
    # Time (和暦 becomes 西暦 at parse time)
    Field("census_year", "INTEGER", "Census round (population on 1 October of that year)", name_ja="国勢調査年"),
    Field("year", "INTEGER", "Calendar year (西暦)", name_ja="年"),
    Field("fiscal_year", "INTEGER", "Fiscal year (年度, April to March) in 西暦: 2020 = 令和2年度", name_ja="年度"),
    Field("ref_date", "DATE", "Date the figures refer to", name_ja="基準日"),
    # Sex and age
    Field("sex", "VARCHAR", "'male' or 'female', and 'total' (both sexes) where the table holds it", name_ja="男女"),
    Field(
        "age_group",
        "VARCHAR",
        "Age group label: 5-year groups '0-4', '5-9', … up to an open top group ('85+', '90+', '100+'; "
        "age_start gives the top), 'unknown' for 年齢不詳 where kept",
        name_ja="年齢階級",
    ),
    Field(
        "age_start",
        "INTEGER",
        "First year of age of the group (the open top group's too); NULL only for 'unknown' (年齢不詳)",
        min=0,
        name_ja="年齢階級の下限",
    ),
    # Counts
    Field(
        "persons",
        "BIGINT",
        "Number of persons",
        min=0,
        other_types=(
            ("DOUBLE", "where figures are allocated to 2020 boundaries or projected (not whole numbers)"),
            ("INTEGER", "in the census tables (declared so before this dictionary; the same whole numbers)"),
        ),
        name_ja="人数",
    ),
    Field("total_persons", "BIGINT", "Total population (persons)", min=0, name_ja="総人口"),
    # Rates and references
    Field(
        "tfr",
        "DOUBLE",
        "Total fertility rate (合計特殊出生率): sum of age-specific fertility rates, children per woman",
        nullable=True,
        min=0,
        name_ja="合計特殊出生率",
    ),
    Field(
        "life_table_year",
        "INTEGER",
        "Year that labels the national life table (第1回 1891–98 = 1895, …, 第23回 = 2020; core_national__life_table)",
        name_ja="生命表の年",
    ),
    Field("indicator_id", "VARCHAR", "Indicator id (out_indicators__registry)", name_ja="指標ID"),
)
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
