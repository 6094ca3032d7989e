#!/usr/bin/env bash
# A newcomer's main command: set up, build the warehouse from the data bundle, then serve the dashboard.
# It always ends serving: no feature test of the CLI (a `--help | grep -q` under pipefail failed at random).
set -euo pipefail
cd "$(dirname "$0")/.."
export SOUSEI_DATA_DIR=${SOUSEI_DATA_DIR:-../shared/data}
bash scripts/setup.sh
.venv/bin/sousei build
exec .venv/bin/sousei serve "$@"
