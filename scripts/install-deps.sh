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
