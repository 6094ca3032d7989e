"""The optional language-model polish against a fake OpenAI-compatible endpoint on 127.0.0.1: faithful answers are
kept, unfaithful, malformed and slow ones fall back to the deterministic draft; without SOUSEI_LLM_URL nothing is
sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sousei.analyst import polish
from sousei.analyst.facts import gather
from sousei.analyst.narrative import Section, to_text, write
from sousei.query import Warehouse


class Fake:
    mode = "faithful"
    requests = 0


def rewrite(mode: str, drafts: list[str]) -> str:
    if mode == "faithful":
        return json.dumps([d.replace("これは", "この値は") for d in drafts], ensure_ascii=False)
    if mode == "number":
        return json.dumps([d.replace("1", "7", 1) for d in drafts], ensure_ascii=False)
    if mode == "place":
        return json.dumps(["東京都では" + d for d in drafts], ensure_ascii=False)
    if mode == "direction":
        return json.dumps([d.replace("下回", "上回") for d in drafts], ensure_ascii=False)
    if mode == "dropped":
        return json.dumps([d.split("。")[0] + "。" for d in drafts], ensure_ascii=False)
    if mode == "short":
        return json.dumps(drafts[:-1], ensure_ascii=False)
    if mode == "fenced":
        return "```json\n" + json.dumps(drafts, ensure_ascii=False) + "\n```"
    return "これは JSON ではありません"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        Fake.requests += 1
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path == "/v1/chat/completions"
        drafts = json.loads(body["messages"][1]["content"])["draft"]
        if Fake.mode == "slow":
            time.sleep(2)
        if Fake.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        content = rewrite(Fake.mode, drafts)
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # 'slow': the client gave up after SOUSEI_LLM_TIMEOUT, as the test wants

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def draft(warehouse: Warehouse) -> tuple[object, list[Section]]:
    fb = gather(warehouse, "31201")
    return fb, write(fb)


def run(warehouse: Warehouse, endpoint: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, dict]:
    monkeypatch.setenv("SOUSEI_LLM_TIMEOUT", "0.5")
    Fake.mode = mode
    fb = gather(warehouse, "31201")
    sections = write(fb)
    places = {m["name"] for m in warehouse.municipalities()} | {p["name"] for p in warehouse.prefectures()}
    indicators = {m["name"] for m in warehouse.indicators()}
    out = polish.maybe_polish(fb, sections, places, indicators, url=endpoint)
    return to_text(sections), to_text(out), fb.meta


def test_faithful_answers_are_used(warehouse: Warehouse, endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before, after, meta = run(warehouse, endpoint, "faithful", monkeypatch)
    assert "この値は" in after and "この値は" not in before
    assert after == before.replace("これは", "この値は")
    assert any(r["status"] == "polished" for r in meta["polish"])


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("number", "number"), ("place", "place name"), ("direction", "comparison changed"), ("dropped", "dropped")],
)
def test_unfaithful_answers_fall_back_to_the_draft(
    warehouse: Warehouse, endpoint: str, monkeypatch: pytest.MonkeyPatch, mode: str, reason: str
) -> None:
    before, after, meta = run(warehouse, endpoint, mode, monkeypatch)
    assert after == before
    assert any(reason in r.get("reason", "") for r in meta["polish"]), meta["polish"][:3]


@pytest.mark.parametrize("mode", ["malformed", "short", "error", "slow"])
def test_malformed_failed_and_slow_answers_fall_back(
    warehouse: Warehouse, endpoint: str, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    started = time.monotonic()
    before, after, meta = run(warehouse, endpoint, mode, monkeypatch)
    assert after == before
    assert meta["polish"] and all(r["status"] == "draft kept" for r in meta["polish"])
    if mode == "slow":
        assert time.monotonic() - started < 7 * 1.5  # one timeout per section, not the server's delay


def test_fenced_json_is_accepted(warehouse: Warehouse, endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before, after, meta = run(warehouse, endpoint, "fenced", monkeypatch)
    assert after == before and all(r["status"] == "polished" for r in meta["polish"])


def test_nothing_is_sent_without_the_variable(
    warehouse: Warehouse, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOUSEI_LLM_URL", raising=False)
    Fake.requests = 0
    fb = gather(warehouse, "31201")
    sections = write(fb)
    assert polish.maybe_polish(fb, sections) is sections
    from sousei.analyst.report import build

    build(warehouse, "31201")
    assert Fake.requests == 0 and "polish" not in fb.meta


def test_verifier_rejects_an_asserted_cause() -> None:
    draft = "女性の流出が大きく、若年女性人口の減少を加速させている可能性がある。"
    assert polish.verify(draft, "女性の流出が若年女性人口の減少の原因である。", set(), set())
    assert (
        polish.verify(draft, "女性の流出が大きく、若年女性人口の減少を速めている可能性がある。", set(), set()) is None
    )
