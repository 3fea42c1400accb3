#!/usr/bin/env bash
# bench.sh BUILD DATA: runs every benchmark and prints its figures (medians over rounds), then
# the memory soak: `quoter run` against `quoter exchange --loop` on the shared recording for
# BENCH_SOAK_SECONDS (default 600; 0 skips it), its resident memory read from /proc every 5 s.
# The soak fails (exit 1) when RSS passes 32 MB or grows more than BENCH_SOAK_GROWTH_KB
# (default 1024) from the first minute to the last.
set -euo pipefail
build=$1 data=$2
src=$(cd "$(dirname "$0")/.." && pwd)
"$build/bench_decode"
"$build/bench_book"
"$build/bench_backtest" "$build/quoter" "$src/examples/btcusdt.ini"
"$build/bench_live" "$src/examples/btcusdt.ini"
"$build/bench_exec"
"$build/bench_strategy"
"$build/bench_sweep" "$build/quoter" "$src/examples/btcusdt.ini" "$data"/binance-spot/btcusdt_2024080{8,9}.gz
"$build/bench_sweep" "$build/quoter" "$src/examples/seed.ini" "$data"/binance-spot/btcusdt_2024080{8,9}.gz
"$build/bench_exchange" "$build/quoter" "$src/examples/exchange.ini" "$data"/binance-spot/btcusdt_2024080{8,9}.gz
"$build/bench_reaction" "$build/quoter" "$src" "$data"/binance-spot/btcusdt_2024080{8,9}.gz
"$build/bench_record" "$build/quoter" "$data"/binance-spot/btcusdt_2024080{8,9}.gz

soak=${BENCH_SOAK_SECONDS:-600} speed=${BENCH_SOAK_SPEED:-10} tol=${BENCH_SOAK_GROWTH_KB:-1024}
[ "$soak" -gt 0 ] || exit 0
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$tmp"' EXIT
q=$build/quoter
. "$src/tests/exchange-lib.sh"
live_exchange soak --speed "$speed"
# the default strategy, deciding on every market event; the budget of new orders as configured
"$q" run -c "$src/examples/btcusdt.ini" --endpoint "$base" --seconds "$soak" --quiet --status-interval 0 \
  --db "$tmp/soak.db" >"$tmp/run.out" 2>"$tmp/run.err" &
pid=$!
# samples "seconds kB" every 5 s while it runs
t0=$(date +%s)
while kill -0 $pid 2>/dev/null; do
  kb=$(awk '/^VmRSS:/ { print $2 }' /proc/$pid/status 2>/dev/null || true)
  [ -n "$kb" ] && echo "$(( $(date +%s) - t0 )) $kb" >>"$tmp/rss"
  sleep 5
done
rc=0; wait $pid || rc=$?
[ -s "$tmp/rss" ] || { echo "soak: no RSS samples (quoter run exited $rc)"; tail -5 "$tmp/run.err"; exit 1; }
# the first and last minute (a quarter of a shorter run): their peaks, after 10 s of start-up
win=$(( soak >= 240 ? 60 : soak / 4 ))
awk -v soak="$soak" -v win="$win" -v tol="$tol" -v rc="$rc" -v fills="$(sed -n 's/^  count *\([0-9]*\).*/\1/p' "$tmp/run.out")" '
  { t[NR] = $1; r[NR] = $2; if ($2 > peak) peak = $2 }
  $1 >= 10 && $1 < 10 + win && $2 > first { first = $2 }
  $1 > soak - win && $2 > last { last = $2 }
  END {
    if (!last) last = r[NR]
    printf "quoter run memory soak (%d s, replay x%d, %s fills, exit %d): RSS start %.1f MB, peak %.1f MB, end %.1f MB; " \
           "growth first to last %d s: %+d kB (limits: 32 MB, %d kB)\n", soak, '"$speed"', fills ? fills : 0, rc,
           r[1] / 1024, peak / 1024, r[NR] / 1024, win, last - first, tol
    exit (rc != 0 || peak > 32 * 1024 || last - first > tol)
  }' "$tmp/rss" || { echo "soak: FAILED"; exit 1; }
