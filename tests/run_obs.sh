#!/usr/bin/env bash
# run_obs.sh QUOTER DATA SRC: the operator's view of `quoter run` against `quoter exchange`:
# with --log-json every stderr line is one JSON object (order events and status lines with
# their fields); with --metrics the Prometheus page scraped mid-run is well formed (every
# sample under a # TYPE'd family, histogram buckets cumulative up to +Inf == _count), its
# counters move and never go down between scrapes; other paths get 404, other methods 405;
# bad --metrics values and a port already taken are refused with exit 2; no secret anywhere.
set -u
q=$1 data=$2 src=$3
if ! command -v node >/dev/null; then echo "SKIP: node reads the JSON lines and the page"; exit 77; fi
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
. "$src/tests/exchange-lib.sh"
chk=$src/tests/obs_check.js

# the demo account pays its fees in BNB (at 600 USDT a BNB), and the run is given no BNB price:
# those fees are unvalued, which the run must say loudly and count
cp "$src/examples/exchange.ini" "$tmp/bnb.ini"
printf 'balance.BNB = 2\nbnb_fee_price = 600\n' >> "$tmp/bnb.ini" # the demo account is the file's last section
live_exchange ex --speed 10
kill $ex_pid; wait $ex_pid 2>/dev/null; rm -f "$tmp/ex.port" # (its key exported, the exchange started again with BNB fees)
start_exchange ex -c "$tmp/bnb.ini" --speed 10
base=http://127.0.0.1:$ex_port
# requoting every second: order requests caused by market messages (the tick-to-order histogram)
cfg=(-c "$src/examples/seed.ini" --set strategy.spread=1 --set strategy.requote_interval=1 --set strategy.max_order_age=1
     --set risk.orders_per_10s=90 --db "$tmp/run.db")

# a run with both, on a port that is free (another is tried when one is taken meanwhile)
for _ in 1 2 3 4 5; do
  mport=$((20000 + RANDOM % 40000))
  "$q" run "${cfg[@]}" --endpoint "$base" --seconds 22 --status-interval 1 --log-json --metrics "127.0.0.1:$mport" \
    >"$tmp/r.out" 2>"$tmp/r.err" &
  pid=$!
  for _ in $(seq 100); do grep -q "metrics at" "$tmp/r.err" 2>/dev/null && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  grep -q "metrics at" "$tmp/r.err" && break
  wait $pid
done
url=http://127.0.0.1:$mport/metrics
# the first scrape once orders have been answered (a slow machine may take a while)
for _ in $(seq 150); do
  curl -s "$url" >"$tmp/m1.txt" 2>/dev/null
  grep -q '^quoter_order_round_trip_seconds_count [1-9]' "$tmp/m1.txt" && break
  sleep 0.1
done
sleep 2
curl -s -D "$tmp/h2.txt" "$url" >"$tmp/m2.txt"
# bound to the address given, not every address: 127.0.0.2 (loopback too) finds nothing there
other=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "http://127.0.0.2:$mport/metrics")
code404=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")
code405=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url")
# 20 idle connections to the page: at most 8 are kept (the rest closed at once), those are closed
# after 5 s idle, and meanwhile the run trades on (its sockets share the fd table with them)
fds=() t_open=$(ms)
for _ in $(seq 20); do exec {fd}<>"/dev/tcp/127.0.0.1/$mport" && fds+=("$fd"); done
sleep 1.5
held=0
for fd in "${fds[@]}"; do timeout 0.2 cat <&"$fd" >/dev/null 2>&1; [ $? = 124 ] && held=$((held + 1)); done
flooded=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "$url")
closed=0
for fd in "${fds[@]}"; do
  timeout 12 cat <&"$fd" >/dev/null 2>&1; [ $? = 124 ] || closed=$((closed + 1))
  exec {fd}<&-
  [ $(( $(ms) - t_open )) -gt 15000 ] && break
done
idle_ms=$(( $(ms) - t_open ))
code_after=$(curl -s --max-time 5 -o "$tmp/m3.txt" -w '%{http_code}' "$url")
wait $pid; rc=$?

check "the run exits 0" '[ $rc -eq 0 ]'
node "$chk" exposition "$tmp/m1.txt" >"$tmp/c1.txt"
check "the first scrape is a well-formed page" '! grep -q FAIL "$tmp/c1.txt" && grep -q "^samples [1-9]" "$tmp/c1.txt"'
node "$chk" exposition "$tmp/m2.txt" "$tmp/m1.txt" --get 'quoter_order_events_total{event="ack"}' quoter_fills_total \
  quoter_market_messages_total quoter_order_round_trip_seconds_count quoter_tick_to_order_seconds_count quoter_healthy \
  quoter_rate_limit_orders_limit quoter_unvalued_fees_total >"$tmp/c2.txt"
val() { sed -n "s/^$1 //p" "$tmp/c2.txt"; }
echo "metrics: $(grep -c . "$tmp/m2.txt") lines; acks $(val 'quoter_order_events_total{event="ack"}'), fills $(val quoter_fills_total), round trips $(val quoter_order_round_trip_seconds_count), tick-to-order $(val quoter_tick_to_order_seconds_count)"
check "the second scrape is well formed and no counter went down" '! grep -q FAIL "$tmp/c2.txt"'
check "order events counted (acks > 0)" '[ "$(val "quoter_order_events_total{event=\"ack\"}")" -gt 0 ]'
check "round trips and tick-to-order observed" \
  '[ "$(val quoter_order_round_trip_seconds_count)" -gt 0 ] && [ "$(val quoter_tick_to_order_seconds_count)" -gt 0 ]'
check "market data counted, and more by the second scrape" \
  '[ "$(val quoter_market_messages_total)" -gt "$(sed -n "s/^quoter_market_messages_total //p" "$tmp/m1.txt")" ]'
check "healthy mid-run; the budget is the config's 90" '[ "$(val quoter_healthy)" = 1 ] && [ "$(val quoter_rate_limit_orders_limit)" = 90 ]'
check "served as Prometheus text 0.0.4" 'grep -qi "^content-type: text/plain; version=0.0.4" "$tmp/h2.txt"'
check "it listens on 127.0.0.1 only" '[ "$other" = 000 ]'
check "another path is 404, another method 405" '[ "$code404" = 404 ] && [ "$code405" = 405 ]'
echo "metrics flood: ${#fds[@]} opened, $held held, all closed ${idle_ms} ms after opening (closed: $closed), a scrape meanwhile: $flooded"
check "20 idle connections: at most 8 held, the rest refused (a scrape too)" \
  '[ "${#fds[@]}" = 20 ] && [ "$held" -ge 1 ] && [ "$held" -le 8 ] && [ "$flooded" = 000 ]'
# 5 s idle, the sweep's second and slack; libwebsockets alone would wait 10 s or more
check "the idle ones closed by the run within ~5 s idle" '[ "$closed" = 20 ] && [ "$idle_ms" -le 8500 ]'
acks_m3=$(sed -n 's/^quoter_order_events_total{event="ack"} //p' "$tmp/m3.txt")
check "after them /metrics answers, and the run kept trading (more acks than before)" \
  '[ "$code_after" = 200 ] && [ "${acks_m3:-0}" -gt "$(val "quoter_order_events_total{event=\"ack\"}")" ]'

node "$chk" jsonl "$tmp/r.err" >"$tmp/j.txt"
echo "log: $(cat "$tmp/j.txt")"
check "every log line is one JSON object with time, level, source, msg" '! grep -q FAIL "$tmp/j.txt"'
check "order events and status lines carry their fields" \
  'grep -q "order_events [1-9]" "$tmp/j.txt" && grep -q "status [1-9]" "$tmp/j.txt"'
# BNB fees without account.fee_asset_prices: a warning at start, the count in every status line,
# a warning with each status line once fees went unvalued, and the metric (each fill's fee is BNB)
check "BNB fees unpriced: warned at start" \
  'grep "\"level\":\"warn\"" "$tmp/r.err" | grep -q "fees are paid in BNB and account.fee_asset_prices gives no BNB price"'
last_unvalued=$(grep '"event":"status"' "$tmp/r.err" | tail -1 | sed -n 's/.*"unvalued_fees":\([0-9]*\).*/\1/p')
fills_end=$(sed -n 's/^  count *\([0-9]*\).*/\1/p' "$tmp/r.out")
echo "unvalued fees: ${last_unvalued:-none} in the last status line, ${fills_end:-no} fills"
check "BNB fees unpriced: status lines count them (the last one: every fill)" \
  '[ "${last_unvalued:-0}" -gt 0 ] && [ "$last_unvalued" -le "${fills_end:-0}" ]'
check "BNB fees unpriced: a warning follows status lines while fees go unvalued" \
  '[ "$(grep "\"level\":\"warn\"" "$tmp/r.err" | grep -c "fees in BNB not valued")" -ge 2 ]'
check "BNB fees unpriced: quoter_unvalued_fees_total counts each fill" \
  '[ "$(val quoter_unvalued_fees_total)" = "$(val quoter_fills_total)" ]'
check "the stop is logged and the report still goes to stdout as text" \
  'grep -q "confirms no order of ours is open" "$tmp/r.err" && grep -q "^balances " "$tmp/r.out"'

# refused before anything starts: bad values, and a port already taken (the exchange's)
for bad in 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 localhost:9x example.com:9464 :9464; do
  "$q" run "${cfg[@]}" --endpoint "$base" --metrics "$bad" >/dev/null 2>"$tmp/bad.err"; rc=$?
  check "--metrics $bad is refused with exit 2" '[ $rc -eq 2 ] && grep -q -- "--metrics" "$tmp/bad.err"'
done
# with --log-json the errors found before the run starts are JSON lines too (level error)
json_refused() { # NAME COMMAND...: exit 2 and stderr one JSON line at level error
  local name=$1; shift
  "$@" --log-json >/dev/null 2>"$tmp/bad.err"; local rc=$?
  node "$chk" jsonl "$tmp/bad.err" >"$tmp/badj.txt"
  check "--log-json: $name is refused as one JSON error line" \
    '[ $rc -eq 2 ] && [ "$(grep -c . "$tmp/bad.err")" = 1 ] && ! grep -q FAIL "$tmp/badj.txt" && grep -q "\"level\":\"error\"" "$tmp/bad.err"'
}
json_refused "a bad --metrics" "$q" run "${cfg[@]}" --endpoint "$base" --metrics 127.0.0.1:0
json_refused "an unknown --endpoint" "$q" run "${cfg[@]}" --endpoint nowhere
json_refused "a config URL of the wrong scheme" "$q" run "${cfg[@]}" --endpoint "$base" --set live.rest_url=ftp://127.0.0.1:1
printf '[strategy]\nspread = abc\n' >"$tmp/bad.ini"
json_refused "a bad value in the config file" "$q" run -c "$tmp/bad.ini" --endpoint "$base"
json_refused "a config file that is not there" "$q" run -c "$tmp/none.ini" --endpoint "$base"
json_refused "an unknown option" "$q" run "${cfg[@]}" --endpoint "$base" --bogus
json_refused "no keys" env -u QUOTER_API_KEY -u QUOTER_API_SECRET "$q" run "${cfg[@]}" --endpoint "$base"
"$q" run "${cfg[@]}" --endpoint "$base" --metrics >/dev/null 2>"$tmp/bad.err"; rc=$?
check "--metrics without a value is refused with exit 2" '[ $rc -eq 2 ]'
"$q" run "${cfg[@]}" --endpoint "$base" --metrics "127.0.0.1:$ex_port" >/dev/null 2>"$tmp/taken.err"; rc=$?
check "a port already taken: exit 2, says so" '[ $rc -eq 2 ] && grep -q "port is taken" "$tmp/taken.err"'
"$q" run --help >"$tmp/help.txt"
check "--help tells --log-json and --metrics" 'grep -q -- "--log-json" "$tmp/help.txt" && grep -q -- "--metrics ADDR:PORT" "$tmp/help.txt"'

check "the secret is in no output and no scrape" '! grep -q "$secret" "$tmp"/r.* "$tmp"/m*.txt'
check "no sanitizer report" '! grep -qE "Sanitizer|runtime error" "$tmp"/*.err'

echo "run_obs: $passes passed, $fails failed"
[ $fails -eq 0 ] || { echo "--- run log"; tail -20 "$tmp/r.err"; echo "--- scrape"; head -30 "$tmp/m2.txt"; }
[ $fails -eq 0 ]
