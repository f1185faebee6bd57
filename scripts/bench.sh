#!/bin/sh
# Orchestra's benchmarks (see docs/benchmarks.md).
#
#   scripts/bench.sh stg [STG_BENCH_ARGS...]   the STG planning benchmark; extra arguments go to
#                                              stg_bench, e.g. `stg --budget 50ms --misses`
#   scripts/bench.sh dispatch [--sizes 100,1000,10000] [--rounds 3] [--seed 1] [--agents 16]
#                             [--build-dir DIR] [--work DIR]
#                                              orchestra run against ninja and make on the same
#                                              random DAG of no-op steps
#   scripts/bench.sh scale [--sizes 1000,10000,100000] [--rounds 3] [--build-dir DIR] [--work DIR]
#                                              load + validate + plan: wall time (median of the
#                                              rounds) and peak RSS (the largest)
#   scripts/bench.sh resume [--size 10000] [--rounds 3] [--build-dir DIR] [--work DIR]
#                                              kill -9 at half a run, then time from `orchestra
#                                              run` to its first dispatch (strace)
#   scripts/bench.sh status [--size 100000] [--rounds 3] [--build-dir DIR] [--work DIR]
#                                              `orchestra status --json` on a generated state
#   scripts/bench.sh micro [--sizes 10000,100000] [--build-dir DIR] [BENCHMARK_ARGS...]
#                                              Google Benchmark: the scheduler's dispatch
#                                              decision and the bottom-level computation
#   scripts/bench.sh all                       all of them, with their defaults
#
# Without a subcommand the arguments go to the STG benchmark, as before.
# The script builds what it needs in build/ first, unless --build-dir names a
# build folder to take the binaries from as they are (the ctest smoke test).
set -eu
cd "$(dirname "$0")/.."

build_targets() {  # build_targets TARGET...
  cmake -S . -B build -G Ninja >/dev/null
  ninja -C build "$@" >/dev/null
}

run_stg() {
  build_targets stg_bench
  build/stg_bench "$@" ../shared/fixtures/stg
}

now() { date +%s.%N; }

# median of the numbers on stdin, one a line
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# check_outputs TOOL: TOOL made one output per node
check_outputs() {
  built=$(ls "$dir/out" | wc -l)
  if [ "$built" -ne "$n" ]; then
    echo "bench.sh dispatch: $1 built $built of $n outputs" >&2
    exit 1
  fi
}

run_dispatch() {
  sizes=100,1000,10000
  rounds=3
  seed=1
  agents=16
  build_dir=
  work=
  while [ $# -gt 0 ]; do
    case $1 in
      --sizes) sizes=$2; shift 2 ;;
      --rounds) rounds=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --agents) agents=$2; shift 2 ;;
      --build-dir) build_dir=$2; shift 2 ;;
      --work) work=$2; shift 2 ;;
      *) echo "bench.sh dispatch: unknown argument '$1'" >&2; exit 2 ;;
    esac
  done
  bench=dispatch
  prepare ninja make /usr/bin/time
  samples=$work/samples

  echo "Dispatch benchmark: random layered DAG (width 100, 1-3 dependencies), $agents agents / -j$agents, seed $seed, $rounds round(s)"
  echo "Every step is a no-op process: orchestra execs /bin/true; ninja and make run 'touch \$out' through /bin/sh."
  echo "Times are medians over the rounds, in seconds; ratios are the medians of the per-round ratios."
  echo
  echo "| workstreams | orchestra wall | orchestra cpu (user+sys) | ninja wall | make wall | orchestra/ninja | orchestra/make |"
  echo "|-------------|----------------|--------------------------|------------|-----------|-----------------|----------------|"
  for n in $(echo "$sizes" | tr ',' ' '); do
    dir=$work/dag-$n
    rm -rf "$dir"
    "$dag_gen" --seed "$seed" --agents "$agents" "$n" "$dir"
    : > "$samples"
    round=1
    while [ "$round" -le "$rounds" ]; do
      # orchestra: fresh state, logs and reports each round.
      rm -rf "$dir/.state" "$dir/logs" "$dir/reports"
      start=$(now)
      if ! /usr/bin/time -f '%U %S' -o "$work/cpu" "$orchestra" -C "$dir" run >/dev/null 2>"$work/orchestra.err"; then
        echo "bench.sh dispatch: orchestra run failed on $n workstreams:" >&2
        cat "$work/orchestra.err" >&2
        exit 1
      fi
      orchestra_wall=$(echo "$start $(now)" | awk '{ printf "%.6f", $2 - $1 }')
      orchestra_cpu=$(awk 'END { printf "%.6f", $1 + $2 }' "$work/cpu")

      # ninja: no outputs, no log.
      rm -rf "$dir/out" "$dir/.ninja_log" "$dir/.ninja_deps"
      start=$(now)
      ninja -C "$dir" -j"$agents" >/dev/null
      ninja_wall=$(echo "$start $(now)" | awk '{ printf "%.6f", $2 - $1 }')
      check_outputs ninja

      # make: no outputs (the folder stays: make's touch does not create it).
      rm -rf "$dir/out" && mkdir "$dir/out"
      start=$(now)
      make -C "$dir" -j"$agents" >/dev/null
      make_wall=$(echo "$start $(now)" | awk '{ printf "%.6f", $2 - $1 }')

      check_outputs make
      echo "$orchestra_wall $orchestra_cpu $ninja_wall $make_wall" >> "$samples"
      round=$((round + 1))
    done
    ow=$(awk '{ print $1 }' "$samples" | median)
    oc=$(awk '{ print $2 }' "$samples" | median)
    nw=$(awk '{ print $3 }' "$samples" | median)
    mw=$(awk '{ print $4 }' "$samples" | median)
    rn=$(awk '{ print $1 / $3 }' "$samples" | median)
    rm_=$(awk '{ print $1 / $4 }' "$samples" | median)
    printf '| %11s | %14.3f | %24.3f | %10.3f | %9.3f | %14.1fx | %13.1fx |\n' \
      "$n" "$ow" "$oc" "$nw" "$mw" "$rn" "$rm_"
  done
}

# parse_options NAME ARGS...: parses --build-dir, --work and the options named in $options
# (--sizes, --size, --rounds: the variable of the same name). prepare then leaves the binaries in
# $orchestra and $dag_gen and a work folder in $work (temporary, removed at exit, unless --work
# names one).
parse_options() {
  bench=$1; shift
  build_dir=
  work=
  while [ $# -gt 0 ]; do
    case $1 in
      --build-dir) build_dir=$2; shift 2 ;;
      --work) work=$2; shift 2 ;;
      --sizes) sizes=$2; shift 2 ;;
      --size) size=$2; shift 2 ;;
      --rounds) rounds=$2; shift 2 ;;
      *) echo "bench.sh $bench: unknown argument '$1'" >&2; exit 2 ;;
    esac
  done
}

prepare() {  # prepare TOOL...: checks tools, builds, makes $work
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench.sh $bench: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
  done
  if [ -z "$build_dir" ]; then
    build_targets orchestra dag_gen
    build_dir=build
  fi
  orchestra=$(cd "$build_dir" && pwd)/orchestra
  dag_gen=$(cd "$build_dir" && pwd)/dag_gen
  if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/orchestra-$bench.XXXXXX")
    trap 'rm -rf "$work"' EXIT
  fi
  mkdir -p "$work"
}

# measure OUT COMMAND...: runs COMMAND (stdout to /dev/null) and appends "wall_seconds peak_rss_kb"
# to OUT; exits on failure. Wall time is date around the command; the RSS is GNU time's %M.
measure() {
  out=$1; shift
  start=$(now)
  if ! /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/err"; then
    echo "bench.sh $bench: failed: $*" >&2
    cat "$work/err" >&2
    exit 1
  fi
  end=$(now)
  echo "$start $end $(tail -n 1 "$work/rss")" | awk '{ printf "%.6f %d\n", $2 - $1, $3 }' >> "$out"
}

run_scale() {
  sizes=1000,10000,100000
  rounds=3
  parse_options scale "$@"
  prepare /usr/bin/time
  echo "Scale benchmark: random layered DAG (width 100, 1-3 dependencies), 16 agents, seed 1."
  echo "Each command $rounds times, validate and plan alternating, output to /dev/null; the median"
  echo "wall time in seconds and the largest peak RSS (GNU time %M) in MB."
  echo "plan uses the default [planner] budget (200 ms for the plan, 50 ms for each row of its"
  echo "scaling table of 1..16 agents)."
  echo
  echo "| workstreams | files        | validate wall | validate RSS | plan wall | plan RSS |"
  echo "|-------------|--------------|---------------|--------------|-----------|----------|"
  for n in $(echo "$sizes" | tr ',' ' '); do
    for form in files array; do
      dir=$work/scale-$n-$form
      rm -rf "$dir"
      if [ "$form" = array ]; then "$dag_gen" --array "$n" "$dir"; else "$dag_gen" "$n" "$dir"; fi
      : > "$work/validate"
      : > "$work/plan"
      round=0
      while [ "$round" -lt "$rounds" ]; do
        measure "$work/validate" "$orchestra" -C "$dir" validate
        measure "$work/plan" "$orchestra" -C "$dir" plan
        round=$((round + 1))
      done
      label="$n files"
      [ "$form" = array ] && label="1 array"
      vw=$(cut -d' ' -f1 "$work/validate" | median)
      vr=$(cut -d' ' -f2 "$work/validate" | sort -n | tail -n 1)
      pw=$(cut -d' ' -f1 "$work/plan" | median)
      pr=$(cut -d' ' -f2 "$work/plan" | sort -n | tail -n 1)
      awk -v n="$n" -v f="$label" -v vw="$vw" -v vr="$vr" -v pw="$pw" -v pr="$pr" 'BEGIN {
        printf "| %11s | %-12s | %13.3f | %12.1f | %9.3f | %8.1f |\n", n, f, vw, vr / 1024, pw, pr / 1024 }'
      rm -rf "$dir"
    done
  done
}

# completed DB: how many workstreams the state at DB has completed
completed() {
  sqlite3 "$1" "SELECT count(*) FROM workstream_status WHERE status = 'completed'" 2>/dev/null || echo 0
}

run_resume() {
  size=10000
  rounds=3
  parse_options resume "$@"
  prepare /usr/bin/time sqlite3 strace
  dir=$work/resume
  rm -rf "$dir"
  "$dag_gen" "$size" "$dir"
  db=$dir/.state/orchestration.db
  half=$((size / 2))
  # The first run, killed with SIGKILL once the state holds half the workstreams completed. The
  # poll reads the database (a reader beside the WAL writer), so it waits on the state itself.
  "$orchestra" -C "$dir" run >/dev/null 2>"$work/first.err" &
  pid=$!
  while [ "$(completed "$db")" -lt "$half" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench.sh resume: orchestra run ended before half of $size completed:" >&2
      cat "$work/first.err" >&2
      exit 1
    fi
    sleep 0.02
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$(completed "$db")" -ge "$size" ]; then
    echo "bench.sh resume: the first run completed all $size workstreams before it could be killed at half;" \
         "take a larger --size" >&2
    exit 1
  fi
  # Per round, the time from orchestra's exec to the first exec of /bin/true (the first agent):
  # from the kernel's sched_process_exec tracepoint under `perf record` where perf can record it
  # (no ptrace: the run goes at its own speed), else from `strace -f -e trace=execve`, which
  # slows the run down (every thread and child traced).
  tracer=strace
  if command -v perf >/dev/null &&
     perf record -q -e sched:sched_process_exec -o "$work/probe.data" -- true >/dev/null 2>&1; then
    tracer=perf
  fi
  echo "Resume benchmark: random layered DAG of $size no-op workstreams (width 100, 1-3 dependencies),"
  echo "16 agents; the first run killed with SIGKILL at $(completed "$db") completed."
  if [ "$tracer" = perf ]; then
    echo "Each round: perf record -e sched:sched_process_exec orchestra -C DIR run; the time from"
  else
    echo "Each round: strace -f --seccomp-bpf -ttt -e trace=execve orchestra -C DIR run; the time from"
  fi
  echo "orchestra's own exec to the first exec of /bin/true (an agent started), then SIGKILL again."
  echo
  echo "| round | completed at start | to first dispatch (ms) |"
  echo "|-------|--------------------|------------------------|"
  : > "$work/samples"
  round=1
  while [ "$round" -le "$rounds" ]; do
    at_start=$(completed "$db")
    trace=$work/trace-$round
    if [ "$tracer" = perf ]; then
      perf record -q -e sched:sched_process_exec -o "$trace.data" -- "$orchestra" -C "$dir" run >/dev/null 2>"$work/err" &
    else
      strace -f --seccomp-bpf -qq -ttt -e trace=execve -o "$trace" "$orchestra" -C "$dir" run >/dev/null 2>"$work/err" &
    fi
    tracer_pid=$!
    # The run's first child is an agent's supervisor, which execs /bin/true and exits once it has
    # ended: when the first supervisor seen is gone, its agent's exec is in the trace (however
    # loaded the machine). Then SIGKILL (perf stops recording when orchestra is gone).
    orchestra_pid=
    supervisor=
    # A small run may finish everything before the poll sees a supervisor: its trace holds the
    # agents all the same.
    while kill -0 "$tracer_pid" 2>/dev/null; do
      [ -n "$orchestra_pid" ] || orchestra_pid=$(pgrep -P "$tracer_pid" | head -n 1)
      [ -n "$orchestra_pid" ] && [ -z "$supervisor" ] && supervisor=$(pgrep -P "$orchestra_pid" | head -n 1)
      [ -n "$supervisor" ] && ! kill -0 "$supervisor" 2>/dev/null && break
      sleep 0.01
    done
    [ -z "$orchestra_pid" ] || kill -9 "$orchestra_pid" 2>/dev/null || true
    wait "$tracer_pid" 2>/dev/null || true
    if [ "$tracer" = perf ]; then
      perf script -i "$trace.data" -F time,trace 2>/dev/null |
        awk -v self="$orchestra" '{ sub(":", "", $1) }
             index($0, "filename=" self " ") && !start { start = $1 }
             index($0, "filename=/bin/true ") && !first { first = $1 }
             END { if (!start || !first) exit 1; printf "%.1f\n", (first - start) * 1000 }' > "$work/ms" ||
        { echo "bench.sh resume: round $round started no agent:" >&2; cat "$work/err" >&2; exit 1; }
      ms=$(cat "$work/ms")
    else
      ms=$(awk 'NR == 1 { start = $2 } /execve\("\/bin\/true"/ && !done { first = $2; done = 1 }
                END { if (!first) exit 1; printf "%.1f", (first - start) * 1000 }' "$trace") ||
        { echo "bench.sh resume: round $round started no agent:" >&2; cat "$work/err" >&2; exit 1; }
    fi
    echo "$ms" >> "$work/samples"
    printf '| %5d | %18d | %22s |\n' "$round" "$at_start" "$ms"
    round=$((round + 1))
  done
  echo
  echo "median: $(median < "$work/samples") ms"
}

run_status() {
  size=100000
  rounds=3
  parse_options status "$@"
  prepare /usr/bin/time sqlite3
  dir=$work/status
  rm -rf "$dir"
  # The schema comes from orchestra itself: a run of one workstream (the project's first) creates the
  # database; its rows are then replaced by a completed run of every workstream, written by SQL.
  "$dag_gen" "$size" "$dir"
  "$orchestra" -C "$dir" run n0 >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  db=$dir/.state/orchestration.db
  sqlite3 "$db" <<SQL
BEGIN;
DELETE FROM workstream_status; DELETE FROM attempts; DELETE FROM execution_log; DELETE FROM runs;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < $size)
INSERT INTO workstream_status
  SELECT 'n' || i, 'completed', 'agent-' || (1 + i % 16), NULL, '2026-01-01 00:00:00',
         '2026-01-01 00:00:01', 0, 1, NULL FROM k;
INSERT INTO attempts (workstream_id, attempt, agent_id, pid, pid_start_time, started_at, ended_at,
                      outcome, exit_code, duration_seconds, log_path, agent_type)
  SELECT workstream_id, 1, agent_id, 1000, 1, started_at, completed_at, 'succeeded', 0, 0.5,
         'logs/workstreams/' || workstream_id || '/attempt-1.log', 'noop' FROM workstream_status;
INSERT INTO execution_log (timestamp, workstream_id, agent_id, event_type, message)
  SELECT started_at, workstream_id, agent_id, 'started', 'attempt 1 on ' || agent_id FROM workstream_status;
INSERT INTO execution_log (timestamp, workstream_id, agent_id, event_type, message)
  SELECT completed_at, workstream_id, agent_id, 'completed', 'attempt 1 succeeded' FROM workstream_status;
INSERT INTO runs (pid, started_at, ended_at, state) VALUES (1000, '2026-01-01 00:00:00', '2026-01-01 01:00:00', 'completed');
COMMIT;
SQL
  echo "Status benchmark: orchestra status --json on a state of $size completed workstreams"
  echo "(one attempt and two log events each, written by SQL into the schema orchestra created)."
  echo
  echo "| round | wall (ms) | peak RSS (MB) | output lines |"
  echo "|-------|-----------|---------------|--------------|"
  : > "$work/samples"
  round=1
  while [ "$round" -le "$rounds" ]; do
    : > "$work/one"
    measure "$work/one" "$orchestra" -C "$dir" status --json
    read -r wall rss < "$work/one"
    "$orchestra" -C "$dir" status --json > "$work/status.json"
    # The state read back whole: every workstream completed.
    grep -q "^    \"completed\": $size,\$" "$work/status.json" || {
      echo "bench.sh status: status --json does not count $size completed workstreams" >&2; exit 1; }
    lines=$(wc -l < "$work/status.json")
    echo "$wall" >> "$work/samples"
    awk -v r="$round" -v w="$wall" -v m="$rss" -v l="$lines" 'BEGIN { printf "| %5d | %9.1f | %13.1f | %12d |\n", r, w * 1000, m / 1024, l }'
    round=$((round + 1))
  done
  echo
  echo "median: $(median < "$work/samples" | awk '{ printf "%.1f", $1 * 1000 }') ms"
  # The final report of such a state (what `orchestra run` writes at its end), once: it reads
  # every workstream and attempt too, and was quadratic in them until the fourth session.
  : > "$work/report"
  measure "$work/report" "$orchestra" -C "$dir" report
  read -r wall rss < "$work/report"
  awk -v w="$wall" -v m="$rss" 'BEGIN { printf "orchestra report: %.1f ms, peak RSS %.1f MB\n", w * 1000, m / 1024 }'
}

run_micro() {
  sizes=10000,100000
  build_dir=
  while [ $# -gt 0 ]; do
    case $1 in
      --build-dir) build_dir=$2; shift 2 ;;
      --sizes) sizes=$2; shift 2 ;;
      *) break ;;
    esac
  done
  if [ -z "$build_dir" ]; then
    build_targets scheduler_bench
    build_dir=build
  fi
  if [ ! -x "$build_dir/scheduler_bench" ]; then
    echo "bench.sh micro: $build_dir/scheduler_bench was not built (install libbenchmark-dev: scripts/install-deps.sh)" >&2
    exit 1
  fi
  ORCHESTRA_BENCH_SIZES=$sizes "$build_dir/scheduler_bench" "$@"
}

case ${1-} in
  stg) shift; run_stg "$@" ;;
  dispatch) shift; run_dispatch "$@" ;;
  scale) shift; run_scale "$@" ;;
  resume) shift; run_resume "$@" ;;
  status) shift; run_status "$@" ;;
  micro) shift; run_micro "$@" ;;
  # Each in a subshell, so each removes its own work folder.
  all) shift; (run_stg); echo; (run_dispatch); echo; (run_scale); echo; (run_resume); echo; (run_status); echo; (run_micro) ;;
  *) run_stg "$@" ;;
esac
