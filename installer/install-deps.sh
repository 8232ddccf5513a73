#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs everything Colophon needs to build, run and test, from Debian's
# packages only. Idempotent: packages already present are not fetched again.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format
  # Qt 6 (Core, Gui, Widgets, Network, Sql, Test) and its SQLite driver
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libgl-dev
  # platform libraries
  libsqlite3-dev libboost-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libcurl4-openssl-dev libsodium-dev libqrencode-dev libexpected-dev
  # OpenSSL's SHA-256 (the CPU's SHA instructions) for content hashes
  libssl-dev
  # zstd for sync snapshots
  libzstd-dev
  # the console's browser sign-in (OAuth 2.0) and its token in the OS keychain
  qt6-networkauth-dev qtkeychain-qt6-dev
  # test and benchmark peers: a load generator and the nginx baseline,
  # promtool to validate /metrics, curl for smoke checks
  wrk nginx-light prometheus curl python3
  # the OpenAPI 3.0 JSON Schema (shipped by drf-spectacular) and a validator for it
  python3-jsonschema python3-djangorestframework-spectacular
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
