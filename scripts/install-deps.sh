#!/usr/bin/env bash
# Installs the Debian 12 packages Orchestra needs to build and test. Idempotent:
# it only calls apt-get when a package is missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache git pkg-config
  nlohmann-json3-dev libsqlite3-dev sqlite3 libcli11-dev libfmt-dev
  libtomlplusplus-dev libuv1-dev libgtest-dev libgmock-dev
  procps
  time strace libbenchmark-dev  # scripts/bench.sh: peak RSS, the resume timing, the status state, micro-benchmarks
  graphviz  # `dot`, for `orchestra graph --format svg` and its tests
  groff-base zsh fish  # the man page and the completion scripts are checked by their real readers
  libcpp-httplib-dev  # src/server (the dashboard) and tests/model_server
  chromium  # tests/browser_test.cc drives the dashboard in it (no browser download)
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: the libFuzzer targets of fuzz/ (clang only)
  libpqxx-dev  # the PostgreSQL state store (src/state/postgres_store.cc)
  postgresql  # its tests start a private server (tests/support/postgres_server.cc)
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

# The real agent CLIs, which tests/agent_cli_test.cc drives against tests/model_server. They go to
# a cache folder outside the clone (about 700 MB together), installed only when one is missing, so
# a fresh clone in CI reuses them. Tests find them through the same variable and skip without them.
agent_clis=${ORCHESTRA_AGENT_CLIS:-$HOME/.cache/orchestra/agent-clis}
agent_packages=(@anthropic-ai/claude-code @openai/codex @google/gemini-cli)
agent_missing=()
for package in "${agent_packages[@]}"; do
  [[ -f $agent_clis/node_modules/$package/package.json ]] || agent_missing+=("$package")
done
if ((${#agent_missing[@]})); then
  if command -v npm >/dev/null; then
    echo "installing into $agent_clis: ${agent_missing[*]}"
    mkdir -p "$agent_clis"
    npm install --prefix "$agent_clis" --no-audit --no-fund --loglevel=error "${agent_missing[@]}"
  else
    echo "npm not found: the agent CLI tests will skip (install nodejs and npm, then rerun $0)"
  fi
fi

# playwright-core, which drives /usr/bin/chromium in tests/browser_test.cc, into a cache folder
# outside the clone (never a browser download: playwright-core has none). The test skips without it.
browser_tools=${ORCHESTRA_BROWSER_TOOLS:-$HOME/.cache/orchestra/browser}
if [[ ! -f $browser_tools/node_modules/playwright-core/package.json ]]; then
  if command -v npm >/dev/null; then
    echo "installing into $browser_tools: playwright-core"
    mkdir -p "$browser_tools"
    npm install --prefix "$browser_tools" --no-audit --no-fund --loglevel=error playwright-core
  else
    echo "npm not found: the browser test will skip (install nodejs and npm, then rerun $0)"
  fi
fi
