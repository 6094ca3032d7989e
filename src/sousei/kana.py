"""Japanese readings: katakana (half- or full-width) to hiragana, one definition for the build and the search box."""

from __future__ import annotations

import unicodedata


def to_hiragana(text: str) -> str:
    """ｻｯﾎﾟﾛｼ / サッポロシ → さっぽろし.

    NFKC first joins half-width kana with their (han)dakuten (and turns full-width digits and letters into ASCII,
    which a search for "０１１００" needs too); then ァ (U+30A1) … ヶ (U+30F6) shift onto ぁ … ゖ; ー and ・ stay.
    """
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        cp = ord(ch)
        out.append(chr(cp - 0x60) if 0x30A1 <= cp <= 0x30F6 else ch)
    return "".join(out)
