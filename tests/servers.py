"""What the browser and live-server tests share: a free port, the app under uvicorn, and Debian's Chromium.

One definition each, so that a start-up deadline or a Chromium flag is changed in one place.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

# Debian's package, never a downloaded browser; the flags keep it off the network (this machine has none).
CHROMIUM = os.environ.get("SOUSEI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
# Start-up reads every table of the warehouse: ~15 s alone, minutes on a busy machine.
START_DEADLINE_S = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    """Poll `ready` until it is true; fail the test if the server dies or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"the server died waiting for {what} (exit code {proc.returncode})")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


@contextmanager
def uvicorn_app(env: dict[str, str], ready_path: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`uvicorn sousei.web.main:app` on a free port of 127.0.0.1 with `env` added to the environment; yields the
    base URL and the process once `ready_path` answers 200, and stops the server afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "sousei.web.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env={**os.environ, **env},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        ready = lambda: httpx.get(base + ready_path, timeout=2).status_code == 200  # noqa: E731
        wait_until(ready, proc, f"{ready_path} to answer", START_DEADLINE_S)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(20)


def chromium_path() -> str:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium is not at {CHROMIUM}: apt-get install chromium (never download a browser)")
    return CHROMIUM
