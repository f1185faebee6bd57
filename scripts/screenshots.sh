#!/usr/bin/env bash
# Makes the README's pictures of the live dashboard and the HTML report: runs
# the browser test (tests/browser_test.cc), which drives Chromium over a `sim`
# run of examples/seed-plan and leaves its screenshots in build/test-artefacts/,
# then copies two of them into docs/images/ (commit those).
# Needs what scripts/install-deps.sh installs (chromium, playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORCHESTRA_BUILD_TESTS=ON >/dev/null
cmake --build build
artefacts=build/test-artefacts
rm -f "$artefacts/dashboard-running.png" "$artefacts/report.png"
build/tests/orchestra_tests --gtest_filter='BrowserTest.*'
for picture in dashboard-running.png report.png; do
  if [[ ! -f $artefacts/$picture ]]; then
    echo "$0: the browser test wrote no $artefacts/$picture (skipped? run scripts/install-deps.sh)" >&2
    exit 1
  fi
done
mkdir -p docs/images
cp "$artefacts/dashboard-running.png" docs/images/dashboard.png
cp "$artefacts/report.png" docs/images/report.png
echo "docs/images/dashboard.png and docs/images/report.png updated"
