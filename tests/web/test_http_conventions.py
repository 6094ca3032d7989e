"""HTTP conventions on every route: HEAD like GET, 405 with Allow, the security headers, a 422 that does not echo a
huge input, an OpenAPI description with the 404/422 answers and the GeoJSON media type, and schemathesis
`--checks all` against a real server with no failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.test_reload import every_get_url

from sousei.web.http_conventions import CONTENT_SECURITY_POLICY

SECURITY = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


def test_head_answers_like_get_on_every_get_route(client: TestClient) -> None:
    urls = [*every_get_url(client), "/static/app.js", "/static/vendor/plotly.min.js", "/openapi.json", "/docs"]
    for url in urls:
        get, head = client.get(url), client.head(url)
        assert get.status_code == 200, url
        assert head.status_code == 200, url
        assert head.content == b"", url
        for name in ("content-type", "content-length", "content-encoding"):
            assert head.headers.get(name) == get.headers.get(name), (url, name)


@pytest.mark.parametrize("url", ["/api/areas", "/api/m/01100/scores", "/m/01100", "/", "/static/app.css"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_405_says_which_methods_are_allowed(client: TestClient, url: str, method: str) -> None:
    r = client.request(method, url)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "url", ["/", "/m/01100", "/api/areas", "/static/app.css", "/api/areas/99999", "/m/99999", "/api/search?limit=0"]
)
def test_every_response_carries_the_security_headers(client: TestClient, url: str) -> None:
    r = client.get(url)
    for name, value in SECURITY.items():
        assert r.headers.get(name) == value, (url, name)
    assert (
        "script-src 'self'" in CONTENT_SECURITY_POLICY
        and "'unsafe-inline'" not in CONTENT_SECURITY_POLICY.split("; ")[1]
    )
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_a_422_does_not_echo_a_huge_input(client: TestClient) -> None:
    huge = "x" * 60_000  # httpx refuses a longer URL; the probe's 100 KB query reads the same
    r = client.get("/api/search", params={"q": huge})
    assert r.status_code == 422
    assert len(r.content) < 2_000
    assert "60,000文字" in r.text
    page = client.get("/", params={"indicator": huge})
    assert page.status_code == 422 and huge not in page.text


def test_openapi_lists_404_422_and_the_geojson_media_type(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        op = item["get"]
        if op.get("parameters"):
            assert {"404", "422"} <= set(op["responses"]), path
    geo = spec["paths"]["/api/geo/municipalities.json"]["get"]["responses"]
    assert list(geo["200"]["content"]) == ["application/geo+json"] and "404" in geo
    r = client.get("/api/geo/municipalities.json")
    assert r.headers["content-type"].startswith("application/geo+json")


def test_schemathesis_with_every_check_finds_no_failure(server: str, tmp_path: Path) -> None:
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "run", f"{server}/openapi.json", "--checks", "all", "--max-examples", "15", "--no-color",
         "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    tail = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, tail
    assert "passed" in result.stdout and "failed" not in result.stdout.split("SUMMARY")[-1], tail
