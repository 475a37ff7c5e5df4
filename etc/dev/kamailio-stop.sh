#!/usr/bin/env bash
# kamailio-stop.sh DIR: stops the Kamailio started by kamailio-start.sh DIR (TERM, then KILL
# after 10 seconds) and waits until it has exited.
set -euo pipefail
dir=$(realpath -m "$1")
pidfile=$dir/kamailio.pid
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
