#!/usr/bin/env bash
# A newcomer's main command: set up, build the warehouse from the data bundle, create the desk's database, then serve
# the dashboard (and the desk under /desk).
# It always ends serving: no feature test of the CLI (a `--help | grep -q` under pipefail failed at random).
set -euo pipefail
cd "$(dirname "$0")/.."
export SOUSEI_DATA_DIR=${SOUSEI_DATA_DIR:-../shared/data}
bash scripts/setup.sh
.venv/bin/sousei build
.venv/bin/sousei desk init  # the support desk's database (/desk): created, or migrated to this version
exec .venv/bin/sousei serve "$@"
