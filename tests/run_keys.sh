#!/usr/bin/env bash
# run_keys.sh QUOTER DATA SRC: `quoter run` with an Ed25519 key (session.logon) against
# `quoter exchange`: it quotes, fills and stops clean; key files readable by others are
# refused; no secret reaches any output; connections closed by the exchange's age limit
# are replaced beforehand (no 'connection lost'); a deposit reaches the venue as a balance;
# a clock that jumps is followed; a serverShutdown notice opens a new connection.
set -u
q=$1 data=$2 src=$3
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
. "$src/tests/exchange-lib.sh"

ini=$src/examples/exchange.ini
key=$(sed -n 's/^hmac_api_key *= *//p' "$ini" | head -1)
secret=$(sed -n 's/^hmac_secret_key *= *//p' "$ini" | head -1)
edkey=$(sed -n 's/^ed25519_api_key *= *//p' "$ini" | head -1)
pem=$tmp/ed.pem
cp "$src/examples/demo-ed25519-private.pem" "$pem"; chmod 600 "$pem"
pembody=$(sed -n 2p "$pem")
printf '%s\n' "$secret" > "$tmp/hmac.secret"; chmod 600 "$tmp/hmac.secret"
# the exchange closes every connection after 5 s (exchange.max_connection_s)
start_exchange ex -c "$ini" --speed 10 --set exchange.max_connection_s=5
base=http://127.0.0.1:$ex_port
[ -n "$ex_port" ] || { echo "FAIL: the exchange did not start"; cat "$tmp/ex.log"; exit 1; }
cfg=(-c "$src/examples/seed.ini" --set strategy.spread=1 --set risk.orders_per_10s=90 --db "$tmp/run.db")

ed() { env -u QUOTER_API_SECRET -u QUOTER_API_SECRET_FILE QUOTER_API_KEY=$edkey QUOTER_PRIVATE_KEY_FILE=$pem "$@"; }

# 1. Ed25519 through several rotations (rotated at 3.5 s, before the exchange's 5 s), with a
#    deposit and a withdrawal that cancel out
ed "$q" run "${cfg[@]}" --endpoint "$base" --seconds 24 --status-interval 3 --max-connection-age 3.5 \
  >"$tmp/ed.out" 2>"$tmp/ed.err" &
pid=$!
sleep 8
curl -s -X POST "$base/admin/balance?account=demo&asset=USDT&delta=10" >/dev/null
sleep 1
curl -s -X POST "$base/admin/balance?account=demo&asset=USDT&delta=-10" >/dev/null
wait $pid; rc=$?
fills=$(sed -n 's/^  count *\([0-9]*\).*/\1/p' "$tmp/ed.out")
echo "ed25519 run: ${fills:-0} fills, $(grep -c "moved to a new connection" "$tmp/ed.err") rotations"
check "ed25519: exit 0" '[ $rc -eq 0 ]'
check "ed25519: logged on with session.logon" 'grep -q "logged on (session.logon, Ed25519)" "$tmp/ed.err"'
check "ed25519: quoted both sides" 'grep -q "ACK .* BUY" "$tmp/ed.err" && grep -q "ACK .* SELL" "$tmp/ed.err"'
check "ed25519: fills by the user data stream" '[ "${fills:-0}" -ge 1 ] && grep -q "^quoter run: FILL" "$tmp/ed.err"'
check "ed25519: confirmed nothing open" 'grep -q "confirms no order of ours is open" "$tmp/ed.err" && [ "$(open_orders)" = "[]" ]'
check "ed25519: ledger equals the account" \
  '[ "$(ledger_of "$tmp/ed.out" 1)" = "$(free_of BTC)" ] && [ "$(ledger_of "$tmp/ed.out" 2)" = "$(free_of USDT)" ]'
check "rotation: the API connection was replaced at least 4 times" '[ $(grep -c "WebSocket API moved to a new connection" "$tmp/ed.err") -ge 4 ]'
check "rotation: the streams were replaced at least 4 times" '[ $(grep -c "streams moved to a new connection" "$tmp/ed.err") -ge 4 ]'
check "rotation: logged on again on each new connection" '[ $(grep -c "logged on" "$tmp/ed.err") -ge 5 ]'
check "rotation: no connection lost, no unhealthy gap" '! grep -q "connection lost" "$tmp/ed.err" && ! grep -q "not healthy" "$tmp/ed.err"'
check "rotation: the exchange did close connections at their age limit" 'grep -q "connection age limit" "$tmp/ex.log"'
check "rotation: quoting went on after the last rotation" \
  '[ -n "$(sed -n "/moved to a new connection ([45] so far)/,\$p" "$tmp/ed.err" | grep "^quoter run: ACK")" ]'
check "balanceUpdate: the deposit and the withdrawal reached the venue" \
  'grep -q "balanceUpdate USDT 10" "$tmp/ed.err" && grep -q "balanceUpdate USDT -10" "$tmp/ed.err"'

# 2. key files: owner only; the message names the file and its mode, never the content
chmod 644 "$pem"
ed "$q" run "${cfg[@]}" --endpoint "$base" --seconds 3 >"$tmp/mode.out" 2>"$tmp/mode.err"; rc=$?
check "a private key file readable by others: exit 2" '[ $rc -eq 2 ]'
check "the message names the file and its mode" 'grep -q "$pem" "$tmp/mode.err" && grep -q "0644" "$tmp/mode.err"'
chmod 640 "$tmp/hmac.secret"
env -u QUOTER_API_SECRET QUOTER_API_KEY=$key QUOTER_API_SECRET_FILE=$tmp/hmac.secret "$q" run "${cfg[@]}" --endpoint "$base" \
  --seconds 3 >"$tmp/mode2.out" 2>"$tmp/mode2.err"; rc=$?
check "an HMAC secret file readable by the group: exit 2, named" '[ $rc -eq 2 ] && grep -q "hmac.secret" "$tmp/mode2.err"'
chmod 600 "$pem" "$tmp/hmac.secret"
printf 'not a key\n' > "$tmp/bad.pem"; chmod 600 "$tmp/bad.pem"
env -u QUOTER_API_SECRET QUOTER_API_KEY=$edkey QUOTER_PRIVATE_KEY_FILE=$tmp/bad.pem "$q" run "${cfg[@]}" --endpoint "$base" \
  --seconds 3 >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
check "a file that is no Ed25519 key: exit 2" '[ $rc -eq 2 ] && grep -q "not an Ed25519 private key" "$tmp/bad.err"'
# key files named by the config ([keys]), no QUOTER_* variable set
noenv() { env -u QUOTER_API_KEY -u QUOTER_API_SECRET -u QUOTER_API_SECRET_FILE -u QUOTER_PRIVATE_KEY_FILE "$@"; }
printf '%s\n' "$key" > "$tmp/api.key"; chmod 600 "$tmp/api.key"
noenv "$q" run "${cfg[@]}" --set keys.api_key_file="$tmp/api.key" --set keys.secret_file="$tmp/hmac.secret" \
  --endpoint "$base" --seconds 8 --max-connection-age 3.5 --status-interval 0 >"$tmp/hf.out" 2>"$tmp/hf.err"; rc=$?
check "config key files (api_key_file, secret_file, 0600): quotes and stops clean" \
  '[ $rc -eq 0 ] && grep -q "^quoter run: ACK" "$tmp/hf.err" && [ "$(open_orders)" = "[]" ]'
chmod 644 "$pem"
noenv "$q" run "${cfg[@]}" --set keys.api_key_file="$tmp/api.key" --set keys.private_key_file="$pem" \
  --endpoint "$base" --seconds 3 >"$tmp/cmode.out" 2>"$tmp/cmode.err"; rc=$?
check "config: a private key file readable by others: exit 2, the key and file named" \
  '[ $rc -eq 2 ] && grep -q "keys.private_key_file: $pem has mode 0644" "$tmp/cmode.err"'
chmod 600 "$pem"
noenv "$q" run "${cfg[@]}" --set keys.api_key_file="$tmp/api.key" --set keys.private_key_file="$pem" \
  --set keys.secret_file="$tmp/hmac.secret" --endpoint "$base" --seconds 3 >"$tmp/both.out" 2>"$tmp/both.err"; rc=$?
check "config: both an HMAC and an Ed25519 key file: exit 2" '[ $rc -eq 2 ] && grep -q "name one key" "$tmp/both.err"'
noenv "$q" run "${cfg[@]}" --set keys.secret_file="$tmp/hmac.secret" --endpoint "$base" --seconds 3 \
  >"$tmp/nokey.out" 2>"$tmp/nokey.err"; rc=$?
check "config: a secret file without the API key: exit 2, says what is missing" \
  '[ $rc -eq 2 ] && grep -q "keys.secret_file is set but the API key is not" "$tmp/nokey.err"'

# 3. a clock that jumps 8 s: the periodic re-sync (every 2 s here) follows it
ed "$q" run "${cfg[@]}" --endpoint "$base" --seconds 14 --status-interval 0 --time-sync 2 --max-connection-age 3.5 \
  >"$tmp/skew.out" 2>"$tmp/skew.err" &
pid=$!
sleep 4
curl -s -X POST "$base/admin/faults?skew_ms=8000" >/dev/null
wait $pid; rc=$?
curl -s -X DELETE "$base/admin/faults" >/dev/null
check "skew: exit 0, nothing open" '[ $rc -eq 0 ] && [ "$(open_orders)" = "[]" ]'
# (the offset is taken at a round trip's midpoint: 8000 ms give or take a millisecond)
check "skew: the new offset was measured" 'grep -Eq "clock offset re-synced: (79[0-9][0-9]|8[0-9][0-9][0-9]) ms" "$tmp/skew.err"'
check "skew: quoting went on after the re-sync" \
  'awk "/clock offset re-synced/ { s = 1 } s && /^quoter run: ACK/ { n++ } END { exit !(n > 0) }" "$tmp/skew.err"'
check "skew: ledger equals the account" \
  '[ "$(ledger_of "$tmp/skew.out" 1)" = "$(free_of BTC)" ] && [ "$(ledger_of "$tmp/skew.out" 2)" = "$(free_of USDT)" ]'

# 4. serverShutdown: the exchange announces its stop (SIGTERM); the run opens a new connection
start_exchange ex2 -c "$ini" --speed 10
ed "$q" run "${cfg[@]}" --endpoint "http://127.0.0.1:$ex2_port" --seconds 30 --status-interval 0 >"$tmp/sd.out" 2>"$tmp/sd.err" &
pid=$!
for _ in $(seq 100); do grep -q "ACK" "$tmp/sd.err" 2>/dev/null && break; sleep 0.1; done
kill -TERM $ex2_pid; wait $ex2_pid 2>/dev/null
sleep 0.5
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
check "serverShutdown: announced on the API and the streams, a new connection asked" \
  'grep -q "WebSocket API announced serverShutdown" "$tmp/sd.err" && grep -q "streams announced serverShutdown" "$tmp/sd.err"'

# 5. no secret anywhere
check "no HMAC secret and no private key text in any output" \
  '! grep -qF "$secret" "$tmp"/*.out "$tmp"/*.err "$tmp"/*.log && ! grep -qF "$pembody" "$tmp"/*.out "$tmp"/*.err "$tmp"/*.log && ! grep -q "PRIVATE KEY" "$tmp"/*.out "$tmp"/*.err'
check "no sanitizer report" '! grep -qE "Sanitizer|runtime error" "$tmp"/*.err'

echo "run_keys: $passes passed, $fails failed"
[ $fails -eq 0 ] || { echo "--- exchange log"; grep -v "connection .* from" "$tmp/ex.log" | tail -15; echo "--- ed"; tail -15 "$tmp/ed.err"; echo "--- skew"; tail -8 "$tmp/skew.err"; }
[ $fails -eq 0 ]
