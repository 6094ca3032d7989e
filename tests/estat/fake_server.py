"""The local HTTP server the e-Stat tests answer from: the well-behaved fake (conftest.fake_estat) and the hostile
one (test_robustness) differ only in what they reply, so the server, its URL layout and the fixtures folder are here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).parent / "fixtures"
PREFIX = "/rest/3.0/app/json/"
TABLE = "0003999001"  # two pages
# Answers one GET: (the handler to write the reply to, the endpoint such as "getStatsData", the query's last values).
Respond = Callable[[BaseHTTPRequestHandler, str, dict[str, str]], None]


@contextmanager
def serve(respond: Respond) -> Iterator[str]:
    """An e-Stat-shaped server on a free port of 127.0.0.1 answering with `respond`; yields its base URL (what
    EstatClient takes as base_url) and stops the server afterwards."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            try:
                respond(self, url.path.removeprefix(PREFIX), q)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout tests)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
