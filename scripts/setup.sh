#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install sousei with its test tools; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
