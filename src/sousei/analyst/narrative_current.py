"""The report's 人口の現状分析 section: population and age structure, natural and social change, births and the
two walls, migration of the young and of women, women's work and industry, the living environment."""

from __future__ import annotations

from sousei.analyst.numbers import unsigned
from sousei.analyst.phrasing import change_word
from sousei.analyst.prose import Block, Prose, Section, relative_phrase


class CurrentAnalysis(Prose):
    """Writes 人口の現状分析 (`current`) from the FactBook."""

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
                + relative_phrase(fb.v(f"{recent}.self"), fb.v(f"{recent}.pref"), "増加", "減少")
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
