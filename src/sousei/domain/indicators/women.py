"""女性の就業 (women's work): employment by sex from census 2020 (SSDSE-A), and the M-curve / L-curve on the e-Stat
path (census employment by sex × 5-year age, loaded with `sousei data estat ID`; "未読み込み" otherwise)."""

from __future__ import annotations

from sousei.domain.indicators.births import MIN_PERSONS
from sousei.domain.indicators.model import Indicator
from sousei.domain.indicators.sql import aggregated, expr

SSDSE = ("ssdse_a",)
CENSUS = "国勢調査 2015・2020 労働力状態 (SSDSE-A)"


_GAP_ITEMS = {"fe": "F110202", "fu": "F110702", "fn": "F110802", "me": "F110201", "mu": "F110701", "mn": "F110801"}
_GAP_NATIONAL, _GAP_PREFECTURE = aggregated(_GAP_ITEMS, "(sum(fe) / sum(fe + fu + fn)) / (sum(me) / sum(me + mu + mn))")


def _labour(sex: str) -> dict[str, str]:
    suffix = {"female": "02", "male": "01", "total": ""}[sex]
    return {"e": f"F1102{suffix}", "u": f"F1107{suffix}", "n": f"F1108{suffix}"}


# The labour-force rate, (employed + unemployed) ÷ (employed + unemployed + not in the labour force): the registry's
# indicator for women; the dashboard's out_dashboard__labour_force_by_sex runs the same query for men.
LABOUR_FORCE_RATE = {"female": "women_labour_force_rate_pct"}


def labour_force_query(sex: str) -> str:
    """muni_code, year, numerator (employed + unemployed) and denominator (those with a known status) of one sex."""
    return expr(_labour(sex), "e + u", "e + u + n")


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
        min_denominator=MIN_PERSONS,
        min_denominator_ja="女性の労働力状態判明人口",
        caveat="15歳以上の女性全体が対象のため、高齢者が多いと低くなる。年齢別のM字カーブには e-Stat の表が必要。",
    ),
    Indicator(
        id=LABOUR_FORCE_RATE["female"],
        name_ja="女性の労働力率（15歳以上）",
        name_en="Labour-force participation of women aged 15+",
        unit="%",
        family="women_work",
        direction="higher_better",
        sources=SSDSE,
        formula=f"(女性就業者 F110202 + 女性完全失業者 F110702) ÷ 女性の労働力状態判明人口 × 100 ({CENSUS})",
        query=labour_force_query("female"),
        scale=100.0,
        min_denominator=MIN_PERSONS,
        min_denominator_ja="女性の労働力状態判明人口",
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
        min_denominator=MIN_PERSONS,
        min_denominator_ja="女性労働力人口",
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
        caveat="全国値・都道府県値は、それぞれの就業者数と人口の合計から求めた男女の率の比。",
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


# --- The M-curve and L-curve on the e-Stat path -------------------------------------------------------------------
# Census 2020 employment by sex × 5-year age per municipality is not in the bundle. `sousei data estat ID` loads a
# table into raw_estat__classes / raw_estat__values; these entries find the loaded tables by their classifications
# (a 労働力状態 or 従業上の地位 class, a 年齢 class and a 男女 class, nothing else) rather than by ID, so that the
# 就業状態等基本集計 tables of the census (e.g. 労働力状態(8区分)・年齢(5歳階級)・男女別15歳以上人口 for the M-curve;
# 従業上の地位・年齢・男女別就業者数 for the L-curve) are used whichever ID they are fetched under. Until one is loaded
# the entries have no rows ("未読み込み").
ESTAT_NOT_LOADED = (
    "2020年国勢調査の男女・5歳階級別の就業状態（就業状態等基本集計）を `sousei data estat ID` で読み込む必要が"
    "ある。データ一式だけで構築したウェアハウスでは未読み込みのため、読み込むまでどの市区町村にも値はない。"
)
_CATS = ", ".join(f"cat{i:02d}" for i in range(1, 16))
ESTAT_LABELLED = f"""(
  WITH roles AS (
    SELECT stats_data_id, class_id,
           CASE WHEN class_name LIKE '%労働力状態%' OR class_name LIKE '%従業上の地位%' THEN 'status'
                WHEN class_name LIKE '%年齢%' THEN 'age'
                WHEN class_name LIKE '%男女%' THEN 'sex' END AS role
    FROM (SELECT DISTINCT stats_data_id, class_id, class_name FROM raw_estat__classes WHERE class_id LIKE 'cat%')
  ),
  tables AS (
    SELECT stats_data_id FROM roles GROUP BY stats_data_id
    HAVING count(*) = 3 AND count(DISTINCT role) = 3 AND count(role) = 3
  ),
  cells AS (
    UNPIVOT (SELECT stats_data_id, position, {_CATS} FROM raw_estat__values
             WHERE stats_data_id IN (SELECT stats_data_id FROM tables))
    ON {_CATS} INTO NAME class_id VALUE code
  ),
  named AS (
    SELECT x.stats_data_id, x.position,
           max(c.name) FILTER (WHERE r.role = 'status') AS status,
           max(c.name) FILTER (WHERE r.role = 'age') AS age,
           max(c.name) FILTER (WHERE r.role = 'sex') AS sex
    FROM cells x JOIN roles r USING (stats_data_id, class_id)
    JOIN raw_estat__classes c ON c.stats_data_id = x.stats_data_id AND c.class_id = x.class_id AND c.code = x.code
    GROUP BY ALL
  )
  SELECT n.stats_data_id, v.area_code AS muni_code, CAST(left(v.time_code, 4) AS INTEGER) AS year,
         n.status, n.age, n.sex, v.value
  FROM named n JOIN raw_estat__values v USING (stats_data_id, position)
  JOIN core_areas__municipalities m ON m.muni_code = v.area_code
)"""


def _estat_rate(id_: str, age: str, kind: str) -> Indicator:
    """Women's employment rate (M-curve) or 正規の職員・従業員 share of employed women (L-curve) at one age."""
    if kind == "m":
        num = "status = '就業者'"
        den = "status IN ('労働力人口', '非労働力人口')"
        name_ja, name_en = f"女性の就業率（{age}）", f"Employment rate of women aged {age.replace('～', '–')}"
        formula = f"女性 {age} 就業者 ÷ (労働力人口 + 非労働力人口) × 100（2020年国勢調査 就業状態等基本集計、e-Stat）"
    else:
        num = "status LIKE '%正規の職員・従業員' AND status NOT LIKE '%以外%'"
        den = "status = '総数'"
        name_ja = f"女性就業者の正規の職員・従業員割合（{age}）"
        name_en = f"Share of regular staff among employed women aged {age.replace('～', '–')}"
        formula = f"女性 {age} 正規の職員・従業員 ÷ 就業者総数 × 100（2020年国勢調査 従業上の地位、e-Stat）"
    labelled = ESTAT_LABELLED
    return Indicator(
        id=id_,
        name_ja=name_ja,
        name_en=name_en,
        unit="%",
        family="women_work",
        direction="higher_better",
        sources=("estat_api",),
        formula=formula,
        query=(
            f"SELECT muni_code, year, sum(value) FILTER (WHERE {num}) AS numerator, "
            f"sum(value) FILTER (WHERE {den}) AS denominator FROM {labelled} "
            f"WHERE sex = '女' AND age = '{age}' "
            f"AND stats_data_id IN (SELECT stats_data_id FROM {labelled} WHERE {num}) GROUP BY muni_code, year"
        ),
        scale=100.0,
        caveat="M字カーブ／L字カーブの1点。e-Stat の表をIDで読み込んだときだけ値がある（収録状況の注記を参照）。",
        coverage_note=ESTAT_NOT_LOADED,
    )


INDICATORS = INDICATORS + (
    _estat_rate("women_employment_rate_25_29_pct", "25～29歳", "m"),
    _estat_rate("women_employment_rate_30_34_pct", "30～34歳", "m"),
    _estat_rate("women_employment_rate_35_39_pct", "35～39歳", "m"),
    _estat_rate("women_employment_rate_40_44_pct", "40～44歳", "m"),
    _estat_rate("women_regular_staff_share_25_29_pct", "25～29歳", "l"),
    _estat_rate("women_regular_staff_share_35_39_pct", "35～39歳", "l"),
)
