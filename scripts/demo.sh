#!/usr/bin/env bash
# demo.sh BUILD DATA: backtests the default strategy (examples/btcusdt.ini) on the shared
# BTCUSDT recording, or on a synthetic market when the recording is absent, and shows the
# report and where the chart is.
set -euo pipefail
build=$1 data=$2
src=$(cd "$(dirname "$0")/.." && pwd)
out=$src/out/demo
mkdir -p "$out"
files=("$data"/binance-spot/btcusdt_20240808.gz "$data"/binance-spot/btcusdt_20240809.gz)
if [ ! -f "${files[0]}" ] || [ ! -f "${files[1]}" ]; then
  echo "demo: shared recording not found under $data: using a synthetic market instead"
  "$build/quoter" synth --seconds 600 --seed 1 -o "$out/synthetic.gz"
  files=("$out/synthetic.gz")
fi
echo "demo: quoter backtest -c examples/btcusdt.ini --out out/demo ${files[*]}"
echo
"$build/quoter" backtest -c "$src/examples/btcusdt.ini" --out "$out" "${files[@]}"
echo
echo "demo: the classic simple loop on the same data, for comparison (examples/seed.ini):"
"$build/quoter" backtest -c "$src/examples/seed.ini" --json "${files[@]}" |
  sed 's/,"/\n"/g' | grep -E '^"(fills|orders_sent|fees_quote|realized_pnl|total_pnl|return_vs_hold|max_drawdown)"' |
  tr '\n' ' '; echo
echo
[ -f "$out/chart.png" ] && echo "demo: chart (price, our quotes and fills, inventory, PnL): $out/chart.png"
