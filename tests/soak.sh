#!/usr/bin/env bash
# soak.sh QUOTER SOAK DATA [SECONDS]: 10 clients on the local exchange for SECONDS (default 120; make test: 70) (see
# tests/soak.c), and the server's memory must not grow while they trade.
set -u
q=$1 soak=$2 data=$3 secs=${4:-120} memcheck=${5:-memcheck}
tmp=$(mktemp -d)
# ten accounts, one per client
{ printf '[market]\nsymbol = BTCUSDT\ntick_size = 0.01\nstep_size = 0.00001\nmin_qty = 0.00001\nmax_qty = 9000\nmin_notional = 5\n'
  for i in $(seq 10); do
    printf '[account c%d]\nhmac_api_key = soakkey%02dxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nhmac_secret_key = soaksecret%02dyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\nbase_balance = 1\nquote_balance = 100000\n' "$i" "$i" "$i"
  done; } > "$tmp/soak.ini"
sed -n 's/^hmac_api_key = //p' "$tmp/soak.ini" > "$tmp/keys_a"; sed -n 's/^hmac_secret_key = //p' "$tmp/soak.ini" > "$tmp/keys_b"
paste -d' ' "$tmp/keys_a" "$tmp/keys_b" > "$tmp/keys"
. "$(dirname "$0")/exchange-lib.sh"
trap 'kill ${ex_pid:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
start_exchange ex -c "$tmp/soak.ini"
pid=$ex_pid port=$ex_port; sleep 1
bt=$(curl -s "http://127.0.0.1:$port/api/v3/ticker/bookTicker?symbol=BTCUSDT")
bid=$(echo "$bt" | sed 's/.*"bidPrice":"\([0-9.]*\)".*/\1/'); ask=$(echo "$bt" | sed 's/.*"askPrice":"\([0-9.]*\)".*/\1/')
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
( sleep $((secs / 4)); rss > "$tmp/rss1"; sleep $((secs / 2)); rss > "$tmp/rss2" ) &
probe=$!
"$soak" "$port" "$secs" "$bid" "$ask" "$tmp/keys"
rc=$?
wait $probe
r1=$(cat "$tmp/rss1"); r2=$(cat "$tmp/rss2")
echo "soak: server memory ${r1} kB at a quarter of the run, ${r2} kB at three quarters"
# (a sanitizer build's allocator keeps freed memory in quarantine: no memory check there)
if [ "$memcheck" = memcheck ] && [ $((r2 - r1)) -gt 8192 ]; then echo "FAIL: the server's memory grew by $((r2 - r1)) kB"; rc=1; fi
exit $rc
