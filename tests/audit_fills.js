#!/usr/bin/env node
/* audit_fills.js: an auditor of a backtest's fills that shares no code with the simulator.
 *
 *   node tests/audit_fills.js [--symbol SYM] [--clock exchange|local] [--quiet] [--trace] OUTDIR RECORDING...
 *
 * OUTDIR is what `quoter backtest --out OUTDIR` wrote (orders.csv, fills.csv); the recordings
 * are the files the backtest replayed, in the same order (gzip or plain collector format:
 * `<local ns> <raw JSON>` a line). It rebuilds the book from the raw data by the official
 * rules (REST snapshot, buffered depth diffs: drop u <= lastUpdateId, a diff whose U is past
 * the book's id + 1 is a gap that throws the book away until the next snapshot), then checks
 * every row of fills.csv against the market data, on the exchange's clock (ns): a trade at
 * T x 1e6, a depth diff at E x 1e6, a bookTicker (which has no time) anywhere inside the
 * 100 ms depth batch its update id `u` falls in (after the previous diff's E, at or before the
 * E of the diff whose [U,u] holds it), widened by BT_SLACK_*.
 *
 * Why it exists: the simulator decides fills; this decides, from the recording alone, whether
 * a fill could have happened. It is lenient where the truth is uncertain (it flags only what
 * cannot be right), so a pass says "nothing impossible", not "the simulator's model is right".
 *
 * Clocks. The contract puts the CSV's venue, live and cancel times on the exchange's clock (a
 * trade fill's venue_ns is its T x 1e6). A simulator may keep its exchange side on the local
 * clock instead, by the recording's causal offset (E + the least local - E of the lines so far),
 * as issue 9 words it. The fills tell which (their venue_ns against the raw T and E; --clock
 * forces one); on the local clock the auditor maps every T and E by its own estimate of that
 * offset, and "equal" means within CLOCK_TOL (the simulator's clock may be clamped to run
 * forward); the time windows then use the simulator's venue_ns where it agrees.
 *
 * The columns it needs (issue 9 contract, appended to the documented ones):
 *   fills.csv:  venue_ns (exchange ns of the fill), by (trade|cross|taker), source_id (trade id
 *               `t` for trade; the book update id for cross: a depthUpdate's final `u` or a
 *               bookTicker's `u`; empty for taker)
 *   orders.csv: live_ns (exchange ns at which the order rested or traded), cancel_ns (exchange
 *               ns at which its cancel reached the venue; empty: never)
 * Without them it prints "SKIP" and exits 77 (ctest's skip code): nothing can be audited.
 *
 * Checks, per fill row (each failure is one VIOLATION line naming the row):
 *  all:    venue_ns is set and lies in [live_ns, cancel_ns) (the simulator's own consistency);
 *          its order is in orders.csv with the same side; it is not larger than what the order
 *          had left; the order's fills add up to its `filled`; live_ns is set; the justifying
 *          event's time t (trade T, diff E, bookTicker window) satisfies live_ns <= t < cancel_ns
 *          (a request reaching the venue at x is handled before market events stamped x);
 *          a resting order (trade, cross) fills at its own price as maker.
 *  trade:  a trade of the symbol with id source_id exists; venue_ns == T x 1e6; its aggressor is
 *          on the other side (our buy: the buyer is the maker, m=true); its price is at or
 *          through ours (our buy: p <= our price); the sum of our fills naming that trade is
 *          at most its quantity. Fills at exactly our price must also pass the queue ahead,
 *          the risk-averse queue run from the last exact depth state before live_ns (the
 *          book after the diff before it): ahead starts at the quantity shown at our price
 *          there; a trade at our price eats ahead first (before live_ns it only shortens the
 *          queue), the rest is fillable by us; any later sight of the level caps ahead at what
 *          it shows (a diff at its E, a bookTicker at the earliest its window allows); a trade
 *          through our price empties it. The order's at-price trade fills, up to each one's
 *          trade, must not exceed that fillable volume. Cancels ahead count as early as the
 *          data allows, so this flags only fills that outran every queue the data permits.
 *  cross:  a depthUpdate with final u == source_id, or a bookTicker with u == source_id, exists
 *          (when both do, either may justify it); for a diff venue_ns == E x 1e6, for a
 *          bookTicker venue_ns inside its window (only warned: the simulator estimates it);
 *          the book at that update (the depth book after the diff; for a bookTicker its top over
 *          the depth book) shows the other side at or through our price, with at least the
 *          fill's quantity there; all our fills naming that update together use no more than
 *          that crossing quantity; and crossing quantity used once is not used again at later
 *          updates unless the book showed it again: per price level we keep what our cross
 *          fills used, and give it back as soon as the level shows less than when we used it
 *          (so only a clear second use of the same shown quantity is flagged).
 *  taker:  venue_ns == live_ns; its price is within the order's limit; some view of the book at
 *          live_ns (the depth book before it, after it, or a bookTicker of that batch) had the
 *          other side at that price with at least the order's taker quantity at that price.
 *  (empty by, or anything else): a violation: every simulated fill says what made it.
 *
 * Output: one line per violation (or warning), then
 *   audit_fills: SYMBOL clock=C fills=N trade=N cross=N taker=N orders=N gaps=N violations=N warnings=N
 * Exit status: 0 no violation, 1 violations, 2 bad usage or unreadable input, 77 columns absent.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const MS = 1000000n;
const BT_SLACK_LO = 50n * MS; /* a batch's cut is not exact: an update may precede the previous E a little */
const BT_SLACK_HI = 5n * MS;  /* E has ms resolution */
const CLOCK_TOL = 20n * MS; /* on the local clock: how far the simulator's offset may stray from ours */
const NEG_INF = -(1n << 62n), POS_INF = 1n << 62n;

function usage(msg) {
  if (msg) process.stderr.write(`audit_fills: ${msg}\n`);
  process.stderr.write('usage: node audit_fills.js [--symbol SYM] [--clock exchange|local] [--quiet] [--trace] OUTDIR RECORDING...\n' +
    '  --symbol SYM  the traded symbol (default: the recording\'s only one)\n' +
    '  --clock C     the clock of the CSV\'s exchange times (default: told by the fills)\n' +
    '  --quiet       print violations and the summary only; --trace: per fill, how near it came (stderr)\n');
  process.exit(2);
}
function die(msg) { process.stderr.write(`audit_fills: ${msg}\n`); process.exit(2); }

/* ---- numbers: decimals as integers of 1e-8 (exact for Binance's 8 decimals) ---- */
function dec(s) {
  if (typeof s !== 'string' || !/^-?\d+(\.\d*)?$/.test(s)) return NaN;
  const neg = s[0] === '-';
  if (neg) s = s.slice(1);
  let [i, f = ''] = s.split('.');
  f = f.replace(/0+$/, '');
  if (f.length > 8) return NaN;
  const v = Number(i) * 1e8 + Number((f + '00000000').slice(0, 8));
  return neg ? -v : v;
}
function fmt(v) { return (v / 1e8).toFixed(8); }
function big(s) {
  if (s === undefined || s === '') return null;
  if (!/^-?\d+$/.test(s)) die(`"${s}" is not a time in integer ns`);
  return BigInt(s);
}

/* ---- CSV ---- */
function splitCsv(line) {
  const out = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}
function readCsv(file) {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { die(`${file}: ${e.message}`); }
  const lines = text.split('\n').filter((l) => l.length);
  if (!lines.length) die(`${file}: empty (no header)`);
  const head = splitCsv(lines[0]);
  const rows = [];
  for (let n = 1; n < lines.length; n++) {
    let f = splitCsv(lines[n]);
    /* an unquoted `reason` with commas in it: the extra fields belong to it */
    const ri = head.indexOf('reason');
    if (f.length > head.length && ri >= 0) {
      const extra = f.length - head.length;
      f = f.slice(0, ri).concat([f.slice(ri, ri + extra + 1).join(',')], f.slice(ri + extra + 1));
    }
    if (f.length !== head.length) die(`${file}:${n + 1}: ${f.length} fields, the header has ${head.length}`);
    const o = { row: n + 1 };
    head.forEach((h, k) => { o[h] = f[k]; });
    rows.push(o);
  }
  return { head, rows };
}

/* ---- the recording ---- */
function readRecording(files, want) {
  const diffs = [], bts = [], trades = [], snaps = [];
  const seen = new Map(); /* symbol -> lines */
  let bad = 0;
  let off = null; /* the least local - E seen so far: the recording's causal clock offset */
  for (const file of files) {
    let buf;
    try { buf = fs.readFileSync(file); } catch (e) { die(`${file}: ${e.message}`); }
    if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      try { buf = zlib.gunzipSync(buf); } catch (e) { die(`${file}: ${e.message}`); }
    }
    const text = buf.toString('utf8');
    let pos = 0, lineno = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      const line = text.slice(pos, nl);
      pos = nl + 1;
      lineno++;
      const sp = line.indexOf(' ');
      if (sp <= 0) { if (line.trim()) bad++; continue; }
      let j;
      try { j = JSON.parse(line.slice(sp + 1)); } catch (e) { bad++; continue; }
      const where = `${path.basename(file)}:${lineno}`;
      if (j && j.data && j.data.E !== undefined) {
        const d = BigInt(line.slice(0, sp)) - BigInt(j.data.E) * MS;
        if (off === null || d < off) off = d;
      }
      if (j && j.lastUpdateId !== undefined && j.bids) {
        snaps.push({ seq: diffs.length, id: j.lastUpdateId, bids: j.bids, asks: j.asks, where });
        continue;
      }
      if (!j || !j.stream || !j.data) { bad++; continue; }
      const d = j.data;
      const sym = (d.s || j.stream.split('@')[0]).toUpperCase();
      seen.set(sym, (seen.get(sym) || 0) + 1);
      if (want && sym !== want) continue;
      if (d.e === 'depthUpdate') diffs.push({ U: d.U, u: d.u, E: BigInt(d.E) * MS, off, b: d.b, a: d.a, sym, where });
      else if (d.e === 'trade')
        trades.push({ t: d.t, p: dec(d.p), q: dec(d.q), T: BigInt(d.T) * MS, off, m: !!d.m, sym, where });
      else if (d.e === undefined && d.u !== undefined && d.b !== undefined)
        bts.push({ u: d.u, b: dec(d.b), B: dec(d.B), a: dec(d.a), A: dec(d.A), sym, where });
    }
  }
  let symbol = want;
  if (!symbol) {
    if (seen.size === 0) die('no stream line in the recording');
    if (seen.size > 1) die(`several symbols in the recording (${[...seen.keys()].join(', ')}): name one with --symbol`);
    symbol = [...seen.keys()][0];
    for (const a of [diffs, trades, bts]) for (const x of a) if (x.sym !== symbol) die('internal: symbol filter');
  } else if (!seen.has(symbol)) die(`the recording has no line of ${symbol} (it has ${[...seen.keys()].join(', ') || 'none'})`);
  return { diffs, bts, trades, snaps, bad, symbol };
}

/* The official synchronisation, in the recording's order: which diffs apply, where the
   snapshots go and where a gap throws the book away. Returns the ops in update-id order. */
function syncOps(rec) {
  const ops = [];
  let id = null; /* the book's update id; null: no book */
  let buffer = [];
  let si = 0, gaps = 0;
  const applyDiff = (d) => {
    if (d.u <= id) return; /* older than the book */
    if (d.U > id + 1) { /* updates were lost: throw the book away */
      gaps++;
      ops.push({ k: 'reset', u: d.U });
      id = null;
      buffer = [d];
      return;
    }
    ops.push({ k: 'diff', u: d.u, d });
    d.applied = true;
    id = d.u;
  };
  for (let i = 0; i <= rec.diffs.length; i++) {
    while (si < rec.snaps.length && rec.snaps[si].seq === i) {
      const s = rec.snaps[si++];
      if (id !== null) continue; /* already synchronised: a later snapshot is not needed */
      if (buffer.length && s.id < buffer[0].U - 1) continue; /* too old for the buffered diffs */
      ops.push({ k: 'snap', u: s.id, s });
      id = s.id;
      const b = buffer;
      buffer = [];
      for (const d of b) if (id !== null) applyDiff(d); else buffer.push(d);
    }
    if (i === rec.diffs.length) break;
    const d = rec.diffs[i];
    if (id === null) buffer.push(d);
    else applyDiff(d);
  }
  return { ops, gaps };
}

/* ---- the audit ---- */
function main() {
  const args = process.argv.slice(2);
  let want = null, quiet = false, clock = null, trace = false;
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--symbol') want = (args[++i] || usage('--symbol needs a value')).toUpperCase();
    else if (args[i] === '--quiet') quiet = true;
    else if (args[i] === '--trace') trace = true;
    else if (args[i] === '--clock') {
      clock = args[++i];
      if (clock !== 'exchange' && clock !== 'local') usage('--clock is exchange or local');
    }
    else if (args[i] === '-h' || args[i] === '--help') usage();
    else if (args[i].startsWith('-')) usage(`unknown option ${args[i]}`);
    else pos.push(args[i]);
  }
  if (pos.length < 2) usage('need OUTDIR and at least one recording');
  const dir = pos[0];
  const orders = readCsv(path.join(dir, 'orders.csv'));
  const fills = readCsv(path.join(dir, 'fills.csv'));
  const missing = [];
  for (const c of ['venue_ns', 'by', 'source_id']) if (!fills.head.includes(c)) missing.push(`fills.csv:${c}`);
  for (const c of ['live_ns', 'cancel_ns']) if (!orders.head.includes(c)) missing.push(`orders.csv:${c}`);
  if (missing.length) {
    console.log(`audit_fills: SKIP: ${missing.join(' ')} absent (the simulator does not write issue 9's columns yet); nothing audited`);
    process.exit(77);
  }

  const rec = readRecording(pos.slice(1), want);

  /* Which clock the CSV's times are on. The contract says the exchange's (a trade fill's
     venue_ns is its T x 1e6); a simulator may instead keep the exchange side on the local
     clock by the recording's causal offset (E + the least local - E seen so far), as the
     issue words it. The fills tell which: their venue_ns against the raw T and E. On the
     local clock this auditor maps T and E by its own offset estimate, and the simulator's
     may differ a little (it clamps its clock to run forward), hence the tolerance. */
  {
    const trById = new Map(rec.trades.map((t) => [t.t, t]));
    const dfByU = new Map(rec.diffs.map((d) => [d.u, d]));
    /* the clock each fill fits better: |venue_ns - raw| against |venue_ns - (raw + offset)| */
    const btU = new Map(rec.bts.map((b) => [b.u, b]));
    const sortedDiffs = rec.diffs.slice().sort((x, y) => x.u - y.u);
    let ex = 0, lo = 0;
    const abs = (x) => (x < 0n ? -x : x);
    for (const f of fills.rows) {
      const v = big(f.venue_ns);
      if (v === null) continue;
      const t = f.by === 'trade' && trById.get(Number(f.source_id));
      const d = f.by === 'cross' && dfByU.get(Number(f.source_id));
      const e = t ? [t.T, t.off] : d ? [d.E, d.off] : null;
      if (!e) {
        /* a bookTicker cross: which clock puts venue_ns inside its window */
        const b = f.by === 'cross' && btU.get(Number(f.source_id));
        if (!b) continue;
        let k0 = 0, k1 = sortedDiffs.length;
        while (k0 < k1) { const m = (k0 + k1) >> 1; if (sortedDiffs[m].u < b.u) k0 = m + 1; else k1 = m; }
        const p = sortedDiffs[k0 - 1], c = sortedDiffs[k0];
        if (!p || !c) continue;
        const inEx = v >= p.E - BT_SLACK_LO && v <= c.E + BT_SLACK_HI;
        const inLo = v >= p.E + p.off - BT_SLACK_LO && v <= c.E + c.off + BT_SLACK_HI;
        if (inLo && !inEx) lo++;
        else if (inEx && !inLo) ex++;
        continue;
      }
      const a = abs(v - e[0]), b = abs(v - e[0] - e[1]);
      if (b < a) lo++;
      else if (a < b) ex++;
    }
    const detected = lo > ex ? 'local' : 'exchange';
    if (!clock) clock = detected;
    if (clock === 'local') {
      for (const d of rec.diffs) d.E += d.off;
      for (const t of rec.trades) t.T += t.off;
    }
  }
  const tol = clock === 'local' ? CLOCK_TOL : 0n;
  const near = (v, x) => v !== null && v - x <= tol && x - v <= tol;
  const ms = (v) => (Number(v) / 1e6).toFixed(3);
  const { ops, gaps } = syncOps(rec);

  const violations = [], warnings = [];
  const bad = (f, msg) => violations.push(`VIOLATION fills.csv:${f.row} ${f.client_order_id} by=${f.by} source_id=${f.source_id}: ${msg}`);
  const warn = (f, msg) => warnings.push(`warning fills.csv:${f.row} ${f.client_order_id} by=${f.by} source_id=${f.source_id}: ${msg}`);
  const badOrder = (o, msg) => violations.push(`VIOLATION orders.csv:${o.row} ${o.client_order_id}: ${msg}`);

  /* orders */
  const byCid = new Map();
  for (const o of orders.rows) {
    o.buy = o.side === 'BUY';
    o.P = dec(o.price);
    o.Q = dec(o.qty);
    o.F = dec(o.filled);
    o.live = big(o.live_ns);
    o.cancel = big(o.cancel_ns);
    o.sum = 0;
    if (byCid.has(o.client_order_id)) badOrder(o, `client_order_id also on orders.csv:${byCid.get(o.client_order_id).row}`);
    byCid.set(o.client_order_id, o);
  }

  /* market data indexes */
  const tradeById = new Map();
  for (const t of rec.trades) tradeById.set(t.t, t);
  const tradesByT = rec.trades.slice().sort((x, y) => (x.T < y.T ? -1 : x.T > y.T ? 1 : x.t - y.t));
  /* all diffs (applied or not) give the time windows of bookTickers */
  const allDiffs = rec.diffs.slice().sort((x, y) => x.u - y.u);
  const diffByU = new Map();
  for (const d of allDiffs) diffByU.set(d.u, d);
  const btByU = new Map();
  {
    let k = 0;
    for (const b of rec.bts) {
      while (k < allDiffs.length && allDiffs[k].u < b.u) k++;
      b.lo = k > 0 ? allDiffs[k - 1].E - BT_SLACK_LO : NEG_INF;
      b.hi = k < allDiffs.length ? allDiffs[k].E + BT_SLACK_HI : POS_INF;
      btByU.set(b.u, b);
    }
  }
  /* the start of each diff's batch: the previous diff's E (the earliest its changes can be true) */
  for (let k = 0; k < allDiffs.length; k++) allDiffs[k].lo = k > 0 ? allDiffs[k - 1].E : allDiffs[k].E - 100n * MS;

  /* fills: the checks that need no book */
  const count = { trade: 0, cross: 0, taker: 0 };
  const crossBySrc = new Map(); /* source u -> [fill] */
  const takerFills = [];
  const queueOrders = new Map(); /* order -> [at-price trade fill] */
  const perTrade = new Map(); /* trade id -> sum of our fills */
  for (const f of fills.rows) {
    f.q = dec(f.qty);
    f.p = dec(f.price);
    f.vns = big(f.venue_ns);
    const o = byCid.get(f.client_order_id);
    if (!o) { bad(f, 'no such order in orders.csv'); continue; }
    f.o = o;
    if (o.side !== f.side) bad(f, `side ${f.side}, its order is ${o.side}`);
    o.sum += f.q;
    if (o.sum > o.Q) bad(f, `the order's fills reach ${fmt(o.sum)}, more than its qty ${o.qty}`);
    if (o.live === null) { bad(f, 'its order has no live_ns (never live at the venue)'); continue; }
    const within = (t, what) => {
      if (t < o.live) bad(f, `${what} ${t} is before the order went live (live_ns ${o.live}, ${Number(o.live - t) / 1e6} ms later): a stale event`);
      if (o.cancel !== null && t >= o.cancel) bad(f, `${what} ${t} is at or after the order's cancel reached the venue (cancel_ns ${o.cancel})`);
    };
    /* the simulator's own word: the fill's time lies in the order's life */
    if (f.vns === null) bad(f, 'venue_ns is empty: a simulated fill has a time at the venue');
    else if (f.vns < o.live || (o.cancel !== null && f.vns >= o.cancel))
      bad(f, `venue_ns ${f.venue_ns} is outside the order's life at the venue [live_ns ${o.live}, cancel_ns ${o.cancel ?? 'none'})`);
    if (f.by === 'trade' || f.by === 'cross') {
      if (f.p !== o.P) bad(f, `a resting order fills at its own price ${o.price}, not ${f.price}`);
      if (f.maker !== undefined && f.maker !== '1') bad(f, 'a resting order fills as maker (maker=1)');
    }
    if (f.by === 'trade') {
      count.trade++;
      const t = tradeById.get(Number(f.source_id));
      if (!t) { bad(f, `no ${rec.symbol} trade with id ${f.source_id} in the recording`); continue; }
      if (trace) console.error(`dT ${f.client_order_id} ${ms((f.vns ?? 0n) - t.T)}`);
      if (!near(f.vns, t.T)) bad(f, `venue_ns ${f.venue_ns} is not the trade's T ${clock === 'local' ? 'on the local clock' : 'x 1e6'} (${t.T}; off by ${ms((f.vns ?? 0n) - t.T)} ms)`);
      within(clock === 'local' && near(f.vns, t.T) ? f.vns : t.T, 'the trade\'s time T');
      if (t.m !== o.buy) bad(f, `trade ${t.t} (${t.where}) has its aggressor on our side (m=${t.m}, we ${o.side})`);
      if (o.buy ? t.p > o.P : t.p < o.P) bad(f, `trade ${t.t} at ${fmt(t.p)} is not at or through our price ${o.price}`);
      const s = (perTrade.get(t.t) || 0) + f.q;
      perTrade.set(t.t, s);
      if (s > t.q) bad(f, `our fills on trade ${t.t} reach ${fmt(s)}, more than its quantity ${fmt(t.q)}`);
      if (t.p === o.P && t.m === o.buy) {
        f.trade = t;
        if (!queueOrders.has(o)) queueOrders.set(o, []);
        queueOrders.get(o).push(f);
      }
    } else if (f.by === 'cross') {
      count.cross++;
      const u = Number(f.source_id);
      const d = diffByU.get(u), b = btByU.get(u);
      if (!f.source_id || (!d && !b)) { bad(f, `no ${rec.symbol} depthUpdate (final u) or bookTicker with update id ${f.source_id}`); continue; }
      /* timing: any candidate event whose time fits */
      const cands = [];
      if (d) {
        const x = clock === 'local' && near(f.vns, d.E) ? f.vns : d.E;
        cands.push({ lo: x, hi: x, exact: true, ev: d });
      }
      if (b) cands.push({ lo: b.lo, hi: b.hi, exact: false, ev: b });
      const fits = (c) => c.hi >= o.live && (o.cancel === null || c.lo < o.cancel);
      const ok = cands.filter(fits);
      if (!ok.length) {
        const c = cands[0];
        if (c.hi < o.live) bad(f, `update ${u} (${c.ev.where}) happened by ${c.hi}, before the order went live (live_ns ${o.live}): a stale event`);
        else bad(f, `update ${u} (${c.ev.where}) happened at ${c.lo} or later, at or after the order's cancel (cancel_ns ${o.cancel})`);
      }
      if (trace && d) console.error(`dE ${f.client_order_id} ${ms((f.vns ?? 0n) - d.E)}`);
      if (trace && b) console.error(`bt ${f.client_order_id} ${ms((f.vns ?? 0n) - b.lo)} ${ms(b.hi - (f.vns ?? 0n))}`);
      const vfits = cands.some((c) => (c.exact ? near(f.vns, c.ev.E) : f.vns !== null && f.vns >= c.lo && f.vns <= c.hi));
      if (!vfits) {
        if (d && !b) bad(f, `venue_ns ${f.venue_ns} is not the depthUpdate's E ${clock === 'local' ? 'on the local clock' : 'x 1e6'} (${d.E}; off by ${ms((f.vns ?? 0n) - d.E)} ms)`);
        else if (d) bad(f, `venue_ns ${f.venue_ns} is neither the depthUpdate's E (${d.E}) nor inside the bookTicker's window`);
        else warn(f, `venue_ns ${f.venue_ns} is outside the bookTicker's window ${b.lo}..${b.hi}`);
      }
      f.cands = ok.length ? ok.map((c) => c.ev) : cands.map((c) => c.ev);
      if (!crossBySrc.has(u)) crossBySrc.set(u, []);
      crossBySrc.get(u).push(f);
    } else if (f.by === 'taker') {
      count.taker++;
      if (f.vns !== o.live) bad(f, `a taker fill happens on arrival: venue_ns ${f.venue_ns} is not live_ns ${o.live_ns}`);
      within(o.live, 'its arrival');
      if (o.buy ? f.p > o.P : f.p < o.P) bad(f, `taker price ${f.price} beyond the order's limit ${o.price}`);
      if (f.maker !== undefined && f.maker !== '0') bad(f, 'a taker fill is not maker');
      takerFills.push(f);
    } else {
      bad(f, `by is "${f.by}": every simulated fill must say what made it (trade, cross, taker)`);
    }
  }
  for (const o of orders.rows) if (o.sum !== o.F && !Number.isNaN(o.F)) badOrder(o, `filled ${o.filled}, but its fills in fills.csv add up to ${fmt(o.sum)}`);

  /* ---- one pass over the book events in update-id order ---- */
  const depth = { bid: new Map(), ask: new Map() };
  let bookId = null; /* null: no synchronised book */
  let bt = null;     /* the latest bookTicker */
  const setLevels = (side, levels, changed) => {
    for (const [ps, qs] of levels) {
      const p = dec(ps), q = dec(qs);
      if (q === 0) depth[side].delete(p); else depth[side].set(p, q);
      if (changed) changed.push([side, p, q]);
    }
  };
  /* the quantity shown at a price: the depth book, under a newer bookTicker's top */
  const overlay = () => bt && (bookId === null || bt.u > bookId);
  const view = (side, p) => {
    if (overlay()) {
      if (side === 'bid') { if (p > bt.b) return 0; if (p === bt.b) return bt.B; }
      else { if (p < bt.a) return 0; if (p === bt.a) return bt.A; }
    }
    return bookId === null ? 0 : depth[side].get(p) || 0;
  };
  /* the levels of `side` at or through price P for an order of ours on the other side */
  const crossing = (side, P) => {
    const out = [];
    const through = (p) => (side === 'ask' ? p <= P : p >= P);
    const ov = overlay();
    if (ov) {
      const tp = side === 'ask' ? bt.a : bt.b, tq = side === 'ask' ? bt.A : bt.B;
      if (tp > 0 && through(tp)) out.push([tp, tq]);
    }
    if (bookId !== null)
      for (const [p, q] of depth[side]) {
        if (!through(p)) continue;
        if (ov && (side === 'ask' ? p <= bt.a : p >= bt.b)) continue;
        out.push([p, q]);
      }
    return out;
  };

  /* what our cross fills used, per side and level: [used, shown when last seen] */
  const used = { bid: new Map(), ask: new Map() };
  const release = () => {
    for (const side of ['bid', 'ask'])
      for (const [p, e] of used[side]) {
        const v = view(side, p);
        if (v < e[1]) e[0] = Math.max(0, e[0] - (e[1] - v));
        e[1] = v;
        if (e[0] <= 0) used[side].delete(p);
      }
  };
  const checkCross = (u, isDiff) => {
    const list = crossBySrc.get(u);
    if (!list) return;
    const ev = isDiff ? diffByU.get(u) : btByU.get(u);
    const mine = list.filter((f) => !f.checked && f.cands.includes(ev));
    if (!mine.length) return;
    const laterDiff = !isDiff && diffByU.has(u) && diffByU.get(u).applied && mine.some((f) => f.cands.includes(diffByU.get(u)));
    const results = [];
    let allOk = true;
    /* ours on each side, the order with the fewest levels open to it first */
    const sorted = mine.slice().sort((x, y) => (x.o.buy !== y.o.buy ? (x.o.buy ? -1 : 1) : x.o.buy ? x.o.P - y.o.P : y.o.P - x.o.P));
    const take = new Map(); /* `${side}:${p}` -> used at this update */
    for (const f of sorted) {
      const side = f.o.buy ? 'ask' : 'bid';
      const lv = crossing(side, f.o.P);
      const shown = lv.reduce((s, [, q]) => s + q, 0);
      let free = 0;
      const room = lv.map(([p, q]) => {
        const k = `${side}:${p}`;
        const prior = used[side].has(p) ? used[side].get(p)[0] : 0;
        const r = Math.max(0, q - prior - (take.get(k) || 0));
        free += r;
        return [p, r, k];
      });
      if (!lv.length) { results.push([f, `update ${u} (${ev.where}) does not show the ${side} at or through our price ${f.o.price}`]); allOk = false; continue; }
      if (f.q > shown) { results.push([f, `update ${u} (${ev.where}) shows ${fmt(shown)} crossing our price ${f.o.price}, less than the fill`]); allOk = false; continue; }
      if (f.q > free) {
        const sum = mine.filter((g) => g.o.buy === f.o.buy).reduce((s, g) => s + g.q, 0);
        results.push([f, sum > shown
          ? `our fills on update ${u} (${ev.where}) reach ${fmt(sum)}, more than the ${fmt(shown)} crossing`
          : `crossing quantity already used by our earlier cross fills (${fmt(shown - free)} of the ${fmt(shown)} shown at update ${u}, ${ev.where}, was used before and not shown anew)`]);
        allOk = false;
        continue;
      }
      /* use the levels nearest our price first: the deeper ones stay open to more orders */
      room.sort((x, y) => (side === 'ask' ? y[0] - x[0] : x[0] - y[0]));
      let left = f.q;
      for (const [, r, k] of room) {
        const n = Math.min(r, left);
        if (n > 0) take.set(k, (take.get(k) || 0) + n);
        left -= n;
        if (!left) break;
      }
      results.push([f, null]);
    }
    if (!allOk && laterDiff) return; /* the diff with the same id may justify them */
    for (const [f, msg] of results) { f.checked = true; if (msg) bad(f, msg); }
    for (const [k, n] of take) {
      const [side, ps] = k.split(':');
      const p = Number(ps);
      const e = used[side].get(p) || [0, view(side, p)];
      e[0] += n;
      e[1] = view(side, p);
      used[side].set(p, e);
    }
  };

  /* book views around a time: taker checks and the queue ahead at live_ns */
  const queries = [];
  for (const f of takerFills) {
    const side = f.o.buy ? 'ask' : 'bid';
    const need = takerFills.filter((g) => g.o === f.o && g.p === f.p).reduce((s, g) => s + g.q, 0);
    queries.push({ t: f.o.live, f, best: 0, see() { this.best = Math.max(this.best, view(side, f.p)); },
      end() { if (this.best < need) bad(f, `the book around live_ns ${f.o.live} never showed ${fmt(need)} on the ${side} at ${f.price} (at most ${fmt(this.best)})`); } });
  }
  const qinfo = new Map(); /* order -> {Q0, t0, u0, obs: [[t, qty, u]]} */
  const watch = new Map(); /* `${side}:${P}` -> [info] */
  for (const [o] of queueOrders) {
    const side = o.buy ? 'bid' : 'ask';
    const info = { Q0: 0, t0: o.live, u0: -1, obs: [], side, P: o.P, o };
    qinfo.set(o, info);
    const k = `${side}:${o.P}`;
    if (!watch.has(k)) watch.set(k, []);
    watch.get(k).push(info);
    /* the last exact state before live_ns: the depth book after the diff before it */
    queries.push({ t: o.live, first() { info.Q0 = view(side, o.P); if (curE !== null) { info.t0 = curE; info.u0 = bookId; } },
      see() {}, end() {} });
  }
  queries.sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : 0));
  let qi = 0;
  let open = [];
  let curE = null; /* E of the last diff applied */
  /* diff times of the applied ops, to know which queries a diff's batch straddles */
  const merged = [];
  {
    let b = 0;
    for (const op of ops) {
      while (b < rec.bts.length && rec.bts[b].u <= op.u) merged.push({ k: 'bt', u: rec.bts[b].u, b: rec.bts[b++] });
      merged.push(op);
    }
    while (b < rec.bts.length) merged.push({ k: 'bt', u: rec.bts[b].u, b: rec.bts[b++] });
  }
  /* a query stamped t sees the book after the last diff with E < t (a request reaching the
     venue at x comes before market events stamped x), every bookTicker of the batch that
     straddles t, and the book after that batch's diff: it opens after the diff before t */
  const openUntil = (t) => {
    while (qi < queries.length && queries[qi].t <= t) {
      const q = queries[qi++];
      if (q.first) q.first();
      q.see();
      open.push(q);
    }
  };
  const diffOps = ops.filter((op) => op.k === 'diff');
  diffOps.forEach((op, k) => { op.nextE = k + 1 < diffOps.length ? diffOps[k + 1].d.E : POS_INF; });
  openUntil(diffOps.length ? diffOps[0].d.E : POS_INF);
  for (const ev of merged) {
    if (ev.k === 'bt') {
      bt = ev.b;
      release();
      for (const q of open) q.see();
      for (const [k, infos] of watch) {
        const [side, ps] = k.split(':');
        const P = Number(ps);
        const tp = side === 'bid' ? bt.b : bt.a;
        if (side === 'bid' ? tp > P : tp < P) continue; /* the top is better: says nothing of P */
        const v = tp === P ? (side === 'bid' ? bt.B : bt.A) : 0;
        for (const info of infos) if (bt.hi + 1000n * MS >= info.o.live) info.obs.push([bt.lo, v, bt.u]);
      }
      checkCross(ev.u, false);
      continue;
    }
    if (ev.k === 'reset') { bookId = null; curE = null; depth.bid.clear(); depth.ask.clear(); release(); continue; }
    if (ev.k === 'snap') {
      depth.bid.clear(); depth.ask.clear();
      setLevels('bid', ev.s.bids); setLevels('ask', ev.s.asks);
      bookId = ev.u;
      release();
      continue;
    }
    const d = ev.d;
    const changed = [];
    setLevels('bid', d.b, changed);
    setLevels('ask', d.a, changed);
    bookId = d.u;
    curE = d.E;
    release();
    for (const q of open) { q.see(); q.end(); }
    open = [];
    openUntil(ev.nextE);
    for (const [side, p] of changed) {
      const infos = watch.get(`${side}:${p}`);
      if (infos) for (const info of infos) if (d.E + 1000n * MS >= info.o.live) info.obs.push([d.E, view(side, p), d.u]);
    }
    checkCross(d.u, true);
  }
  for (const q of open) q.end();
  for (const [u, list] of crossBySrc)
    for (const f of list) if (!f.checked) bad(f, `update ${u} is outside the synchronised book (before the snapshot or in a gap)`);

  /* ---- the queue ahead of each order with fills at its own price ----
     The risk-averse queue, run from the last exact depth state before live_ns (t0): ahead
     starts at the quantity shown at our price there; every trade at our price eats ahead
     first (before live_ns it only eats ahead); every later sight of the level caps ahead at
     what it shows (a diff at its E, a bookTicker at the earliest it can be true); a trade
     through our price empties it. What trades at our price leave past ahead is fillable. */
  for (const [o, fl] of queueOrders) {
    const info = qinfo.get(o);
    let ahead = info.Q0;
    const t0 = info.t0;
    const last = fl.reduce((m, f) => (f.trade.T > m ? f.trade.T : m), 0n);
    const evs = info.obs.filter(([t, , u]) => u > info.u0 && t <= last).map(([t, v]) => ({ t: t > t0 ? t : t0, v, k: 0 }));
    const liveEdge = o.live - tol; /* a trade this near live_ns may have been after it on the simulator's clock */
    for (const t of tradesByT) {
      if (t.T <= t0) continue;
      if (t.T > last) break;
      if (t.m !== o.buy) continue;
      if (o.buy ? t.p > o.P : t.p < o.P) continue;
      evs.push({ t: t.T, k: 1, tr: t });
    }
    evs.sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : x.k - y.k || (x.k ? x.tr.t - y.tr.t : 0)));
    const mineBy = new Map();
    for (const f of fl) mineBy.set(f.trade.t, (mineBy.get(f.trade.t) || 0) + f.q);
    let fillable = 0, filled = 0, volume = 0, atLive = null;
    for (const e of evs) {
      if (atLive === null && e.t >= liveEdge) atLive = ahead;
      if (e.k === 0) { ahead = Math.min(ahead, e.v); continue; }
      if (e.tr.p !== o.P) { ahead = 0; continue; } /* traded through our price: nothing left ahead */
      const eat = Math.min(ahead, e.tr.q);
      ahead -= eat;
      if (e.t < liveEdge) continue; /* before we were there: it only shortened the queue */
      fillable += e.tr.q - eat;
      volume += e.tr.q;
      const m = mineBy.get(e.tr.t);
      if (m) {
        filled += m;
        if (trace) console.error(`queue ${o.client_order_id} t=${e.tr.t} filled=${fmt(filled)} fillable=${fmt(fillable)} atLive=${fmt(atLive ?? -1)}`);
        if (filled > fillable) {
          const f = fl.find((g) => g.trade.t === e.tr.t);
          bad(f, `at-price fills reach ${fmt(filled)} by trade ${e.tr.t}, more than the ${fmt(fillable)} the queue ahead lets through (ahead at live at least ${fmt(atLive ?? ahead)}, volume at our price since live ${fmt(volume)})`);
          fillable = filled; /* report each excess once */
        }
      }
    }
  }

  if (!quiet || violations.length) for (const v of violations) console.log(v);
  if (!quiet) for (const w of warnings) console.log(w);
  console.log(`audit_fills: ${rec.symbol} clock=${clock} fills=${fills.rows.length} trade=${count.trade} cross=${count.cross} taker=${count.taker} orders=${orders.rows.length} gaps=${gaps} violations=${violations.length} warnings=${warnings.length}`);
  process.exit(violations.length ? 1 : 0);
}

main();
