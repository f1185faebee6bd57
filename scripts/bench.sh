#!/bin/sh
# Orchestra's benchmarks (see docs/benchmarks.md).
#
#   scripts/bench.sh stg [STG_BENCH_ARGS...]   the STG planning benchmark; extra arguments go to
#                                              stg_bench, e.g. `stg --budget 50ms --misses`
#   scripts/bench.sh dispatch [--sizes 100,1000,10000] [--rounds 3] [--seed 1] [--agents 16]
#                             [--build-dir DIR] [--work DIR]
#                                              orchestra run against ninja and make on the same
#                                              random DAG of no-op steps
#   scripts/bench.sh all                       both, with their defaults
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
  for tool in ninja make /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench.sh dispatch: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
  done
  if [ -z "$build_dir" ]; then
    build_targets orchestra dag_gen
    build_dir=build
  fi
  orchestra=$(cd "$build_dir" && pwd)/orchestra
  dag_gen=$(cd "$build_dir" && pwd)/dag_gen
  if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/orchestra-dispatch.XXXXXX")
    trap 'rm -rf "$work"' EXIT
  fi
  mkdir -p "$work"
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

case ${1-} in
  stg) shift; run_stg "$@" ;;
  dispatch) shift; run_dispatch "$@" ;;
  all) shift; run_stg; echo; run_dispatch ;;
  *) run_stg "$@" ;;
esac
