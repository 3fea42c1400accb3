#!/usr/bin/env bash
# fuzz.sh BUILD DATA: runs every libFuzzer target for a bounded time (FUZZ_SECONDS, default 12;
# FUZZ_SEED, default 1),
# seeded from the shared recordings and the example configs. A crash fails the run and
# leaves the input in BUILD/artifacts/.
set -euo pipefail
build=$1 data=$2
secs=${FUZZ_SECONDS:-12}
# a fixed seed by default, so a run in CI explores what the same run explored here;
# FUZZ_SEED=0 lets libFuzzer pick one (for long hunts)
seed=${FUZZ_SEED:-1}
src=$(cd "$(dirname "$0")/.." && pwd)
corpus=$build/corpus
rm -rf "$corpus"; mkdir -p "$corpus"/{decode,recording,config} "$build/artifacts"

set +o pipefail # head closes pipes early on purpose
recs=("$data"/binance-spot/*.gz)
if [ -f "${recs[0]}" ]; then
  # decode: a spread of real messages of every type, one a file
  zcat "${recs[0]}" | awk 'NR<=8 || NR%500==0' | head -120 | cut -d' ' -f2- |
    split -l 1 - "$corpus/decode/rec_"
  # recording: small real slices, plain and gzip
  zcat "${recs[0]}" | head -30 > "$corpus/recording/head.txt"
  zcat "${recs[0]}" | sed -n '1000,1015p' > "$corpus/recording/mid.txt"
  gzip -c "$corpus/recording/head.txt" > "$corpus/recording/head.gz"
else
  echo "fuzz: shared recordings not found under $data; seeding from the fixtures in the tests only"
fi
for f in "$data"/fixtures/cryptofeed-binance-spot-ws-2021.txt; do
  [ -f "$f" ] && sed -n '2,40p' "$f" | sed 's/^[0-9.]*: //' | split -l 1 - "$corpus/decode/cf_"
done
echo '{"u":1,"s":"BTCUSDT","b":"1.00","B":"1","a":"1.01","A":"1"}' > "$corpus/decode/min_bbo"
# a recording's own exchangeInfo line (issue 10): the fixture on one line, alone and before
# market lines, and again with another minimum notional (the replay compares the two)
ei=$data/fixtures/nautilus-binance-spot-exchange-info-2021.json
if [ -f "$ei" ]; then
  tr -d ' \n' < "$ei" > "$corpus/decode/exinfo"
  { echo "1 $(cat "$corpus/decode/exinfo")"; echo "2 {\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}"
    echo "3 $(sed 's/"minNotional":"10.00000000"/"minNotional":"5.00000000"/' "$corpus/decode/exinfo")"; } > "$corpus/recording/exinfo.txt"
fi
cp "$src"/examples/*.ini "$corpus/config/" 2>/dev/null || true
echo '[strategy]' > "$corpus/config/min.ini"
# rest_params: a flags byte, the query, '\n', the body (see fuzz/fuzz_rest_params.c)
mkdir -p "$corpus/rest_params"
printf '\001symbol=BTCUSDT&side=BUY&type=LIMIT&price=61837.63&timestamp=1700000000000\nquantity=0.00100&signature=ab' \
  > "$corpus/rest_params/order"
printf '\005symbol=BTCUSDT&recvWindow=5000.5&newClientOrderId=my-id_1' > "$corpus/rest_params/ws"
# ws_api: a flags byte, then one request a line; "!" M PARAMS and "#" M PARAMS are signed by the
# target (HMAC, Ed25519) for its method number M (see fuzz/fuzz_ws_api.c: 0 order.place, 2 cancel,
# 3 status, 6 account.status, 14 userDataStream.subscribe.signature, 41 = ')' session.logon)
mkdir -p "$corpus/ws_api"
printf '\000{"id":1,"method":"ping"}\n{"id":"a-1","method":"time"}\n{"id":3,"method":"depth","params":{"symbol":"BTCUSDT","limit":5}}\n{"id":4,"method":"ticker.book","params":{"symbols":["BTCUSDT"]}}' \
  > "$corpus/ws_api/market"
printf '\000!\000symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&price=59999.99&quantity=0.01000\n!\003symbol=BTCUSDT&orderId=1\n!\002symbol=BTCUSDT&orderId=1\n!\006omitZeroBalances=true' \
  > "$corpus/ws_api/orders"
printf '\000#)\n{"id":2,"method":"session.status"}\n!\016symbol=BTCUSDT\n{"id":4,"method":"order.place","params":{"symbol":"BTCUSDT","side":"SELL","type":"MARKET","quantity":"0.01000"}}\n{"id":5,"method":"session.logout"}' \
  > "$corpus/ws_api/session"
printf '\000!\000symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&price=59999.00&quantity=0.01000&newClientOrderId=a1\n!\011symbol=BTCUSDT&orderId=1&newQty=0.00500\n!\010symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&price=59998.00&quantity=0.01000&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=a1\n!\004symbol=BTCUSDT\n!\001symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.00100\n!\000symbol=BTCUSDT&side=SELL&type=MARKET&quoteOrderQty=100\n!\007symbol=BTCUSDT\n!\005symbol=BTCUSDT' \
  > "$corpus/ws_api/amend"

# latency: a file as quoter history --latency-csv writes it (see fuzz/fuzz_latency.c)
mkdir -p "$corpus/latency"
printf 'kind,sent_ns,answered_ns,rtt_ns\nplace,1000000000,1010000000,10000000\ncancel,1100000000,1130000000,30000000\nquery,1300000000,1320000000,20000000\n' \
  > "$corpus/latency/three"

# binance: what the WebSocket API answers and pushes, one message a line, and REST answers
# ("@ID STATUS", header lines, an empty line, the body); the request ids are the ones
# fuzz/fuzz_binance.c puts in flight (1, 2 place q1, q2; 3 account; 4 open orders;
# 5 commission; 6 status q1; 7 cancel q2; 8 replace q1 -> q3; 9 cancel all; 10 depth;
# 11 open orders; 12 time; 13 exchangeInfo; 14 subscribe; 15 logon; 16 myTrades q1)
mkdir -p "$corpus/binance"
cat > "$corpus/binance/answers" <<'EOT'
{"id":"1","status":200,"result":{"symbol":"BTCUSDT","orderId":7,"clientOrderId":"q1","transactTime":1}}
{"id":"3","status":200,"result":{"balances":[{"asset":"BTC","free":"1.00000000","locked":"0.00000000"},{"asset":"USDT","free":"99940.00000000","locked":"60.00000000"}]}}
{"id":"4","status":200,"result":[{"symbol":"BTCUSDT","orderId":7,"clientOrderId":"q1","price":"60000.00","origQty":"0.00100000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"NEW","side":"BUY"}]}
{"id":"6","status":200,"result":{"symbol":"BTCUSDT","orderId":7,"clientOrderId":"q1","price":"60000.00","origQty":"0.00100000","executedQty":"0.00100000","cummulativeQuoteQty":"60.00000000","status":"FILLED","side":"BUY"}}
{"id":"7","status":400,"error":{"code":-2011,"msg":"Unknown order sent."}}
{"id":"16","status":200,"result":[{"symbol":"BTCUSDT","id":11,"orderId":7,"price":"60000.00","qty":"0.00100000","commission":"0.00000100","commissionAsset":"BTC","isBuyer":true,"isMaker":true}]}
EOT
cat > "$corpus/binance/events" <<'EOT'
{"subscriptionId":0,"event":{"e":"executionReport","E":1,"s":"BTCUSDT","c":"q1","S":"BUY","o":"LIMIT","x":"TRADE","X":"FILLED","i":7,"l":"0.00100000","z":"0.00100000","L":"60000.00","n":"0.00000100","N":"BTC","t":11,"m":true,"Z":"60.00000000"}}
{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":2,"u":2,"B":[{"a":"BTC","f":"1.00099900","l":"0.00000000"}]}}
{"subscriptionId":0,"event":{"e":"balanceUpdate","E":3,"a":"USDT","d":"-250.50000000","T":3}}
{"id":"2","status":503,"error":{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}}
EOT
# REST: an order answer (with the ORDERS counts), a -1007 error, a 429 with Retry-After
cat > "$corpus/binance/rest_orders" <<'EOT'
@1 200
X-MBX-USED-WEIGHT-1M: 3
X-MBX-ORDER-COUNT-10S: 1
X-MBX-ORDER-COUNT-1D: 1

{"symbol":"BTCUSDT","orderId":7,"orderListId":-1,"clientOrderId":"q1","transactTime":1700000000000}
@2 503
X-MBX-USED-WEIGHT-1M: 4

{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}
@7 429
Retry-After: 7
X-MBX-USED-WEIGHT-1M: 6001

{"code":-1003,"msg":"Too many requests; current limit of IP(127.0.0.1) request weight is 6000 per 1 MINUTE."}
@8 400
x-mbx-used-weight-1m: 5

{"code":-2021,"msg":"Order cancel-replace partially failed.","data":{"cancelResult":"SUCCESS","newOrderResult":"FAILURE","cancelResponse":{"symbol":"BTCUSDT","origClientOrderId":"q1","orderId":7,"status":"CANCELED","price":"60000.00","origQty":"0.00100000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","side":"BUY"},"newOrderResponse":{"code":-2010,"msg":"Order would immediately match and take."}}}
@6 0
EOT
# REST: a sync (the account, then the open orders list), the clock, the symbol's rules
cat > "$corpus/binance/rest_sync" <<'EOT'
@12 200
X-MBX-USED-WEIGHT-1M: 1

{"serverTime":1700000000123}
@13 200
X-MBX-USED-WEIGHT-1M: 21

{"timezone":"UTC","serverTime":1700000000200,"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":100}],"symbols":[{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","filters":[{"filterType":"PRICE_FILTER","minPrice":"0.01","maxPrice":"1000000.00","tickSize":"0.01"},{"filterType":"LOT_SIZE","minQty":"0.00001","maxQty":"9000.00","stepSize":"0.00001"}]}]}
@3 200
X-MBX-USED-WEIGHT-1M: 41

{"makerCommission":10,"takerCommission":10,"canTrade":true,"accountType":"SPOT","balances":[{"asset":"BTC","free":"1.00000000","locked":"0.00000000"},{"asset":"USDT","free":"99940.00000000","locked":"60.00000000"}],"permissions":["SPOT"]}
@4 200
X-MBX-USED-WEIGHT-1M: 47

[{"symbol":"BTCUSDT","orderId":7,"orderListId":-1,"clientOrderId":"q1","price":"60000.00","origQty":"0.00100000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"BUY"},{"symbol":"BTCUSDT","orderId":8,"orderListId":-1,"clientOrderId":"q2","price":"60001.00","origQty":"0.00100000","executedQty":"0.00050000","cummulativeQuoteQty":"30.00050000","status":"PARTIALLY_FILLED","timeInForce":"GTC","type":"LIMIT","side":"SELL"}]
@5 200

{"symbol":"BTCUSDT","standardCommission":{"maker":"0.00100000","taker":"0.00100000","buyer":"0.00000000","seller":"0.00000000"},"taxCommission":{"maker":"0.00000000","taker":"0.00000000","buyer":"0.00000000","seller":"0.00000000"},"discount":{"enabledForAccount":true,"enabledForSymbol":true,"discountAsset":"BNB","discount":"0.75000000"}}
@9 200
X-MBX-USED-WEIGHT-1M: 48

[{"symbol":"BTCUSDT","origClientOrderId":"q2","orderId":8,"orderListId":-1,"clientOrderId":"c9","price":"60001.00","origQty":"0.00100000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"CANCELED","side":"SELL"}]
@11 200

[]
EOT

# exec: executionReports as Binance documents them (user-data-stream.md) and as the exchange
# writes them, bare and in their WebSocket API wrapper (fuzz/fuzz_exec.c)
mkdir -p "$corpus/exec"
doc='{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"NEW","X":"NEW","r":"NONE","i":4293153,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0","N":null,"T":1499405658657,"t":-1,"v":3,"I":8641984,"w":true,"m":false,"M":false,"O":1499405658657,"Z":"0.00000000","Y":"0.00000000","Q":"0.00000000","W":1499405658657,"V":"NONE"}'
trade='{"e":"executionReport","E":1723161254107,"s":"BTCUSDT","c":"q1b","S":"SELL","o":"LIMIT_MAKER","f":"GTC","q":"0.00100000","p":"61824.01000000","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"TRADE","X":"FILLED","r":"NONE","i":12,"l":"0.00100000","z":"0.00100000","L":"61824.01000000","n":"0.06182401","N":"USDT","T":1723161254107,"t":88,"I":25,"w":false,"m":true,"M":false,"O":1723161253000,"Z":"61.82401000","Y":"61.82401000","Q":"0.00000000","W":1723161253000,"V":"EXPIRE_MAKER"}'
printf '%s' "$doc" > "$corpus/exec/doc"
printf '{"subscriptionId":0,"event":%s}' "$trade" > "$corpus/exec/trade"
printf '{"subscriptionId":3,"event":%s}' "${doc/\"x\":\"NEW\",\"X\":\"NEW\"/\"x\":\"EXPIRED\",\"X\":\"EXPIRED\"}" | sed 's/}}$/,"eR":"UNFILLED_IOC_QUANTITY_EXPIRED"}}/' > "$corpus/exec/expired"

set -o pipefail
fail=0
# every target built from fuzz/fuzz_<name>.c, each seeded from $corpus/<name> (empty: from nothing
# but its dictionary)
targets=()
for f in "$src"/fuzz/fuzz_*.c; do t=$(basename "$f" .c); targets+=("${t#fuzz_}"); done
# two at a time: each fuzzer is one process on one core, and the machine has two
run_one() {
  local t=$1 bin=$build/fuzz_$1 dict=$src/fuzz/$1.dict
  mkdir -p "$corpus/$t"
  local args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -seed="$seed"
        -artifact_prefix="$build/artifacts/$t-")
  [ -f "$dict" ] && args+=(-dict="$dict")
  "$bin" "${args[@]}" "$corpus/$t" > "$build/fuzz_$t.log" 2>&1
}
report() {
  local t=$1 rc=$2
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t FAILED; see $build/fuzz_$t.log and $build/artifacts/"; tail -30 "$build/fuzz_$t.log"
    fail=1
  else
    echo "fuzz: $t for ${secs}s: $(grep -E "stat::number_of_executed_units|Done" "$build/fuzz_$t.log" | tr '\n' ' ')"
  fi
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  a=${targets[i]} b=${targets[i+1]:-}
  run_one "$a" & pa=$!
  if [ -n "$b" ]; then run_one "$b" & pb=$!; fi
  ra=0; wait $pa || ra=$?
  report "$a" $ra
  if [ -n "$b" ]; then rb=0; wait $pb || rb=$?; report "$b" $rb; fi
done
exit $fail
