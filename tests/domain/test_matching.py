"""The 伴走支援 team optimiser: optimal against brute force, hard rules on every plan, shortages named, not crashed."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sousei.domain.matching import (
    STAGES,
    Municipality,
    Official,
    Problem,
    Weights,
    check_feasibility,
    explain,
    score_parts,
    solve,
    violations,
)
from sousei.domain.matching import teams as teams_module
from sousei.domain.matching.teams import SearchTooLarge, TeamTables
from sousei.domain.matching_synthetic import make_instance

FIELDS = ["観光", "産業振興", "まちづくり", "交通", "教育"]
MINISTRIES = ["総務省", "国土交通省", "農林水産省"]


def _total(parts: dict[str, float]) -> float:
    return parts["coverage"] + parts["yukari"] - parts["ministry_duplicate"] - parts["missing_stage"]


def _brute_force(problem: Problem) -> float | None:
    """Best objective over every plan that keeps the hard rules (None when there is none)."""
    k = problem.team_size
    ids = [o.id for o in problem.officials]
    best: float | None = None

    def plans(munis: Sequence[Municipality], left: list[str]):
        if not munis:
            yield {}
            return
        for team in itertools.combinations(left, k):
            rest = [i for i in left if i not in team]
            for tail in plans(munis[1:], rest):
                yield {munis[0].code: team, **tail}

    for plan in plans(list(problem.municipalities), ids):
        if violations(problem, plan):
            continue
        value = _total(score_parts(problem, plan))
        best = value if best is None else max(best, value)
    return best


official_st = st.builds(
    lambda n, ministry, stage, strengths, home, conflict_a, available: (
        ministry,
        stage,
        strengths,
        home,
        conflict_a,
        available,
    ),
    st.just(0),
    st.sampled_from(MINISTRIES),
    st.sampled_from(STAGES),
    st.dictionaries(st.sampled_from(FIELDS), st.integers(1, 3), min_size=1, max_size=3),
    st.sampled_from([None, "01", "13"]),
    st.booleans(),
    st.booleans(),
)


@st.composite
def small_problems(draw) -> Problem:
    k = draw(st.integers(1, 3))
    n_m = draw(st.integers(1, 2))
    n_o = draw(st.integers(k * n_m, min(7, k * n_m + 3)))
    munis = [
        Municipality(
            code=code,
            name=f"市町村{code}",
            themes=draw(st.dictionaries(st.sampled_from(FIELDS), st.integers(1, 3), min_size=1, max_size=4)),
        )
        for code in ["01100", "13101"][:n_m]
    ]
    officials = []
    for i in range(n_o):
        ministry, stage, strengths, home, conflict_a, available = draw(official_st)
        officials.append(
            Official(
                id=f"o{i}",
                name=f"架空{i}",
                ministry=ministry,
                stage=stage,
                strengths=strengths,
                home_pref=home,
                conflicts=frozenset({"01100"}) if conflict_a and i % 3 == 0 else frozenset(),
                available=available or i % 2 == 0,
            )
        )
    weights = Weights(
        ministry_duplicate=draw(st.sampled_from([0.0, 4.0, 20.0])),
        missing_stage=draw(st.sampled_from([0.0, 3.0])),
        yukari=draw(st.sampled_from([0.0, 1.0])),
    )
    return Problem(officials, munis, team_size=k, weights=weights)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_optimum_equals_brute_force_and_keeps_hard_rules(problem: Problem) -> None:
    best = _brute_force(problem)
    sol = solve(problem, time_limit=20)
    if best is None:
        assert sol.status == "infeasible"
        assert sol.teams == {}
        return
    assert sol.status == "optimal", sol.message
    assert violations(problem, sol.teams) == []
    assert sol.objective == pytest.approx(best)
    assert sol.gap == pytest.approx(0.0, abs=1e-6)
    assert sol.bound >= sol.objective


def _official(i: int, stage: str = "若手", ministry: str = "総務省", **kw) -> Official:
    return Official(
        id=f"o{i}", name=f"架空{i}", ministry=ministry, stage=stage, strengths=kw.pop("s", {"観光": 1}), **kw
    )


def test_short_supply_is_reported_not_raised() -> None:
    officials = [_official(i) for i in range(5)]
    munis = [Municipality("01100", "札幌市", {"観光": 3}), Municipality("13101", "千代田区", {"観光": 1})]
    sol = solve(Problem(officials, munis))
    assert sol.status == "infeasible"
    assert "参加可能な支援官が5人しかいません（2チーム×3人＝6人に対して）" in sol.message
    assert sol.teams == {}


def test_stage_shortage_names_the_stage_and_still_solves() -> None:
    stages = ["シニア"] * 2 + ["中堅"] * 7 + ["若手"] * 6
    officials = [_official(i, stage, MINISTRIES[i % 3]) for i, stage in enumerate(stages)]
    munis = [Municipality(f"0110{j}", f"市{j}", {"観光": 2}) for j in range(5)]
    sol = solve(Problem(officials, munis), time_limit=20)
    assert any(
        s.message.startswith("シニアが2人しかいません（5チームに対して）") and not s.blocking for s in sol.shortages
    )
    assert sol.status == "optimal"
    assert sol.parts["missing_stage"] == 3 * 3.0  # three teams cannot have a シニア
    texts = [b for team in explain(Problem(officials, munis), sol) for b in team.bent]
    assert sum("シニアが全体で2人しかいないため" in t for t in texts) == 3


def test_deck_scale_stage_shortage_message() -> None:
    """The deck's scale: 60 teams; with 41 シニア the check says so before any solving."""
    officials, munis = make_instance(180, [f"{j + 1:05d}" for j in range(60)], FIELDS, MINISTRIES, seed=3)
    seniors = 0
    relabelled = []
    for o in officials:
        if o.stage == "シニア":
            seniors += 1
            if seniors > 41:
                o = Official(o.id, o.name, o.ministry, "中堅", o.strengths)
        relabelled.append(o)
    messages = [s.message for s in check_feasibility(Problem(relabelled, munis))]
    assert "シニアが41人しかいません（60チームに対して）。少なくとも19チームはシニアなしになります" in messages


def test_conflicts_locks_and_continuation_are_honoured() -> None:
    officials = [_official(i, STAGES[i % 3], MINISTRIES[i % 3], s={FIELDS[i % 5]: 3}) for i in range(9)]
    officials[0] = _official(0, "若手", "総務省", s={"観光": 3}, conflicts=frozenset({"01100"}))
    munis = [
        Municipality("01100", "札幌市", {"観光": 3, "交通": 1}),
        Municipality("13101", "千代田区", {"教育": 2}, keep=("o4",)),
        Municipality("47201", "那覇市", {"まちづくり": 1}),
    ]
    problem = Problem(officials, munis, locks=frozenset({("o8", "01100")}), exclusions=frozenset({("o1", "47201")}))
    sol = solve(problem, time_limit=20)
    assert sol.status == "optimal"
    assert violations(problem, sol.teams) == []
    assert "o0" not in sol.teams["01100"]
    assert "o8" in sol.teams["01100"]
    assert "o4" in sol.teams["13101"]
    assert "o1" not in sol.teams["47201"]
    notes = {n.official_id: n for team in explain(problem, sol) for n in team.members}
    assert notes["o8"].fixed_by == "ロック" and notes["o4"].fixed_by == "継続"


def test_inconsistent_locks_are_named() -> None:
    officials = [_official(i, conflicts=frozenset({"01100"}) if i == 0 else frozenset()) for i in range(6)]
    munis = [Municipality("01100", "札幌市", {"観光": 3}), Municipality("13101", "千代田区", {"観光": 1})]
    problem = Problem(officials, munis, locks=frozenset({("o0", "01100"), ("o1", "01100"), ("o1", "13101")}))
    messages = [s.message for s in check_feasibility(problem) if s.blocking]
    assert any("架空0は札幌市を支援できない（利益相反）" in m for m in messages)
    assert any("架空1が複数のチーム" in m for m in messages)
    assert solve(problem).status == "infeasible"


def test_conflicts_that_leave_no_matching_are_found_by_the_flow_check() -> None:
    # Six officials for two teams of three, but four of them refuse 13101: only two can go there.
    officials = [_official(i, conflicts=frozenset({"13101"}) if i < 4 else frozenset()) for i in range(6)]
    munis = [Municipality("01100", "札幌市", {"観光": 3}), Municipality("13101", "千代田区", {"観光": 1})]
    sol = solve(Problem(officials, munis))
    assert sol.status == "infeasible"
    assert "千代田区（13101）を支援できる支援官が2人しかいません（3人必要）" in sol.message


def test_ministry_duplicate_forced_by_locks_is_explained() -> None:
    officials = [_official(i, STAGES[i % 3], "総務省" if i < 2 else "環境省") for i in range(3)]
    munis = [Municipality("01100", "札幌市", {"観光": 3})]
    problem = Problem(officials, munis, locks=frozenset({("o0", "01100"), ("o1", "01100")}))
    sol = solve(problem)
    (team,) = explain(problem, sol)
    assert sol.parts["ministry_duplicate"] == 4.0
    assert team.bent == ("同じ府省庁（総務省）から2人: 架空0（ロック）、架空1（ロック）が固定されているため",)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(3, 8), st.integers(0, 6))
def test_hard_rules_hold_on_synthetic_plans(seed: int, n_munis: int, extra: int) -> None:
    codes = [f"{j + 1:02d}100" for j in range(n_munis)]
    officials, munis = make_instance(3 * n_munis + extra, codes, FIELDS, MINISTRIES, seed=seed, conflict_rate=0.1)
    problem = Problem(
        officials,
        munis,
        locks=frozenset({(officials[0].id, codes[0])}) - {(o.id, c) for o in officials for c in o.conflicts},
    )
    sol = solve(problem, time_limit=10)
    if sol.status == "infeasible":
        assert any(s.blocking for s in sol.shortages) or sol.message
        return
    assert violations(problem, sol.teams) == []
    assert sol.bound >= sol.objective
    assert _total(score_parts(problem, sol.teams)) == pytest.approx(sol.objective)


def _teams_by_brute_force(problem: Problem, j: int, price: dict[str, float]) -> dict[tuple[str, ...], float]:
    """Every allowed team of municipality j (fixed members in, members fixed elsewhere out) with v − π(T)."""
    m = problem.municipalities[j]
    fixed = {(o, c) for o, c in problem.locks} | {(o, mm.code) for mm in problem.municipalities for o in mm.keep}
    elsewhere = {o for o, c in fixed if c != m.code}
    mine = {o for o, c in fixed if c == m.code}
    out = {}
    for team in itertools.combinations(problem.officials, problem.team_size):
        ids = {o.id for o in team}
        if not mine <= ids or ids & elsewhere:
            continue
        if any(not o.available or m.code in o.conflicts or (o.id, m.code) in problem.exclusions for o in team):
            continue
        single = Problem(list(team), [m], problem.team_size, problem.weights)
        value = _total(score_parts(single, {m.code: tuple(sorted(ids))}))
        out[tuple(sorted(ids))] = value - sum(price[i] for i in ids)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5, 4.0]), min_size=10, max_size=10), st.data())
def test_team_enumeration_is_exact(problem: Problem, prices: list[float], data: st.DataObject) -> None:
    """`teams_above` lists exactly the teams a brute force finds above the threshold, with the same net values."""
    tables = TeamTables.of(problem)
    price = np.array(prices[: len(problem.officials)])
    by_id = {o.id: float(price[i]) for i, o in enumerate(problem.officials)}
    for j in range(len(problem.municipalities)):
        expected = _teams_by_brute_force(problem, j, by_id)
        threshold = data.draw(st.sampled_from(sorted(expected.values()) or [0.0]))
        members, values = tables.teams_above(j, price, threshold)
        ids = [tuple(sorted(problem.officials[i].id for i in team)) for team in members]
        assert dict(zip(ids, values.tolist(), strict=True)) == pytest.approx(
            {t: v for t, v in expected.items() if v >= threshold - 1e-9}
        )
        if expected:
            best, best_values = tables.best_teams(j, price, -np.inf, 1)
            assert best_values[0] == pytest.approx(max(expected.values()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5, 4.0]), min_size=10, max_size=10), st.data())
def test_team_enumeration_with_a_locked_member_is_exact(
    problem: Problem, prices: list[float], data: st.DataObject
) -> None:
    """With a member fixed in, the search starts from a partial team whose stage penalty is not yet unavoidable:
    the pruning (value + own + best completion) must still keep every team above the threshold."""
    m = problem.municipalities[0]
    o = problem.officials[0]
    if problem.team_size < 2 or not o.available or m.code in o.conflicts:
        return
    problem = Problem(
        problem.officials, problem.municipalities, problem.team_size, problem.weights, locks=frozenset({(o.id, m.code)})
    )
    tables = TeamTables.of(problem)
    price = np.array(prices[: len(problem.officials)])
    expected = _teams_by_brute_force(problem, 0, {oo.id: float(price[i]) for i, oo in enumerate(problem.officials)})
    threshold = data.draw(st.sampled_from(sorted(expected.values()) or [0.0]))
    members, values = tables.teams_above(0, price, threshold)
    ids = [tuple(sorted(problem.officials[i].id for i in team)) for team in members]
    assert dict(zip(ids, values.tolist(), strict=True)) == pytest.approx(
        {t: v for t, v in expected.items() if v >= threshold - 1e-9}
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.lists(st.sampled_from([0.0, 1.0, 3.0, 7.0]), min_size=10, max_size=10))
def test_lagrangian_bound_is_above_the_optimum_for_any_prices(problem: Problem, prices: list[float]) -> None:
    best = _brute_force(problem)
    if best is None:
        return
    bound = TeamTables.of(problem).lagrangian_bound(np.array(prices[: len(problem.officials)]))
    assert bound >= best - 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_column_generation_path_keeps_rules_and_bounds_the_optimum(problem: Problem) -> None:
    """The large-problem path (column generation, rounding, sub-MILPs) forced on small problems."""
    best = _brute_force(problem)
    sol = solve(problem, time_limit=20, compact_up_to=0)
    if best is None:
        assert sol.status == "infeasible"
        return
    assert violations(problem, sol.teams) == []
    assert sol.objective == pytest.approx(_total(score_parts(problem, sol.teams)))
    assert sol.objective <= best + 1e-9 <= sol.bound + 2e-9
    assert sol.status != "optimal" or sol.objective == pytest.approx(best)


def test_column_generation_proves_a_small_gap_on_a_synthetic_instance() -> None:
    codes = [f"{j + 1:02d}100" for j in range(12)]
    officials, munis = make_instance(38, codes, FIELDS, MINISTRIES, seed=5)
    problem = Problem(officials, munis)
    sol = solve(problem, time_limit=30, compact_up_to=0)
    assert violations(problem, sol.teams) == []
    exact = solve(problem, time_limit=60, compact_up_to=len(munis))  # the compact MILP proves the optimum
    assert exact.status == "optimal"
    assert sol.objective <= exact.objective + 1e-9 <= sol.bound + 2e-9
    assert sol.gap <= 0.02


def test_best_team_among_many_alike_candidates_is_exact() -> None:
    """45 candidates of six kinds (strength × stage): the dominance reduction drops some and keeps the true best."""
    officials = [
        Official(
            id=f"o{i}",
            name=f"架空{i}",
            ministry=MINISTRIES[i % 3],  # with the stage: seven or eight alike of one ministry per kind
            stage=STAGES[i % 3],
            strengths={"観光": 3} if i % 2 else {"交通": 1},
            home_pref="01" if i % 5 == 0 else None,
        )
        for i in range(45)
    ]
    munis = [Municipality("01100", "札幌市", {"観光": 3, "産業振興": 2})]
    problem = Problem(officials, munis)
    tables = TeamTables.of(problem)
    for seed in range(3):
        price = np.random.default_rng(seed).choice([0.0, 0.5, 2.0, 6.0], size=len(officials))
        expected = _teams_by_brute_force(problem, 0, {o.id: float(price[i]) for i, o in enumerate(officials)})
        assert len(tables.undominated(0, price)) < len(officials)
        _members, values = tables.best_teams(0, price, -np.inf, 1)
        assert values[0] == pytest.approx(max(expected.values()))


def test_bounds_for_a_search_cut_short_stay_above_the_best_team(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the enumeration outgrows its limit, or time is short, the round still adds a valid upper bound."""
    officials, munis = make_instance(30, ["01100"], FIELDS, MINISTRIES, seed=2)
    problem = Problem(officials, munis)
    tables = TeamTables.of(problem)
    price = np.random.default_rng(0).choice([0.0, 1.0, 3.0], size=len(officials))
    expected = _teams_by_brute_force(problem, 0, {o.id: float(price[i]) for i, o in enumerate(officials)})
    best = max(expected.values())
    assert tables.optimistic(0, price) >= best - 1e-9
    monkeypatch.setattr(teams_module, "MAX_PARTIAL_TEAMS", 5)
    with pytest.raises(SearchTooLarge) as cut:
        tables.teams_above(0, price, -np.inf)
    assert best - 1e-9 <= cut.value.upper <= tables.optimistic(0, price) + 1e-9
