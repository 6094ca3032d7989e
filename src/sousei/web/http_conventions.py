"""HTTP conventions of every response of the dashboard, in one place: HEAD answered like GET, 405 with `Allow`,
security headers (scripts only from the app itself, no framing, no MIME sniffing, no referrer leaving the site),
validation errors that never echo a large input, and an OpenAPI description that lists the 404/422 answers and the
GeoJSON media type.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

# The only inline script the pages carry: the auto-submit of a filter <select> (index, ranking). Allowed by its
# hash ('unsafe-hashes' covers event-handler attributes only for the exact texts hashed here), never by
# 'unsafe-inline'. A new inline handler must be added here, or better, moved to static/app.js.
INLINE_HANDLERS = ("this.form.submit()",)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-hashes' " + " ".join(_csp_hash(h) for h in INLINE_HANDLERS),
        # Plotly sets inline styles on the SVG it draws.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]
# A 422 shows at most this much of the input it refuses (a 100 KB query must not come back whole).
MAX_ECHOED_INPUT = 80

Scope = dict[str, Any]
Message = dict[str, Any]


class HttpConventions:
    """ASGI middleware: HEAD served as GET without the body, `Allow` on every 405, the security headers."""

    def __init__(self, app: Callable[..., Any]):
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_conventional(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _SECURITY_NAMES]
                headers += SECURITY_HEADERS
                if message["status"] == 405:
                    headers = _with_allow(headers)
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}  # the headers (Content-Length included) stay those of GET
            await send(message)

        await self.app(scope, receive, send_conventional)


_SECURITY_NAMES = {name for name, _ in SECURITY_HEADERS}


def _with_allow(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`Allow` as the route gave it (GET-only routes: GET, HEAD), or GET, HEAD where none was given (static files)."""
    given = [v.decode() for k, v in headers if k.lower() == b"allow"]
    methods = [m.strip() for m in given[0].split(",")] if given else ["GET"]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    return [(k, v) for k, v in headers if k.lower() != b"allow"] + [(b"allow", ", ".join(methods).encode())]


def short_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation errors with each refused input cut to MAX_ECHOED_INPUT characters."""
    out = []
    for e in errors:
        e = dict(e)
        if "input" in e:
            text = e["input"] if isinstance(e["input"], str) else repr(e["input"])
            if len(text) > MAX_ECHOED_INPUT:
                e["input"] = text[:MAX_ECHOED_INPUT] + f"…（{len(text):,}文字）"
        out.append(e)
    return out


NOT_FOUND = "見つかりません（コード・指標・グラフがない、またはデータが読み込まれていない）"
ERROR_SCHEMA = {"type": "object", "properties": {"detail": {}}, "required": ["detail"]}
# Routes without parameters that still answer 404 when their table is not in the warehouse.
MAY_BE_MISSING = {"/api/geo/municipalities.json", "/api/classifications"}
# Real identifiers, so that a client (and schemathesis) reaches answers, not only 404s.
PATH_EXAMPLES = {"code": "01100", "indicator_id": "pop_aging_rate_pct"}
MEDIA_TYPES = {"/api/geo/municipalities.json": "application/geo+json"}


def document_responses(app: FastAPI) -> None:
    """Make the OpenAPI description list the 404 and 422 answers of each route and the GeoJSON media type."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        from sousei.charts import MUNICIPAL_CHARTS, NATIONAL_CHARTS

        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        json_error = {"application/json": {"schema": ERROR_SCHEMA}}
        for path, item in schema.get("paths", {}).items():
            for method, op in item.items():
                if method != "get":
                    continue
                chart = next(iter(NATIONAL_CHARTS if path.startswith("/api/japan/") else MUNICIPAL_CHARTS))
                examples = {**PATH_EXAMPLES, "chart_id": chart}
                for param in op.get("parameters", []):
                    if param["in"] == "path" and param["name"] in examples:
                        param.setdefault("example", examples[param["name"]])
                responses = op.setdefault("responses", {})
                has_params = bool(op.get("parameters"))
                if has_params or path in MAY_BE_MISSING:
                    responses.setdefault("404", {"description": NOT_FOUND, "content": json_error})
                if has_params:
                    responses.setdefault("422", {"description": "パラメータが正しくありません", "content": json_error})
                if path in MEDIA_TYPES and "200" in responses:
                    responses["200"]["content"] = {MEDIA_TYPES[path]: {"schema": {"type": "object"}}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def apply(app: FastAPI) -> None:
    """Everything above, on one app (called by create_app)."""
    app.add_middleware(HttpConventions)
    document_responses(app)
