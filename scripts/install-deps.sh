#!/usr/bin/env bash
# Installs the Debian 12 packages Orchestra needs to build and test. Idempotent:
# it only calls apt-get when a package is missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache git pkg-config
  nlohmann-json3-dev libsqlite3-dev sqlite3 libcli11-dev libfmt-dev
  libtomlplusplus-dev libuv1-dev libgtest-dev libgmock-dev
  procps
  graphviz  # `dot`, for `orchestra graph --format svg` and its tests
  groff-base zsh fish  # the man page and the completion scripts are checked by their real readers
  libcpp-httplib-dev  # tests/model_server, the scripted model server the real agent CLIs talk to
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: the libFuzzer targets of fuzz/ (clang only)
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
