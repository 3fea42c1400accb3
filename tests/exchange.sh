#!/usr/bin/env bash
# exchange.sh QUOTER PROBE DATA: the local exchange over loopback: REST market data, its
# errors, and the streams (raw, combined, SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS).
set -u
q=$1 probe=$2 data=$3
fails=0 passes=0
check() { if eval "$2"; then passes=$((passes+1)); else echo "FAIL: $1"; fails=$((fails+1)); fi; }
tmp=$(mktemp -d)
rec=("$data"/binance-spot/btcusdt_20240808.gz "$data"/binance-spot/btcusdt_20240809.gz)
[ -f "${rec[0]}" ] || rec=()   # without the recording the exchange serves a synthetic market
"$q" exchange --port 0 --port-file "$tmp/port" --speed 5 --loop "${rec[@]}" 2>"$tmp/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for i in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port" 2>/dev/null)
check "exchange started" '[ -n "$port" ]'
sleep 1
base="http://127.0.0.1:$port"
get() { curl -s -o "$tmp/body" -w '%{http_code}' "$base$1"; }

check "ping" '[ "$(get /api/v3/ping)" = 200 ] && [ "$(cat "$tmp/body")" = "{}" ]'
check "time" '[ "$(get /api/v3/time)" = 200 ] && grep -q "\"serverTime\":[0-9]\{13\}" "$tmp/body"'
check "exchangeInfo" '[ "$(get /api/v3/exchangeInfo)" = 200 ] && grep -q "\"tickSize\":\"0.01000000\"" "$tmp/body" && grep -q "\"filterType\":\"NOTIONAL\"" "$tmp/body"'
check "depth" '[ "$(get "/api/v3/depth?symbol=BTCUSDT&limit=5")" = 200 ] && grep -q "\"lastUpdateId\":[0-9]*,\"bids\":\[\[\"[0-9]*\.[0-9]\{8\}\"" "$tmp/body"'
check "depth has 5 levels a side" '[ $(grep -o "\]," "$tmp/body" | wc -l) -ge 5 ]'
check "trades" '[ "$(get "/api/v3/trades?symbol=BTCUSDT&limit=3")" = 200 ] && [ $(grep -o "\"id\":" "$tmp/body" | wc -l) = 3 ]'
check "bookTicker" '[ "$(get "/api/v3/ticker/bookTicker?symbol=BTCUSDT")" = 200 ] && grep -q "\"bidPrice\":\"" "$tmp/body"'
check "bookTicker, all symbols" '[ "$(get "/api/v3/ticker/bookTicker")" = 200 ] && grep -q "^\[{\"symbol\":\"BTCUSDT\"" "$tmp/body"'
check "invalid symbol -1121" '[ "$(get "/api/v3/depth?symbol=NOPE")" = 400 ] && grep -q "\"code\":-1121" "$tmp/body"'
check "missing symbol -1102" '[ "$(get "/api/v3/depth")" = 400 ] && grep -q "\"code\":-1102" "$tmp/body"'
check "bad limit -1100" '[ "$(get "/api/v3/depth?symbol=BTCUSDT&limit=0")" = 400 ] && grep -q "\"code\":-1100" "$tmp/body"'
check "unknown endpoint 404" '[ "$(get "/api/v3/nosuch")" = 404 ]'

# streams: raw, combined, and subscriptions made on the connection
"$probe" "$port" /ws/btcusdt@trade 2 > "$tmp/raw" 2>&1
check "raw trade stream" '[ $(grep -c "^{\"e\":\"trade\"" "$tmp/raw") = 2 ]'
"$probe" "$port" "/stream?streams=btcusdt@bookTicker/btcusdt@depth@100ms" 40 > "$tmp/comb" 2>&1
check "combined stream wraps bookTicker" 'grep -q "^{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":" "$tmp/comb"'
check "combined stream carries depth diffs" 'grep -q "^{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\"" "$tmp/comb"'
"$probe" "$port" /ws 3 '{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":7}' > "$tmp/sub" 2>&1
check "SUBSCRIBE answers, then data flows" '[ "$(head -1 "$tmp/sub")" = "{\"result\":null,\"id\":7}" ] && [ $(grep -c "\"e\":\"trade\"" "$tmp/sub") = 2 ]'
"$probe" "$port" /ws/btcusdt@trade/btcusdt@bookTicker 1 '{"method":"LIST_SUBSCRIPTIONS","id":"x"}' > "$tmp/list" 2>&1
"$probe" "$port" /ws 1 '{"method":"LIST_SUBSCRIPTIONS","id":3}' > "$tmp/none" 2>&1
check "LIST_SUBSCRIPTIONS on a fresh connection" 'grep -q "^{\"result\":\[\],\"id\":3}$" "$tmp/none"'
"$probe" "$port" /ws 1 '{"method":"SUBSCRIBE","params":["btcusdt@nosuch"],"id":4}' > "$tmp/bad" 2>&1
check "unknown stream is an error" 'grep -q "\"error\":{\"code\":2" "$tmp/bad"'
check "connections are logged" 'grep -q "connection" "$tmp/log"'

kill -INT $pid; wait $pid; rc=$?
check "stops cleanly on SIGINT" '[ $rc = 0 ] && grep -q "exchange stopped" "$tmp/log"'
echo "exchange: $passes passed, $fails failed"
[ $fails -eq 0 ]
