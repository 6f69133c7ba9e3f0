#!/usr/bin/env bash
# Runs every test: format and layer checks, the release build with warnings as errors and its
# unit, scenario and end-to-end tests, the public conformance cases, then the unit tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== format check" >&2
scripts/check-format.sh

echo "== build (warnings as errors)" >&2
scripts/build.sh build -DVARPULIS_WERROR=ON

echo "== tests (build/)" >&2
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 900

if [ -d ../shared/conformance/cases ]; then
  echo "== public conformance cases" >&2
  python3 ../shared/conformance/run.py --bin build/varpulis ../shared/conformance/cases
fi

echo "== unit tests under ASan+UBSan (build-asan/)" >&2
BUILD_TYPE=Debug scripts/build.sh build-asan -DVARPULIS_SANITIZE=ON -DVARPULIS_BENCH=OFF \
  -DVARPULIS_WERROR=ON
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L unit --timeout 900
