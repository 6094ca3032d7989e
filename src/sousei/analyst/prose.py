"""The building blocks of the report's prose (である調), shared by its sections: the Section and Block it is made
of, a figure's unit, its comparison with 全国 / 県 / 類似団体平均, an indicator in one to three sentences, a priority
issue's name, a change in words. Phrasings are chosen by `phrasing.choose` (stable per municipality and finding)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sousei.analyst.factbook import FactBook
from sousei.analyst.numbers import unsigned
from sousei.analyst.phrasing import change_word, choose, level_word

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


class Prose:
    """What every section writer builds on: the FactBook and the sentence-level building blocks."""

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


def change_phrase(key: str, fb: FactBook) -> str:
    """「12.3%減少する」, or 「ほぼ横ばい（+0.7%）となる」 within the stated ±1% band."""
    word = change_word(fb.v(key))
    if word == "横ばい":
        return f"ほぼ横ばい（{fb.p(key)}%）となる"
    return f"{unsigned(fb.p(key))}%{word}する"


def relative_phrase(value: float, other: float, up: str, down: str) -> str:
    if value > other:
        return f"{up}の度合いが大きい" if value > 0 else f"{down}の度合いが小さい"
    if value < other:
        return f"{down}の度合いが大きい" if value < 0 else f"{up}の度合いが小さい"
    return "同程度である"
