#!/usr/bin/env bash
# Formats every C++ file of the project with .clang-format, or with --check reports the files
# that differ and exits 1 (CI runs the check).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.hpp.in' | grep -v '\.in$')
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run -Werror "${files[@]}"
  echo "format: ${#files[@]} files follow .clang-format"
else
  clang-format -i "${files[@]}"
fi
