#!/usr/bin/env bash
# free-port.sh [COUNT]: prints a TCP and UDP port on loopback that nothing listens on right
# now, the first of COUNT (default 1) consecutive such ports.
set -euo pipefail
count=${1:-1}
for _ in $(seq 1 200); do
  port=$((20000 + RANDOM % 20000))
  busy=0
  for ((k = 0; k < count; k++)); do
    if ss -Hlntu "( sport = :$((port + k)) )" 2>/dev/null | grep -q .; then busy=1; break; fi
  done
  if [ "$busy" = 0 ]; then
    echo "$port"
    exit 0
  fi
done
echo "no free port found" >&2
exit 1
