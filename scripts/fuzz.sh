#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan+UBSan) into build-fuzz/
# and runs each for N seconds (default 60):
#   scripts/fuzz.sh [--seconds N] [TARGET...]
# TARGET is workstream_fuzz, config_fuzz, agent_output_fuzz or stg_fuzz (default:
# all). Seeds: fuzz/corpus/<target>/, the repository's own fixtures, and the
# shared fixtures beside the checkout when they exist (copied into the working
# corpus build-fuzz/corpus/<target>/, which grows from run to run and is never
# committed). A crash, sanitizer finding, leak, hang (>10 s on one input) or
# out-of-memory (>2 GB) fails the run; its input is saved in
# build-fuzz/artifacts/<target>/ and the log in build-fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(workstream_fuzz config_fuzz agent_output_fuzz stg_fuzz)
((${#targets[@]})) || targets=("${all[@]}")
for target in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target $target (one of: ${all[*]})" >&2; exit 2; }
done
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "fuzz.sh: --seconds takes a positive whole number, not '$seconds'" >&2; exit 2; }

export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORCHESTRA_WERROR=ON \
  -DCMAKE_CXX_COMPILER=clang++-14 -DORCHESTRA_FUZZ=ON -DORCHESTRA_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --target "${targets[@]}"

shared=../shared/fixtures
# seeds TARGET: the folders and files whose contents seed TARGET.
seeds() {
  case $1 in
    workstream_fuzz) echo fuzz/corpus/workstream tests/fixtures/workstreams examples/seed-plan/workstreams \
                          "$shared/upstream-workstreams" ;;
    config_fuzz) echo fuzz/corpus/config examples/seed-plan/orchestra.toml ;;
    agent_output_fuzz) echo fuzz/corpus/agent_output tests/fixtures/agents ;;
    stg_fuzz) echo fuzz/corpus/stg tests/fixtures/stg "$shared/stg/50" "$shared/stg/optimal" ;;
  esac
}

failed=()
for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target
  mkdir -p "$corpus" "build-fuzz/artifacts/$target" build-fuzz/logs
  for seed in $(seeds "$target"); do
    [[ -e $seed ]] || { echo "$target: seed $seed is absent, skipped"; continue; }
    # Copies named by content, so repeated runs add nothing twice.
    find "$seed" -type f ! -name README.md ! -name '.*' -print0 |
      while IFS= read -r -d '' file; do
        cp "$file" "$corpus/seed-$(sha1sum <"$file" | cut -c1-16)"
      done
  done
  log=build-fuzz/logs/$target.log
  echo "$target: fuzzing for ${seconds}s from $(find "$corpus" -type f | wc -l) inputs"
  if "build-fuzz/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$target/" "$corpus" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "$target: ok, $runs inputs tried, corpus now $(find "$corpus" -type f | wc -l)"
  else
    echo "$target: FAILED, the finding:"
    grep -A30 -m1 -E '^==[0-9]+==|runtime error|^ALARM|out-of-memory|deadly signal' "$log" || tail -40 "$log"
    ls "build-fuzz/artifacts/$target"
    failed+=("$target")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz.sh: findings in ${failed[*]} (logs in build-fuzz/logs/, inputs in build-fuzz/artifacts/)" >&2
  exit 1
fi
