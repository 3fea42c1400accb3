/* bench_strategy.c: the strategy decision, estimator updates included, on the shared
 * recording's real events. The book is synced once up front; then, per round and per strategy,
 * each market event goes through the hooks the engine calls (strategy_on_book after a book
 * change, strategy_on_trade for a trade) and then a decision (strategy_quote), timed together
 * one by one. Prints the median, p99 and mean per event, and the estimates at the end
 * (sigma, A, k): the bound is a median under 1 us. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "book/sync.h"
#include "config/config.h"
#include "feed/replay.h"
#include "strategy/strategy.h"

#define ROUNDS 5
#define MAXEV 200000

typedef struct bev {
    int trade;
    int64_t now, price, qty;
    int buyer_maker;
    book_top_t top;
} bev_t;

static const char *const setups[][8] = {
    {"ladder", "strategy.type=ladder", "strategy.levels=3", 0},
    {"avellaneda", "strategy.type=avellaneda", "strategy.gamma=0.5", 0},
    {"avellaneda ewma", "strategy.type=avellaneda", "strategy.vol_method=ewma", 0},
    {"glft", "strategy.type=glft", "strategy.max_inventory=0.01", 0},
    {"glft + flow alpha + knobs", "strategy.type=glft", "strategy.max_inventory=0.01", "strategy.alpha=flow",
     "strategy.alpha_weight=2", "strategy.join_tolerance=1", "strategy.fill_delay=1", 0},
};

int main(void) {
    char *files[2] = {QUOTER_DATA "/binance-spot/btcusdt_20240808.gz", QUOTER_DATA "/binance-spot/btcusdt_20240809.gz"};
    config_t c;
    config_exact_t x;
    char err[256];
    config_defaults(&c);
    c.levels = 1;
    snprintf(c.spread_unit, sizeof c.spread_unit, "ticks");
    if (config_resolve(&c, &x, err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
    replay_t *rp = calloc(1, sizeof *rp);
    if (replay_open(rp, files, 2, &x.rules)) {
        printf("bench_strategy: SKIP (no recording)\n");
        return 0;
    }
    book_t b;
    book_sync_t sy;
    book_init(&b, 17);
    sync_init(&sy, &b);
    bev_t *ev = malloc(sizeof *ev * MAXEV);
    int n = 0;
    md_event_t m;
    while (replay_next(rp, &m) > 0 && n < MAXEV) {
        if (m.type == MD_TRADE) {
            ev[n++] = (bev_t){1, m.local_ns, m.u.trade.price, m.u.trade.qty, m.u.trade.buyer_maker, {0}};
            continue;
        }
        if (m.type == MD_DIFF) sync_on_diff(&sy, &m);
        else if (m.type == MD_SNAPSHOT) sync_on_snapshot(&sy, &m);
        else if (m.type == MD_BBO) book_on_bbo(&b, &m);
        else continue;
        if (sy.state != SYNC_LIVE) continue;
        ev[n] = (bev_t){0, m.local_ns, 0, 0, 0, {0}};
        book_top(&b, &ev[n].top);
        n++;
    }
    replay_close(rp);
    double *t = malloc(sizeof *t * (size_t)n);
    book_top_t top = {0};
    for (size_t si = 0; si < sizeof setups / sizeof setups[0]; si++) {
        double med[ROUNDS], p99 = 0, mean = 0;
        double sg = 0, A = 0, k = 0;
        int64_t nq = 0;
        for (int r = 0; r < ROUNDS; r++) {
            config_t cc = c;
            for (int j = 1; setups[si][j]; j++)
                if (config_set(&cc, setups[si][j], err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
            if (config_resolve(&cc, &x, err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
            strategy_t s;
            if (strategy_init(&s, &cc, &x, err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
            quote_set_t q;
            strat_input_t in = {0};
            in.rules = &x.rules;
            for (int i = 0; i < n; i++) {
                /* a deterministic inventory walk inside the bounds, so the skew is exercised */
                in.inventory = (int64_t)((i / 1000) % 7 - 3) * 100000;
                double t0 = now_s();
                if (ev[i].trade) {
                    strategy_on_trade(&s, ev[i].price, ev[i].qty, ev[i].buyer_maker, ev[i].now);
                    in.last_trade = ev[i].price;
                } else {
                    strategy_on_book(&s, &ev[i].top, ev[i].now);
                    top = ev[i].top;
                }
                in.now_ns = ev[i].now;
                in.top = top;
                if (!strategy_quote(&s, &in, &q)) nq++;
                t[i] = (now_s() - t0) * 1e9;
            }
            double sum = 0;
            for (int i = 0; i < n; i++) sum += t[i];
            mean += sum / n / ROUNDS;
            med[r] = median(t, n); /* sorts t */
            p99 += t[(int)(n * 0.99)] / ROUNDS;
            strategy_sigma(&s, &sg);
            strategy_intensity(&s, &A, &k);
            strategy_free(&s);
        }
        printf("strategy decision %-26s %d events: median %.0f ns, p99 %.0f ns, mean %.0f ns (quoted %.0f%%; "
               "sigma %.4f USDT/sqrt(s), A %.3f /s, k %.2f /USDT)\n",
               setups[si][0], n, median(med, ROUNDS), p99, mean, 100.0 * (double)nq / ((double)n * ROUNDS), sg, A, k);
    }
    free(t);
    free(ev);
    sync_free(&sy);
    book_free(&b);
    return 0;
}
