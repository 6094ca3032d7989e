"""Japan's reference data, defined once: prefectures, 和暦 years, the municipal code's check digit, the 北方領土
villages and the spellings of municipal names that differ between lists (name_variants.toml, with a reason per row).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib.resources import files
from typing import NamedTuple

# The 47 prefectures in the order of their codes (01 北海道 … 47 沖縄県), as every statistical list names them.
PREFECTURES = tuple(
    (
        "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 "
        "富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 "
        "鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 "
        "鹿児島県 沖縄県"
    ).split()
)
PREF_CODE = {name: f"{i:02d}" for i, name in enumerate(PREFECTURES, start=1)}

# 和暦: year n of an era is (the year before its first year) + n. 平成 began 1989-01-08, 令和 2019-05-01, so 2019 is
# both 平成31年 and 令和元年; by year only, both give 2019. The bundle's files use these two eras (letters in file
# names such as H23.xls, R3.xlsx).
ERA_YEAR_ZERO = {"平成": 1988, "令和": 2018}
ERA_LETTERS = {"H": "平成", "R": "令和"}


def era_year(era: str, year: str | int) -> int:
    """西暦 of year `year` of `era` ("平成", "令和" or the letters H, R); "元" (first year) is 1.

    era_year("令和", "元") == era_year("平成", 31) == 2019.
    """
    name = ERA_LETTERS.get(era, era)
    if name not in ERA_YEAR_ZERO:
        raise ValueError(f"unknown era {era!r}")
    n = 1 if year == "元" else int(year)
    if n < 1:
        raise ValueError(f"{era}{year}年 is not a year")
    return ERA_YEAR_ZERO[name] + n


# The municipal code's check digit (CATALOG.yaml header): (11 - sum(d_i * w_i) mod 11) mod 10, weights 6,5,4,3,2.
CHECK_DIGIT_WEIGHTS = (6, 5, 4, 3, 2)
_CODE5 = re.compile(r"[0-9]{5}")
_CODE6 = re.compile(r"[0-9]{6}")


def check_digit(code5: str) -> str:
    """The check digit of a 5-digit 全国地方公共団体コード ("01100" → "2")."""
    if not _CODE5.fullmatch(code5):
        raise ValueError(f"not a 5-digit municipal code: {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, CHECK_DIGIT_WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def to_code6(code5: str) -> str:
    """The 6-digit form with check digit ("01100" → "011002")."""
    return code5 + check_digit(code5)


def is_valid_code6(code6: str) -> bool:
    """Six digits whose last is the check digit of the first five."""
    return bool(_CODE6.fullmatch(code6)) and check_digit(code6[:5]) == code6[5]


# The 6 北方領土 villages (01695 色丹村, 01696 泊村, 01697 留夜別村, 01698 留別村, 01699 紗那村, 01700 蘂取村): valid
# codes in the code lists, N03 and 住民基本台帳 (with 0 residents), but no census unit and none of the 1,741 of 2020.
NORTHERN_TERRITORIES = frozenset(f"{n:05d}" for n in range(1695, 1701))


class MunicipalityVariant(NamedTuple):
    code: str
    name: str
    variant: str
    seen_in: str
    reason: str


class CharacterVariant(NamedTuple):
    written: str
    read_as: str
    reason: str


@cache
def _variants() -> tuple[tuple[MunicipalityVariant, ...], tuple[CharacterVariant, ...]]:
    data = tomllib.loads(files("sousei.pipeline").joinpath("name_variants.toml").read_text(encoding="utf-8"))
    if set(data) != {"municipality", "character"}:
        raise ValueError(f"name_variants.toml: expected [[municipality]] and [[character]] rows, found {sorted(data)}")
    return (
        tuple(MunicipalityVariant(**row) for row in data["municipality"]),
        tuple(CharacterVariant(**row) for row in data["character"]),
    )


def municipality_variants() -> tuple[MunicipalityVariant, ...]:
    return _variants()[0]


def character_variants() -> tuple[CharacterVariant, ...]:
    return _variants()[1]


# code → (the 2020 census's name, the variant other lists print)
NAME_VARIANTS = {v.code: (v.name, v.variant) for v in municipality_variants()}
_READ_AS = str.maketrans({c.written: c.read_as for c in character_variants()})


def name_key(name: str) -> str:
    """A municipal name as compared between lists without codes: NFKC (compatibility ideographs such as U+FA10 塚,
    full-width letters), the character variants of name_variants.toml unified, spaces removed."""
    return unicodedata.normalize("NFKC", name).translate(_READ_AS).replace(" ", "")
