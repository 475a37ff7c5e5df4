#!/usr/bin/env bash
# run.sh BINARY: the embedded default of `make run`. Starts a private PostgreSQL and Kamailio
# on loopback in a temporary directory, creates a demo application, starts sipbridge in the
# foreground and prints how to try it. Ctrl-C stops everything and removes the directory.
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
dev="$root/etc/dev"
work=$(mktemp -d /tmp/sipbridge-run-XXXXXX)
chmod 711 "$work"  # the PostgreSQL server runs as user postgres and must reach its data directory
pg_port=$("$dev/free-port.sh"); sip_port=$("$dev/free-port.sh"); http_port=${HTTP_PORT:-8080}
bridge_sip_port=$("$dev/free-port.sh" "${SIPBRIDGE_SIP_MAXSESSIONSPERUSER:-4}"); xcap_port=$("$dev/free-port.sh")

cleanup() {
  [ -n "${bridge_pid:-}" ] && kill "$bridge_pid" 2>/dev/null && wait "$bridge_pid" 2>/dev/null
  "$dev/kamailio-stop.sh" "$work/kamailio" 2>/dev/null || true
  "$dev/pg-stop.sh" "$work/pg" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "starting PostgreSQL on 127.0.0.1:$pg_port"
"$dev/pg-start.sh" "$work/pg" "$pg_port" >/dev/null
echo "starting Kamailio on 127.0.0.1:$sip_port (domain example.test)"
"$dev/kamailio-start.sh" "$work/kamailio" "$sip_port" "$pg_port" "$xcap_port" >/dev/null

export SIPBRIDGE_DB_CONNINFO="host=127.0.0.1 port=$pg_port dbname=sipbridge user=postgres"
export SIPBRIDGE_DB_SCHEMADIR="$root/schema"
export SIPBRIDGE_SIP_PROXY="127.0.0.1:$sip_port"
export SIPBRIDGE_SIP_BINDURL="sip:127.0.0.1:$bridge_sip_port"
export SIPBRIDGE_HTTP_PORT="$http_port"
export SIPBRIDGE_HOOKS_ALLOWPRIVATE=true
export SIPBRIDGE_XCAP_ROOTS="http://127.0.0.1:$xcap_port/xcap-root"
export SIPBRIDGE_ADMIN_TOKEN=${SIPBRIDGE_ADMIN_TOKEN:-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}
config="$root/etc/sipbridge.properties"

"$bin" --config "$config" migrate >/dev/null
"$bin" --config "$config" app add --key demo --no-connect-hook >/dev/null

"$bin" --config "$config" &
bridge_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$http_port/health" >/dev/null 2>&1 && break
  sleep 0.1
done

api="http://127.0.0.1:$http_port"
cat <<TXT

sipbridge is running. Demo chat: $api/demo/
  (open it in two browser windows and sign in as alice and as bob)
API: $api (admin token: $SIPBRIDGE_ADMIN_TOKEN)
SIP server: Kamailio at 127.0.0.1:$sip_port, users alice, bob, carol, dave @example.test
(passwords alice-secret, bob-secret, ...). Application: appKey "demo".

Connect and register alice:
  curl -s $api/api/v1/connect -H 'Content-Type: application/json' \\
    -d '{"appKey":"demo","sipRegisterRequired":true,"sipLogin":"alice","sipPassword":"alice-secret","sipDomain":"example.test"}'
Read her events (use the authToken from the answer):
  curl -s "$api/api/v1/events?after=0&wait=5" -H "Authorization: Bearer <authToken>"
Query events as the backend:
  curl -s "$api/admin/v1/events?appKey=demo" -H "Authorization: Bearer $SIPBRIDGE_ADMIN_TOKEN"
JavaScript client: $api/sdk/sipbridge.js
API description: $api/api/v1/openapi.json   Events and hooks: $api/api/v1/asyncapi.json
Metrics: $api/metrics
Press Ctrl-C to stop.
TXT
if [ "${SIPBRIDGE_HTTPS_ENABLED:-false}" = true ]; then
  echo "HTTPS and WSS: https://127.0.0.1:${SIPBRIDGE_HTTPS_PORT:-8443} (certificate ${SIPBRIDGE_HTTPS_CERTIFICATEFILE:-})"
fi
wait "$bridge_pid"
