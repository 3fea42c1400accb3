#!/usr/bin/env bash
# hostile.sh QUOTER HOSTILE DATA [CASE...]: hostile input for the local exchange (tests/hostile.c
# sends hand-made HTTP requests and WebSocket frames over raw sockets). Each case runs on its
# own; after each one the exchange must still answer GET /api/v3/ping on a new connection
# within 2 s (a frozen or crashed exchange fails the case and is started again, so that the
# cases after it still say something), and its log must hold no sanitizer "runtime error".
# Prints each check, `FAIL: ...` lines and a summary; exits non-zero on any failure.
set -u
q=$1 h=$2 data=$3; shift 3
tmp=$(mktemp -d)
fails=0 passes=0 failed_cases=""
# accounts: a0-a4 for the single cases, c1-c10 for the ten trading clients (local, made-up keys)
{ printf '[market]\nsymbol = BTCUSDT\ntick_size = 0.01\nstep_size = 0.00001\nmin_qty = 0.00001\nmax_qty = 9000\nmin_notional = 5\nmax_notional = 9000000\n'
  for n in a0 a1 a2 a3 a4 c1 c2 c3 c4 c5 c6 c7 c8 c9 c10; do
    printf '[account %s]\nhmac_api_key = hostilekey%sxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nhmac_secret_key = hostilesecret%syyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\nbase_balance = 1\nquote_balance = 100000\nmaker_fee = 0.001\ntaker_fee = 0.001\n' "$n" "$n" "$n"
  done; } > "$tmp/hostile.ini"
awk '/^\[account / {n=substr($2, 1, length($2)-1)} /^hmac_api_key/ {k=$3} /^hmac_secret_key/ {print n, k, $3}' "$tmp/hostile.ini" > "$tmp/keys"
. "$(dirname "$0")/exchange-lib.sh"
trap 'kill -9 ${cur_pid:-} ${big_pid:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

inst=0
start_main() {
  inst=$((inst + 1))
  start_exchange "main$inst" -c "$tmp/hostile.ini" --speed 20
  local p="main${inst}_pid" o="main${inst}_port"
  cur_pid=${!p} cur_port=${!o} cur_log="$tmp/main$inst.log"
  if [ -z "$cur_port" ]; then echo "FAIL: the exchange did not start"; cat "$cur_log"; exit 1; fi
  sleep 0.5
}

# run_case NAME PID PORT LOG: the case, then the liveness and sanitizer checks
run_case() {
  local name=$1 pid=$2 port=$3 log=$4 rc t0=$SECONDS
  ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 HOSTILE_PID=$pid timeout 120 "$h" "$port" "$tmp/keys" "$name" > "$tmp/out" 2>&1
  rc=$?
  cat "$tmp/out"
  passes=$((passes + $(grep -c '^ok: ' "$tmp/out")))
  local f; f=$(grep -c '^FAIL: ' "$tmp/out")
  if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then echo "FAIL: $name: the client exited $rc (timeout or crash)"; f=$((f + 1)); fi
  if ! "$h" "$port" "$tmp/keys" alive; then
    echo "FAIL: $name: the exchange does not answer GET /api/v3/ping within 2 s after the case$(kill -0 "$pid" 2>/dev/null && echo ' (frozen)' || echo ' (dead)')"
    f=$((f + 1)); dead=1
  fi
  if grep -q "runtime error\|AddressSanitizer" "$log"; then
    echo "FAIL: $name: sanitizer report in the exchange's log:"; grep -m3 -A3 "runtime error\|AddressSanitizer" "$log" | sed 's/^/      /'
    f=$((f + 1)); dead=1
  fi
  fails=$((fails + f))
  [ "$f" -gt 0 ] && failed_cases="$failed_cases $name"
  echo "-- $name: $([ "$f" = 0 ] && echo PASS || echo "FAIL ($f)") in $((SECONDS - t0)) s"
}

cases=("$@")
[ ${#cases[@]} -eq 0 ] && mapfile -t cases < <("$h" list)
start_main
for c in "${cases[@]}"; do
  dead=0
  if [ "$c" = many_orders ] || [ "$c" = slow_reader ]; then
    # their own exchange: many_orders with the ORDERS and weight limits raised; slow_reader
    # with nothing left by the cases before it (it needs the replay's full flow to fill the
    # buffers of the clients that stop reading)
    start_exchange "$c" -c "$tmp/hostile.ini" --speed $([ "$c" = slow_reader ] && echo 20 || echo 5) \
        --set exchange.orders_per_10s=10000000 --set exchange.orders_per_day=100000000 \
        --set exchange.weight_per_minute=10000000 --set exchange.raw_requests_per_5m=100000000
    pv="${c}_pid" pp="${c}_port"; big_pid=${!pv} # (a name of its own: no port file of another)
    sleep 0.5
    run_case "$c" "$big_pid" "${!pp}" "$tmp/$c.log"
    kill -9 "$big_pid" 2>/dev/null; wait "$big_pid" 2>/dev/null; big_pid=
    continue
  fi
  run_case "$c" "$cur_pid" "$cur_port" "$cur_log"
  if [ $dead = 1 ]; then # start a fresh exchange for the cases left
    kill -9 "$cur_pid" 2>/dev/null; wait "$cur_pid" 2>/dev/null
    start_main
  fi
done
kill -INT "$cur_pid" 2>/dev/null
for _ in $(seq 50); do kill -0 "$cur_pid" 2>/dev/null || break; sleep 0.1; done
kill -9 "$cur_pid" 2>/dev/null; wait "$cur_pid" 2>/dev/null
echo "hostile: $passes checks passed, $fails failed${failed_cases:+; failing cases:$failed_cases}"
[ $fails -eq 0 ]
