#!/usr/bin/env bash
# free-port.sh: prints a TCP and UDP port on loopback that nothing listens on right now.
set -euo pipefail
for _ in $(seq 1 200); do
  port=$((20000 + RANDOM % 20000))
  if ! ss -Hlntu "( sport = :$port )" 2>/dev/null | grep -q .; then
    echo "$port"
    exit 0
  fi
done
echo "no free port found" >&2
exit 1
