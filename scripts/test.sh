#!/usr/bin/env bash
# Builds Orchestra and runs every test (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# Let ccache share objects between clones of the repository (CI builds a fresh one).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DORCHESTRA_WERROR=ON -DORCHESTRA_BUILD_TESTS=ON >/dev/null
cmake --build build
# --no-tests=error: a build that registers no test must not pass as green.
ctest --test-dir build --output-on-failure --no-tests=error -j2
