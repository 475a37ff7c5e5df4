#!/usr/bin/env bash
# pg-stop.sh DIR [MODE]: stops the private cluster started by pg-start.sh (MODE: fast|immediate).
set -euo pipefail
dir=$(realpath -m "$1"); mode=${2:-fast}
[ -f "$dir/pgdata/postmaster.pid" ] || exit 0
if [ "$(id -u)" -eq 0 ]; then
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$dir/pgdata" -m "$mode" -w stop >/dev/null
else
  /usr/lib/postgresql/15/bin/pg_ctl -D "$dir/pgdata" -m "$mode" -w stop >/dev/null
fi
