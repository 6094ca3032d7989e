"""How the analyst prints numbers: one function per kind, so that the facts file and the text agree to the digit."""

from __future__ import annotations

MINUS = "−"  # U+2212, as in printed Japanese statistics


def fmt(value: float | int | None, digits: int = 0) -> str:
    """Thousands separators, fixed decimals, a true minus sign; 「データなし」 for a missing value."""
    if value is None:
        return "データなし"
    text = f"{abs(value):,.{digits}f}"
    negative = round(value, digits) < 0 and text.strip("0.,") != ""
    return (MINUS if negative else "") + text


def fmt_signed(value: float | None, digits: int = 1) -> str:
    """A change with its sign: ＋1.2 / −1.2 (a plus sign only for a strictly positive printed value)."""
    if value is None:
        return "データなし"
    text = fmt(value, digits)
    return text if text.startswith(MINUS) or text.strip("0.,") == "" else "+" + text


def unsigned(printed: str) -> str:
    """A printed figure without its sign (the text says 減少/増加 instead)."""
    return printed.lstrip("+" + MINUS)
