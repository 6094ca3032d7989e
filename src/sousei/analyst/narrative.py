"""The report's prose, written from the FactBook only (である調; every number is a fact's printed string).

Each finding has several phrasings, chosen by `phrasing.choose` from the municipality and the finding, so that the
wording varies between findings and between municipalities but never between runs. Magnitude words follow
`phrasing.LEVEL_WORDS` / `FLAT_CHANGE_PCT`; causes are hedged (「可能性がある」「考えられる」).

The sentence-level building blocks are in prose.py, the 人口の現状分析 section in narrative_current.py; this module
writes the other sections and assembles the report.
"""

from __future__ import annotations

from sousei.analyst.factbook import FactBook
from sousei.analyst.narrative_current import CurrentAnalysis
from sousei.analyst.numbers import unsigned
from sousei.analyst.phrasing import change_word
from sousei.analyst.prose import ISSUE_NAMES, REF_LABEL, Block, Prose, Section, change_phrase

SECTIONS = (
    ("summary", "要旨"),
    ("current", "人口の現状分析"),
    ("projection", "将来推計"),
    ("future", "地域の将来への影響"),
    ("issues", "優先的に取り組む地域課題"),
    ("peers", "参考になる自治体"),
    ("sources", "出典・方法・限界"),
)
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


class Writer(CurrentAnalysis):
    """Writes every section: 人口の現状分析 in narrative_current.py, the others here."""

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
                f"{change_phrase('proj.pattern1.2050.change', fb)}見込みである。"
            )
        if fb.has_value("sus.change_baseline"):
            s.items.append(
                f"20〜39歳女性人口は2020年から2050年に{change_phrase('sus.change_baseline', fb)}見込みで、"
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
            f"{change_phrase('proj.pattern1.2050.change', fb)}。",
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
                text += f"2040年には2020年から{change_phrase(f'future.{key}.2040.change', fb)}。"
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


# The report's names, and its building blocks' (prose.py, narrative_current.py), importable from here.
__all__ = [
    "BASIS_JA",
    "FAMILY_PATH",
    "ISSUE_NAMES",
    "REF_LABEL",
    "SECTIONS",
    "Block",
    "CurrentAnalysis",
    "Prose",
    "Section",
    "Writer",
    "to_text",
    "write",
]
