#!/usr/bin/env bash
# First command on a fresh machine: installs the dependencies, builds build/varpulis and runs the
# bundled HVAC example through it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
echo "== varpulis check examples/hvac/program.vpl" >&2
build/varpulis check examples/hvac/program.vpl
if build/varpulis simulate --help >/dev/null 2>&1; then
  echo "== varpulis simulate (HVAC example)" >&2
  build/varpulis simulate -p examples/hvac/program.vpl -e examples/hvac/events.evt \
    --immediate --output jsonl --drain
fi
