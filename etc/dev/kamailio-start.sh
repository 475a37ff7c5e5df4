#!/usr/bin/env bash
# kamailio-start.sh DIR SIPPORT DBPORT [HTTPPORT [TLSPORT CERT KEY]]: starts the private Kamailio
# configured by etc/kamailio/kamailio.cfg in the background, listening on 127.0.0.1:SIPPORT (UDP and TCP)
# and 127.0.0.1:HTTPPORT (XCAP over HTTP; default SIPPORT+1), using the PostgreSQL database
# `kamailio` on 127.0.0.1:DBPORT (see pg-start.sh). With TLSPORT, CERT and KEY (PEM files) it
# also serves XCAP over https on 127.0.0.1:TLSPORT (tls module). Waits until it answers an OPTIONS,
# then prints the pid file path. Log: DIR/kamailio.log. Stop it with kamailio-stop.sh DIR.
# Extra -A defines for the config can be given in KAMAILIO_DEFINES (e.g. "WITH_PROXY_AUTH").
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 DIR SIPPORT DBPORT [HTTPPORT [TLSPORT CERT KEY]]" >&2; exit 2; }
dir=$(realpath -m "$1"); sipport=$2; dbport=$3; httpport=${4:-$((sipport + 1))}
root=$(cd "$(dirname "$0")/../.." && pwd)
cfg=$root/etc/kamailio/kamailio.cfg
pidfile=$dir/kamailio.pid
log=$dir/kamailio.log

mkdir -p "$dir/run"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "kamailio already running: $pidfile" >&2; exit 1
fi
defines=(-A "SIP_PORT=$sipport" -A "HTTP_PORT=$httpport" -A "SIP_SELF=\"sip:127.0.0.1:$sipport\""
         -A "DBURL=\"postgres://postgres@127.0.0.1:$dbport/kamailio\"")
if [ $# -ge 7 ]; then
  cat >"$dir/tls.cfg" <<TLS
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = $(realpath "$6")
private_key = $(realpath "$7")

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
TLS
  defines+=(-A WITH_TLS -A "TLS_PORT=$5" -A "TLS_CONFIG=\"$dir/tls.cfg\"")
fi
for d in ${KAMAILIO_DEFINES:-}; do defines+=(-A "$d"); done

# log_stderror=yes in the config; kamailio daemonizes and keeps stderr, which goes to the log.
kamailio -f "$cfg" -P "$pidfile" -w "$dir" -Y "$dir/run" -m 256 -M 8 "${defines[@]}" \
  >>"$log" 2>&1 </dev/null || { echo "kamailio failed to start, see $log" >&2; tail -20 "$log" >&2; exit 1; }

probe_port=$((20000 + RANDOM % 20000))
for _ in $(seq 1 20); do
  if [ ! -f "$pidfile" ] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    sleep 0.2
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || {
      echo "kamailio exited during startup, see $log" >&2; tail -20 "$log" >&2; exit 1; }
  fi
  if sipp 127.0.0.1:"$sipport" -sf "$root/etc/kamailio/options-probe.xml" -i 127.0.0.1 \
       -p "$probe_port" -m 1 -timeout 2s -timeout_error -nostdin -trace_err \
       -error_file "$dir/probe-errors.log" >/dev/null 2>&1; then
    echo "$pidfile"; exit 0
  fi
  probe_port=$((20000 + RANDOM % 20000))
  sleep 0.2
done
echo "kamailio does not answer OPTIONS on 127.0.0.1:$sipport, see $log" >&2
tail -20 "$log" >&2
exit 1
