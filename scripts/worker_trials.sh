#!/usr/bin/env bash
# The long worker kill campaign: three `orchestra worker` processes on one
# PostgreSQL state, one of them killed with kill -9 at a random moment (after
# a random number of completions), the others reclaiming its leases; every
# workstream must be completed exactly once (tests/workers_test.cc,
# WorkersTest.RandomKillPointsLeaveEveryWorkstreamCompletedOnce); then the
# same with worktree isolation, each worker in its own clone of a shared bare
# repository, where every workstream must be merged exactly once
# (RandomKillPointsLeaveEveryWorkstreamMergedOnce). The normal suite runs 2
# trials of each.
#   scripts/worker_trials.sh [--trials N] [--seed S] [--build-dir DIR]
# Defaults: 20 trials, seed 1, build/. Needs the PostgreSQL server binaries
# (scripts/install-deps.sh); the test starts its own private server.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=20 seed=1 dir=build
while (($#)); do
  case $1 in
    --trials) trials=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --build-dir) dir=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "worker_trials.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ ! -f "$dir/CMakeCache.txt" ]; then
  ./scripts/install-deps.sh
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORCHESTRA_BUILD_TESTS=ON >/dev/null
fi
cmake --build "$dir" --target orchestra_tests
ORCHESTRA_WORKER_TRIALS=$trials ORCHESTRA_WORKER_SEED=$seed \
  "$dir/tests/orchestra_tests" --gtest_filter='WorkersTest.RandomKillPointsLeaveEveryWorkstream*'
