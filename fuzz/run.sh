#!/bin/sh
# Runs the fuzz targets one after another on the stable toolchain (libFuzzer, no sanitizer,
# debug assertions on so integer overflows are caught).
#   fuzz/run.sh [RUNS] [TARGET...]     from the repository root; RUNS defaults to 1000000
#   MAX_LEN=4096 fuzz/run.sh ...        caps input length (default: the largest seed)
# New inputs go to fuzz/work/TARGET (not committed), crashes to fuzz/artifacts/TARGET; the
# committed corpus fuzz/corpus/TARGET seeds every run. Each run's final statistics are in
# fuzz/work/TARGET.log.
set -eu
runs=${1:-1000000}
[ $# -gt 0 ] && shift
targets=${*:-$(ls fuzz/fuzz_targets | sed 's/\.rs$//')}
# Built once, then run as binaries: edits made while the fuzzers run do not change them.
RUSTC_BOOTSTRAP=1 cargo fuzz build -s none -a
bin=fuzz/target/x86_64-unknown-linux-gnu/release
for target in $targets; do
    mkdir -p "fuzz/work/$target" "fuzz/artifacts/$target"
    "$bin/$target" -artifact_prefix="fuzz/artifacts/$target/" "fuzz/work/$target" "fuzz/corpus/$target" \
        -runs="$runs" ${MAX_LEN:+-max_len=$MAX_LEN} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"fuzz/work/$target.log" 2>&1 || echo "$target: stopped, see fuzz/work/$target.log"
    printf '%s: %s\n' "$target" "$(grep -E '^(stat::number_of_executed_units|Done)' "fuzz/work/$target.log" | tr '\n' ' ')"
done
