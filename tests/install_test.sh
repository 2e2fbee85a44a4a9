#!/usr/bin/env bash
# cmake --install into a fresh prefix, then what a user gets there: the program, man page,
# completion, scenarios, docs and tools under share/codev, and a CMake package that a small
# project (tests/consumer) finds and links. Usage: install_test.sh BUILD_DIR SOURCE_DIR WORK_DIR.
set -euo pipefail
build=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
fail() { echo "install_test: FAILED: $*"; exit 1; }
for f in bin/codev share/man/man1/codev.1 share/bash-completion/completions/codev \
         share/codev/scenarios/example_small.yaml share/codev/scenarios/examples/experiment_small.yaml \
         share/codev/docs/README.md share/codev/docs/EXPERIMENTS.md share/codev/tools/plot.py \
         include/codev/engine.hpp include/codev/report.hpp include/codev/version.hpp \
         lib/libcodev.a lib/cmake/codev/codevConfig.cmake lib/cmake/codev/codevConfigVersion.cmake \
         lib/cmake/codev/codevTargets.cmake; do
  [ -e "$prefix/$f" ] || fail "$f not installed"
done
grep -q '^\.TH CODEV' "$prefix/share/man/man1/codev.1" || fail "man page has no .TH"
"$prefix/bin/codev" --version | grep -q '^codev ' || fail "installed codev --version"
# The installed program runs an installed scenario.
"$prefix/bin/codev" run "$prefix/share/codev/scenarios/example_small.yaml" -o "$work/run.h5" \
  --threads 2 >"$work/run.log" || fail "installed codev run"
# A consumer project: find_package(codev) and codev::codev, nothing else. It is compiled by the
# library's own compiler: a sanitizer or fuzzing build exports clang-only flags with the package.
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
cmake -S "$source/tests/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "configure consumer"; }
cmake --build "$work/consumer" >>"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "build consumer"; }
"$work/consumer/consumer" "$prefix/share/codev/scenarios/example_small.yaml" "$work/run.h5" \
  || fail "consumer run"
echo "install_test: OK"
