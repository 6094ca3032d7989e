"""Desk load benchmark: 50 simulated users log in, submit, share, answer and read カルテ for 30 s against uvicorn
on 127.0.0.1, on SQLite and on PostgreSQL. It ends by checking that every submission was stored exactly once.

Users: 30 municipality staff (30 different municipalities), 10 Secretariat staff (each shares its own slice of
the received カルテ, so two never share the same one at once), 10 ministry staff (5 ministries × 2).
Prints per backend: requests, requests/s, p50/p99 latency per action, errors (any unexpected status or failed
connection), and the stored-exactly-once check.

    python bench/desk.py [--db var/sousei.duckdb] [--backend sqlite|postgresql|both] [--users 50] [--seconds 30]
                         [--workers 1] [--pg-url URL]   # without --pg-url, scripts/postgres.sh start --durable
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from sousei.desk import accounts
from sousei.desk.db import make_engine, make_sessionmaker, write_session
from sousei.desk.migrate import upgrade
from sousei.desk.models import Answer, Karte, KarteShare
from sousei.query import Warehouse

PASSWORD = "bench-password-long-enough"
MINISTRIES = ["mlit", "maff", "meti", "mhlw", "env"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
KARTE = re.compile(r'data-karte="(\d+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to give the server's CPU per request."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000 if xs else float("nan")


class Stats:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.submitted: list[str] = []
        self.work_started: list[float] = []
        self.server_pid = 0
        self.cpu_at_start = 0.0
        self.cpu_at_end = 0.0

    async def call(self, name: str, want: set[int], coro) -> httpx.Response | None:  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            r = await coro
        except httpx.HTTPError as exc:
            self.errors.append(f"{name}: {type(exc).__name__}")
            return None
        self.lat[name].append(time.perf_counter() - t)
        if r.status_code not in want:
            self.errors.append(f"{name}: HTTP {r.status_code}")
            return None
        return r


def _karte_form(tag: str, csrf: str) -> dict[str, object]:
    return {
        "csrf_token": csrf, "title": f"負荷試験 {tag}", "issue": "二次交通の不足", "idea": "AIデマンド交通×観光DX",
        "support_wanted": "施策の紹介", "contact_name": "担当", "contact_email": "bench@example.lg.jp",
        "fields": ["tourism", "transport"], "element_kind_0": "施策", "element_field_0": "tourism",
        "element_desc_0": "観光DX", "element_kind_1": "技術", "element_field_1": "transport",
        "element_desc_1": "AIデマンド交通", "action": "submit",
    }  # fmt: skip


async def _login(client: httpx.AsyncClient, email: str, stats: Stats) -> str | None:
    page = await stats.call("login page", {200}, client.get("/desk/login"))
    if page is None:
        return None
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = await stats.call("login", {303}, client.post("/desk/login", data={"email": email, "password": PASSWORD,
                                                                           "csrf_token": token}))  # fmt: skip
    if r is None:
        return None
    home = await stats.call("read home", {200}, client.get("/desk/"))
    return CSRF.search(home.text).group(1) if home is not None else None  # type: ignore[union-attr]


async def _user(base: str, role: str, email: str, index: int, n_sec: int, seconds: float, stats: Stats,
                logged_in: asyncio.Barrier) -> None:  # fmt: skip
    rnd = random.Random(index)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        csrf = await _login(client, email, stats)
        # Everyone logs in at once first (argon2 is slow on purpose), then the timed 30 s of work start together.
        await logged_in.wait()
        stats.work_started.append(time.perf_counter())
        if len(stats.work_started) == 1 and stats.server_pid:
            stats.cpu_at_start = _cpu_seconds(stats.server_pid)
        stop = stats.work_started[-1] + seconds
        if csrf is None:
            return
        while time.perf_counter() < stop:
            if role == "municipality":
                tag = uuid.uuid4().hex
                r = await stats.call("submit", {303}, client.post("/desk/karte", data=_karte_form(tag, csrf)))
                if r is not None:
                    stats.submitted.append(tag)
                    await stats.call("read karte", {200}, client.get(r.headers["location"]))
                await stats.call("read list", {200}, client.get("/desk/karte"))
            elif role == "secretariat":
                r = await stats.call("read list", {200}, client.get("/desk/karte?status=received"))
                mine = [k for k in KARTE.findall(r.text) if int(k) % n_sec == index] if r is not None else []
                if not mine:
                    await asyncio.sleep(0.05)
                    continue
                kid = rnd.choice(mine)
                page = await stats.call("read karte", {200}, client.get(f"/desk/karte/{kid}"))
                if page is None:
                    continue
                version = VERSION.search(page.text).group(1)  # type: ignore[union-attr]
                await stats.call("share", {303}, client.post(f"/desk/karte/{kid}/share", data={
                    "csrf_token": csrf, "version": version, "ministries": rnd.choice(MINISTRIES)}))  # fmt: skip
            else:
                r = await stats.call("read list", {200}, client.get("/desk/karte?status=shared"))
                ids = KARTE.findall(r.text) if r is not None else []
                if not ids:
                    await asyncio.sleep(0.05)
                    continue
                kid = rnd.choice(ids[:20])
                if await stats.call("read karte", {200}, client.get(f"/desk/karte/{kid}")) is None:
                    continue
                answer = {"csrf_token": csrf, "measure_name": "地域公共交通確保維持改善事業", "comment": "活用できます"}
                await stats.call("answer", {303}, client.post(f"/desk/karte/{kid}/answer", data=answer))


def _setup(url: str, wh: Warehouse, users: int) -> list[tuple[str, str]]:
    """Migrate and create the users; returns (role, email) in the order they will run."""
    upgrade(url)
    n_muni = users * 3 // 5
    n_sec = users // 5
    n_min = users - n_muni - n_sec
    codes = [m["muni_code"] for m in wh.municipalities()][:: max(1, 1741 // max(n_muni, 1))][:n_muni]
    engine = make_engine(url)
    out: list[tuple[str, str]] = []
    with write_session(make_sessionmaker(engine)) as db:
        plan = ([("municipality", c, None) for c in codes] + [("secretariat", None, None)] * n_sec
                + [("ministry", None, MINISTRIES[i % len(MINISTRIES)]) for i in range(n_min)])  # fmt: skip
        for i, (role, code, ministry) in enumerate(plan):
            email = f"{role}{i}@bench.example.jp"
            accounts.create_user(
                db,
                None,
                email=email,
                role=role,
                password=PASSWORD,
                muni_code=code,
                ministry=ministry,
                muni_name=lambda c: (wh.municipality(c) or {}).get("name"),
            )
            out.append((role, email))
        db.commit()
    engine.dispose()
    return out


def _run(backend: str, url: str, db: Path, users: int, seconds: float, workers: int) -> bool:
    wh = Warehouse(db)
    plan = _setup(url, wh, users)
    wh.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SOUSEI_DB": str(db.resolve()), "SOUSEI_DESK_DB_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "sousei.web.main:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--no-access-log",
                             "--workers", str(workers)], env=env)  # fmt: skip
    stats = Stats()
    stats.server_pid = proc.pid if workers == 1 else 0
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/desk/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        n_sec = sum(1 for role, _ in plan if role == "secretariat")
        sec_index = iter(range(n_sec))
        started = time.perf_counter()

        async def everyone() -> None:
            barrier = asyncio.Barrier(len(plan))
            await asyncio.gather(*(
                _user(base, role, email, next(sec_index) if role == "secretariat" else i, n_sec, seconds, stats,
                      barrier)
                for i, (role, email) in enumerate(plan)
            ))  # fmt: skip

        asyncio.run(everyone())
        stats.cpu_at_end = _cpu_seconds(proc.pid) if stats.server_pid else 0.0
        login_seconds = min(stats.work_started) - started
        elapsed = time.perf_counter() - min(stats.work_started)
    finally:
        proc.terminate()
        proc.wait(30)
    engine = create_engine(url)
    with engine.connect() as con:
        titles = [t for (t,) in con.execute(select(Karte.title).where(Karte.title.like("負荷試験 %")))]
        shares = con.scalar(select(func.count()).select_from(KarteShare))
        answers = con.scalar(select(func.count()).select_from(Answer))
        if backend == "sqlite":
            con.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    stored = [t.removeprefix("負荷試験 ") for t in titles]
    exactly_once = sorted(stored) == sorted(stats.submitted) and len(set(stored)) == len(stored)
    login_names = {"login page", "login", "read home"}
    total = sum(len(v) for k, v in stats.lat.items() if k not in login_names)
    load = os.getloadavg()[0]
    print(f"== {backend}: {users} users, {seconds:.0f} s, uvicorn workers {workers}, machine load average {load:.1f}")
    print(f"all {users} logged in (login page, login, home) within {login_seconds:.1f} s")
    print(f"then {elapsed:.1f} s of work: requests {total}, {total / elapsed:.0f} req/s, errors {len(stats.errors)}"
          + (f" (first: {stats.errors[:3]})" if stats.errors else ""))  # fmt: skip
    if stats.server_pid:
        cpu = stats.cpu_at_end - stats.cpu_at_start
        print(f"server CPU during the work: {cpu:.1f} s = {cpu / max(total, 1) * 1000:.1f} ms per request")
    for name in sorted(stats.lat):
        xs = stats.lat[name]
        print(f"  {name:12s} n={len(xs):6d}  p50 {_pct(xs, 50):7.1f} ms  p99 {_pct(xs, 99):7.1f} ms")
    print(f"submissions {len(stats.submitted)} accepted, {len(stored)} stored, each exactly once: {exactly_once}; "
          f"shares {shares}, answers {answers}")  # fmt: skip
    return exactly_once and not stats.errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("SOUSEI_DB", "var/sousei.duckdb")))
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--pg-url", default=None, help="an empty PostgreSQL database (default: start a throwaway one)")
    args = ap.parse_args()
    ok = True
    if args.backend in {"sqlite", "both"}:
        with tempfile.TemporaryDirectory() as tmp:
            ok &= _run("sqlite", f"sqlite:///{tmp}/desk.sqlite3", args.db, args.users, args.seconds, args.workers)
    if args.backend in {"postgresql", "both"}:
        if args.pg_url:
            ok &= _run("postgresql", args.pg_url, args.db, args.users, args.seconds, args.workers)
        else:
            started = subprocess.run(["bash", "scripts/postgres.sh", "start", "--durable"], capture_output=True,
                                     text=True, check=True).stdout  # fmt: skip
            env = dict(line.removeprefix("export ").split("=", 1) for line in started.split("\n") if line)
            try:
                server = make_url(env["SOUSEI_TEST_PG_URL"])
                admin = create_engine(server, isolation_level="AUTOCOMMIT")
                with admin.connect() as con:
                    con.execute(text("CREATE DATABASE sousei_bench"))
                admin.dispose()
                url = server.set(database="sousei_bench").render_as_string(hide_password=False)
                ok &= _run("postgresql", url, args.db, args.users, args.seconds, args.workers)
            finally:
                subprocess.run(["bash", "scripts/postgres.sh", "stop", env["SOUSEI_TEST_PG_DIR"]], check=False)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
