#!/usr/bin/env bash
# A throwaway PostgreSQL server for the desk tests: `eval "$(bash scripts/postgres.sh start)"` starts one on
# 127.0.0.1 (a free port, trust auth, data in a temporary folder) and prints the exports (SOUSEI_TEST_PG_URL and
# SOUSEI_TEST_PG_DIR); `start --durable` keeps fsync on (benchmarks; the tests skip it for speed);
# `bash scripts/postgres.sh stop DIR` stops it and removes the folder. PostgreSQL refuses to
# run as root, so under root (CI) the server runs as the postgres user that Debian's package creates.
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "PostgreSQL is not installed: run scripts/system-packages.sh (Debian's postgresql)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
  start)
    fsync=off
    [ "${2:-}" = "--durable" ] && fsync=on
    dir=$(mktemp -d /tmp/sousei-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)
    as_owner "$BIN/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=$fsync" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export SOUSEI_TEST_PG_URL=postgresql+psycopg://$user@127.0.0.1:$port/postgres"
    echo "export SOUSEI_TEST_PG_DIR=$dir"
    ;;
  stop)
    dir=${2:?usage: postgres.sh stop DIR}
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start | stop DIR" >&2
    exit 2
    ;;
esac
