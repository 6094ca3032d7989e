"""豊かな生活環境 (living environment): food access, medical resources, childcare, schools, everyday services."""

from __future__ import annotations

from sousei.domain.indicators.model import Indicator
from sousei.domain.indicators.sql import CENSUS_YEAR_OF, item, per_population, ratio

SSDSE = ("ssdse_a",)


def _per_10000(
    id_: str,
    code: str,
    name_ja: str,
    name_en: str,
    unit: str,
    what: str,
    scale: float = 10000.0,
    direction: str = "higher_better",
) -> Indicator:
    per = {10000.0: "1万人", 100000.0: "10万人", 1000.0: "千人"}[scale]
    return Indicator(
        id=id_,
        name_ja=f"{name_ja}（人口{per}当たり）",
        name_en=f"{name_en} per {int(scale):,} residents",
        unit=f"{unit}/{per}",
        family="living",
        direction=direction,  # type: ignore[arg-type]
        sources=SSDSE,
        formula=f"{what} {code} ÷ 直近の国勢調査人口 A1101 × {int(scale):,} (SSDSE-A)",
        query=per_population(code),
        scale=scale,
    )


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="living_food_access_difficulty_65plus_pct",
        name_ja="食料品アクセス困難人口割合（65歳以上）",
        name_en="Share of people 65+ with difficult access to food shops",
        unit="%",
        family="living",
        direction="lower_better",
        sources=("food_access_2020",),
        formula=(
            "食料品アクセス困難人口（65歳以上）÷ 65歳以上人口（2020年国勢調査メッシュ）× 100 "
            "(農林水産政策研究所; 店舗まで500 m以上かつ自動車を利用できない人)"
        ),
        query=(
            "SELECT muni_code, 2020 AS year, difficulty_persons AS numerator, pop65_persons AS denominator "
            "FROM core_food_access__difficulty_2020"
        ),
        scale=100.0,
        caveat=(
            "07546 双葉町は推計値なし。伊根町、西米良村、舟橋村、安堵町は、農林水産政策研究所の65歳以上人口が"
            "国勢調査の値と異なる（公表値どおり）。"
        ),
    ),
    _per_10000("living_doctors_per_10000", "I6100", "医師数", "Doctors", "人", "医師数（医師・歯科医師・薬剤師統計）"),
    _per_10000("living_dentists_per_10000", "I6200", "歯科医師数", "Dentists", "人", "歯科医師数"),
    _per_10000("living_pharmacists_per_10000", "I6300", "薬剤師数", "Pharmacists", "人", "薬剤師数"),
    _per_10000(
        "living_hospitals_per_10000", "I510120", "一般病院数", "General hospitals", "施設", "一般病院数（医療施設調査）"
    ),
    _per_10000("living_clinics_per_10000", "I5102", "一般診療所数", "General clinics", "施設", "一般診療所数"),
    _per_10000("living_dental_clinics_per_10000", "I5103", "歯科診療所数", "Dental clinics", "施設", "歯科診療所数"),
    Indicator(
        id="living_hospital_beds_per_10000",
        name_ja="病院病床数（人口1万人当たり）",
        name_en="Hospital beds per 10,000 residents",
        unit="床/1万人",
        family="living",
        direction="higher_better",
        sources=("resas_municipal_2016", "ssdse_a"),
        formula="病床数（医療施設調査 2020, RESAS）÷ 国勢調査人口 2020 A1101 × 10,000",
        query=(
            f"SELECT r.muni_code, 2020 AS year, r.hospital_beds AS numerator, p.value AS denominator "
            f"FROM core_resas__municipal_2016 r JOIN {item('A1101')} p ON p.muni_code = r.muni_code AND p.year = 2020"
        ),
        scale=10000.0,
        caveat="RESAS の医療資源データ（医療施設調査 2020）。1,741市区町村中1,495のみ。",
        coverage_note=("RESAS のデータは1,741市区町村中1,495のみを収録（欠ける246は主に小規模な町村）。"),
    ),
    Indicator(
        id="living_childcare_per_1000_children",
        name_ja="保育所等数（0～4歳人口千人当たり）",
        name_en="Childcare facilities (保育所等) per 1,000 children aged 0–4",
        unit="施設/千人",
        family="living",
        direction="higher_better",
        sources=("ssdse_a", "census_2020_sex_age5", "census_1980_2015_sex_age5"),
        formula=(
            "保育所等数（基本票）J250302 ÷ 直近の国勢調査 0～4歳人口（男女計）× 1,000 (社会福祉施設等調査 2019–2023)"
        ),
        query=(
            f"SELECT n.muni_code, n.year, n.value AS numerator, c.children AS denominator FROM {item('J250302')} n "
            f"JOIN (SELECT muni_code, census_year, sum(persons_original) AS children "
            f"FROM core_census__population_by_sex_age WHERE age_start = 0 GROUP BY ALL) c "
            f"ON c.muni_code = n.muni_code AND c.census_year = {CENSUS_YEAR_OF.format(y='n.year')}"
        ),
        scale=1000.0,
        caveat=("2019年からの基本票による数。それ以前の SSDSE-A は保育所等の数え方が異なる（J2503）ため使わない。"),
    ),
    Indicator(
        id="living_pupils_per_elementary_school",
        name_ja="小学校1校当たり児童数",
        name_en="Pupils per elementary school",
        unit="人/校",
        family="living",
        direction="neutral",
        sources=SSDSE,
        formula="小学校児童数 E2501 ÷ 小学校数 E2101 (学校基本調査)",
        query=ratio("E2501", "E2101"),
        caveat="義務教育学校は原資料で別に集計されており、含まない。",
    ),
    Indicator(
        id="living_pupils_per_teacher",
        name_ja="小学校教員1人当たり児童数",
        name_en="Elementary pupils per teacher",
        unit="人",
        family="living",
        direction="lower_better",
        sources=SSDSE,
        formula="小学校児童数 E2501 ÷ 小学校教員数 E2401 (学校基本調査)",
        query=ratio("E2501", "E2401"),
        decimals=1,
    ),
    _per_10000("living_elementary_schools_per_10000", "E2101", "小学校数", "Elementary schools", "校", "小学校数"),
    _per_10000("living_high_schools_per_10000", "E4101", "高等学校数", "High schools", "校", "高等学校数"),
    _per_10000(
        "living_libraries_per_100000",
        "G1401",
        "図書館数",
        "Libraries",
        "館",
        "図書館数（社会教育調査）",
        scale=100000.0,
    ),
    _per_10000(
        "living_community_halls_per_100000",
        "G1201",
        "公民館数",
        "Community halls (公民館)",
        "館",
        "公民館数（社会教育調査）",
        scale=100000.0,
    ),
    _per_10000(
        "living_retail_shops_per_1000",
        "H6130",
        "小売店数",
        "Retail shops",
        "店",
        "小売店数（経済センサス）",
        scale=1000.0,
    ),
    _per_10000(
        "living_restaurants_per_1000",
        "H6131",
        "飲食店数",
        "Restaurants",
        "店",
        "飲食店数（経済センサス）",
        scale=1000.0,
    ),
    _per_10000(
        "living_large_retail_per_10000",
        "H6132",
        "大型小売店数",
        "Large retail stores",
        "店",
        "大型小売店数（経済センサス）",
    ),
    Indicator(
        id="living_non_flush_toilet_share_pct",
        name_ja="非水洗化人口割合",
        name_en="Share of residents without flush toilets",
        unit="%",
        family="living",
        direction="lower_better",
        sources=SSDSE,
        formula="非水洗化人口 H550701 ÷ 総人口（非水洗化人口＋水洗化人口）H5507 × 100 (一般廃棄物処理実態調査)",
        query=ratio("H550701", "H5507"),
        scale=100.0,
    ),
)


# Childcare waiting lists on 2025-04-01 (こども家庭庁「保育所等関連状況取りまとめ」). Children by single age are not
# in the bundle: census 2020 5-year groups (as published, like living_childcare_per_1000_children) are split evenly
# within a group
# (0歳 = 0～4歳 ÷ 5; 0～5歳 = 0～4歳 + 5～9歳 ÷ 5).
CHILDCARE = ("childcare_waiting_2025", "census_2020_sex_age5")
CHILDCARE_YEAR = 2025
_CHILDREN_2020 = """(SELECT muni_code,
        sum(persons_original) FILTER (WHERE age_start = 0) AS c0_4,
        sum(persons_original) FILTER (WHERE age_start = 5) AS c5_9
    FROM core_census__population_by_sex_age WHERE census_year = 2020 GROUP BY muni_code)"""
# (age group as published, share of it in the children: expression over c0_4, c5_9, words, id suffix, 日本語)
_CHILD_AGE_GROUPS = (
    ("合計", "c0_4 + c5_9 / 5.0", "0～4歳人口 + 5～9歳人口 ÷ 5", "0_5", "0～5歳"),
    ("0歳児", "c0_4 / 5.0", "0～4歳人口 ÷ 5", "age0", "0歳児"),
    ("1,2歳児", "c0_4 * 2 / 5.0", "0～4歳人口 × 2/5", "age1_2", "1・2歳児"),
    ("3歳以上児", "c0_4 * 2 / 5.0 + c5_9 / 5.0", "0～4歳人口 × 2/5 + 5～9歳人口 ÷ 5", "age3_5", "3歳以上児"),
)
CHILDREN_CAVEAT = (
    "分母は2020年国勢調査の子どもの数（5歳階級を各歳に均等に按分した近似）で、2025年4月の子どもの数より多めになりうる。"
)
# The usual 「隠れ待機児童」: applicants on parental leave, wanting only a particular facility, or having suspended
# their job search are not counted as 待機児童 but are not placed either.
UNPLACED = "waiting + on_parental_leave + specific_facility_only + job_search_suspended"
MIN_CHILDREN = 20.0


def _capacity_per_child(age_group: str, children: str, words: str, suffix: str, ja: str) -> Indicator:
    return Indicator(
        id=f"living_childcare_capacity_per_100_children_{suffix}",
        name_ja=f"保育の定員（{ja}、児童100人当たり）",
        name_en=f"Licensed childcare places per 100 children ({suffix.replace('_', '–')})",
        unit="人/100人",
        family="living",
        direction="higher_better",
        sources=CHILDCARE,
        formula=f"保育所等の定員（{age_group}、7施設類型の計、2025年4月1日） ÷ 子どもの数（{words}、2020年国勢調査）"
        " × 100",
        query=f"""SELECT c.muni_code, {CHILDCARE_YEAR} AS year, c.capacity AS numerator, {children} AS denominator
                  FROM (SELECT muni_code, sum(capacity) AS capacity FROM core_childcare__capacity_2025
                        WHERE age_group = '{age_group}' GROUP BY muni_code) c
                  JOIN {_CHILDREN_2020} k USING (muni_code) WHERE {children} > 0""",
        scale=100.0,
        decimals=1,
        min_denominator=MIN_CHILDREN,
        min_denominator_ja=f"子どもの数（{ja}）",
        caveat=CHILDREN_CAVEAT + " 定員は市区町村外の子どもの利用も含む。",
    )


CHILDCARE_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="living_childcare_waiting_per_1000_children",
        name_ja="待機児童数（0～5歳児千人当たり）",
        name_en="Children on childcare waiting lists per 1,000 children aged 0–5",
        unit="人/千人",
        family="living",
        direction="lower_better",
        sources=CHILDCARE,
        formula="待機児童数（2025年4月1日、合計） ÷ 0～5歳人口（0～4歳人口 + 5～9歳人口 ÷ 5、2020年国勢調査） × 1,000",
        query=f"""SELECT a.muni_code, {CHILDCARE_YEAR} AS year, a.waiting AS numerator, c0_4 + c5_9 / 5.0 AS denominator
                  FROM core_childcare__applicants_2025 a JOIN {_CHILDREN_2020} k USING (muni_code)
                  WHERE a.age_group = '合計' AND c0_4 + c5_9 > 0""",
        scale=1000.0,
        decimals=2,
        # most municipalities have no 待機児童: the log scale would pile them on one floor value
        standardisation="winsorised",
        min_denominator=MIN_CHILDREN,
        min_denominator_ja="0～5歳人口",
        caveat=CHILDREN_CAVEAT + " 全国の待機児童は2,254人で、大半の市区町村は0人。",
    ),
    Indicator(
        id="living_childcare_unplaced_share_pct",
        name_ja="保育の申込者のうち利用できていない割合（隠れ待機を含む）",
        name_en="Share of childcare applicants not placed, including 'hidden' waiting",
        unit="%",
        family="living",
        direction="lower_better",
        sources=("childcare_waiting_2025",),
        formula="(待機児童 + 育児休業中の者 + 特定の保育園等のみ希望している者 + 求職活動を休止している者) ÷ 申込者数"
        " × 100（2025年4月1日、合計）",
        query=f"""SELECT muni_code, {CHILDCARE_YEAR} AS year, {UNPLACED} AS numerator, applicants AS denominator
                  FROM core_childcare__applicants_2025 WHERE age_group = '合計' AND applicants > 0""",
        scale=100.0,
        standardisation="winsorised",
        min_denominator=MIN_CHILDREN,
        min_denominator_ja="申込者数",
        caveat="育児休業中、特定の保育園等のみ希望、求職活動を休止の3つは待機児童に数えない（いわゆる「隠れ待機児童」）。",
        coverage_note="申込者が0人の町村は値なし。",
    ),
    *(_capacity_per_child(*g) for g in _CHILD_AGE_GROUPS),
)

INDICATORS = (*INDICATORS, *CHILDCARE_INDICATORS)
