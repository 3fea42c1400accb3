#!/usr/bin/env bash
# bench.sh BUILD DATA: runs every benchmark and prints its figures (medians over rounds).
set -euo pipefail
build=$1 data=$2
src=$(cd "$(dirname "$0")/.." && pwd)
"$build/bench_decode"
"$build/bench_book"
"$build/bench_backtest" "$build/quoter" "$src/examples/btcusdt.ini"
"$build/bench_live" "$src/examples/btcusdt.ini"
"$build/bench_exchange" "$build/quoter" "$src/examples/exchange.ini" "$data"/binance-spot/btcusdt_2024080{8,9}.gz
