#!/usr/bin/env bash
# Runs the libFuzzer targets of a CODEV_FUZZ build (fuzz/README.md), each for SECONDS, side by
# side, from seed corpora made of scenarios/ and tests/data (and, for the output-file reader,
# small files written by the build's own codev), then sorts what they found:
#
#   tools/fuzz.sh BUILD_DIR SECONDS [TARGET...]     # targets: scenario experiment hdf5 (default all)
#
# Corpora grow in BUILD_DIR/fuzz-work/<target>/corpus across runs; crashing inputs land in
# BUILD_DIR/fuzz-work/<target>/artifacts. The targets run in libFuzzer's fork mode and keep going
# after a crash, timeout or OOM. Each crash is replayed and attributed by its first frame outside
# the sanitizer and libc: inside libhdf5 it is the library's own (a damaged file crashing
# HDF5 1.10, which codev inspect/compare survive through their sandbox), listed but not counted;
# anywhere else it is codev's. Exit status 1 when codev's code crashed, 0 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR SECONDS [scenario|experiment|hdf5]..." >&2; exit 2; }
build=$(cd "$1" && pwd)
seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario experiment hdf5)
work=$build/fuzz-work
source_dir=$(pwd)

seed() {  # seed TARGET: fills $work/TARGET/seeds
  local t=$1 dir=$work/$1/seeds
  rm -rf "$dir" && mkdir -p "$dir"
  case $t in
    scenario)
      for f in scenarios/*.yaml scenarios/examples/*.yaml tests/data/good/*.yaml tests/data/bad/*.yaml; do
        case $(basename "$f") in experiment_*) ;; *) cp "$f" "$dir/$(echo "$f" | tr / _)" ;; esac
      done ;;
    experiment)
      for f in scenarios/experiment_*.yaml scenarios/examples/experiment_*.yaml tests/data/bad/experiment_*.yaml; do
        cp "$f" "$dir/$(echo "$f" | tr / _)"
      done
      # Relative to tests/data/bad, where the target resolves paths: a base that exists.
      sed 's#base: ../example_small.yaml#base: ../good/basic.yaml#' scenarios/examples/experiment_small.yaml \
        > "$dir/experiment_small_on_basic.yaml" ;;
    hdf5)
      local scenario=$work/hdf5/tiny.yaml
      printf 'extends: %s/tests/data/good/minimal.yaml\nmeta: {years: 1, step_months: 12}\n' "$source_dir" > "$scenario"
      printf 'experiment: {name: tiny, base: tiny.yaml, replicates: 2}\nvariants:\n  - name: a\n  - name: b\n    set: {parameters.health.reimbursement: 0.7}\n' \
        > "$work/hdf5/tiny_experiment.yaml"
      "$build/codev" run "$scenario" --threads 1 -o "$dir/run.h5" > /dev/null
      "$build/codev" experiment "$work/hdf5/tiny_experiment.yaml" --threads 1 -o "$dir/experiment.h5" > /dev/null ;;
  esac
}

pids=()
for t in "${targets[@]}"; do
  binary=$build/fuzz/fuzz_$t
  [ -x "$binary" ] || { echo "fuzz: no $binary (configure with -DCODEV_FUZZ=ON)" >&2; exit 2; }
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  rm -f "$work/$t/artifacts/"*
  seed "$t"
  # libhdf5 leaks on its error paths: no leak checks for its target (nor in fork mode's parent).
  case $t in
    hdf5) extra=(-max_len=1048576 -detect_leaks=0 -timeout=10) leaks=0 ;;
    *) extra=(-max_len=65536 -timeout=20) leaks=1 ;;
  esac
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks "$binary" -fork=1 \
    -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -rss_limit_mb=4096 -max_total_time="$seconds" "${extra[@]}" \
    -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" "$work/$t/seeds" \
    > "$work/$t/log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

status=0
for t in "${targets[@]}"; do
  binary=$build/fuzz/fuzz_$t
  # Fork mode prints "#<inputs>: cov: .. exec/s: .. oom/timeout/crash: a/b/c time: Ns ..." lines.
  stats=$(grep -E '^#[0-9]+: cov:' "$work/$t/log" | tail -1 || true)
  runs=$(sed -E 's/^#([0-9]+):.*/\1/' <<< "$stats")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<< "$stats")
  seconds_run=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<< "$stats")
  ours=0 library=0 other=0
  for artifact in "$work/$t/artifacts/"*; do
    [ -e "$artifact" ] || continue
    case $(basename "$artifact") in
      crash-*|leak-*) ;;
      *) other=$((other + 1)); echo "fuzz_$t: $(basename "$artifact") (timeout or out of memory, not counted)"; continue ;;
    esac
    leaks=$([ "$t" = hdf5 ] && echo 0 || echo 1)
    where=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks "$binary" -runs=1 \
      -detect_leaks=$leaks "$artifact" 2>&1 | /usr/bin/python3 -c '
import re, sys
skip = re.compile(r"(__asan|__interceptor|__sanitizer|___interceptor|__ubsan|__lsan|__memcpy|__memmove|"
                  r"__memset|__strlen|\b(memcpy|memmove|memset|memcmp|strlen|strnlen|strdup|strcmp|"
                  r"strncmp|strcpy|strncpy|strchr|malloc|calloc|realloc|free)\b|operator new|"
                  r"operator delete|libc\.so|libclang_rt|libstdc\+\+)")
for line in sys.stdin:
    m = re.match(r"\s+#\d+ 0x[0-9a-f]+ (?:in )?(.*)", line)
    if m and not skip.search(m.group(1)):
        print("libhdf5" if "libhdf5" in m.group(1) else "codev: " + m.group(1)[:160]); break
else:
    print("codev: no stack (see the log)")' || true)
    if [[ $where == libhdf5 ]]; then
      library=$((library + 1))
    else
      ours=$((ours + 1))
      echo "fuzz_$t: CODEV CRASH $(basename "$artifact"): $where"
    fi
  done
  echo "fuzz_$t: ${runs:-0} inputs in ${seconds_run:-?} s, coverage ${cov:-?}; crashes in codev: $ours, inside libhdf5: $library, timeouts/OOMs: $other (log: $work/$t/log)"
  [ "$ours" -eq 0 ] || status=1
done
exit $status
