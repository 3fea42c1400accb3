/* markout.c: markouts of our fills (see markout.h). */
#include "markout.h"

#include <stddef.h>
#include <string.h>

const int64_t markout_horizon_ns[MARKOUT_NH] = {0, 1000000000LL, 5000000000LL, 30000000000LL};
const char *const markout_horizon_name[MARKOUT_NH] = {"0s", "1s", "5s", "30s"};

/* all but the ring, whose entries are written before they are read: its 128 kB stay
   untouched pages until fills come (a sweep has one per engine) */
void markout_init(markout_t *m) {
    memset(m, 0, offsetof(markout_t, ring));
    memset(m->head, 0, sizeof *m - offsetof(markout_t, head));
}

void markout_fill(markout_t *m, int64_t t, int sign, double price, double qty) {
    /* the longest horizon's next fill is the oldest still in the ring (rule 1) */
    if (m->tail - m->head[MARKOUT_NH - 1] >= MARKOUT_RING) {
        m->dropped++;
        return;
    }
    if (t < m->last_t) t = m->last_t;
    if (t < m->mid_ns) t = m->mid_ns;
    m->last_t = t;
    markout_fill_t *f = &m->ring[m->tail % MARKOUT_RING];
    f->t = t;
    f->price = price;
    f->qty = qty;
    f->sign = sign >= 0 ? 1 : -1;
    m->tail++;
    if (t < m->next_due) m->next_due = t; /* its first horizon is 0 s */
}

static void book(markout_sum_t *s, const markout_fill_t *f, double mid) {
    if (mid <= 0 || f->price <= 0) {
        s->excluded++;
        return;
    }
    double d = f->sign * (mid - f->price);
    s->n++;
    s->sum_quote += d;
    s->sum_bps += d / f->price * 1e4;
    s->pnl_quote += d * f->qty;
}

/* resolves horizon k's fills due at or before `upto` (strictly before when `before`) at `mid` */
static void resolve(markout_t *m, int k, int64_t upto, int before, double mid) {
    while (m->head[k] < m->tail) {
        const markout_fill_t *f = &m->ring[m->head[k] % MARKOUT_RING];
        int64_t due = f->t + markout_horizon_ns[k];
        if (before ? due >= upto : due > upto) break;
        book(&m->h[k], f, mid);
        m->head[k]++;
    }
}

void markout_mid(markout_t *m, int64_t now, double mid) {
    if (now < m->next_due) { /* nothing to resolve: only the mid moves */
        m->mid = mid;
        m->mid_ns = now;
        return;
    }
    /* due before this event: the mid as it stood after the previous one */
    for (int k = 0; k < MARKOUT_NH; k++) resolve(m, k, now, 1, m->mid);
    m->mid = mid;
    m->mid_ns = now;
    for (int k = 0; k < MARKOUT_NH; k++) resolve(m, k, now, 0, mid);
    m->next_due = INT64_MAX;
    for (int k = 0; k < MARKOUT_NH; k++)
        if (m->head[k] < m->tail) {
            int64_t due = m->ring[m->head[k] % MARKOUT_RING].t + markout_horizon_ns[k];
            if (due < m->next_due) m->next_due = due;
        }
}

int64_t markout_pending(const markout_t *m, int k) { return m->tail - m->head[k]; }

void markout_end(markout_t *m) {
    for (int k = 0; k < MARKOUT_NH; k++) {
        m->h[k].excluded += markout_pending(m, k);
        m->head[k] = m->tail;
    }
}

double markout_mean_quote(const markout_t *m, int k) {
    return m->h[k].n ? m->h[k].sum_quote / (double)m->h[k].n : 0;
}

double markout_mean_bps(const markout_t *m, int k) { return m->h[k].n ? m->h[k].sum_bps / (double)m->h[k].n : 0; }
