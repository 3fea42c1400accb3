# exchange-lib.sh: sourced by the scripts that run `quoter exchange` (exchange.sh, node.sh,
# soak.sh). Needs $q (the quoter binary), $data (the shared data folder) and $tmp.

# the shared BTCUSDT recording, or nothing: the exchange then serves a synthetic market
rec=("$data"/binance-spot/btcusdt_20240808.gz "$data"/binance-spot/btcusdt_20240809.gz)
[ -f "${rec[0]}" ] || rec=()

# start_exchange NAME ARGS...: runs `quoter exchange ARGS` on a free loopback port, replaying
# the recording in a loop, logging to $tmp/NAME.log; waits for it to listen and sets
# NAME_pid and NAME_port.
start_exchange() {
  local name=$1; shift
  "$q" exchange --port 0 --port-file "$tmp/$name.port" --loop "$@" "${rec[@]}" 2>"$tmp/$name.log" &
  printf -v "${name}_pid" '%s' $!
  for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.1; done
  printf -v "${name}_port" '%s' "$(cat "$tmp/$name.port" 2>/dev/null)"
}
