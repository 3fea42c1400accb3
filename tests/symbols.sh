#!/usr/bin/env bash
# symbols.sh QUOTER PROBE DATA: several symbols on one exchange (examples/exchange-symbols.ini):
# BTCUSDT from the shared recording (or synthetic), ETHUSDT and ETHBTC synthetic; market data
# per symbol and for all, streams of several symbols on one connection, orders on each with
# balances shared by asset, open orders across symbols, user data naming the symbol.
set -u
q=$1 probe=$2 data=$3 src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
. "$src/tests/exchange-lib.sh"
trap 'kill ${multi_pid:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
ini=$src/examples/exchange-symbols.ini
[ ${#rec[@]} -gt 0 ] || rec=(synth:BTCUSDT)
start_exchange multi -c "$ini" --speed 5 synth:ETHUSDT synth:ETHBTC
port=$multi_port base="http://127.0.0.1:$port"
check "exchange started with three symbols" '[ -n "$port" ] && grep -q "for BTCUSDT, ETHUSDT, ETHBTC\|for ETHUSDT, ETHBTC, BTCUSDT" "$tmp/multi.log"'
sleep 1
key=$(sed -n 's/^hmac_api_key = //p' "$ini"); secret=$(sed -n 's/^hmac_secret_key = //p' "$ini")
bal() { call GET /api/v3/account "" >/dev/null; sed -n "s/.*{\"asset\":\"$1\",\"free\":\"\([0-9.]*\)\",\"locked\":\"\([0-9.]*\)\"}.*/\1 \2/p" "$tmp/body"; }

# market data: per symbol, a list of some, all
check "exchangeInfo lists the three symbols with their own filters" '[ "$(get /api/v3/exchangeInfo)" = 200 ] && [ $(grep -o "\"symbol\":\"[A-Z]*\"" "$tmp/body" | wc -l) = 3 ] && grep -q "\"symbol\":\"ETHBTC\",\"status\":\"TRADING\",\"baseAsset\":\"ETH\".*\"quoteAsset\":\"BTC\"" "$tmp/body" && grep -q "\"tickSize\":\"0.00001000\"" "$tmp/body"'
check "exchangeInfo?symbols=[ETHUSDT,ETHBTC]: those two" '[ "$(get "/api/v3/exchangeInfo?symbols=%5B%22ETHUSDT%22,%22ETHBTC%22%5D")" = 200 ] && [ $(grep -o "\"symbol\":\"[A-Z]*\"" "$tmp/body" | wc -l) = 2 ]'
check "an unknown symbol in a list -1121" '[ "$(get "/api/v3/ticker/price?symbols=%5B%22ETHUSDT%22,%22NOPE%22%5D")" = 400 ] && grep -q "\"code\":-1121" "$tmp/body"'
check "ticker/price without a symbol: all three" '[ "$(get /api/v3/ticker/price)" = 200 ] && grep -q "^\[{\"symbol\":\"[A-Z]*\",\"price\":\"[0-9.]*\"},{\"symbol\":\"[A-Z]*\",\"price\":\"[0-9.]*\"},{\"symbol\":\"[A-Z]*\",\"price\":\"[0-9.]*\"}\]$" "$tmp/body"'
check "depth of ETHBTC on its own tick" '[ "$(get "/api/v3/depth?symbol=ETHBTC&limit=5")" = 200 ] && grep -q "\"bids\":\[\[\"0.04[0-9]*\"" "$tmp/body"'
# ETHBTC's synthetic sizes are calibrated in USD, not in BTC (they were ~60,000x too large):
# a realistic top level and trade size, and notionals (price*qty, BTC) within its filters
get "/api/v3/depth?symbol=ETHBTC&limit=5" >/dev/null
check "ETHBTC: best levels under 1000 ETH, their notionals within max_notional 9000" 'tr "]" "\n" < "$tmp/body" | sed -n "s/.*\[\"\([0-9.]*\)\",\"\([0-9.]*\)\".*/\1 \2/p" | awk "{ n++; if (\$2 >= 1000 || \$1 * \$2 > 9000) bad++ } END { exit !(n >= 6 && !bad) }"'
get "/api/v3/trades?symbol=ETHBTC&limit=200" >/dev/null
check "ETHBTC: median trade under 10 ETH, every trade's notional within max_notional" 'grep -o "\"qty\":\"[0-9.]*\",\"quoteQty\":\"[0-9.]*\"" "$tmp/body" | sed "s/[^0-9.,]//g" | sort -t, -k1 -g | awk -F, "{ q[++n] = \$1; if (\$2 > 9000) bad++ } END { exit !(n >= 5 && q[int((n + 1) / 2)] < 10 && !bad) }"'
check "bookTicker and 24 h ticker per symbol" '[ "$(get "/api/v3/ticker/bookTicker?symbol=ETHUSDT")" = 200 ] && grep -q "^{\"symbol\":\"ETHUSDT\"" "$tmp/body" && [ "$(get "/api/v3/ticker/24hr?symbols=%5B%22ETHBTC%22%5D")" = 200 ] && grep -q "^\[{\"symbol\":\"ETHBTC\"" "$tmp/body"'

# streams of several symbols on one connection
"$probe" "$port" "/stream?streams=ethusdt@bookTicker/ethbtc@bookTicker" 30 > "$tmp/st" 2>&1
check "a combined stream carries both symbols' events" 'grep -q "^{\"stream\":\"ethusdt@bookTicker\",\"data\":{\"u\":[0-9]*,\"s\":\"ETHUSDT\"" "$tmp/st" && grep -q "^{\"stream\":\"ethbtc@bookTicker\",\"data\":{\"u\":[0-9]*,\"s\":\"ETHBTC\"" "$tmp/st"'
"$probe" "$port" /ws 2 '{"method":"SUBSCRIBE","params":["ethbtc@trade","ethusdt@depth5"],"id":1}' '{"method":"LIST_SUBSCRIPTIONS","id":2}' > "$tmp/ls" 2>&1
check "SUBSCRIBE to two symbols, LIST_SUBSCRIPTIONS names both" 'grep -q "^{\"result\":\[\"ethusdt@depth5\",\"ethbtc@trade\"\],\"id\":2}$" "$tmp/ls"'

# balances per asset, shared by the symbols that trade it
check "account: one balance per asset" '[ "$(bal ETH)" = "10.00000000 0.00000000" ] && [ "$(bal USDT)" = "100000.00000000 0.00000000" ] && [ "$(bal BTC)" = "1.00000000 0.00000000" ]'
check "a buy on ETHUSDT locks USDT" '[ "$(call POST /api/v3/order "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=30&price=2500.00&newClientOrderId=e1")" = 200 ] && [ "$(bal USDT)" = "25000.00000000 75000.00000000" ]'
check "... so BTCUSDT cannot spend that USDT: -2010" '[ "$(call POST /api/v3/order "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.5&price=60000.00")" = 400 ] && grep -q "\"code\":-2010,\"msg\":\"Account has insufficient balance for requested action.\"" "$tmp/body"'
call POST /api/v3/order "symbol=ETHBTC&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.09000&newClientOrderId=x1" >/dev/null
check "openOrders without a symbol: every symbol's" '[ "$(call GET /api/v3/openOrders "")" = 200 ] && grep -q "\"symbol\":\"ETHUSDT\",\"orderId\":[0-9]*,\"orderListId\":-1,\"clientOrderId\":\"e1\"" "$tmp/body" && grep -q "\"symbol\":\"ETHBTC\",\"orderId\":[0-9]*,\"orderListId\":-1,\"clientOrderId\":\"x1\"" "$tmp/body"'
check "openOrders?symbol=ETHBTC: that symbol's" '[ "$(call GET /api/v3/openOrders "symbol=ETHBTC")" = 200 ] && ! grep -q "ETHUSDT" "$tmp/body" && grep -q "\"clientOrderId\":\"x1\"" "$tmp/body"'
check "the ETH a sell on ETHBTC locks is the ETH ETHUSDT sees" '[ "$(bal ETH)" = "9.00000000 1.00000000" ] && [ "$(call POST /api/v3/order "symbol=ETHUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=9.5&price=9000.00")" = 400 ] && grep -q "insufficient balance" "$tmp/body"'
call DELETE /api/v3/openOrders "symbol=ETHBTC" >/dev/null
# a market sell of ETH for BTC: the BTC received, less the commission, both as printed
check "MARKET SELL on ETHBTC fills" '[ "$(call POST /api/v3/order "symbol=ETHBTC&side=SELL&type=MARKET&quantity=1")" = 200 ] && [ "$(field status)" = FILLED ] && grep -q "\"commissionAsset\":\"BTC\"" "$tmp/body"'
cq=$(field cummulativeQuoteQty)
fees=$(grep -o "\"commission\":\"[0-9.]*\"" "$tmp/body" | sed 's/[^0-9.]//g' | paste -sd+ | bc -l)
check "BTC = 1 + quote received - commissions; ETH = 10 - 1 (exact, as printed)" '[ "$(bal BTC | cut -d" " -f1)" = "$(echo "scale=8; (1 + $cq - $fees)/1" | bc -l | sed "s/^\./0./")" ] && [ "$(bal ETH)" = "9.00000000 0.00000000" ]'
check "myTrades per symbol" '[ "$(call GET /api/v3/myTrades "symbol=ETHBTC")" = 200 ] && grep -q "^\[{\"symbol\":\"ETHBTC\"" "$tmp/body" && [ "$(call GET /api/v3/myTrades "symbol=ETHUSDT")" = 200 ] && [ "$(cat "$tmp/body")" = "[]" ]'

# status per symbol
curl -s -X POST "$base/admin/symbol?symbol=ETHBTC&status=CANCEL_ONLY" >/dev/null
check "CANCEL_ONLY on ETHBTC leaves ETHUSDT trading" '[ "$(call POST /api/v3/order "symbol=ETHBTC&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.09000")" = 400 ] && grep -q "Market is closed" "$tmp/body" && [ "$(call POST /api/v3/order "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=2000.00")" = 200 ]'

# user data names the symbol, and the balances that moved
ts=$(ms); pl="apiKey=$key&timestamp=$ts"
subreq="{\"id\":1,\"method\":\"userDataStream.subscribe.signature\",\"params\":{\"apiKey\":\"$key\",\"timestamp\":$ts,\"signature\":\"$(hmac "$pl")\"}}"
ts=$(ms); pl="apiKey=$key&newClientOrderId=u1&price=2000.00&quantity=1&side=BUY&symbol=ETHUSDT&timeInForce=GTC&timestamp=$ts&type=LIMIT"
place="{\"id\":2,\"method\":\"order.place\",\"params\":{\"apiKey\":\"$key\",\"newClientOrderId\":\"u1\",\"price\":\"2000.00\",\"quantity\":\"1\",\"side\":\"BUY\",\"symbol\":\"ETHUSDT\",\"timeInForce\":\"GTC\",\"timestamp\":$ts,\"type\":\"LIMIT\",\"signature\":\"$(hmac "$pl")\"}}"
"$probe" "$port" /ws-api/v3 4 "$subreq" "$place" > "$tmp/ud" 2>&1
check "executionReport names ETHUSDT; outboundAccountPosition shows ETH and USDT" 'grep -q "\"event\":{\"e\":\"executionReport\",\"E\":[0-9]*,\"s\":\"ETHUSDT\",\"c\":\"u1\"" "$tmp/ud" && grep -q "\"event\":{\"e\":\"outboundAccountPosition\",.*\"B\":\[{\"a\":\"ETH\",.*{\"a\":\"USDT\"" "$tmp/ud"'
check "deposits of any asset" '[ "$(curl -s -o "$tmp/body" -w "%{http_code}" -X POST "$base/admin/balance?account=demo&asset=ETH&delta=2.5")" = 200 ] && grep -q "{\"a\":\"ETH\",\"f\":\"11.50000000\"" "$tmp/body"'

echo "symbols: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
