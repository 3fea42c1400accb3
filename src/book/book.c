/* book.c: the L2 book (see book.h for layout and invariants). */
#include "book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

/* ---- bitmap helpers ---------------------------------------------------- */

/* highest set bit at index <= i, or -1 */
static int64_t map_prev(const uint64_t *map, int64_t i) {
    if (i < 0) return -1;
    int64_t w = i >> 6;
    uint64_t m = map[w] & ((2ULL << (i & 63)) - 1);
    while (!m) {
        if (--w < 0) return -1;
        m = map[w];
    }
    return w * 64 + 63 - __builtin_clzll(m);
}

/* lowest set bit at index >= i (i < n), or -1 */
static int64_t map_next(const uint64_t *map, int64_t i, int64_t n) {
    if (i >= n) return -1;
    if (i < 0) i = 0;
    int64_t w = i >> 6, nw = n >> 6;
    uint64_t m = map[w] & (~0ULL << (i & 63));
    while (!m) {
        if (++w >= nw) return -1;
        m = map[w];
    }
    return w * 64 + __builtin_ctzll(m);
}

/* ---- far arrays --------------------------------------------------------- */

/* first index with price >= p */
static int far_lower(const book_far_t *f, int64_t p) {
    int lo = 0, hi = f->n;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (f->lv[mid].price < p) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void far_set(book_far_t *f, int64_t price, int64_t qty) {
    int i = far_lower(f, price);
    if (i < f->n && f->lv[i].price == price) {
        if (qty) {
            f->lv[i].qty = qty;
        } else {
            memmove(&f->lv[i], &f->lv[i + 1], (size_t)(f->n - i - 1) * sizeof *f->lv);
            f->n--;
        }
        return;
    }
    if (!qty) return;
    if (f->n == f->cap) { /* growth happens while the book fills up, not in steady state */
        int ncap = f->cap ? f->cap * 2 : 1024;
        md_level_t *nl = realloc(f->lv, (size_t)ncap * sizeof *nl);
        if (!nl) {
            fprintf(stderr, "quoter: out of memory growing the book\n");
            abort();
        }
        f->lv = nl;
        f->cap = ncap;
    }
    memmove(&f->lv[i + 1], &f->lv[i], (size_t)(f->n - i) * sizeof *f->lv);
    f->lv[i].price = price;
    f->lv[i].qty = qty;
    f->n++;
}

/* ---- the book ----------------------------------------------------------- */

int book_init(book_t *b, int wbits) {
    memset(b, 0, sizeof *b);
    if (wbits < 6 || wbits > 26) return Q_E_INVAL;
    b->wbits = wbits;
    b->w = (int64_t)1 << wbits;
    for (int s = 0; s < 2; s++) {
        b->side[s].qty = calloc((size_t)b->w, sizeof(int64_t));
        b->side[s].map = calloc((size_t)(b->w >> 6), sizeof(uint64_t));
        b->side[s].best_idx = -1;
        if (!b->side[s].qty || !b->side[s].map) {
            book_free(b);
            return Q_E_NOMEM;
        }
    }
    return 0;
}

void book_free(book_t *b) {
    for (int s = 0; s < 2; s++) {
        free(b->side[s].qty);
        free(b->side[s].map);
        free(b->side[s].far.lv);
        b->side[s].qty = 0;
        b->side[s].map = 0;
        b->side[s].far.lv = 0;
    }
}

void book_clear(book_t *b) {
    for (int s = 0; s < 2; s++) {
        book_half_t *h = &b->side[s];
        /* clear only the words in use: a sparse book leaves most of the window untouched */
        for (int64_t w = 0; w < (b->w >> 6); w++) {
            uint64_t m = h->map[w];
            while (m) {
                int bit = __builtin_ctzll(m);
                h->qty[w * 64 + bit] = 0;
                m &= m - 1;
            }
            h->map[w] = 0;
        }
        h->best_idx = -1;
        h->far.n = 0;
        h->levels = 0;
    }
    b->last_id = 0;
}

static void window_set(book_t *b, book_half_t *h, book_side_t s, int64_t i, int64_t qty) {
    int64_t old = h->qty[i];
    h->qty[i] = qty;
    if (qty) {
        if (old) return;
        h->map[i >> 6] |= 1ULL << (i & 63);
        h->levels++;
        if (s == BOOK_BID ? i > h->best_idx : (h->best_idx < 0 || i < h->best_idx)) h->best_idx = i;
    } else if (old) {
        h->map[i >> 6] &= ~(1ULL << (i & 63));
        h->levels--;
        if (i == h->best_idx)
            h->best_idx = s == BOOK_BID ? map_prev(h->map, i - 1) : map_next(h->map, i + 1, b->w);
    }
}

void book_set(book_t *b, book_side_t s, int64_t price, int64_t qty) {
    book_half_t *h = &b->side[s];
    int64_t i = price - b->base;
    if ((uint64_t)i < (uint64_t)b->w) {
        window_set(b, h, s, i, qty);
        return;
    }
    int before = h->far.n;
    far_set(&h->far, price, qty);
    h->levels += h->far.n - before;
}

int64_t book_qty(const book_t *b, book_side_t s, int64_t price) {
    const book_half_t *h = &b->side[s];
    int64_t i = price - b->base;
    if ((uint64_t)i < (uint64_t)b->w) return h->qty[i];
    int k = far_lower(&h->far, price);
    return k < h->far.n && h->far.lv[k].price == price ? h->far.lv[k].qty : 0;
}

int64_t book_best(const book_t *b, book_side_t s) {
    const book_half_t *h = &b->side[s];
    int64_t best = h->best_idx >= 0 ? b->base + h->best_idx : 0;
    if (h->far.n) {
        int64_t fp = s == BOOK_BID ? h->far.lv[h->far.n - 1].price : h->far.lv[0].price;
        if (!best || (s == BOOK_BID ? fp > best : fp < best)) best = fp;
    }
    return best;
}

int book_next(const book_t *b, book_side_t s, int64_t price, int64_t *p, int64_t *q) {
    const book_half_t *h = &b->side[s];
    int64_t wp = 0, fp = 0, fq = 0;
    int64_t i = price - b->base;
    if (s == BOOK_BID) {
        int64_t from = i - 1 >= b->w ? b->w - 1 : i - 1;
        int64_t k = map_prev(h->map, from);
        if (k >= 0) wp = b->base + k;
        int j = far_lower(&h->far, price) - 1; /* largest far price < price */
        if (j >= 0) { fp = h->far.lv[j].price; fq = h->far.lv[j].qty; }
        if (!wp && !fp) return 0;
        if (wp && (!fp || wp > fp)) { *p = wp; *q = h->qty[wp - b->base]; }
        else { *p = fp; *q = fq; }
    } else {
        int64_t k = map_next(h->map, i + 1 < 0 ? 0 : i + 1, b->w);
        if (k >= 0) wp = b->base + k;
        int j = far_lower(&h->far, price + 1); /* smallest far price > price */
        if (j < h->far.n) { fp = h->far.lv[j].price; fq = h->far.lv[j].qty; }
        if (!wp && !fp) return 0;
        if (wp && (!fp || wp < fp)) { *p = wp; *q = h->qty[wp - b->base]; }
        else { *p = fp; *q = fq; }
    }
    return 1;
}

void book_top_own(const book_t *b, book_top_t *t) {
    t->bid = book_best(b, BOOK_BID);
    t->bid_qty = t->bid ? book_qty(b, BOOK_BID, t->bid) : 0;
    t->ask = book_best(b, BOOK_ASK);
    t->ask_qty = t->ask ? book_qty(b, BOOK_ASK, t->ask) : 0;
    t->id = b->last_id;
}

void book_top(const book_t *b, book_top_t *t) {
    if (b->bbo_id > b->last_id) {
        t->bid = b->bbo_bid;
        t->bid_qty = b->bbo_bid_qty;
        t->ask = b->bbo_ask;
        t->ask_qty = b->bbo_ask_qty;
        t->id = b->bbo_id;
    } else {
        book_top_own(b, t);
    }
}

void book_on_bbo(book_t *b, const md_event_t *ev) {
    if (ev->u.bbo.id < b->bbo_id) return; /* out of order: keep the newer one */
    b->bbo_id = ev->u.bbo.id;
    b->bbo_bid = ev->u.bbo.bid;
    b->bbo_bid_qty = ev->u.bbo.bid_qty;
    b->bbo_ask = ev->u.bbo.ask;
    b->bbo_ask_qty = ev->u.bbo.ask_qty;
}

void book_recenter(book_t *b, int64_t price) {
    /* 1. spill the window into the far arrays; 2. move the base; 3. pull back what fits */
    for (int s = 0; s < 2; s++) {
        book_half_t *h = &b->side[s];
        for (int64_t w = 0; w < (b->w >> 6); w++) {
            uint64_t m = h->map[w];
            while (m) {
                int64_t i = w * 64 + __builtin_ctzll(m);
                far_set(&h->far, b->base + i, h->qty[i]);
                h->qty[i] = 0;
                m &= m - 1;
            }
            h->map[w] = 0;
        }
        h->best_idx = -1;
    }
    b->base = price - b->w / 2;
    for (int s = 0; s < 2; s++) {
        book_half_t *h = &b->side[s];
        int keep = 0;
        for (int k = 0; k < h->far.n; k++) {
            md_level_t lv = h->far.lv[k];
            int64_t i = lv.price - b->base;
            if ((uint64_t)i < (uint64_t)b->w) {
                h->qty[i] = lv.qty;
                h->map[i >> 6] |= 1ULL << (i & 63);
            } else {
                h->far.lv[keep++] = lv;
            }
        }
        h->far.n = keep;
        h->best_idx = s == BOOK_BID ? map_prev(h->map, b->w - 1) : map_next(h->map, 0, b->w);
    }
    b->recenters++;
}

void book_maybe_recenter(book_t *b) {
    int64_t margin = b->w >> 3;
    for (int s = 0; s < 2; s++) {
        int64_t p = book_best(b, (book_side_t)s);
        if (!p) continue;
        int64_t i = p - b->base;
        if (i < margin || i >= b->w - margin) {
            book_recenter(b, p);
            return;
        }
    }
}

int book_check(const book_t *b) {
    for (int s = 0; s < 2; s++) {
        const book_half_t *h = &b->side[s];
        int64_t count = 0, best = -1;
        for (int64_t i = 0; i < b->w; i++) {
            int bit = (int)((h->map[i >> 6] >> (i & 63)) & 1);
            if (bit != (h->qty[i] > 0)) return 0;
            if (bit) {
                count++;
                if (s == BOOK_BID || best < 0) best = s == BOOK_BID ? i : (best < 0 ? i : best);
            }
        }
        if (best != h->best_idx) return 0;
        for (int k = 0; k < h->far.n; k++) {
            int64_t i = h->far.lv[k].price - b->base;
            if (h->far.lv[k].qty <= 0 || (uint64_t)i < (uint64_t)b->w) return 0;
            if (k && h->far.lv[k - 1].price >= h->far.lv[k].price) return 0;
        }
        if (count + h->far.n != h->levels) return 0;
    }
    return 1;
}
