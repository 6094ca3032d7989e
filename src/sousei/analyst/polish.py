"""Optional language-model polish of the narrative, kept only when the verifier finds it faithful.

Only when `SOUSEI_LLM_URL` names an OpenAI-compatible chat endpoint (a local llama.cpp / vLLM server, or a hosted
one with `SOUSEI_LLM_API_KEY`) is anything sent: per section, the facts and the draft texts, asking for the same
number of texts back as a JSON array. Each returned text replaces its draft only if `verify` accepts it; otherwise,
and on any timeout, HTTP error or malformed answer, the deterministic draft stays and the reason is logged (and
recorded in the facts file's meta under "polish").
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import replace
from typing import Any

import httpx

from sousei import config
from sousei.analyst.factbook import FactBook
from sousei.analyst.narrative import Section

log = logging.getLogger("sousei.analyst.polish")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# A comparison's direction: the words of a pair the draft uses are the words the answer must use.
DIRECTION_PAIRS = (
    ("上回", "下回"),
    ("増加", "減少"),
    ("上昇", "低下"),
    ("転入超過", "転出超過"),
    ("高い", "低い"),
    ("大きい", "小さい"),
    ("社会増", "社会減"),
    ("自然増", "自然減"),
)
HEDGES = ("可能性", "考えられ", "とみられ")
ASSERTIONS = ("原因である", "が原因だ", "に違いない")
SYSTEM = (
    "あなたは市区町村の人口ビジョンを書く分析担当者です。下書きの各段落を、である調の自然で読みやすい日本語に"
    "整えてください。数値・年・地名・指標名を加えたり、削ったり、変えたりしないこと。比較の向き（上回る・下回る、"
    "増加・減少など）を変えないこと。原因は断定せず「可能性がある」「考えられる」の表現を保つこと。"
    "出力は下書きと同じ数の文字列からなる JSON 配列だけとすること。"
)


def verify(draft: str, answer: str, places: set[str], indicators: set[str]) -> str | None:
    """Why `answer` is not a faithful rewrite of `draft`, or None when it is."""
    if not answer.strip():
        return "empty answer"
    new_numbers = Counter(NUMBER.findall(answer)) - Counter(NUMBER.findall(draft))
    if new_numbers:
        return f"number not in the draft: {sorted(new_numbers)[0]}"
    lost = Counter(NUMBER.findall(draft)) - Counter(NUMBER.findall(answer))
    if lost:
        return f"finding dropped (number {sorted(lost)[0]} missing)"
    if answer.count("。") < draft.count("。"):
        # one finding per sentence (REPORT-STYLE): fewer sentences means a finding was dropped or merged away
        return f"finding dropped ({answer.count('。')} sentences for {draft.count('。')})"
    for name in places:
        if name in answer and name not in draft:
            return f"place name not in the draft: {name}"
    for name in indicators:
        if name in answer and name not in draft:
            return f"indicator not in the draft: {name}"
    for pair in DIRECTION_PAIRS:
        for word in pair:
            if (word in answer) != (word in draft):
                return f"comparison changed ({word})"
    if any(h in draft for h in HEDGES) and not any(h in answer for h in HEDGES):
        return "hedge removed (a cause asserted)"
    if any(a in answer for a in ASSERTIONS):
        return "a cause asserted"
    return None


def _endpoint(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def _ask(client: httpx.Client, url: str, fb: FactBook, texts: list[str]) -> list[str]:
    facts = [
        {"id": f.id, "label": f.label, "printed": f.printed, "unit": f.unit, "year": f.year}
        for f in fb.facts.values()
        if not f.id.startswith("source.")
    ]
    body = {
        "model": config.llm_model(),
        "temperature": 0.2,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": json.dumps({"facts": facts, "draft": texts}, ensure_ascii=False)},
        ],
    }
    headers = {}
    key = config.llm_api_key()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    r = client.post(_endpoint(url), json=body, headers=headers)
    r.raise_for_status()
    content = r.json()["choices"][0]["message"]["content"]
    content = re.sub(r"^```(?:json)?\s*|\s*```$", "", content.strip())
    answer = json.loads(content)
    if not (isinstance(answer, list) and len(answer) == len(texts) and all(isinstance(a, str) for a in answer)):
        raise ValueError(f"expected a JSON array of {len(texts)} strings")
    return answer


def maybe_polish(
    fb: FactBook,
    sections: list[Section],
    places: set[str] | None = None,
    indicators: set[str] | None = None,
    url: str | None = None,
) -> list[Section]:
    """The sections, polished where the model's answer passes the verifier (unchanged without SOUSEI_LLM_URL)."""
    url = url or config.llm_url()
    if not url:
        return sections
    timeout = config.llm_timeout_s()
    record: list[dict[str, Any]] = []
    fb.meta["polish"] = record
    out = []
    with httpx.Client(timeout=timeout) as client:
        for s in sections:
            drafts = s.paragraphs + _items(s) + [p for b in s.blocks for p in b.paragraphs]
            if not drafts:
                out.append(s)
                continue
            try:
                answers = _ask(client, url, fb, drafts)
            except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as e:
                reason = f"{type(e).__name__}: {e}"[:200]
                log.warning("polish of %s %s kept the draft: %s", fb.code, s.key, reason)
                record.append({"section": s.key, "status": "draft kept", "reason": reason})
                out.append(s)
                continue
            final = []
            for i, (d, a) in enumerate(zip(drafts, answers, strict=True)):
                why = verify(d, a, places or set(), indicators or set())
                if why:
                    log.warning("polish of %s %s[%d] rejected: %s", fb.code, s.key, i, why)
                    record.append({"section": s.key, "text": i, "status": "draft kept", "reason": why})
                final.append(d if why else a)
                if not why:
                    record.append({"section": s.key, "text": i, "status": "polished"})
            out.append(_rebuild(s, final))
    return out


def _items(s: Section) -> list[str]:
    """The list items sent for polish: not the source attributions, which must stay word for word."""
    return [] if s.key == "sources" else s.items


def _rebuild(s: Section, texts: list[str]) -> Section:
    """The section with its texts replaced in the order `maybe_polish` flattened them."""
    it = iter(texts)
    paragraphs = [next(it) for _ in s.paragraphs]
    items = [next(it) for _ in _items(s)] or s.items
    blocks = [replace(b, paragraphs=[next(it) for _ in b.paragraphs]) for b in s.blocks]
    return replace(s, paragraphs=paragraphs, items=items, blocks=blocks)
