#!/usr/bin/env bash
# A newcomer's test command: set up, lint, type-check the domain code, run every test on the real bundle (the desk's
# tests also on a PostgreSQL server started here).
set -euo pipefail
cd "$(dirname "$0")/.."
export SOUSEI_DATA_DIR=${SOUSEI_DATA_DIR:-../shared/data}
bash scripts/setup.sh
bash scripts/system-packages.sh
.venv/bin/ruff check src tests bench
.venv/bin/mypy src/sousei/domain src/sousei/charts src/sousei/desk src/sousei/analyst src/sousei/pipeline/schema.py src/sousei/pipeline/build.py
# The desk's tests run on SQLite and on this throwaway PostgreSQL server (stopped and removed on exit).
eval "$(bash scripts/postgres.sh start)"
trap 'bash scripts/postgres.sh stop "$SOUSEI_TEST_PG_DIR"' EXIT
.venv/bin/pytest -q "$@"
