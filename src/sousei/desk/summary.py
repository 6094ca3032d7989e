"""The municipality's dashboard summary shown on a カルテ: its class and top priority issues, with their sources.

Read from the warehouse the dashboard serves (read-only); a missing table shows 「データなし」, never a guess.
"""

from __future__ import annotations

from typing import Any

TOP_PRIORITIES = 5


def dashboard_summary(wh: Any, code: str) -> dict[str, Any]:
    if wh is None:
        return {"muni": None, "sustainability": None, "priorities": [], "sources": []}
    muni = wh.municipality(code)
    priorities = wh.priority_issues(code)[:TOP_PRIORITIES] if muni else []
    source_ids: list[str] = []
    for p in priorities:
        ind = wh.indicator(p["indicator_id"])
        for s in ind.meta["sources"] if ind else []:
            if s not in source_ids:
                source_ids.append(s)
    return {
        "muni": muni,
        "sustainability": wh.sustainability(code) if muni else None,
        "priorities": priorities,
        "sources": wh.source_notes(source_ids),
    }
