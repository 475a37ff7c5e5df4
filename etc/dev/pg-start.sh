#!/usr/bin/env bash
# pg-start.sh DIR PORT: creates (first time) and starts a private PostgreSQL 15 cluster in
# DIR/pgdata, listening on 127.0.0.1:PORT only, with the databases `sipbridge` and `kamailio`
# (Kamailio's tables loaded from Debian's scripts). Trust authentication on loopback: a
# development and test instance, never a production one. Stop it with pg-stop.sh DIR.
set -euo pipefail
dir=$(realpath -m "$1"); port=$2
bindir=/usr/lib/postgresql/15/bin
here=$(cd "$(dirname "$0")" && pwd)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
fresh=0
if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
  as_pg "$bindir/initdb" -D "$dir/pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  fresh=1
fi
as_pg "$bindir/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null
if [ $fresh -eq 1 ]; then
  psql=(psql -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -q)
  "${psql[@]}" -c "CREATE DATABASE sipbridge" -c "CREATE DATABASE kamailio"
  for t in standard auth_db usrloc presence; do
    "${psql[@]}" -d kamailio -f "/usr/share/kamailio/postgres/$t-create.sql" >/dev/null
  done
  "${psql[@]}" -d kamailio -f "$here/demo-users.sql" >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$port/sipbridge"
