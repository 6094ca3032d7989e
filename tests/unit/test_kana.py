"""Readings: the MIC list's half-width katakana (and full-width) to hiragana."""

from __future__ import annotations

from sousei.kana import to_hiragana


def test_kana() -> None:
    assert to_hiragana("ｻｯﾎﾟﾛｼ") == "さっぽろし"
    assert to_hiragana("ﾎｯｶｲﾄﾞｳ") == "ほっかいどう"
    assert to_hiragana("ｶﾞｰﾃﾞﾝ") == "がーでん"
    assert to_hiragana("サッポロシ") == "さっぽろし"
