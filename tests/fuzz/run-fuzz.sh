#!/bin/sh
# Runs each fuzzer in build/fuzz for FUZZ_SECONDS (default 30) from its seed corpus in
# tests/fuzz/corpus/<name>/. New inputs go to build/fuzz/corpus-<name>/, never into the
# committed seeds; crashes are written to build/fuzz/.
set -e
seconds=${FUZZ_SECONDS:-30}
for fuzzer in build/fuzz/fuzz_*; do
  name=$(basename "$fuzzer")
  name=${name#fuzz_}
  mkdir -p "build/fuzz/corpus-$name"
  echo "== $name ($seconds s)"
  "$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=5 -rss_limit_mb=1024 \
    -artifact_prefix="build/fuzz/$name-" -print_final_stats=1 \
    "build/fuzz/corpus-$name" "tests/fuzz/corpus/$name"
done
