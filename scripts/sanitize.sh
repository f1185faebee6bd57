#!/usr/bin/env bash
# Builds Orchestra with sanitizers and runs its tests under them:
#   scripts/sanitize.sh [asan|tsan|asan-unit|tsan-unit] [CTEST_ARGS...]
# asan (default): AddressSanitizer + UndefinedBehaviorSanitizer (and
#   LeakSanitizer) into build-asan/, the whole ctest suite; the first finding
#   stops the process and fails its test.
# asan-unit (what CI runs): ASan + UBSan into build-asan-unit/, unoptimised
#   (-O0, line tables: a third of -O2 -g's compile time, so a build without a
#   warm cache fits in CI), and every unit test (the *_test.cc beside the code
#   in src/: parsers, graph, planner, state stores, processes, git, merge
#   queue, executor logic, agent output readers, reports) in one test
#   process, without the integration tests' thousands of orchestra
#   processes: a minute instead of the whole suite's 20.
# tsan-unit (what CI runs too): ThreadSanitizer into build-tsan-unit/ (-O1,
#   line tables), the same unit tests in one process: the planner's threads,
#   the attempt-log copier, the dashboard server's pool, the event loop and
#   its thread pool, child processes, both state stores.
# tsan: ThreadSanitizer into build-tsan/, every test of what runs concurrently
#   (the suites listed in tsan_suites below): threads (the dashboard's
#   cpp-httplib pool, the /proc scan on libuv's thread pool, the model server
#   the agent CLI tests talk to), signal handlers, and the processes that share
#   files, locks and the database (agents, supervisors, orchestrators, Postgres).
# Both are run with the orchestra and orchestra-supervise binaries the tests
# start instrumented too. Extra arguments go to ctest (e.g. -R LoaderTest).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-asan}
(($#)) && shift

# The tsan suites, by what makes them concurrent. A suite not listed is pure
# logic in one thread (parsers, the planner, reports, fakes and virtual time)
# or a CLI command that reads files and exits; ASan runs those.
tsan_suites=(
  # Child processes, process groups, the supervisor, the /proc scan that
  # KillWithEnvironmentLater runs on libuv's thread pool.
  Process ProcessResult ProcessKillStaleGroup ProcessStartTime SystemProcessTable
  FindProcessesWithEnvironment KillProcessesWithEnvironment AgentProcess Supervise
  # The event loop: timers, signals, log sinks and tails, the workstreams
  # watch (inotify), the live display (SIGWINCH handler, a pty).
  Timers LogSink LogTail WorkstreamsWatch LiveDisplay
  # The executor and `orchestra run`: many agents at once, pause, Ctrl-C,
  # kill -9 and resume, merges of parallel worktrees, secrets in logs.
  Executor ExecutorLogic Run KillNine Recovery Isolation MergeQueue RoutesRun Security Redaction
  # Crash points and trials, environment and agent faults, the orchestrator's death.
  CrashPoints CrashTrials EnvironmentFaults AgentFaults OrchestratorDeath
  # The dashboard: its server's threads, beside a run in another process.
  Dashboard FinishedRun StateReader Browser
  # State shared by processes: the state lock, the PostgreSQL store and runs on it.
  StateLock PostgresStore PostgresState StateStoreContract
  # The agent CLIs (node) against the model server (a pool of threads).
  AgentCli RealAgents
)
case $mode in
  asan) dir=build-asan sanitizers=address,undefined tests=() ;;
  asan-unit) dir=build-asan-unit sanitizers=address,undefined tests=() unit=1 ;;
  tsan-unit) dir=build-tsan-unit sanitizers=thread tests=() unit=1 ;;
  tsan) dir=build-tsan sanitizers=thread
        tests=(-R "^([A-Za-z]+/)?($(IFS='|'; echo "${tsan_suites[*]}"))Test\\.") ;;
  -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "sanitize.sh: unknown mode '$mode' (asan, tsan, asan-unit or tsan-unit)" >&2; exit 2 ;;
esac
./scripts/install-deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# Warnings are left to the normal build: gcc warns falsely on some sanitized code.
build_type=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
# The unit builds: line tables only, unoptimised for ASan; TSan wants -O1 (at
# -O0 its instrumentation of every stack access makes the tests crawl).
optimise=-O0
[ "$mode" = tsan-unit ] && optimise=-O1
[ "${unit:-0}" = 1 ] && build_type=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=$optimise -g1"
                                    "-DCMAKE_C_FLAGS_DEBUG=$optimise -g1")
cmake -S . -B "$dir" -G Ninja "${build_type[@]}" -DORCHESTRA_BUILD_TESTS=ON \
  -DORCHESTRA_SANITIZE="$sanitizers" >/dev/null
# The settings reach every instrumented process the tests start (the orchestra binary too).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
if [ "${unit:-0}" = 1 ]; then
  cmake --build "$dir" --target orchestra_tests
  # Every suite of a *_test.cc under src/, by name (a parameterized one under
  # any instantiation prefix).
  filter=$(grep -rhoE '^TEST(_F|_P)?\([A-Za-z0-9_]+' src --include='*_test.cc' | sed 's/.*(//' | sort -u |
           sed 's|.*|&.*:*/&.*|' | paste -sd: -)
  exec "$dir/tests/orchestra_tests" --gtest_filter="$filter" --gtest_brief=1 "$@"
fi
cmake --build "$dir"
ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 "${tests[@]}" "$@"
