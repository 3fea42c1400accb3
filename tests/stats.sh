#!/usr/bin/env bash
# stats.sh QUOTER DATA: `quoter stats`' order-flow figures (src/backtest/mflow.h) on a hand-made
# recording whose answers are worked out below by hand, and on the shared BTCUSDT recording,
# whose figures issue 9 quotes (0.46 bps at 1 s, 0.34 at 5 s, sign autocorrelation 0.79).
set -u
q=$1 data=$2
fails=0 passes=0
check() { if eval "$2"; then passes=$((passes+1)); else echo "FAIL: $1"; fails=$((fails+1)); fi; }
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# times in milliseconds after t0; mids 10000, 10001, 9998, 10000 (1 bps = 1 USDT at 10000)
t0=1723161253000000000
ns() { echo $((t0 + $1 * 1000000)); } # from milliseconds (bash arithmetic: mawk's %d stops at 2^31)
bbo() { echo "$(ns "$1") {\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":$2,\"s\":\"BTCUSDT\",\"b\":\"$3\",\"B\":\"1.00000000\",\"a\":\"$4\",\"A\":\"1.00000000\"}}"; }
trade() { echo "$(ns "$1") {\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":$3,\"s\":\"BTCUSDT\",\"t\":$2,\"p\":\"10000.00000000\",\"q\":\"0.00100000\",\"T\":$3,\"m\":$4,\"M\":true}}"; }
{
  trade -50 1 100 true     # Z sell, before any bookTicker: in the autocorrelation, not measured
  bbo 0 10 9999.99 10000.01  # mid 10000
  trade 100 2 200 false      # A buy      1 s: 10001 -> +1      5 s: 9998 -> -2
  trade 200 3 200 false      # B buy, A's order (same T and side): 9998 -> -2, -2
  bbo 500 11 10000.99 10001.01 # mid 10001
  trade 600 4 300 true       # C sell     mid0 10001; 9998 -> +3/10001*1e4 = 2.9997 at both
  trade 1000 5 400 false      # E buy      mid0 10001; 1 s: 9998 -> -2.9997; 5 s ends at 6.0, on the
                             #            last bookTicker (included): 10000 -> -0.9999
  bbo 1150 12 9997.99 9998.01 # mid 9998
  trade 2000 6 500 true       # D sell     mid0 9998; 1 s: 9998 -> 0; 5 s ends after the last: left out
  bbo 6000 13 9999.99 10000.01 # mid 10000
} > "$tmp/hand.txt"
# 1 s: (1 - 2 + 2.9997 - 2.9997 + 0) / 5 = -0.200; 5 s: (-2 - 2 + 2.9997 - 0.9999) / 4 = -0.500
# signs - + + - + -: mean 0, variance 1, pairs -1 +1 -1 -1 -1 -> -3/5 = -0.600
# orders: Z, A+B, C, E, D = 5 for 6 trades
out=$($q stats "$tmp/hand.txt" 2>&1)
echo "hand-made: $out"
check "trades=6" '[ "$(val "$out" trades)" = 6 ]'
check "aggressor_orders=5" '[ "$(val "$out" aggressor_orders)" = 5 ]'
check "trades_per_order=1.20" '[ "$(val "$out" trades_per_order)" = 1.20 ]'
check "move_1s_bps=-0.200" '[ "$(val "$out" move_1s_bps)" = -0.200 ]'
check "move_5s_bps=-0.500" '[ "$(val "$out" move_5s_bps)" = -0.500 ]'
check "sign_autocorr=-0.600" '[ "$(val "$out" sign_autocorr)" = -0.600 ]'
js=$($q stats --json "$tmp/hand.txt" 2>&1)
check "--json: $js" 'echo "$js" | grep -q "\"move_1s_bps\":-0.200,\"move_5s_bps\":-0.500,\"move_1s_trades\":5,\"move_5s_trades\":4,\"sign_autocorr\":-0.600,"'
check "--json is one object" 'echo "$js" | python3 -c "import json,sys; json.load(sys.stdin)" 2>/dev/null || ! command -v python3 >/dev/null'
# one sided flow that always moves the mid its way: +1 bps a second, perfectly persistent
{
  bbo 0 10 9999.99 10000.01
  trade 500 1 100 false
  bbo 1000 11 10000.99 10001.01
  trade 1500 2 200 false
  bbo 2000 12 10001.99 10002.01
  trade 2500 3 300 false
  bbo 3000 13 10002.99 10003.01
  bbo 9000 14 10002.99 10003.01
} > "$tmp/up.txt"
out=$($q stats "$tmp/up.txt" 2>&1)
check "all buys: autocorrelation 0 (no variance), trades_per_order 1: $out" '[ "$(val "$out" sign_autocorr)" = 0.000 ] && [ "$(val "$out" trades_per_order)" = 1.00 ]'
check "all buys, a tick of mid each: move_1s_bps=1.000 (1/10000, 1/10001, 1/10002)" '[ "$(val "$out" move_1s_bps)" = 1.000 ]'
# the bookTickers stop after the first: a trade after a horizon says the mid held until it, so
# horizons are measured (and the waiting trades leave memory) without another bookTicker;
# 1 s: 100 at 1500, 1500 at 3000, 3000 at 7000; 5 s: 100 and 1500 at 7000; 7000's: left out
{
  bbo 0 10 9999.99 10000.01
  trade 100 1 100 false
  trade 1500 2 200 true
  trade 3000 3 300 false
  trade 7000 4 400 true
} > "$tmp/stop.txt"
js=$($q stats --json "$tmp/stop.txt" 2>&1)
check "bookTickers stop: 3 trades measured at 1 s, 2 at 5 s, no move: $js" \
  'echo "$js" | grep -q "\"move_1s_bps\":0.000,\"move_5s_bps\":0.000,\"move_1s_trades\":3,\"move_5s_trades\":2,"'
$q stats >/dev/null 2>&1; rc=$?
check "no file exits 2" '[ $rc -eq 2 ]'
$q stats "$tmp/none.gz" >/dev/null 2>"$tmp/err"; rc=$?
check "missing file exits 2 with its name" '[ $rc -eq 2 ] && grep -q none.gz "$tmp/err"'

if [ -f "$data/binance-spot/btcusdt_20240808.gz" ]; then
  out=$($q stats "$data"/binance-spot/btcusdt_2024080{8,9}.gz)
  echo "shared recording: $out"
  check "shared: move_1s_bps 0.462" '[ "$(val "$out" move_1s_bps)" = 0.462 ]'
  check "shared: move_5s_bps 0.337" '[ "$(val "$out" move_5s_bps)" = 0.337 ]'
  check "shared: sign_autocorr 0.785" '[ "$(val "$out" sign_autocorr)" = 0.785 ]'
  check "shared: 19904 trades in 7135 orders" '[ "$(val "$out" trades)" = 19904 ] && [ "$(val "$out" aggressor_orders)" = 7135 ]'
  # the two files in the wrong order: no figures over a stream that runs backwards
  $q stats "$data"/binance-spot/btcusdt_20240809.gz "$data"/binance-spot/btcusdt_20240808.gz >"$tmp/o" 2>"$tmp/err"; rc=$?
  check "files out of order: exit 2, the file and line named" \
    '[ $rc -eq 2 ] && grep -q "btcusdt_20240808.gz:1: the receive time goes back 650.598 s" "$tmp/err"'
else
  echo "stats: shared recording absent; its known answers skipped"
fi
echo "stats: $passes passed, $fails failed"
[ $fails -eq 0 ]
