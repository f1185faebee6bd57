#!/usr/bin/env bash
# Installs what is missing, builds Orchestra, and runs the bundled example
# (examples/seed-plan: 39 workstreams, 3 simulated agents, SQLite state).
# The example starts from a clean state each time so the whole run is shown.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target orchestra
build/orchestra -C examples/seed-plan reset --yes >/dev/null
build/orchestra -C examples/seed-plan plan | tail -n 3
build/orchestra -C examples/seed-plan run
