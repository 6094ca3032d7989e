"""強い経済 (economy): establishments and employees in 18 industries (経済センサス-活動調査, SSDSE-A) with the
specialization coefficient against Japan, value added and labour productivity (RESAS 2016, enterprise basis),
income per taxpayer, fiscal indices and ふるさと納税."""

from __future__ import annotations

from sousei.domain.indicators.industries import INDUSTRIES, INDUSTRY_EN
from sousei.domain.indicators.model import Indicator
from sousei.domain.indicators.sql import CENSUS_YEAR_OF, aggregated, expr, item, per_population
from sousei.domain.indicators.value_added import VA_INDICATORS, VA_NOT_LOADED

SSDSE = ("ssdse_a",)
CENSUS_ECON = "経済センサス-活動調査 2014・2016・2021 (民営事業所, SSDSE-A)"
RESAS_CAVEAT = (
    "RESAS の2016年データ（経済センサス-活動調査 2016）で企業単位。企業の付加価値額は本社所在地の市区町村に計上"
    "される（千代田区、豊田市、忍野村が突出）ため、その地域で生み出された付加価値額ではない。1,741市区町村中1,495のみ。"
)
RESAS_COVERAGE = "RESAS のデータは1,741市区町村中1,495のみを収録（欠ける246は主に小規模な町村）。"


def _specialization(suffix: str) -> Indicator:
    code, total = f"C2208{suffix}", "C2208"
    share = (
        f"SELECT muni_code, year, i.value AS emp_i, t.value AS emp FROM {item(code)} i "
        f"JOIN {item(total)} t USING (muni_code, year)"
    )
    national_share = "sum(emp_i) OVER (PARTITION BY year) / sum(emp) OVER (PARTITION BY year)"
    return Indicator(
        id=f"econ_specialization_{suffix}",
        name_ja=f"特化係数（従業者数）：{INDUSTRIES[suffix]}",
        name_en=f"Specialization coefficient (employees): {INDUSTRY_EN[suffix]}",
        unit="倍（全国 = 1）",
        family="economy",
        direction="neutral",
        sources=SSDSE,
        formula=(
            f"(従業者数 {code} ÷ 従業者数（民営）C2208) ÷ (全国の同じ比) — 全国 = 1,741 市区町村の合計 ({CENSUS_ECON})"
        ),
        query=f"SELECT muni_code, year, emp_i / emp AS numerator, {national_share} AS denominator FROM ({share})",
        aggregate="source_value",
        national_query=f"SELECT DISTINCT year, 1.0::DOUBLE AS value FROM ({share})",
        prefecture_query=(
            f"SELECT DISTINCT left(muni_code, 2) AS pref_code, year, "
            f"(sum(emp_i) OVER (PARTITION BY left(muni_code, 2), year) / "
            f"sum(emp) OVER (PARTITION BY left(muni_code, 2), year)) / ({national_share}) AS value FROM ({share})"
        ),
        caveat="民営事業所のみ（公務を除く）。" + ("漁業と鉱業は2016年から。" if suffix in "3335" else ""),
    )


def _fiscal(
    column: str, id_: str, name_ja: str, name_en: str, direction: str, unit: str, caveat: str = ""
) -> Indicator:
    value = f"coalesce({column}, 0.0)" if column == "future_burden_ratio_pct" else column
    status = "" if column != "future_burden_ratio_pct" else "future_burden_ratio_status"
    where_status = f" OR {status} = 'dash'" if status else ""
    return Indicator(
        id=id_,
        name_ja=name_ja,
        name_en=name_en,
        unit=unit,
        family="economy",
        direction=direction,  # type: ignore[arg-type]
        sources=("fiscal_indices",),
        # fiscal ratios are not per-capita amounts and may be 0 (no future burden): not on the log scale
        standardisation="winsorised",
        formula=f"{name_ja}（地方公共団体の主要財政指標一覧。年 = 年度）",
        query=(
            f"SELECT f.code AS muni_code, f.fiscal_year AS year, {value} AS numerator, 1.0 AS denominator "
            f"FROM raw_fiscal__indices f JOIN core_areas__municipalities m ON m.muni_code = f.code "
            f"WHERE f.\"group\" = 'city' AND NOT f.is_average AND ({column} IS NOT NULL{where_status})"
        ),
        aggregate="source_value",
        national_query=(
            f"SELECT fiscal_year AS year, {value} AS value FROM raw_fiscal__indices "
            f"WHERE \"group\" = 'city' AND is_average AND name = '全国市町村平均'"
        ),
        prefecture_query=(
            f"SELECT pref_code, fiscal_year AS year, {value} AS value FROM core_fiscal__prefecture_indices "
            f"WHERE entity = 'municipal_mean'"
        ),
        caveat=(
            "全国値・都道府県値は原資料が公表する市町村の単純平均（全国市町村平均、都道府県内市町村平均）。"
            "2012年度以降に合併した団体は、2020年の団体コードになった年度から表示する。" + caveat
        ),
    )


_SECTOR = {"p": "F2201", "s": "F2211", "t": "F2221", "e": "F1102"}

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="econ_establishments_per_1000",
        name_ja="事業所数（民営、人口千人当たり）",
        name_en="Private establishments per 1,000 residents",
        unit="事業所/千人",
        family="economy",
        direction="higher_better",
        sources=SSDSE,
        formula=f"事業所数（民営）C2108 ÷ 直近の国勢調査人口 A1101 × 1,000 ({CENSUS_ECON})",
        query=per_population("C2108"),
        scale=1000.0,
    ),
    Indicator(
        id="econ_jobs_per_100_residents",
        name_ja="従業者数（民営、人口百人当たり）",
        name_en="Private-sector employees per 100 residents",
        unit="人/百人",
        family="economy",
        direction="higher_better",
        sources=SSDSE,
        formula=f"従業者数（民営）C2208 ÷ 直近の国勢調査人口 A1101 × 100 ({CENSUS_ECON})",
        query=per_population("C2208"),
        scale=100.0,
        caveat="市区町村内の事業所で働く従業者数を住民数と比べるため、ベッドタウンでは低くなる。",
    ),
    *(_specialization(s) for s in INDUSTRIES),
    Indicator(
        id="econ_value_added_per_capita",
        name_ja="付加価値額（企業単位、住民一人当たり）",
        name_en="Value added (enterprise basis) per resident",
        unit="千円/人",
        family="economy",
        direction="higher_better",
        sources=("resas_municipal_2016",),
        formula="付加価値額（企業単位、百万円）× 1,000 ÷ 2015年国勢調査人口（RESAS。年 = 2016）",
        query=(
            "SELECT muni_code, 2016 AS year, value_added_enterprise_million_yen * 1000.0 AS numerator, "
            "population_2015_persons AS denominator FROM core_resas__municipal_2016"
        ),
        caveat=RESAS_CAVEAT,
        coverage_note=RESAS_COVERAGE,
    ),
    Indicator(
        id="econ_labour_productivity",
        name_ja="労働生産性（企業単位）",
        name_en="Labour productivity (value added per worker, enterprise basis)",
        unit="千円/人",
        family="economy",
        direction="higher_better",
        sources=("resas_municipal_2016",),
        formula=(
            "付加価値額（企業単位）÷ 従業者数（企業単位）。従業者数は 付加価値額 ÷ 労働生産性 で求め"
            "（RESAS。年 = 2016）、付加価値額 = 労働生産性 × 従業者数 が成り立つ"
        ),
        query=(
            "SELECT muni_code, 2016 AS year, value_added_enterprise_million_yen * 1000.0 AS numerator, "
            "value_added_enterprise_million_yen * 1000.0 / labour_productivity_enterprise_thousand_yen AS denominator "
            "FROM core_resas__municipal_2016 WHERE labour_productivity_enterprise_thousand_yen <> 0"
        ),
        caveat=RESAS_CAVEAT,
        coverage_note=RESAS_COVERAGE,
    ),
    Indicator(
        id="econ_income_per_taxpayer",
        name_ja="納税義務者一人当たり総所得金額等",
        name_en="Taxable income per taxpayer",
        unit="円",
        family="economy",
        direction="higher_better",
        sources=("income_per_taxpayer",),
        formula=(
            "総所得金額等 ÷ 所得割納税義務者数（市町村税課税状況等の調 第11表。令和6年度 = 2023年の所得。年 = 2023）"
        ),
        query=(
            "SELECT muni_code, income_year AS year, income_per_taxpayer_yen AS numerator, 1.0 AS denominator "
            "FROM core_income__income_per_taxpayer"
        ),
        aggregate="source_value",
        national_query=(
            "SELECT income_year AS year, median(income_per_taxpayer_yen) AS value "
            "FROM core_income__income_per_taxpayer GROUP BY ALL"
        ),
        prefecture_query=(
            "SELECT left(muni_code, 2) AS pref_code, income_year AS year, median(income_per_taxpayer_yen) AS value "
            "FROM core_income__income_per_taxpayer GROUP BY ALL"
        ),
        caveat=(
            "データ一式に納税義務者数がないため、全国値・都道府県値は納税義務者一人当たりの平均ではなく、"
            "市区町村の値の中央値。分離課税の譲渡所得等は含まない。"
        ),
    ),
    _fiscal(
        "fiscal_strength_index",
        "econ_fiscal_strength_index",
        "財政力指数",
        "Fiscal strength index",
        "higher_better",
        "",  # an index conventionally shown without a unit
    ),
    _fiscal(
        "current_balance_ratio_pct",
        "econ_current_balance_ratio_pct",
        "経常収支比率",
        "Current balance ratio (recurrent spending ÷ recurrent general revenue)",
        "lower_better",
        "%",
    ),
    _fiscal(
        "real_debt_service_ratio_pct",
        "econ_real_debt_service_ratio_pct",
        "実質公債費比率",
        "Real debt service ratio",
        "lower_better",
        "%",
    ),
    _fiscal(
        "future_burden_ratio_pct",
        "econ_future_burden_ratio_pct",
        "将来負担比率",
        "Future burden ratio",
        "lower_better",
        "%",
        "「－」（充当可能財源等が将来負担額を上回る）は0とする。",
    ),
    _fiscal(
        "laspeyres_index",
        "econ_laspeyres_index",
        "ラスパイレス指数",
        "Laspeyres index of staff salaries",
        "neutral",
        "指数（国 = 100）",
    ),
    Indicator(
        id="econ_local_tax_per_capita",
        name_ja="地方税収（住民一人当たり）",
        name_en="Local tax revenue per resident",
        unit="千円/人",
        family="economy",
        direction="higher_better",
        sources=SSDSE,
        formula="地方税 D320101（千円）÷ 直近の国勢調査人口 A1101（市町村財政 決算。年 = 年度）",
        query=per_population("D320101"),
    ),
    Indicator(
        id="econ_furusato_inflow_per_capita",
        name_ja="ふるさと納税受入額（住民一人当たり）",
        name_en="Furusato nozei donations received per resident",
        unit="円/人",
        family="economy",
        direction="higher_better",
        sources=("furusato_nozei", "ssdse_a"),
        formula="ふるさと納税受入額 ÷ 直近の国勢調査人口 A1101（ふるさと納税に関する現況調査。年 = 年度）",
        query=(
            f"SELECT d.muni_code, d.fiscal_year AS year, d.amount_yen AS numerator, p.value AS denominator "
            f"FROM core_furusato__donations d JOIN {item('A1101')} p ON p.muni_code = d.muni_code "
            f"AND p.year = {CENSUS_YEAR_OF.format(y='d.fiscal_year')}"
        ),
    ),
    Indicator(
        id="econ_furusato_deduction_per_capita",
        name_ja="ふるさと納税に係る市町村民税控除額（住民一人当たり）",
        name_en="Municipal tax lost to furusato nozei deductions per resident",
        unit="円/人",
        family="economy",
        direction="lower_better",
        sources=("furusato_nozei", "ssdse_a"),
        formula="寄附金税額控除による市町村民税の控除額 ÷ 直近の国勢調査人口 A1101（年 = 課税年度）",
        query=(
            f"SELECT d.muni_code, d.year, d.municipal_tax_yen AS numerator, p.value AS denominator "
            f"FROM core_furusato__deductions d JOIN {item('A1101')} p ON p.muni_code = d.muni_code "
            f"AND p.year = {CENSUS_YEAR_OF.format(y='d.year')}"
        ),
        caveat="住民がほかの自治体へ寄附すると、この市区町村の税収が減る（ふるさと納税の流出側）。",
    ),
    Indicator(
        id="econ_unemployment_rate_pct",
        name_ja="完全失業率",
        name_en="Unemployment rate",
        unit="%",
        family="economy",
        direction="lower_better",
        sources=SSDSE,
        formula="完全失業者数 F1107 ÷ 労働力人口 (F1102 + F1107) × 100 (国勢調査 2015・2020)",
        query=expr({"e": "F1102", "u": "F1107"}, "u", "e + u"),
        scale=100.0,
        standardisation="winsorised",  # a rate, not a per-capita amount
    ),
    Indicator(
        id="econ_primary_sector_share_pct",
        name_ja="第1次産業就業者割合",
        name_en="Share of the employed in the primary sector",
        unit="%",
        family="economy",
        direction="neutral",
        sources=SSDSE,
        formula="第1次産業就業者数 F2201 ÷ 就業者数 F1102 × 100 (国勢調査 2015・2020)",
        query=expr(_SECTOR, "p", "e"),
        scale=100.0,
    ),
    Indicator(
        id="econ_secondary_sector_share_pct",
        name_ja="第2次産業就業者割合",
        name_en="Share of the employed in the secondary sector",
        unit="%",
        family="economy",
        direction="neutral",
        sources=SSDSE,
        formula="第2次産業就業者数 F2211 ÷ 就業者数 F1102 × 100 (国勢調査 2015・2020)",
        query=expr(_SECTOR, "s", "e"),
        scale=100.0,
    ),
    Indicator(
        id="econ_tertiary_sector_share_pct",
        name_ja="第3次産業就業者割合",
        name_en="Share of the employed in the tertiary sector",
        unit="%",
        family="economy",
        direction="neutral",
        sources=SSDSE,
        formula="第3次産業就業者数 F2221 ÷ 就業者数 F1102 × 100 (国勢調査 2015・2020)",
        query=expr(_SECTOR, "t", "e"),
        scale=100.0,
    ),
)

# The value-added entries by industry (e-Stat path, value_added.py) come last in the family.
INDICATORS = INDICATORS + VA_INDICATORS

__all__ = ["INDICATORS", "INDUSTRIES", "INDUSTRY_EN", "VA_NOT_LOADED", "aggregated"]
