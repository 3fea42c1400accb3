/* harness.h: the local exchange's server state (S, see state.h) without sockets, a listening
 * port or a market replay, for fuzzers and tests that call the request handlers directly
 * (ws_api_request() and the rest). The market is an empty book (xserver_harness_book() sets a
 * synthetic one); the matching engine, accounts and rate limits are the server's own.
 *
 * An lws context is made (CONTEXT_PORT_NO_LISTEN: no socket is opened), because some handlers
 * use it (listen keys draw random bytes from it). Connections made here are "direct"
 * WebSocket API sessions with no wsi: answers stay in their out-queue until drained. The
 * fault injections are left off (the delay fault would need the event loop). One harness per
 * process; not thread-safe, like the server. */
#ifndef Q_EXCHANGE_HARNESS_H
#define Q_EXCHANGE_HARNESS_H

#include <stdint.h>

#include "account.h"

struct pss;

/* Sets S up for these rules and (resolved) accounts, with cfg's [exchange] limits (NULL: the
   defaults). Logs only lws errors. 0, or -1 (out of memory, no lws context). */
int xserver_harness_init(const symbol_rules_t *rules, accounts_t *acc, const config_t *cfg);
/* Back to the state just after init (and after xserver_harness_book): balances, orders and
   trades, rate limit counts, listen keys, faults. Connections stay, with their sessions. */
void xserver_harness_reset(void);
/* A synthetic book: `levels` levels of `qty` lots on each side, one tick apart, the best bid
   at mid - 1 and the best ask at mid + 1 (ticks). levels 0 empties it. */
void xserver_harness_book(int64_t mid, int levels, int64_t qty);
/* A WebSocket API connection from `ip` (NULL: 127.0.0.1), linked like a real one (user data
   events reach it). NULL when out of memory. */
struct pss *xserver_harness_conn(const char *ip);
/* Hands each queued frame to fn (when not NULL) in order, and frees it. Returns how many. */
int xserver_harness_drain(struct pss *c, void (*fn)(void *ctx, const char *msg, int len), void *ctx);
/* Unlinks the connection and frees it with whatever it still queues. */
void xserver_harness_close(struct pss *c);
void xserver_harness_free(void);

#endif
