#!/usr/bin/env bash
# cli.sh QUOTER DATA SRC: the command line on the shared recordings: exit codes, key=value
# output, --help, bad input. Exits 77 (skipped) when the shared data is absent.
set -u
q=$1 data=$2 src=$3
fails=0 passes=0
ok()   { passes=$((passes+1)); }
bad()  { echo "FAIL: $*"; fails=$((fails+1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

rec1=$data/binance-spot/btcusdt_20240808.gz rec2=$data/binance-spot/btcusdt_20240809.gz
if [ ! -f "$rec1" ] || [ ! -f "$rec2" ]; then
  echo "SKIP: shared recordings not found under $data"
  exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# --help everywhere, exit 0
for c in "" verify backtest synth config; do
  $q $c --help >"$tmp/h" 2>&1; check "quoter $c --help exits 0" '[ $? -eq 0 ] && grep -q usage "$tmp/h"'
done
$q nosuch >/dev/null 2>&1; check "unknown command exits 2" '[ $? -eq 2 ]'

# verify: the book agrees with every comparable bookTicker
out=$($q verify "$rec1" "$rec2" 2>"$tmp/err"); rc=$?
echo "verify: $out"
check "verify exits 0" '[ $rc -eq 0 ]'
val() { echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
check "verify compared many" '[ "$(val compared)" -ge 1000 ]'
check "verify no mismatches" '[ "$(val mismatches)" = 0 ]'
check "verify no gaps" '[ "$(val gaps)" = 0 ]'
check "verify no bad lines" '[ "$(val bad_lines)" = 0 ]'
check "verify diffs" '[ "$(val diffs)" = 6495 ]'

# the second file alone has no snapshot: nothing compared, which is no pass (exit 1, says why)
out=$($q verify "$rec2" 2>"$tmp/verr"); rc=$?
check "verify without snapshot: exit 1, nothing verified" \
  '[ $rc -eq 1 ] && [ "$(val compared)" = 0 ] && [ "$(val applied)" = 0 ] && grep -q "nothing was verified: the book never synchronised (no depth snapshot" "$tmp/verr"'

# a recording whose diffs skip an update id shows the gap
zcat "$rec1" | head -2000 | awk '/depth@100ms/ {n++} !(/depth@100ms/ && n==40)' > "$tmp/gap.txt"
out=$($q verify "$tmp/gap.txt" 2>/dev/null)
check "verify counts a gap" '[ "$(val gaps)" = 1 ]'

# bad input: missing file, bad config key
$q verify /nonexistent.gz >/dev/null 2>"$tmp/err"; rc=$?
check "missing file exits 2 and names it" '[ $rc -eq 2 ] && grep -q nonexistent "$tmp/err"'
$q verify --set market.nosuch=1 "$rec1" >/dev/null 2>"$tmp/err"; rc=$?
check "unknown key exits 2" '[ $rc -eq 2 ] && grep -q "market.nosuch" "$tmp/err"'
printf '[market]\nsymbol = BTCUSDT\ntick_size = abc\n' > "$tmp/bad.ini"
$q verify -c "$tmp/bad.ini" "$rec1" >/dev/null 2>"$tmp/err"; rc=$?
check "bad tick exits 2" '[ $rc -eq 2 ] && grep -q tick_size "$tmp/err"'
check "a bad value from the file is blamed on the file" 'grep -q "^quoter: $tmp/bad.ini: " "$tmp/err"'
# a bad value given by --set is blamed on that --set, not on the config file
$q backtest -c "$src/examples/seed.ini" --set strategy.quantity=1e9 "$rec1" >/dev/null 2>"$tmp/err"; rc=$?
check "a bad --set value: exit 2, the --set named, an exponent called what it is" \
  '[ $rc -eq 2 ] && grep -q "^quoter: --set strategy.quantity=1e9: strategy.quantity = \"1e9\": not a plain decimal number" "$tmp/err"'
printf '[strategy]\nlevels = 99\n' > "$tmp/bad2.ini"
$q config -c "$tmp/bad2.ini" >/dev/null 2>"$tmp/err"; rc=$?
check "out-of-range key names file and line" '[ $rc -eq 2 ] && grep -q "bad2.ini:2" "$tmp/err"'

[ -f "$src/tests/cli_backtest.sh" ] && . "$src/tests/cli_backtest.sh"

echo "cli: $passes passed, $fails failed"
[ $fails -eq 0 ]
