#!/bin/sh
# Builds and runs the STG planning benchmark (see docs/benchmarks.md).
# Extra arguments go to stg_bench, e.g. `scripts/bench.sh --budget 50ms --misses`.
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja >/dev/null
ninja -C build stg_bench >/dev/null
exec build/stg_bench "$@" ../shared/fixtures/stg
