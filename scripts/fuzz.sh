#!/usr/bin/env bash
# Build and run the libFuzzer targets of fuzz/ (every decoder of xmtp-core).
#
#   scripts/fuzz.sh --quick               build all targets, run each for 5 s (FUZZ_SECONDS)
#   scripts/fuzz.sh --long SECONDS        run each target for SECONDS (a campaign), e.g. 60
#   scripts/fuzz.sh --long 600 codecs     only the named targets
#
# Seeds are written first from tests/vectors (fuzz/seeds.py) into fuzz/corpus/<target>/, where
# libFuzzer also keeps what it finds (not committed). A crash leaves its input in
# fuzz/artifacts/<target>/; the script goes on with the other targets, prints a table of
# executions per target and exits 1 if any target failed.
#
# Environment: FUZZ_SANITIZER (default `none`: the core forbids unsafe code, and the fuzzer looks
# for panics, overflows (debug assertions are on), excessive memory and hangs; `address` builds
# with ASan, slower), FUZZ_SECONDS (quick mode's time per target), FUZZ_RSS_MB (default 2048),
# FUZZ_TIMEOUT (seconds per input, default 10). On a stable toolchain RUSTC_BOOTSTRAP=1 is set so
# that cargo fuzz may pass its -Z flags.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=${1:-}
case $mode in
  --quick) seconds=${FUZZ_SECONDS:-5}; shift ;;
  --long)
    seconds=${2:?"--long needs a number of seconds"}
    shift 2
    ;;
  *)
    echo "usage: scripts/fuzz.sh --quick | --long SECONDS [TARGET...]" >&2
    exit 2
    ;;
esac

scripts/setup-fuzz.sh
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi
sanitizer=${FUZZ_SANITIZER:-none}
rss=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}

cd fuzz
python3 seeds.py corpus
if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

build_start=$SECONDS
cargo fuzz build -O --sanitizer "$sanitizer"
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - build_start)) s (sanitizer: $sanitizer)"

failed=()
summary=()
total_runs=0
for t in "${targets[@]}"; do
  log=$(mktemp)
  start=$SECONDS
  if cargo fuzz run -O --sanitizer "$sanitizer" "$t" -- \
    -max_total_time="$seconds" -rss_limit_mb="$rss" -timeout="$timeout" -print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
    grep -E "panicked|ERROR|SUMMARY|Test unit written|artifact" "$log" | head -20 || true
  fi
  runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" | tail -1 || true)
  corpus=$(find "corpus/$t" -type f | wc -l)
  summary+=("$(printf '%-20s %10s %6s s %7s %s' "$t" "${runs:-?}" "$((SECONDS - start))" "$corpus" "$status")")
  total_runs=$((total_runs + ${runs:-0}))
  rm -f "$log"
done

printf '\n%-20s %10s %8s %7s %s\n' target executions time corpus status
printf '%s\n' "${summary[@]}"
echo "fuzz: ${#targets[@]} targets, $total_runs executions, ${seconds} s each"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
