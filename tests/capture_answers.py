"""Capture the dashboard's answers to a fixed list of URLs, to check that a refactor changed none of them.

    python tests/capture_answers.py --db var/sousei.duckdb --out /tmp/before
    (change the code)
    python tests/capture_answers.py --db var/sousei.duckdb --out /tmp/after
    python tests/capture_answers.py --diff /tmp/before /tmp/after

Each answer (status, content type and body, gzip not negotiated) is written to one file named after its URL; the
diff lists the URLs whose answers differ. Run both captures against the same warehouse file: pages carry its build
stamp. The desk's catalog is an empty SQLite database in the output folder, so the 好事例 tab is the same each time.
Not a test (pytest does not collect it): a tool for refactors, which must keep pages and API answers byte-for-byte.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

CODES = ("01100", "13101", "07547", "46303", "20583")
TABS = ("overview", "births", "migration", "women", "industry", "living", "projection", "cases")
MUNICIPAL_CHARTS = ("population", "pyramid", "scores", "births", "tfr", "walls", "unmarried", "net_migration",
                    "net_migration_rate", "youth_migration", "moves", "labour_force", "women_labour_compare",
                    "m_curve", "l_curve", "industry_employment", "specialization", "food_access", "doctors",
                    "childcare", "scenarios")  # fmt: skip
NATIONAL_CHARTS = ("population", "age_groups", "tfr", "births", "tokyo_migration")
INDICATORS = ("pop_total", "tfr_bayes", "women_labour_force_rate_pct", "living_doctors_per_10000")
API = ("walls", "priorities", "industries", "projection", "classification",
       "simulate?tfr_2030=1.6&tfr_2040=1.9&migration_scale=0.5")  # fmt: skip


def urls() -> list[str]:
    out = ["/", "/japan", "/sources", "/methods", "/api/indicators", "/api/areas", "/api/sources",
           "/api/classifications", "/search?q=%E5%B1%B1"]  # fmt: skip
    for code in CODES:
        out += [f"/m/{code}?tab={t}" for t in TABS]
        out += [f"/m/{code}/charts/{c}.csv" for c in MUNICIPAL_CHARTS]
        out += [f"/api/m/{code}/charts/{c}" for c in MUNICIPAL_CHARTS]
        out += [f"/api/m/{code}/{a}" for a in API]
        out += [f"/api/areas/{code}"]
    out += [f"/api/m/{code}/report/facts" for code in CODES[:2]]
    out += [f"/japan/charts/{c}.csv" for c in NATIONAL_CHARTS] + [f"/api/japan/charts/{c}" for c in NATIONAL_CHARTS]
    for ind in INDICATORS:
        out += [f"/ranking/{ind}", f"/ranking/{ind}?pref=13", f"/ranking/{ind}.csv", f"/ranking/{ind}.csv?pref=07",
                f"/api/indicators/{ind}", f"/api/indicators/{ind}/ranking"]  # fmt: skip
    codes = ",".join(CODES[:4])
    out += [f"/compare?codes={codes}", f"/compare?codes={codes}&family=births", f"/compare.csv?codes={codes}"]
    out += [f"/compare/charts/compare_{ind}.csv?codes={codes}" for ind in INDICATORS]
    return out


def capture(db: Path, out: Path) -> None:
    from fastapi.testclient import TestClient

    from sousei.web.app import create_app

    out.mkdir(parents=True, exist_ok=True)
    app = create_app(db, desk_url=f"sqlite:///{out / 'desk.db'}")
    with TestClient(app) as client:
        for url in urls():
            r = client.get(url, headers={"accept-encoding": "identity"})
            body = f"{r.status_code} {r.headers.get('content-type')}\n".encode() + r.content
            (out / _name(url)).write_bytes(url.encode() + b"\n" + body)
    app.state.wh.close()
    print(f"{len(urls())} answers in {out}")


def capture_all_charts(db: Path, out: Path) -> None:
    """Every municipal chart of every municipality (spec and CSV), one line each, into out/all_charts.txt."""
    import json

    from sousei.query import Warehouse
    from sousei.web.charts import MUNICIPAL_CHARTS

    wh = Warehouse(db)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "all_charts.txt").open("w") as f:
        for m in wh.municipalities():
            for name, fn in MUNICIPAL_CHARTS.items():
                chart = fn(wh, m["muni_code"])
                body = json.dumps(chart.spec(), ensure_ascii=False, sort_keys=True) + chart.to_csv() + chart.note
                f.write(f"{m['muni_code']} {name} {hashlib.sha1(body.encode()).hexdigest()}\n")
    wh.close()


def _name(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()[:16] + ".txt"


def diff(a: Path, b: Path) -> int:
    changed = [u for u in urls() if (a / _name(u)).read_bytes() != (b / _name(u)).read_bytes()]
    if (a / "all_charts.txt").is_file() and (b / "all_charts.txt").is_file():
        lines_a = (a / "all_charts.txt").read_text().splitlines()
        lines_b = (b / "all_charts.txt").read_text().splitlines()
        changed += [f"chart {x.rsplit(' ', 1)[0]}" for x, y in zip(lines_a, lines_b, strict=True) if x != y]
        print(f"{len(lines_a)} municipal charts of every municipality compared")
    for u in changed:
        print("differs:", u)
    print(f"{len(changed)} differ" if changed else "all identical")
    return 1 if changed else 0


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--db", type=Path)
    p.add_argument("--out", type=Path)
    p.add_argument("--diff", nargs=2, type=Path)
    args = p.parse_args()
    if args.diff:
        sys.exit(diff(*args.diff))
    capture(args.db, args.out)
    capture_all_charts(args.db, args.out)
