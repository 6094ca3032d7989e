"""Municipal code helpers: check digit (property), normalisation of published spellings, kana conversion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sousei.kana import to_hiragana
from sousei.pipeline.codes import (
    check_digit,
    is_valid_code6,
    normalize_code,
    to_code6,
)

codes5 = st.text(alphabet="0123456789", min_size=5, max_size=5)


def test_check_digit_known_codes() -> None:
    # 6-digit codes as printed in the MIC code list and the peer-group list.
    assert [to_code6(c) for c in ("01100", "01202", "13101", "47382", "04216")] == [
        "011002",
        "012025",
        "131016",
        "473821",
        "042161",
    ]


@given(codes5)
def test_check_digit_formula(code: str) -> None:
    # CATALOG.yaml: (11 - sum(d_i * w_i) mod 11) mod 10 with weights 6,5,4,3,2.
    total = sum(int(d) * w for d, w in zip(code, (6, 5, 4, 3, 2), strict=True))
    assert check_digit(code) == str((11 - total % 11) % 10)
    assert is_valid_code6(to_code6(code))
    assert normalize_code(to_code6(code)) == code


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


@given(codes5)
def test_normalize_spellings(code: str) -> None:
    fullwidth = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert normalize_code(code) == code
    assert normalize_code("R" + code) == code
    assert normalize_code(fullwidth) == code
    assert normalize_code(int(code)) == code
    assert normalize_code(str(int(code))) == code


@pytest.mark.parametrize("bad", ["011003", "1100.0", "R0110", "abcde", "", "1234567", -1, None, True])
def test_normalize_refuses(bad: object) -> None:
    with pytest.raises(ValueError):
        normalize_code(bad)


def test_kana() -> None:
    assert to_hiragana("ｻｯﾎﾟﾛｼ") == "さっぽろし"
    assert to_hiragana("ﾎｯｶｲﾄﾞｳ") == "ほっかいどう"
    assert to_hiragana("ｶﾞｰﾃﾞﾝ") == "がーでん"
    assert to_hiragana("サッポロシ") == "さっぽろし"
