#!/usr/bin/env bash
# exchange.sh QUOTER PROBE DATA: the local exchange over loopback: REST market data, its
# errors, and the streams (raw, combined, SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS).
set -u
q=$1 probe=$2 data=$3 src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
. "$src/tests/exchange-lib.sh"
trap 'kill ${main_pid:-} ${limits_pid:-} ${orders_pid:-} ${aged_pid:-} ${raw_pid:-} ${short_pid:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
start_exchange main -c "$src/examples/exchange.ini" --speed 5
pid=$main_pid port=$main_port
check "exchange started" '[ -n "$port" ]'
sleep 1
base="http://127.0.0.1:$port"

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
check "a number too long to read whole is -1100, not read cut short" '[ "$(get "/api/v3/depth?symbol=BTCUSDT&limit=$(printf "%030d" 0)5junk")" = 400 ] && grep -q "\"code\":-1100" "$tmp/body"'
check "unknown endpoint 404" '[ "$(get "/api/v3/nosuch")" = 404 ]'

# streams: raw, combined, and subscriptions made on the connection
"$probe" "$port" /ws/btcusdt@trade 2 > "$tmp/raw" 2>&1
check "raw trade stream" '[ $(grep -c "^{\"e\":\"trade\"" "$tmp/raw") = 2 ]'
"$probe" "$port" "/stream?streams=btcusdt@bookTicker/btcusdt@depth@100ms" 40 > "$tmp/comb" 2>&1
check "combined stream wraps bookTicker" 'grep -q "^{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":" "$tmp/comb"'
check "combined stream carries depth diffs" 'grep -q "^{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\"" "$tmp/comb"'
# (by hand: the probe's own client cannot send so long a URL)
{ exec 3<>/dev/tcp/127.0.0.1/$port; printf "GET /stream?streams=%sbtcusdt@bookTicker HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" "$(for i in $(seq 200); do printf "btcusdt@trade/"; done)" >&3
  timeout 3 head -c 2000 <&3 > "$tmp/longurl"; exec 3<&-; } 2>/dev/null
check "a 3 KB stream list is read whole" 'grep -q "{\"stream\":\"btcusdt@bookTicker\"" "$tmp/longurl"'
"$probe" "$port" /ws 3 '{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":7}' > "$tmp/sub" 2>&1
check "SUBSCRIBE answers, then data flows" '[ "$(head -1 "$tmp/sub")" = "{\"result\":null,\"id\":7}" ] && [ $(grep -c "\"e\":\"trade\"" "$tmp/sub") = 2 ]'
"$probe" "$port" /ws/btcusdt@trade/btcusdt@bookTicker 1 '{"method":"LIST_SUBSCRIPTIONS","id":"x"}' > "$tmp/list" 2>&1
"$probe" "$port" /ws 1 '{"method":"LIST_SUBSCRIPTIONS","id":3}' > "$tmp/none" 2>&1
check "LIST_SUBSCRIPTIONS on a fresh connection" 'grep -q "^{\"result\":\[\],\"id\":3}$" "$tmp/none"'
"$probe" "$port" /ws 1 '{"method":"SUBSCRIBE","params":["btcusdt@nosuch"],"id":4}' > "$tmp/bad" 2>&1
check "unknown stream is an error" 'grep -q "\"error\":{\"code\":2" "$tmp/bad"'
# (trade events may come between the answers: they are told apart by content, not by line)
"$probe" "$port" /ws/btcusdt@trade 12 '{"method":"GET_PROPERTY","params":["combined"],"id":1}' '{"method":"SET_PROPERTY","params":["combined",true],"id":2}' '{"method":"GET_PROPERTY","params":["combined"],"id":3}' > "$tmp/prop" 2>&1
check "SET_PROPERTY combined: events then come wrapped" 'grep -qx "{\"result\":false,\"id\":1}" "$tmp/prop" && grep -qx "{\"result\":true,\"id\":3}" "$tmp/prop" && sed -n "/\"id\":3}/,\$p" "$tmp/prop" | grep -q "^{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\""'
"$probe" "$port" /ws 2 '{"method":"SET_PROPERTY","params":["combined",1],"id":1}' '{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":2}xyz' > "$tmp/prop2" 2>&1
check "SET_PROPERTY wants a Boolean; text after the JSON is invalid" 'grep -q "^{\"error\":{\"code\":1,\"msg\":\"Invalid value type: expected Boolean\"},\"id\":1}" "$tmp/prop2" && grep -q "^{\"error\":{\"code\":3," "$tmp/prop2"'
"$probe" "$port" /ws/btcusdt@aggTrade 1 > "$tmp/agg" 2>&1
check "aggTrade stream" 'grep -q "^{\"e\":\"aggTrade\",\"E\":[0-9]*,\"s\":\"BTCUSDT\",\"a\":" "$tmp/agg"'
"$probe" "$port" /ws/btcusdt@depth5@100ms 2 > "$tmp/d5" 2>&1
check "depth5@100ms partial book" '[ $(grep -c "^{\"lastUpdateId\":[0-9]*,\"bids\":\[\[" "$tmp/d5") = 2 ] && [ $(head -1 "$tmp/d5" | grep -o "\[\"" | wc -l) = 10 ]'
"$probe" "$port" "/stream?streams=btcusdt@depth20/btcusdt@depth" 2 > "$tmp/d20" 2>&1
check "depth20 and the 1 s depth diff" 'grep -q "^{\"stream\":\"btcusdt@depth20\",\"data\":{\"lastUpdateId\"" "$tmp/d20" && grep -q "^{\"stream\":\"btcusdt@depth\",\"data\":{\"e\":\"depthUpdate\"" "$tmp/d20"'
"$probe" "$port" "/stream?streams=btcusdt@ticker/btcusdt@miniTicker" 2 > "$tmp/tk" 2>&1
check "24 h ticker and miniTicker streams, every second" 'grep -q "^{\"stream\":\"btcusdt@ticker\",\"data\":{\"e\":\"24hrTicker\",\"E\":[0-9]*,\"s\":\"BTCUSDT\",\"p\":\"-\{0,1\}[0-9.]*\",\"P\":.*\"n\":[0-9]*}}$" "$tmp/tk" && grep -q "^{\"stream\":\"btcusdt@miniTicker\",\"data\":{\"e\":\"24hrMiniTicker\",.*\"v\":\"[0-9.]*\",\"q\":\"[0-9.]*\"}}$" "$tmp/tk"'
m='{"method":"LIST_SUBSCRIPTIONS","id":1}'
"$probe" "$port" /ws 7 "$m" "$m" "$m" "$m" "$m" "$m" "$m" > "$tmp/flood" 2>&1
check "more than 5 messages a second: disconnected" '[ $(grep -c "\"result\"" "$tmp/flood") -le 5 ] && grep -q "more than 5 incoming messages" "$tmp/main.log"'
check "connections are logged" 'grep -q "connection" "$tmp/main.log"'

# ---- signed endpoints: HMAC (openssl dgst) and Ed25519 (openssl pkeyutl) ----
ini=$src/examples/exchange.ini
key=$(sed -n 's/^hmac_api_key = //p' "$ini"); secret=$(sed -n 's/^hmac_secret_key = //p' "$ini")
edkey=$(sed -n 's/^ed25519_api_key = //p' "$ini")
ed() { printf '%s' "$1" > "$tmp/pl"; openssl pkeyutl -sign -inkey "$src/examples/demo-ed25519-private.pem" -rawin -in "$tmp/pl" |
       base64 -w0 | sed 's/+/%2B/g; s/\//%2F/g; s/=/%3D/g'; }
# call METHOD PATH QUERY [BODY]: signs query+body with HMAC, sends the signature in the query

check "account" '[ "$(call GET /api/v3/account "recvWindow=5000")" = 200 ] && grep -q "\"asset\":\"BTC\",\"free\":\"1.00000000\",\"locked\":\"0.00000000\"" "$tmp/body"'
check "account commission (GET /api/v3/account/commission, weight 20)" \
  '[ "$(call GET /api/v3/account/commission "symbol=BTCUSDT")" = 200 ] && grep -q "\"symbol\":\"BTCUSDT\",\"standardCommission\":{\"maker\":\"0.00100000\",\"taker\":\"0.00100000\"" "$tmp/body" && grep -q "\"discountAsset\":\"BNB\"" "$tmp/body"'
check "account commission needs the symbol" '[ "$(call GET /api/v3/account/commission "recvWindow=5000")" = 400 ] && grep -q "\"code\":-1102" "$tmp/body"'
check "unknown API key -2015" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -H "X-MBX-APIKEY: nope" "$base/api/v3/account?timestamp=$(ms)&signature=00")" = 401 ] && grep -q "\"code\":-2015" "$tmp/body"'
check "bad signature -1022" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -H "X-MBX-APIKEY: $key" "$base/api/v3/account?timestamp=$(ms)&signature=00ff")" = 400 ] && grep -q "\"code\":-1022" "$tmp/body"'
old=$(( $(ms) - 10000 )); qs="timestamp=$old"
check "stale timestamp -1021" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -H "X-MBX-APIKEY: $key" "$base/api/v3/account?$qs&signature=$(hmac "$qs")")" = 400 ] && grep -q "\"code\":-1021" "$tmp/body"'
qs="timestamp=$(ms)"
check "Ed25519 signature (REST, percent-encoded)" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -H "X-MBX-APIKEY: $edkey" "$base/api/v3/account?$qs&signature=$(ed "$qs")")" = 200 ]'
check "Ed25519 bad signature -1022" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -H "X-MBX-APIKEY: $edkey" "$base/api/v3/account?timestamp=$(ms)&signature=$(ed "timestamp=1")")" = 400 ]'

get "/api/v3/ticker/bookTicker?symbol=BTCUSDT" >/dev/null
bid=$(field bidPrice); ask=$(field askPrice)
# far from the touch, so a replay running 5x cannot reach them while the test looks
below=$(awk -v b="$bid" 'BEGIN { printf "%.2f", b - 2000 }'); cross=$(awk -v a="$ask" 'BEGIN { printf "%.2f", a + 500 }')
check "LIMIT_MAKER that would cross -2010" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.001&price=$cross")" = 400 ] && grep -q "Order would immediately match and take" "$tmp/body"'
check "price off the tick -1013" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=100.005")" = 400 ] && grep -q "Filter failure: PRICE_FILTER" "$tmp/body"'
check "above exchangeInfo's maxPrice -1013 PRICE_FILTER (advertised is enforced)" 'mp=$(curl -s "$base/api/v3/exchangeInfo" | sed -n "s/.*\"maxPrice\":\"\([0-9.]*\)\".*/\1/p") && [ "$mp" = "1000000000.00000000" ] && [ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.00001&price=1000000000.01")" = 400 ] && grep -q "Filter failure: PRICE_FILTER" "$tmp/body"'
check "below min notional -1013" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.00001&price=$below")" = 400 ] && grep -q "Filter failure: NOTIONAL" "$tmp/body"'
check "above maxNotional (9,000,000: exchangeInfo says so) -1013" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=200&price=$below")" = 400 ] && grep -q "Filter failure: NOTIONAL" "$tmp/body" && curl -s "$base/api/v3/exchangeInfo" | grep -q "\"maxNotional\":\"9000000.00000000\""'
check "insufficient balance -2010" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=5&price=$cross")" = 400 ] && grep -q "insufficient balance" "$tmp/body"'
check "order/test validates only" '[ "$(call POST /api/v3/order/test "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below")" = 200 ] && [ "$(cat "$tmp/body")" = "{}" ]'
check "resting order (POST body)" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=$below&newClientOrderId=t1")" = 200 ] && [ "$(field status)" = NEW ] && [ "$(field clientOrderId)" = t1 ]'
oid=$(field orderId)
check "quote locked while it rests" '[ "$(call GET /api/v3/account "")" = 200 ] && grep -q "\"asset\":\"USDT\",\"free\":\"[0-9.]*\",\"locked\":\"$(awk -v p="$below" "BEGIN { printf \"%.8f\", p * 0.01 }")\"" "$tmp/body"'
check "duplicate client order id -2010" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=$below&newClientOrderId=t1")" = 400 ] && grep -q "Duplicate order sent" "$tmp/body"'
check "GET order by id" '[ "$(call GET /api/v3/order "symbol=BTCUSDT&orderId=$oid")" = 200 ] && [ "$(field status)" = NEW ] && grep -q "\"isWorking\":true" "$tmp/body"'
check "openOrders lists it" '[ "$(call GET /api/v3/openOrders "symbol=BTCUSDT")" = 200 ] && grep -q "\"clientOrderId\":\"t1\"" "$tmp/body"'
check "DELETE order by client id" '[ "$(call DELETE /api/v3/order "symbol=BTCUSDT&origClientOrderId=t1")" = 200 ] && [ "$(field status)" = CANCELED ] && grep -q "\"origClientOrderId\":\"t1\"" "$tmp/body"'
check "unknown order on cancel -2011" '[ "$(call DELETE /api/v3/order "symbol=BTCUSDT&orderId=$oid")" = 400 ] && grep -q "\"code\":-2011" "$tmp/body"'
check "unknown order on query -2013" '[ "$(call GET /api/v3/order "symbol=BTCUSDT&orderId=999999")" = 400 ] && grep -q "\"code\":-2013" "$tmp/body"'
check "balance released after cancel" '[ "$(call GET /api/v3/account "")" = 200 ] && grep -q "\"asset\":\"USDT\",\"free\":\"100000.00000000\",\"locked\":\"0.00000000\"" "$tmp/body"'
check "MARKET below minNotional at the prices it would take -1013 (applyMinToMarket, as exchangeInfo says)" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.00001")" = 400 ] && grep -q "Filter failure: NOTIONAL" "$tmp/body" && curl -s "$base/api/v3/exchangeInfo" | grep -q "\"applyMinToMarket\":true"'
check "MARKET buy fills as taker, fee in BTC" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.002")" = 200 ] && [ "$(field status)" = FILLED ] && grep -q "\"commissionAsset\":\"BTC\"" "$tmp/body"'
check "myTrades shows the fill" '[ "$(call GET /api/v3/myTrades "symbol=BTCUSDT")" = 200 ] && grep -q "\"isBuyer\":true,\"isMaker\":false" "$tmp/body"'
check "BTC balance = 1 + 0.002 - 0.000002 fee" '[ "$(call GET /api/v3/account "")" = 200 ] && grep -q "\"asset\":\"BTC\",\"free\":\"1.00199800\"" "$tmp/body"'
call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below" >/dev/null
call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below" >/dev/null
check "DELETE openOrders cancels all" '[ "$(call DELETE /api/v3/openOrders "symbol=BTCUSDT")" = 200 ] && [ $(grep -o "\"status\":\"CANCELED\"" "$tmp/body" | wc -l) = 2 ]'
check "MARKET BUY by quoteOrderQty: spends at most it, on the step grid" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=100")" = 200 ] && [ "$(field status)" = FILLED ] && grep -q "\"origQuoteOrderQty\":\"100.00000000\"" "$tmp/body" && awk -v q="$(field cummulativeQuoteQty)" "BEGIN { exit !(q > 90 && q <= 100) }"'
check "quantity and quoteOrderQty together -1106" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&quoteOrderQty=100")" = 400 ] && grep -q "\"code\":-1106" "$tmp/body"'
check "selfTradePreventionMode EXPIRE_BOTH echoed; the default is EXPIRE_MAKER" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below&selfTradePreventionMode=EXPIRE_BOTH")" = 200 ] && grep -q "\"selfTradePreventionMode\":\"EXPIRE_BOTH\"" "$tmp/body" && [ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below")" = 200 ] && grep -q "\"selfTradePreventionMode\":\"EXPIRE_MAKER\"" "$tmp/body"'
check "an IOC that cannot fill expires with expiryReason" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.001&price=$below")" = 200 ] && [ "$(field status)" = EXPIRED ] && oid=$(field orderId) && [ "$(call GET /api/v3/order "symbol=BTCUSDT&orderId=$oid")" = 200 ] && grep -q "\"expiryReason\":\"UNFILLED_IOC_QUANTITY_EXPIRED\"" "$tmp/body"'
check "myTrades fromId pages from that trade" 'first=$(call GET /api/v3/myTrades "symbol=BTCUSDT" >/dev/null; sed -n "s/^\[{\"symbol\":\"BTCUSDT\",\"id\":\([0-9]*\).*/\1/p" "$tmp/body") && [ "$(call GET /api/v3/myTrades "symbol=BTCUSDT&fromId=$((first + 1))&limit=1")" = 200 ] && [ "$(grep -o "\"id\":" "$tmp/body" | wc -l)" = 1 ] && ! grep -q "\"id\":$first," "$tmp/body"'
check "symbol status CANCEL_ONLY at run time: new orders -2010 Market is closed, cancels work, exchangeInfo says it" '[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST "$base/admin/symbol?symbol=BTCUSDT&status=CANCEL_ONLY")" = 200 ] && curl -s "$base/api/v3/exchangeInfo" | grep -q "\"status\":\"CANCEL_ONLY\"" && [ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below")" = 400 ] && grep -q "\"code\":-2010,\"msg\":\"Market is closed.\"" "$tmp/body" && [ "$(call DELETE /api/v3/openOrders "symbol=BTCUSDT")" = 200 ] && [ "$(curl -s -o /dev/null -w "%{http_code}" -X POST "$base/admin/symbol?symbol=BTCUSDT&status=TRADING")" = 200 ]'
# cancelReplace and amend/keepPriority
call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.002&price=$below&newClientOrderId=cr1" >/dev/null
check "amend keepPriority reduces quantity" '[ "$(call PUT /api/v3/order/amend/keepPriority "symbol=BTCUSDT&origClientOrderId=cr1&newQty=0.001")" = 200 ] && grep -q "\"amendedOrder\":{.*\"qty\":\"0.00100000\"" "$tmp/body"'
check "amend cannot increase -2038" '[ "$(call PUT /api/v3/order/amend/keepPriority "symbol=BTCUSDT&origClientOrderId=cr1&newQty=0.005")" = 400 ] && grep -q "\"code\":-2038" "$tmp/body"'
lower=$(awk -v b="$below" 'BEGIN { printf "%.2f", b - 1 }')
check "cancelReplace both succeed" '[ "$(call POST /api/v3/order/cancelReplace "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$lower&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=cr1&newClientOrderId=cr2")" = 200 ] && grep -q "\"cancelResult\":\"SUCCESS\",\"newOrderResult\":\"SUCCESS\"" "$tmp/body"'
check "cancelReplace of a gone order: 400 -2022, new not attempted" '[ "$(call POST /api/v3/order/cancelReplace "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$lower&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=cr1")" = 400 ] && grep -q "\"code\":-2022.*\"newOrderResult\":\"NOT_ATTEMPTED\"" "$tmp/body"'
check "cancelReplace ALLOW_FAILURE: 409 -2021" '[ "$(call POST /api/v3/order/cancelReplace "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$lower&cancelReplaceMode=ALLOW_FAILURE&cancelOrigClientOrderId=cr1&newClientOrderId=cr3")" = 409 ] && grep -q "\"code\":-2021.*\"newOrderResult\":\"SUCCESS\"" "$tmp/body"'
# Binance evaluates a cancelReplace's filters before its cancel: a replacement failing any
# one is refused whole (400 -1013), in either mode, and the order it names stays open
call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below&newClientOrderId=fx1" >/dev/null
fx=$(field orderId)
check "cancelReplace whose new order fails NOTIONAL min, LOT_SIZE step, LOT_SIZE max, NOTIONAL max, PRICE_FILTER: 400 -1013, the order stays NEW" '(for qp in "0.001 1.00 NOTIONAL STOP_ON_FAILURE" "0.000015 $lower LOT_SIZE STOP_ON_FAILURE" "9001 $lower LOT_SIZE ALLOW_FAILURE" "200 $lower NOTIONAL ALLOW_FAILURE" "0.001 1000000000.01 PRICE_FILTER STOP_ON_FAILURE"; do set -- $qp
    [ "$(call POST /api/v3/order/cancelReplace "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=$1&price=$2&cancelReplaceMode=$4&cancelOrderId=$fx")" = 400 ] && grep -q "^{\"code\":-1013,\"msg\":\"Filter failure: $3\"}$" "$tmp/body" || { echo "  ($qp: $(cat "$tmp/body"))"; exit 1; }
    [ "$(call GET /api/v3/order "symbol=BTCUSDT&orderId=$fx")" = 200 ] && [ "$(field status)" = NEW ] || { echo "  ($qp: order $fx $(field status))"; exit 1; }; done)'
# orderId and origClientOrderId together: the order by id, then its client id checked; both must hold
call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below&newClientOrderId=fx2" >/dev/null
check "GET order, orderId of one and origClientOrderId of another: 400 -2039; the matching pair: 200" '[ "$(call GET /api/v3/order "symbol=BTCUSDT&orderId=$fx&origClientOrderId=fx2")" = 400 ] && grep -q "\"code\":-2039,\"msg\":\"Client order ID is not correct for this order ID.\"" "$tmp/body" && [ "$(call GET /api/v3/order "symbol=BTCUSDT&orderId=$fx&origClientOrderId=fx1")" = 200 ] && [ "$(field clientOrderId)" = fx1 ]'
check "DELETE order with a mismatched pair: 400 -2011, nothing canceled" '[ "$(call DELETE /api/v3/order "symbol=BTCUSDT&orderId=$fx&origClientOrderId=fx2")" = 400 ] && grep -q "\"code\":-2011,\"msg\":\"Unknown order sent.\"" "$tmp/body" && [ "$(call GET /api/v3/openOrders "symbol=BTCUSDT")" = 200 ] && grep -q "\"clientOrderId\":\"fx1\"" "$tmp/body" && grep -q "\"clientOrderId\":\"fx2\"" "$tmp/body"'
check "cancelReplace with a mismatched pair: 400 -2022 (cancel -2011, new not attempted), both orders stay" '[ "$(call POST /api/v3/order/cancelReplace "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$lower&cancelReplaceMode=STOP_ON_FAILURE&cancelOrderId=$fx&cancelOrigClientOrderId=fx2")" = 400 ] && grep -q "\"code\":-2022.*\"newOrderResult\":\"NOT_ATTEMPTED\",\"cancelResponse\":{\"code\":-2011," "$tmp/body" && [ "$(call GET /api/v3/order "symbol=BTCUSDT&orderId=$fx")" = 200 ] && [ "$(field status)" = NEW ] && [ "$(call GET /api/v3/order "symbol=BTCUSDT&origClientOrderId=fx2")" = 200 ] && [ "$(field status)" = NEW ]'
check "orderId=0 is sent, and names no order: DELETE -2011, GET -2013 (not -1102)" '[ "$(call DELETE /api/v3/order "symbol=BTCUSDT&orderId=0")" = 400 ] && grep -q "\"code\":-2011" "$tmp/body" && [ "$(call GET /api/v3/order "symbol=BTCUSDT&orderId=0")" = 400 ] && grep -q "\"code\":-2013" "$tmp/body"'
check "recvWindow: -1 is -1100 (range 0 to 60000), 60001 -1131, 0 legal (a request stamped before now is late: -1021), 60000 fine" '[ "$(call GET /api/v3/account "recvWindow=-1")" = 400 ] && grep -q "\"code\":-1100,.*legal range is .0. to .60000." "$tmp/body" && [ "$(call GET /api/v3/account "recvWindow=60001")" = 400 ] && grep -q "\"code\":-1131" "$tmp/body" && [ "$(call GET /api/v3/account "recvWindow=0")" = 400 ] && grep -q "\"code\":-1021" "$tmp/body" && [ "$(call GET /api/v3/account "recvWindow=60000")" = 200 ]'
call DELETE /api/v3/openOrders "symbol=BTCUSDT" >/dev/null

# ---- WebSocket API ----
wsreq() { # method id params-json-object-without-braces (no signature) -> signed request with apiKey (HMAC)
  local m=$1 id=$2 extra=$3 ts; ts=$(ms)
  local pl; pl=$(printf '%s' "apiKey=$key${extra:+&$4}&timestamp=$ts")
  printf '{"id":%s,"method":"%s","params":{"apiKey":"%s",%s"timestamp":%s,"signature":"%s"}}' "$id" "$m" "$key" "${extra:+$extra,}" "$ts" "$(hmac "$pl")"; }
"$probe" "$port" /ws-api/v3 3 '{"id":1,"method":"ping"}' '{"id":"t","method":"time"}' '{"id":3,"method":"session.status"}' > "$tmp/api" 2>&1
check "ws-api ping" 'grep -q "^{\"id\":1,\"status\":200,\"result\":{},\"rateLimits\":\[" "$tmp/api"'
check "ws-api time" 'grep -q "^{\"id\":\"t\",\"status\":200,\"result\":{\"serverTime\":" "$tmp/api"'
check "ws-api session.status before logon" 'grep -q "\"apiKey\":null" "$tmp/api"'
"$probe" "$port" "/ws-api/v3?returnRateLimits=false" 3 '{"id":1,"method":"v3/ping"}' '{"id":2,"method":"ping"}xyz' '{"id":3,"method":"time","params":{"returnRateLimits":true}}' > "$tmp/api2" 2>&1
check "ws-api: v3/ping, returnRateLimits (URL and params), trailing text refused" 'grep -q "^{\"id\":1,\"status\":200,\"result\":{}}$" "$tmp/api2" && grep -q "^{\"id\":2,\"status\":400," "$tmp/api2" && grep -q "^{\"id\":3,\"status\":200,.*\"rateLimits\":\[" "$tmp/api2"'
# market data over the WebSocket API: the REST handlers, params for the query string, REST weights
"$probe" "$port" /ws-api/v3 5 '{"id":40,"method":"depth","params":{"symbol":"BTCUSDT","limit":3}}' \
    '{"id":41,"method":"ticker.24hr","params":{"symbols":["BTCUSDT"],"type":"MINI"}}' '{"id":42,"method":"klines","params":{"symbol":"BTCUSDT","interval":"1m","limit":1}}' \
    '{"id":43,"method":"trades.aggregate","params":{"symbol":"BTCUSDT","limit":2}}' '{"id":44,"method":"depth","params":{"symbol":"ETHBTC"}}' > "$tmp/wsmd" 2>&1
check "ws-api depth, ticker.24hr (symbols list), klines, trades.aggregate; -1121" '[ $(grep "^{\"id\":40,\"status\":200,\"result\":{\"lastUpdateId\":[0-9]*,\"bids\":\[\[" "$tmp/wsmd" | grep -o "\[\"" | wc -l) = 6 ] && grep -q "^{\"id\":41,\"status\":200,\"result\":\[{\"symbol\":\"BTCUSDT\",\"openPrice\"" "$tmp/wsmd" && grep -q "^{\"id\":42,\"status\":200,\"result\":\[\[[0-9]*,\"" "$tmp/wsmd" && grep -q "^{\"id\":43,\"status\":200,\"result\":\[{\"a\":" "$tmp/wsmd" && grep -q "^{\"id\":44,\"status\":400,\"error\":{\"code\":-1121" "$tmp/wsmd"'
# a signed account.status (HMAC, sorted params)
"$probe" "$port" /ws-api/v3 1 "$(wsreq account.status 5 '')" > "$tmp/api" 2>&1
check "ws-api signed account.status" 'grep -q "^{\"id\":5,\"status\":200,\"result\":{\"makerCommission\"" "$tmp/api"'
ts=$(ms); bad="{\"id\":6,\"method\":\"account.status\",\"params\":{\"apiKey\":\"$key\",\"timestamp\":$ts,\"signature\":\"00\"}}"
"$probe" "$port" /ws-api/v3 1 "$bad" > "$tmp/api" 2>&1
check "ws-api bad signature -1022" 'grep -q "\"status\":400,\"error\":{\"code\":-1022" "$tmp/api"'
# the documented known answer: params sorted, raw
# session.logon with Ed25519, then unsigned requests on the session, the user data stream, an order
ts=$(ms); pl="apiKey=$edkey&timestamp=$ts"; printf '%s' "$pl" > "$tmp/pl"
edsig=$(openssl pkeyutl -sign -inkey "$src/examples/demo-ed25519-private.pem" -rawin -in "$tmp/pl" | base64 -w0)
logon="{\"id\":10,\"method\":\"session.logon\",\"params\":{\"apiKey\":\"$edkey\",\"timestamp\":$ts,\"signature\":\"$edsig\"}}"
sub='{"id":11,"method":"userDataStream.subscribe"}'
place="{\"id\":12,\"method\":\"order.place\",\"params\":{\"symbol\":\"BTCUSDT\",\"side\":\"BUY\",\"type\":\"LIMIT_MAKER\",\"quantity\":\"0.001\",\"price\":\"$below\",\"newClientOrderId\":\"w1\",\"timestamp\":$(ms)}}"
amend="{\"id\":14,\"method\":\"order.amend.keepPriority\",\"params\":{\"symbol\":\"BTCUSDT\",\"origClientOrderId\":\"w1\",\"newClientOrderId\":\"w2\",\"newQty\":\"0.0005\",\"timestamp\":$(ms)}}"
cancel="{\"id\":13,\"method\":\"order.cancel\",\"params\":{\"symbol\":\"BTCUSDT\",\"origClientOrderId\":\"w2\",\"newClientOrderId\":\"wc\",\"timestamp\":$(ms)}}"
"$probe" "$port" /ws-api/v3 12 "$logon" "$sub" "$place" "$amend" "$cancel" > "$tmp/ud" 2>&1
check "session.logon (Ed25519)" 'grep -q "^{\"id\":10,\"status\":200,\"result\":{\"apiKey\":\"$edkey\"" "$tmp/ud"'
check "userDataStream.subscribe" 'grep -q "^{\"id\":11,\"status\":200,\"result\":{\"subscriptionId\":0}" "$tmp/ud"'
check "order.place on the session" 'grep -q "^{\"id\":12,\"status\":200,\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":[0-9]*,\"orderListId\":-1,\"clientOrderId\":\"w1\"" "$tmp/ud"'
check "executionReport NEW pushed" 'grep -q "^{\"subscriptionId\":0,\"event\":{\"e\":\"executionReport\".*\"c\":\"w1\".*\"x\":\"NEW\",\"X\":\"NEW\"" "$tmp/ud"'
check "outboundAccountPosition pushed" 'grep -q "^{\"subscriptionId\":0,\"event\":{\"e\":\"outboundAccountPosition\"" "$tmp/ud"'
check "order.cancel and its executionReport" 'grep -q "^{\"id\":13,\"status\":200" "$tmp/ud" && grep -q "\"x\":\"CANCELED\",\"X\":\"CANCELED\"" "$tmp/ud"'
check "an amend is an executionReport REPLACED under the new client id" 'grep -q "^{\"id\":14,\"status\":200" "$tmp/ud" && grep -q "\"e\":\"executionReport\".*\"c\":\"w2\".*\"q\":\"0.00050000\".*\"x\":\"REPLACED\"" "$tmp/ud"'
check "a cancel's executionReport: c is the cancel's id, C the order's" 'grep -q "\"c\":\"wc\".*\"C\":\"w2\",\"x\":\"CANCELED\"" "$tmp/ud"'

# order.cancelReplace is the REST handler: a replacement failing NOTIONAL is refused before the cancel
ts=$(ms); pl="apiKey=$edkey&timestamp=$ts"; printf '%s' "$pl" > "$tmp/pl"
edsig=$(openssl pkeyutl -sign -inkey "$src/examples/demo-ed25519-private.pem" -rawin -in "$tmp/pl" | base64 -w0)
"$probe" "$port" /ws-api/v3 5 "{\"id\":30,\"method\":\"session.logon\",\"params\":{\"apiKey\":\"$edkey\",\"timestamp\":$ts,\"signature\":\"$edsig\"}}" \
    "{\"id\":31,\"method\":\"order.place\",\"params\":{\"symbol\":\"BTCUSDT\",\"side\":\"BUY\",\"type\":\"LIMIT\",\"timeInForce\":\"GTC\",\"quantity\":\"0.001\",\"price\":\"$below\",\"newClientOrderId\":\"wf1\",\"timestamp\":$(ms)}}" \
    "{\"id\":32,\"method\":\"order.cancelReplace\",\"params\":{\"symbol\":\"BTCUSDT\",\"cancelReplaceMode\":\"STOP_ON_FAILURE\",\"cancelOrigClientOrderId\":\"wf1\",\"side\":\"BUY\",\"type\":\"LIMIT\",\"timeInForce\":\"GTC\",\"quantity\":\"0.001\",\"price\":\"1.00\",\"timestamp\":$(ms)}}" \
    "{\"id\":33,\"method\":\"order.status\",\"params\":{\"symbol\":\"BTCUSDT\",\"origClientOrderId\":\"wf1\",\"timestamp\":$(ms)}}" \
    "{\"id\":34,\"method\":\"order.cancel\",\"params\":{\"symbol\":\"BTCUSDT\",\"origClientOrderId\":\"wf1\",\"timestamp\":$(ms)}}" > "$tmp/wscr" 2>&1
check "ws-api order.cancelReplace failing NOTIONAL: 400 -1013, the order stays NEW" 'grep -q "^{\"id\":31,\"status\":200" "$tmp/wscr" && grep -q "^{\"id\":32,\"status\":400,\"error\":{\"code\":-1013,\"msg\":\"Filter failure: NOTIONAL\"}" "$tmp/wscr" && grep -q "^{\"id\":33,\"status\":200,\"result\":{.*\"status\":\"NEW\"" "$tmp/wscr" && grep -q "^{\"id\":34,\"status\":200" "$tmp/wscr"'

# ending subscriptions: session.logout ends the session's own, unsubscribe the rest; each with eventStreamTerminated
ts=$(ms); pl="apiKey=$edkey&timestamp=$ts"; printf '%s' "$pl" > "$tmp/pl" # a fresh logon: the last may be past its recvWindow
edsig=$(openssl pkeyutl -sign -inkey "$src/examples/demo-ed25519-private.pem" -rawin -in "$tmp/pl" | base64 -w0)
logon="{\"id\":10,\"method\":\"session.logon\",\"params\":{\"apiKey\":\"$edkey\",\"timestamp\":$ts,\"signature\":\"$edsig\"}}"
"$probe" "$port" /ws-api/v3 7 "$logon" "$sub" "$(wsreq userDataStream.subscribe.signature 14 '')" \
    '{"id":15,"method":"session.logout"}' '{"id":16,"method":"userDataStream.unsubscribe"}' > "$tmp/term" 2>&1
check "session.logout ends the session's subscription with eventStreamTerminated" 'grep -q "^{\"subscriptionId\":0,\"event\":{\"e\":\"eventStreamTerminated\",\"E\":[0-9]*}}$" "$tmp/term" && grep -q "^{\"id\":15,\"status\":200" "$tmp/term"'
check "... and userDataStream.unsubscribe the signed one" 'grep -q "^{\"subscriptionId\":1,\"event\":{\"e\":\"eventStreamTerminated\"" "$tmp/term" && grep -q "^{\"id\":16,\"status\":200" "$tmp/term" && [ $(grep -c eventStreamTerminated "$tmp/term") = 2 ]'
"$probe" "$port" /ws-api/v3 1 "{\"id\":20,\"method\":\"order.status\",\"params\":{\"symbol\":\"BTCUSDT\",\"origClientOrderId\":\"w1\",\"timestamp\":$(ms)}}" > "$tmp/api" 2>&1
check "unsigned request without a session -1102" 'grep -q "\"code\":-1102" "$tmp/api"'
ts=$(ms); pl="apiKey=$key&timestamp=$ts"
"$probe" "$port" /ws-api/v3 1 "{\"id\":21,\"method\":\"session.logon\",\"params\":{\"apiKey\":\"$key\",\"timestamp\":$ts,\"signature\":\"$(hmac "$pl")\"}}" > "$tmp/api" 2>&1
check "session.logon refuses HMAC keys" 'grep -q "\"code\":-4056" "$tmp/api"'
check "rejections are logged" 'grep -q "rejected: POST /api/v3/order: -2010" "$tmp/main.log"'
# hostile input on the WebSocket API: each gets an error answer, the exchange carries on
many=$(for i in $(seq 40); do printf '"k%d":"v",' $i; done)
long=$(head -c 300 /dev/zero | tr '\0' x)
"$probe" "$port" /ws-api/v3 9 'not json' '[]' '{"id":1}' '{"id":2,"method":"order.place","params":[1,2]}' \
    '{"id":3,"method":"order.place","params":{"symbol":{"x":1}}}' "{\"id\":4,\"method\":\"order.place\",\"params\":{${many%,}}}" \
    "{\"id\":5,\"method\":\"order.place\",\"params\":{\"symbol\":\"$long\"}}" '{"id":1e300,"method":"nosuch"}' \
    '{"id":"\"\\","method":"ping"}' > "$tmp/hostile" 2>&1
check "hostile WebSocket API requests: nine error answers" '[ $(grep -c "\"status\":400,\"error\":{\"code\":-1[0-9]*" "$tmp/hostile") = 9 ]'
check "... whose messages are valid JSON strings, and bad ids are refused, not echoed" 'grep -q "\"msg\":\"Malformed request: expected {\\\\\"id\\\\\",\\\\\"method\\\\\"" "$tmp/hostile" && [ $(grep -c "^{\"id\":null,\"status\":400,\"error\":{\"code\":-1000,\"msg\":\"Invalid .id. in JSON request" "$tmp/hostile") = 2 ]'
curl -s -o /dev/null "$base/api/v3/order?symbol=BTCUSDT&x=%00"                  # lws refuses it before any state exists
curl -s -o /dev/null "$base/api/v3/depth?$(printf 'a%d=1&' $(seq 300))symbol=BTCUSDT"  # headers too long
check "... and the exchange still answers (also after a %00 in a URL and oversized headers)" '[ "$(curl -s "$base/api/v3/ping")" = "{}" ]'
check "client order ids outside ^[a-zA-Z0-9-_]{1,36}$: -1100" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below&newClientOrderId=a%22b")" = 400 ] && grep -q "\"code\":-1100,\"msg\":\"Illegal characters found in parameter .newClientOrderId." "$tmp/body"'
# parameters read whole and strictly (the signed payload covers exactly what is acted on)
long=$(head -c 1500 /dev/zero | tr '\0' 'a')
check "a 1.5 KB parameter fails the request, never drops what follows" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&pad=$long&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below")" = 400 ] && grep -q "\"code\":-1100" "$tmp/body"'
check "duplicate parameter -1101" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below")" = 400 ] && grep -q "\"code\":-1101" "$tmp/body"'
check "orderId=9abc, 10e3, 11.5: -1100, no order touched" 'for v in 9abc 10e3 11.5 12%20; do [ "$(call DELETE /api/v3/order "symbol=BTCUSDT&orderId=$v")" = 400 ] && grep -q "\"code\":-1100" "$tmp/body" || exit 1; done'
check "timestamp=1234.5 and timestamp=abc: -1100" 'for v in 1234.5 abc; do qs="symbol=BTCUSDT&timestamp=$v"; [ "$(curl -s -o "$tmp/body" -w "%{http_code}" -H "X-MBX-APIKEY: $key" "$base/api/v3/openOrders?$qs&signature=$(hmac "$qs")")" = 400 ] && grep -q "\"code\":-1100" "$tmp/body" || exit 1; done'
check "nine decimals -1111" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=100.123456789")" = 400 ] && grep -q "\"code\":-1111,\"msg\":\"Parameter .price. has too much precision.\"" "$tmp/body"'
check "invalid newOrderRespType -1100; icebergQty refused" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below&newOrderRespType=FOO")" = 400 ] && grep -q "\"code\":-1100" "$tmp/body" && [ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.002&price=$below&icebergQty=0.001")" = 400 ] && grep -q "Iceberg orders are not supported" "$tmp/body"'
check "order/test computeCommissionRates" '[ "$(call POST /api/v3/order/test "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below&computeCommissionRates=true")" = 200 ] && grep -q "^{\"standardCommissionForOrder\":{\"maker\":\"0.00[0-9]*\",\"taker\"" "$tmp/body"'
# deposits and withdrawals (/admin/balance): balanceUpdate to the account's subscribers
"$probe" "$port" /ws-api/v3 3 "$(wsreq userDataStream.subscribe.signature 30 '')" > "$tmp/bu" 2>&1 &
ppid=$!; sleep 0.5
before=$(curl -s "$base/admin/balance?account=demo")
check "admin balance: a deposit of 250.5 USDT" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -X POST "$base/admin/balance?account=demo&asset=USDT&delta=250.5")" = 200 ]'
wait $ppid
qb() { sed 's/.*"a":"USDT","f":"\([0-9.]*\)".*/\1/'; }
check "balanceUpdate pushed, then the new position" 'grep -q "^{\"subscriptionId\":[0-9]*,\"event\":{\"e\":\"balanceUpdate\",\"E\":[0-9]*,\"a\":\"USDT\",\"d\":\"250.50000000\",\"T\":[0-9]*}}$" "$tmp/bu" && tail -1 "$tmp/bu" | grep -q "outboundAccountPosition"'
check "the free balance moved by exactly 250.5" '[ "$(echo "$before" | qb)" != "" ] && [ "$(awk -v a="$(echo "$before" | qb)" -v b="$(qb < "$tmp/body")" "BEGIN{printf \"%.8f\", b-a}")" = 250.50000000 ]'
check "a withdrawal beyond the free balance is refused -2010" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -X POST "$base/admin/balance?account=demo&asset=BTC&delta=-1000")" = 400 ] && grep -q "\"code\":-2010" "$tmp/body"'
check "a withdrawal" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -X POST "$base/admin/balance?account=demo&asset=USDT&delta=-250.5")" = 200 ] && [ "$(qb < "$tmp/body")" = "$(echo "$before" | qb)" ]'
check "admin balance: unknown account or asset refused" '[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST "$base/admin/balance?account=nobody&asset=USDT&delta=1")" = 400 ] && [ "$(curl -s -o /dev/null -w "%{http_code}" -X POST "$base/admin/balance?account=demo&asset=ETH&delta=1")" = 400 ]'
check "balance changes are logged" 'grep -q "admin: balance of demo: 250.50000000 USDT" "$tmp/main.log" && grep -q "admin: balance of demo: -250.50000000 USDT" "$tmp/main.log"'

check "weight header on every answer" '[ "$(curl -s -D - -o /dev/null "$base/api/v3/ping" | grep -ci "^x-mbx-used-weight-1m: [0-9]")" = 1 ]'
check "order count headers on orders" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below")" = 200 ] && grep -qi "^x-mbx-order-count-10s: [1-9]" "$tmp/h" && grep -qi "^x-mbx-order-count-1d: [1-9]" "$tmp/h"'
call DELETE /api/v3/openOrders "symbol=BTCUSDT" >/dev/null

# ---- fault injection ----
admin() { curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" "$base/admin/faults${2:+?$2}"; }
check "faults: none at start" '[ "$(admin GET)" = 200 ] && grep -q "\"delay_ms\":0,\"unknown_outcome\":0" "$tmp/body"'
check "faults: unknown name refused" '[ "$(admin POST nosuch=1)" = 400 ]'
admin POST delay_ms=400 >/dev/null
t0=$(date +%s%N); curl -s -o /dev/null "$base/api/v3/ping"; t1=$(date +%s%N)
check "delay_ms delays answers" '[ $(( (t1 - t0) / 1000000 )) -ge 380 ]'
t0=$(date +%s%N)
"$probe" "$port" /ws-api/v3 2 '{"id":"d1","method":"ping"}' '{"id":"d2","method":"time"}' > "$tmp/delayed" 2>&1
t1=$(date +%s%N)
check "delay_ms delays WebSocket API answers too, in order" '[ $(( (t1 - t0) / 1000000 )) -ge 380 ] && head -1 "$tmp/delayed" | grep -q "^{\"id\":\"d1\",\"status\":200" && tail -1 "$tmp/delayed" | grep -q "^{\"id\":\"d2\",\"status\":200"'
check "delayed answers are logged" 'grep -q "fault: WebSocket API answer id=\"d1\" (ping) sent after 400 ms" "$tmp/main.log"'
admin DELETE >/dev/null
admin POST unknown_outcome=1 >/dev/null
check "unknown_outcome: 503 -1007" '[ "$(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below&newClientOrderId=uo1")" = 503 ] && grep -q "\"code\":-1007" "$tmp/body"'
check "... while the order was in fact accepted" '[ "$(call GET /api/v3/order "symbol=BTCUSDT&origClientOrderId=uo1")" = 200 ] && [ "$(field status)" = NEW ]'
call DELETE /api/v3/openOrders "symbol=BTCUSDT" >/dev/null
"$probe" "$port" /ws/btcusdt@depth@100ms 40 > "$tmp/gap" 2>&1 &
ppid=$!; sleep 0.3
admin POST skip_diffs=2 >/dev/null
wait $ppid
gaps=$(sed 's/.*"U":\([0-9]*\),"u":\([0-9]*\).*/\1 \2/' "$tmp/gap" | awk 'NR>1 && $1 != prev+1 {g++} {prev=$2} END {print g+0}')
check "skip_diffs: subscribers see a gap" '[ "$gaps" -ge 1 ]'
admin POST storm_s=30 >/dev/null
check "storm_s: 429 to everything" '[ "$(curl -s -o /dev/null -w "%{http_code}" "$base/api/v3/ping")" = 429 ]'
"$probe" "$port" /ws-api/v3 1 '{"id":"s1","method":"ping"}' > "$tmp/storm" 2>&1
check "storm_s: the WebSocket API too, with retryAfter" 'grep -q "^{\"id\":\"s1\",\"status\":429,\"error\":{\"code\":-1003,.*\"data\":{\"serverTime\":[0-9]*,\"retryAfter\":[0-9]*}}" "$tmp/storm"'
admin DELETE >/dev/null
check "clearing ends the storm" '[ "$(curl -s -o /dev/null -w "%{http_code}" "$base/api/v3/ping")" = 200 ]'
admin POST skew_ms=-10000 >/dev/null
check "skew_ms: the exchange's clock is off, timestamps fail -1021" '[ "$(call GET /api/v3/account "")" = 400 ] && grep -q "\"code\":-1021" "$tmp/body"'
# a clock fault alone: the replay keeps its pace (it stalled for the skew's length when the
# clock went back; ws_probe gives up after 10 s)
admin POST skew_ms=-30000 >/dev/null
"$probe" "$port" /ws/btcusdt@bookTicker 5 > "$tmp/skewbt" 2>&1; skrc=$?
check "skew_ms back 30 s: the market goes on (bookTickers within the probe's 10 s)" '[ $skrc -eq 0 ] && [ "$(grep -c "\"u\":" "$tmp/skewbt")" = 5 ]'
admin DELETE >/dev/null
"$probe" "$port" /ws/btcusdt@trade 100000 > /dev/null 2>&1 &
ppid=$!; sleep 0.5
admin POST drop=1 >/dev/null
sleep 1
check "drop=1 closes WebSocket connections" '! kill -0 $ppid 2>/dev/null'
check "every fault is logged" '[ $(grep -c "fault:" "$tmp/main.log") -ge 8 ]'

# ---- the retired listenKey user data stream ----
check "POST userDataStream gives a listenKey" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -X POST -H "X-MBX-APIKEY: $key" "$base/api/v3/userDataStream")" = 200 ] && grep -q "^{\"listenKey\":\"[A-Za-z0-9]\{60\}\"}$" "$tmp/body"'
lk=$(sed 's/.*"listenKey":"\([^"]*\)".*/\1/' "$tmp/body")
"$probe" "$port" "/ws/$lk" 2 > "$tmp/lk" 2>&1 &
ppid=$!; sleep 0.5
call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below&newClientOrderId=lk1" >/dev/null
wait $ppid
check "listenKey stream carries raw executionReports" 'grep -q "^{\"e\":\"executionReport\".*\"c\":\"lk1\"" "$tmp/lk" && grep -q "^{\"e\":\"outboundAccountPosition\"" "$tmp/lk"'
check "PUT keeps it alive" '[ "$(curl -s -o /dev/null -w "%{http_code}" -X PUT -H "X-MBX-APIKEY: $key" "$base/api/v3/userDataStream?listenKey=$lk")" = 200 ]'
check "DELETE closes it" '[ "$(curl -s -o /dev/null -w "%{http_code}" -X DELETE -H "X-MBX-APIKEY: $key" "$base/api/v3/userDataStream?listenKey=$lk")" = 200 ] && [ "$(curl -s -o "$tmp/body" -w "%{http_code}" -X PUT -H "X-MBX-APIKEY: $key" "$base/api/v3/userDataStream?listenKey=$lk")" = 400 ] && grep -q "\"code\":-1125" "$tmp/body"'
call DELETE /api/v3/openOrders "symbol=BTCUSDT" >/dev/null

# ---- ticker/24hr against the trades it sums: a short synthetic market replayed to its end ----
"$q" synth --seconds 20 --seed 7 -o "$tmp/short.gz" 2>/dev/null
"$q" exchange -c "$ini" --port 0 --port-file "$tmp/short.port" --speed 1000 "$tmp/short.gz" 2>"$tmp/short.log" &
short_pid=$!
for _ in $(seq 300); do [ -s "$tmp/short.port" ] && break; sleep 0.1; done
sbase="http://127.0.0.1:$(cat "$tmp/short.port")"; sleep 1
curl -s "$sbase/api/v3/ticker/24hr?symbol=BTCUSDT" > "$tmp/t24"
curl -s "$sbase/api/v3/trades?symbol=BTCUSDT&limit=1000" > "$tmp/trades"
tf() { sed 's/.*"'"$1"'":"*\([-0-9.]*\)"*[,}].*/\1/' "$tmp/t24"; }
sums=$(tr '{' '\n' < "$tmp/trades" | sed -n 's/.*"id":\([0-9]*\),"price":"\([0-9.]*\)","qty":"\([0-9.]*\)","quoteQty":"\([0-9.]*\)".*/\1 \2 \3 \4/p' |
  awk 'NR==1 {first=$1; open=$2; hi=$2; lo=$2} {n++; v+=$3; qv+=$4; last=$2; lastid=$1; if ($2>hi) hi=$2; if ($2<lo) lo=$2}
       END {printf "%d %d %d %.8f %.8f %.8f %.8f %.8f %.8f", n, first, lastid, v, qv, open, hi, lo, last}')
mine=$(printf '%d %d %d %.8f %.8f %.8f %.8f %.8f %.8f' "$(tf count)" "$(tf firstId)" "$(tf lastId)" "$(tf volume)" "$(tf quoteVolume)" "$(tf openPrice)" "$(tf highPrice)" "$(tf lowPrice)" "$(tf lastPrice)")
check "ticker/24hr sums the trades exactly (count ids volume quoteVolume open high low last: $mine)" '[ "$(echo "$sums" | cut -d" " -f1)" -gt 10 ] && [ "$(echo "$sums" | cut -d" " -f1)" -lt 1000 ] && [ "$sums" = "$mine" ]'
check "ticker/24hr: priceChange = last - open, and the top of book" '[ "$(awk -v a="$(tf lastPrice)" -v b="$(tf openPrice)" "BEGIN{printf \"%.8f\", a-b}")" = "$(printf "%.8f" "$(tf priceChange)")" ] && grep -q "\"bidPrice\":\"[0-9]*\.[0-9]\{8\}\",\"bidQty\"" "$tmp/t24"'
check "ticker/24hr: no symbol or symbols=[..] gives a list; type=MINI the short form" '[ "$(curl -s "$sbase/api/v3/ticker/24hr" | cut -c1-11)" = "[{\"symbol\":" ] && [ "$(curl -s -G "$sbase/api/v3/ticker/24hr" --data-urlencode "symbols=[\"BTCUSDT\"]" | cut -c1-11)" = "[{\"symbol\":" ] && curl -s "$sbase/api/v3/ticker/24hr?symbol=BTCUSDT&type=MINI" | grep -q "^{\"symbol\":\"BTCUSDT\",\"openPrice\":\"[0-9.]*\",\"highPrice\".*\"count\":[0-9]*}$"'
check "ticker/24hr: unknown symbol -1121, weight 2 with a symbol and 80 without" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" "$sbase/api/v3/ticker/24hr?symbol=ETHBTC")" = 400 ] && grep -q "\"code\":-1121" "$tmp/body" && w1=$(curl -s -D - -o /dev/null "$sbase/api/v3/ticker/24hr?symbol=BTCUSDT" | tr -d "\r" | sed -n "s/^x-mbx-used-weight-1m: //Ip") && w2=$(curl -s -D - -o /dev/null "$sbase/api/v3/ticker/24hr" | tr -d "\r" | sed -n "s/^x-mbx-used-weight-1m: //Ip") && [ $((w2 - w1)) = 80 ]'
curl -s "$sbase/api/v3/klines?symbol=BTCUSDT&interval=1m" > "$tmp/kl"
kl=$(sed 's/^\[\[//; s/\]\]$//; s/\],\[/\n/g' "$tmp/kl" | tr -d '"' |
  awk -F, 'NR==1 {o=$2; hi=$3; lo=$4} {if ($3>hi) hi=$3; if ($4<lo) lo=$4; c=$5; v+=$6; q+=$8; n+=$9}
       END {printf "%d %.8f %.8f %.8f %.8f %.8f %.8f", n, v, q, o, hi, lo, c}')
mine=$(printf '%d %.8f %.8f %.8f %.8f %.8f %.8f' "$(tf count)" "$(tf volume)" "$(tf quoteVolume)" "$(tf openPrice)" "$(tf highPrice)" "$(tf lowPrice)" "$(tf lastPrice)")
check "klines 1m add up to the 24 h ticker (trades volume quote open high low close: $kl)" '[ "$kl" = "$mine" ]'
check "klines: 1h and 1d cover the same trades; a bad interval is -1120" '[ "$(curl -s "$sbase/api/v3/klines?symbol=BTCUSDT&interval=1d" | sed "s/.*,\"\([0-9.]*\)\",\([0-9]*\),\"[0-9.]*\",\"[0-9.]*\",\"0\"\]\]$/\2/")" = "$(tf count)" ] && [ "$(curl -s -o "$tmp/body" -w "%{http_code}" "$sbase/api/v3/klines?symbol=BTCUSDT&interval=7m")" = 400 ] && grep -q "\"code\":-1120" "$tmp/body"'
check "avgPrice (5 min) and ticker/price" 'curl -s "$sbase/api/v3/avgPrice?symbol=BTCUSDT" | grep -q "^{\"mins\":5,\"price\":\"[0-9]*\.[0-9]\{8\}\",\"closeTime\":[0-9]*}$" && [ "$(curl -s "$sbase/api/v3/ticker/price?symbol=BTCUSDT")" = "{\"symbol\":\"BTCUSDT\",\"price\":\"$(tf lastPrice)\"}" ]'
curl -s "$sbase/api/v3/aggTrades?symbol=BTCUSDT&limit=1000" > "$tmp/agg"
ids() { tr '{' '\n' < "$1" | sed -n "s/^\"$2\":\([0-9]*\),.*/\1/p"; }
check "aggTrades: one per trade, the same ids, prices and quantities" '[ "$(ids "$tmp/agg" a | tr "\n" " ")" = "$(ids "$tmp/trades" id | tr "\n" " ")" ] && [ "$(tr "{" "\n" < "$tmp/agg" | sed -n "s/.*\"p\":\"\([0-9.]*\)\",\"q\":\"\([0-9.]*\)\".*/\1 \2/p" | md5sum)" = "$(tr "{" "\n" < "$tmp/trades" | sed -n "s/.*\"price\":\"\([0-9.]*\)\",\"qty\":\"\([0-9.]*\)\".*/\1 \2/p" | md5sum)" ]'
third=$(ids "$tmp/agg" a | sed -n 3p)
check "aggTrades: fromId and limit" '[ "$(curl -s "$sbase/api/v3/aggTrades?symbol=BTCUSDT&fromId=$third&limit=2" | tr "{" "\n" | sed -n "s/^\"a\":\([0-9]*\),.*/\1/p" | xargs)" = "$third $((third + 1))" ]'
kill -INT $short_pid; wait $short_pid

# ---- rate limits, on a second exchange with small ones ----
start_exchange limits -c "$ini" --set exchange.weight_per_minute=30 --set exchange.orders_per_10s=3 \
    --set exchange.ban_seconds=3 --speed 5
base2="http://127.0.0.1:$limits_port"; sleep 0.5
now_s=$(date +%S | sed 's/^0//'); [ "$now_s" -ge 50 ] && sleep $((61 - now_s))   # stay inside one minute window
code1=$(curl -s -o /dev/null -w '%{http_code}' "$base2/api/v3/exchangeInfo")
code2=$(curl -s -D "$tmp/h2" -o "$tmp/body" -w '%{http_code}' "$base2/api/v3/exchangeInfo")
check "weight limit: 429 -1003 with Retry-After" '[ "$code1" = 200 ] && [ "$code2" = 429 ] && grep -q "\"code\":-1003" "$tmp/body" && grep -qi "^retry-after: [0-9]" "$tmp/h2"'
for i in $(seq 11); do curl -s -o /dev/null "$base2/api/v3/exchangeInfo"; done
check "keeps going: 418 ban" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" "$base2/api/v3/ping")" = 418 ] && grep -q "IP banned until" "$tmp/body"'
check "429s and bans are logged" 'grep -q "429 weight limit" "$tmp/limits.log" && grep -q "418 banned" "$tmp/limits.log"'
kill -INT $limits_pid; wait $limits_pid
# connection age limit and serverShutdown, on an instance with a 2 s limit
start_exchange aged -c "$ini" --set exchange.max_connection_s=2 --speed 5
start=$(date +%s)
"$probe" "$aged_port" /ws/btcusdt@trade 100000 > /dev/null 2>&1
check "connections close at the age limit" '[ $(( $(date +%s) - start )) -le 5 ] && grep -q "connection age limit" "$tmp/aged.log"'
( sleep 1; kill -INT $aged_pid ) &
"$probe" "$aged_port" /ws/btcusdt@trade 100000 > "$tmp/shut" 2>&1
check "serverShutdown before a planned close" 'grep -q "^{\"e\":\"serverShutdown\",\"E\":[0-9]*}$" "$tmp/shut"'
wait $aged_pid
# order counts: 3 per 10 s on a fresh instance
start_exchange orders -c "$ini" --set exchange.orders_per_10s=3 --speed 5
base_saved=$base; base="http://127.0.0.1:$orders_port"; sleep 0.5
now_s=$(date +%S | sed 's/^0//'); [ $((now_s % 10)) -ge 7 ] && sleep $((10 - now_s % 10))  # stay inside one 10 s window
codes=""
for i in 1 2 3 4; do codes="$codes $(call POST /api/v3/order "" "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$below")"; done
check "ORDERS 10 s limit: the 4th is 429 -1015 ($codes)" '[ "$codes" = " 200 200 200 429" ] && grep -q "\"code\":-1015" "$tmp/body"'
kill -INT $orders_pid; wait $orders_pid
base=$base_saved
# RAW_REQUESTS: every request counts, whatever its weight (5 per 5 minutes here)
start_exchange raw -c "$ini" --set exchange.raw_requests_per_5m=5 --set exchange.connections_per_5m=2 --speed 5
now_s=$(( $(date +%s) % 300 )); [ $now_s -ge 290 ] && sleep $((301 - now_s))  # stay inside one 5-minute window
curl -s "http://127.0.0.1:$raw_port/api/v3/exchangeInfo" > "$tmp/body"
check "exchangeInfo shows the configured RAW_REQUESTS limit" 'grep -q "{\"rateLimitType\":\"RAW_REQUESTS\",\"interval\":\"MINUTE\",\"intervalNum\":5,\"limit\":5}" "$tmp/body"'
codes=""
for i in 1 2 3 4 5; do codes="$codes $(curl -s -o "$tmp/body" -w '%{http_code}' "http://127.0.0.1:$raw_port/api/v3/ping")"; done
check "RAW_REQUESTS limit: the 6th request is 429 -1003 ($codes)" '[ "$codes" = " 200 200 200 200 429" ] && grep -q "\"code\":-1003,\"msg\":\"Too many requests; current limit of IP(127.0.0.1) is 5 requests per 5 MINUTE.\"" "$tmp/body" && grep -q "429 RAW_REQUESTS limit" "$tmp/raw.log"'
# new WebSocket connections per 5 minutes per IP (2 here)
ok=0; for i in 1 2; do "$probe" "$raw_port" /ws/btcusdt@trade 1 > /dev/null 2>&1 && ok=$((ok + 1)); done
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" \
    -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" "http://127.0.0.1:$raw_port/ws/btcusdt@trade")
check "connection limit: the 3rd WebSocket connection in 5 minutes is refused 429 ($ok ok, then $code)" '[ $ok = 2 ] && [ "$code" = 429 ] && grep -q "rejected: WebSocket connection from 127.0.0.1: more than 2 connections in 5 minutes" "$tmp/raw.log"'
kill -INT $raw_pid; wait $raw_pid

kill -INT $pid; wait $pid; rc=$?
check "stops cleanly on SIGINT" '[ $rc = 0 ] && grep -q "exchange stopped" "$tmp/main.log"'

# ==== transport: what lws 4.1.6 lets through (transport.c, server.c) ====
# Raw HTTP and WebSocket bytes over bash's /dev/tcp: connections lws would hold open or close
# without a word, request framing, RFC 6455 frame rules, pings counted, serverShutdown forms.
trap 'kill ${main_pid:-} ${limits_pid:-} ${orders_pid:-} ${aged_pid:-} ${raw_pid:-} ${short_pid:-} ${tp_pid:-} ${tpd_pid:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
trap '' PIPE # a write on a connection the exchange has closed fails; it does not end the script
# a small descriptor limit (100), so that connections held open show
(ulimit -n 100; exec "$q" exchange -c "$ini" --port 0 --port-file "$tmp/tp.port" --speed 5 --loop "${rec[@]}") 2>"$tmp/tp.log" &
tp_pid=$!
for _ in $(seq 300); do [ -s "$tmp/tp.port" ] && break; sleep 0.1; done
tport=$(cat "$tmp/tp.port"); tbase="http://127.0.0.1:$tport"; sleep 0.5
# tp_raw NAME BYTES [SECONDS]: sends BYTES (printf escapes) on a new connection, keeps what comes back
# until the server closes (or SECONDS, 8 by default) in $tmp/NAME, the time it took in ms in $tmp/NAME.ms
tp_raw() { local t0; exec 4<>/dev/tcp/127.0.0.1/$tport; printf "$2" >&4 2>/dev/null; t0=$(date +%s%N)
  timeout "${3:-8}" cat <&4 > "$tmp/$1"; echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$tmp/$1.ms"; exec 4<&-; }
tp_status() { head -1 "$tmp/$1" | cut -d" " -f2; }
tp_ms() { cat "$tmp/$1.ms"; }

tp_raw connect 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'
check "CONNECT is answered 405 and closed (lws made it a raw connection held forever)" '[ "$(tp_status connect)" = 405 ] && grep -q "\"code\":-1000" "$tmp/connect" && [ $(tp_ms connect) -lt 2000 ]'
for i in $(seq 100); do exec {fd}<>/dev/tcp/127.0.0.1/$tport; printf 'CONNECT a:443 HTTP/1.1\r\n\r\n' >&$fd; tp_fds+=($fd); done
check "100 CONNECTs do not lock clients out (the exchange has 100 descriptors)" '[ "$(curl -s -o /dev/null -w "%{http_code}" --max-time 4 "$tbase/api/v3/ping")" = 200 ]'
for fd in "${tp_fds[@]}"; do exec {fd}>&-; done; sleep 1 # (the exchange answers the last ones)
tp_raw foo 'FOO /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n'
check "an unknown method is answered 405 in JSON and closed" '[ "$(tp_status foo)" = 405 ] && grep -q "^{\"code\":-1000,\"msg\":\"Method not allowed.\"}$" "$tmp/foo" && [ $(tp_ms foo) -lt 2000 ]'
tp_raw options 'OPTIONS /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n'
check "OPTIONS is answered 405, and the idle connection closed within 6 s" '[ "$(tp_status options)" = 405 ] && [ $(tp_ms options) -lt 6500 ]'
tp_raw half 'GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n' 12
check "a half-sent request head is closed within 6 s ($(tp_ms half) ms)" '[ $(tp_ms half) -lt 6500 ]'
tp_raw silent '' 12
check "a connection that sends nothing is closed within 6 s ($(tp_ms silent) ms)" '[ $(tp_ms silent) -lt 6500 ]'
tp_raw body 'POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nsymbol=' 12
check "a body that stops coming is closed within 6 s ($(tp_ms body) ms)" '[ $(tp_ms body) -lt 6500 ]'

# request framing: 414, 431, 505, and bodies lws would read wrong
tpget() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }
check "a 9000-byte URI is 414" '[ "$(tpget "$tbase/api/v3/ping?x=$(head -c 9000 /dev/zero | tr "\0" a)")" = 414 ] && grep -q "\"code\":-1000" "$tmp/body"'
check "a 20000-byte path is 414 (lws ran out of header room in the request line)" '[ "$(tpget "$tbase/$(head -c 20000 /dev/zero | tr "\0" a)")" = 414 ]'
check "a URI of 120 short parameters is 414 (more parts than lws indexes)" '[ "$(tpget "$tbase/api/v3/ping?$(for i in $(seq 120); do printf "a%d=1&" $i; done)")" = 414 ]'
check "a 20000-byte header is 431" '[ "$(tpget -H "X-Big: $(head -c 20000 /dev/zero | tr "\0" a)" "$tbase/api/v3/ping")" = 431 ] && grep -q "\"msg\":\"Request header fields too large.\"" "$tmp/body"'
check "a 20000-byte known header (User-Agent) is 431" '[ "$(tpget -A "$(head -c 20000 /dev/zero | tr "\0" a)" "$tbase/api/v3/ping")" = 431 ]'
check "headers under the limit still pass" '[ "$(tpget -H "X-Big: $(head -c 8000 /dev/zero | tr "\0" a)" "$tbase/api/v3/ping")" = 200 ]'
tp_raw v99 'GET /api/v3/ping HTTP/9.9\r\nHost: x\r\n\r\n'
check "HTTP/9.9 is 505 and closed" '[ "$(tp_status v99)" = 505 ] && grep -qi "^connection: close" "$tmp/v99" && [ $(tp_ms v99) -lt 2000 ]'
tp_raw v10 'GET /api/v3/ping HTTP/1.0\r\nHost: x\r\n\r\n'
check "HTTP/1.0 is still served" '[ "$(tp_status v10)" = 200 ]'
base_saved=$base; base=$tbase
tpbelow=$(awk -v b="$(curl -s "$tbase/api/v3/ticker/bookTicker?symbol=BTCUSDT" | sed 's/.*"bidPrice":"\([0-9.]*\)".*/\1/')" 'BEGIN { printf "%.2f", b - 2000 }')
# tp_order ID [curl args]: a signed LIMIT order whose form (body) curl sends, chunked when asked
tp_order() { local b="symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$tpbelow&newClientOrderId=$1&timestamp=$(ms)"
  shift; curl -s -o "$tmp/body" -w '%{http_code}' -H "X-MBX-APIKEY: $key" "$@" --data-binary "$b&signature=$(hmac "$b")" "$tbase/api/v3/order"; }
check "a chunked order form is processed like one with Content-Length" '[ "$(tp_order chunk1 -H "Transfer-Encoding: chunked")" = 200 ] && [ "$(field clientOrderId)" = chunk1 ] && [ "$(field status)" = NEW ] && [ "$(tp_order length1)" = 200 ] && [ "$(field clientOrderId)" = length1 ]'
b="symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=$tpbelow&newClientOrderId=chunk2&timestamp=$(ms)"; f="$b&signature=$(hmac "$b")"
tp_raw chunks "POST /api/v3/order HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: $key\r\nTransfer-Encoding: chunked\r\n\r\n7;ext=1\r\n${f:0:7}\r\n$(printf %X $(( ${#f} - 7 )))\r\n${f:7}\r\n0\r\nX-Trailer: 1\r\n\r\n"
check "chunks of odd sizes, an extension and a trailer" '[ "$(tp_status chunks)" = 200 ] && grep -q "\"clientOrderId\":\"chunk2\"" "$tmp/chunks"'
check "both orders rest" '[ "$(call GET /api/v3/openOrders "symbol=BTCUSDT")" = 200 ] && grep -q "\"clientOrderId\":\"chunk1\"" "$tmp/body" && grep -q "\"clientOrderId\":\"chunk2\"" "$tmp/body" && grep -q "\"clientOrderId\":\"length1\"" "$tmp/body"'
tp_raw badchunk 'POST /api/v3/order HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'
check "a malformed chunk is 400" '[ "$(tp_status badchunk)" = 400 ]'
tp_raw delchunk 'DELETE /api/v3/order HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nx=1\r\n0\r\n\r\n'
check "a chunked body where lws reads none (DELETE) is 411, not parsed as the next request" '[ "$(tp_status delchunk)" = 411 ] && [ $(grep -c "^HTTP/1" "$tmp/delchunk") = 1 ]'
tp_raw te2 'POST /api/v3/order HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nx=1'
tp_raw gz 'POST /api/v3/order HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nx'
check "Transfer-Encoding with Content-Length is 400, another coding 501" '[ "$(tp_status te2)" = 400 ] && [ "$(tp_status gz)" = 501 ]'
tp_raw big "POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n$(head -c 20000 /dev/zero | tr '\0' a)"
check "a body past the room for it is 413 at once, not read to its end" '[ "$(tp_status big)" = 413 ] && [ $(tp_ms big) -lt 2000 ]'
base=$base_saved

# RFC 6455 over /dev/tcp: frames masked with key 0 (their payload goes as is)
tp_ws() { exec 3<>/dev/tcp/127.0.0.1/$tport
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n' "$1" >&3
  local line; while IFS= read -r -t 3 -u 3 line; do [ "$line" = $'\r' ] && break; done; }
# tp_frame FIRST-BYTE PAYLOAD [unmasked]: a client frame (payload in printf escapes, under 126 bytes) as printf escapes
tp_frame() { local n m=128; n=$(printf "$2" | wc -c); [ "${3:-}" = unmasked ] && m=0
  printf '\\x%02x\\x%02x' $1 $((m | n)); [ $m = 128 ] && printf '\\x00\\x00\\x00\\x00'; printf '%s' "$2"; }
# tp_wsread NAME [SECONDS]: what the server sends until it closes, as hex, in $tmp/NAME
tp_wsread() { timeout "${2:-3}" cat <&3 | od -An -v -tx1 | tr -d ' \n' > "$tmp/$1"; exec 3<&-; }
tp_closed_with() { grep -q "88[0-7][0-9a-f]$2" "$tmp/$1"; }  # a close frame with that code (hex)
id7=$(printf '"id":7' | od -An -v -tx1 | tr -d ' \n')  # the answer to the requests below, in hex
tp_ws /ws-api/v3; printf "$(tp_frame 0x81 '{"id":7,"method":"ping"}' unmasked)" >&3; tp_wsread unmasked
check "an unmasked client frame is refused: close 1002, not answered" 'tp_closed_with unmasked 03ea && ! grep -q "$id7" "$tmp/unmasked"'
tp_ws /ws-api/v3; printf "$(tp_frame 0x81 '{"id":7,"method":"ping"}')" >&3; tp_wsread masked 1
check "the same frame masked is answered" 'grep -q "$id7" "$tmp/masked"'
tp_ws /ws-api/v3; printf "$(tp_frame 0x81 '{"id":1,"x":"\xc3\x28"}')" >&3; tp_wsread utf8
check "invalid UTF-8 in a text frame: close 1007" 'tp_closed_with utf8 03ef'
tp_ws /ws-api/v3; printf "$(tp_frame 0x01 '{"id":1,"x":"\xc3')$(tp_frame 0x80 '\x28"}')" >&3; tp_wsread utf8frag
check "invalid UTF-8 across fragments: close 1007" 'tp_closed_with utf8frag 03ef'
tp_ws /ws-api/v3; printf "$(tp_frame 0x01 '{"id":7,"method":"ping","x":"\xc3')$(tp_frame 0x80 '\xa9"}')" >&3; tp_wsread utf8ok 1
check "a character split across fragments is valid: answered" 'grep -q "$id7" "$tmp/utf8ok" && ! tp_closed_with utf8ok 03ef'
tp_ws /ws-api/v3; printf "$(tp_frame 0x88 '\x03\xe8')$(tp_frame 0x81 '{"id":7,"method":"ping"}')" >&3; tp_wsread afterclose
check "a request after the client's close frame (same write) is not answered: only the close echoed" '[ "$(cat "$tmp/afterclose")" = 880203e8 ]'
tp_ws /ws/btcusdt@depth@1000ms; printf "$(for i in 1 2 3 4 5 6; do tp_frame 0x89 ''; done)" >&3; tp_wsread pings
check "6 pings in a second on a market stream: close 1008" 'tp_closed_with pings 03f0'
tp_ws /ws/btcusdt@depth@1000ms; printf "$(for i in 1 2 3 4 5 6; do tp_frame 0x8a ''; done)" >&3; tp_wsread pongs
check "6 empty pongs in a second: close 1008" 'tp_closed_with pongs 03f0'
tp_ws /ws/btcusdt@depth@1000ms; printf "$(for i in 1 2 3 4 5; do tp_frame 0x89 ''; done)" >&3; tp_wsread fivepings 2
# (lws answers one ping of those that come in one read: it drops a ping while a pong waits)
check "5 pings are answered, and the stream goes on" 'grep -q "8a00" "$tmp/fivepings" && ! tp_closed_with fivepings 03f0'
tp_ws /ws-api/v3; printf "$(for i in 1 2 3 4 5 6 7; do tp_frame 0x89 ''; done)" >&3; tp_wsread apipings 1
check "the WebSocket API has no 5 a second rule for pings" '! tp_closed_with apipings 03f0'

# held answers (delay fault) count toward the out-queue limit
"$q" exchange -c "$ini" --port 0 --port-file "$tmp/tpd.port" --fault delay_ms=60000 --speed 5 --loop "${rec[@]}" 2>"$tmp/tpd.log" &
tpd_pid=$!
for _ in $(seq 300); do [ -s "$tmp/tpd.port" ] && break; sleep 0.1; done
mapfile -t tpreqs < <(for i in $(seq 4200); do echo '{"id":1,"method":"time"}'; done)
"$probe" "$(cat "$tmp/tpd.port")" /ws-api/v3 1 "${tpreqs[@]}" > /dev/null 2>&1
check "answers held by the delay fault are bounded like the out-queue" 'grep -q "answers held by the delay fault" "$tmp/tpd.log"'
kill -INT $tpd_pid; wait $tpd_pid

# serverShutdown in the documented forms: raw, combined (wrapped, stream "!serverShutdown"), WebSocket API (event)
"$probe" "$tport" /ws/btcusdt@depth@1000ms 100000 > "$tmp/sd_raw" 2>&1 &
"$probe" "$tport" "/stream?streams=btcusdt@depth@1000ms" 100000 > "$tmp/sd_comb" 2>&1 &
"$probe" "$tport" /ws-api/v3 100000 > "$tmp/sd_api" 2>&1 &
sleep 1.5; kill -TERM $tp_pid; wait $tp_pid; tp_rc=$?; sleep 0.5
check "serverShutdown on a raw stream: raw" 'grep -q "^{\"e\":\"serverShutdown\",\"E\":[0-9]*}$" "$tmp/sd_raw"'
check "serverShutdown on a combined stream: {\"stream\":\"!serverShutdown\",\"data\":{...}}" 'grep -q "^{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":[0-9]*}}$" "$tmp/sd_comb"'
check "serverShutdown on the WebSocket API: {\"event\":{...}}" 'grep -q "^{\"event\":{\"e\":\"serverShutdown\",\"E\":[0-9]*}}$" "$tmp/sd_api"'
check "SIGTERM stops it cleanly" '[ $tp_rc = 0 ] && grep -q "exchange stopped" "$tmp/tp.log"'
echo "exchange: $passes passed, $fails failed"
[ $fails -eq 0 ]
