/* listing.h: what the local exchange lists: its symbols, each with its rules and its market.
 *
 * Rules come from the config: the [market] section (the default symbol), one
 * [symbol NAME] section per further symbol (the same keys: base_asset, quote_asset,
 * tick_size, step_size, min_qty, max_qty, min_notional, max_notional, exchange_info, and
 * synth_start_price for its synthetic market; synth_quote_usd, the quote asset's USD price,
 * when it is no USD stablecoin and no listed market prices it against one: the synthetic
 * market's sizes are calibrated in USD), or an exchangeInfo file (market.exchange_info)
 * that holds the symbol, or the symbol's first recording's own exchangeInfo line (issue 10),
 * the config's keys winning over its fields (config_market_rules_rec); an unreadable such
 * line stops the listing when the rules would come from it. Markets come from the command line: each recording is read for the
 * symbol it carries, and consecutive files of one symbol replay as one stream; `synth:NAME`
 * asks for a synthetic market of NAME. With no recording at all, every configured symbol
 * gets a synthetic market. */
#ifndef Q_LISTING_H
#define Q_LISTING_H

#include "../config/config.h"

#define LISTING_MAX 16
#define LISTING_FILES 64

typedef struct listing_symbol {
    symbol_rules_t rules;
    char *files[LISTING_FILES];
    int nfiles;
    char synth_path[80];       /* a synthetic market written for it, removed by listing_free */
    double synth_start_price;  /* where that market starts (0: the synthetic default) */
    int want_synth;            /* synth:NAME asked for it (written once every market is known) */
} listing_symbol_t;

typedef struct listing_section {
    char name[24];
    config_t cfg;              /* [market] keys as the section sets them */
    double synth_start_price;
    double synth_quote_usd;    /* the quote asset's USD price, for its synthetic market's sizes */
} listing_section_t;

typedef struct listing {
    listing_symbol_t s[LISTING_MAX];
    int n;
    listing_section_t sec[LISTING_MAX];
    int nsec;
} listing_t;

void listing_init(listing_t *l);
/* One key of a [symbol NAME] section (the config loader calls it for those sections):
   0, or an error in err naming the section and key. */
int listing_section_key(listing_t *l, const char *section, const char *key, const char *value, char *err, int errcap);
/* The symbols served, from the config and the command line's recordings and synth:NAME
   arguments (synthetic markets are written to temporary files now). */
int listing_build(listing_t *l, const config_t *cfg, char **args, int nargs, char *err, int errcap);
/* The symbol a recording carries (its first stream name or "s" field), upper case. */
int listing_recording_symbol(const char *path, char *symbol, size_t cap, char *err, int errcap);
void listing_free(listing_t *l);

#endif
