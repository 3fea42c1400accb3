/* decode.h: a schema-specific decoder for the Binance Spot market data JSON that
 * quoter uses: combined-stream wrappers ({"stream":..,"data":..}), depthUpdate diffs,
 * bookTicker, trade, and REST depth snapshots; it recognises an exchangeInfo response. It accepts keys in any order, skips
 * keys it does not know, checks every bound, and never allocates: levels go into the
 * caller-sized buffer given at init. It is fuzzed (fuzz/fuzz_decode.c). */
#ifndef Q_DECODE_H
#define Q_DECODE_H

#include <stddef.h>

#include "../core/fixed.h"
#include "md.h"

typedef struct md_decoder {
    fx_unit_t tick, lot;     /* price and quantity units */
    int64_t offgrid;          /* diff/snapshot levels skipped: price off the tick grid */
    char symbol[24];      /* upper case; messages of other symbols decode as MD_IGNORED;
                             empty accepts every symbol */
    size_t symbol_len;
    /* the symbol the last decoded message names, upper case: its combined-stream name
       ("ethusdt@trade") or else its "s" field; empty when it names none (a REST snapshot) */
    char line_symbol[24];
    size_t line_symbol_len;
    /* the last message was a GET /api/v3/exchangeInfo response (a top-level "symbols" key),
       as a recording carries at the start of each file: decoded as MD_IGNORED, its content
       unread (the replay reads it, replay.h) */
    int exinfo;
    md_level_t *levels;   /* caller-owned buffer shared by bids and asks */
    int cap;              /* its size in levels */
    char err[96];         /* why the last decode failed */
} md_decoder_t;

/* `levels` must hold the largest message's bids+asks (a 5000-level snapshot: 10000). */
void md_decoder_init(md_decoder_t *d, const fx_unit_t *tick, const fx_unit_t *lot,
                     const char *symbol, md_level_t *levels, int cap);

/* Decodes one JSON message. Returns 0 and fills `ev` (type MD_IGNORED for messages we
 * do not use), or a negative error with d->err saying why. ev->local_ns is left alone. */
int md_decode(md_decoder_t *d, const char *json, size_t n, md_event_t *ev);

#endif
