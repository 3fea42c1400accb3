#!/usr/bin/env bash
# backtest_symbol.sh QUOTER DATA SRC: the traded symbol and its rules in backtest and verify
# (issue 9, part 4), on recordings of another symbol made by `quoter synth` and the real
# exchangeInfo fixture (BTCUSDT and ETHUSDT, 2021): the symbol is taken from the recording, a
# config naming another stops with both names, a recording with no line of it is an error,
# the assets that label fees and inventory and the tick, step and filters are the symbol's.
# Exits 77 (skipped) when the fixture is absent.
set -u
q=$1 data=$2 src=$3
ei=$data/fixtures/nautilus-binance-spot-exchange-info-2021.json
if [ ! -f "$ei" ]; then
  echo "SKIP: $ei not found"
  exit 77
fi
fails=0 passes=0
check() { if eval "$2"; then passes=$((passes+1)); else echo "FAIL: $1"; fails=$((fails+1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
json() { sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" "$1"; }

# ETHUSDT under the fixture's rules (tick 0.01, step 0.0001, MIN_NOTIONAL 10), and BTCUSDT
$q synth --seconds 240 --seed 5 --price 2500 --set market.symbol=ETHUSDT --set market.exchange_info="$ei" \
  -o "$tmp/eth.gz" 2>/dev/null
$q synth --seconds 240 --seed 6 -o "$tmp/btc.gz" 2>/dev/null
check "synth wrote an ETHUSDT recording" 'zcat "$tmp/eth.gz" | sed -n 2p | grep -q "\"stream\":\"ethusdt@"'

# --- verify ---
out=$($q verify --exchange-info "$ei" "$tmp/eth.gz" 2>"$tmp/err"); rc=$?
echo "verify eth: $out"
check "verify takes ETHUSDT from the recording" '[ $rc -eq 0 ] && [ "$(val "$out" symbol)" = ETHUSDT ] && [ "$(val "$out" compared)" -gt 100 ] && [ "$(val "$out" mismatches)" = 0 ] && [ "$(val "$out" ignored)" = 0 ]'
eth_out=$out
# --- stats: the recording's symbol too ---
out=$($q stats --json --exchange-info "$ei" "$tmp/eth.gz" 2>"$tmp/err"); rc=$?
check "stats takes ETHUSDT from the recording: $out" '[ $rc -eq 0 ] && echo "$out" | grep -q "\"symbol\":\"ETHUSDT\"" && echo "$out" | grep -q "\"trades\":[1-9]"'
out=$($q stats --set market.symbol=BTCUSDT "$tmp/eth.gz" 2>"$tmp/err"); rc=$?
check "stats: config BTCUSDT on an ETHUSDT recording stops, naming both" '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "market.symbol is BTCUSDT, but the recording holds ETHUSDT" "$tmp/err"'
out=$($q verify "$tmp/eth.gz" 2>"$tmp/err"); rc=$?
check "no rules for ETHUSDT: exit 2, says which keys or --exchange-info (never BTCUSDT's)" '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "ETHUSDT: the symbol.s rules are unknown" "$tmp/err" && grep -q -- "--exchange-info" "$tmp/err" && grep -q "base_asset, quote_asset, tick_size, step_size" "$tmp/err"'
out=$($q verify -c "$src/examples/btcusdt.ini" "$tmp/eth.gz" 2>"$tmp/err"); rc=$?
check "verify: config BTCUSDT on an ETHUSDT recording stops, naming both (no compared=0)" '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "market.symbol is BTCUSDT, but the recording holds ETHUSDT" "$tmp/err"'
out=$($q verify --set market.symbol=ETHUSDT --exchange-info "$ei" "$tmp/btc.gz" 2>"$tmp/err"); rc=$?
check "verify: --set market.symbol=ETHUSDT on a BTCUSDT recording stops, naming both" '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "market.symbol is ETHUSDT, but the recording holds BTCUSDT" "$tmp/err"'

# a recording whose lines name no symbol (only the REST snapshot): nothing to take, nothing of ours
zcat "$tmp/btc.gz" | grep '"lastUpdateId"' > "$tmp/snap.txt"
out=$($q verify "$tmp/snap.txt" 2>"$tmp/err"); rc=$?
check "no symbol named and none given: exit 2" '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "names a symbol" "$tmp/err"'
out=$($q verify --set market.symbol=BTCUSDT "$tmp/snap.txt" 2>"$tmp/err"); rc=$?
check "no line of the given symbol: exit 2, not compared=0 mismatches=0" '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "no line of the recording names a symbol" "$tmp/err"'

# two symbols in one recording, merged by receive time (BTCUSDT's snapshot left out: a REST
# snapshot names no symbol, so a recording of several cannot say whose it is)
{ zcat "$tmp/eth.gz"; zcat "$tmp/btc.gz" | grep -v '"lastUpdateId"'; } | sort -s -n -k1,1 > "$tmp/mix.txt"
btc_lines=$(zcat "$tmp/btc.gz" | grep -vc '"lastUpdateId"')
out=$($q verify --exchange-info "$ei" "$tmp/mix.txt" 2>"$tmp/err"); rc=$?
check "two symbols, none given: exit 2, names both" '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "several symbols" "$tmp/err" && grep -q "ETHUSDT (" "$tmp/err" && grep -q "BTCUSDT (" "$tmp/err"'
out=$($q verify --set market.symbol=ETHUSDT --exchange-info "$ei" "$tmp/mix.txt" 2>"$tmp/err"); rc=$?
same=1
for k in symbol diffs applied stale buffered snapshots gaps bookticker trades compared mismatches bad_lines; do
  [ "$(val "$out" $k)" = "$(val "$eth_out" $k)" ] || { same=0; echo "  $k: mixed $(val "$out" $k), alone $(val "$eth_out" $k)"; }
done
check "ETHUSDT chosen in the mixed recording: its verify equals the ETHUSDT recording's alone" '[ $rc -eq 0 ] && [ $same = 1 ]'
check "... and every BTCUSDT line is ignored, by its symbol" '[ "$(val "$out" ignored)" = "$btc_lines" ]'
# a line whose stream name and "s" disagree cannot be attributed: a bad line, said why
{ zcat "$tmp/eth.gz" | head -200; zcat "$tmp/eth.gz" | grep -m1 '@trade' | sed 's/"s":"ETHUSDT"/"s":"BTCUSDT"/'; } > "$tmp/odd.txt"
out=$($q verify --exchange-info "$ei" "$tmp/odd.txt" 2>"$tmp/err"); rc=$?
check "stream name and \"s\" naming different symbols: a bad line" '[ $rc -eq 0 ] && [ "$(val "$out" bad_lines)" = 1 ] && grep -q "odd.txt:201: .*different symbols" "$tmp/err"'

# --- backtest ---
$q backtest -c "$src/examples/btcusdt.ini" --json "$tmp/eth.gz" > "$tmp/x.json" 2>"$tmp/err"; rc=$?
check "backtest: config BTCUSDT on an ETHUSDT recording stops, naming both, no report" '[ $rc -eq 2 ] && [ ! -s "$tmp/x.json" ] && grep -q "market.symbol is BTCUSDT, but the recording holds ETHUSDT" "$tmp/err"'
$q backtest --exchange-info "$ei" --set strategy.quantity=0.005 --json --out "$tmp/o" "$tmp/eth.gz" > "$tmp/eth.json" 2>"$tmp/err"; rc=$?
check "backtest takes ETHUSDT from the recording and fills" '[ $rc -eq 0 ] && [ "$(json "$tmp/eth.json" symbol)" = "\"ETHUSDT\"" ] && [ "$(json "$tmp/eth.json" fills)" -gt 20 ]'
fa=$(awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "fee_asset") c = i } NR>1 { print $3, $c }' "$tmp/o/fills.csv" | sort -u | tr '\n' ' ')
check "fees labelled ETH on buys, USDT on sells (never BTC): $fa" '[ "$fa" = "BUY ETH SELL USDT " ]'
$q backtest --exchange-info "$ei" --set strategy.quantity=0.005 "$tmp/eth.gz" > "$tmp/eth.txt" 2>/dev/null
check "text report counts volume and inventory in ETH" 'grep -q "^  volume .* ETH, .* USDT$" "$tmp/eth.txt" && grep -q "^inventory (ETH" "$tmp/eth.txt" && ! grep -q BTC "$tmp/eth.txt"'
# the same rules given as keys: --set market.symbol=ETHUSDT labels ETH too
rules="--set market.base_asset=ETH --set market.quote_asset=USDT --set market.tick_size=0.01 --set market.step_size=0.0001"
$q backtest --set market.symbol=ETHUSDT $rules --set strategy.quantity=0.005 --out "$tmp/k" "$tmp/eth.gz" >/dev/null 2>&1; rc=$?
fa=$(awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "fee_asset") c = i } NR>1 { print $c }' "$tmp/k/fills.csv" | sort -u | tr '\n' ' ')
check "--set market.symbol=ETHUSDT with its assets as keys: fees in ETH and USDT: $fa" '[ $rc -eq 0 ] && [ "$fa" = "ETH USDT " ]'
$q backtest --set market.symbol=ETHUSDT --set strategy.quantity=0.005 "$tmp/eth.gz" >/dev/null 2>"$tmp/err"; rc=$?
check "--set market.symbol=ETHUSDT alone: refused, not run as BTC" '[ $rc -eq 2 ] && grep -q "ETHUSDT: the symbol.s rules are unknown" "$tmp/err"'

# the step from the file: 0.0001; BTCUSDT's 0.00001 would take 0.00005
q_ok=$(awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "qty") c = i } NR>1 { n++; if ($c !~ /\.[0-9][0-9][0-9][0-9]0000$/) bad++ } END { print (n > 0 && !bad) }' "$tmp/o/fills.csv")
check "every fill's quantity is a multiple of the file's step 0.0001" '[ "$q_ok" = 1 ]'
$q backtest --exchange-info "$ei" --set strategy.quantity=0.00005 "$tmp/eth.gz" >/dev/null 2>"$tmp/err"; rc=$?
check "a quantity off the file's step is refused" '[ $rc -eq 2 ] && grep -q "strategy.quantity" "$tmp/err"'
# MIN_NOTIONAL from the file: 10 USDT. 0.003 ETH (about 7.5 USDT) passes a minimum of 5, not 10
$q backtest --exchange-info "$ei" --set strategy.quantity=0.003 --json "$tmp/eth.gz" > "$tmp/n10.json" 2>/dev/null
$q backtest --set market.symbol=ETHUSDT $rules --set market.min_notional=5 --set strategy.quantity=0.003 --json "$tmp/eth.gz" > "$tmp/n5.json" 2>/dev/null
check "the file's minimum notional (10) holds back 7.5 USDT orders; 5 lets them out" '[ "$(json "$tmp/n10.json" orders_sent)" = 0 ] && [ "$(json "$tmp/n10.json" notional)" -gt 0 ] && [ "$(json "$tmp/n5.json" orders_sent)" -gt 0 ]'
# the tick from the file: ETHUSDT's tickSize made 0.1 in a copy; a recording on that tick
awk '/"symbol": "ETHUSDT"/ { f = 1 } f && /"(minPrice|tickSize)"/ { sub(/0\.01000000/, "0.10000000") } /"tickSize"/ { f = 0 } { print }' \
  "$ei" > "$tmp/ei-tick.json"
$q synth --seconds 120 --seed 9 --price 2500 --set market.symbol=ETHUSDT --set market.exchange_info="$tmp/ei-tick.json" \
  -o "$tmp/eth01.gz" 2>/dev/null
$q backtest --exchange-info "$tmp/ei-tick.json" --set strategy.quantity=0.005 --set strategy.spread=3 --json --out "$tmp/t" \
  "$tmp/eth01.gz" > "$tmp/t.json" 2>"$tmp/err"; rc=$?
grid=$(awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "price") c = i } NR>1 { n++; if ($c !~ /\.[0-9]0*$/ && $c !~ /^[0-9]*$/) off++ } END { print n + 0, off + 0 }' "$tmp/t/orders.csv")
check "every order price on the file's tick 0.1 (orders, off the grid: $grid)" '[ $rc -eq 0 ] && [ "${grid% *}" -gt 10 ] && [ "${grid#* }" = 0 ]'
check "the quoted spread counts ticks of 0.1" 'awk -v a="$(json "$tmp/t.json" mean_quoted_spread)" -v b="$(json "$tmp/t.json" mean_quoted_spread_ticks)" "BEGIN { exit !(b > 0 && a / b > 0.0999 && a / b < 0.1001) }"'

# the shared BTCUSDT recording: taken from the recording with the default config
rec=$data/binance-spot/btcusdt_20240808.gz
if [ -f "$rec" ]; then
  out=$($q verify "$rec" 2>/dev/null); rc=$?
  check "the shared recording: verify takes BTCUSDT" '[ $rc -eq 0 ] && [ "$(val "$out" symbol)" = BTCUSDT ] && [ "$(val "$out" compared)" -gt 100 ]'
fi

# a symbol quoted in BTC: the text report's amounts keep the digits --json has (a fixed %.4f
# printed pnl 0.0000 and marks "from 0.04 to 0.04" for ETHBTC)
eb="--set market.symbol=ETHBTC --set market.base_asset=ETH --set market.quote_asset=BTC --set market.tick_size=0.00001
  --set market.step_size=0.0001 --set market.min_qty=0.0001 --set market.min_notional=0.0001 --set strategy.quantity=0.01
  --set account.quote_balance=1"
$q synth --seconds 300 --seed 7 --price 0.042 $eb -o "$tmp/ethbtc.gz" 2>/dev/null
$q backtest $eb "$tmp/ethbtc.gz" > "$tmp/eb.txt" 2>/dev/null; rc1=$?
$q backtest --json $eb "$tmp/ethbtc.gz" > "$tmp/eb.json" 2>/dev/null; rc2=$?
# text LABEL FIELD: the number after LABEL, field FIELD of that line (1: the first)
text() { sed -n "s/^  $1 *//p" "$tmp/eb.txt" | tr -s ' ' '\n' | grep -E '^[-+]?[0-9]' | sed -n "${2:-1}p"; }
# near TEXT JSON TOL: both non-zero, within TOL of each other
near() { awk -v t="$1" -v j="$2" -v e="$3" 'BEGIN { d = t - j; if (d < 0) d = -d; exit !(t != 0 && j != 0 && d <= e) }'; }
ok=1
for pair in "realized:realized_pnl" "unrealized:unrealized_pnl" "total:total_pnl" "holding start:hold_pnl" \
            "fees:fees_quote" "max drawdown:max_drawdown" "vs holding:return_vs_hold"; do
  t=$(text "${pair%%:*}") j=$(json "$tmp/eb.json" "${pair#*:}")
  near "$t" "$j" 0.0000001 || { ok=0; echo "  ${pair%%:*}: text '$t', json $j"; }
done
t=$(text "holding start" 2) j=$(json "$tmp/eb.json" start_mid)
near "$t" "$j" 0.00001 || { ok=0; echo "  start mark: text '$t', json $j"; }
t=$(text "mean spread" 2) j=$(json "$tmp/eb.json" mean_quoted_spread)
near "$t" "$j" 0.0000001 || { ok=0; echo "  mean spread: text '$t', json $j"; }
check "ETHBTC: the text report's pnl, fees, marks and spread have --json's non-zero digits" '[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ "$(json "$tmp/eb.json" fills)" -gt 0 ] && [ $ok = 1 ]'
echo "backtest_symbol: $passes passed, $fails failed"
[ $fails -eq 0 ]
