// obs_check.js: readers for tests/run_obs.sh, independent of quoter's own code.
//   node obs_check.js exposition FILE [EARLIER]  checks a Prometheus text page (format 0.0.4):
//       every sample under a # TYPE'd family, values numbers, counters >= 0, histogram buckets
//       cumulative with le increasing and ending at +Inf == _count; with EARLIER (a scrape
//       taken before) no counter went down. Prints "name{labels} value" lines asked by --get.
//   node obs_check.js jsonl FILE  checks that every line is one JSON object with time, level,
//       source and msg; prints how many lines, order events and status lines it read.
'use strict';
const fs = require('fs');
const [mode, file, ...rest] = process.argv.slice(2);
const fail = (msg) => { console.log('FAIL: ' + msg); process.exitCode = 1; };

function readPage(path) {
  const text = fs.readFileSync(path, 'utf8');
  if (!text.endsWith('\n')) fail(path + ': the page does not end with a newline');
  const types = new Map(), samples = new Map();
  const hist = new Map(); // name -> {last le, last cum, inf, count}
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m;
    if ((m = /^# HELP (\S+) (.+)$/.exec(line))) continue;
    if ((m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      if (types.has(m[1])) fail('family typed twice: ' + m[1]);
      types.set(m[1], m[2]);
      continue;
    }
    if (line.startsWith('#')) { fail('a comment that is neither HELP nor TYPE: ' + line); continue; }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) { fail('not a sample line: ' + line); continue; }
    const [, name, labels = '', val] = m;
    const v = val === '+Inf' ? Infinity : val === '-Inf' ? -Infinity : val === 'NaN' ? NaN : Number(val);
    if (val === '' || (Number.isNaN(v) && val !== 'NaN')) fail('not a number: ' + line);
    let fam = types.has(name) ? name : null, part = '';
    for (const suf of ['_bucket', '_sum', '_count'])
      if (!fam && name.endsWith(suf) && types.get(name.slice(0, -suf.length)) === 'histogram') {
        fam = name.slice(0, -suf.length); part = suf;
      }
    if (!fam) { fail('a sample without a # TYPE line for its family: ' + line); continue; }
    const type = types.get(fam);
    if (type === 'counter' && !(v >= 0)) fail('a counter below 0: ' + line);
    if (type === 'histogram') {
      const h = hist.get(fam) || { le: -Infinity, cum: 0, inf: null, count: null };
      if (part === '_bucket') {
        const le = /le="([^"]+)"/.exec(labels);
        if (!le) { fail('a bucket without le: ' + line); continue; }
        const b = le[1] === '+Inf' ? Infinity : Number(le[1]);
        if (!(b > h.le)) fail('bucket bounds do not increase: ' + line);
        if (v < h.cum) fail('buckets are not cumulative: ' + line);
        h.le = b; h.cum = v;
        if (b === Infinity) h.inf = v;
      } else if (part === '_count') h.count = v;
      hist.set(fam, h);
    }
    samples.set(name + labels, { v, type, fam });
  }
  for (const [fam, h] of hist) {
    if (h.inf === null) fail(fam + ': no +Inf bucket');
    if (h.inf !== h.count) fail(fam + ': +Inf bucket ' + h.inf + ' != _count ' + h.count);
  }
  for (const [fam, type] of types)
    if (type === 'histogram' ? !hist.has(fam) : ![...samples.values()].some((s) => s.fam === fam)) fail(fam + ': no sample');
  return samples;
}

if (mode === 'exposition') {
  const now = readPage(file);
  let i = 0;
  if (rest[0] && rest[0] !== '--get') {
    const before = readPage(rest[0]);
    for (const [k, s] of before) {
      const n = now.get(k);
      if (!n) fail('a sample went away between scrapes: ' + k);
      else if ((s.type === 'counter' || k.endsWith('_count') || k.includes('_bucket')) && n.v < s.v)
        fail('a counter went down between scrapes: ' + k + ' ' + s.v + ' -> ' + n.v);
    }
    i = 1;
  }
  if (rest[i] === '--get') for (const k of rest.slice(i + 1)) console.log(k + ' ' + (now.has(k) ? now.get(k).v : 'absent'));
  console.log('samples ' + now.size);
} else if (mode === 'jsonl') {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines.pop() !== '') fail('the last line is not ended');
  let events = 0, status = 0, n = 0;
  for (const line of lines) {
    n++;
    let o;
    try { o = JSON.parse(line); } catch (e) { fail('line ' + n + ' is not JSON: ' + line); continue; }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) { fail('line ' + n + ' is not an object'); continue; }
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(o.time)) fail('line ' + n + ': time ' + o.time);
    if (!['debug', 'info', 'warn', 'error'].includes(o.level)) fail('line ' + n + ': level ' + o.level);
    if (typeof o.source !== 'string' || typeof o.msg !== 'string') fail('line ' + n + ': no source or msg');
    if (o.event === 'status') {
      status++;
      for (const k of ['mid', 'pnl', 'open', 'fills', 'rtt_ms'])
        if (typeof o[k] !== 'number') fail('status line ' + n + ': ' + k + ' is not a number');
      if (typeof o.healthy !== 'boolean') fail('status line ' + n + ': healthy is not a boolean');
    } else if (['ACK', 'FILL', 'CANCELED'].includes(o.event)) {
      events++;
      if (typeof o.cid !== 'string' || !['BUY', 'SELL'].includes(o.side) || typeof o.price !== 'number' ||
          typeof o.qty !== 'number' || typeof o.state !== 'string')
        fail('order event line ' + n + ' lacks its fields: ' + line);
      if (o.event === 'FILL' && (typeof o.trade_id !== 'number' || typeof o.maker !== 'boolean'))
        fail('fill line ' + n + ' lacks trade_id or maker: ' + line);
    }
  }
  console.log('lines ' + n + ' order_events ' + events + ' status ' + status);
} else {
  fail('usage: node obs_check.js exposition FILE [EARLIER] [--get SAMPLE...] | jsonl FILE');
}
