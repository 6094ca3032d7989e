"""女性の就業 (women's work): employment by sex from census 2020 (SSDSE-A), and the M-curve / L-curve on the e-Stat
path (census employment by sex × 5-year age, loaded with `sousei data estat ID`; "not loaded" otherwise)."""

from __future__ import annotations

from sousei.domain.indicators.model import Indicator
from sousei.domain.indicators.sql import aggregated, expr

SSDSE = ("ssdse_a",)
CENSUS = "国勢調査 2015・2020 労働力状態 (SSDSE-A)"


_GAP_ITEMS = {"fe": "F110202", "fu": "F110702", "fn": "F110802", "me": "F110201", "mu": "F110701", "mn": "F110801"}
_GAP_NATIONAL, _GAP_PREFECTURE = aggregated(_GAP_ITEMS, "(sum(fe) / sum(fe + fu + fn)) / (sum(me) / sum(me + mu + mn))")


def _labour(sex: str) -> dict[str, str]:
    suffix = {"female": "02", "male": "01", "total": ""}[sex]
    return {"e": f"F1102{suffix}", "u": f"F1107{suffix}", "n": f"F1108{suffix}"}


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="women_employment_rate_pct",
        name_ja="女性の就業率（15歳以上）",
        name_en="Employment rate of women aged 15+",
        unit="%",
        family="women_work",
        direction="higher_better",
        sources=SSDSE,
        formula=f"女性就業者数 F110202 ÷ 女性の労働力状態判明人口 (F110202 + F110702 + F110802) × 100 ({CENSUS})",
        query=expr(_labour("female"), "e", "e + u + n"),
        scale=100.0,
        caveat="Over all women 15+, so an old population lowers it; the M-curve by age needs the e-Stat table.",
    ),
    Indicator(
        id="women_labour_force_rate_pct",
        name_ja="女性の労働力率（15歳以上）",
        name_en="Labour-force participation of women aged 15+",
        unit="%",
        family="women_work",
        direction="higher_better",
        sources=SSDSE,
        formula=f"(女性就業者 F110202 + 女性完全失業者 F110702) ÷ 女性の労働力状態判明人口 × 100 ({CENSUS})",
        query=expr(_labour("female"), "e + u", "e + u + n"),
        scale=100.0,
    ),
    Indicator(
        id="women_unemployment_rate_pct",
        name_ja="女性の完全失業率",
        name_en="Unemployment rate of women",
        unit="%",
        family="women_work",
        direction="lower_better",
        sources=SSDSE,
        formula=f"女性完全失業者 F110702 ÷ 女性労働力人口 (F110202 + F110702) × 100 ({CENSUS})",
        query=expr(_labour("female"), "u", "e + u"),
        scale=100.0,
    ),
    Indicator(
        id="women_share_of_employed_pct",
        name_ja="就業者に占める女性の割合",
        name_en="Women's share of the employed",
        unit="%",
        family="women_work",
        direction="higher_better",
        sources=SSDSE,
        formula=f"女性就業者数 F110202 ÷ 就業者数 F1102 × 100 ({CENSUS})",
        query=expr({"f": "F110202", "t": "F1102"}, "f", "t"),
        scale=100.0,
    ),
    Indicator(
        id="women_employment_gap_ratio",
        name_ja="女性就業率の男性就業率に対する比",
        name_en="Women's employment rate relative to men's",
        unit="倍",
        family="women_work",
        direction="higher_better",
        sources=SSDSE,
        formula=(
            "(女性就業者 F110202 ÷ 女性の労働力状態判明人口) ÷ (男性就業者 F110201 ÷ 男性の労働力状態判明人口) "
            f"({CENSUS})"
        ),
        query=expr(_GAP_ITEMS, "fe * (me + mu + mn)", "me * (fe + fu + fn)"),
        caveat="National and prefecture values are the ratio of their own rates (sums of employed and population).",
        aggregate="source_value",
        national_query=_GAP_NATIONAL,
        prefecture_query=_GAP_PREFECTURE,
    ),
    Indicator(
        id="men_employment_rate_pct",
        name_ja="男性の就業率（15歳以上）",
        name_en="Employment rate of men aged 15+",
        unit="%",
        family="women_work",
        direction="higher_better",
        sources=SSDSE,
        formula=f"男性就業者数 F110201 ÷ 男性の労働力状態判明人口 (F110201 + F110701 + F110801) × 100 ({CENSUS})",
        query=expr(_labour("male"), "e", "e + u + n"),
        scale=100.0,
    ),
)
