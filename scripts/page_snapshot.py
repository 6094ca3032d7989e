"""Snapshot what the dashboard answers for a fixed list of URLs, and compare two snapshots.

A refactor of the web layer must leave pages and API answers byte-for-byte the same. Take a snapshot before the
change and one after, then compare:

    python scripts/page_snapshot.py --db /work/wh/sousei.duckdb --out var/pages-before
    python scripts/page_snapshot.py --db /work/wh/sousei.duckdb --out var/pages-after --compare var/pages-before

The app runs in-process (TestClient, no server). Each answer is recorded as its status, the headers that carry
meaning (type, location, caching, download name, encoding) and its body uncompressed; bodies over 256 KB are kept
as a digest only. The comparison prints every URL whose answer differs with the first differing lines (or says that
only blank lines and indentation differ), and exits 1 if any answer differs.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from sousei.web.app import create_app

CODES = ("01100", "13101", "07547", "46527", "32528", "47382")  # 札幌市, 千代田区, 浪江町 (浜通り), villages
INDICATORS = ("pop_aging_rate_pct", "tfr_bayes", "net_migration_rate_20_39_female_pct", "living_doctors_per_10000")
KEPT_HEADERS = ("content-type", "location", "cache-control", "content-disposition", "allow", "etag", "vary")
BIG = 256 * 1024


def urls(client: TestClient) -> list[str]:
    """Every page type, tab, chart CSV and API answer for a few municipalities and indicators, and the errors."""
    out = ["/", "/?indicator=tfr_bayes&pref=13", "/?q=札幌", "/?indicator=nope", "/?pref=99", "/japan", "/sources",
           "/methods", "/methods/walls", "/methods/nope", "/search?q=とっとり", "/search?q=zzzz", "/search?q=鳥取",
           "/search?q=札幌市中央", "/compare", "/compare?codes=01100,13101", "/compare?codes=01100,13101&family=births",
           "/compare?codes=01100&add=さっぽろ", "/compare?codes=01100&add=千代田", "/compare?codes=99999",
           "/compare.csv?codes=01100,13101", "/compare.csv?codes=01100,13101&family=births", "/favicon.ico",
           "/openapi.json", "/docs", "/api/search?q=さっぽろ", "/api/search?q=01100&limit=3", "/api/areas",
           "/api/areas/01100", "/api/areas/99999", "/api/areas/abc", "/api/indicators", "/api/classifications",
           "/api/sources", "/api/geo/municipalities.json", "/api/geo/municipalities.topojson", "/m/99999", "/m/abc",
           "/m/01100?tab=nope", "/m/01100/charts/nope.csv", "/api/m/01100/simulate?tfr_2030=9", "/ranking/nope",
           "/ranking/tfr_bayes?pref=99", "/ranking/tfr_bayes?from=99999", "/desk/", "/no/such/page",
           "/api/no/such"]  # fmt: skip
    tabs = ("overview", "births", "migration", "women", "industry", "living", "projection", "cases")
    for code in CODES:
        out += [f"/m/{code}"] + [f"/m/{code}?tab={t}" for t in tabs]
        out += [f"/api/m/{code}/{p}" for p in ("scores", "priorities", "walls", "industries", "projection",
                                               "classification", "simulate")]  # fmt: skip
        out += [f"/api/m/{code}/simulate?tfr_2030=1.5&tfr_2040=1.9&migration_scale=0.5", f"/m/{code}/report",
                f"/api/m/{code}/report/facts"]  # fmt: skip
        for spec in json.loads(_chart_specs(client, code)):
            out += [f"/m/{code}/charts/{spec['id']}.csv", f"/api/m/{code}/charts/{spec['id']}"]
    for chart_id in ("population", "births", "tfr"):
        out += [f"/japan/charts/{chart_id}.csv", f"/api/japan/charts/{chart_id}"]
    peer = client.get("/api/areas/01100").json().get("peer_group") or ""
    for ind in INDICATORS:
        out += [f"/ranking/{ind}", f"/ranking/{ind}?pref=13", f"/ranking/{ind}?peer={peer}", f"/ranking/{ind}?page=3",
                f"/ranking/{ind}?all=1", f"/ranking/{ind}?from=01100", f"/ranking/{ind}?from=46527&pref=46",
                f"/ranking/{ind}.csv", f"/ranking/{ind}.csv?pref=01", f"/api/indicators/{ind}",
                f"/api/indicators/{ind}/ranking", f"/api/indicators/{ind}/ranking?pref=13"]  # fmt: skip
    return out


def _chart_specs(client: TestClient, code: str) -> str:
    """The chart specs of every tab of a municipality (to list its chart CSVs)."""
    specs: list[Any] = []
    for tab in ("overview", "births", "migration", "women", "industry", "living", "projection"):
        page = client.get(f"/m/{code}?tab={tab}", headers={"accept-encoding": "identity"}).text
        start = page.find('<script id="chart-specs" type="application/json">')
        if start >= 0:
            body = page[page.index(">", start) + 1 : page.index("</script>", start)]
            specs += json.loads(body)
    return json.dumps(specs)


def snapshot(db: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(db, desk_url=f"sqlite:///{tmp}/desk.sqlite")
        with TestClient(app, follow_redirects=False) as client:
            index: dict[str, Any] = {}
            for n, url in enumerate(urls(client)):
                r = client.get(url, headers={"accept-encoding": "identity"})
                body = r.content
                entry = {"status": r.status_code, "headers": {h: r.headers.get(h) for h in KEPT_HEADERS},
                         "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}  # fmt: skip
                if len(body) <= BIG:
                    name = f"{n:04d}.body"
                    (out / name).write_bytes(body)
                    entry["file"] = name
                index[url] = entry
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1))
    print(f"{len(index)} URLs → {out}")


def compare(before: Path, after: Path) -> int:
    old = json.loads((before / "index.json").read_text())
    new = json.loads((after / "index.json").read_text())
    differing = blank_only = 0
    for url in sorted(set(old) | set(new)):
        a, b = old.get(url), new.get(url)
        if a is None or b is None:
            print(f"ONLY IN {'after' if a is None else 'before'}: {url}")
            differing += 1
            continue
        if a["status"] == b["status"] and a["headers"] == b["headers"] and a["sha256"] == b["sha256"]:
            continue
        differing += 1
        print(f"DIFFERS: {url}")
        if a["status"] != b["status"] or a["headers"] != b["headers"]:
            print(f"  status/headers: {a['status']} {a['headers']} → {b['status']} {b['headers']}")
        if a["sha256"] != b["sha256"] and "file" in a and "file" in b:
            lines_a = (before / a["file"]).read_text(errors="replace").splitlines()
            lines_b = (after / b["file"]).read_text(errors="replace").splitlines()
            if _words(lines_a) == _words(lines_b):
                blank_only += 1
                print("  whitespace only (blank lines and indentation between elements)")
                continue
            for line in list(difflib.unified_diff(lines_a, lines_b, lineterm="", n=0))[2:14]:
                print("  " + line[:300])
        elif a["sha256"] != b["sha256"]:
            print(f"  body digest differs ({a['bytes']} → {b['bytes']} bytes)")
    print(f"{len(set(old) | set(new))} URLs compared, {differing} differ ({blank_only} in whitespace only)")
    return 1 if differing else 0


def _words(lines: list[str]) -> list[str]:
    """The lines without their indentation and without blank lines (what HTML renders the same)."""
    return [line.strip() for line in lines if line.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--compare", type=Path, help="an earlier snapshot to compare the new one with")
    args = ap.parse_args()
    snapshot(args.db, args.out)
    return compare(args.compare, args.out) if args.compare else 0


if __name__ == "__main__":
    sys.exit(main())
