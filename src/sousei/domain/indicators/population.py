"""人口 (population): size, change, age structure, households, projected change."""

from __future__ import annotations

from sousei.domain.indicators.model import Indicator
from sousei.domain.indicators.sql import CENSUS_YEAR_OF, expr, item, ratio

SSDSE = ("ssdse_a",)
CENSUS_2020 = "国勢調査 2015・2020 (SSDSE-A)"

_KNOWN_AGE = {"c": "A1301", "w": "A1302", "o": "A1303"}

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="pop_total",
        name_ja="総人口",
        name_en="Total population",
        unit="人",
        family="population",
        direction="neutral",
        sources=SSDSE,
        formula=f"総人口 A1101 ({CENSUS_2020})",
        query=f"SELECT muni_code, year, value AS numerator, 1.0 AS denominator FROM {item('A1101')}",
        aggregate="sum",
    ),
    Indicator(
        id="pop_change_5y_pct",
        name_ja="人口増減率（5年間）",
        name_en="Population change over 5 years",
        unit="%",
        family="population",
        direction="higher_better",
        sources=SSDSE,
        formula="(総人口 2020 − 総人口 2015) ÷ 総人口 2015 × 100 (A1101, 国勢調査)",
        query=(
            f"SELECT a.muni_code, a.year, a.value - b.value AS numerator, b.value AS denominator "
            f"FROM {item('A1101')} a JOIN {item('A1101')} b ON b.muni_code = a.muni_code AND b.year = a.year - 5"
        ),
        scale=100.0,
        caveat="07546 双葉町は2015年・2020年とも人口0人（避難指示）のため、増減率なし。",
    ),
    Indicator(
        id="pop_aging_rate_pct",
        name_ja="高齢化率（65歳以上人口割合）",
        name_en="Share of people aged 65+",
        unit="%",
        family="population",
        direction="lower_better",
        sources=SSDSE,
        formula="65歳以上人口 A1303 ÷ 年齢判明人口 (A1301 + A1302 + A1303) × 100",
        query=expr(_KNOWN_AGE, "o", "c + w + o"),
        scale=100.0,
        caveat="分母は年齢不詳を除く（国勢調査の高齢化率と同じ）。",
    ),
    Indicator(
        id="pop_share_75plus_pct",
        name_ja="75歳以上人口割合",
        name_en="Share of people aged 75+",
        unit="%",
        family="population",
        direction="lower_better",
        sources=SSDSE,
        formula="75歳以上人口 A1419 ÷ 年齢判明人口 (A1301 + A1302 + A1303) × 100",
        query=expr({**_KNOWN_AGE, "v": "A1419"}, "v", "c + w + o"),
        scale=100.0,
    ),
    Indicator(
        id="pop_child_share_pct",
        name_ja="年少人口割合（15歳未満）",
        name_en="Share of children under 15",
        unit="%",
        family="population",
        direction="higher_better",
        sources=SSDSE,
        formula="15歳未満人口 A1301 ÷ 年齢判明人口 (A1301 + A1302 + A1303) × 100",
        query=expr(_KNOWN_AGE, "c", "c + w + o"),
        scale=100.0,
    ),
    Indicator(
        id="pop_working_age_share_pct",
        name_ja="生産年齢人口割合（15～64歳）",
        name_en="Share of people aged 15–64",
        unit="%",
        family="population",
        direction="higher_better",
        sources=SSDSE,
        formula="15～64歳人口 A1302 ÷ 年齢判明人口 (A1301 + A1302 + A1303) × 100",
        query=expr(_KNOWN_AGE, "w", "c + w + o"),
        scale=100.0,
    ),
    Indicator(
        id="pop_old_age_dependency",
        name_ja="老年人口指数",
        name_en="Old-age dependency ratio (65+ per 100 aged 15–64)",
        unit="65歳以上人口／15～64歳人口100人",
        family="population",
        direction="lower_better",
        sources=SSDSE,
        formula="65歳以上人口 A1303 ÷ 15～64歳人口 A1302 × 100",
        query=ratio("A1303", "A1302"),
        scale=100.0,
    ),
    Indicator(
        id="pop_women_20_39_share_pct",
        name_ja="20～39歳女性人口割合",
        name_en="Share of women aged 20–39",
        unit="%",
        family="population",
        direction="higher_better",
        sources=("census_2020_sex_age5", "census_1980_2015_sex_age5"),
        formula=(
            "女性 20～39歳人口 ÷ 年齢判明人口 × 100 "
            "(国勢調査 1980–2020, 2020年の市区町村境域; 年齢不詳を按分しない公表値)"
        ),
        query=(
            "SELECT muni_code, census_year AS year, "
            "sum(persons_original) FILTER (WHERE sex = 'female' AND age_start BETWEEN 20 AND 35) AS numerator, "
            "sum(persons_original) AS denominator "
            "FROM core_census__population_by_sex_age GROUP BY muni_code, census_year"
        ),
        scale=100.0,
        caveat="1980～2015年の値は、aiseed.dev が2015年（= 2020年）の市区町村境域に組み替えたもの。",
    ),
    Indicator(
        id="pop_density_habitable_km2",
        name_ja="可住地人口密度",
        name_en="Population per km² of habitable area",
        unit="人/km²",
        family="population",
        direction="neutral",
        sources=SSDSE,
        formula="総人口 A1101 ÷ 可住地面積 B1103 (ha) × 100",
        query=(
            f"SELECT p.muni_code, p.year, p.value AS numerator, h.value AS denominator "
            f"FROM {item('A1101')} p JOIN {item('B1103')} h ON h.muni_code = p.muni_code "
            f"AND h.year = greatest(p.year, 2016)"
        ),
        scale=100.0,
        caveat="可住地面積は国勢調査年の値（2015年国勢調査には、SSDSE-A で最も古い2016年の値）。",
    ),
    Indicator(
        id="pop_household_size",
        name_ja="一般世帯の平均人員",
        name_en="Persons per private household",
        unit="人/世帯",
        family="population",
        direction="neutral",
        sources=SSDSE,
        formula="一般世帯人員数 A710201 ÷ 一般世帯数 A710101",
        query=ratio("A710201", "A710101"),
    ),
    Indicator(
        id="pop_single_household_share_pct",
        name_ja="単独世帯割合",
        name_en="Share of one-person households",
        unit="%",
        family="population",
        direction="neutral",
        sources=SSDSE,
        formula="単独世帯数 A810105 ÷ 一般世帯数 A710101 × 100",
        query=ratio("A810105", "A710101"),
        scale=100.0,
    ),
    Indicator(
        id="pop_elderly_alone_share_pct",
        name_ja="65歳以上単独世帯割合",
        name_en="Share of households of one person aged 65+",
        unit="%",
        family="population",
        direction="lower_better",
        sources=SSDSE,
        formula="65歳以上世帯員の単独世帯数 A8301 ÷ 一般世帯数 A710101 × 100",
        query=ratio("A8301", "A710101"),
        scale=100.0,
    ),
    Indicator(
        id="pop_foreign_share_pct",
        name_ja="外国人人口割合",
        name_en="Share of foreign residents",
        unit="%",
        family="population",
        direction="neutral",
        sources=SSDSE,
        formula="外国人人口 A1700 ÷ 総人口 A1101 × 100",
        query=ratio("A1700", "A1101"),
        scale=100.0,
    ),
    Indicator(
        id="pop_natural_change_per_1000",
        name_ja="自然増減率（人口千人当たり）",
        name_en="Natural change (births − deaths) per 1,000 residents",
        unit="‰",
        family="population",
        direction="higher_better",
        sources=SSDSE,
        formula="(出生数 A4101 − 死亡数 A4200) ÷ 直近の国勢調査人口 A1101 × 1,000 (人口動態 2016–2023)",
        query=(
            f"SELECT b.muni_code, b.year, b.value - d.value AS numerator, p.value AS denominator "
            f"FROM {item('A4101')} b JOIN {item('A4200')} d USING (muni_code, year) "
            f"JOIN {item('A1101')} p ON p.muni_code = b.muni_code AND p.year = {CENSUS_YEAR_OF.format(y='b.year')}"
        ),
        scale=1000.0,
        registered_over_census=True,
    ),
    Indicator(
        id="pop_projected_change_2050_pct",
        name_ja="将来推計人口の増減率（2020→2050年）",
        name_en="Projected population change 2020–2050 (IPSS 2023)",
        unit="%",
        family="population",
        direction="higher_better",
        sources=("ipss_2023_regional_totals",),
        formula="(2050年推計人口 − 2020年人口) ÷ 2020年人口 × 100（社人研 令和5年推計。年 = 2050）",
        query=(
            "SELECT a.area_code AS muni_code, a.year, a.total_persons - b.total_persons AS numerator, "
            "b.total_persons AS denominator FROM core_ipss2023__population a JOIN core_ipss2023__population b "
            "ON b.area_code = a.area_code AND b.year = 2020 "
            "WHERE a.area_level = 'municipality' AND a.year = 2050"
        ),
        scale=100.0,
        coverage_note=(
            "社人研は福島県浜通り地域の13市町村を一体で推計しているため、これらは値なし（1,741市区町村中1,728）。"
        ),
    ),
)
