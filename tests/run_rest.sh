#!/usr/bin/env bash
# run_rest.sh QUOTER DATA SRC: `quoter run` while the exchange's WebSocket API is down and its
# REST and streams work (the ws_api_down fault), two runs side by side on two exchanges:
#  1. down mid-run, with answers held back so that requests are in flight when it drops:
#     the run stops quoting, resolves its unknown outcomes and cancels over REST, and a SIGTERM
#     while the API is still down cancels all and confirms over REST: exit 0, nothing open,
#     the ledger equals the exchange's account;
#  2. down from the start: the run comes up over REST (clock, exchangeInfo, depth snapshot)
#     without quoting, and quotes once the WebSocket API lets it in.
set -u
q=$1 data=$2 src=$3
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
. "$src/tests/exchange-lib.sh"

live_exchange mid --speed 10
base_mid=$base
start_exchange cold -c "$ini" --speed 10 --fault ws_api_down=1
base_cold=http://127.0.0.1:$cold_port
[ -n "$cold_port" ] || { echo "FAIL: the second exchange did not start"; cat "$tmp/cold.log"; exit 1; }
cfg=(-c "$src/examples/seed.ini" --set strategy.spread=1 --set strategy.requote_interval=1 --set strategy.max_order_age=1
     --set risk.orders_per_10s=90 --set orders.request_timeout=2 --status-interval 0)
acks() { grep -c "^quoter run: ACK" "$1" 2>/dev/null || true; }
# wait_for FILE PATTERN SECONDS: polls the log (a slow machine takes its time)
wait_for() { for _ in $(seq $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

"$q" run "${cfg[@]}" --endpoint "$base_mid" --seconds 40 --db "$tmp/mid.db" >"$tmp/mid.out" 2>"$tmp/mid.err" &
mid=$!
# (its endpoint has nothing behind it: the config's three URLs, each, lead to the exchange)
"$q" run "${cfg[@]}" --endpoint http://127.0.0.1:1 --set live.rest_url="$base_cold" \
  --set live.ws_api_url="ws://127.0.0.1:$cold_port/ws-api/v3" --set live.stream_url="ws://127.0.0.1:$cold_port" \
  --seconds 16 --db "$tmp/cold.db" >"$tmp/cold.out" 2>"$tmp/cold.err" &
cold=$!
# 2. (beside 1) up over REST without the API; the API let in soon, before the reconnect's
# backoff grows past what the run's 16 s leave
( wait_for "$tmp/cold.err" "over REST" 10; sleep 1; acks "$tmp/cold.err" >"$tmp/cold.acks"
  curl -s -X POST "$base_cold/admin/faults?ws_api_down=0" >/dev/null ) &

# 1. quoting, then answers held 1.5 s (requests pile up in flight), then the API drops
wait_for "$tmp/mid.err" "^quoter run: ACK" 15
sleep 1.5
curl -s -X POST "$base_mid/admin/faults?delay_ms=1500" >/dev/null
sleep 1.2
curl -s -X POST "$base_mid/admin/faults?ws_api_down=1" >/dev/null
sleep 1
curl -s -X POST "$base_mid/admin/faults?delay_ms=0" >/dev/null
acks_down=$(acks "$tmp/mid.err")
sleep 3.5
base=$base_mid
open_while_down=$(open_orders)
acks_later=$(acks "$tmp/mid.err")
kill -TERM $mid; wait $mid; rc=$?
check "mid: exit 0 after SIGTERM while the WebSocket API is down" '[ $rc -eq 0 ]'
check "mid: it fell back to REST and stopped quoting" 'grep -q "go over REST" "$tmp/mid.err" && grep -q "not healthy" "$tmp/mid.err"'
check "mid: no new order while the API was down" '[ "$acks_later" -eq "$acks_down" ]'
check "mid: the requests in flight at the drop had unknown outcomes" 'grep -q "^quoter run: UNKNOWN" "$tmp/mid.err"'
check "mid: its orders were canceled over REST while it ran on" '[ "$open_while_down" = "[]" ]'
check "mid: the stop canceled and confirmed over REST" 'grep -q "confirms no order of ours is open" "$tmp/mid.err" &&
  grep -qE "REST: .* cancel_all [1-9].* open orders [1-9]" "$tmp/mid.err"'
check "mid: nothing left open" '[ "$(open_orders)" = "[]" ]'
check "mid: ledger equals the exchange's account" \
  '[ "$(ledger_of "$tmp/mid.out" 1)" = "$(free_of BTC)" ] && [ "$(ledger_of "$tmp/mid.out" 2)" = "$(free_of USDT)" ]'
# exchangeInfo's rules against the config's: a tick size the exchange does not have stops the
# run before it sends anything (every order would be refused or mispriced)
"$q" run "${cfg[@]}" --set market.tick_size=0.1 --endpoint "$base_mid" --seconds 20 --db none >/dev/null 2>"$tmp/tick.err"; rc=$?
check "rules: a config whose tick size is not the exchange's stops the run (exit 1, named), nothing sent" \
  '[ $rc -eq 1 ] && grep -q "PRICE_FILTER.tickSize is 0.01, the config says 0.1" "$tmp/tick.err" && ! grep -q "ACK" "$tmp/tick.err" && [ "$(open_orders)" = "[]" ]'
# 3. a restart after kill -9 with the WebSocket API down: the earlier run's orders are found over
#    REST and canceled while the run waits for the API, and the balances are the account's
#    (the killed run quotes 300 USDT away, so its orders are still there to find)
curl -s -X DELETE "$base_mid/admin/faults" >/dev/null
"$q" run "${cfg[@]}" --set strategy.spread=300 --endpoint "$base_mid" --db "$tmp/k.db" >"$tmp/k1.out" 2>"$tmp/k1.err" &
k1=$!
wait_for "$tmp/k1.err" "^quoter run: ACK" 15
for _ in $(seq 50); do open_orders | grep -q '"clientOrderId":"q' && break; sleep 0.1; done
kill -9 $k1; wait $k1 2>/dev/null
left=$(open_orders)
curl -s -X POST "$base_mid/admin/faults?ws_api_down=1" >/dev/null
"$q" run "${cfg[@]}" --endpoint "$base_mid" --seconds 9 --db "$tmp/k.db" >"$tmp/k2.out" 2>"$tmp/k2.err"; rc=$?
check "restart, API down: the earlier run's orders read over REST and canceled before the stop" \
  '[ "$left" != "[]" ] && [ $rc -eq 0 ] && grep -q "syncing balances and open orders over REST meanwhile" "$tmp/k2.err" &&
   grep -q "open orders of an earlier run: canceling" "$tmp/k2.err" &&
   awk "/^quoter run: CANCELED/ { c = 1 } /stopping: canceling/ { exit !c }" "$tmp/k2.err" && [ "$(open_orders)" = "[]" ]'
check "restart, API down: the balances printed are the account's" \
  '[ "$(ledger_of "$tmp/k2.out" 1)" = "$(free_of BTC)" ] && [ "$(ledger_of "$tmp/k2.out" 2)" = "$(free_of USDT)" ] &&
   grep -q "the ledger, from the fills the exchange reported" "$tmp/k2.out"'
# 2. it came up over REST, did not quote until the API was let in, then quoted
wait $cold; rc=$?
acks_cold=$(cat "$tmp/cold.acks" 2>/dev/null || echo missing)
base=$base_cold
check "cold: the clock came over REST while the API was refused" 'grep -q "clock offset .* over REST" "$tmp/cold.err" && grep -q "refused a connection" "$tmp/cold.log"'
check "cold: no order before the API was let in" '[ "$acks_cold" = 0 ]'
check "cold: exchangeInfo and the depth snapshot came over REST (the weight header read)" \
  'grep -qE "REST: .*exchangeInfo [1-9].*depth [1-9].*X-MBX-USED-WEIGHT-1M [1-9]" "$tmp/cold.err"'
check "cold: it quoted once the API was back, exit 0" '[ $rc -eq 0 ] && [ "$(acks "$tmp/cold.err")" -gt 0 ]'
check "cold: nothing left open, ledger equals the account" '[ "$(open_orders)" = "[]" ] &&
  [ "$(ledger_of "$tmp/cold.out" 1)" = "$(free_of BTC)" ] && [ "$(ledger_of "$tmp/cold.out" 2)" = "$(free_of USDT)" ]'
"$q" run "${cfg[@]}" --set live.rest_url=ftp://127.0.0.1:1 --db none >/dev/null 2>"$tmp/bad.err"; rc=$?
check "a URL of the wrong scheme is refused (exit 2, named)" '[ $rc -eq 2 ] && grep -q "live.rest_url" "$tmp/bad.err"'
# cleartext (http://, ws://) only to this machine: the key and replayable signed queries never
# cross a network readable; refused before anything connects (192.0.2.1 is TEST-NET-1)
"$q" run "${cfg[@]}" --endpoint http://192.0.2.1:8090 --db none >/dev/null 2>"$tmp/clear1.err"; rc1=$?
"$q" run "${cfg[@]}" --endpoint "$base_mid" --set live.ws_api_url=ws://127.0.0.1.example.com/ws-api/v3 --db none \
  >/dev/null 2>"$tmp/clear2.err"; rc2=$?
"$q" run "${cfg[@]}" --endpoint "$base_mid" --set live.stream_url=ws://[2001:db8::1]:9443 --db none >/dev/null 2>"$tmp/clear3.err"; rc3=$?
check "http:// and ws:// to a host not this machine are refused (exit 2, named), nothing connects" \
  '[ $rc1 -eq 2 ] && grep -q "REST URL http://192.0.2.1:8090 is cleartext" "$tmp/clear1.err" &&
   [ $rc2 -eq 2 ] && grep -q "WebSocket API URL ws://127.0.0.1.example.com/ws-api/v3 is cleartext" "$tmp/clear2.err" &&
   [ $rc3 -eq 2 ] && grep -q "stream URL ws://\[2001:db8::1\]:9443 is cleartext" "$tmp/clear3.err"'
check "no sanitizer report" '! grep -qE "Sanitizer|runtime error" "$tmp/mid.err" "$tmp/cold.err"'

echo "run_rest: $passes passed, $fails failed"
[ $fails -eq 0 ] || { echo "--- k2 run"; tail -20 "$tmp/k2.err"; for n in mid cold; do echo "--- $n exchange"; grep -v "connection .* from" "$tmp/$n.log" | tail -12; echo "--- $n run"; tail -25 "$tmp/$n.err"; done; }
[ $fails -eq 0 ]
