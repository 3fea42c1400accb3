#!/usr/bin/env bash
# recording_info.sh QUOTER DATA SRC: a recording that carries its own exchangeInfo (issue 10).
# The line is made here as `quoter record` writes it: the real exchangeInfo fixture (2021)
# trimmed to ETHUSDT, on one line, before a `quoter synth` ETHUSDT recording. With no config
# and no --exchange-info, backtest, verify, stats and `quoter exchange` take ETHUSDT's rules
# from it (fees in ETH, prices on its tick, its minimum notional), and run exactly as with
# --exchange-info; --exchange-info and the config's keys win over it; an unreadable line
# stops a command that needs it and is a bad line to one that does not; a rules change
# within a recording is warned about; a recording without the line says nothing new.
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
tmp=$(mktemp -d); xpid=
trap '[ -n "$xpid" ] && kill $xpid 2>/dev/null; rm -rf "$tmp"' EXIT
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
json() { sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" "$1"; }

# the fixture's response with only SYMBOL's entry (as GET /api/v3/exchangeInfo?symbol=S
# answers), compacted to one line (no string in it holds a space)
exinfo_of() {
  awk -v s="$1" '
    /"symbols": \[/ { print; insym = 1; next }
    insym && /^    \{/ { buf = $0; inent = 1; next }
    inent { buf = buf "\n" $0
            if ($0 ~ /^    \}/) { inent = 0; if (buf ~ "\"symbol\": \"" s "\"") { sub(/,$/, "", buf); kept = kept (kept ? ",\n" : "") buf } }
            next }
    insym && /^  \]/ { print kept; print; insym = 0; next }
    { print }' "$2" | tr -d ' \n'
}
exinfo_of ETHUSDT "$ei" > "$tmp/eth-info.json"
check "the trimmed line is one exchangeInfo response of ETHUSDT only" \
  '[ "$(wc -l < "$tmp/eth-info.json")" = 0 ] && grep -q "\"symbols\":\[{\"symbol\":\"ETHUSDT\"" "$tmp/eth-info.json" && ! grep -q BTCUSDT "$tmp/eth-info.json"'

$q synth --seconds 240 --seed 5 --price 2500 --set market.symbol=ETHUSDT --set market.exchange_info="$ei" \
  -o "$tmp/eth.gz" 2>/dev/null
t0=$(zcat "$tmp/eth.gz" | head -1 | cut -d' ' -f1)
# with_info OUT LINE [AT]: the ETHUSDT recording with LINE first (received 1 ms before its
# first message), and at line AT too when given
with_info() {
  { echo "$((t0 - 1000000)) $2"
    if [ -n "${3:-}" ]; then
      zcat "$tmp/eth.gz" | awk -v at="$3" -v l="$2" 'NR == at { print $1, l } { print }'
    else zcat "$tmp/eth.gz"; fi; } | gzip > "$1"
}
with_info "$tmp/ethi.gz" "$(cat "$tmp/eth-info.json")"

# --- verify: the line's rules, the same counts as with --exchange-info, one line more read ---
out=$($q verify "$tmp/ethi.gz" 2>"$tmp/err"); rc=$?
echo "verify: $out"
ref=$($q verify --exchange-info "$ei" "$tmp/eth.gz" 2>/dev/null)
same=1
for k in symbol diffs applied stale buffered snapshots gaps bookticker trades ignored compared mismatches bad_lines; do
  [ "$(val "$out" $k)" = "$(val "$ref" $k)" ] || { same=0; echo "  $k: with the line $(val "$out" $k), --exchange-info $(val "$ref" $k)"; }
done
check "verify, no config: ETHUSDT from the recording, its rules from its line, 0 bad lines" \
  '[ $rc -eq 0 ] && [ "$(val "$out" symbol)" = ETHUSDT ] && [ "$(val "$out" compared)" -gt 100 ] && [ "$(val "$out" mismatches)" = 0 ] && [ "$(val "$out" bad_lines)" = 0 ]'
check "... the same counts as --exchange-info on the file without the line" '[ $same = 1 ] && [ "$(val "$out" lines)" = $(( $(val "$ref" lines) + 1 )) ]'
check "... and says where the rules came from" \
  'grep -q "^quoter: ETHUSDT rules from the recording.s exchangeInfo (.*ethi.gz:1): ETH/USDT, tick 0.01, step 0.0001$" "$tmp/err"'
$q verify "$tmp/eth.gz" >/dev/null 2>"$tmp/err"; rc=$?
check "without the line (and no config) ETHUSDT's rules are unknown, as before" '[ $rc -eq 2 ] && grep -q "ETHUSDT: the symbol.s rules are unknown" "$tmp/err"'

# --- backtest: byte-identical to --exchange-info; fees in ETH; quantities on ETHUSDT's step ---
$q backtest --set strategy.quantity=0.005 --json --out "$tmp/o" "$tmp/ethi.gz" > "$tmp/a.json" 2>"$tmp/err"; rc=$?
$q backtest --exchange-info "$ei" --set strategy.quantity=0.005 --json "$tmp/eth.gz" > "$tmp/b.json" 2>/dev/null
check "backtest, no config: runs on the line's rules and fills" '[ $rc -eq 0 ] && [ "$(json "$tmp/a.json" symbol)" = "\"ETHUSDT\"" ] && [ "$(json "$tmp/a.json" fills)" -gt 20 ] && [ "$(json "$tmp/a.json" bad_lines)" = 0 ]'
check "... its --json report is byte-identical to --exchange-info's on the file without the line" 'cmp -s "$tmp/a.json" "$tmp/b.json"'
check "... the line is no event (the same count)" '[ "$(json "$tmp/a.json" events)" = "$(json "$tmp/b.json" events)" ]'
fa=$(awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "fee_asset") c = i } NR>1 { print $3, $c }' "$tmp/o/fills.csv" | sort -u | tr '\n' ' ')
check "fees in ETH on buys, USDT on sells: $fa" '[ "$fa" = "BUY ETH SELL USDT " ]'
q_ok=$(awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "qty") c = i } NR>1 { n++; if ($c !~ /\.[0-9][0-9][0-9][0-9]0000$/) bad++ } END { print (n > 0 && !bad) }' "$tmp/o/fills.csv")
check "every fill's quantity a multiple of the line's step 0.0001" '[ "$q_ok" = 1 ]'
$q backtest --set strategy.quantity=0.00005 "$tmp/ethi.gz" >/dev/null 2>"$tmp/err"; rc=$?
check "a quantity off the line's step is refused" '[ $rc -eq 2 ] && grep -q "strategy.quantity" "$tmp/err"'

# the tick from the line: ETHUSDT's tickSize (and minPrice) 0.1 in the line of a recording on that tick
sed 's/"minPrice":"0.01000000"/"minPrice":"0.10000000"/; s/"tickSize":"0.01000000"/"tickSize":"0.10000000"/' \
  "$tmp/eth-info.json" > "$tmp/eth-info-tick.json"
$q synth --seconds 120 --seed 9 --price 2500 --set market.symbol=ETHUSDT --set market.exchange_info="$tmp/eth-info-tick.json" \
  -o "$tmp/eth01.gz" 2>/dev/null
{ echo "$(zcat "$tmp/eth01.gz" | head -1 | cut -d' ' -f1) $(cat "$tmp/eth-info-tick.json")"; zcat "$tmp/eth01.gz"; } | gzip > "$tmp/eth01i.gz"
$q backtest --set strategy.quantity=0.005 --set strategy.spread=3 --json --out "$tmp/t" "$tmp/eth01i.gz" > "$tmp/t.json" 2>"$tmp/err"; rc=$?
grid=$(awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "price") c = i } NR>1 { n++; if ($c !~ /\.[0-9]0*$/ && $c !~ /^[0-9]*$/) off++ } END { print n + 0, off + 0 }' "$tmp/t/orders.csv")
check "every order price on the line's tick 0.1 (orders, off the grid: $grid)" '[ $rc -eq 0 ] && [ "${grid% *}" -gt 10 ] && [ "${grid#* }" = 0 ] && grep -q "tick 0.1, step 0.0001" "$tmp/err"'

# --- stats: the same figures as with --exchange-info ---
a=$($q stats --json "$tmp/ethi.gz" 2>/dev/null); rc=$?
b=$($q stats --json --exchange-info "$ei" "$tmp/eth.gz" 2>/dev/null)
check "stats, no config: the same figures as --exchange-info's" '[ $rc -eq 0 ] && [ -n "$a" ] && [ "$a" = "$b" ] && echo "$a" | grep -q "\"symbol\":\"ETHUSDT\""'

# --- precedence: --exchange-info and the config's keys win over the line ---
# MIN_NOTIONAL: the line's 10 holds back orders of 0.003 ETH (about 7.5 USDT); 5 lets them out
sed 's/"minNotional":"10.00000000"/"minNotional":"5.00000000"/' "$tmp/eth-info.json" > "$tmp/eth-info-5.json"
n=--set\ strategy.quantity=0.003
$q backtest $n --json "$tmp/ethi.gz" > "$tmp/n10.json" 2>/dev/null
$q backtest $n --exchange-info "$tmp/eth-info-5.json" --json "$tmp/ethi.gz" > "$tmp/x5.json" 2>"$tmp/x5.err"
$q backtest $n --set market.min_notional=5 --json "$tmp/ethi.gz" > "$tmp/k5.json" 2>"$tmp/k5.err"
printf '[market]\nmin_notional = 5\n' > "$tmp/n5.ini"
$q backtest -c "$tmp/n5.ini" $n --json "$tmp/ethi.gz" > "$tmp/c5.json" 2>"$tmp/c5.err"
check "the line's minimum notional (10) holds back 7.5 USDT orders" '[ "$(json "$tmp/n10.json" orders_sent)" = 0 ] && [ "$(json "$tmp/n10.json" notional)" -gt 0 ]'
check "--exchange-info wins over the line (its 5 lets them out), and says so" \
  '[ "$(json "$tmp/x5.json" orders_sent)" -gt 0 ] && grep -q "ETHUSDT rules from .*eth-info-5.json (market.exchange_info), not from the recording.s own exchangeInfo (.*ethi.gz:1)" "$tmp/x5.err"'
check "--set market.min_notional wins over the line, the rest is the line's, and says so" \
  '[ "$(json "$tmp/k5.json" orders_sent)" -gt 0 ] && cmp -s "$tmp/k5.json" "$tmp/x5.json" && grep -q "exchangeInfo (.*ethi.gz:1), market.min_notional from the config: ETH/USDT, tick 0.01, step 0.0001" "$tmp/k5.err"'
check "a config file's min_notional wins too" 'cmp -s "$tmp/c5.json" "$tmp/k5.json" && grep -q "market.min_notional from the config" "$tmp/c5.err"'

# --- an unreadable line: an error when the rules would come from it, else a bad line ---
with_info "$tmp/bad.gz" "$(sed 's/"tickSize"/"tickSizeX"/' "$tmp/eth-info.json")"
out=$($q verify "$tmp/bad.gz" 2>"$tmp/err"); rc=$?
check "a line without ETHUSDT's tickSize stops verify (exit 2), naming its place and the way out" \
  '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "bad.gz:1: exchangeInfo: ETHUSDT lacks a valid PRICE_FILTER tickSize" "$tmp/err" && grep -q -- "--exchange-info" "$tmp/err"'
$q backtest --json "$tmp/bad.gz" > "$tmp/bad.json" 2>"$tmp/err"; rc=$?
check "... and backtest, with no report" '[ $rc -eq 2 ] && [ ! -s "$tmp/bad.json" ] && grep -q "bad.gz:1:" "$tmp/err"'
out=$($q verify --exchange-info "$ei" "$tmp/bad.gz" 2>"$tmp/err"); rc=$?
check "with --exchange-info it is a counted bad line, reported with its place" \
  '[ $rc -eq 0 ] && [ "$(val "$out" bad_lines)" = 1 ] && [ "$(val "$out" mismatches)" = 0 ] && grep -q "bad.gz:1: skipped bad line: exchangeInfo: ETHUSDT lacks" "$tmp/err"'
with_info "$tmp/cut.gz" "$(head -c 700 "$tmp/eth-info.json")"
out=$($q verify "$tmp/cut.gz" 2>"$tmp/err"); rc=$?
check "a line cut short (no valid JSON) stops verify too" '[ $rc -eq 2 ] && grep -q "cut.gz:1: an exchangeInfo line that is not valid JSON" "$tmp/err"'

# --- two lines in a file: the first governs, a later different one is warned about ---
with_info "$tmp/two.gz" "$(cat "$tmp/eth-info.json")" 1000
with_info "$tmp/chg.gz" "$(cat "$tmp/eth-info.json")"
zcat "$tmp/chg.gz" | awk -v l="$(cat "$tmp/eth-info-5.json")" 'NR == 1001 { print $1, l } { print }' | gzip > "$tmp/chg2.gz"
out=$($q verify "$tmp/two.gz" 2>"$tmp/err"); rc=$?
check "the same line again later: nothing to say, no bad line" '[ $rc -eq 0 ] && [ "$(val "$out" bad_lines)" = 0 ] && ! grep -q differs "$tmp/err"'
$q backtest $n --json "$tmp/chg2.gz" > "$tmp/chg.json" 2>"$tmp/err"; rc=$?
check "a later different line: warned with both places and what changed" \
  '[ $rc -eq 0 ] && grep -q "chg2.gz:1001: ETHUSDT.s exchangeInfo differs from the first one (.*chg2.gz:1): minNotional 10.00000000 -> 5.00000000; the run keeps the rules it started with" "$tmp/err"'
check "... and the run keeps the first line's rules (its 10 still holds the orders back)" \
  '[ "$(json "$tmp/chg.json" orders_sent)" = 0 ] && [ "$(json "$tmp/chg.json" bad_lines)" = 0 ]'
# the next day's file with its own line: the first file's governs
zcat "$tmp/ethi.gz" | head -16000 | gzip > "$tmp/day1.gz"
{ echo "$(zcat "$tmp/ethi.gz" | sed -n 16000p | cut -d' ' -f1) $(cat "$tmp/eth-info-5.json")"; zcat "$tmp/ethi.gz" | tail -n +16001; } \
  | gzip > "$tmp/day2.gz"
out=$($q verify "$tmp/day1.gz" "$tmp/day2.gz" 2>"$tmp/err"); rc=$?
check "two files, each with its line: one stream, the second's change warned about" \
  '[ $rc -eq 0 ] && [ "$(val "$out" mismatches)" = 0 ] && [ "$(val "$out" bad_lines)" = 0 ] && grep -q "day2.gz:1: ETHUSDT.s exchangeInfo differs from the first one (.*day1.gz:1)" "$tmp/err" && grep -q "rules from the recording.s exchangeInfo (.*day1.gz:1)" "$tmp/err"'
# an old file first, then one with the line: the line gives the rules of the whole run
zcat "$tmp/eth.gz" | head -15999 | gzip > "$tmp/day1old.gz"
out=$($q verify "$tmp/day1old.gz" "$tmp/day2.gz" 2>"$tmp/err"); rc=$?
check "an old file then a file with the line: the rules from the second file's line" \
  '[ $rc -eq 0 ] && [ "$(val "$out" mismatches)" = 0 ] && grep -q "rules from the recording.s exchangeInfo (.*day2.gz:1)" "$tmp/err" && ! grep -q differs "$tmp/err"'

# --- quoter exchange: serves ETHUSDT with the line's rules, no config ---
$q exchange --port 0 --port-file "$tmp/x.port" "$tmp/ethi.gz" 2>"$tmp/x.log" &
xpid=$!
for _ in $(seq 200); do [ -s "$tmp/x.port" ] && break; sleep 0.1; done
info=$(curl -s "http://127.0.0.1:$(cat "$tmp/x.port" 2>/dev/null)/api/v3/exchangeInfo?symbol=ETHUSDT")
kill $xpid 2>/dev/null; wait $xpid 2>/dev/null; xpid=
check "quoter exchange on the recording alone serves ETHUSDT with the line's tick, step, assets and minimum notional" \
  'echo "$info" | grep -q "\"symbol\":\"ETHUSDT\"" && echo "$info" | grep -q "\"baseAsset\":\"ETH\"" && echo "$info" | grep -q "\"tickSize\":\"0.01000000\"" && echo "$info" | grep -q "\"stepSize\":\"0.00010000\"" && echo "$info" | grep -q "\"minNotional\":\"10.00000000\""'
check "... and logs where the rules came from" 'grep -q "ETHUSDT: rules from the recording.s exchangeInfo (.*ethi.gz:1)" "$tmp/x.log"'
# what `quoter record` writes when it records this exchange: its own exchangeInfo body (its
# maxNotional, maxPrice * maxQty, is beyond 64 bits of tick*lot units) reads back to the same run
with_info "$tmp/ethx.gz" "$info"
$q backtest --set strategy.quantity=0.005 --json "$tmp/ethx.gz" > "$tmp/x.json" 2>"$tmp/err"; rc=$?
check "a recording whose line is quoter exchange's own exchangeInfo: the same backtest" '[ $rc -eq 0 ] && cmp -s "$tmp/x.json" "$tmp/b.json"'

# --- a recording without the line: nothing new is said ---
rec=$data/binance-spot/btcusdt_20240808.gz
if [ -f "$rec" ]; then
  $q backtest -c "$src/examples/btcusdt.ini" --json "$rec" > "$tmp/old.json" 2>"$tmp/err"; rc=$?
  check "the shared recording: backtest as before, nothing on stderr" '[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$(json "$tmp/old.json" bad_lines)" = 0 ]'
fi
echo "recording_info: $passes passed, $fails failed"
[ $fails -eq 0 ]
