#!/usr/bin/env bash
# Builds Orchestra with sanitizers and runs its tests under them:
#   scripts/sanitize.sh [asan|tsan] [CTEST_ARGS...]
# asan (default): AddressSanitizer + UndefinedBehaviorSanitizer (and
#   LeakSanitizer) into build-asan/, the whole ctest suite; the first finding
#   stops the process and fails its test.
# tsan: ThreadSanitizer into build-tsan/, the tests of what runs concurrently
#   (child processes, the event loop, timers, logs, the executor and `run`).
#   Orchestra is single-threaded (one libuv loop), so this guards against a
#   thread creeping in unsynchronised.
# Extra arguments go to ctest (e.g. -R LoaderTest to run fewer).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-asan}
(($#)) && shift
case $mode in
  asan) dir=build-asan sanitizers=address,undefined tests=() ;;
  tsan) dir=build-tsan sanitizers=thread
        tests=(-R '^(Process[A-Za-z]*|Timers|LogSink|Executor[A-Za-z]*|Run|Security)Test\.') ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "sanitize.sh: unknown mode '$mode' (asan or tsan)" >&2; exit 2 ;;
esac
./scripts/install-deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# Warnings are left to the normal build: gcc warns falsely on some sanitized code.
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORCHESTRA_BUILD_TESTS=ON \
  -DORCHESTRA_SANITIZE="$sanitizers" >/dev/null
cmake --build "$dir"
# The settings reach every instrumented process the tests start (the orchestra binary too).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 "${tests[@]}" "$@"
