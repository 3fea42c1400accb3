#!/usr/bin/env bash
# record.sh QUOTER DATA SRC: `quoter record` against `quoter exchange` on loopback.
#  A. two symbols (the shared BTCUSDT recording and a synthetic ETHUSDT), the connection
#     replaced every 3 s (record.max_connection_age) and the day moved to end 6 s in (the
#     test-only record.clock_offset): two files a symbol, each starting with exchangeInfo,
#     each verifying with many comparisons; nothing lost or written twice across the
#     rotations and the midnight (verify sees no gap over both files, trade ids run on by
#     one, no stream line twice); SIGTERM finishes every file (gzip -t).
#  B. faults on a second exchange: skipped depth diffs and dropped connections give gaps
#     that are logged and counted in the summary, new snapshots, and files that verify;
#     the metrics page counts.
#  C. kill -9 mid-run: the file reads (zcat, which then complains of the missing end, and
#     quoter's own reader, which warns of it) up to
#     its last flush, whole lines only, and verifies.
set -u
q=$1 data=$2 src=$3
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
. "$src/tests/exchange-lib.sh"
[ ${#rec[@]} -gt 0 ] || { echo "SKIP: no shared recording"; exit 77; }

# the exchange's own symbols file, with ETHUSDT's max_notional given (its default is beyond
# what an exchangeInfo reader takes)
sed '/^\[symbol ETHUSDT\]/a max_notional = 9000000' "$src/examples/exchange-symbols.ini" > "$tmp/x.ini"
start_exchange exa -c "$tmp/x.ini" --speed 10 synth:ETHUSDT
start_exchange exb --speed 10
[ -n "$exa_port" ] && [ -n "$exb_port" ] || { echo "FAIL: an exchange did not start"; cat "$tmp"/ex*.log; exit 1; }
A=http://127.0.0.1:$exa_port B=http://127.0.0.1:$exb_port
wait_for() { for _ in $(seq 200); do eval "$1" && return 0; sleep 0.1; done; return 1; }
# a free loopback port for the metrics page
mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 39517)

now=$(date +%s)
off=$(( (now / 86400 + 1) * 86400 - now - 6 )) # the recorder's midnight 6 s from now
"$q" record --symbols BTCUSDT,ETHUSDT --out "$tmp/a" --endpoint "$A" --set record.max_connection_age=3 \
  --set record.clock_offset=$off --set record.status_interval=2 2>"$tmp/a.err" &
apid=$!
"$q" record --symbols BTCUSDT --out "$tmp/b" --endpoint "$B" --metrics 127.0.0.1:$mport --set record.flush_interval=0.5 2>"$tmp/b.err" &
bpid=$!
"$q" record --symbols BTCUSDT --out "$tmp/c" --endpoint "$A" --quiet --set record.flush_interval=0.3 2>"$tmp/c.err" &
cpid=$!

fault() { curl -s -X POST "$B/admin/faults?$1" >/dev/null; }
wait_for 'grep -q "depth snapshot written" "$tmp/b.err"'
sleep 2
fault skip_diffs=3
wait_for '[ "$(grep -c "depth snapshot written" "$tmp/b.err")" -ge 2 ]'
curl -s "http://127.0.0.1:$mport/metrics" > "$tmp/metrics"
fault drop=1
wait_for '[ "$(grep -c "depth snapshot written" "$tmp/b.err")" -ge 3 ]'
sleep 1
kill -TERM $bpid; wait $bpid; brc=$?

# C: killed once it has flushed a few times
sleep 1
kill -9 $cpid; wait $cpid 2>/dev/null

# A: past midnight and a few rotations
wait_for '[ "$(grep -c "moved to a new connection" "$tmp/a.err")" -ge 3 ] && [ "$(ls "$tmp"/a/BTCUSDT/*.gz 2>/dev/null | wc -l)" -ge 2 ]'
sleep 2
kill -TERM $apid; wait $apid; arc=$?

# ---- A ----
check "A: exit 0 on SIGTERM" '[ $arc -eq 0 ]'
check "A: two rotations or more" '[ "$(grep -c "moved to a new connection" "$tmp/a.err")" -ge 2 ]'
for s in BTCUSDT ETHUSDT; do
  files=("$tmp"/a/$s/*.gz)
  check "A $s: two files, one a day" '[ ${#files[@]} -eq 2 ] && [ "${files[0]##*/}" != "${files[1]##*/}" ]'
  check "A $s: every file is a whole gzip" 'gzip -t "${files[@]}"'
  for f in "${files[@]}"; do
    check "A $s ${f##*/}: exchangeInfo first" 'zcat "$f" | head -1 | grep -q "^[0-9]* {.*\"symbols\":\[{\"symbol\":\"$s\""'
    zcat "$f" | head -1 | cut -d' ' -f2- > "$tmp/$s.ex.json"
    "$q" verify --exchange-info "$tmp/$s.ex.json" "$f" > "$tmp/v" 2>/dev/null
    check "A $s ${f##*/}: verifies on its own lines" 'grep -q " mismatches=0 " "$tmp/v" && [ "$(sed "s/.* compared=\([0-9]*\).*/\1/" "$tmp/v")" -ge 20 ]'
    check "A $s ${f##*/}: summary complete" 'grep -q "\"complete\":true" "${f%.gz}.summary.json"'
  done
  "$q" verify --exchange-info "$tmp/$s.ex.json" "${files[@]}" > "$tmp/v" 2>/dev/null
  check "A $s: no gap over both files (rotations, midnight)" 'grep -q " gaps=0 " "$tmp/v" && grep -q " mismatches=0 " "$tmp/v"'
  grep -q " gaps=0 " "$tmp/v" || { echo "  verify: $(cat "$tmp/v")"; grep -iE "gap|snapshot|rotat|new connection|midnight|file" "$tmp/a.err" | grep "$s\|connection" | head -30; }
  check "A $s: no stream line twice" '[ -z "$(zcat "${files[@]}" | grep "^[0-9]* {\"stream\"" | cut -d" " -f2- | sort | uniq -d | head -1)" ]'
  check "A $s: trade ids run on by one" '[ "$(zcat "${files[@]}" | grep -o "\"e\":\"trade\",\"E\":[0-9]*,\"s\":\"[A-Z]*\",\"t\":[0-9]*" |
    sed "s/.*\"t\"://" | awk "NR > 1 && \$1 != p + 1 { b++ } { p = \$1 } END { print (NR > 50 ? b + 0 : -1) }")" = 0 ]'
done
check "A: no sanitizer report" '! grep -qE "Sanitizer|runtime error" "$tmp/a.err"'

# ---- B ----
fb=("$tmp"/b/BTCUSDT/*.gz)
check "B: exit 0 on SIGTERM, a whole gzip" '[ $brc -eq 0 ] && gzip -t "${fb[@]}"'
check "B: the skipped diffs logged as a gap" 'grep -q "gap (depth diffs missing)" "$tmp/b.err"'
check "B: the dropped connection logged as a gap" 'grep -q "gap (reconnect)" "$tmp/b.err"'
sum=${fb[0]%.gz}.summary.json
check "B: the summary counts both gaps and 3 snapshots" \
  'grep -q "\"gaps\":[2-9]" "$sum" && grep -q "\"reconnects\":1" "$sum" && grep -q "\"snapshots\":[3-9]" "$sum" && grep -q "depth diffs missing" "$sum"'
"$q" verify "${fb[@]}" > "$tmp/v" 2>/dev/null
check "B: verifies after the gaps (3 snapshots, many comparisons)" \
  'grep -q " mismatches=0 " "$tmp/v" && grep -q " snapshots=[3-9] " "$tmp/v" && [ "$(sed "s/.* compared=\([0-9]*\).*/\1/" "$tmp/v")" -ge 20 ]'
check "B: metrics page counts" 'grep -q "^quoter_record_messages_total{symbol=\"BTCUSDT\"} [1-9]" "$tmp/metrics" &&
  grep -q "^quoter_record_gaps_total{symbol=\"BTCUSDT\"} [1-9]" "$tmp/metrics" && grep -q "^# TYPE quoter_record_bytes_total counter" "$tmp/metrics"'
check "B: no sanitizer report" '! grep -qE "Sanitizer|runtime error" "$tmp/b.err"'

# ---- C ----
fc=("$tmp"/c/BTCUSDT/*.gz)
zcat "${fc[@]}" > "$tmp/c.lines" 2>"$tmp/c.zerr"; zrc=$?
check "C: killed, the file has no trailer (zcat says so)" '[ $zrc -ne 0 ] && ! gzip -t "${fc[@]}" 2>/dev/null'
check "C: what reads is whole lines, many" '[ "$(wc -l < "$tmp/c.lines")" -ge 500 ] && [ -z "$(tail -c 1 "$tmp/c.lines" | tr -d "\n")" ] &&
  ! grep -qvE "^[0-9]{19} \{.*\}$" "$tmp/c.lines"'
"$q" verify "$tmp/c.lines" > "$tmp/v" 2>/dev/null
check "C: the lines read verify" 'grep -q " mismatches=0 " "$tmp/v" && [ "$(sed "s/.* compared=\([0-9]*\).*/\1/" "$tmp/v")" -ge 10 ]'
"$q" verify "${fc[@]}" > "$tmp/v2" 2>"$tmp/v2.err"; vrc=$?
check "C: the killed .gz itself reads up to its last whole line (a warning says so), the same as zcat's" '[ $vrc -eq 0 ] &&
  grep -q "without its gzip trailer" "$tmp/v2.err" && [ "$(sed "s/.* lines=\([0-9]*\) .*/\1/" "$tmp/v2")" = "$(wc -l < "$tmp/c.lines")" ] &&
  grep -q " mismatches=0 " "$tmp/v2"'
check "C: its summary says unfinished" 'grep -q "\"complete\":false" "${fc[0]%.gz}.summary.json"'

# ---- usage ----
"$q" record --help > "$tmp/help"; hrc=$?
check "usage: --help exits 0 and names the options" '[ $hrc -eq 0 ] && grep -q -- "--symbols" "$tmp/help" && grep -q -- "--metrics" "$tmp/help"'
"$q" record --out "$tmp/u" 2>/dev/null; urc=$?
check "usage: no symbols is exit 2" '[ $urc -eq 2 ]'
"$q" record --symbols BTC-USDT --out "$tmp/u" 2>/dev/null; urc=$?
check "usage: a malformed symbol is exit 2" '[ $urc -eq 2 ]'
"$q" record --symbols NOSUCHCOIN --out "$tmp/u" --endpoint "$B" --seconds 20 2>"$tmp/u.err"; urc=$?
check "usage: a symbol the exchange does not list is exit 1, said" '[ $urc -eq 1 ] && grep -q "NOSUCHCOIN: exchangeInfo answered 400" "$tmp/u.err"'


# ---- nothing recorded is a failure (exit 1, the symbols and why named, even with --quiet) ----
# all at once, each a few seconds: port 1 refuses at once; https:// against the plain-HTTP
# exchange fails its TLS handshake; SIGTERM instead of --seconds; streams the exchange does not
# send (kline: the files hold their exchangeInfo line, finished, and no market line)
"$q" record --symbols BTCUSDT,ETHUSDT --out "$tmp/n1" --endpoint http://127.0.0.1:1 --seconds 1 --quiet 2>"$tmp/n1.err" &
n1=$!
"$q" record --symbols BTCUSDT --out "$tmp/n2" --endpoint "https://127.0.0.1:$exb_port" --seconds 2 --quiet 2>"$tmp/n2.err" &
n2=$!
"$q" record --symbols BTCUSDT --out "$tmp/n3" --endpoint http://127.0.0.1:1 --quiet 2>"$tmp/n3.err" &
n3=$!
"$q" record --symbols BTCUSDT,ETHUSDT --set record.streams=kline_1m --out "$tmp/n4" --endpoint "$A" --seconds 2 --quiet 2>"$tmp/n4.err" &
n4=$!
wait_for 'grep -q "exchangeInfo not answered" "$tmp/n3.err"'
kill -TERM $n3
wait $n1; n1rc=$?; wait $n2; n2rc=$?; wait $n3; n3rc=$?; wait $n4; n4rc=$?
check "nothing: a refused endpoint is exit 1, both symbols and the error named, no file" '[ $n1rc -eq 1 ] &&
  grep -q "^quoter: record: no market data recorded for 2 of 2 symbols.*BTCUSDT (exchangeInfo not answered: connection failed.*ETHUSDT (" "$tmp/n1.err" &&
  [ -z "$(find "$tmp/n1" -type f)" ]'
check "nothing: https:// against plain HTTP is exit 1, said" '[ $n2rc -eq 1 ] &&
  grep -q "^quoter: record: no market data recorded for 1 of 1 symbols.*BTCUSDT (exchangeInfo not answered: connection failed" "$tmp/n2.err"'
check "nothing: stopped by SIGTERM is exit 1 too, said" '[ $n3rc -eq 1 ] &&
  grep -q "^quoter: record: no market data recorded for 1 of 1 symbols.*BTCUSDT (exchangeInfo not answered" "$tmp/n3.err"'
check "nothing: streams that send nothing are exit 1, said, the files finished with one line" '[ $n4rc -eq 1 ] &&
  grep -q "^quoter: record: no market data recorded for 2 of 2 symbols.*: BTCUSDT (the streams sent nothing for it); ETHUSDT (the streams sent nothing for it)$" "$tmp/n4.err" &&
  gzip -t "$tmp"/n4/*/*.gz && [ "$(zcat "$tmp"/n4/*/*.gz | wc -l)" -eq 2 ]'
check "nothing: no sanitizer report" '! grep -qE "Sanitizer|runtime error" "$tmp"/n[1-4].err' 

# ---- lists: empty entries and duplicates refused (exit 2, the position named) ----
"$q" record --symbols BTCUSDT,,ETHUSDT --out "$tmp/l" 2>"$tmp/u.err"; urc=$?
check "usage: an empty symbol entry is exit 2, its position named" '[ $urc -eq 2 ] && grep -q "entry 2 is empty" "$tmp/u.err"'
"$q" record --symbols BTCUSDT,ETHUSDT,btcusdt --out "$tmp/l" 2>"$tmp/u.err"; urc=$?
check "usage: a symbol twice is exit 2, said" '[ $urc -eq 2 ] && grep -q "BTCUSDT is given twice (entries 1 and 3)" "$tmp/u.err"'
"$q" record --symbols BTCUSDT --set record.streams=depth@100ms,depth@100ms --out "$tmp/l" 2>"$tmp/u.err"; urc=$?
check "usage: a stream twice is exit 2, said" '[ $urc -eq 2 ] && grep -q "depth@100ms is given twice (entries 1 and 2)" "$tmp/u.err"'
"$q" record --symbols BTCUSDT --set record.streams=trade,,bookTicker --out "$tmp/l" 2>"$tmp/u.err"; urc=$?
check "usage: an empty stream entry is exit 2, its position named" '[ $urc -eq 2 ] && grep -q "entry 2 is empty" "$tmp/u.err"'
check "usage: nothing refused was created" '[ ! -e "$tmp/l" ]'

echo "record: $passes passed, $fails failed"
[ $fails -eq 0 ]
