#!/usr/bin/env bash
# Installs every Debian package Varpulis needs to build and test. Idempotent: quiet and fast when
# everything is already there. Runs as root (CI, the dev machines) or through sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache python3 git
  librocksdb-dev liblz4-dev libboost-dev libsimdjson-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libssl-dev clang-14 libclang-rt-14-dev clang-format-14
  wrk mosquitto mosquitto-clients
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
