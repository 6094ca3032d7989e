"""Benchmark the e-Stat client against a hostile server on 127.0.0.1: a 200 MB body and a slow drip.

Each case runs in a child process (`--case`), so that its peak memory (max RSS) is its own. Prints wall seconds until
the client gives up and the child's peak RSS; run as `.venv/bin/python bench/estat_limits.py`. Defaults are the
client's (SOUSEI_ESTAT_MAX_RESPONSE_MB = 50, SOUSEI_ESTAT_DEADLINE_S = 120); the drip case sets the deadline to 5 s.
Targets: the 200 MB body refused with peak memory well under its size; the drip cut within deadline + one read.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sousei.estat.client import EstatClient, EstatError

HUGE_BYTES = 200_000_000


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()  # no Content-Length: the client must count as it reads
        try:
            if self.server.case == "huge":  # type: ignore[attr-defined]
                block = b" " * 1_000_000
                for _ in range(HUGE_BYTES // len(block)):
                    self.wfile.write(block)
            else:
                for _ in range(1000):  # one byte every 2 s
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(2)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


def run_case(case: str) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.case = case  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    kw = {"deadline": 5.0} if case == "drip" else {}
    start = time.perf_counter()
    try:
        with EstatClient("bench", base_url=base, **kw) as client:
            client.get_stats_data("0003448233")
        outcome = "accepted (unexpected)"
    except EstatError as exc:
        outcome = exc.kind
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{case}: {outcome} after {seconds:.1f} s, peak RSS {peak_mb:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=["huge", "drip"])
    args = parser.parse_args()
    if args.case:
        run_case(args.case)
        return
    for case in ("huge", "drip"):
        subprocess.run([sys.executable, __file__, "--case", case], check=True)


if __name__ == "__main__":
    main()
