#!/usr/bin/env bash
# The long crash campaign: kill -9 of the orchestrator at random moments of a
# 100-workstream run of sim agents, each followed by `orchestra run` to the end
# and the invariant check (tests/crash_trials_test.cc), and every crash point
# walked (tests/crash_points_test.cc). The normal suite runs 5 trials.
#   scripts/crash_trials.sh [--trials N] [--seed S] [--build-dir DIR]
# Defaults: 200 trials, seed 1, build/ (configured with the tests, which turns
# the crash points on). Prints one line per trial and a summary; exit 1 on the
# first trial whose invariants fail (its seed and kill point are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
trials=200 seed=1 dir=build
while (($#)); do
  case $1 in
    --trials) trials=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --build-dir) dir=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "crash_trials.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ ! -f "$dir/CMakeCache.txt" ]; then
  ./scripts/install-deps.sh
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORCHESTRA_BUILD_TESTS=ON >/dev/null
fi
cmake --build "$dir" --target orchestra_tests
ORCHESTRA_CRASH_TRIALS=$trials ORCHESTRA_CRASH_SEED=$seed \
  "$dir/tests/orchestra_tests" --gtest_filter='CrashTrialsTest.*:CrashPointsTest.*'
