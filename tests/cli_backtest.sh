# cli_backtest.sh: sourced by cli.sh; the backtest command line on the shared recordings.
# Uses: $q $rec1 $rec2 $tmp $src check ok bad

# text report, and every documented JSON key
$q backtest -c "$src/examples/btcusdt.ini" "$rec1" "$rec2" > "$tmp/report.txt" 2>"$tmp/err"
check "backtest text report" 'grep -q "max drawdown" "$tmp/report.txt" && grep -q "two-sided" "$tmp/report.txt"'
$q backtest -c "$src/examples/btcusdt.ini" --json "$rec1" "$rec2" > "$tmp/a.json" 2>/dev/null
for k in fills orders_sent volume_quote fees_quote realized_pnl total_pnl return_vs_hold max_drawdown \
         span_s events orders_canceled orders_rejected maker_share volume_base inventory_min inventory_max \
         time_two_sided mean_quoted_spread fills_by fill_share markouts maker_volume_quote breakeven_maker_fee \
         breakeven_maker_fee_bps; do
  check "json key $k" 'grep -q "\"$k\":" "$tmp/a.json"'
done
# every fill is measured or left out (too close to the end) at each markout horizon, and the
# text report has the same figures
nf=$(sed -n 's/.*"fills":\([0-9]*\),"maker_fills".*/\1/p' "$tmp/a.json")
for h in 0s 1s 5s 30s; do
  me=$(sed -n "s/.*\"$h\":{\"measured\":\([0-9]*\),\"excluded\":\([0-9]*\).*/\1,\2/p" "$tmp/a.json")
  check "markouts $h: measured + excluded = fills ($me of $nf)" '[ -n "$nf" ] && [ $(( ${me%,*} + ${me#*,} )) -eq "$nf" ]'
done
b1=$(sed -n 's/.*"breakeven_maker_fee_bps":\([-0-9.]*\),.*/\1/p' "$tmp/a.json")
check "break-even fee in the text report as in --json ($b1 bps)" \
  'grep -q "^  break-even fee  $(printf "%+.4f" "$b1") bps" "$tmp/report.txt" && grep -q "^  1 s after  " "$tmp/report.txt"'
# byte-identical on a second run, with --out files
$q backtest -c "$src/examples/btcusdt.ini" --json --out "$tmp/o1" "$rec1" "$rec2" > "$tmp/b.json" 2>/dev/null
$q backtest -c "$src/examples/btcusdt.ini" --json --out "$tmp/o2" "$rec1" "$rec2" > "$tmp/c.json" 2>/dev/null
check "same output twice" 'cmp -s "$tmp/a.json" "$tmp/b.json" && cmp -s "$tmp/b.json" "$tmp/c.json"'
for f in orders.csv fills.csv equity.csv; do
  check "$f identical across runs" 'cmp -s "$tmp/o1/$f" "$tmp/o2/$f"'
done
check "fills.csv starts with time in ns" 'head -1 "$tmp/o1/fills.csv" | grep -q "^time_ns," && [ $(wc -l < "$tmp/o1/fills.csv") -gt 1 ]'
if command -v gnuplot >/dev/null; then
  check "chart.png written" '[ -s "$tmp/o1/chart.png" ] && head -c 8 "$tmp/o1/chart.png" | grep -q PNG'
fi
# --set overrides the config; a symbol the data has no line of is an error naming both
# (it was a report of 0 fills on nothing; tests/backtest_symbol.sh has the rest)
$q backtest -c "$src/examples/btcusdt.ini" --set market.symbol=ETHUSDT --json "$rec1" > "$tmp/eth.json" 2>"$tmp/err"; rc=$?
check "market.symbol with no line in the data stops" '[ $rc -eq 2 ] && [ ! -s "$tmp/eth.json" ] && grep -q "market.symbol is ETHUSDT, but the recording holds BTCUSDT" "$tmp/err"'
$q backtest -c "$src/examples/seed.ini" --set strategy.quantity=0.000001 "$rec1" >/dev/null 2>"$tmp/err"; rc=$?
check "quantity off the step is refused" '[ $rc -eq 2 ] && grep -q "strategy.quantity" "$tmp/err"'

# no look-ahead: cutting the data at line N leaves every fill that reached us by then unchanged
zcat "$rec1" | head -20000 > "$tmp/cut.txt"
cut_ns=$(tail -1 "$tmp/cut.txt" | cut -d' ' -f1)
$q backtest -c "$src/examples/btcusdt.ini" --out "$tmp/cut" "$tmp/cut.txt" >/dev/null 2>&1
awk -F, -v t="$cut_ns" 'NR>1 && $1 <= t' "$tmp/o1/fills.csv" > "$tmp/full_prefix"
awk -F, 'NR>1' "$tmp/cut/fills.csv" > "$tmp/cut_fills"
check "no look-ahead (fills before the cut are identical)" '[ -s "$tmp/cut_fills" ] && cmp -s "$tmp/full_prefix" "$tmp/cut_fills"'
awk -F, -v t="$cut_ns" 'NR>1 && $1 <= t' "$tmp/o1/equity.csv" > "$tmp/eq_full"
awk -F, 'NR>1' "$tmp/cut/equity.csv" | head -n -1 > "$tmp/eq_cut"  # the cut run adds a final sample
check "no look-ahead (equity samples before the cut are identical)" 'cmp -s "$tmp/eq_full" "$tmp/eq_cut"'

# a recording with bad lines: counted, reported with file:line, the run completes
{ zcat "$rec1" | head -3000; echo "not a line"; echo '123 {"stream":'; zcat "$rec1" | sed -n '3001,6000p'; } > "$tmp/bad.txt"
$q backtest -c "$src/examples/btcusdt.ini" --json "$tmp/bad.txt" > "$tmp/bad.json" 2>"$tmp/bad.err"; rc=$?
check "bad lines counted" '[ $rc -eq 0 ] && grep -q "\"bad_lines\":2," "$tmp/bad.json" && grep -q "bad.txt:3001" "$tmp/bad.err"'

# chaos between the simulated exchange and the engine: reproducible by seed, reported
$q backtest -c "$src/examples/btcusdt.ini" --set sim.chaos=0.05 --json "$rec1" > "$tmp/ch1.json" 2>/dev/null
$q backtest -c "$src/examples/btcusdt.ini" --set sim.chaos=0.05 --json "$rec1" > "$tmp/ch2.json" 2>/dev/null
$q backtest -c "$src/examples/btcusdt.ini" --set sim.chaos=0.05 --set sim.chaos_seed=2 --json "$rec1" > "$tmp/ch3.json" 2>/dev/null
check "chaos: same seed, same report" 'cmp -s "$tmp/ch1.json" "$tmp/ch2.json" && grep -q "\"venue_events\":{\"duplicate_fills\":" "$tmp/ch1.json"'
check "chaos: another seed, another run" '! cmp -s "$tmp/ch1.json" "$tmp/ch3.json"'
check "chaos off: no venue_events key" '! grep -q venue_events "$tmp/a.json"'
$q backtest -c "$src/examples/btcusdt.ini" --set sim.chaos=0.05 "$rec1" > "$tmp/ch.txt" 2>/dev/null
check "chaos: the text report says what happened" 'grep -q "^venue events" "$tmp/ch.txt" && grep -q "told twice" "$tmp/ch.txt"'
$q backtest -c "$src/examples/btcusdt.ini" --set sim.chaos=0.9 "$rec1" >/dev/null 2>"$tmp/err"; rc=$?
check "chaos above 0.3 is refused" '[ $rc -eq 2 ] && grep -q "sim.chaos" "$tmp/err"'
$q backtest -c "$src/examples/btcusdt.ini" --set orders.client_id_prefix=q-1 "$rec1" >/dev/null 2>"$tmp/err"; rc=$?
check "a client id prefix with a dash is refused" '[ $rc -eq 2 ] && grep -q "client_id_prefix" "$tmp/err"'
$q backtest -c "$src/examples/btcusdt.ini" --set account.fee_asset_prices=BNB "$rec1" >/dev/null 2>"$tmp/err"; rc=$?
check "a fee asset price without a price is refused" '[ $rc -eq 2 ] && grep -q "fee_asset_prices" "$tmp/err"'
