#!/bin/sh
# sweep.sh QUOTER DATA SRC: `quoter sweep` on the shared recording: each combination's report
# equals `quoter backtest --json` with the same --set (byte for byte), --jobs 2 writes the same
# results.csv as --jobs 1, three shards merged equal one run, a merge of shards of another
# config or data, of stray, missing or repeated rows is refused, --split gives is./oos.
# columns, and bad grids, --rank and --heatmap stop with a clear error before any work.
Q=$1; DATA=$2; SRC=$3
F1=$DATA/binance-spot/btcusdt_20240808.gz; F2=$DATA/binance-spot/btcusdt_20240809.gz
[ -f "$F1" ] || { echo "skip: no shared recording"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
C=$SRC/examples/btcusdt.ini
G="--grid strategy.spread=2,3 --grid strategy.levels=1,3"
"$Q" sweep -q -c "$C" $G --reports --out "$T/one" "$F1" "$F2" > "$T/one.txt" 2> "$T/one.err" || fail "sweep"
grep -q "changed nothing" "$T/one.err" && fail "a key the ladder reads called inert"
[ $(wc -l < "$T/one/results.csv") -eq 5 ] || fail "4 rows and a header"
grep -q "^best 4 of 4 by return_vs_hold" "$T/one.txt" || fail "best rows"
n=0
for s in 2 3; do for l in 1 3; do
  "$Q" backtest -c "$C" --json --set strategy.spread=$s --set strategy.levels=$l "$F1" "$F2" > "$T/bt$n.json"
  cmp "$T/bt$n.json" "$T/one/reports/$n.json" || fail "combination $n differs from its backtest"
  # results.csv's row carries the report's values as printed
  sent=$(sed 's/.*"orders_sent":\([0-9]*\).*/\1/' "$T/bt$n.json")
  awk -F, -v n=$n -v s=$sent 'NR==1{for(i=1;i<=NF;i++) if($i=="orders_sent") c=i} NR>1 && $1==n && $c!=s {exit 1}' \
    "$T/one/results.csv" || fail "row $n's orders_sent"
  n=$((n+1))
done; done
cmp -s "$T/bt0.json" "$T/bt3.json" && fail "the combinations did not differ"
# a key the strategy does not read (avellaneda prices from gamma, sigma, k: not strategy.spread)
# is said to have changed nothing; one it reads is not
"$Q" sweep -q -c "$SRC/examples/avellaneda.ini" --grid strategy.spread=1,3 --grid strategy.gamma=0.05,0.5 \
  --out "$T/inert" "$F1" > /dev/null 2> "$T/inert.err" || fail "avellaneda sweep"
grep -q "^quoter: sweep: strategy.spread changed nothing" "$T/inert.err" || fail "strategy.spread not called inert: $(cat "$T/inert.err")"
grep -q "strategy.gamma changed nothing" "$T/inert.err" && fail "strategy.gamma called inert"
"$Q" sweep -q -c "$C" $G --jobs 2 --out "$T/two" "$F1" "$F2" > /dev/null || fail "--jobs 2"
cmp "$T/one/results.csv" "$T/two/results.csv" || fail "--jobs 2 differs from --jobs 1"
for i in 1 2 3; do "$Q" sweep -q -c "$C" $G --shard $i/3 --out "$T/s$i" "$F1" "$F2" > /dev/null || fail "shard $i"; done
[ $(wc -l < "$T/s3/results.csv") -eq 2 ] || fail "shard 3/3 has combination 2 only"
"$Q" sweep --merge "$T/s1" "$T/s2" "$T/s3" --out "$T/merged" > "$T/merge.txt" || fail "merge"
cmp "$T/one/results.csv" "$T/merged/results.csv" || fail "merged shards differ from one run"
"$Q" sweep --merge "$T/s1" "$T/s3" --out "$T/part" 2> "$T/err" && fail "a merge missing a shard"
grep -q "1 of 4 combinations missing; the first, combination 1, is shard 2/3's, not given" "$T/err" ||
  fail "missing shard message: $(cat "$T/err")"
# a merge refuses what is not parts of one sweep of the same inputs, exit 2 (not 1: under ASan
# a leak on the error path would turn it into 1), naming what differs, and writes nothing
badmerge() { # expected message, then the folders
  want=$1; shift
  "$Q" sweep --merge "$@" --out "$T/badm" > /dev/null 2> "$T/err"; rc=$?
  [ $rc -eq 2 ] || fail "merge $*: exited $rc: $(cat "$T/err")"
  grep -q "$want" "$T/err" || fail "merge $*: want '$want', got: $(cat "$T/err")"
  [ ! -e "$T/badm" ] || fail "merge $*: wrote its output"
}
# another config (one key no grid varies) and other data (one file of the two)
"$Q" sweep -q -c "$C" $G --set risk.max_position=0.5 --shard 2/3 --out "$T/cfg2" "$F1" "$F2" > /dev/null || fail "shard 2 (config)"
badmerge "its sweep.txt has 'effective-config fnv1a=" "$T/s1" "$T/cfg2" "$T/s3"
"$Q" sweep -q -c "$C" $G --shard 2/3 --out "$T/dat2" "$F1" > /dev/null || fail "shard 2 (data)"
badmerge "its sweep.txt has nothing where that one's has 'data btcusdt_20240809.gz [0-9]*'" "$T/s1" "$T/dat2" "$T/s3"
# data of the same names and sizes but other times: the rows' end_ns differ
mkdir "$T/end2" && cp "$T/s2/sweep.txt" "$T/end2/" &&
  awk -F, -v OFS=, 'NR==1{for(i=1;i<=NF;i++) if($i=="end_ns") c=i} NR==2{sub(/.$/, "x", $c)} 1' "$T/s2/results.csv" > "$T/end2/results.csv"
badmerge "combination 1 has end_ns [0-9]*x where .*s1's combination 0 has" "$T/s1" "$T/end2" "$T/s3"
# a row whose combination is not its shard's, or beyond the grid
for c in 100 3; do
  rm -rf "$T/row3"; mkdir "$T/row3" && cp "$T/s3/sweep.txt" "$T/row3/" && sed "2s/^2,/$c,/" "$T/s3/results.csv" > "$T/row3/results.csv"
  badmerge "a row of combination '$c', which is not one of shard 3/3's of 4" "$T/s1" "$T/s2" "$T/row3"
done
# every shard given, one row short
mkdir "$T/short1" && cp "$T/s1/sweep.txt" "$T/short1/" && sed '$d' "$T/s1/results.csv" > "$T/short1/results.csv"
badmerge "1 of 4 combinations missing; the first, combination 3, is shard 1/3's, whose .*short1/results.csv has no row" \
  "$T/short1" "$T/s2" "$T/s3"
badmerge "shard 2/3 given twice" "$T/s1" "$T/s2" "$T/s2"
badmerge "no sweep.txt" "$T/s1" "$T/nosuch"
# --rank and --heatmap checked in a merge too, before it writes
badmerge "column symbol holds no numbers" "$T/s1" "$T/s2" "$T/s3" --rank symbol
badmerge "strategy.nosuch is not a grid key" "$T/s1" "$T/s2" "$T/s3" --heatmap fills:strategy.spread,strategy.nosuch
"$Q" sweep -q -c "$C" --grid strategy.spread=2,3 --split 0.7 --out "$T/split" "$F1" "$F2" > /dev/null || fail "--split"
head -1 "$T/split/results.csv" | grep -q "is.return_vs_hold.*oos.return_vs_hold" || fail "is./oos. columns"
# the heatmap of the ranked key over the first two grid keys: a PNG (gnuplot), named in the output
if command -v gnuplot > /dev/null; then
  [ "$(head -c 8 "$T/one/heatmap-return_vs_hold.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "no heatmap PNG: $(ls "$T/one")"
  grep -q "heatmap-return_vs_hold.png" "$T/one.txt" || fail "the heatmap is not named in the output"
fi
bad() { # expected message, then the arguments
  want=$1; shift
  "$Q" sweep -q -c "$C" "$@" --out "$T/bad" "$F1" "$F2" > /dev/null 2> "$T/err"; rc=$?
  [ $rc -eq 2 ] || fail "$* exited $rc"
  grep -q "$want" "$T/err" || fail "$*: want '$want', got: $(cat "$T/err")"
  [ ! -e "$T/bad" ] || fail "$*: work started (output folder made)"
}
bad "unknown key" --grid strategy.nosuch=1,2
bad "strategy.levels" --grid strategy.levels=1,x
bad "empty list" --grid strategy.spread=
bad "an empty value" --grid strategy.spread=1,,2
bad "cannot vary" --grid market.tick_size=0.01,0.1
bad "strategy.quantity" --grid strategy.quantity=0.002,0.0000001
# --rank and --heatmap checked against the columns the run will have, before any work
bad "no column nosuch" $G --rank nosuch
bad "column symbol holds no numbers" $G --rank symbol
bad "column kill_switch holds no numbers" $G --heatmap kill_switch
bad "fills is not a grid key" $G --heatmap fills:strategy.spread,fills
bad "want two different grid keys" $G --heatmap fills:strategy.spread,strategy.spread
bad "fewer than two keys" --grid strategy.spread=2,3 --heatmap fills
bad "no column return_vs_hold" --grid strategy.spread=2,3 --split 0.5 --rank return_vs_hold
echo "sweep: all checks passed"
