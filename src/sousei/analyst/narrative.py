"""The report's prose, written from the FactBook only (である調; every number is a fact's printed string).

Each finding has several phrasings, chosen by `phrasing.choose` from the municipality and the finding, so that the
wording varies between findings and between municipalities but never between runs. Magnitude words follow
`phrasing.LEVEL_WORDS` / `FLAT_CHANGE_PCT`; causes are hedged (「可能性がある」「考えられる」).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sousei.analyst.factbook import FactBook
from sousei.analyst.numbers import unsigned
from sousei.analyst.phrasing import change_word, choose, level_word

SECTIONS = (
    ("summary", "要旨"),
    ("current", "人口の現状分析"),
    ("projection", "将来推計"),
    ("future", "地域の将来への影響"),
    ("issues", "優先的に取り組む地域課題"),
    ("peers", "参考になる自治体"),
    ("sources", "出典・方法・限界"),
)
REF_LABEL = {"national": "全国", "prefecture": "県", "peer": "類似団体平均"}
# A name a council member understands, for the indicators that are often a priority issue.
ISSUE_NAMES = {
    "net_migration_rate_15_29_female_pct": "若年女性の転出超過",
    "net_migration_rate_20_39_female_pct": "若年女性の転出超過",
    "net_migration_rate_15_29_pct": "若い世代の転出超過",
    "net_migration_rate_15_29_male_pct": "若年男性の転出超過",
    "net_migration_rate_all_ages_pct": "転出超過",
    "tfr_bayes": "出生率の低さ",
    "child_woman_ratio": "子どもの少なさ",
    "marriages_per_1000_women_20_39": "婚姻の少なさ",
    "women_20_39_change_5y_pct": "若年女性人口の減少",
    "living_doctors_per_10000": "医師の少なさ",
    "living_food_access_difficulty_65plus_pct": "買い物が困難な高齢者の多さ",
    "living_childcare_per_1000_children": "保育所等の少なさ",
    "women_unemployment_rate_pct": "女性の失業の多さ",
    "women_employment_rate_pct": "女性の就業の低さ",
    "births_vital_index_vs_japan": "出生数の落ち込み",
    "births_juki_index_vs_japan": "出生数の落ち込み",
    "births_juki_index_1995": "出生数の落ち込み",
    "general_fertility_rate": "出生率の低さ",
    "pop_aging_rate_pct": "高齢化の進行",
    "pop_change_5y_pct": "人口減少の速さ",
}
# Why a weak family matters for the population (hedged: a path, not a proven cause).
FAMILY_PATH = {
    "人口": "人口構成の偏りは、地域の担い手の不足を通じて人口減少をさらに進める可能性がある。",
    "出生": "出生の低さは、将来の年少人口と親世代の減少に直結し、人口減少を長期化させると考えられる。",
    "人口移動": "若い世代の転出は、その世代が将来生む子どもも地域から失うため、人口減少を二重に進める可能性がある。",
    "女性の就業": "女性が働く場の乏しさは、若年女性の転出や結婚・出産の先送りにつながっている可能性がある。",
    "強い経済": "雇用や財政の余力の乏しさは、定住や子育て支援に充てられる施策の幅を狭める可能性がある。",
    "豊かな生活環境": "生活環境の不便さは、住み続ける場・子育ての場としての選択に影響している可能性がある。",
}
BASIS_JA = {"level": "水準が低い", "trend": "変化が悪い", "level_and_trend": "水準・変化とも悪い"}


@dataclass
class Block:
    """A sub-section of 人口の現状分析: its heading, paragraphs and the dashboard charts shown with it."""

    title: str
    paragraphs: list[str]
    charts: tuple[str, ...] = ()


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # a list shown after the paragraphs (要旨, issues)
    notes: list[str] = field(default_factory=list)  # what is missing or a proxy: shown, never hidden
    blocks: list[Block] = field(default_factory=list)
    charts: tuple[str, ...] = ()  # dashboard charts shown after the section's text

    def texts(self) -> list[str]:
        """Every generated sentence group of the section (for the number check and the polish)."""
        return self.paragraphs + self.items + [p for b in self.blocks for p in b.paragraphs]


class Writer:
    def __init__(self, fb: FactBook):
        self.fb = fb
        self.name = fb.p("muni.name")

    def pick(self, key: str, *variants: str) -> str:
        return choose(variants, self.fb.code, key)

    # -- building blocks ------------------------------------------------------------------------------------

    def unit(self, p: str) -> str:
        """The unit printed after a figure: only a short suffix (「全国=100」 or a ratio stays in the name)."""
        u = self.fb.p(f"{p}.unit") if f"{p}.unit" in self.fb else ""
        return u if len(u) <= 6 and not any(c in u for c in "=／（") else ""

    def diff_unit(self, p: str) -> str:
        u = self.unit(p)
        return "ポイント" if u == "%" else u

    def compare(self, p: str, ref: str, last: bool = True) -> str | None:
        """「全国（1.33）を0.20下回る」 (or 「…下回り」 inside a chain): the printed figure and difference."""
        key = f"{p}.diff_{ref}"
        if not self.fb.has_value(key):
            return None
        diff = self.fb.v(key)
        shown = unsigned(self.fb.p(key))
        figure = self.fb.p(f"{p}.{ref}")
        label = REF_LABEL[ref] if ref != "national" else self.fb.get(f"{p}.national").comparison  # type: ignore[union-attr]
        where = f"{label[:-1]}{figure}）" if label.endswith("）") else f"{label}（{figure}）"
        if shown.strip("0.,") == "":
            return f"{where}と同じ" + ("である" if last else "で")
        word = ("上回る" if last else "上回り") if diff > 0 else ("下回る" if last else "下回り")
        return f"{where}を{shown}{self.diff_unit(p)}{word}"

    def compare_all(self, p: str) -> str | None:
        refs = [r for r in ("national", "prefecture", "peer") if self.fb.has_value(f"{p}.diff_{r}")]
        parts = [self.compare(p, r, last=i == len(refs) - 1) for i, r in enumerate(refs)]
        return "、".join(x for x in parts if x) or None

    def indicator(self, p: str, subject: str | None = None) -> str:
        """What the figure is → how it compares → how it changed (one to three sentences)."""
        fb = self.fb
        name = subject or fb.p(f"{p}.name")
        year = fb.p(f"{p}.when")
        value = f"{fb.p(f'{p}.value')}{self.unit(p)}"
        chain = self.compare_all(p)
        first = self.pick(
            p + ".lead",
            f"{name}は{value}（{year}）である。",
            f"{year}の{name}は{value}である。",
            f"{name}をみると、{year}は{value}となっている。",
        )
        out = [first]
        if chain:
            out.append(self.pick(p + ".cmp", "これは{}。", "比較すると、{}。", "{}。").format(chain))
        word = level_word(fb.v(f"{p}.deviation"))
        if word:
            dev = fb.p(f"{p}.deviation")
            verb = "にある" if word.endswith("水準") else "である"
            out.append(
                self.pick(
                    p + ".lvl",
                    f"偏差値は{dev}で、{word}{verb}。",
                    f"全国の市区町村の中では{word}（偏差値{dev}）である。",
                )
            )
        if fb.has_value(f"{p}.change") and fb.has_value(f"{p}.previous"):
            prev = fb.get(f"{p}.previous")
            assert prev is not None
            then = fb.p(f"{p}.previous_when")
            ch = fb.p(f"{p}.change")
            if ch.strip("+−0.,") == "":
                out.append(f"{then}（{prev.printed}{self.unit(p)}）から変わっていない。")
            else:
                word2 = "上昇" if fb.v(f"{p}.change") > 0 else "低下"
                out.append(
                    self.pick(
                        p + ".chg",
                        f"{then}の{prev.printed}{self.unit(p)}から{unsigned(ch)}{self.diff_unit(p)}{word2}した。",
                        f"{then}（{prev.printed}{self.unit(p)}）と比べ{unsigned(ch)}{self.diff_unit(p)}{word2}している。",
                    )
                )
        return "".join(out)

    def issue_name(self, n: str) -> str:
        fb = self.fb
        iid = fb.p(f"issue.{n}.indicator_id")
        name = fb.p(f"issue.{n}.name")
        if fb.p(f"issue.{n}.basis") == "trend":
            return f"{name}の悪化"
        if iid in ISSUE_NAMES:
            return ISSUE_NAMES[iid]
        return f"{name}の{'高さ' if fb.p(f'issue.{n}.direction') == 'lower_better' else '低さ'}"

    # -- sections --------------------------------------------------------------------------------------------

    def summary(self) -> Section:
        fb = self.fb
        s = Section("summary", "要旨", charts=("scores",))
        first, last = fb.p("pop.first_year"), fb.p("pop.last_year")
        ch = f"pop.change.{first}_{last}.self"
        if fb.has_value(ch):
            word = change_word(fb.v(ch))
            amount = "" if word == "横ばい" else f"{unsigned(fb.p(ch))}%"
            s.items.append(
                f"総人口は{first}年の{fb.p(f'pop.total.{first}')}人から{last}年の{fb.p(f'pop.total.{last}')}人へ"
                + (f"{amount}{word}した。" if amount else "ほぼ横ばいである。")
            )
        if fb.has_value("proj.pattern1.2050.change"):
            joint = "" if fb.p("proj.unit") == "当該団体" else f"（{fb.p('proj.unit')}の推計）"
            s.items.append(
                f"パターン1では2050年の人口{joint}は{fb.p('proj.pattern1.2050')}人となり、2020年から"
                f"{_change('proj.pattern1.2050.change', fb)}見込みである。"
            )
        if fb.has_value("sus.change_baseline"):
            s.items.append(
                f"20〜39歳女性人口は2020年から2050年に{_change('sus.change_baseline', fb)}見込みで、"
                f"{fb.p('sus.method')}の分類では「{fb.p('sus.group')}」にあたる。"
            )
        if fb.has_value("ind.tfr_bayes.value") and fb.has_value("ind.tfr_bayes.diff_national"):
            s.items.append(
                f"合計特殊出生率は{fb.p('ind.tfr_bayes.value')}（{fb.p('ind.tfr_bayes.when')}）で、"
                f"{self.compare('ind.tfr_bayes', 'national')}。"
            )
        p = "ind.net_migration_rate_15_29_female_pct"
        if fb.has_value(f"{p}.value"):
            v = fb.v(f"{p}.value")
            kind = "転出超過" if v < 0 else "転入超過"
            s.items.append(f"15〜29歳女性の純移動率は{fb.p(f'{p}.value')}%（{fb.p(f'{p}.when')}）で、{kind}である。")
        issues = fb.lists.get("issues", [])[:3]
        if issues:
            names = "、".join(f"「{self.issue_name(n)}」" for n in issues)
            s.paragraphs.append(
                self.pick(
                    "summary.issues",
                    f"優先的に取り組む地域課題として、{names}を提案する。",
                    f"これらを踏まえ、{names}を優先的に取り組む地域課題として提案する。",
                )
            )
        else:
            s.paragraphs.append("全国と比べて際立って弱い指標は見当たらず、優先課題の候補は抽出されなかった。")
        return s

    def current(self) -> Section:
        fb = self.fb
        s = Section("current", "人口の現状分析")
        first, last = fb.p("pop.first_year"), fb.p("pop.last_year")
        # population trend
        sent = []
        ch = f"pop.change.{first}_{last}.self"
        if fb.has_value(ch):
            word = change_word(fb.v(ch))
            sent.append(
                self.pick(
                    "pop.trend",
                    f"総人口は{first}年の{fb.p(f'pop.total.{first}')}人から{last}年の{fb.p(f'pop.total.{last}')}人へ"
                    f"{unsigned(fb.p(ch))}%{word}した。",
                    f"{first}年に{fb.p(f'pop.total.{first}')}人であった総人口は、{last}年には{fb.p(f'pop.total.{last}')}人と"
                    f"なり、{unsigned(fb.p(ch))}%{word}した。",
                )
                if word != "横ばい"
                else f"総人口は{first}年の{fb.p(f'pop.total.{first}')}人から{last}年の"
                f"{fb.p(f'pop.total.{last}')}人へとほぼ横ばいで推移した。"
            )
        recent = "pop.change.2015_2020"
        if fb.has_value(f"{recent}.self") and fb.has_value(f"{recent}.pref"):
            peer = ""
            if fb.has_value(f"{recent}.peer"):
                peer = f"、類似団体平均{fb.p(f'{recent}.peer')}%"
            sent.append(
                f"{fb.year(f'{recent}.self')}の増減率は{fb.p(f'{recent}.self')}%である（県全体{fb.p(f'{recent}.pref')}%、"
                f"全国{fb.p(f'{recent}.japan')}%{peer}）。県全体と比べ"
                + _relative(fb.v(f"{recent}.self"), fb.v(f"{recent}.pref"), "増加", "減少")
                + "。"
            )
        trend = ["".join(sent)]
        # age structure
        if fb.has_value(f"pop.share.age_65_plus.{last}"):
            trend.append(
                f"年齢3区分別にみると、老年人口（65歳以上）の割合は{first}年の{fb.p(f'pop.share.age_65_plus.{first}')}%"
                f"から{last}年の{fb.p(f'pop.share.age_65_plus.{last}')}%となった（全国{fb.p(f'pop.share.age_65_plus.{last}.japan')}%）。"
                f"年少人口（0〜14歳）の割合は{fb.p(f'pop.share.age_0_14.{first}')}%から{fb.p(f'pop.share.age_0_14.{last}')}%へ、"
                f"生産年齢人口（15〜64歳）の割合は{fb.p(f'pop.share.age_15_64.{first}')}%から"
                f"{fb.p(f'pop.share.age_15_64.{last}')}%へ変化した。"
            )
        # natural and social change
        s.blocks.append(Block("総人口と年齢構成", trend, ("population", "pyramid")))
        windows = fb.lists.get("vital.windows", [])
        if windows:
            nat = "、".join(f"{fb.p(f'vital.{i}.label')}{fb.p(f'vital.{i}.natural_change')}人" for i in windows)
            soc = "、".join(f"{fb.p(f'vital.{i}.social_change')}人" for i in windows)
            sent = [
                self.pick(
                    "vital",
                    f"5年間の合計でみると、自然増減は{nat}であり、社会増減は同じ順に{soc}であった。",
                    f"自然増減（5年間の合計）は{nat}、社会増減は同じ期間に{soc}であった。",
                )
            ]
            first_w, last_w = windows[0], windows[-1]
            if first_w != last_w:
                sent.append(
                    f"出生数（5年間の合計）は{fb.p(f'vital.{first_w}.label')}の{fb.p(f'vital.{first_w}.births')}人から"
                    f"{fb.p(f'vital.{last_w}.label')}の{fb.p(f'vital.{last_w}.births')}人へ、死亡数は"
                    f"{fb.p(f'vital.{first_w}.deaths')}人から{fb.p(f'vital.{last_w}.deaths')}人へ変わった。"
                )
            nat_v, soc_v = fb.v(f"vital.{last_w}.natural_change"), fb.v(f"vital.{last_w}.social_change")
            if nat_v < 0 and soc_v < 0:
                main = "自然減" if abs(nat_v) >= abs(soc_v) else "社会減"
                sent.append(f"直近の期間は自然減と社会減が重なり、{main}の比重が大きい。")
            elif nat_v < 0 <= soc_v:
                sent.append("直近の期間は社会増が自然減の一部を補っている。")
            elif soc_v < 0 <= nat_v:
                sent.append("直近の期間は自然増を社会減が打ち消している。")
            s.blocks.append(Block("自然増減と社会増減", ["".join(sent)]))
            s.notes.append(
                f"自然増減・社会増減は住民基本台帳に基づく（{fb.p('vital.foreign_from')}以降は外国人住民を含む。"
                f"{fb.p('vital.calendar_from')}以降は暦年、それより前は年度の集計）。"
            )
        # births
        births = [self.indicator(f"ind.{i}") for i in fb.lists.get("indicators.births", [])[:3]]
        sent = []
        for i in fb.lists.get("indicators.births", [])[3:]:
            p = f"ind.{i}"
            cmp = self.compare(p, "national")
            if cmp:
                sent.append(f"{fb.p(f'{p}.name')}は{fb.p(f'{p}.value')}%（{fb.p(f'{p}.when')}）で、{cmp}。")
        births.append("".join(sent))
        if fb.has_value("walls.births_gap"):
            births.append(self._walls())
            s.notes.append(
                "第2子以降の壁は、出生順位別の出生数がないため、有配偶女性当たりの出生数による代理指標である。"
            )
        s.blocks.append(Block("出生・結婚と二つの壁", births, ("births", "tfr", "walls")))
        # migration
        migration = [self.indicator(f"ind.{i}") for i in fb.lists.get("indicators.migration", [])]
        periods = fb.lists.get("mig.periods", [])
        if len(periods) == 2:
            a, b = periods
            fa, ma = fb.p(f"mig.youth.{a}.female"), fb.p(f"mig.youth.{a}.male")
            fbb, mb = fb.p(f"mig.youth.{b}.female"), fb.p(f"mig.youth.{b}.male")
            text = (
                f"15〜34歳の純移動数は、{fb.p(f'mig.period.{b}')}で女性{fbb}人、男性{mb}人であり、"
                f"{fb.p(f'mig.period.{a}')}（女性{fa}人、男性{ma}人）と比べると"
            )
            now, then = (
                fb.v(f"mig.youth.{b}.female") + fb.v(f"mig.youth.{b}.male"),
                fb.v(f"mig.youth.{a}.female") + fb.v(f"mig.youth.{a}.male"),
            )
            if now == then:
                text += "同程度である。"
            elif now < 0:
                text += "流出が大きくなっている。" if now < then else "流出は小さくなっている。"
            else:
                text += "転入超過が大きくなっている。" if now > then else "転入超過は小さくなっている。"
            if fb.has_value("mig.rate_20_24.female") and fb.has_value("mig.rate_20_24.male"):
                f20, m20 = fb.v("mig.rate_20_24.female"), fb.v("mig.rate_20_24.male")
                text += (
                    f"20〜24歳の純移動率は女性{fb.p('mig.rate_20_24.female')}%、"
                    f"男性{fb.p('mig.rate_20_24.male')}%である。"
                )
                if f20 < m20 and f20 < 0:
                    text += (
                        "女性の流出が男性より大きく、進学・就職期の転出が若年女性人口の減少を"
                        "加速させている可能性がある。"
                    )
                elif f20 < 0:
                    text += "進学・就職期の転出が若い世代の人口を減らしていると考えられる。"
            migration.append(text)
        s.blocks.append(Block("人口移動（若い世代・女性）", migration, ("net_migration_rate", "youth_migration")))
        # work and industry
        work = [self.indicator(f"ind.{i}") for i in fb.lists.get("indicators.work", [])]
        inds = fb.lists.get("industries", [])
        if inds:
            lead = "、".join(f"{fb.p(f'industry.{i}.name')}（{fb.p(f'industry.{i}.specialization')}倍）" for i in inds)
            year = fb.year(f"industry.{inds[0]}.name")
            work.append(
                self.pick(
                    "industry",
                    f"従業者数の特化係数（全国＝1）が高い産業は、{lead}である（{year}年）。",
                    f"{year}年の経済センサスでは、{lead}の特化係数（全国＝1）が高い。",
                )
            )
        s.blocks.append(Block("女性の就業と産業", work, ("specialization",)))
        living = [self.indicator(f"ind.{i}") for i in fb.lists.get("indicators.living", [])]
        s.blocks.append(Block("生活環境（買い物・医療・子育て）", living))
        for block in s.blocks:
            block.paragraphs = [p for p in block.paragraphs if p]
        return s

    def _walls(self) -> str:
        fb = self.fb
        gap, mf, ff = (fb.v(k) for k in ("walls.births_gap", "walls.marriage_factor", "walls.marital_fertility_factor"))
        text = (
            f"25〜39歳女性1人当たりの出生数の全国との差は、対数差で{fb.p('walls.births_gap')}である。"
            f"このうち結婚の要因（有配偶割合、{fb.p('walls.married_share')}%）が{fb.p('walls.marriage_factor')}、"
            f"夫婦の出生の要因が{fb.p('walls.marital_fertility_factor')}を占める。"
        )
        walls = []
        if fb.v("walls.is_marriage_wall"):
            walls.append("結婚の壁")
        if fb.v("walls.is_second_child_wall"):
            walls.append("第2子以降の壁（代理指標）")
        thr = fb.p("walls.threshold")
        if walls:
            text += f"要因が{thr}以下となる{'と'.join(walls)}がみられる。"
            text += "出生数の少なさは主に" + (
                "有配偶率の低さによるものと分解される。"
                if abs(mf) >= abs(ff)
                else "夫婦当たりの出生の少なさによるものと分解される。"
            )
        else:
            text += f"どちらの要因も{thr}以下ではなく、結婚の壁・第2子以降の壁は目立たない。"
        _ = gap
        return text

    def projection(self) -> Section:
        fb = self.fb
        s = Section("projection", "将来推計", charts=("scenarios",))
        if not fb.has_value("proj.pattern1.2050"):
            s.paragraphs.append(
                "将来推計のデータが読み込まれていないため、この節は表示できない（sousei build で作成される）。"
            )
            return s
        if fb.p("proj.unit") != "当該団体":
            s.notes.append(f"推計は{fb.p('proj.unit')}で行っており、数値は浜通り地域全体のものである。")
        text = self.pick(
            "proj.p1",
            f"パターン1では2050年の人口は{fb.p('proj.pattern1.2050')}人（2020年比{fb.p('proj.pattern1.2050.change')}%）となる。",
            f"パターン1（{fb.p('method.pattern1')}）によると、2050年の人口は{fb.p('proj.pattern1.2050')}人で、2020年から"
            f"{_change('proj.pattern1.2050.change', fb)}。",
        )
        if fb.has_value("proj.pattern1.2070"):
            text += f"2070年には{fb.p('proj.pattern1.2070')}人（同{fb.p('proj.pattern1.2070.change')}%）となる。"
        if fb.has_value("proj.sim1.2050") and fb.has_value("proj.sim2.2050"):
            text += (
                f"出生率が人口置換水準まで回復した場合（シミュレーション1）は{fb.p('proj.sim1.2050')}人、"
                f"さらに人口移動が均衡した場合（シミュレーション2）は{fb.p('proj.sim2.2050')}人である。"
            )
        s.paragraphs.append(text)
        if fb.has_value("impact.natural_level"):
            n, so = fb.v("impact.natural_level"), fb.v("impact.social_level")
            text = (
                f"{fb.p('impact.year')}年の影響度（5段階）は、自然増減が{fb.p('impact.natural_level')}"
                f"（シミュレーション1÷パターン1＝{fb.p('impact.natural_ratio')}%）、社会増減が{fb.p('impact.social_level')}"
                f"（シミュレーション2÷シミュレーション1＝{fb.p('impact.social_ratio')}%）である。"
            )
            if n > so:
                text += "出生率の向上が人口の将来により大きく効くと考えられる。"
            elif so > n:
                text += "人口移動の改善が人口の将来により大きく効くと考えられる。"
            else:
                text += "出生と人口移動の影響は同程度である。"
            s.paragraphs.append(text)
        if fb.has_value("proj.aging.2050"):
            s.paragraphs.append(
                f"年齢構成では、老年人口の割合が2020年の{fb.p('proj.aging.2020')}%から2050年には"
                f"{fb.p('proj.aging.2050')}%になる。"
            )
        if fb.has_value("sus.change_baseline"):
            b, cl = fb.v("sus.change_baseline"), fb.v("sus.change_closed")
            text = (
                f"20〜39歳女性人口は2020年の{fb.p('sus.women_2020')}人から2050年に{fb.p('sus.women_2050')}人"
                f"（{fb.p('sus.change_baseline')}%）となる。移動がないと仮定した封鎖人口では"
                f"{fb.p('sus.change_closed')}%であり、{fb.p('sus.method')}の分類では"
                f"「{fb.p('sus.group')}」（区分{fb.p('sus.sub_class')}）にあたる。"
            )
            if b < cl:
                text += "移動ありの減少が封鎖人口より大きく、若年女性の転出が将来の減少を大きくしていると考えられる。"
            elif b < 0:
                text += "移動ありの減少は封鎖人口より小さく、減少の主因は出生の少なさと考えられる。"
            else:
                text += "人口移動（転入）が若年女性人口を支えていると考えられる。"
            s.paragraphs.append(text)
        return s

    def future(self) -> Section:
        fb = self.fb
        s = Section("future", "地域の将来への影響")
        if "future.groups" not in fb.lists:
            s.paragraphs.append("将来推計のデータが読み込まれていないため、この節は表示できない。")
            return s
        for key in fb.lists["future.groups"]:
            label = fb.label(f"future.{key}.2020")
            c40 = fb.v(f"future.{key}.2040.change")
            text = self.pick(
                f"future.{key}",
                f"{label}は2020年の{fb.p(f'future.{key}.2020')}人から、2030年{fb.p(f'future.{key}.2030')}人、"
                f"2040年{fb.p(f'future.{key}.2040')}人、2050年{fb.p(f'future.{key}.2050')}人となる。",
                f"{label}は、2030年に{fb.p(f'future.{key}.2030')}人、2040年に{fb.p(f'future.{key}.2040')}人、"
                f"2050年に{fb.p(f'future.{key}.2050')}人と見込まれる（2020年は{fb.p(f'future.{key}.2020')}人）。",
            )
            if c40 is not None:
                text += f"2040年には2020年から{_change(f'future.{key}.2040.change', fb)}。"
            s.paragraphs.append(text)
        s.paragraphs.append("学校の配置、医療・介護の体制、担い手の確保を考える際の目安になる。")
        s.notes.append("5〜14歳は5歳階級の推計による小・中学生年代の目安であり、学齢とは一致しない。推計はパターン1。")
        return s

    def issues(self) -> Section:
        fb = self.fb
        s = Section("issues", "優先的に取り組む地域課題")
        s.paragraphs.append(
            f"各指標の最新年の偏差値（高いほど良い向き）が{fb.p('method.priority.level')}未満のもの、または前回からの"
            f"変化の偏差値が{fb.p('method.priority.trend')}未満のものを課題とし、分野ごとに最大"
            f"{fb.p('method.priority.per_family')}つ選んだ。順位は水準の差を最も重く、悪化の傾向に"
            f"{fb.p('method.priority.trend_weight')}、類似団体の中での弱さに{fb.p('method.priority.peer_weight')}の"
            "重みをかけて決めた（docs/methods/priority.md）。"
        )
        for n in fb.lists.get("issues", []):
            p = f"issue.{n}"
            text = f"【{n}】{self.issue_name(n)}（{fb.p(f'{p}.family')}）："
            text += self.indicator(p)
            text += f"選ばれた理由は「{BASIS_JA.get(fb.p(f'{p}.basis'), fb.p(f'{p}.basis'))}」である。"
            text += FAMILY_PATH.get(fb.p(f"{p}.family"), "")
            s.items.append(text)
        if not s.items:
            s.paragraphs.append("基準に当てはまる指標はなかった。")
        return s

    def peers(self) -> Section:
        fb = self.fb
        s = Section("peers", "参考になる自治体")
        s.paragraphs.append(
            f"優先課題ごとに、同じ類似団体区分（{fb.p('muni.peer_group')}）の中で、その指標の偏差値が"
            f"{fb.p('method.deviant')}以上の団体（水準が良い）と、変化の偏差値が{fb.p('method.deviant')}以上の団体"
            "（改善が大きい）を挙げる。取組の成果とは限らず、背景の違いを確かめたうえで参照されたい。"
        )
        for n in fb.lists.get("issues", [])[:3]:
            p = f"issue.{n}"
            unit = self.unit(p)
            better = fb.lists.get(f"peer.{n}.better", [])
            improved = fb.lists.get(f"peer.{n}.improved", [])
            text = f"{self.issue_name(n)}："
            if better:
                names = "、".join(
                    f"{fb.p(f'peer.{n}.better.{j}.name')}（{fb.p(f'peer.{n}.better.{j}.value')}{unit}、"
                    f"偏差値{fb.p(f'peer.{n}.better.{j}.oriented_peer')}）"
                    for j in better
                )
                text += f"水準が良いのは{names}である。"
            if improved:
                names = "、".join(
                    f"{fb.p(f'peer.{n}.improved.{j}.name')}（{fb.p(f'peer.{n}.improved.{j}.previous')}"
                    f"→{fb.p(f'peer.{n}.improved.{j}.value')}{unit}）"
                    for j in improved
                )
                text += f"改善が大きいのは{names}である。"
            if not better and not improved:
                text += "基準に当てはまる団体は見当たらなかった。"
            s.items.append(text)
        cases = fb.lists.get("cases", [])
        if cases:
            intro = (
                f"{fb.p('cases.source')}に掲載された好事例のうち、優先課題に関連する事例と類似団体の事例を挙げる"
                "（ダッシュボードの好事例タブと同じ選び方）。"
            )
            lines = [
                f"{fb.p(f'case.{k}.name')}（{fb.p(f'case.{k}.place')}）：{fb.p(f'case.{k}.reason')}。" for k in cases
            ]
            s.blocks.append(Block("課題に関連する好事例", [intro, *lines]))
        else:
            s.notes.append(
                f"{fb.p('cases.source')}の好事例に、この団体の優先課題や類似団体に当てはまるものはなかった。"
            )
        return s

    def sources(self) -> Section:
        fb = self.fb
        s = Section("sources", "出典・方法・限界")
        for sid in fb.lists.get("sources", []):
            f = fb.get(f"source.{sid}")
            assert f is not None
            s.items.append(f"{f.printed}（時点：{f.year}、利用条件：{f.comparison}）")
        lv = [fb.get(f"method.level.{i}") for i in range(4)]
        words = "、".join(f"{f.printed}以上「{f.label.split('：')[1]}」" for f in lv if f)  # type: ignore[union-attr]
        s.paragraphs.append(
            f"水準の表現は全国の市区町村に対する偏差値による（{words}、それ未満「低い水準」）。"
            f"増減が±{fb.p('method.flat')}%未満のときは「横ばい」とする。偏差値は指標の値そのものの高低を表し、"
            "優先課題の判定では「低いほど良い」指標の向きを反転している。"
        )
        s.paragraphs.append(
            f"将来推計のパターン1は{fb.p('method.pattern1')}である。シミュレーション1・2はパターン1と同じ仮定値から"
            "本プロジェクトのコーホート要因法（社人研方式、docs/methods/projection.md）で計算し、シミュレーション1は出生率が"
            "人口置換水準まで上昇した場合、シミュレーション2はそれに加え人口移動が"
            "均衡した場合である。出生の壁の分解は docs/methods/walls.md、人口移動は docs/methods/migration.md、"
            "優先課題は docs/methods/priority.md を参照。"
        )
        s.notes.append(
            "相関は因果を示さない。本文の「可能性がある」「考えられる」は推測であり、原因を断定するものではない。"
        )
        if fb.v("limits.unloaded_count"):
            s.notes.append(
                f"このウェアハウスにはデータが読み込まれていない指標が{fb.p('limits.unloaded_count')}ある"
                f"（{fb.p('limits.unloaded_examples')}など、出典：{fb.p('limits.unloaded_sources')}）。"
                "これらは本レポートに含まれない（e-Stat の表は sousei data estat で取得できる）。"
            )
        s.notes.append(
            "偏差値は他の市区町村との比較であり、目標との比較ではない。小規模な団体の率は年による振れが大きい。"
        )
        return s


def _change(key: str, fb: FactBook) -> str:
    """「12.3%減少する」, or 「ほぼ横ばい（+0.7%）となる」 within the stated ±1% band."""
    word = change_word(fb.v(key))
    if word == "横ばい":
        return f"ほぼ横ばい（{fb.p(key)}%）となる"
    return f"{unsigned(fb.p(key))}%{word}する"


def _relative(value: float, other: float, up: str, down: str) -> str:
    if value > other:
        return f"{up}の度合いが大きい" if value > 0 else f"{down}の度合いが小さい"
    if value < other:
        return f"{down}の度合いが大きい" if value < 0 else f"{up}の度合いが小さい"
    return "同程度である"


def write(fb: FactBook) -> list[Section]:
    """The seven sections of the report, in order."""
    w = Writer(fb)
    return [w.summary(), w.current(), w.projection(), w.future(), w.issues(), w.peers(), w.sources()]


def to_text(sections: list[Section]) -> str:
    """The narrative as plain text (Markdown headings): what the golden files hold and reviewers diff."""
    out: list[str] = []
    for s in sections:
        out.append(f"## {s.title}\n")
        out.extend(f"{p}\n" for p in s.paragraphs)
        for b in s.blocks:
            out.append(f"### {b.title}\n")
            out.extend(f"{p}\n" for p in b.paragraphs)
        out.extend(f"- {it}" for it in s.items)
        if s.items:
            out.append("")
        out.extend(f"※ {n}" for n in s.notes)
        if s.notes:
            out.append("")
    return "\n".join(out).rstrip() + "\n"
