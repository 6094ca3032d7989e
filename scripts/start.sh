#!/usr/bin/env bash
# A newcomer's main command: set up, build the warehouse from the data bundle, then serve the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOUSEI_DATA_DIR=${SOUSEI_DATA_DIR:-../shared/data}
bash scripts/setup.sh
.venv/bin/sousei build
if .venv/bin/sousei --help | grep -q ' serve '; then
  exec .venv/bin/sousei serve "$@"
fi
.venv/bin/sousei data sources
