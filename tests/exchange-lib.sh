# exchange-lib.sh: sourced by the scripts that run `quoter exchange` (exchange.sh, node.sh,
# soak.sh). Needs $q (the quoter binary), $data (the shared data folder) and $tmp.

# the shared BTCUSDT recording, or nothing: the exchange then serves a synthetic market
rec=("$data"/binance-spot/btcusdt_20240808.gz "$data"/binance-spot/btcusdt_20240809.gz)
[ -f "${rec[0]}" ] || rec=()

# start_exchange NAME ARGS...: runs `quoter exchange ARGS` on a free loopback port, replaying
# the recording in a loop, logging to $tmp/NAME.log; waits for it to listen and sets
# NAME_pid and NAME_port.
start_exchange() {
  local name=$1; shift
  "$q" exchange --port 0 --port-file "$tmp/$name.port" --loop "$@" "${rec[@]}" 2>"$tmp/$name.log" &
  printf -v "${name}_pid" '%s' $!
  # up to 30 s: under ASan an exchange that writes two synthetic hours first takes 8 s alone,
  # more on a loaded machine (it failed at 10 s with three suites at once)
  for _ in $(seq 300); do [ -s "$tmp/$name.port" ] && break; sleep 0.1; done
  printf -v "${name}_port" '%s' "$(cat "$tmp/$name.port" 2>/dev/null)"
}

# checks: `check NAME 'CONDITION'` counts a pass, or prints FAIL: NAME and counts a failure
fails=0 passes=0
check() { if eval "$2"; then passes=$((passes+1)); else echo "FAIL: $1"; fails=$((fails+1)); fi; }

# requests, once base, key and secret are set: get PATH; call METHOD PATH QUERY [BODY] signs
# query+body with HMAC and sends the signature in the query; field NAME of the last answer
get() { curl -s -o "$tmp/body" -w '%{http_code}' "$base$1"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
hmac() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$secret" | sed 's/.* //'; }
call() { local m=$1 path=$2 qs="${3:+$3&}timestamp=$(ms)" body=${4:-}
  curl -s -D "$tmp/h" -o "$tmp/body" -w '%{http_code}' -X "$m" -H "X-MBX-APIKEY: $key" ${body:+-d "$body"} "$base$path?$qs&signature=$(hmac "$qs$body")"; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",]*\).*/\1/p" "$tmp/body" | head -1; }

# ---- for the `quoter run` tests (run.sh, run_faults.sh, run_keys.sh, run_journal.sh) ----
# live_exchange NAME ARGS...: the demo account's HMAC key exported for quoter run (key,
# secret, ini set), the exchange started with ARGS, base set; exits when it does not start
live_exchange() {
  local name=$1; shift
  ini=$src/examples/exchange.ini
  key=$(sed -n 's/^hmac_api_key *= *//p' "$ini" | head -1)
  secret=$(sed -n 's/^hmac_secret_key *= *//p' "$ini" | head -1)
  export QUOTER_API_KEY=$key QUOTER_API_SECRET=$secret
  start_exchange "$name" -c "$ini" "$@"
  local port_var="${name}_port"
  base=http://127.0.0.1:${!port_var}
  [ -n "${!port_var}" ] || { echo "FAIL: the exchange did not start"; cat "$tmp/$name.log"; exit 1; }
}
# what the exchange says: our open orders ("[]" when none), an asset's free balance
open_orders() { call GET /api/v3/openOrders "symbol=BTCUSDT" >/dev/null; cat "$tmp/body"; }
free_of() { call GET /api/v3/account "" >/dev/null
  tr '{' '\n' < "$tmp/body" | sed -n "s/.*\"asset\":\"$1\",\"free\":\"\([0-9.]*\)\".*/\1/p"; }
# what a run's report says: ledger_of REPORT 1 (BTC) or 2 (USDT), from its "balances" line
ledger_of() { sed -n "s/^balances *\([0-9.]*\) BTC, \([0-9.]*\) USDT.*/\\$2/p" "$1"; }
