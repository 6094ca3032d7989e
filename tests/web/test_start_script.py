"""The main command on a clean clone: `scripts/start.sh` sets up, builds the warehouse and always ends serving.

The test clones the committed repository into a temporary folder, sets SOUSEI_DATA_DIR to the bundle and runs the
script with a free port until /m/01100 answers. The clone's `.venv` is made beforehand and reuses the packages of the
interpreter running the tests through a `.pth` file (so no dependency is downloaded again); `scripts/setup.sh` still
runs in full and installs the clone itself. The build is the real one (about a minute alone, 2 GB, removed after).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import time
import venv
from pathlib import Path

import httpx
import pytest
from tests.servers import free_port

from sousei import config

REPO = Path(__file__).resolve().parents[2]


def _venv_reusing_installed_packages(root: Path) -> None:
    venv.EnvBuilder(with_pip=False).create(root / ".venv")
    site = next((root / ".venv" / "lib").glob("python3*/site-packages"))
    (site / "_sousei_test_reuse.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")


def test_start_script_on_a_clean_clone_ends_serving(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed to clone the repository")
    bundle = config.data_dir().resolve()
    clone = tmp_path / "sousei"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    _venv_reusing_installed_packages(clone)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOUSEI_")}
    env |= {"SOUSEI_DATA_DIR": str(bundle), "PYTHONNOUSERSITE": "1"}
    log = (tmp_path / "start.log").open("wb")
    proc = subprocess.Popen(
        ["bash", "scripts/start.sh", "--port", str(port)], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/m/01100"
    try:
        deadline = time.monotonic() + 900
        while True:
            try:
                r = httpx.get(url, timeout=5)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                tail = (tmp_path / "start.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"scripts/start.sh exited ({proc.returncode}) without serving:\n{tail}")
            if time.monotonic() > deadline:
                pytest.fail("scripts/start.sh did not serve /m/01100 within 15 minutes")
            time.sleep(1)
        assert "札幌市" in r.text
        assert (clone / "var" / "sousei.duckdb").is_file()
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
        shutil.rmtree(clone, ignore_errors=True)  # 2 GB of warehouse and cache: not kept among pytest's temp dirs
