/* chaos.h: a venue that wraps any other venue and, under a seed, brings what live trading
 * brings: events duplicated, reordered, delayed and lost, requests lost, refused or answered
 * with "unknown". It is how the oms and the engine are shown to survive the order events
 * come in on a real connection, in a backtest that stays reproducible.
 *
 * What each probability does (each drawn on its own from one seeded PRNG, 0..1):
 *  events (from the inner venue to the engine):
 *  - p_drop_event: the event is lost. Droppable: ACK, REJECT, FILL, CANCELED, CANCEL_REJECT,
 *    EXPIRED, STATUS, UNKNOWN (the oms recovers by its deadlines and queries). Never
 *    touched by any event probability: OPEN_ORDER, BALANCE, SYNC_DONE (a sync stays whole
 *    and in order). RATE_LIMIT is never dropped (it may be delayed, reordered, duplicated).
 *  - p_reorder: the event is held back and goes out right after the next 1..reorder_depth
 *    events from the inner venue (whatever their fate), carrying the local time of the one
 *    it follows; one event is held this way at a time. If no event comes, it goes out at
 *    its local time + max_delay_ns (chaos_pump).
 *  - p_delay: the event is held for a uniform 0..max_delay_ns.
 *  - p_duplicate: a copy of the event goes out again after a uniform 0..max_delay_ns (the
 *    original meets its own fate: on time, delayed or reordered).
 *  requests (from the engine to the inner venue), drawn in this order:
 *  - p_not_sent: not forwarded; returns VENUE_NOT_SENT.
 *  - p_drop_request: not forwarded, yet returns VENUE_SENT: no answer ever comes.
 *  - p_rate_limit (place only): not forwarded; returns VENUE_SENT and is answered by a
 *    VEV_REJECT (req VREQ_PLACE, code VENUE_CODE_TOO_MANY) then a VEV_RATE_LIMIT (retry_ns
 *    = now + rate_limit_retry_ns), both at the request's local time.
 *  - p_unknown: forwarded, and the first answer of the inner venue to it (place: ACK,
 *    REJECT, FILL or EXPIRED of the order; cancel: CANCELED or CANCEL_REJECT; query:
 *    STATUS; replace: any of those about the old or the new order) is replaced by a
 *    VEV_UNKNOWN with req set and the order's cid (for a replace, the new order's cid).
 *    A cancel_all is forwarded and returns VENUE_MAYBE_SENT instead.
 *  sync is never touched by request chaos (nothing else would end it).
 *
 * Determinism: every draw comes from one xoshiro256** seeded by splitmix64(seed), in the
 * order events and requests arrive: same seed and same inputs, same output.
 * Transparency: with every probability 0 (chaos_config_default(cfg, 0, seed)) the wrapper
 * forwards every event synchronously, unchanged (the same pointer), and every request with
 * the inner venue's return code: nothing is held, nothing is drawn.
 *
 * Held events wait in a fixed pool (CHAOS_HOLD_MAX) with their release local time; they go
 * out in release-time order (ties by arrival), carrying local_ns = their release time
 * (when they reached us), either from chaos_pump() or just before an inner event whose
 * local time has reached theirs. When the pool is full the event goes out at once (never
 * lost; counted in `overflow`). Held events are deep copies: the reason text too, since a
 * venue's reason is valid during its sink call only (the sim's are static, a live venue's
 * need not be).
 *
 * Wiring: init the inner venue, then chaos_init(c, inner, cfg) (it installs itself as the
 * inner venue's sink), then give &c->base to the engine, which sets c->base.sink. Each loop
 * step: deliver the inner venue's events (sim_deliver(now)), then chaos_pump(now).
 * chaos_t is big (held events, the cid set): make it static or allocate it at start-up.
 *
 * Invariant support: every client id placed (place, and a replace's new order) that may
 * have reached the venue is recorded in a fixed set; one seen twice counts `dup_cids`
 * (a client order id must never name two orders: tests assert it stays 0). */
#ifndef Q_CHAOS_H
#define Q_CHAOS_H

#include <stdint.h>

#include "../../core/rng.h"
#include "../venue.h"

#define CHAOS_HOLD_MAX 4096          /* held events */
#define CHAOS_CID_SLOTS (1 << 16)    /* recorded client ids (7/8 of it usable) */
#define CHAOS_UNKNOWN_MAX 256        /* requests waiting for their answer to become UNKNOWN */
#define CHAOS_REASON_MAX 160         /* a held event's reason text, truncated past this */
#define CHAOS_CODE_UNKNOWN -1007     /* the code a VEV_UNKNOWN carries (Binance's TIMEOUT) */

typedef struct chaos_config {
    uint64_t seed;
    double p_duplicate, p_reorder, p_delay, p_drop_event;
    double p_drop_request, p_unknown, p_not_sent, p_rate_limit;
    int64_t max_delay_ns;        /* delay, a copy's lag, a reordered event's longest wait */
    int reorder_depth;           /* a reordered event follows 1..reorder_depth next events */
    int64_t rate_limit_retry_ns; /* a chaos RATE_LIMIT says: no new order for this long */
} chaos_config_t;

typedef struct chaos_stats {
    int64_t events_in, events_out; /* from the inner venue; to the engine (copies included) */
    int64_t duplicated, reordered, delayed, dropped_events;
    int64_t dropped_requests, unknowns, not_sent, rate_limited;
    int64_t overflow;              /* events that went out at once because the pool was full */
    int64_t dup_cids;              /* a client id placed twice (must stay 0) */
    int64_t cids_untracked;        /* client ids not recorded because the set was full */
} chaos_stats_t;

typedef struct chaos_held {
    venue_event_t ev;
    int64_t release_ns;
    uint64_t seq;                  /* arrival order, for ties */
    char reason[CHAOS_REASON_MAX]; /* ev.reason's text (ev.reason points here when held) */
} chaos_held_t;

typedef struct chaos_unknown {
    venue_request_t req;           /* VREQ_NONE: free */
    char cid[ORDER_CID_MAX + 1];   /* the order (a replace's new order) */
    char cid2[ORDER_CID_MAX + 1];  /* a replace's old order */
} chaos_unknown_t;

typedef struct chaos {
    venue_t base;                  /* first member: a chaos is a venue */
    venue_t *inner;
    chaos_config_t cfg;
    rng_t rng;
    uint64_t seq;
    chaos_held_t pool[CHAOS_HOLD_MAX];
    int16_t free_idx[CHAOS_HOLD_MAX];
    int nfree;
    int16_t heap[CHAOS_HOLD_MAX];  /* pool indices, min-heap on (release_ns, seq) */
    int nheap;
    chaos_held_t reo;              /* the reordered event, when reo_left > 0 */
    int reo_left;                  /* inner events still to go out before it */
    chaos_unknown_t unk[CHAOS_UNKNOWN_MAX];
    int unk_next, nunk;
    char cids[CHAOS_CID_SLOTS][ORDER_CID_MAX + 1]; /* open addressing; "" is free */
    int ncids;
    chaos_stats_t st;
} chaos_t;

/* Every probability = level (clamped to 0..1), max_delay_ns 50 ms, reorder_depth 3,
   rate_limit_retry_ns 100 ms. Level 0: transparent. */
void chaos_config_default(chaos_config_t *cfg, double level, uint64_t seed);
/* Wraps `inner` (already initialised): sets inner->sink to chaos. Returns 0, or Q_E_INVAL
   (and fills nothing) for a NULL argument or a probability outside 0..1 (or NaN), a
   negative delay or a reorder_depth below 1. c->base.sink is left NULL for the engine. */
int chaos_init(chaos_t *c, venue_t *inner, const chaos_config_t *cfg);
/* Hands c->base.sink every held event due by local time now_ns (release-time order, ties
   by arrival); events held during this call wait for the next. Returns how many went. */
int chaos_pump(chaos_t *c, int64_t now_ns);
/* The earliest release time of a held event, or INT64_MAX when none is held. */
int64_t chaos_next_ns(const chaos_t *c);
/* Events held now. */
int chaos_held(const chaos_t *c);

#endif
