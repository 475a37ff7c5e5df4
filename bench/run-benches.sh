#!/usr/bin/env bash
# run-benches.sh BUILD_DIR: runs every benchmark binary in BUILD_DIR/bench one after the other,
# each with a time limit, and prints a header per benchmark. Google Benchmark binaries get a
# small --benchmark_min_time; the others (end-to-end programs) bound themselves.
# BENCH_QUICK=1 makes every run very short (enough to prove that each one works).
# Benchmarks never fail on a number: the exit status is non-zero only when a benchmark
# crashes, exits with an error or runs past its time limit.
set -uo pipefail
if [ $# -ne 1 ] || [ ! -d "$1/bench" ]; then
  echo "usage: $0 BUILD_DIR (with BUILD_DIR/bench/<name> binaries)" >&2
  exit 2
fi
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
export SIPBRIDGE_ROOT="$root" SIPBRIDGE_BIN="$build/sipbridge"
if [ -n "${BENCH_QUICK:-}" ]; then
  export BENCH_QUICK=1
  limit=${BENCH_TIME_LIMIT:-180}
  min_time=0.01
else
  limit=${BENCH_TIME_LIMIT:-900}
  min_time=0.2
fi

cd "$root" || exit 2
ran=0
broken=()
for bin in "$build"/bench/*; do
  if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
  case "$bin" in *.o | *.d) continue ;; esac
  name=$(basename "$bin")
  args=()
  if nm -C "$bin" 2>/dev/null | grep -q 'benchmark::Initialize'; then
    args=(--benchmark_min_time="$min_time" --benchmark_counters_tabular=true)
  fi
  echo "=================================================================================="
  echo "== $name${BENCH_QUICK:+ (quick)}   $(date -u +%H:%M:%S) UTC, limit ${limit}s"
  echo "=================================================================================="
  start=$(date +%s)
  timeout --kill-after=10 "$limit" "$bin" "${args[@]}"
  rc=$?
  ran=$((ran + 1))
  elapsed=$(($(date +%s) - start))
  if [ "$rc" -eq 0 ]; then
    echo "-- $name done in ${elapsed}s"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "-- $name TIMED OUT after ${limit}s"
    broken+=("$name (timeout)")
  elif [ "$rc" -gt 128 ]; then
    echo "-- $name CRASHED (signal $((rc - 128))) after ${elapsed}s"
    broken+=("$name (signal $((rc - 128)))")
  else
    echo "-- $name FAILED (exit $rc) after ${elapsed}s"
    broken+=("$name (exit $rc)")
  fi
  echo
done

if [ "$ran" -eq 0 ]; then
  echo "no benchmark binaries in $build/bench" >&2
  exit 1
fi
if [ ${#broken[@]} -gt 0 ]; then
  echo "benchmarks: $ran run, ${#broken[@]} broken: ${broken[*]}"
  exit 1
fi
echo "benchmarks: $ran run, none broken"
