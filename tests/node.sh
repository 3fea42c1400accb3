#!/usr/bin/env bash
# node.sh QUOTER DATA: Binance's official Node.js connector, and the community `binance` client,
# against the local exchange.
# Installs the connector from the npm registry (tests/node/package-lock.json) on first use.
set -u
q=$1 data=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node and npm are needed for the connector test"; exit 77
fi
if [ ! -d "$here/node/node_modules/@binance/connector" ] || [ ! -d "$here/node/node_modules/binance" ]; then
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci"; exit 1; }
fi
tmp=$(mktemp -d)
rec=("$data"/binance-spot/btcusdt_20240808.gz "$data"/binance-spot/btcusdt_20240809.gz)
[ -f "${rec[0]}" ] || rec=()
"$q" exchange -c "$here/../examples/exchange.ini" --port 0 --port-file "$tmp/port" --loop "${rec[@]}" 2>"$tmp/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for i in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
sleep 1
QUOTER_EXCHANGE_PORT=$(cat "$tmp/port") node --test "$here/node/connector.test.js" "$here/node/binance-lib.test.js"
rc=$?
[ $rc -eq 0 ] || { echo "exchange log:"; tail -20 "$tmp/log"; }
exit $rc
