"""伴走支援 operations on the desk database: registration, team-forming runs, locks, publication, surveys, views.

Each function takes an open session and the acting user, changes rows, writes the audit log; the caller commits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sousei.desk import audit, policy_fields
from sousei.desk.banso.models import (
    Application,
    ApplicationTheme,
    Lock,
    Member,
    MunicipalityEvaluation,
    Official,
    OfficialEvaluation,
    OfficialField,
    Run,
)
from sousei.desk.db import utcnow
from sousei.desk.ministries import ministry_name
from sousei.desk.models import Notification, User
from sousei.domain import evaluation, matching

FIELD_NAMES = {f.id: f.name for f in policy_fields.POLICY_FIELDS}

# Dashboard priority-issue families → the policy fields a team could work on for them (proposals only: the
# municipality decides). births/women_work: 少子化・子育て and 雇用; migration/population: 移住・定住 and 関係人口;
# economy: 産業振興 and 雇用; living (medical resources, food access, schools): 医療・福祉 and まちづくり.
FAMILY_FIELDS: dict[str, tuple[str, ...]] = {
    "births": ("childcare",),
    "women_work": ("employment", "childcare"),
    "migration": ("migration", "related_population"),
    "population": ("migration", "community"),
    "economy": ("industry", "employment"),
    "living": ("health_welfare", "town_planning"),
}


def propose_themes(priorities: Sequence[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """(field id, priority 1–3, the priority issue it comes from) from the dashboard's ranked priority issues."""
    out: dict[str, tuple[int, str]] = {}
    for rank, issue in enumerate(priorities):
        level = 3 if rank == 0 else 2 if rank < 3 else 1
        for field in FAMILY_FIELDS.get(issue.get("family", ""), ()):
            if field not in out or out[field][0] < level:
                out[field] = (level, str(issue.get("name", "")))
    return [(f, p, why) for f, (p, why) in sorted(out.items(), key=lambda kv: -kv[1][0])]


def save_official(db: Session, user: User, data: dict[str, Any], synthetic: bool = False) -> Official:
    official = db.scalar(select(Official).where(Official.user_id == user.id))
    before = _official_dict(official) if official else None
    if official is None:
        official = Official(user_id=user.id, is_synthetic=synthetic)
        db.add(official)
    official.name = data["name"]
    official.ministry_id = data["ministry_id"]
    official.stage = data["stage"]
    official.home_pref = data.get("home_pref")
    official.yukari = list(data.get("yukari", []))
    official.conflicts = list(data.get("conflicts", []))
    official.available = bool(data.get("available", True))
    official.availability_note = data.get("availability_note", "")
    official.updated_at = utcnow()
    official.strengths = [OfficialField(field_id=f, strength=s) for f, s in data["strengths"].items()]
    db.flush()
    audit.record(db, user, "banso.official.save", "banso_official", official.id, before, _official_dict(official))
    return official


def _official_dict(o: Official) -> dict[str, Any]:
    return {
        "name": o.name,
        "ministry_id": o.ministry_id,
        "stage": o.stage,
        "home_pref": o.home_pref,
        "yukari": o.yukari,
        "conflicts": o.conflicts,
        "available": o.available,
        "strengths": {f.field_id: f.strength for f in o.strengths},
    }


def save_application(db: Session, user: User | None, data: dict[str, Any], synthetic: bool = False) -> Application:
    app = db.scalar(select(Application).where(Application.muni_code == data["muni_code"]))
    before = _application_dict(app) if app else None
    if app is None:
        app = Application(muni_code=data["muni_code"], created_by=user.id if user else None, is_synthetic=synthetic)
        db.add(app)
    app.muni_name = data["muni_name"]
    app.problem = data.get("problem", "")
    app.continues = bool(data.get("continues", False))
    app.keep = list(data.get("keep", [])) if app.continues else []
    app.updated_at = utcnow()
    app.themes = [ApplicationTheme(field_id=f, priority=p) for f, p in data["themes"].items()]
    db.flush()
    if user is not None:
        audit.record(db, user, "banso.application.save", "banso_application", app.id, before, _application_dict(app))
    return app


def _application_dict(a: Application) -> dict[str, Any]:
    return {
        "muni_code": a.muni_code,
        "problem": a.problem,
        "continues": a.continues,
        "keep": a.keep,
        "themes": {t.field_id: t.priority for t in a.themes},
    }


def build_problem(db: Session, team_size: int = 3, weights: matching.Weights | None = None) -> matching.Problem:
    """The optimiser's input from the registered officials, the applications and the Secretariat's locks."""
    officials = db.scalars(select(Official).order_by(Official.id)).all()
    apps = db.scalars(select(Application).order_by(Application.muni_code)).all()
    locks = db.scalars(select(Lock)).all()
    code_of = {a.id: a.muni_code for a in apps}
    return matching.Problem(
        officials=[
            matching.Official(
                id=str(o.id),
                name=o.name,
                ministry=ministry_name(o.ministry_id),
                stage=o.stage,
                strengths={f.field_id: f.strength for f in o.strengths},
                home_pref=o.home_pref,
                yukari=frozenset(o.yukari),
                conflicts=frozenset(o.conflicts),
                available=o.available,
            )
            for o in officials
        ],
        municipalities=[
            matching.Municipality(
                code=a.muni_code,
                name=a.muni_name,
                themes={t.field_id: t.priority for t in a.themes},
                keep=tuple(str(i) for i in a.keep) if a.continues else (),
            )
            for a in apps
        ],
        team_size=team_size,
        weights=weights or matching.Weights(),
        locks=frozenset((str(lk.official_id), code_of[lk.application_id]) for lk in locks),
        field_names=FIELD_NAMES,
    )


def run_matching(
    db: Session,
    user: User | None,
    team_size: int = 3,
    time_limit: float = 10.0,
    weights: matching.Weights | None = None,
) -> Run:
    """Solve and store a run (teams, figures, findings, explanations); nothing is published."""
    problem = build_problem(db, team_size, weights)
    solution = matching.solve(problem, time_limit=time_limit)
    apps = {a.muni_code: a for a in db.scalars(select(Application)).all()}
    explanations = {}
    if solution.teams:
        for team in matching.explain(problem, solution):
            explanations[str(apps[team.code].id)] = asdict(team)
    run = Run(
        created_by=user.id if user else None,
        team_size=team_size,
        weights=asdict(problem.weights),
        status=solution.status,
        objective=_finite(solution.objective),
        bound=_finite(solution.bound),
        gap=_finite(solution.gap),
        seconds=solution.seconds,
        parts=dict(solution.parts),
        shortages=[asdict(s) for s in solution.shortages],
        message=solution.message,
        locks=[[int(o), apps[c].id] for o, c in sorted(problem.locks)],
        explanations=explanations,
    )
    run.members = [
        Member(official_id=int(oid), application_id=apps[code].id)
        for code, ids in solution.teams.items()
        for oid in ids
    ]
    db.add(run)
    db.flush()
    if user is not None:
        audit.record(
            db, user, "banso.run", "banso_run", run.id, None, {"status": run.status, "objective": run.objective}
        )
    return run


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None  # NaN (no plan) and ∞ (no bound) → NULL, shown as —


def set_lock(db: Session, user: User, official_id: int, application_id: int, locked: bool) -> None:
    db.execute(delete(Lock).where(Lock.official_id == official_id, Lock.application_id == application_id))
    if locked:
        db.add(Lock(official_id=official_id, application_id=application_id, created_by=user.id))
    audit.record(
        db,
        user,
        "banso.lock" if locked else "banso.unlock",
        "banso_lock",
        f"{official_id}:{application_id}",
        None,
        None,
    )


def publish(db: Session, user: User, run: Run) -> None:
    """Publish a run: it becomes the one both sides see; every member and municipality is notified."""
    if run.status == "infeasible" or not run.members:
        raise ValueError("編成できなかった実行結果は公表できません")
    for other in db.scalars(select(Run).where(Run.published_at.is_not(None))).all():
        other.published_at = None
    run.published_at = utcnow()
    apps = {a.id: a for a in db.scalars(select(Application)).all()}
    officials = {o.id: o for o in db.scalars(select(Official)).all()}
    for m in run.members:
        db.add(
            Notification(
                user_id=officials[m.official_id].user_id,
                message=f"伴走支援チーム（{apps[m.application_id].muni_name}）が公表されました",
                link="/desk/banso/team",
            )
        )
    for app_id in {m.application_id for m in run.members}:
        for u in db.scalars(select(User).where(User.muni_code == apps[app_id].muni_code)).all():
            db.add(Notification(user_id=u.id, message="伴走支援チームが公表されました", link="/desk/banso/team"))
    audit.record(db, user, "banso.publish", "banso_run", run.id, None, {"published": True})


def published_run(db: Session) -> Run | None:
    return db.scalar(select(Run).where(Run.published_at.is_not(None)))


def team_of(db: Session, user: User) -> tuple[Run, Application, list[Official]] | None:
    """The published team the user belongs to (a 支援官) or works for (the municipality); None otherwise."""
    run = published_run(db)
    if run is None:
        return None
    app_id: int | None = None
    if user.muni_code:
        app = db.scalar(select(Application).where(Application.muni_code == user.muni_code))
        if app is not None and any(m.application_id == app.id for m in run.members):
            app_id = app.id
    else:
        official = db.scalar(select(Official).where(Official.user_id == user.id))
        if official is not None:
            app_id = next((m.application_id for m in run.members if m.official_id == official.id), None)
    if app_id is None:
        return None
    application = db.get(Application, app_id)
    assert application is not None
    ids = [m.official_id for m in run.members if m.application_id == app_id]
    members = db.scalars(select(Official).where(Official.id.in_(ids)).order_by(Official.id)).all()
    return run, application, list(members)


def compare_runs(a: Run, b: Run, apps: dict[int, Application], officials: dict[int, Official]) -> list[dict[str, Any]]:
    """Per municipality: the members only in run a, only in run b, and in both."""
    team_a: dict[int, set[int]] = {}
    team_b: dict[int, set[int]] = {}
    for m in a.members:
        team_a.setdefault(m.application_id, set()).add(m.official_id)
    for m in b.members:
        team_b.setdefault(m.application_id, set()).add(m.official_id)
    rows = []
    for app_id in sorted(set(team_a) | set(team_b), key=lambda i: apps[i].muni_code):
        sa, sb = team_a.get(app_id, set()), team_b.get(app_id, set())
        rows.append(
            {
                "application": apps[app_id],
                "only_a": [officials[i] for i in sorted(sa - sb)],
                "only_b": [officials[i] for i in sorted(sb - sa)],
                "both": [officials[i] for i in sorted(sa & sb)],
                "changed": sa != sb,
            }
        )
    return rows


def save_muni_evaluation(db: Session, user: User, run: Run, app: Application, data: dict[str, Any]) -> None:
    row = db.scalar(
        select(MunicipalityEvaluation).where(
            MunicipalityEvaluation.run_id == run.id, MunicipalityEvaluation.application_id == app.id
        )
    )
    if row is None:
        row = MunicipalityEvaluation(run_id=run.id, application_id=app.id)
        db.add(row)
    row.user_id, row.rating, row.wants_continuation = user.id, data["rating"], data["wants_continuation"]
    row.years, row.change, row.at = data.get("years"), data.get("change", ""), utcnow()
    db.flush()
    audit.record(db, user, "banso.evaluate", "banso_muni_evaluation", row.id, None, {"rating": row.rating})


def save_official_evaluation(db: Session, user: User, run: Run, official: Official, data: dict[str, Any]) -> None:
    row = db.scalar(
        select(OfficialEvaluation).where(
            OfficialEvaluation.run_id == run.id, OfficialEvaluation.official_id == official.id
        )
    )
    if row is None:
        row = OfficialEvaluation(run_id=run.id, official_id=official.id)
        db.add(row)
    row.user_id, row.rating, row.reasons = user.id, data["rating"], list(data["reasons"])
    row.back_office, row.at = data["back_office"], utcnow()
    db.flush()
    audit.record(db, user, "banso.evaluate", "banso_official_evaluation", row.id, None, {"rating": row.rating})


def evaluation_views(db: Session) -> dict[str, Any]:
    """The deck's slides from the answers collected here (all runs), with by-field and by-ministry averages."""
    munis = db.scalars(select(MunicipalityEvaluation)).all()
    offs = db.scalars(select(OfficialEvaluation)).all()
    apps = {a.id: a for a in db.scalars(select(Application)).all()}
    officials = {o.id: o for o in db.scalars(select(Official)).all()}
    by_field = [
        (FIELD_NAMES.get(t.field_id, t.field_id), e.rating) for e in munis for t in apps[e.application_id].themes
    ]
    by_ministry = [(ministry_name(officials[e.official_id].ministry_id), e.rating) for e in offs]
    return {
        "muni_rating": evaluation.summarise_ratings(e.rating for e in munis),
        "continuation": evaluation.continuation_summary((e.wants_continuation, e.years) for e in munis),
        "official_rating": evaluation.summarise_ratings(e.rating for e in offs),
        "reasons": evaluation.reasons_table([e.reasons for e in offs]),
        "back_office": evaluation.back_office_summary(e.back_office for e in offs),
        "by_field": evaluation.mean_by_group(by_field),
        "by_ministry": evaluation.mean_by_group(by_ministry),
        "changes": [(apps[e.application_id].muni_name, e.change) for e in munis if e.change.strip()],
    }
