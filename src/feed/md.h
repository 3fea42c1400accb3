/* md.h: typed market data events, the output of every decoder (recorded or live).
 *
 * Every event carries two times: when the recording machine (or our socket) received
 * it (`local_ns`) and the exchange's event time (`exch_ns`, 0 when the message has none:
 * bookTicker carries only an update id). Prices are ticks and quantities steps of the
 * symbol (see core/fixed.h). Diff and snapshot levels point into the decoder's buffer
 * and stay valid until its next decode. */
#ifndef Q_MD_H
#define Q_MD_H

#include <stdint.h>

typedef enum md_type {
    MD_NONE = 0,
    MD_DIFF,      /* <s>@depth / @depth@100ms: levels to set, qty 0 deletes */
    MD_SNAPSHOT,  /* REST GET /api/v3/depth */
    MD_BBO,       /* <s>@bookTicker */
    MD_TRADE,     /* <s>@trade */
    MD_IGNORED,   /* a well-formed message we do not use (aggTrade, kline, partial depth,
                     another symbol) */
} md_type_t;

typedef struct md_level {
    int64_t price; /* ticks */
    int64_t qty;   /* steps; 0 deletes the level in a diff */
} md_level_t;

typedef struct md_event {
    md_type_t type;
    int64_t local_ns;
    int64_t exch_ns;
    union {
        struct { uint64_t first_id, last_id; } diff;  /* U, u */
        struct { uint64_t last_id; } snap;            /* lastUpdateId */
        struct { uint64_t id; int64_t bid, bid_qty, ask, ask_qty; } bbo;
        struct {
            uint64_t id;        /* t */
            int64_t price, qty; /* p, q */
            int64_t trade_ns;   /* T */
            int buyer_maker;    /* m: true when the seller was the aggressor */
        } trade;
    } u;
    const md_level_t *bids, *asks; /* diff and snapshot levels */
    int nbids, nasks;
} md_event_t;


#endif
