#!/usr/bin/env bash
# run_journal.sh QUOTER DATA SRC: the SQLite journal of `quoter run --db` end to end against
# `quoter exchange` on loopback: a run with fills and `quoter history --json` agreeing with its
# report (the backtest's report, keys, files; its fills are the exchange's trades), also while the
# run is running; a run killed with -9 leaves orders the journal does not know the end of; the restart
# reconciles them with the exchange: afterwards every order in the journal is terminal and
# agrees with the exchange's status, and the journal's fills are the exchange's trades
# (myTrades: count and quantity); the journal never holds the API secret.
set -u
q=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") data=$2 src=$3
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
. "$src/tests/exchange-lib.sh"
command -v sqlite3 >/dev/null || { echo "run_journal: no sqlite3 command line"; exit 77; }

live_exchange ex --speed 10
cfg=(-c "$src/examples/seed.ini" --set strategy.spread=1 --set risk.orders_per_10s=90)
db=$tmp/j.db
sq() { sqlite3 -batch -noheader "$db" "$1"; }
terminal="('FILLED','CANCELED','REJECTED','EXPIRED')"

# 1. a timed run with fills; history agrees with its report
"$q" run "${cfg[@]}" --endpoint "$base" --seconds 15 --status-interval 0 --db "$db" >"$tmp/r1.out" 2>"$tmp/r1.err"; rc=$?
check "run 1 exits 0" '[ $rc -eq 0 ]'
fills=$(sed -n 's/^  count *\([0-9]*\).*/\1/p' "$tmp/r1.out")
echo "run 1: ${fills:-0} fills, journal: $(sq 'SELECT COUNT(*) FROM orders') orders, $(sq 'SELECT COUNT(*) FROM fills') fills"
check "run 1 had fills" '[ "${fills:-0}" -ge 1 ]'
check "run 1 report: its fills' markouts measured, what made them not said by a live venue, a break-even fee" \
  'grep -q "^  at the fill .*([1-9][0-9]* fills" "$tmp/r1.out" && grep -q "^  made by  *not said by the venue" "$tmp/r1.out" && grep -q "^  break-even fee  [-+][0-9]" "$tmp/r1.out"'
"$q" history --db "$db" --json >"$tmp/h1.json"; rc=$?
check "history --json exits 0" '[ $rc -eq 0 ]'
hf=$(sed -n 's/.*"fills":\([0-9]*\).*/\1/p' "$tmp/h1.json")
check "history --json: fills = the run's report ($hf vs ${fills:-0})" '[ "$hf" = "${fills:-x}" ]'
check "history --json: one object" 'node -e "JSON.parse(require(\"fs\").readFileSync(process.argv[1], \"utf8\"))" "$tmp/h1.json"'
check "run 1: ended with status 0, every order terminal" \
  '[ "$(sq "SELECT ended IS NOT NULL AND exit_status = 0 FROM runs WHERE id = 1")" = 1 ] && [ "$(sq "SELECT COUNT(*) FROM orders WHERE state NOT IN $terminal")" = 0 ]'
dec="GLOB '[0-9]*.[0-9]*' AND NOT \$c GLOB '*[^0-9.]*'"
check "prices and quantities are exact decimals" '[ "$(sq "SELECT COUNT(*) FROM fills WHERE NOT (price ${dec//\$c/price} AND qty ${dec//\$c/qty})")" = 0 ] && [ "$(sq "SELECT COUNT(*) FROM orders WHERE NOT (price ${dec//\$c/price} AND qty ${dec//\$c/qty})")" = 0 ]'
"$q" history --db "$db" --latency-csv "$tmp/lat.csv" >"$tmp/h1.txt"; rc=$?
check "history text and --latency-csv" '[ $rc -eq 0 ] && grep -q "^fills" "$tmp/h1.txt" && [ "$(head -1 "$tmp/lat.csv")" = "kind,sent_ns,answered_ns,rtt_ns" ] && grep -q "^place,[0-9]*,[0-9]*,[0-9]*$" "$tmp/lat.csv"'
# the backtest reads that file back as its latency model (sim.latency_model = file), the same twice
latcfg=(-c "$src/examples/btcusdt.ini" --set sim.latency_model=file --set sim.latency_file="$tmp/lat.csv" --json "$data/binance-spot/btcusdt_20240808.gz")
"$q" backtest "${latcfg[@]}" >"$tmp/bl1.json" 2>"$tmp/bl.err"; rc=$?
"$q" backtest "${latcfg[@]}" >"$tmp/bl2.json" 2>>"$tmp/bl.err"
check "backtest with the run's --latency-csv: exit 0, the same twice" '[ $rc -eq 0 ] && grep -q "\"fills\":" "$tmp/bl1.json" && cmp -s "$tmp/bl1.json" "$tmp/bl2.json" || { cat "$tmp/bl.err"; false; }'

# history prints the backtest's report: the backtest's --json keys (and "run", the live run's
# extras), its --out files and CSV headers; fills.csv is the exchange's trades for the account
# (only run 1 has traded yet); the equity's last PnL and the whole report are the run's own
"$q" backtest -c "$src/examples/seed.ini" --json --out "$tmp/bt" "$data/binance-spot/btcusdt_20240808.gz" >"$tmp/bt.json" 2>/dev/null
# (node: the tests' JSON reader; scripts/deps.sh installs it)
samekeys() { node -e 'const fs = require("fs"); const [a, b] = process.argv.slice(1).map(f => Object.keys(JSON.parse(fs.readFileSync(f, "utf8"))).sort());
  process.exit(b.length && JSON.stringify(a) === JSON.stringify([...b, "run"].sort()) ? 0 : 1)' "$1" "$2"; }
check "history --json: the backtest's keys and \"run\"" 'samekeys "$tmp/h1.json" "$tmp/bt.json"'
"$q" history --db "$db" 1 --json --out "$tmp/h1out" >"$tmp/h1o.json" 2>"$tmp/h1o.err"; rc=$?
check "history --out: exit 0, the same object" '[ $rc -eq 0 ] && cmp -s "$tmp/h1.json" "$tmp/h1o.json"'
for f in orders fills equity; do
  check "history --out: $f.csv with the backtest's header" '[ -s "$tmp/h1out/$f.csv" ] && [ "$(head -1 "$tmp/h1out/$f.csv")" = "$(head -1 "$tmp/bt/$f.csv")" ]'
done
check "history --out: chart.png" '[ -s "$tmp/h1out/chart.png" ] || ! command -v gnuplot >/dev/null'
call GET /api/v3/myTrades "symbol=BTCUSDT&limit=1000" >/dev/null
xt=$(node -e 'const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(t.map(x => (x.isBuyer ? "BUY" : "SELL") + "," + Number(x.price).toFixed(8) + "," + Number(x.qty).toFixed(8)).sort().join("\n"))' "$tmp/body")
ht=$(tail -n +2 "$tmp/h1out/fills.csv" | awk -F, '{printf "%s,%.8f,%.8f\n", $3, $4, $5}' | sort)
check "history fills.csv: the exchange's trades for the account ($(echo "$ht" | grep -c .) rows)" '[ -n "$xt" ] && [ "$ht" = "$xt" ]'
ep=$(tail -1 "$tmp/h1out/equity.csv" | cut -d, -f7)
rp=$(sed -n 's/^  total *\(-\{0,1\}[0-9.]*\).*/\1/p' "$tmp/r1.out")
check "history equity.csv: the last total PnL is the run's ($ep vs $rp)" \
  '[ -n "$ep" ] && [ -n "$rp" ] && awk -v a="$ep" -v b="$rp" "BEGIN { d = a - b; exit !(d < 0.0001 && d > -0.0001) }"'
"$q" history --db "$db" 1 >"$tmp/h1r.txt"
check "history: the run's own report, line for line" 'diff <(grep -v "^balances" "$tmp/r1.out") <(head -n $(($(wc -l <"$tmp/r1.out") - 1)) "$tmp/h1r.txt")'
"$q" history --db "$db" 12abc >/dev/null 2>&1; rc=$?
check "history: a RUN that is not all digits is refused (exit 2)" '[ $rc -eq 2 ]'

# 2. kill -9 mid-run: the journal holds orders it does not know the end of
"$q" run "${cfg[@]}" --endpoint "$base" --status-interval 0 --db "$db" >"$tmp/r2.out" 2>"$tmp/r2.err" &
pid=$!
# killed as soon as the journal holds one of its orders on the book (the seed loop's orders
# fill and are placed again only at its next decision: there are moments with none)
on_book() { for _ in $(seq 200); do [ "$(sq "SELECT COUNT(*) FROM orders WHERE run = 2 AND state = 'NEW'" 2>/dev/null)" -ge 1 ] 2>/dev/null && break; sleep 0.05; done; }
on_book
# history reads the journal while the run writes it (WAL)
"$q" history --db "$db" --json 2 >"$tmp/h2r.json" 2>"$tmp/h2r.err"; rc=$?
check "history of a running run" '[ $rc -eq 0 ] && grep -q "\"run\":{\"id\":2,.*\"ended_ns\":null" "$tmp/h2r.json" || { cat "$tmp/h2r.err"; false; }'
on_book
kill -9 $pid; wait $pid 2>/dev/null
left=$(sq "SELECT COUNT(*) FROM orders WHERE state NOT IN $terminal")
echo "after kill -9: $left orders not terminal in the journal"
check "kill -9: the journal has orders not terminal" '[ "$left" -ge 1 ]'
check "kill -9: the run is not ended" '[ "$(sq "SELECT ended IS NULL FROM runs WHERE id = 2")" = 1 ]'
"$q" history --db "$db" 2 >"$tmp/h2.txt"; check "history of the killed run says so" 'grep -q "not ended" "$tmp/h2.txt"'
# its figures are its last journaled state's: fills booked after it are told apart, and the
# figures' fills and those add up to the journal's
c2=$(sed -n 's/^  count *\([0-9]*\).*/\1/p' "$tmp/h2.txt"); j2=$(sed -n 's/^journal fills *\([0-9]*\) booked.*/\1/p' "$tmp/h2.txt")
a2=$(sed -n 's/^after its state *\([0-9]*\) of those.*/\1/p' "$tmp/h2.txt")
check "history of the killed run: the report's fills ($c2) and those after its state (${a2:-0}) are the journal's ($j2)" \
  '[ -n "$c2" ] && [ -n "$j2" ] && [ $((c2 + ${a2:-0})) -eq "$j2" ]'

# what else a crash can leave: an order whose end the journal missed (a filled one of run 1
# set back to NEW, one of its trades dropped), and an intent that never reached the exchange
# (committed, then killed before the send)
lost=$(sq "SELECT cid FROM orders WHERE run = 1 AND state = 'FILLED' LIMIT 1")
sq "UPDATE orders SET state = 'NEW', done = NULL WHERE cid = '$lost'; DELETE FROM fills WHERE cid = '$lost';
    INSERT INTO orders(cid, run, side, type, price, qty, sent, state, filled) VALUES('qneversent-1', 2, 'BUY',
    'LIMIT_MAKER', '1000.00', '0.01000000', 1, 'PENDING_NEW', '0')"
check "a filled order of run 1 to set back" '[ -n "$lost" ]'

# 3. the restart reconciles
"$q" run "${cfg[@]}" --endpoint "$base" --seconds 6 --status-interval 0 --db "$db" >"$tmp/r3.out" 2>"$tmp/r3.err"; rc=$?
check "restart exits 0" '[ $rc -eq 0 ]'
check "restart: found the earlier run's orders in the journal" 'grep -q "journal .*: run 3; [1-9][0-9]* orders of earlier runs" "$tmp/r3.err"'
check "restart: the order whose end was missed is FILLED again, its trades back" \
  '[ "$(sq "SELECT state FROM orders WHERE cid = '"'"'$lost'"'"'")" = FILLED ] && [ "$(sq "SELECT COUNT(*) FROM fills WHERE cid = '"'"'$lost'"'"'")" -ge 1 ]'
check "restart: the intent never sent is REJECTED (not found at the exchange)" \
  '[ "$(sq "SELECT state FROM orders WHERE cid = '"'"'qneversent-1'"'"'")" = REJECTED ]'
# run 3 stored the lost order's trades (a reconciliation's) without its ledger booking them:
# history counts them apart, and neither its fill count nor its fees include them
"$q" history --db "$db" --json 3 >"$tmp/h3.json"; rc=$?
"$q" history --db "$db" 3 >"$tmp/h3.txt"
f3=$(sed -n 's/^  count *\([0-9]*\).*/\1/p' "$tmp/r3.out")
ub=$(sq "SELECT COUNT(*) FROM fills WHERE run = 3 AND booked IS NULL")
fee3=$(sq "SELECT COALESCE(group_concat('\"' || fee_asset || '\":' || printf('%.8f', s), ','), '') FROM (SELECT fee_asset,
  SUM(CAST(fee AS REAL)) s FROM fills WHERE run = 3 AND booked IS NOT NULL GROUP BY fee_asset ORDER BY fee_asset)")
echo "run 3: ${f3:-0} fills booked, $ub stored unbooked; history: $(grep -o '"journal_fills":[0-9]*,"unbooked_fills":[0-9]*,"fees_by_asset":{[^}]*}' "$tmp/h3.json")"
check "history: unbooked fills counted apart, journal_fills = the run's booked fills" \
  '[ $rc -eq 0 ] && [ "$ub" -ge 1 ] && grep -q "\"journal_fills\":${f3:-x},\"unbooked_fills\":$ub," "$tmp/h3.json" && grep -q "^journal fills     ${f3:-x} booked by the ledger; $ub more not booked" "$tmp/h3.txt"'
check "history: fees by asset only of booked fills ($fee3)" 'grep -qF "\"fees_by_asset\":{$fee3}" "$tmp/h3.json"'
check "restart: every order in the journal is terminal" '[ "$(sq "SELECT COUNT(*) FROM orders WHERE state NOT IN $terminal")" = 0 ]'
# every order of the killed run (and a sample of the others) against the exchange's word
bad=0 n=0
for row in $(sq "SELECT cid || ':' || state FROM orders WHERE run = 2 UNION ALL SELECT * FROM (SELECT cid || ':' || state FROM orders WHERE run <> 2 ORDER BY random() LIMIT 40)"); do
  cid=${row%%:*} st=${row#*:}
  code=$(call GET /api/v3/order "symbol=BTCUSDT&origClientOrderId=$cid")
  xs=$(field status); [ "$code" = 400 ] && grep -q -- '-2013' "$tmp/body" && xs=MISSING
  n=$((n+1))
  case "$st:$xs" in
    FILLED:FILLED|CANCELED:CANCELED|EXPIRED:EXPIRED|EXPIRED:EXPIRED_IN_MATCH|REJECTED:MISSING|REJECTED:REJECTED|REJECTED:EXPIRED) ;;
    *) bad=$((bad+1)); echo "  $cid: journal $st, exchange $xs ($code)";;
  esac
done
echo "checked $n orders against the exchange: $bad disagree"
check "the journal's order states agree with the exchange's" '[ $n -ge 1 ] && [ $bad -eq 0 ]'
call GET /api/v3/myTrades "symbol=BTCUSDT&limit=1000" >/dev/null
xn=$(grep -o '"id":' "$tmp/body" | wc -l)
xq=$(grep -o '"qty":"[0-9.]*"' "$tmp/body" | sed 's/.*:"\(.*\)"/\1/' | awk '{s+=$1} END {printf "%.8f", s}')
jn=$(sq "SELECT COUNT(*) FROM fills")
jq=$(sq "SELECT printf('%.8f', COALESCE(SUM(CAST(qty AS REAL)), 0)) FROM fills")
echo "fills: journal $jn ($jq), exchange $xn ($xq)"
check "the journal's fills are the exchange's trades (count)" '[ "$jn" = "$xn" ] && [ "$jn" -ge 1 ]'
check "the journal's fills are the exchange's trades (quantity)" '[ "$jq" = "$xq" ]'
check "trade ids agree" '[ "$(sq "SELECT group_concat(trade_id) FROM (SELECT trade_id FROM fills ORDER BY trade_id)")" = "$(grep -o "\"id\":[0-9]*" "$tmp/body" | sed "s/.*://" | sort -n | paste -sd,)" ]'
check "no open orders on the exchange" '[ "$(call GET /api/v3/openOrders symbol=BTCUSDT >/dev/null; cat "$tmp/body")" = "[]" ]'
check "runs: three, the last ended 0" '[ "$(sq "SELECT COUNT(*) FROM runs")" = 3 ] && [ "$(sq "SELECT exit_status FROM runs WHERE id = 3")" = 0 ]'
check "the journal never holds the API secret" '! grep -q "$secret" "$db"* && ! sq .dump | grep -q "$secret"'
check "no journal errors" '! grep -q "journal .*[1-9][0-9]* errors" "$tmp"/r1.err "$tmp/r3.err"'
# --db none writes nothing
(cd "$tmp" && "$q" run "${cfg[@]}" --endpoint "$base" --seconds 2 --status-interval 0 --db none >/dev/null 2>"$tmp/r4.err"); rc=$?
check "--db none: runs, writes no journal" '[ $rc -eq 0 ] && [ ! -e "$tmp/quoter.db" ] || { echo "rc=$rc"; tail -5 "$tmp/r4.err"; false; }'
check "no sanitizer report in any run" '! grep -qE "Sanitizer|runtime error" "$tmp"/r*.err'

echo "run_journal: $passes passed, $fails failed"
[ $fails -eq 0 ] || { echo "--- run 3"; tail -30 "$tmp/r3.err"; }
[ $fails -eq 0 ]
