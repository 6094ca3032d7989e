"""Every team of one municipality worth at least a threshold, found exactly: the pricing step of column generation,
the Lagrangian bound that proves the gap, and the columns of the set-partitioning master.

A team T of municipality j is worth v_j(T) = Σ_f priority(j,f) × max_{i∈T} strength(i,f) + ゆかり bonuses
− ministry-duplicate and missing-stage penalties (the objective's own terms, `model.score_parts`). Given prices
π_i ≥ 0 on the officials, `teams_above` lists every allowed team with v_j(T) − Σ_{i∈T} π_i ≥ θ. It enumerates
partial teams level by level over the candidates sorted by their own net value, and drops a partial team when even
its best completion — its coverage so far plus the next candidates' own values (a member adds at most its own
coverage), less the penalties it can no longer avoid — stays below θ. Nothing above θ is ever dropped.

The Lagrangian bound: for any π ≥ 0, every plan's objective ≤ Σ_i π_i + Σ_j max_T [v_j(T) − π(T)], because each
official sits in at most one team. With the maxima found exactly this is a proven upper bound for any π; column
generation supplies prices that make it tight (docs/methods/banso_matching.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sousei.domain.matching.model import Problem, allowed, fixed_pairs, is_yukari, stage_rule_size

MAX_PARTIAL_TEAMS = 200_000  # beyond this the prices are too flat for an exact search to pay (SearchTooLarge)
QUICK_CANDIDATES = 12  # candidates searched first, for a threshold and for the cheap pricing rounds
QUICK_PER_STAGE = 3  # and the best few of each career stage among them
CHEAP_CANDIDATES = 40  # candidates searched in the cheap pricing rounds (exact rounds search all)


class SearchTooLarge(Exception):
    """The enumeration outgrew MAX_PARTIAL_TEAMS; `upper` is still a proven upper bound on every team's net value
    (the best completion among the partial teams left, the same bound the pruning uses)."""

    def __init__(self, upper: float) -> None:
        super().__init__(f"too many partial teams; no team is worth more than {upper:g}")
        self.upper = upper


@dataclass(frozen=True)
class Municipal:
    """One municipality's view of the officials: the candidates, their strengths on its themes and ゆかり."""

    fixed: np.ndarray  # official indices fixed into this team (locks, continuation)
    candidates: np.ndarray  # the other officials allowed here and not fixed into another team
    strength: np.ndarray  # (officials, themes): strength on this municipality's themes, 0 where none
    priority: np.ndarray  # (themes,)
    bonus: np.ndarray  # (officials,): the ゆかり bonus here


@dataclass(frozen=True)
class TeamTables:
    """The problem as arrays, built once per solve."""

    ministry: np.ndarray  # (officials,) ministry id
    stage: np.ndarray  # (officials,) career-stage id
    team_size: int
    stages_wanted: int  # distinct stages a full team should hold (model.stage_rule_size)
    ministry_weight: float
    stage_weight: float
    municipal: tuple[Municipal, ...]

    @classmethod
    def of(cls, problem: Problem) -> TeamTables:
        officials = list(problem.officials)
        index = {o.id: i for i, o in enumerate(officials)}
        ministry_id = {m: c for c, m in enumerate(sorted({o.ministry for o in officials}))}
        stage_id = {s: c for c, s in enumerate(sorted({o.stage for o in officials}))}
        fixed = fixed_pairs(problem)
        fixed_somewhere = {index[o] for o, _code in fixed if o in index}
        views = []
        for m in problem.municipalities:
            themes = list(m.themes)
            strength = np.array([[o.strengths.get(f, 0) for f in themes] for o in officials], dtype=float)
            views.append(
                Municipal(
                    fixed=np.array(sorted(index[o] for o, code in fixed if code == m.code and o in index), dtype=int),
                    candidates=np.array(
                        [i for i, o in enumerate(officials) if i not in fixed_somewhere and allowed(o, m, problem)],
                        dtype=int,
                    ),
                    strength=strength.reshape(len(officials), len(themes)),
                    priority=np.array([float(m.themes[f]) for f in themes]),
                    bonus=np.array([problem.weights.yukari if is_yukari(o, m) else 0.0 for o in officials]),
                )
            )
        wanted = stage_rule_size(problem.team_size)
        return cls(
            ministry=np.array([ministry_id[o.ministry] for o in officials], dtype=np.int64),
            stage=np.array([stage_id[o.stage] for o in officials], dtype=np.int64),
            team_size=problem.team_size,
            stages_wanted=wanted,
            ministry_weight=problem.weights.ministry_duplicate,
            stage_weight=problem.weights.missing_stage if wanted > 1 else 0.0,
            municipal=tuple(views),
        )

    def value(self, j: int, members: np.ndarray) -> float:
        """v_j(T) for one team (official indices), by the same arithmetic as the enumeration."""
        view = self.municipal[j]
        members = np.asarray(members, dtype=int)
        cover = view.strength[members].max(axis=0, initial=0.0) @ view.priority
        duplicates = len(members) - len(set(self.ministry[members].tolist()))
        missing = max(0, self.stages_wanted - len(set(self.stage[members].tolist())))
        return float(
            cover + view.bonus[members].sum() - self.ministry_weight * duplicates - self.stage_weight * missing
        )

    def teams_above(
        self, j: int, price: np.ndarray, threshold: float, candidates: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every allowed team of municipality j with v_j(T) − π(T) ≥ threshold: (members (teams × k), net values).

        `candidates` restricts the search (for a quick threshold); by default every allowed official is searched.
        """
        view = self.municipal[j]
        cand = view.candidates if candidates is None else candidates
        own = view.strength[cand] @ view.priority + view.bonus[cand] - price[cand]
        order = np.argsort(-own, kind="stable")
        cand, own = cand[order], own[order]
        n = len(cand)
        prefix = np.concatenate([[0.0], np.cumsum(own)])
        position = np.arange(n)
        fx = view.fixed
        members = fx.reshape(1, len(fx))
        cover = view.strength[fx].max(axis=0, initial=0.0)[None, :]
        flat = np.array([view.bonus[fx].sum() - price[fx].sum()])
        last = np.array([-1])
        duplicates = np.array([float(len(fx) - len(set(self.ministry[fx].tolist())))])
        stage_mask = np.array([int(np.bitwise_or.reduce(1 << self.stage[fx])) if len(fx) else 0], dtype=np.int64)
        to_add = self.team_size - len(fx)
        value = (
            cover @ view.priority
            + flat
            - self.ministry_weight * duplicates
            - self.stage_weight * np.maximum(0, self.stages_wanted - _popcount(stage_mask) - to_add)
        )  # the penalties no completion can avoid, as at every level below
        for level in range(to_add):
            left = to_add - level - 1  # members still to add after this one
            # Adding a member raises the value by at most its own net value and no penalty falls away, so a pair
            # (partial team, next candidate) whose value + own + the best completion after it stays below θ is
            # dropped before its coverage is computed (own is sorted, so the completion is a prefix-sum slice).
            after = np.where(
                position + 1 + left <= n, prefix[np.minimum(position + 1 + left, n)] - prefix[position + 1], -np.inf
            )
            promising = value[:, None] + (own + after)[None, :] >= threshold - 1e-9
            parent, q = np.nonzero(promising & (position[None, :] > last[:, None]))
            added = cand[q]
            cover = np.maximum(cover[parent], view.strength[added])
            flat = flat[parent] + view.bonus[added] - price[added]
            duplicates = duplicates[parent] + (self.ministry[members[parent]] == self.ministry[added][:, None]).any(
                axis=1
            )
            stage_mask = stage_mask[parent] | (1 << self.stage[added])
            unavoidable = np.maximum(0, self.stages_wanted - _popcount(stage_mask) - left)
            value = cover @ view.priority + flat - self.ministry_weight * duplicates - self.stage_weight * unavoidable
            # Best completion: the next `left` candidates in order are the largest own values still available.
            end = q + 1 + left
            completion = np.where(end <= n, prefix[np.minimum(end, n)] - prefix[np.minimum(q + 1, n)], -np.inf)
            keep = value + completion >= threshold - 1e-9
            if keep.sum() > MAX_PARTIAL_TEAMS:  # no team is worth more than the best partial team's completion
                raise SearchTooLarge(float((value + completion)[keep].max()))
            members = np.concatenate([members[parent[keep]], added[keep][:, None]], axis=1)
            cover, flat, duplicates, stage_mask = cover[keep], flat[keep], duplicates[keep], stage_mask[keep]
            value, last = value[keep], q[keep]
        keep = value >= threshold - 1e-9
        return members[keep], value[keep]

    def lagrangian_bound(self, price: np.ndarray) -> float:
        """Σ_i π_i + Σ_j max_T [v_j(T) − π(T)]: above every plan's objective for any prices π ≥ 0 (see the module
        docstring); −inf when some municipality has no allowed team (no plan exists)."""
        bound = float(price.sum())
        for j in range(len(self.municipal)):
            _members, values = self.best_teams(j, price, -np.inf, 1)
            if not len(values):
                return -np.inf
            bound += float(values[0])
        return bound

    def optimistic(self, j: int, price: np.ndarray) -> float:
        """A quick upper bound on max_T [v_j(T) − π(T)]: the fixed members' part plus the best own net values of
        the rest (a member adds at most its own coverage; penalties are ≥ 0). For a round short of time."""
        view = self.municipal[j]
        cand, fx = view.candidates, view.fixed
        to_add = self.team_size - len(fx)
        if len(cand) < to_add:
            return -np.inf
        own = view.strength[cand] @ view.priority + view.bonus[cand] - price[cand]
        fixed_part = view.strength[fx].max(axis=0, initial=0.0) @ view.priority + view.bonus[fx].sum() - price[fx].sum()
        return float(fixed_part + np.sort(own)[::-1][:to_add].sum())

    def undominated(self, j: int, price: np.ndarray) -> np.ndarray:
        """The candidates that can be in a best team. Officials alike for this municipality (same strengths on its
        themes, same career stage) differ only in ministry and net bonus (ゆかり − price). A best team's member can
        be swapped for a better one of the same ministry not in the team, and a member of a ministry outside the k
        best of its kind for the best of one of those k that the other members do not hold; so the k best of each
        of the k best ministries of each kind reach the maximum (teams merely above a threshold may be dropped)."""
        view = self.municipal[j]
        cand = view.candidates
        k = self.team_size
        if len(cand) <= k * k:
            return cand
        order = np.argsort(-(view.bonus[cand] - price[cand]), kind="stable")
        kinds: dict[tuple[float | int, ...], dict[int, list[int]]] = {}
        for i in cand[order].tolist():
            by_ministry = kinds.setdefault((*view.strength[i].tolist(), int(self.stage[i])), {})
            ministry = int(self.ministry[i])
            if ministry in by_ministry:
                if len(by_ministry[ministry]) < k:
                    by_ministry[ministry].append(i)
            elif len(by_ministry) < k:  # ministries arrive in the order of their best member's net bonus
                by_ministry[ministry] = [i]
        return np.array(sorted(i for kind in kinds.values() for ids in kind.values() for i in ids), dtype=int)

    def quick_candidates(self, j: int, price: np.ndarray, n: int) -> np.ndarray:
        """The candidates most likely to form the best teams: the n of highest own net value, and the best few of
        every career stage (a team short of a stage pays for it)."""
        view = self.municipal[j]
        cand = view.candidates
        own = view.strength[cand] @ view.priority + view.bonus[cand] - price[cand]
        order = np.argsort(-own, kind="stable")
        picked = set(cand[order[:n]].tolist())
        for stage in np.unique(self.stage[cand]):
            picked.update(cand[order][self.stage[cand[order]] == stage][:QUICK_PER_STAGE].tolist())
        return np.array(sorted(picked), dtype=int)

    def best_teams(
        self, j: int, price: np.ndarray, floor: float, count: int, exact: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `count` best teams by net value, best first; with `exact`, the first is the best of all teams.

        `floor` is a value some team is known to reach (the master's dual μ_j). The exact search starts from the
        count-th best team among the quick candidates, a value some team reaches as well, so it prunes from the
        start; without `exact` only the quick candidates are searched (cheap, for the first rounds).
        """
        quick = self.quick_candidates(j, price, QUICK_CANDIDATES)
        members, values = self.teams_above(j, price, -np.inf, candidates=quick)
        if not exact:
            threshold = max(floor, float(np.sort(values)[-min(count, len(values))]) if len(values) else -np.inf)
            cheap = self.quick_candidates(j, price, CHEAP_CANDIDATES)
            members, values = self.teams_above(j, price, threshold - 1e-6, candidates=cheap)
        else:
            threshold = float(np.sort(values)[-min(count, len(values))]) if len(values) else -np.inf
            kept = self.undominated(j, price)
            members, values = self.teams_above(j, price, max(threshold, floor - 1e-6), candidates=kept)
            if not len(values):  # the floor was a hair above the true maximum (solver tolerances)
                members, values = self.teams_above(j, price, threshold, candidates=kept)
        order = np.argsort(-values, kind="stable")[:count]
        return members[order], values[order]


def _popcount(mask: np.ndarray) -> np.ndarray:
    """Distinct stages in each bit mask (one bit per stage id); a table look-up, as masks stay below 2**stages."""
    table = np.array([bin(m).count("1") for m in range(int(mask.max(initial=0)) + 1)], dtype=np.int64)
    return table[mask]
