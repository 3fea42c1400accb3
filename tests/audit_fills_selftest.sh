#!/usr/bin/env bash
# audit_fills_selftest.sh SRC: the fill auditor (tests/audit_fills.js) against known answers.
# tests/audit/ holds a tiny hand-made recording (rec.txt: a snapshot with a diff before it to
# drop, diffs, bookTickers, trades) and a backtest's output for it (orders.csv, fills.csv) in
# which every fill is right; the auditor must pass it. Each case below then adds one wrong
# fill (or changes one order) and the auditor must fail with the reason named. The orders'
# `filled` is recomputed from the fills so that each case fails for its own reason only.
set -u
src=$1
aud="$src/tests/audit_fills.js"
base="$src/tests/audit"
command -v node >/dev/null || { echo "audit_fills_selftest: SKIP: node is not installed"; exit 77; }
fails=0 passes=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
T() { echo "$((1700000000000 + $1))000000"; } # exchange ns of E0 + $1 ms, the recording's clock

# the good case: every kind of fill, each justified
out=$(node "$aud" "$base" "$base/rec.txt" 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "trade=5 cross=2 taker=1 .*violations=0 warnings=0"; then passes=$((passes+1))
else echo "FAIL: the correct case: rc=$rc"; echo "$out"; fails=$((fails+1)); fi

# case NAME EXPECT [fill:ROW]... [order:CID:COLUMN=VALUE]... [keepfilled]
# ROW is a fills.csv row after time_ns: cid,side,price,qty,maker,venue_ns,by,source_id
case_() {
  local name=$1 expect=$2; shift 2
  local d="$tmp/$name" keep=0
  mkdir -p "$d"
  cp "$base/orders.csv" "$base/fills.csv" "$d/"
  for a in "$@"; do
    case $a in
      fill:*) IFS=, read -r cid side price qty maker vns by sid <<<"${a#fill:}"
              echo "0,$cid,$side,$price,$qty,$maker,0,BTC,0.00000000,0,0.000000,$vns,$by,$sid" >> "$d/fills.csv" ;;
      order:*) local spec=${a#order:} cid col val
               cid=${spec%%:*}; spec=${spec#*:}; col=${spec%%=*}; val=${spec#*=}
               awk -F, -v OFS=, -v cid="$cid" -v col="$col" -v val="$val" '
                 NR==1 { for (i=1;i<=NF;i++) if ($i==col) c=i; print; next }
                 $2==cid { $c=val } { print }' "$d/orders.csv" > "$d/o" && mv "$d/o" "$d/orders.csv" ;;
      keepfilled) keep=1 ;;
    esac
  done
  if [ $keep -eq 0 ]; then # each order's filled = the sum of its fills
    awk -F, -v OFS=, 'NR==FNR { if (FNR>1) s[$2]+=$5; next }
      FNR==1 { print; next } { $7=sprintf("%.8f", s[$2]+0) } { print }' "$d/fills.csv" "$d/orders.csv" > "$d/o" &&
      mv "$d/o" "$d/orders.csv"
  fi
  out=$(node "$aud" "$d" "$base/rec.txt" 2>&1); rc=$?
  [ -n "${AUD_VERBOSE:-}" ] && echo "== $name: $out"
  if [ $rc -eq 1 ] && echo "$out" | grep -q -- "$expect"; then passes=$((passes+1))
  else echo "FAIL: $name: rc=$rc, expected a violation matching \"$expect\""; echo "$out"; fails=$((fails+1)); fi
}

# a stale print: trade 1 (T=+150 ms) fills q2, which went live at +155 ms
case_ stale_print "before the order went live.*stale" "fill:q2,BUY,100.00,0.05000000,1,$(T 150),trade,1"
# a fill larger than its trade: trade 6 is 0.01
case_ larger_than_trade "more than its quantity 0.01000000" "fill:q10,SELL,100.02,0.02000000,1,$(T 230),trade,6"
# a trade shared by our orders beyond its size: trade 5 (0.05) already fills q4 0.02 and q5 0.03
case_ trade_shared "our fills on trade 5 reach 0.06000000" "fill:q8,SELL,100.02,0.01000000,1,$(T 220),trade,5"
# a fill after its cancel reached the venue: q6's cancel at the trade's own time (cancels first)
case_ after_cancel "at or after the order's cancel" "order:q6:cancel_ns=$(T 260)"
# the queue ahead: q12 (live +120, 0.5 shown at 100.00) cannot fill on trade 1 (0.3) at its price
case_ queue_ahead "more than the 0.00000000 the queue ahead lets through" "fill:q12,BUY,100.00,0.10000000,1,$(T 150),trade,1"
# the trade's aggressor is on our side (m=true: a seller hit the bids; q16 sells)
case_ wrong_side "aggressor on our side" "fill:q16,SELL,100.00,0.10000000,1,$(T 160),trade,2"
# the trade is not at or through our price (a buyer at 100.03 does not reach a sell at 100.05)
case_ not_through "trade 6 at 100.03000000 is not at or through our price 100.05" "fill:q13,SELL,100.05,0.01000000,1,$(T 230),trade,6" "order:q13:live_ns=$(T 190)"
# venue_ns must be the trade's T
case_ venue_not_T "is not the trade's T" "fill:q17,BUY,99.99,0.01000000,1,$(T 259),trade,4"
# a trade id that is not in the recording
case_ no_trade "no BTCUSDT trade with id 999" "fill:q17,BUY,99.99,0.01000000,1,$(T 260),trade,999"
# a book cross smaller than the fill: update 120 shows 0.1 bid at 100.06 through q13's 100.05
case_ cross_too_big "shows 0.10000000 crossing our price 100.05, less than the fill" "fill:q13,SELL,100.05,0.20000000,1,$(T 300),cross,120"
# two orders on one crossing quantity: q7 already took update 120's 0.1
case_ cross_shared "our fills on update 120 .* reach 0.15000000, more than the 0.10000000" "fill:q11,SELL,100.04,0.05000000,1,$(T 300),cross,120"
# the same crossing quantity again at a later update that shows nothing new (bookTicker 122)
case_ cross_reused "already used by our earlier cross fills" "fill:q7,SELL,100.05,0.10000000,1,$(T 330),cross,122"
# a cross before the order went live (q14 live at +350, update 120 at +300)
case_ cross_stale "update 120 .* before the order went live" "fill:q14,SELL,100.05,0.05000000,1,$(T 300),cross,120"
# an update that does not cross our price (update 120: no ask at or below q12's 100.00)
case_ cross_none "does not show the ask at or through our price 100.00" "fill:q12,BUY,100.00,0.01000000,1,$(T 300),cross,120"
# venue_ns of a depth cross must be its E
case_ cross_not_E "is not the depthUpdate's E" "fill:q16,SELL,100.00,0.10000000,1,$(T 101),cross,110" "order:q16:live_ns=$(T 90)"
# a taker fill larger than the book showed (1.5 at 100.02)
case_ taker_too_big "never showed 1.60000000 on the ask at 100.02" "fill:q15,BUY,100.02,1.60000000,0,$(T 120),taker,"
# a taker fill is on arrival
case_ taker_late "is not live_ns" "fill:q15,BUY,100.02,0.10000000,0,$(T 121),taker,"
# a fill that does not say what made it
case_ no_by "must say what made it" "fill:q18,BUY,99.99,0.01000000,1,$(T 260),,4"
# a fill of an order that never went live (rejected)
case_ never_live "no live_ns" "fill:q19,BUY,99.99,0.01000000,1,$(T 260),trade,4"
# a resting order fills at its own price
case_ wrong_price "fills at its own price" "fill:q17,BUY,99.98,0.01000000,1,$(T 260),trade,4"
# orders.csv's filled must be its fills' sum
case_ filled_sum "but its fills in fills.csv add up to 0.10000000" "order:q1:filled=0.20000000" keepfilled

# the same output on the local clock (every time less the recording's offset, here 1.267 s:
# a simulator that keeps its exchange side on the local clock): told by the fills, still right,
# and a stale print there is still found
shift_local() { # DIR: moves live_ns, cancel_ns, venue_ns by the recording's local - E
  node -e '
    const fs = require("fs"), d = process.argv[1];
    for (const [f, cols] of [["orders.csv", ["live_ns", "cancel_ns"]], ["fills.csv", ["venue_ns"]]]) {
      const l = fs.readFileSync(d + "/" + f, "utf8").trimEnd().split("\n"), h = l[0].split(",");
      const ix = cols.map((c) => h.indexOf(c));
      fs.writeFileSync(d + "/" + f, l.map((r, n) => n === 0 ? r : r.split(",").map((v, k) =>
        ix.includes(k) && v ? String(BigInt(v) - 1267000000n) : v).join(",")).join("\n") + "\n");
    }' "$1"
}
mkdir -p "$tmp/local"
cp "$base/orders.csv" "$base/fills.csv" "$tmp/local/"
shift_local "$tmp/local"
out=$(node "$aud" "$tmp/local" "$base/rec.txt" 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "clock=local .*violations=0"; then passes=$((passes+1))
else echo "FAIL: the correct case on the local clock: rc=$rc"; echo "$out"; fails=$((fails+1)); fi
echo "0,q2,BUY,100.00,0.05000000,1,0,BTC,0.00000000,0,0.000000,$(T 150),trade,1" >> "$tmp/local/fills.csv"
sed -i 's/^\(0,q2,BUY,LIMIT_MAKER,100.00,0.05000000,\)0.00000000/\10.05000000/' "$tmp/local/orders.csv"
node -e '
  const fs = require("fs"), f = process.argv[1] + "/fills.csv";
  const l = fs.readFileSync(f, "utf8").trimEnd().split("\n"), r = l[l.length - 1].split(",");
  r[11] = String(BigInt(r[11]) - 1267000000n); l[l.length - 1] = r.join(",");
  fs.writeFileSync(f, l.join("\n") + "\n");' "$tmp/local"
out=$(node "$aud" "$tmp/local" "$base/rec.txt" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "q2 by=trade source_id=1: the trade's time T .* stale"; then passes=$((passes+1))
else echo "FAIL: a stale print on the local clock: rc=$rc"; echo "$out"; fails=$((fails+1)); fi

# without the contract's columns there is nothing to audit: a skip, never a pass
mkdir -p "$tmp/old"
cut -d, -f1-13 "$base/orders.csv" > "$tmp/old/orders.csv"
cut -d, -f1-11 "$base/fills.csv" > "$tmp/old/fills.csv"
out=$(node "$aud" "$tmp/old" "$base/rec.txt" 2>&1); rc=$?
if [ $rc -eq 77 ] && echo "$out" | grep -q "SKIP: fills.csv:venue_ns"; then passes=$((passes+1))
else echo "FAIL: columns absent: rc=$rc"; echo "$out"; fails=$((fails+1)); fi
# a recording without the symbol is an error, not a pass
out=$(node "$aud" --symbol ETHUSDT "$base" "$base/rec.txt" 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "no line of ETHUSDT"; then passes=$((passes+1))
else echo "FAIL: wrong symbol: rc=$rc"; echo "$out"; fails=$((fails+1)); fi

echo "audit_fills_selftest: $passes passed, $fails failed"
[ $fails -eq 0 ]
