#!/usr/bin/env bash
# Installs the Debian packages sipbridge builds, runs and tests with, if any are missing.
set -euo pipefail
packages=(
  g++ make pkg-config clang-format clang-14 libclang-rt-14-dev curl procps iproute2
  libsofia-sip-ua-dev libpoco-dev libssl-dev openssl ca-certificates libpq-dev libxml2-dev
  libboost-dev libboost-test-dev libbenchmark-dev
  postgresql-15 postgresql-contrib
  kamailio kamailio-postgres-modules kamailio-presence-modules kamailio-xml-modules
  kamailio-utils-modules kamailio-tls-modules
  sip-tester
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages and not root: run as root or install them: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start system-wide services; the project runs private instances.
for svc in kamailio postgresql; do
  systemctl disable --now "$svc" >/dev/null 2>&1 || service "$svc" stop >/dev/null 2>&1 || true
done
