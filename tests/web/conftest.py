"""Fixtures for the dashboard tests: an app client and a real uvicorn server on the built warehouse."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from sousei.web.app import create_app


@pytest.fixture(scope="session")
def client(warehouse_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(warehouse_path)) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(warehouse_path: Path) -> Iterator[str]:
    """`uvicorn sousei.web.main:app` on a free port of 127.0.0.1; yields the base URL."""
    port = _free_port()
    env = {**os.environ, "SOUSEI_DB": str(warehouse_path.resolve())}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "sousei.web.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # start-up reads every table: ~15 s alone, minutes on a busy machine
        while True:
            try:
                if httpx.get(base + "/api/indicators", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard server did not start (exit code {proc.poll()})")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)
