#!/usr/bin/env bash
# run-tests.sh BUILD_DIR: runs the unit tests, then the integration tests (which start their
# own PostgreSQL, Kamailio and hook receivers on loopback), and prints one summary line.
set -uo pipefail
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
export SIPBRIDGE_ROOT="$root" SIPBRIDGE_BIN="$build/sipbridge"
passed=0; failed=0; status=0
failures=$(mktemp)
trap 'rm -f "$failures"' EXIT

run() {  # run NAME BINARY: runs one Boost.Test binary, adds its counts
  local name=$1 bin=$2 log
  log=$(mktemp)
  echo "== $name"
  "$bin" --report_level=short --log_level=error --color_output=false 2>&1 | tee "$log" \
    | grep -vE "^$|has (passed|failed) with|test cases? out of|assertions? out of" | sed 's/^/  /'
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -oE '[0-9]+ test cases? out of [0-9]+ passed' "$log" | head -1 | grep -oE '^[0-9]+')
  f=$(grep -oE '[0-9]+ test cases? out of [0-9]+ failed' "$log" | head -1 | grep -oE '^[0-9]+')
  grep -E "has (passed|failed) with|No errors detected|failures? (is|are) detected" "$log" | sed 's/^/  /'
  grep -E "(error|fatal error|exception|Test setup error): |aborted|signal|memory access violation" "$log" \
    | grep -vE "^(nta|tport|su_|nua)" | sed "s/^/  $name: /" >> "$failures"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ]; then
    status=1
    [ -z "$f" ] && failed=$((failed + 1))
  fi
  rm -f "$log"
}

cd "$root"
run "unit tests" "$build/unit_tests"
run "integration tests" "$build/integration_tests"
# The failures again at the end, so that a log cut to its last lines still names them.
if [ -s "$failures" ]; then
  echo "failures:"
  cat "$failures"
fi
echo "tests: $passed passed, $failed failed"
exit $status
