/* market.c: the replayed market of the local exchange (see market.h). */
#include "market.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

int market_open(market_t *m, const symbol_rules_t *r, char **files, int nfiles, double speed, int loop,
                int64_t now) {
    memset(m, 0, sizeof *m);
    m->rules = r;
    m->files = files;
    m->nfiles = nfiles;
    m->speed = speed > 0 ? speed : 1;
    m->loop = loop;
    for (int i = 0; r->symbol[i] && i < 23; i++)
        m->lower[i] = (char)(r->symbol[i] >= 'A' && r->symbol[i] <= 'Z' ? r->symbol[i] + 32 : r->symbol[i]);
    int rc = book_init(&m->book, 17);
    if (rc) return rc;
    sync_init(&m->sync, &m->book);
    if ((rc = replay_open(&m->rp, files, nfiles, r))) return rc;
    m->open = 1;
    m->wall_start_ns = now;
    return 0;
}

void market_close(market_t *m) {
    free(m->chg);
    free(m->chg_side);
    m->chg = 0;
    m->chg_side = 0;
    if (m->open) replay_close(&m->rp);
    m->open = 0;
    sync_free(&m->sync);
    book_free(&m->book);
}

static int fmt_levels(const market_t *m, const md_level_t *lv, int n, char *buf, int cap) {
    int len = 0;
    char p[40], q[40];
    for (int i = 0; i < n; i++) {
        fx_format(lv[i].price, &m->rules->tick, 8, p, sizeof p);
        fx_format(lv[i].qty, &m->rules->lot, 8, q, sizeof q);
        int w = snprintf(buf + len, (size_t)(cap - len), "%s[\"%s\",\"%s\"]", i ? "," : "", p, q);
        if (w < 0 || w >= cap - len) return -1;
        len += w;
    }
    return len;
}

/* remembers the levels a diff set, for the merged one-second depth stream */
static void record_changes(market_t *m, const md_event_t *d) {
    int need = m->nchg + d->nbids + d->nasks;
    if (need > m->capchg) {
        int cap = m->capchg ? m->capchg : 4096;
        while (cap < need) cap *= 2;
        md_level_t *nl = realloc(m->chg, (size_t)cap * sizeof *nl);
        unsigned char *ns = realloc(m->chg_side, (size_t)cap);
        if (nl) m->chg = nl;
        if (ns) m->chg_side = ns;
        if (!nl || !ns) return;
        m->capchg = cap;
    }
    if (!m->chg_first) m->chg_first = d->u.diff.first_id;
    m->chg_last = d->u.diff.last_id;
    for (int i = 0; i < d->nbids; i++) { m->chg_side[m->nchg] = 0; m->chg[m->nchg++] = d->bids[i]; }
    for (int i = 0; i < d->nasks; i++) { m->chg_side[m->nchg] = 1; m->chg[m->nchg++] = d->asks[i]; }
}

/* starts the next pass of a looping replay */
static int restart(market_t *m, int64_t now) {
    replay_close(&m->rp);
    m->open = 0;
    if (replay_open(&m->rp, m->files, m->nfiles, m->rules)) return 0;
    m->open = 1;
    m->passes++;
    m->id_offset = m->last_id + 1;            /* ids keep increasing across passes */
    m->trade_offset = m->last_trade_id + 1;
    m->first_local = 0;
    m->wall_start_ns = now;
    return 1;
}

static char msgbuf[1 << 20];

/* closes a JSON list of n bytes in buf: its length, or -1 when it does not fit */
static int end_list(char *buf, int n, int cap) {
    if (n + 2 > cap) return -1;
    buf[n++] = ']';
    buf[n] = 0;
    return n;
}

/* ---- time arithmetic on client-supplied values: floors, not C's truncation toward zero,
   and nothing that can overflow (times are clamped to [0, MARKET_MAX_MS] first) ---- */

static int64_t clamp_ms(int64_t t) { return t < 0 ? 0 : t > MARKET_MAX_MS ? MARKET_MAX_MS : t; }
static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
static int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }
/* the ring slot of minute k (k may be negative before 1970-01-02) */
static const market_minute_t *minute_at(const market_t *m, int64_t k) {
    const market_minute_t *b = &m->minutes[(k % MARKET_MINUTES + MARKET_MINUTES) % MARKET_MINUTES];
    return b->minute == k ? b : 0;
}

/* adds a trade to its minute of the 24 h statistics */
static void count_minute(market_t *m, const market_trade_t *t) {
    int64_t k = floor_div(t->time_ms, 60000);
    market_minute_t *b = &m->minutes[(k % MARKET_MINUTES + MARKET_MINUTES) % MARKET_MINUTES];
    if (b->minute != k) {
        if (b->minute) m->evicted_close = b->close;
        *b = (market_minute_t){.minute = k, .open = t->price, .high = t->price, .low = t->price, .first_id = t->id};
    }
    if (t->price > b->high) b->high = t->price;
    if (t->price < b->low) b->low = t->price;
    b->close = t->price;
    b->last_id = t->id;
    b->volume += t->qty;
    b->quote += (__int128)t->price * t->qty;
    if (!t->buyer_maker) { /* the buyer took */
        b->taker_buy += t->qty;
        b->taker_buy_quote += (__int128)t->price * t->qty;
    }
    b->count++;
}

int64_t market_poll(market_t *m, int64_t now,
                    void (*emit)(void *ctx, market_stream_t s, const char *json, int len), void *ctx) {
    for (int budget = MARKET_POLL_BUDGET;; budget--) {
        if (budget == 0) return now; /* more is due: the caller serves its clients, then comes back */
        if (!m->have_event) {
            int rc = m->open ? replay_next(&m->rp, &m->ev) : 0;
            if (rc < 0) {
                snprintf(m->err, sizeof m->err, "%s", m->rp.rec.err);
                return INT64_MAX;
            }
            if (rc == 0) {
                if (!m->loop || !restart(m, now)) return INT64_MAX;
                continue;
            }
            m->have_event = 1;
            if (!m->first_local) m->first_local = m->ev.local_ns;
        }
        md_event_t *ev = &m->ev;
        /* in double, then bounded: a tiny speed or a far-off event must not overflow the cast */
        double after = (double)(ev->local_ns - m->first_local) / m->speed;
        if (after > 4e18) after = 4e18;
        if (after < 0) after = 0; /* a recording running backwards: due now */
        int64_t due = m->wall_start_ns > INT64_MAX - (int64_t)after ? INT64_MAX - 1 : m->wall_start_ns + (int64_t)after;
        if (due > now) return due;
        m->have_event = 0;
        int64_t now_ms = now / 1000000;
        char p[40], q[40], a[40], b[40];
        int len = -1;
        switch (ev->type) {
        case MD_SNAPSHOT: {
            md_event_t s = *ev;
            s.u.snap.last_id += m->id_offset;
            sync_on_snapshot(&m->sync, &s);
            break;
        }
        case MD_DIFF: {
            md_event_t d = *ev;
            d.u.diff.first_id += m->id_offset;
            d.u.diff.last_id += m->id_offset;
            int applied = sync_on_diff(&m->sync, &d);
            if (d.u.diff.last_id > m->last_id) m->last_id = d.u.diff.last_id;
            if (applied != 1) break;
            record_changes(m, &d);
            int n = snprintf(msgbuf, sizeof msgbuf,
                             "{\"e\":\"depthUpdate\",\"E\":%lld,\"s\":\"%s\",\"U\":%llu,\"u\":%llu,\"b\":[",
                             (long long)now_ms, m->rules->symbol, (unsigned long long)d.u.diff.first_id,
                             (unsigned long long)d.u.diff.last_id);
            int w = fmt_levels(m, d.bids, d.nbids, msgbuf + n, (int)sizeof msgbuf - n - 16);
            if (w < 0) break;
            n += w;
            n += snprintf(msgbuf + n, sizeof msgbuf - (size_t)n, "],\"a\":[");
            w = fmt_levels(m, d.asks, d.nasks, msgbuf + n, (int)sizeof msgbuf - n - 8);
            if (w < 0) break;
            n += w;
            n += snprintf(msgbuf + n, sizeof msgbuf - (size_t)n, "]}");
            emit(ctx, MS_DEPTH_100MS, msgbuf, n);
            break;
        }
        case MD_BBO: {
            md_event_t t = *ev;
            t.u.bbo.id += m->id_offset;
            book_on_bbo(&m->book, &t);
            if (t.u.bbo.id > m->last_id) m->last_id = t.u.bbo.id;
            fx_format(t.u.bbo.bid, &m->rules->tick, 8, p, sizeof p);
            fx_format(t.u.bbo.bid_qty, &m->rules->lot, 8, q, sizeof q);
            fx_format(t.u.bbo.ask, &m->rules->tick, 8, a, sizeof a);
            fx_format(t.u.bbo.ask_qty, &m->rules->lot, 8, b, sizeof b);
            len = snprintf(msgbuf, sizeof msgbuf, "{\"u\":%llu,\"s\":\"%s\",\"b\":\"%s\",\"B\":\"%s\",\"a\":\"%s\",\"A\":\"%s\"}",
                           (unsigned long long)t.u.bbo.id, m->rules->symbol, p, q, a, b);
            emit(ctx, MS_BOOKTICKER, msgbuf, len);
            break;
        }
        case MD_TRADE: {
            uint64_t id = ev->u.trade.id + m->trade_offset;
            m->last_trade_id = id;
            market_trade_t *t = &m->trades[m->ntrades++ % MARKET_TRADES];
            *t = (market_trade_t){id, ev->u.trade.price, ev->u.trade.qty, now_ms, ev->u.trade.buyer_maker};
            count_minute(m, t);
            fx_format(t->price, &m->rules->tick, 8, p, sizeof p);
            fx_format(t->qty, &m->rules->lot, 8, q, sizeof q);
            len = snprintf(msgbuf, sizeof msgbuf,
                           "{\"e\":\"trade\",\"E\":%lld,\"s\":\"%s\",\"t\":%llu,\"p\":\"%s\",\"q\":\"%s\",\"T\":%lld,"
                           "\"m\":%s,\"M\":true}",
                           (long long)now_ms, m->rules->symbol, (unsigned long long)id, p, q, (long long)now_ms,
                           t->buyer_maker ? "true" : "false");
            emit(ctx, MS_TRADE, msgbuf, len);
            len = snprintf(msgbuf, sizeof msgbuf,
                           "{\"e\":\"aggTrade\",\"E\":%lld,\"s\":\"%s\",\"a\":%llu,\"p\":\"%s\",\"q\":\"%s\",\"f\":%llu,"
                           "\"l\":%llu,\"T\":%lld,\"m\":%s,\"M\":true}",
                           (long long)now_ms, m->rules->symbol, (unsigned long long)id, p, q, (unsigned long long)id,
                           (unsigned long long)id, (long long)now_ms, t->buyer_maker ? "true" : "false");
            emit(ctx, MS_AGGTRADE, msgbuf, len);
            break;
        }
        default: break;
        }
        if (m->on_event) m->on_event(m->event_ctx, ev, now);
    }
}

/* the rolling 24 h statistics at now_ms, from the minutes in the window (exact) */
typedef struct stats24 {
    int64_t open, high, low, last, volume, prev;
    __int128 quote;
    uint64_t first, last_id, count;
} stats24_t;

static void stats24(const market_t *m, int64_t now_ms, stats24_t *st) {
    int64_t cur = floor_div(clamp_ms(now_ms), 60000), prev_min = 0;
    memset(st, 0, sizeof *st);
    st->prev = m->evicted_close;
    for (int64_t k = cur - MARKET_MINUTES + 1; k <= cur; k++) { /* oldest first */
        const market_minute_t *b = &m->minutes[(k % MARKET_MINUTES + MARKET_MINUTES) % MARKET_MINUTES];
        if (b->minute != k) {
            if (b->minute && b->minute < k && b->minute > prev_min) { /* aged out, still here */
                prev_min = b->minute;
                st->prev = b->close;
            }
            continue;
        }
        if (!st->count) {
            st->open = st->high = st->low = b->open;
            st->first = b->first_id;
        }
        if (b->high > st->high) st->high = b->high;
        if (b->low < st->low) st->low = b->low;
        st->last = b->close;
        st->last_id = b->last_id;
        st->volume += b->volume;
        st->quote += b->quote;
        st->count += b->count;
    }
}

/* the statistics' decimals, as both the REST ticker and the streams print them */
typedef struct stats24_text {
    char open[40], high[40], low[40], last[40], volume[40], quote[56], change[40], prev[40], wavg[40], last_qty[40];
    char bid[40], bid_qty[40], ask[40], ask_qty[40], pct[24];
    long long first, last_id;
} stats24_text_t;

static void stats24_text(const market_t *m, const stats24_t *st, stats24_text_t *x) {
    const symbol_rules_t *r = m->rules;
    fx_format(st->open, &r->tick, 8, x->open, sizeof x->open);
    fx_format(st->high, &r->tick, 8, x->high, sizeof x->high);
    fx_format(st->low, &r->tick, 8, x->low, sizeof x->low);
    fx_format(st->last, &r->tick, 8, x->last, sizeof x->last);
    fx_format(st->volume, &r->lot, 8, x->volume, sizeof x->volume);
    symbol_quote_format(r, st->quote, x->quote, sizeof x->quote);
    fx_format(st->last - st->open, &r->tick, 8, x->change, sizeof x->change);
    fx_format(st->prev, &r->tick, 8, x->prev, sizeof x->prev);
    const market_trade_t *lt = m->ntrades ? &m->trades[(m->ntrades - 1) % MARKET_TRADES] : 0;
    fx_format(lt && st->count ? lt->qty : 0, &r->lot, 8, x->last_qty, sizeof x->last_qty);
    book_top_t t;
    book_top(&m->book, &t);
    fx_format(t.bid, &r->tick, 8, x->bid, sizeof x->bid);
    fx_format(t.bid_qty, &r->lot, 8, x->bid_qty, sizeof x->bid_qty);
    fx_format(t.ask, &r->tick, 8, x->ask, sizeof x->ask);
    fx_format(t.ask_qty, &r->lot, 8, x->ask_qty, sizeof x->ask_qty);
    /* the volume-weighted price, from the exact sums */
    snprintf(x->wavg, sizeof x->wavg, "%.8f", st->volume ? (double)st->quote / (double)st->volume * r->tick.value : 0.0);
    snprintf(x->pct, sizeof x->pct, "%.3f", st->open ? 100.0 * (double)(st->last - st->open) / (double)st->open : 0.0);
    x->first = st->count ? (long long)st->first : -1;
    x->last_id = st->count ? (long long)st->last_id : -1;
}

int market_ticker24_json(const market_t *m, int64_t now_ms, int mini, char *buf, int cap) {
    stats24_t st;
    stats24_text_t x;
    now_ms = clamp_ms(now_ms);
    stats24(m, now_ms, &st);
    stats24_text(m, &st, &x);
    long long open_ms = (long long)(now_ms - 86400000), close_ms = (long long)now_ms;
    int n = mini ? snprintf(buf, (size_t)cap,
                            "{\"symbol\":\"%s\",\"openPrice\":\"%s\",\"highPrice\":\"%s\",\"lowPrice\":\"%s\",\"lastPrice\":\"%s\","
                            "\"volume\":\"%s\",\"quoteVolume\":\"%s\",\"openTime\":%lld,\"closeTime\":%lld,\"firstId\":%lld,"
                            "\"lastId\":%lld,\"count\":%llu}",
                            m->rules->symbol, x.open, x.high, x.low, x.last, x.volume, x.quote, open_ms, close_ms, x.first,
                            x.last_id, (unsigned long long)st.count)
                 : snprintf(buf, (size_t)cap,
                            "{\"symbol\":\"%s\",\"priceChange\":\"%s\",\"priceChangePercent\":\"%s\",\"weightedAvgPrice\":\"%s\","
                            "\"prevClosePrice\":\"%s\",\"lastPrice\":\"%s\",\"lastQty\":\"%s\",\"bidPrice\":\"%s\",\"bidQty\":\"%s\","
                            "\"askPrice\":\"%s\",\"askQty\":\"%s\",\"openPrice\":\"%s\",\"highPrice\":\"%s\",\"lowPrice\":\"%s\","
                            "\"volume\":\"%s\",\"quoteVolume\":\"%s\",\"openTime\":%lld,\"closeTime\":%lld,\"firstId\":%lld,"
                            "\"lastId\":%lld,\"count\":%llu}",
                            m->rules->symbol, x.change, x.pct, x.wavg, x.prev, x.last, x.last_qty, x.bid, x.bid_qty, x.ask,
                            x.ask_qty, x.open, x.high, x.low, x.volume, x.quote, open_ms, close_ms, x.first, x.last_id,
                            (unsigned long long)st.count);
    return n < cap ? n : -1;
}

int market_klines_query_json(const market_t *m, int64_t now_ms, int minutes, int64_t start_ms, int64_t end_ms,
                             int limit, char *buf, int cap) {
    const symbol_rules_t *r = m->rules;
    if (minutes < 1 || minutes > MARKET_KLINE_MAX_MINUTES) return -1;
    int n = snprintf(buf, (size_t)cap, "[");
    if (n < 0 || n >= cap) return -1;
    /* Every bound below is clamped into the 24 h of minutes kept before any loop or product
       uses it, so that no client value (a start in the future, an end before the epoch,
       INT64_MAX) can make a loop run past the window or an expression overflow; whatever
       lies outside the window is simply not listed ("[]" when nothing is in range, as
       Binance answers). */
    int64_t cur = floor_div(clamp_ms(now_ms), 60000), oldest = cur - MARKET_MINUTES + 1;
    /* klines are aligned to the interval from the epoch (UTC); the oldest one listed is the
       first that starts inside the window (an earlier one would miss evicted minutes), the
       newest the one open now */
    int64_t k0 = ceil_div(oldest, minutes) * minutes, k_end = floor_div(cur, minutes) * minutes;
    if (start_ms != MARKET_ABSENT) { /* klines that open at or after startTime */
        if (start_ms > k_end * 60000) return end_list(buf, n, cap);
        int64_t s = ceil_div(ceil_div(start_ms > 0 ? start_ms : 0, 60000), minutes) * minutes;
        if (s > k0) k0 = s;
    }
    if (end_ms != MARKET_ABSENT) { /* klines that open at or before endTime */
        if (end_ms < k0 * 60000) return end_list(buf, n, cap);
        int64_t e = floor_div(floor_div(end_ms, 60000), minutes) * minutes;
        if (e < k_end) k_end = e;
    }
    /* nothing before the first trade kept is known: start at its kline */
    int64_t first = oldest;
    while (first <= cur && !minute_at(m, first)) first++;
    if (first > cur) return end_list(buf, n, cap);
    if (floor_div(first, minutes) * minutes > k0) k0 = floor_div(first, minutes) * minutes;
    if (k0 > k_end || limit < 1) return end_list(buf, n, cap);
    /* at most `limit`: the oldest from startTime, else the newest up to endTime or now */
    int64_t nk = (k_end - k0) / minutes + 1;
    if (nk > limit) {
        if (start_ms != MARKET_ABSENT) k_end = k0 + (int64_t)(limit - 1) * minutes;
        else k0 = k_end - (int64_t)(limit - 1) * minutes;
    }
    /* the close before k0, for klines without trades */
    int64_t last = 0;
    for (int64_t k = oldest; k < k0; k++)
        if (minute_at(m, k)) last = minute_at(m, k)->close;
    for (int64_t kl = k0; kl <= k_end; kl += minutes) {
        int64_t o = 0, h = 0, l = 0, c = 0, v = 0, tb = 0;
        __int128 q = 0, tq = 0;
        uint64_t count = 0;
        for (int64_t k = kl; k < kl + minutes && k <= cur; k++) {
            const market_minute_t *b = minute_at(m, k);
            if (!b) continue;
            if (!count) o = h = l = b->open;
            if (b->high > h) h = b->high;
            if (b->low < l) l = b->low;
            c = b->close;
            v += b->volume;
            q += b->quote;
            tb += b->taker_buy;
            tq += b->taker_buy_quote;
            count += b->count;
        }
        if (!count) o = h = l = c = last;
        last = c;
        char os[40], hs[40], ls[40], cs[40], vs[40], qs[56], tbs[40], tqs[56];
        fx_format(o, &r->tick, 8, os, sizeof os);
        fx_format(h, &r->tick, 8, hs, sizeof hs);
        fx_format(l, &r->tick, 8, ls, sizeof ls);
        fx_format(c, &r->tick, 8, cs, sizeof cs);
        fx_format(v, &r->lot, 8, vs, sizeof vs);
        fx_format(tb, &r->lot, 8, tbs, sizeof tbs);
        symbol_quote_format(r, q, qs, sizeof qs);
        symbol_quote_format(r, tq, tqs, sizeof tqs);
        int w = snprintf(buf + n, (size_t)(cap - n), "%s[%lld,\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",%lld,\"%s\",%llu,\"%s\",\"%s\",\"0\"]",
                         kl == k0 ? "" : ",", (long long)(kl * 60000), os, hs, ls, cs, vs,
                         (long long)((kl + minutes) * 60000 - 1), qs, (unsigned long long)count, tbs, tqs);
        if (w < 0 || w >= cap - n) return -1;
        n += w;
    }
    return end_list(buf, n, cap);
}

int market_avgprice_json(const market_t *m, int64_t now_ms, int mins, char *buf, int cap) {
    int64_t cur = floor_div(clamp_ms(now_ms), 60000), v = 0;
    __int128 q = 0;
    /* no more minutes than are kept: the loop is bounded whatever `mins` says */
    int span = mins < 0 ? 0 : mins > MARKET_MINUTES ? MARKET_MINUTES : mins;
    for (int64_t k = cur - span + 1; k <= cur; k++) {
        const market_minute_t *b = minute_at(m, k);
        if (!b) continue;
        v += b->volume;
        q += b->quote;
    }
    const market_trade_t *t = m->ntrades ? &m->trades[(m->ntrades - 1) % MARKET_TRADES] : 0;
    long long last_ms = t ? (long long)t->time_ms : 0; /* closeTime: the last trade's */
    int n = snprintf(buf, (size_t)cap, "{\"mins\":%d,\"price\":\"%.8f\",\"closeTime\":%lld}", mins,
                     v ? (double)q / (double)v * m->rules->tick.value : 0.0, last_ms);
    return n < cap ? n : -1;
}

/* <s>@ticker and <s>@miniTicker: the same statistics as stream events */
static void emit_tickers(market_t *m, int64_t now_ms, uint32_t want,
                         void (*emit)(void *ctx, market_stream_t s, const char *json, int len), void *ctx) {
    stats24_t st;
    stats24_text_t x;
    stats24(m, now_ms, &st);
    stats24_text(m, &st, &x);
    if (want & (1u << MS_TICKER)) {
        int n = snprintf(msgbuf, sizeof msgbuf,
                         "{\"e\":\"24hrTicker\",\"E\":%lld,\"s\":\"%s\",\"p\":\"%s\",\"P\":\"%s\",\"w\":\"%s\",\"x\":\"%s\","
                         "\"c\":\"%s\",\"Q\":\"%s\",\"b\":\"%s\",\"B\":\"%s\",\"a\":\"%s\",\"A\":\"%s\",\"o\":\"%s\",\"h\":\"%s\","
                         "\"l\":\"%s\",\"v\":\"%s\",\"q\":\"%s\",\"O\":%lld,\"C\":%lld,\"F\":%lld,\"L\":%lld,\"n\":%llu}",
                         (long long)now_ms, m->rules->symbol, x.change, x.pct, x.wavg, x.prev, x.last, x.last_qty, x.bid,
                         x.bid_qty, x.ask, x.ask_qty, x.open, x.high, x.low, x.volume, x.quote, (long long)(now_ms - 86400000),
                         (long long)now_ms, x.first, x.last_id, (unsigned long long)st.count);
        if (n > 0 && n < (int)sizeof msgbuf) emit(ctx, MS_TICKER, msgbuf, n);
    }
    if (want & (1u << MS_MINI_TICKER)) {
        int n = snprintf(msgbuf, sizeof msgbuf,
                         "{\"e\":\"24hrMiniTicker\",\"E\":%lld,\"s\":\"%s\",\"c\":\"%s\",\"o\":\"%s\",\"h\":\"%s\",\"l\":\"%s\","
                         "\"v\":\"%s\",\"q\":\"%s\"}",
                         (long long)now_ms, m->rules->symbol, x.last, x.open, x.high, x.low, x.volume, x.quote);
        if (n > 0 && n < (int)sizeof msgbuf) emit(ctx, MS_MINI_TICKER, msgbuf, n);
    }
}

int market_depth_json(const market_t *m, int limit, char *buf, int cap) {
    int n = snprintf(buf, (size_t)cap, "{\"lastUpdateId\":%llu,\"bids\":[", (unsigned long long)m->book.last_id);
    for (int side = 0; side < 2; side++) {
        int64_t p = book_best(&m->book, (book_side_t)side), q = p ? book_qty(&m->book, (book_side_t)side, p) : 0;
        char ps[40], qs[40];
        for (int k = 0; p && k < limit; k++) {
            fx_format(p, &m->rules->tick, 8, ps, sizeof ps);
            fx_format(q, &m->rules->lot, 8, qs, sizeof qs);
            int w = snprintf(buf + n, (size_t)(cap - n), "%s[\"%s\",\"%s\"]", k ? "," : "", ps, qs);
            if (w < 0 || w >= cap - n) return -1;
            n += w;
            if (!book_next(&m->book, (book_side_t)side, p, &p, &q)) break;
        }
        int w = snprintf(buf + n, (size_t)(cap - n), side == 0 ? "],\"asks\":[" : "]}");
        if (w < 0 || w >= cap - n) return -1;
        n += w;
    }
    return n;
}

/* the recent trades at ring indexes sel[0..n), oldest first, as /trades or /aggTrades list them */
static int trades_json(const market_t *m, const uint64_t *sel, int n, int agg, char *buf, int cap) {
    int len = snprintf(buf, (size_t)cap, "[");
    char p[40], q[40], qq[56];
    for (int j = 0; j < n; j++) {
        const market_trade_t *t = &m->trades[sel[j] % MARKET_TRADES];
        unsigned long long id = (unsigned long long)t->id;
        fx_format(t->price, &m->rules->tick, 8, p, sizeof p);
        fx_format(t->qty, &m->rules->lot, 8, q, sizeof q);
        int w;
        if (agg) { /* one aggregate a trade: the recording has no aggregation */
            w = snprintf(buf + len, (size_t)(cap - len),
                         "%s{\"a\":%llu,\"p\":\"%s\",\"q\":\"%s\",\"f\":%llu,\"l\":%llu,\"T\":%lld,\"m\":%s,\"M\":true}",
                         j ? "," : "", id, p, q, id, id, (long long)t->time_ms, t->buyer_maker ? "true" : "false");
        } else {
            symbol_quote_format(m->rules, (__int128)t->price * t->qty, qq, sizeof qq);
            w = snprintf(buf + len, (size_t)(cap - len),
                         "%s{\"id\":%llu,\"price\":\"%s\",\"qty\":\"%s\",\"quoteQty\":\"%s\",\"time\":%lld,"
                         "\"isBuyerMaker\":%s,\"isBestMatch\":true}",
                         j ? "," : "", id, p, q, qq, (long long)t->time_ms, t->buyer_maker ? "true" : "false");
        }
        if (w < 0 || w >= cap - len) return -1;
        len += w;
    }
    return end_list(buf, len, cap);
}

/* picks recent trades: from trade id from_id, within [start_ms, end_ms] (MARKET_ABSENT: not
   sent); from an id or a start time the oldest `limit` qualifying, otherwise the newest
   `limit`. One pass over the ring: no bound from the client drives a loop. */
static int trades_select(const market_t *m, int limit, int64_t from_id, int64_t start_ms, int64_t end_ms, int agg,
                         char *buf, int cap) {
    static uint64_t sel[MARKET_TRADES];
    uint64_t have = m->ntrades < MARKET_TRADES ? m->ntrades : MARKET_TRADES;
    int has_from = from_id != MARKET_ABSENT, has_start = start_ms != MARKET_ABSENT, has_end = end_ms != MARKET_ABSENT;
    if (limit < 0) limit = 0;
    if (limit > MARKET_TRADES) limit = MARKET_TRADES;
    int k = 0;
    for (uint64_t i = m->ntrades - have; i < m->ntrades; i++) {
        const market_trade_t *t = &m->trades[i % MARKET_TRADES];
        /* ids compared unsigned: a negative fromId is before every id */
        if ((has_from && from_id > 0 && t->id < (uint64_t)from_id) || (has_start && t->time_ms < start_ms) ||
            (has_end && t->time_ms > end_ms))
            continue;
        sel[k++] = i;
    }
    int skip = (has_from || has_start) ? 0 : (k > limit ? k - limit : 0);
    return trades_json(m, sel + skip, k - skip < limit ? k - skip : limit, agg, buf, cap);
}

int market_trades_json(const market_t *m, int limit, char *buf, int cap) {
    return trades_select(m, limit, MARKET_ABSENT, MARKET_ABSENT, MARKET_ABSENT, 0, buf, cap);
}

int market_aggtrades_query_json(const market_t *m, int limit, int64_t from_id, int64_t start_ms, int64_t end_ms,
                                char *buf, int cap) {
    return trades_select(m, limit, from_id, start_ms, end_ms, 1, buf, cap);
}

int market_bookticker_json(const market_t *m, char *buf, int cap) {
    book_top_t t;
    book_top(&m->book, &t);
    char p[40], q[40], a[40], b[40];
    fx_format(t.bid, &m->rules->tick, 8, p, sizeof p);
    fx_format(t.bid_qty, &m->rules->lot, 8, q, sizeof q);
    fx_format(t.ask, &m->rules->tick, 8, a, sizeof a);
    fx_format(t.ask_qty, &m->rules->lot, 8, b, sizeof b);
    int n = snprintf(buf, (size_t)cap, "{\"symbol\":\"%s\",\"bidPrice\":\"%s\",\"bidQty\":\"%s\",\"askPrice\":\"%s\",\"askQty\":\"%s\"}",
                     m->rules->symbol, p, q, a, b);
    return n < cap ? n : -1;
}

static int cmp_level_desc(const void *a, const void *b) {
    int64_t x = ((const md_level_t *)a)->price, y = ((const md_level_t *)b)->price;
    return x < y ? 1 : x > y ? -1 : 0;
}
static int cmp_level_asc(const void *a, const void *b) { return -cmp_level_desc(a, b); }

/* the changed levels of one side, deduplicated, in Binance's order, with current quantities */
static int changed_side(market_t *m, int side, md_level_t *out, int cap) {
    int n = 0;
    for (int i = 0; i < m->nchg && n < cap; i++)
        if (m->chg_side[i] == side) out[n++] = m->chg[i];
    qsort(out, (size_t)n, sizeof *out, side ? cmp_level_asc : cmp_level_desc);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!k || out[k - 1].price != out[i].price) {
            out[k] = out[i];
            out[k].qty = book_qty(&m->book, (book_side_t)side, out[i].price);
            k++;
        }
    return k;
}

void market_periodic(market_t *m, int64_t now, uint32_t want, int second,
                     void (*emit)(void *ctx, market_stream_t s, const char *json, int len), void *ctx) {
    static const int sizes[3] = {5, 10, 20};
    long long now_ms = (long long)(now / 1000000);
    for (int k = 0; k < 3; k++) {
        market_stream_t s100 = (market_stream_t)(MS_DEPTH5_100 + k), s1 = (market_stream_t)(MS_DEPTH5 + k);
        int due = (want & (1u << s100)) || (second && (want & (1u << s1)));
        if (!due || m->sync.state != SYNC_LIVE) continue;
        int n = market_depth_json(m, sizes[k], msgbuf, sizeof msgbuf);
        if (n < 0) continue;
        if (want & (1u << s100)) emit(ctx, s100, msgbuf, n);
        if (second && (want & (1u << s1))) emit(ctx, s1, msgbuf, n);
    }
    if (!second) return;
    if (want & ((1u << MS_TICKER) | (1u << MS_MINI_TICKER))) emit_tickers(m, now_ms, want, emit, ctx);
    if ((want & (1u << MS_DEPTH_1S)) && m->nchg && m->sync.state == SYNC_LIVE) {
        static md_level_t lv[2][65536];
        int nb = changed_side(m, 0, lv[0], 65536), na = changed_side(m, 1, lv[1], 65536);
        int n = snprintf(msgbuf, sizeof msgbuf, "{\"e\":\"depthUpdate\",\"E\":%lld,\"s\":\"%s\",\"U\":%llu,\"u\":%llu,\"b\":[",
                         now_ms, m->rules->symbol, (unsigned long long)m->chg_first, (unsigned long long)m->chg_last);
        int w = fmt_levels(m, lv[0], nb, msgbuf + n, (int)sizeof msgbuf - n - 16);
        if (w >= 0) {
            n += w;
            n += snprintf(msgbuf + n, sizeof msgbuf - (size_t)n, "],\"a\":[");
            w = fmt_levels(m, lv[1], na, msgbuf + n, (int)sizeof msgbuf - n - 8);
            if (w >= 0) {
                n += w;
                n += snprintf(msgbuf + n, sizeof msgbuf - (size_t)n, "]}");
                emit(ctx, MS_DEPTH_1S, msgbuf, n);
            }
        }
    }
    m->nchg = 0;
    m->chg_first = 0;
}
