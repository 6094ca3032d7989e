"""Value added and labour productivity by industry, establishment basis (経済センサス‐活動調査 2021 on the e-Stat
path): entries of the economy family, appended to economy.INDICATORS."""

from __future__ import annotations

from sousei.domain.indicators.industries import INDUSTRIES, INDUSTRY_EN
from sousei.domain.indicators.model import Indicator

# --- Value added by industry, establishment basis, on the e-Stat path ----------------------------------------------
# 経済センサス‐活動調査 2021 (産業横断的集計, 市区町村別) publishes 付加価値額 by establishment (事業所単位) and
# 産業大分類; it is not in the bundle. `sousei data estat ID` loads a table into raw_estat__classes /
# raw_estat__values; these entries find it by its classifications rather than by ID: exactly one 分類事項 (cat) class,
# whose name contains 産業 (e.g. 産業大分類), and a 表章項目 named 付加価値額… in 百万円 (plus 従業者数 in 人 for the
# productivity entries). Industries are matched by their 大分類 names (a leading letter code such as "E " or "E_" is
# ignored; where a 中分類 has the same name the higher level is kept), the all-industries total by 全産業. Japan is
# the table's own 全国 row (area 00000) and the prefectures its prefecture rows (area PP000); municipalities are the
# rows on a 2020 municipal code (designated-city wards are left out). Until such a table is loaded the entries have
# no rows ("未読み込み").
VA_NOT_LOADED = (
    "市区町村別・産業大分類別の経済センサス‐活動調査 2021 付加価値額（事業所単位、産業横断的集計）を "
    "`sousei data estat ID` で読み込む必要がある。データ一式だけで構築したウェアハウスでは未読み込みのため、"
    "読み込むまでどの市区町村にも値はない。"
)
VA_SOURCE = "経済センサス‐活動調査 2021 産業横断的集計 市区町村別、事業所単位。e-Stat。付加価値額は2020年の1年間"
VA_CAVEAT = (
    "事業所単位：付加価値額は事業所の所在地で計上する（本社所在地に計上する RESAS の企業単位の値とは異なる）。"
    "原資料で秘匿（X）のセルは値なし。全国・都道府県は表自体の全国・都道府県の行による（表にない場合は値なし）。"
)
_INDUSTRY_NAMES = ", ".join(f"('{s}', '{n}')" for s, n in INDUSTRIES.items())
_VA_CATS = ", ".join(f"cat{i:02d}" for i in range(1, 16))
VA_LABELLED = f"""(
  WITH cat_classes AS (
    SELECT DISTINCT stats_data_id, class_id, class_name FROM raw_estat__classes WHERE class_id LIKE 'cat%'
  ),
  industry_class AS (
    SELECT stats_data_id, min(class_id) AS class_id FROM cat_classes GROUP BY stats_data_id
    HAVING count(*) = 1 AND bool_and(class_name LIKE '%産業%')
  ),
  items AS (
    SELECT stats_data_id, code AS tab,
           CASE WHEN name LIKE '付加価値額%' AND unit = '百万円' THEN 'va'
                WHEN name = '従業者数' AND unit = '人' THEN 'emp' END AS item
    FROM raw_estat__classes WHERE class_id = 'tab'
  ),
  tables AS (
    SELECT stats_data_id, count(*) FILTER (WHERE item = 'emp') = 1 AS has_emp
    FROM industry_class JOIN items USING (stats_data_id) GROUP BY stats_data_id
    HAVING count(*) FILTER (WHERE item = 'va') = 1 AND count(*) FILTER (WHERE item = 'emp') <= 1
  ),
  industries AS (
    SELECT c.stats_data_id, c.code,
           CASE WHEN c.name LIKE '%全産業%' THEN 'total' ELSE i.suffix END AS industry
    FROM raw_estat__classes c JOIN industry_class k USING (stats_data_id, class_id)
    LEFT JOIN (VALUES {_INDUSTRY_NAMES}) AS i(suffix, name)
      ON regexp_replace(c.name, '^[A-ZＡ-Ｚ][A-ZＡ-Ｚ～~〜-]*[ 　_．.]*', '') = i.name
    WHERE c.name LIKE '%全産業%' OR i.suffix IS NOT NULL
    QUALIFY coalesce(c.level, '') = min(coalesce(c.level, '')) OVER (PARTITION BY c.stats_data_id, industry)
  )
  SELECT v.stats_data_id, v.area_code, CAST(left(v.time_code, 4) AS INTEGER) AS year, n.industry, n.code, t.has_emp,
         sum(v.value) FILTER (WHERE it.item = 'va') AS va_million_yen,
         sum(v.value) FILTER (WHERE it.item = 'emp') AS employees,
         count(*) FILTER (WHERE it.item = 'va' AND v.value IS NULL) AS va_missing,
         count(*) FILTER (WHERE it.item = 'emp' AND v.value IS NULL) AS emp_missing
  FROM raw_estat__values v JOIN tables t USING (stats_data_id)
  JOIN items it ON it.stats_data_id = v.stats_data_id AND it.tab = v.tab AND it.item IS NOT NULL
  JOIN industries n ON n.stats_data_id = v.stats_data_id AND n.code = coalesce({_VA_CATS})
  GROUP BY ALL
)"""


def _va_rows(where: str) -> str:
    """The labelled rows with va and employees NULL where the source's cell is a marker (X, -, …)."""
    return (
        "SELECT stats_data_id, area_code, year, industry, has_emp, "
        "CASE WHEN va_missing = 0 THEN va_million_yen END AS va, "
        "CASE WHEN emp_missing = 0 THEN employees END AS emp "
        f"FROM {VA_LABELLED} WHERE {where}"
    )


_VA_MUNI = "area_code IN (SELECT muni_code FROM core_areas__municipalities)"
_VA_JAPAN = "area_code = '00000'"
_VA_TOTAL = "industry = 'total'"
_VA_PREF = "regexp_full_match(area_code, '[0-9]{2}000') AND area_code <> '00000'"


def _va_productivity(suffix: str | None) -> Indicator:
    """Value added per worker (千円/人) in one industry, or over all industries (suffix None)."""
    industry = suffix or "total"
    label_ja = INDUSTRIES[suffix] if suffix else "全産業"
    label_en = INDUSTRY_EN[suffix] if suffix else "all industries"

    def rows(where: str) -> str:
        return _va_rows(f"industry = '{industry}' AND has_emp AND {where}")

    return Indicator(
        id=f"econ_va_productivity_{suffix or 'total'}",
        name_ja=f"労働生産性（事業所単位、従業者一人当たり付加価値額）：{label_ja}",
        name_en=f"Labour productivity (value added per worker, establishment basis): {label_en}",
        unit="千円/人",
        family="economy",
        direction="higher_better",
        sources=("estat_api",),
        formula=(
            f"付加価値額（{label_ja}、百万円）× 1,000 ÷ 従業者数（{label_ja}）。付加価値額 = 労働生産性 × 従業者数。"
            f"全国・都道府県は表自体の行（{VA_SOURCE}）"
        ),
        query=(
            f"SELECT area_code AS muni_code, year, va * 1000.0 AS numerator, emp AS denominator FROM ({rows(_VA_MUNI)})"
        ),
        scale=1.0,
        aggregate="source_value",
        national_query=f"SELECT year, max(va * 1000.0 / emp) AS value FROM ({rows(_VA_JAPAN)}) GROUP BY year",
        prefecture_query=(
            f"SELECT left(area_code, 2) AS pref_code, year, max(va * 1000.0 / emp) AS value "
            f"FROM ({rows(_VA_PREF)}) GROUP BY ALL"
        ),
        caveat=VA_CAVEAT,
        coverage_note=VA_NOT_LOADED,
    )


def _va_specialization(suffix: str) -> Indicator:
    """Specialization coefficient of value added: the industry's share of the area's value added ÷ Japan's share."""

    pair = _va_rows(f"industry IN ('{suffix}', 'total')")

    def against_japan(where: str) -> str:
        # one copy of the labelled rows (planning it is most of the cost on an empty e-Stat table); two codes of
        # one industry, or two 全国 rows, give a municipality twice, which stops the build
        return (
            f"SELECT * FROM (WITH r AS ({pair}), "
            f"s AS (SELECT a.stats_data_id, a.area_code, a.year, a.va / t.va AS share FROM r a "
            f"JOIN r t USING (stats_data_id, area_code, year) WHERE a.industry = '{suffix}' AND t.industry = 'total') "
            f"SELECT s.area_code, s.year, s.share AS numerator, j.share AS denominator FROM s "
            f"LEFT JOIN s j ON j.stats_data_id = s.stats_data_id AND j.year = s.year AND j.area_code = '00000') "
            f"WHERE {where}"
        )

    return Indicator(
        id=f"econ_va_specialization_{suffix}",
        name_ja=f"特化係数（付加価値額、事業所単位）：{INDUSTRIES[suffix]}",
        name_en=f"Specialization coefficient (value added, establishment basis): {INDUSTRY_EN[suffix]}",
        unit="倍（全国 = 1）",
        family="economy",
        direction="neutral",
        sources=("estat_api",),
        formula=(
            f"(付加価値額（{INDUSTRIES[suffix]}）÷ 付加価値額（全産業）) ÷ (全国の同じ比) — "
            f"全国 = 表自体の全国の行（{VA_SOURCE}）"
        ),
        query=f"SELECT area_code AS muni_code, year, numerator, denominator FROM ({against_japan(_VA_MUNI)})",
        aggregate="source_value",
        national_query=(
            f"SELECT DISTINCT year, 1.0::DOUBLE AS value FROM ({against_japan(_VA_JAPAN)}) WHERE numerator IS NOT NULL"
        ),
        prefecture_query=(
            f"SELECT left(area_code, 2) AS pref_code, year, max(numerator / denominator) AS value "
            f"FROM ({against_japan(_VA_PREF)}) GROUP BY ALL"
        ),
        caveat=VA_CAVEAT + "産業によっては付加価値額が負になり、特化係数も負になりうる。",
        coverage_note=VA_NOT_LOADED,
    )


VA_INDICATORS: tuple[Indicator, ...] = (
    _va_productivity(None),
    *(_va_productivity(s) for s in INDUSTRIES),
    *(_va_specialization(s) for s in INDUSTRIES),
)
