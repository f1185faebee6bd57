#!/usr/bin/env bash
# Builds Orchestra with sanitizers and runs its tests under them:
#   scripts/sanitize.sh [asan|tsan|asan-unit|tsan-unit] [CTEST_ARGS...]
# asan (default; CI runs it): AddressSanitizer + UndefinedBehaviorSanitizer
#   (and LeakSanitizer) into build-asan/, unoptimised (-O0, line tables: a
#   third of -O2 -g's compile time, so a build without a warm cache fits in
#   CI), and the whole ctest suite, the orchestra and orchestra-supervise
#   binaries the integration tests start instrumented too; the first finding
#   stops its process and fails its test.
# tsan (CI runs it too): ThreadSanitizer into build-tsan/ (-O1, line tables),
#   every suite whose code runs concurrently (tsan_suites below) through ctest:
#   threads (the dashboard's cpp-httplib pool, the loader's and the planner's
#   threads, the /proc scan on libuv's thread pool, the model server the agent
#   CLI tests talk to), signal handlers, and the processes that share files,
#   locks and the database (agents, supervisors, orchestrators, Postgres).
# asan-unit, tsan-unit: the same builds, only the unit tests (the *_test.cc
#   beside the code in src/) in one process: a minute, for a quick look.
# Extra arguments go to ctest (e.g. -R LoaderTest), or to the unit test
# process in the -unit modes.
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
  Dashboard FinishedRun StateReader Browser DashboardApi LogChunk
  # Work split over threads: the loader's two halves of a large array or
  # folder (RunBeside), the planner's searches (one per core).
  RunBeside Loader CleanWorkstreams PlanRank Replan ScheduleSearch
  # One process, several connections and a copier beside the loop.
  SqliteStore StateStore StatementCache AttemptLogCopier
  # State shared by processes: the state lock, the PostgreSQL store and runs on it.
  StateLock PostgresStore PostgresState StateStoreContract
  # The agent CLIs (node) against the model server (a pool of threads).
  AgentCli RealAgents
)
case $mode in
  asan|asan-unit) dir=build-asan sanitizers=address,undefined optimise=-O0 ;;
  # TSan wants -O1: at -O0 its instrumentation of every stack access makes the tests crawl.
  tsan|tsan-unit) dir=build-tsan sanitizers=thread optimise=-O1 ;;
  -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "sanitize.sh: unknown mode '$mode' (asan, tsan, asan-unit or tsan-unit)" >&2; exit 2 ;;
esac
./scripts/install-deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# Warnings are left to the normal build: gcc warns falsely on some sanitized code.
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=$optimise -g1" \
  "-DCMAKE_C_FLAGS_DEBUG=$optimise -g1" -DORCHESTRA_BUILD_TESTS=ON -DORCHESTRA_SANITIZE="$sanitizers" >/dev/null
# The settings reach every instrumented process the tests start (the orchestra binary too).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
cmake --build "$dir"

# Every unit test (the suites of the *_test.cc files under src/, by name, a
# parameterized one under any instantiation prefix) in one test process.
unit_tests() {
  local filter
  filter=$(grep -rhoE '^TEST(_F|_P)?\([A-Za-z0-9_]+' src --include='*_test.cc' | sed 's/.*(//' | sort -u |
           sed 's|.*|&.*:*/&.*|' | paste -sd: -)
  "$dir/tests/orchestra_tests" --gtest_filter="$filter" --gtest_brief=1 "$@"
}
case $mode in
  asan-unit|tsan-unit) unit_tests "$@" ;;
  asan) ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 "$@" ;;
  tsan) ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 \
          -R "^([A-Za-z]+/)?($(IFS='|'; echo "${tsan_suites[*]}"))Test\\." "$@" ;;
esac
