#!/usr/bin/env bash
# strategy_table.sh [BUILD [DATA]]: the README's strategy comparison (section Strategies), as
# Markdown on stdout, so its figures can be regenerated after a change to a strategy or an
# example config. For each example config (seed, ladder, avellaneda, glft) it runs
# `quoter backtest --json` on
#   - the shared BTCUSDT recording (DATA/binance-spot/btcusdt_2024080{8,9}.gz, 650 s), and
#   - a synthetic hour (`quoter synth --seconds 3600 --seed 1`, written to a temporary file),
# at Binance's default fee (0.1% maker and taker) and at a lower tier (FEES below), and tabulates
# each run against holding its starting inventory, with fills, maker share, markouts and the
# break-even maker fee (docs/backtest-report.md defines every key).
# BUILD defaults to build, DATA to ../shared/data (relative to the repository).
# Environment: FEES="MAKER/TAKER ..." fee rates to run (default "0.001/0.001 0.0002/0.0004");
# SYNTH_SECONDS, SYNTH_SEED the synthetic market (3600, 1); JSON_DIR=DIR keeps every run's JSON.
# Bash and node only: CI has no python3.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
data=${2:-$src/../shared/data}
q=$build/quoter
[ -x "$q" ] || { echo "strategy_table: $q not found: build first (make)" >&2; exit 2; }
command -v node >/dev/null || { echo "strategy_table: node not found" >&2; exit 2; }
rec=("$data"/binance-spot/btcusdt_20240808.gz "$data"/binance-spot/btcusdt_20240809.gz)
for f in "${rec[@]}"; do
  [ -f "$f" ] || { echo "strategy_table: $f not found (DATA=$data)" >&2; exit 2; }
done
fees=${FEES:-"0.001/0.001 0.0002/0.0004"}
secs=${SYNTH_SECONDS:-3600}
seed=${SYNTH_SEED:-1}
configs=(seed btcusdt avellaneda glft)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${JSON_DIR:-$tmp/json}
mkdir -p "$out"
"$q" synth --seconds "$secs" --seed "$seed" -o "$tmp/synth.gz" 2>/dev/null

# One line per run: data set, config, maker fee, taker fee, then the report's JSON.
runs=$tmp/runs.txt
: >"$runs"
for set in recording synth; do
  if [ $set = recording ]; then files=("${rec[@]}"); else files=("$tmp/synth.gz"); fi
  for c in "${configs[@]}"; do
    for f in $fees; do
      mk=${f%/*} tk=${f#*/}
      j=$out/$set-$c-$mk.json
      "$q" backtest --json -c "$src/examples/$c.ini" \
        --set account.maker_fee="$mk" --set account.taker_fee="$tk" "${files[@]}" >"$j"
      printf '%s %s %s %s %s\n' $set $c "$mk" "$tk" "$(cat "$j")" >>"$runs"
    done
  done
done

SYNTH_SECONDS=$secs SYNTH_SEED=$seed node - "$runs" <<'EOF'
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map(l => {
  const [set, cfg, mk, tk, ...rest] = l.split(' ');
  return { set, cfg, mk: +mk, tk: +tk, r: JSON.parse(rest.join(' ')) };
});
const name = { seed: 'seed', btcusdt: 'ladder', avellaneda: 'avellaneda', glft: 'glft' };
const pct = x => (x * 100).toFixed(3).replace(/0+$/, '').replace(/\.$/, '') + '%';
const f = (x, d) => x === null || x === undefined ? '-' : x.toFixed(d);
const title = {
  recording: 'shared recording (btcusdt_2024080{8,9}.gz, 650 s)',
  synth: `synthetic hour (\`quoter synth --seconds ${process.env.SYNTH_SECONDS} --seed ${process.env.SYNTH_SEED}\`)`,
};
for (const set of ['recording', 'synth']) {
  const rs = rows.filter(x => x.set === set);
  if (!rs.length) continue;
  const r0 = rs[0].r;
  console.log(`On the ${title[set]}: holding the starting 1 BTC made ${f(r0.hold_pnl, 2)} USDT ` +
              `(mid ${f(r0.start_mid, 2)} to ${f(r0.end_mid, 2)}).`);
  console.log('');
  console.log('| strategy | maker / taker fee | orders | fills | maker share | fees USDT | ' +
              'vs holding USDT | markout 0 s / 1 s / 5 s bps | break-even maker fee bps | ' +
              'orders a fill | daily limit share |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { cfg, mk, tk, r } of rs) {
    const m = r.markouts || {};
    const mo = ['0s', '1s', '5s'].map(h => f(m[h] && m[h].measured ? m[h].mean_bps : null, 2)).join(' / ');
    console.log(`| ${name[cfg] || cfg} | ${pct(mk)} / ${pct(tk)} | ${r.orders_sent} | ${r.fills} | ` +
                `${f(r.maker_share, 2)} | ${f(r.fees_quote, 2)} | ${f(r.return_vs_hold, 2)} | ${mo} | ` +
                `${f(r.breakeven_maker_fee_bps, 2)} | ${f(r.orders_per_fill, 1)} | ` +
                `${f(r.daily_limit_share, 2)} |`);
  }
  console.log('');
}
EOF
