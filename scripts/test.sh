#!/usr/bin/env bash
# test.sh DATA: every test: the suite (ctest), the suite again under ASan+UBSan, then each
# fuzzer for FUZZ_SECONDS (default 12). Ends with one line "test: N passed, N failed".
set -uo pipefail
data=$1
passed=0 failed=0 skipped=0
count() { # adds ctest's "X% tests passed, F tests failed out of T" to the totals
  local line; line=$(grep -E "tests passed, [0-9]+ tests failed out of" "$1" | tail -1)
  if [ -z "$line" ]; then failed=$((failed+1)); return; fi
  local f t; f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
  t=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
  local s; s=$(grep -c "(Skipped)" "$1")
  passed=$((passed + t - f - s)); failed=$((failed + f)); skipped=$((skipped + s))
}
log=$(mktemp)
( cd build && ctest --output-on-failure -j2 ) 2>&1 | tee "$log"; count "$log"
( cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j2 ) 2>&1 | tee "$log"; count "$log"
nfuzz=$(ls fuzz/fuzz_*.c | wc -l) # scripts/fuzz.sh runs each of them
if ./scripts/fuzz.sh build-fuzz "$data"; then passed=$((passed+nfuzz)); else failed=$((failed+1)); fi
rm -f "$log"
if [ "$skipped" -gt 0 ]; then echo "test: $passed passed, $failed failed, $skipped skipped"
else echo "test: $passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
