#!/usr/bin/env bash
# demo.sh BUILD DATA: a market maker trading over a real wire, in one command.
#   1. starts `quoter exchange` on the shared BTCUSDT recording (a synthetic market when it is
#      absent), replaying 5x faster than it happened, with the public demo account;
#   2. runs `quoter run -c examples/btcusdt.ini` against it for about a minute, with a status
#      line, then stops it with SIGTERM: it cancels everything, confirms nothing is left open
#      and prints its report;
#   3. backtests the same config on the same stretch of market data, for comparison, with a
#      chart. DEMO_SECONDS sets the run's length (default 60).
set -euo pipefail
build=$1 data=$2
src=$(cd "$(dirname "$0")/.." && pwd)
q=$build/quoter
out=$src/out/demo
mkdir -p "$out"
secs=${DEMO_SECONDS:-60}
speed=5
files=("$data"/binance-spot/btcusdt_20240808.gz "$data"/binance-spot/btcusdt_20240809.gz)
if [ ! -f "${files[0]}" ] || [ ! -f "${files[1]}" ]; then
  echo "demo: shared recording not found under $data: using a synthetic market instead"
  "$q" synth --seconds 900 --seed 1 -o "$out/synthetic.gz"
  files=("$out/synthetic.gz")
fi
ini=$src/examples/exchange.ini
export QUOTER_API_KEY=$(sed -n 's/^hmac_api_key *= *//p' "$ini" | head -1)
export QUOTER_API_SECRET=$(sed -n 's/^hmac_secret_key *= *//p' "$ini" | head -1)

rm -f "$out/exchange.port"
"$q" exchange -c "$ini" --port 0 --port-file "$out/exchange.port" --speed $speed "${files[@]}" 2>"$out/exchange.log" &
ex=$!
trap 'kill $ex 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/exchange.port" ] && break; sleep 0.1; done
port=$(cat "$out/exchange.port")
echo "demo: quoter exchange on 127.0.0.1:$port replays the recording ${speed}x (demo account, log: out/demo/exchange.log)"
echo "demo: quoter run -c examples/btcusdt.ini --endpoint http://127.0.0.1:$port   (SIGTERM after ${secs} s)"
echo
"$q" run -c "$src/examples/btcusdt.ini" --endpoint "http://127.0.0.1:$port" --db "$out/run.db" --status-interval 5 >"$out/run.txt" 2>"$out/run.log" &
run=$!
# the status lines as they come (every order event is in out/demo/run.log)
(tail -n +1 -f "$out/run.log" --pid=$run 2>/dev/null | grep --line-buffered -E "mid |healthy|stopp|connected" || true) &
sleep "$secs"
kill -TERM $run
wait $run || { echo "demo: quoter run failed (see out/demo/run.log)"; exit 1; }
sleep 0.5
echo
cat "$out/run.txt"

# the same stretch of market data, backtested: what the exchange replayed while the run ran
start=$( (zcat -f "${files[0]}" || true) | head -1 | cut -d' ' -f1)
span_ns=$(( (secs + 5) * speed * 1000000000 ))
zcat -f "${files[@]}" | awk -v end=$((start + span_ns)) '$1 <= end' > "$out/stretch.txt"
echo
echo "demo: quoter backtest -c examples/btcusdt.ini on the same $(( (secs + 5) * speed )) s of market data"
echo "      (the live run saw it ${speed}x faster: its order budget, risk.orders_per_10s of real time,"
echo "      was ${speed}x tighter per second of market, so it quoted less often):"
echo
"$q" backtest -c "$src/examples/btcusdt.ini" --out "$out" "$out/stretch.txt"
rm -f "$out/stretch.txt"
echo
[ -f "$out/chart.png" ] && echo "demo: backtest chart (price, our quotes and fills, inventory, PnL): $out/chart.png"
echo "demo: the same config trades Binance's testnet or Demo Mode with --endpoint testnet|demo and your own keys"
echo "      in QUOTER_API_KEY / QUOTER_API_SECRET (README: Live trading)."
