/* sync.c: snapshot + diff synchronisation (see sync.h for the rules). */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

void sync_init(book_sync_t *s, book_t *b) {
    memset(s, 0, sizeof *s);
    s->book = b;
}

void sync_free(book_sync_t *s) {
    free(s->hdr);
    free(s->lv);
    s->hdr = 0;
    s->lv = 0;
}

static void apply_levels(book_sync_t *s, const md_level_t *bids, int nb, const md_level_t *asks,
                         int na) {
    book_t *b = s->book;
    for (int i = 0; i < nb; i++) book_set(b, BOOK_BID, bids[i].price, bids[i].qty);
    for (int i = 0; i < na; i++) book_set(b, BOOK_ASK, asks[i].price, asks[i].qty);
    s->st.levels += nb + na;
}

static void grow(void **p, int *cap, int need, size_t elem) {
    if (need <= *cap) return;
    int ncap = *cap ? *cap : 256;
    while (ncap < need) ncap *= 2;
    void *np = realloc(*p, (size_t)ncap * elem);
    if (!np) {
        fprintf(stderr, "quoter: out of memory buffering diffs\n");
        abort();
    }
    *p = np;
    *cap = ncap;
}

static void buffer_diff(book_sync_t *s, const md_event_t *ev) {
    grow((void **)&s->hdr, &s->caphdr, s->nhdr + 1, sizeof *s->hdr);
    grow((void **)&s->lv, &s->caplv, s->nlv + ev->nbids + ev->nasks, sizeof *s->lv);
    struct sync_buffered *h = &s->hdr[s->nhdr++];
    h->first_id = ev->u.diff.first_id;
    h->last_id = ev->u.diff.last_id;
    h->local_ns = ev->local_ns;
    h->exch_ns = ev->exch_ns;
    h->off = s->nlv;
    h->nb = ev->nbids;
    h->na = ev->nasks;
    if (ev->nbids) memcpy(s->lv + s->nlv, ev->bids, (size_t)ev->nbids * sizeof *s->lv);
    s->nlv += ev->nbids;
    if (ev->nasks) memcpy(s->lv + s->nlv, ev->asks, (size_t)ev->nasks * sizeof *s->lv);
    s->nlv += ev->nasks;
    s->st.buffered++;
}

static void go_waiting(book_sync_t *s) {
    book_clear(s->book);
    s->state = SYNC_WAIT_SNAPSHOT;
    s->nhdr = s->nlv = 0;
}

/* the LIVE rule for one diff; 1 applied, 0 stale, Q_E_GAP */
static int live_diff(book_sync_t *s, uint64_t first, uint64_t last, const md_level_t *bids, int nb,
                     const md_level_t *asks, int na) {
    book_t *b = s->book;
    if (last <= b->last_id) {
        s->st.stale++;
        return 0;
    }
    if (first > b->last_id + 1) {
        s->st.gaps++;
        return Q_E_GAP;
    }
    apply_levels(s, bids, nb, asks, na);
    b->last_id = last;
    s->st.applied++;
    return 1;
}

int sync_on_diff(book_sync_t *s, const md_event_t *ev) {
    s->st.diffs++;
    if (s->state == SYNC_WAIT_SNAPSHOT) {
        buffer_diff(s, ev);
        return 0;
    }
    int rc = live_diff(s, ev->u.diff.first_id, ev->u.diff.last_id, ev->bids, ev->nbids, ev->asks,
                       ev->nasks);
    if (rc == Q_E_GAP) {
        go_waiting(s);
        buffer_diff(s, ev);
        return Q_E_GAP;
    }
    if (rc == 1) book_maybe_recenter(s->book);
    return rc;
}

int sync_on_snapshot(book_sync_t *s, const md_event_t *ev) {
    book_t *b = s->book;
    s->st.snapshots++;
    if (s->state == SYNC_LIVE && ev->u.snap.last_id <= b->last_id) {
        s->st.old_snapshots++;
        return 0;
    }
    book_clear(b);
    if (ev->nbids && ev->nasks) book_recenter(b, (ev->bids[0].price + ev->asks[0].price) / 2);
    else if (ev->nbids) book_recenter(b, ev->bids[0].price);
    else if (ev->nasks) book_recenter(b, ev->asks[0].price);
    for (int i = 0; i < ev->nbids; i++) book_set(b, BOOK_BID, ev->bids[i].price, ev->bids[i].qty);
    for (int i = 0; i < ev->nasks; i++) book_set(b, BOOK_ASK, ev->asks[i].price, ev->asks[i].qty);
    b->last_id = ev->u.snap.last_id;
    s->state = SYNC_LIVE;
    int applied = 0;
    for (int k = 0; k < s->nhdr; k++) {
        struct sync_buffered *h = &s->hdr[k];
        int rc = live_diff(s, h->first_id, h->last_id, s->lv + h->off, h->nb, s->lv + h->off + h->nb,
                           h->na);
        if (rc == Q_E_GAP) {
            /* keep the diffs from this one on: a newer snapshot may still fit them */
            int keep_from = k;
            int lv_from = h->off;
            memmove(s->hdr, s->hdr + keep_from, (size_t)(s->nhdr - keep_from) * sizeof *s->hdr);
            s->nhdr -= keep_from;
            if (s->nlv > lv_from) memmove(s->lv, s->lv + lv_from, (size_t)(s->nlv - lv_from) * sizeof *s->lv);
            s->nlv -= lv_from;
            for (int j = 0; j < s->nhdr; j++) s->hdr[j].off -= lv_from;
            book_clear(b);
            s->state = SYNC_WAIT_SNAPSHOT;
            return Q_E_GAP;
        }
        applied += rc;
    }
    s->nhdr = s->nlv = 0;
    book_maybe_recenter(b);
    return applied;
}
