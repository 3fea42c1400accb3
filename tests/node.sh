#!/usr/bin/env bash
# node.sh QUOTER DATA: Binance's official Node.js connector, the community `binance` client and
# CCXT against the local exchange.
# Installs the connector from the npm registry (tests/node/package-lock.json) on first use.
set -u
q=$1 data=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node and npm are needed for the connector test"; exit 77
fi
if [ ! -d "$here/node/node_modules/@binance/connector" ] || [ ! -d "$here/node/node_modules/binance" ] ||
   [ ! -d "$here/node/node_modules/ccxt" ]; then
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci"; exit 1; }
fi
tmp=$(mktemp -d)
. "$here/exchange-lib.sh"
trap 'kill ${ex_pid:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
start_exchange ex -c "$here/../examples/exchange.ini"
sleep 1
QUOTER_EXCHANGE_PORT=$ex_port node --test "$here/node/connector.test.js" "$here/node/binance-lib.test.js" "$here/node/ccxt.test.js"
rc=$?
[ $rc -eq 0 ] || { echo "exchange log:"; tail -20 "$tmp/ex.log"; }
exit $rc
