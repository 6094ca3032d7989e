"""`sousei desk demo`: a SEPARATE demo database with invented 支援官 and applications from real municipalities.

Everyone made here is fictitious: names start with 「架空」, e-mails end in @demo.invalid, rows carry is_synthetic.
The demo refuses the real desk database (SOUSEI_DESK_DB_URL, else var/desk.sqlite3) and any database that already
has the desk's tables (real accounts or not): it only ever creates a new database, so nothing synthetic enters a
real one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from sousei.desk import ministries, policy_fields
from sousei.desk.banso import service
from sousei.desk.db import database_url, make_engine, make_sessionmaker, write_session
from sousei.desk.migrate import upgrade
from sousei.desk.models import User
from sousei.desk.roles import Role
from sousei.desk.security import hash_password
from sousei.domain.matching_synthetic import SYNTHETIC_PREFIX, make_instance

DEFAULT_DEMO = Path("var/desk-demo.sqlite3")
DEMO_DOMAIN = "demo.invalid"  # RFC 2606: never a real mailbox


class DemoRefused(Exception):
    pass


def demo_url() -> str:
    return f"sqlite:///{DEFAULT_DEMO}"


def _same_database(a: str, b: str) -> bool:
    ua, ub = make_url(a), make_url(b)
    if ua.get_backend_name() == "sqlite" and ub.get_backend_name() == "sqlite":
        return Path(ua.database or "").resolve() == Path(ub.database or "").resolve()
    return ua.render_as_string(hide_password=True) == ub.render_as_string(hide_password=True)


def fill_demo(
    url: str, wh: Any, n_officials: int = 180, n_munis: int = 60, seed: int = 0, password: str = "demo-password-2025"
) -> dict[str, Any]:
    """Create (or refill) the demo database: one 事務局 account, municipality accounts, 支援官 accounts and records."""
    if _same_database(url, database_url()):
        raise DemoRefused(
            f"デモは実運用のデータベース（{database_url()}）には作成しません。"
            "--url で別のデータベースを指定してください"
        )
    engine = make_engine(url)
    existing = inspect(engine).has_table("desk_users")
    if existing:
        with make_sessionmaker(engine)() as db:
            real = db.scalars(select(User).where(~User.email.endswith("@" + DEMO_DOMAIN))).first()
            any_user = db.scalars(select(User)).first()
        engine.dispose()
        if real is not None:
            raise DemoRefused(f"このデータベースには実在の利用者（{real.email}）がいます: デモデータは入れません")
        if any_user is not None:
            raise DemoRefused("デモデータベースは作成済みです。作り直すときはファイルを削除してください")
        raise DemoRefused("初期化済みのデスクのデータベースです: デモは新しいデータベースにだけ作成します")
    upgrade(url)
    factory = make_sessionmaker(engine)
    try:
        with write_session(factory) as db:
            rng = np.random.default_rng(seed)
            candidates = [m for m in wh.municipalities() if m["kind"] in ("町", "村")]
            picked = [candidates[i] for i in sorted(rng.choice(len(candidates), size=n_munis, replace=False))]
            field_ids = [f.id for f in policy_fields.POLICY_FIELDS if f.id != "other"]
            officials, _ = make_instance(
                n_officials,
                [m["muni_code"] for m in picked],
                field_ids,
                [m.id for m in ministries.MINISTRIES],
                seed=seed,
            )
            hashed = hash_password(password)  # one hash for every demo account: they share the demo password
            db.add(
                User(
                    email=f"secretariat@{DEMO_DOMAIN}",
                    display_name=f"{SYNTHETIC_PREFIX}事務局",
                    role=Role.SECRETARIAT.value,
                    password_hash=hashed,
                )
            )
            for m in picked:
                user = User(
                    email=f"muni-{m['muni_code']}@{DEMO_DOMAIN}",
                    display_name=f"{SYNTHETIC_PREFIX}担当者",
                    role=Role.MUNICIPALITY.value,
                    muni_code=m["muni_code"],
                    password_hash=hashed,
                )
                db.add(user)
                db.flush()
                proposed = service.propose_themes(wh.priority_issues(m["muni_code"]))[:3]
                themes = {f: p for f, p, _ in proposed}
                extra = field_ids[int(rng.integers(0, 5))]  # 観光・産業振興・まちづくり… lead in the deck
                themes.setdefault(extra, int(rng.integers(1, 4)))
                service.save_application(
                    db,
                    user,
                    {
                        "muni_code": m["muni_code"],
                        "muni_name": f"{m['pref_name']}{m['name']}",
                        "problem": f"（{SYNTHETIC_PREFIX}の申請）ダッシュボードの優先課題にもとづく支援テーマ",
                        "themes": themes,
                    },
                    synthetic=True,
                )
            for o in officials:
                user = User(
                    email=f"official-{o.id.lower()}@{DEMO_DOMAIN}",
                    display_name=o.name,
                    role=Role.MINISTRY.value,
                    ministry_id=o.ministry,
                    password_hash=hashed,
                )
                db.add(user)
                db.flush()
                service.save_official(
                    db,
                    user,
                    {
                        "name": o.name,
                        "ministry_id": o.ministry,
                        "stage": o.stage,
                        "home_pref": o.home_pref,
                        "yukari": sorted(o.yukari),
                        "conflicts": sorted(o.conflicts),
                        "strengths": dict(o.strengths),
                        "availability_note": "勤務時間の1～2割",
                    },
                    synthetic=True,
                )
            db.commit()
            return {
                "officials": len(officials),
                "municipalities": len(picked),
                "password": password,
                "secretariat": f"secretariat@{DEMO_DOMAIN}",
            }
    finally:
        engine.dispose()
