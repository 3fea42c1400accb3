#!/usr/bin/env bash
# run.sh QUOTER DATA SRC: `quoter run` end to end against `quoter exchange` on loopback:
# it quotes both sides, fills arrive by the user data stream, the ledger's balances equal the
# exchange's account, a stop (by time or SIGTERM) leaves zero open orders, a run killed with
# -9 leaves orders that the next run finds and cancels, keys are required and never printed.
set -u
q=$1 data=$2 src=$3
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
. "$src/tests/exchange-lib.sh"

live_exchange ex --speed 10
# a config that fills often: the seed loop close to the touch, orders allowed freely
cfg=(-c "$src/examples/seed.ini" --set strategy.spread=1 --set risk.orders_per_10s=90 --db "$tmp/run.db")


# 1. a timed run: quotes, fills, stops with nothing open, the ledger equals the account
"$q" run "${cfg[@]}" --endpoint "$base" --seconds 20 --status-interval 2 >"$tmp/r1.out" 2>"$tmp/r1.err" &
pid=$!
sleep 8
# a withdrawal in the middle (balanceUpdate): the ledger follows the account, and it is no loss
curl -s -X POST "$base/admin/balance?account=demo&asset=USDT&delta=-250.5" >/dev/null
wait $pid; rc=$?
check "timed run exits 0" '[ $rc -eq 0 ]'
check "it quoted both sides" 'grep -q "ACK .* BUY" "$tmp/r1.err" && grep -q "ACK .* SELL" "$tmp/r1.err"'
fills=$(sed -n 's/^  count *\([0-9]*\).*/\1/p' "$tmp/r1.out")
echo "run 1: ${fills:-0} fills; $(grep -c . "$tmp/r1.err") log lines"
check "fills came by the user data stream" '[ "${fills:-0}" -ge 1 ] && grep -q "^quoter run: FILL" "$tmp/r1.err"'
check "the exchange confirmed nothing left open" 'grep -q "confirms no order of ours is open" "$tmp/r1.err"'
check "no open orders on the exchange after the run" '[ "$(open_orders)" = "[]" ]'
check "ledger BTC equals the exchange's" '[ "$(ledger_of "$tmp/r1.out" 1)" = "$(free_of BTC)" ]'
check "ledger USDT equals the exchange's (a withdrawal of 250.5 included)" '[ "$(ledger_of "$tmp/r1.out" 2)" = "$(free_of USDT)" ] && grep -q "balanceUpdate USDT -250.5" "$tmp/r1.err"'
check "the withdrawal is no loss: no kill switch, the PnL stays small" '! grep -q "kill switch" "$tmp/r1.out" && awk "/^  vs holding/ { exit (\$3 < -100) }" "$tmp/r1.out"'

check "the account's commission rates asked (account.commission), equal to the config's: no note" \
  'grep -q "commission for BTCUSDT (account.commission): maker 0.00100000 taker 0.00100000; paid in BNB: rates times 0.75000000 (off for this account)" "$tmp/r1.err" && ! grep -q "are not this account.s rates" "$tmp/r1.err"'

# 2. SIGTERM: cancel all, confirm, report, exit 0 (the config's maker fee is not the account's);
#    the exchange named by a host name (localhost), looked up as any name is (addrs.h)
"$q" run "${cfg[@]}" --set account.maker_fee=0.0008 --endpoint "http://localhost:${base##*:}" --status-interval 0 \
  >"$tmp/r2.out" 2>"$tmp/r2.err" &
pid=$!
for _ in $(seq 100); do grep -q "ACK" "$tmp/r2.err" 2>/dev/null && break; sleep 0.1; done
sleep 2
kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM: exit 0" '[ $rc -eq 0 ]'
check "a host name: the run went to ws://localhost" 'grep -q "BTCUSDT on ws://localhost:[0-9]*/ws-api/v3" "$tmp/r2.err"'
check "a config fee that is not the account's: the note says what to set" \
  'grep -q "account.maker_fee 0.00080000 and taker_fee 0.00100000 are not this account.s rates: set them to 0.00100000 and 0.00100000" "$tmp/r2.err"'
check "SIGTERM: the report is printed" 'grep -q "^fills" "$tmp/r2.out"'
check "SIGTERM: no open orders left" '[ "$(open_orders)" = "[]" ]'
check "SIGTERM: ledger equals the account" '[ "$(ledger_of "$tmp/r2.out" 2)" = "$(free_of USDT)" ] && [ "$(ledger_of "$tmp/r2.out" 1)" = "$(free_of BTC)" ]'

# 3. kill -9 leaves orders open; the next run finds them by their client id prefix and cancels them
#    (quoted 300 USDT away, so that they are still open when the next run starts: the replay
#    goes on meanwhile, and near the touch they could fill first, leaving nothing to cancel)
"$q" run "${cfg[@]}" --set strategy.spread=300 --endpoint "$base" --status-interval 0 >"$tmp/r3.out" 2>"$tmp/r3.err" &
pid=$!
for _ in $(seq 100); do grep -q "ACK" "$tmp/r3.err" 2>/dev/null && break; sleep 0.1; done
sleep 1
# killed while the exchange holds orders of it (a requote may have none open for a moment)
for _ in $(seq 50); do open_orders | grep -q '"clientOrderId":"q' && break; sleep 0.1; done
kill -9 $pid; wait $pid 2>/dev/null
left=$(open_orders)
check "kill -9 left orders open" '[ "$left" != "[]" ] && echo "$left" | grep -q "\"clientOrderId\":\"q"'
"$q" run "${cfg[@]}" --endpoint "$base" --seconds 4 --status-interval 0 >"$tmp/r4.out" 2>"$tmp/r4.err"; rc=$?
check "restart after kill -9: exit 0" '[ $rc -eq 0 ]'
check "restart: the earlier run's orders were found and canceled" 'grep -q "open orders of an earlier run: canceling" "$tmp/r4.err"'
check "restart: nothing left open" '[ "$(open_orders)" = "[]" ]'

# 4. keys: required, never printed; --dry-run needs none and sends nothing
env -u QUOTER_API_KEY -u QUOTER_API_SECRET "$q" run "${cfg[@]}" --endpoint "$base" >/dev/null 2>"$tmp/nokey.err"; rc=$?
check "no key: refused with exit 2" '[ $rc -eq 2 ] && grep -q QUOTER_API_KEY "$tmp/nokey.err"'
check "the secret is in no output" '! grep -q "$secret" "$tmp"/r*.out "$tmp"/r*.err "$tmp/nokey.err"'
env -u QUOTER_API_KEY -u QUOTER_API_SECRET "$q" run "${cfg[@]}" --set strategy.reference=mid --endpoint "$base" --dry-run --seconds 3 \
  >"$tmp/dry.out" 2>"$tmp/dry.err"; rc=$?
check "dry run: exit 0, quotes logged as not sent" '[ $rc -eq 0 ] && grep -q "dry run" "$tmp/dry.err" && grep -q "^quoter run: ACK .* (dry run: not sent)$" "$tmp/dry.err" && grep -q "stopped (a dry run: nothing was sent)" "$tmp/dry.err"'
check "dry run: nothing reached the exchange" '[ "$(open_orders)" = "[]" ]'
"$q" run --endpoint ftp://x -c "$src/examples/seed.ini" >/dev/null 2>"$tmp/ep.err"; rc=$?
check "a bad endpoint is refused" '[ $rc -eq 2 ] && grep -q endpoint "$tmp/ep.err"'
"$q" run --help | grep -q "usage: quoter run"; check "run --help" '[ $? -eq 0 ]'
"$q" run "${cfg[@]}" --endpoint "$base" --seconds 5x >/dev/null 2>"$tmp/num.err"; rc=$?
check "a number read whole: --seconds 5x is refused" '[ $rc -eq 2 ] && grep -q "number of seconds" "$tmp/num.err"'

# 5. post-only orders priced to take (bids at the ask): each is refused -2010 and handled as a
#    rejection: logged with its reason, counted, no kill switch, quoting goes on, the budget holds.
#    The ladder never prices through the touch it sees: what the exchange refuses is a bid sent
#    at the ask just as the ask moved down, so the ladder must requote on every move (as the
#    example did before issue 11 paced it: with its pacing such races were rare, and the check flaky)
"$q" run -c "$src/examples/btcusdt.ini" --set strategy.reference=ask --set strategy.spread=0 --set strategy.levels=1 \
  --set strategy.requote_interval=0 --set strategy.refresh_tolerance=500 \
  --set risk.orders_per_10s=20 --endpoint "$base" --db none --seconds 8 --status-interval 0 >"$tmp/po.out" 2>"$tmp/po.err"; rc=$?
po=$(grep -c "^quoter run:   -2010 Order would immediately match and take." "$tmp/po.err")
echo "post-only run: $po rejections"
check "post-only: exit 0, rejections logged as -2010 with their reason" '[ $rc -eq 0 ] && [ "$po" -ge 1 ]'
check "post-only: the report counts each rejection" 'grep -q "^  rejected        $po by the venue" "$tmp/po.out"'
check "post-only: no kill switch, the other side quoted, nothing left open" \
  '! grep -q "kill switch" "$tmp/po.out" && grep -q "ACK .* SELL" "$tmp/po.err" && [ "$(open_orders)" = "[]" ]'
check "post-only: no storm: orders sent stay within 20 per 10 s" \
  '[ "$(sed -n "s/^  sent *\([0-9]*\).*/\1/p" "$tmp/po.out")" -le 20 ]'

# 6. an account that pays fees in BNB (at 600 USDT a BNB, 25% off): each fill's fee is booked in
#    BNB, as its executionReport names it; BTC and USDT are then the account's to the unit, and
#    the BNB the exchange took is the BNB the report says was paid
cp "$ini" "$tmp/bnb.ini"
printf 'balance.BNB = 2\nbnb_fee_price = 600\n' >> "$tmp/bnb.ini" # the demo account is the file's last section
start_exchange bnb -c "$tmp/bnb.ini" --speed 10
main_base=$base base=http://127.0.0.1:$bnb_port
"$q" run "${cfg[@]}" --set account.fee_asset_prices=BNB:600 --endpoint "$base" --seconds 10 --status-interval 0 \
  >"$tmp/r5.out" 2>"$tmp/r5.err"; rc=$?
bnb_paid=$(sed -n 's/^  fees in BNB *\([0-9.]*\) BNB.*/\1/p' "$tmp/r5.out")
echo "bnb run: $(sed -n 's/^  count *\([0-9]*\).*/\1/p' "$tmp/r5.out") fills, ${bnb_paid:-no} BNB of fees"
check "BNB fees: exit 0, the discount on for this account" \
  '[ $rc -eq 0 ] && grep -q "paid in BNB: rates times 0.75000000 (on for this account)" "$tmp/r5.err"'
check "BNB fees: the report states the BNB paid, valued in USDT" '[ -n "$bnb_paid" ] && grep -q "^  fees in BNB .*(valued [0-9.]* USDT)" "$tmp/r5.out"'
check "BNB fees: BTC and USDT equal the account's (no fee taken from them)" \
  '[ "$(ledger_of "$tmp/r5.out" 1)" = "$(free_of BTC)" ] && [ "$(ledger_of "$tmp/r5.out" 2)" = "$(free_of USDT)" ]'
check "BNB fees: the exchange's BNB is 2 less the fees the ledger booked" \
  '[ "$(awk -v p="$bnb_paid" "BEGIN { printf \"%.8f\", 2 - p }")" = "$(free_of BNB)" ]'
base=$main_base

check "no sanitizer report in any run" '! grep -qE "Sanitizer|runtime error" "$tmp"/*.err'

echo "run: $passes passed, $fails failed"
[ $fails -eq 0 ] || { echo "--- exchange log"; tail -20 "$tmp/ex.log"; echo "--- run 1"; tail -20 "$tmp/r1.err"; }
[ $fails -eq 0 ]
