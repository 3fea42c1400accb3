/* risk.c: the risk gate (see risk.h). */
#include "risk.h"

#include <string.h>

void risk_init(risk_t *r, const symbol_rules_t *rules, int max_open, int rate_limit, int64_t rate_window_ns) {
    memset(r, 0, sizeof *r);
    r->rules = rules;
    r->max_open = max_open;
    r->rate_limit = rate_limit < RISK_RATE_CAP ? rate_limit : RISK_RATE_CAP;
    r->rate_window_ns = rate_window_ns;
}

static int rate_used(risk_t *r, int64_t now) {
    while (r->sent_n && now - r->sent_ns[r->sent_head] >= r->rate_window_ns) {
        r->sent_head = (r->sent_head + 1) % RISK_RATE_CAP;
        r->sent_n--;
    }
    return r->sent_n;
}

static void minute_drop(risk_t *r, int64_t now) {
    while (r->minute_n && now - r->minute_ns[r->minute_head] >= 60000000000LL) {
        r->minute_head = (r->minute_head + 1) % RISK_MINUTE_CAP;
        r->minute_n--;
    }
}

int risk_sent_within(risk_t *r, int64_t now, int64_t window) {
    minute_drop(r, now);
    if (window >= 60000000000LL) return r->minute_n; /* the ring holds the last minute exactly: no walk */
    int n = 0;
    for (int i = r->minute_n - 1; i >= 0; i--) {
        if (now - r->minute_ns[(r->minute_head + i) % RISK_MINUTE_CAP] >= window) break;
        n++;
    }
    return n;
}

#define DAY_NS 86400000000000LL

/* the bucket refilled to now, and the day's count from 0 on a new UTC day */
static void day_roll(risk_t *r, int64_t now) {
    double cap = r->day_limit / 24.0;
    if (!r->day_last_ns) r->day_tokens = cap;
    else if (now > r->day_last_ns) r->day_tokens += (double)(now - r->day_last_ns) * r->day_limit / (double)DAY_NS;
    if (r->day_tokens > cap) r->day_tokens = cap;
    if (now > r->day_last_ns) r->day_last_ns = now;
    int64_t day = now / DAY_NS;
    if (day != r->day_index) {
        r->day_index = day;
        r->day_count = 0;
    }
}

void risk_day_limit(risk_t *r, int per_day) {
    if (per_day <= 0) return;
    if (!r->day_limit || per_day < r->day_limit) {
        r->day_limit = per_day;
        if (r->day_tokens > per_day / 24.0) r->day_tokens = per_day / 24.0;
    }
}

void risk_note_first_fill(risk_t *r, int64_t now) {
    r->first_fills++;
    if (!r->day_limit) return;
    day_roll(r, now);
    r->day_tokens += 1;
    if (r->day_tokens > r->day_limit / 24.0) r->day_tokens = r->day_limit / 24.0;
    if (r->day_count > 0) r->day_count--; /* as the venue: an order of an earlier day gives nothing back */
}

void risk_note_sent(risk_t *r, int64_t now) {
    if (r->day_limit) {
        day_roll(r, now);
        r->day_tokens -= 1;
        r->day_count++;
    }
    minute_drop(r, now);
    if (r->minute_n == RISK_MINUTE_CAP) {
        r->minute_head = (r->minute_head + 1) % RISK_MINUTE_CAP;
        r->minute_n--;
    }
    r->minute_ns[(r->minute_head + r->minute_n++) % RISK_MINUTE_CAP] = now;
    if (!r->rate_limit) return;
    rate_used(r, now);
    if (r->sent_n == RISK_RATE_CAP) { r->sent_head = (r->sent_head + 1) % RISK_RATE_CAP; r->sent_n--; }
    r->sent_ns[(r->sent_head + r->sent_n++) % RISK_RATE_CAP] = now;
}

void risk_kill(risk_t *r, const char *why) {
    if (!r->killed) r->kill_reason = why;
    r->killed = 1;
}

void risk_backoff(risk_t *r, int64_t until_ns) {
    if (until_ns > r->backoff_until_ns) r->backoff_until_ns = until_ns;
}

void risk_venue_limit(risk_t *r, int limit) {
    if (limit <= 0) return;
    if (limit > RISK_RATE_CAP) limit = RISK_RATE_CAP;
    if (!r->rate_limit || limit < r->rate_limit) r->rate_limit = limit;
}

void risk_venue_used(risk_t *r, int used, int64_t now) {
    if (used < 0) return;
    r->venue_used = used;
    r->venue_used_ns = now;
}

/* the orders in the window, by our count or the venue's, whichever says more */
static int window_used(risk_t *r, int64_t now) {
    int ours = rate_used(r, now);
    if (!r->venue_used_ns || now - r->venue_used_ns >= r->rate_window_ns) return ours;
    int since = 0; /* sent after the venue counted */
    for (int i = r->sent_n - 1; i >= 0 && r->sent_ns[(r->sent_head + i) % RISK_RATE_CAP] > r->venue_used_ns; i--) since++;
    int theirs = r->venue_used + since;
    return theirs > ours ? theirs : ours;
}

risk_reason_t risk_check(risk_t *r, const risk_state_t *st, order_side_t side, int64_t price, int64_t qty,
                         int64_t now) {
    risk_reason_t why = RISK_OK;
    const char *f = symbol_check_order(r->rules, price, qty);
    if (r->killed) why = RISK_KILLED;
    else if (f) why = f[0] == 'P' ? RISK_PRICE_FILTER : f[0] == 'L' ? RISK_LOT_SIZE : RISK_NOTIONAL;
    else if (st->open >= r->max_open) why = RISK_MAX_OPEN;
    else if (now < r->backoff_until_ns) why = RISK_RATE;
    else if (r->rate_limit && window_used(r, now) >= r->rate_limit) why = RISK_RATE;
    else if (r->day_limit && (day_roll(r, now), r->day_tokens < 1 || r->day_count >= r->day_limit)) why = RISK_DAILY;
    else if (side == SIDE_BUY ? (__int128)price * qty > st->quote_free : qty > st->base_free) why = RISK_BALANCE;
    r->rejects[why]++;
    return why;
}

const char *risk_reason_name(risk_reason_t why) {
    static const char *const n[] = {"ok", "price_filter", "lot_size", "notional", "max_open_orders",
                                    "balance", "rate", "killed", "daily_orders"};
    return (unsigned)why < RISK_NREASONS ? n[why] : "?";
}
