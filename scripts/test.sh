#!/usr/bin/env bash
# A newcomer's test command: set up, lint, type-check the domain code, run every test on the real bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOUSEI_DATA_DIR=${SOUSEI_DATA_DIR:-../shared/data}
bash scripts/setup.sh
bash scripts/system-packages.sh
.venv/bin/ruff check src tests bench
.venv/bin/mypy src/sousei/domain src/sousei/pipeline/schema.py src/sousei/pipeline/build.py src/sousei/analyst
.venv/bin/pytest -q "$@"
