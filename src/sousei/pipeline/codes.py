"""Municipal code helpers: the 6-digit check digit and the normalisation of published code spellings."""

from __future__ import annotations

import re
import unicodedata

# CATALOG.yaml header: check digit = (11 - sum(d_i * w_i) mod 11) mod 10 with weights 6,5,4,3,2 (10 becomes 0).
_WEIGHTS = (6, 5, 4, 3, 2)
_CODE5 = re.compile(r"[0-9]{5}")


def check_digit(code5: str) -> str:
    """The check digit of a 5-digit 全国地方公共団体コード ("01100" → "2")."""
    if not _CODE5.fullmatch(code5):
        raise ValueError(f"not a 5-digit municipal code: {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def to_code6(code5: str) -> str:
    """The 6-digit form with check digit ("01100" → "011002")."""
    return code5 + check_digit(code5)


def is_valid_code6(code6: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{6}", code6)) and check_digit(code6[:5]) == code6[5]


def normalize_code(raw: object) -> str:
    """The 5-character code from the spellings found in published files.

    Accepts "01100", "011002" (check digit verified and dropped), "R01100" (SSDSE), full-width digits ("０１１００"),
    ints or int-like strings without the leading zero (1100, "1100", "1100.0" is refused). Raises ValueError otherwise.
    """
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"not a municipal code: {raw!r}")
    if isinstance(raw, int):
        if not 0 <= raw <= 99999:
            raise ValueError(f"not a municipal code: {raw!r}")
        return f"{raw:05d}"
    if not isinstance(raw, str):
        raise ValueError(f"not a municipal code: {raw!r}")
    text = unicodedata.normalize("NFKC", raw).strip()
    if text[:1] in ("R", "r"):  # SSDSE writes "R" + the 5-digit code
        if not re.fullmatch(r"[0-9]{5}", text[1:]):
            raise ValueError(f"not a municipal code: {raw!r}")
        return text[1:]
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"not a municipal code: {raw!r}")
    if len(text) == 6:
        if not is_valid_code6(text):
            raise ValueError(f"check digit wrong in {raw!r} (expected {check_digit(text[:5])})")
        return text[:5]
    if 1 <= len(text) <= 5:
        return text.zfill(5)
    raise ValueError(f"not a municipal code: {raw!r}")


def pref_code_of(code5: str) -> str:
    return code5[:2]
