#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests and the analyst's PDF (never a downloaded browser),
# Japanese fonts so that screenshots and PDFs show text, poppler-utils (pdftotext, pdftoppm) to read the reports' PDFs
# back in the tests, and PostgreSQL for the desk's tests on a real server (scripts/postgres.sh starts a throwaway
# one). Installs only what is missing; needs root (or sudo) the first time.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
