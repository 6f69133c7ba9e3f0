#!/usr/bin/env bash
# Fails when any C++ file under src/, bench/, fuzz/ or tests/ is not clang-formatted.
# With --fix, formats them in place.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format-14 || command -v clang-format)
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.h' 'src/*.cc' 'bench/*.cc' \
  'bench/*.h' 'fuzz/*.cc' 'tests/*.cc' 'tests/*.h')
if [ "${1:-}" = "--fix" ]; then
  "$fmt" -i "${files[@]}"
  exit 0
fi
"$fmt" --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files clean" >&2
