"""Japan's reference data (pipeline.reference): prefectures, 和暦, the check digit, 北方領土, name variants."""

from __future__ import annotations

import tomllib
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sousei.pipeline import reference
from sousei.pipeline.reference import (
    NAME_VARIANTS,
    NORTHERN_TERRITORIES,
    PREF_CODE,
    PREFECTURES,
    check_digit,
    era_year,
    is_valid_code6,
    name_key,
    to_code6,
)

codes5 = st.text(alphabet="0123456789", min_size=5, max_size=5)


def test_47_prefectures_coded_01_to_47() -> None:
    assert len(PREFECTURES) == len(set(PREFECTURES)) == 47
    assert sorted(PREF_CODE.values()) == [f"{i:02d}" for i in range(1, 48)]
    assert (PREF_CODE["北海道"], PREF_CODE["東京都"], PREF_CODE["京都府"], PREF_CODE["沖縄県"]) == (
        "01",
        "13",
        "26",
        "47",
    )
    assert all(p == "北海道" or p.endswith(("都", "府", "県")) for p in PREFECTURES)


def test_prefectures_agree_with_the_warehouse(wh) -> None:
    # The MIC code list of 2020 as loaded by the areas step: the same 47 names under the same codes.
    rows = wh.execute("SELECT pref_code, name FROM core_areas__areas WHERE level = 'prefecture'").fetchall()
    assert {name: code for code, name in rows} == PREF_CODE


def test_era_years_at_the_boundaries() -> None:
    assert era_year("平成", "元") == 1989
    assert era_year("平成", 31) == era_year("令和", "元") == 2019  # the year of the change is both
    assert era_year("令和", "2") == 2020
    assert era_year("H", 23) == 2011  # fiscal file names: H23.xls
    assert era_year("R", 3) == 2021
    with pytest.raises(ValueError):
        era_year("昭和", 64)  # no file of the bundle is dated in 昭和: refused, not guessed
    with pytest.raises(ValueError):
        era_year("令和", 0)


def test_check_digit_known_codes() -> None:
    # 6-digit codes as printed in the MIC code list and the peer-group list (011002 札幌市).
    assert [to_code6(c) for c in ("01100", "01202", "13101", "47382", "04216")] == [
        "011002",
        "012025",
        "131016",
        "473821",
        "042161",
    ]
    assert is_valid_code6("011002") and not is_valid_code6("011003") and not is_valid_code6("01100")
    with pytest.raises(ValueError):
        check_digit("1100")


@given(codes5)
def test_check_digit_formula(code: str) -> None:
    # CATALOG.yaml: (11 - sum(d_i * w_i) mod 11) mod 10 with weights 6,5,4,3,2.
    total = sum(int(d) * w for d, w in zip(code, (6, 5, 4, 3, 2), strict=True))
    assert check_digit(code) == str((11 - total % 11) % 10)
    assert is_valid_code6(to_code6(code))


def _remainder(code: str) -> int:
    return sum(int(d) * w for d, w in zip(code, (6, 5, 4, 3, 2), strict=True)) % 11


@given(codes5, st.integers(min_value=0, max_value=4), st.integers(min_value=1, max_value=9))
def test_one_changed_digit_is_detected(code: str, pos: int, delta: int) -> None:
    # A weight (2..6) times a digit change (1..9) is never a multiple of 11, so the remainder changes; the check digit
    # only hides it when the remainders are 0 and 10 (both give check digit 1).
    changed = code[:pos] + str((int(code[pos]) + delta) % 10) + code[pos + 1 :]
    r1, r2 = _remainder(code), _remainder(changed)
    assert r1 != r2
    assert check_digit(code) != check_digit(changed) or {r1, r2} == {0, 10}
    assert not is_valid_code6(changed + check_digit(code)) or {r1, r2} == {0, 10}


def test_northern_territories() -> None:
    assert sorted(NORTHERN_TERRITORIES) == ["01695", "01696", "01697", "01698", "01699", "01700"]


def test_northern_territories_are_no_2020_municipality(wh) -> None:
    codes = [c for (c,) in wh.execute("SELECT muni_code FROM core_areas__municipalities").fetchall()]
    assert not NORTHERN_TERRITORIES & set(codes)


def test_every_variant_row_has_a_reason() -> None:
    data = tomllib.loads(files("sousei.pipeline").joinpath("name_variants.toml").read_text(encoding="utf-8"))
    rows = data["municipality"] + data["character"]
    assert rows and all(len(row["reason"].strip()) >= 20 for row in rows)
    assert all(len(c["written"]) == 1 and len(c["read_as"]) == 1 for c in data["character"])
    assert len(reference.character_variants()) == len(data["character"])


def test_both_spellings_resolve() -> None:
    for v in reference.municipality_variants():
        assert NAME_VARIANTS[v.code] == (v.name, v.variant)
        assert v.name != v.variant and name_key(v.name) == name_key(v.variant)
    for c in reference.character_variants():
        assert name_key(f"{c.written}原町") == name_key(f"{c.read_as}原町")
    # The spellings the fiscal and furusato files print, against the code list's.
    assert name_key("外ヶ浜町") == name_key("外ケ浜町")
    assert name_key("檜枝岐村") == name_key("桧枝岐村")
    assert name_key("南木曾町") == name_key("南木曽町")
    assert name_key("宝\ufa10市") == name_key("宝塚市")  # H30_loss: the compatibility ideograph U+FA10 for 塚
    assert name_key("札幌市") == "札幌市"
    assert name_key("札幌市") != name_key("札幌村")


def test_census_names_in_the_warehouse(wh) -> None:
    # The warehouse keeps the census form; the variant is what the other lists print.
    for code, (name, _variant) in NAME_VARIANTS.items():
        assert wh.execute("SELECT name FROM core_areas__municipalities WHERE muni_code = ?", [code]).fetchone() == (
            name,
        )
