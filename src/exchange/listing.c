/* listing.c: the local exchange's symbols, rules and markets (see listing.h). */
#define _GNU_SOURCE /* memmem */
#include "listing.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/err.h"
#include "../feed/exchange_info.h"
#include "../feed/recording.h"
#include "../feed/replay.h"
#include "synth.h"

void listing_init(listing_t *l) { memset(l, 0, sizeof *l); }

static int valid_symbol(const char *s) {
    size_t n = strlen(s);
    if (n < 2 || n > 20) return 0;
    for (; *s; s++)
        if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s)) return 0;
    return 1;
}

int listing_section_key(listing_t *l, const char *section, const char *key, const char *value, char *err, int errcap) {
    const char *name = section + 7; /* "symbol " */
    if (!valid_symbol(name)) {
        snprintf(err, (size_t)errcap, "[%s]: a symbol is 2 to 20 upper-case letters and digits", section);
        return -1;
    }
    listing_section_t *x = 0;
    for (int i = 0; i < l->nsec; i++)
        if (!strcmp(l->sec[i].name, name)) x = &l->sec[i];
    if (!x) {
        if (l->nsec == LISTING_MAX) {
            snprintf(err, (size_t)errcap, "[%s]: at most %d symbols", section, LISTING_MAX);
            return -1;
        }
        x = &l->sec[l->nsec++];
        memset(x, 0, sizeof *x);
        snprintf(x->name, sizeof x->name, "%s", name);
        config_defaults(&x->cfg);
        snprintf(x->cfg.symbol, sizeof x->cfg.symbol, "%s", name);
        /* [market]'s notional bounds are in USDT; another quote asset states its own */
        snprintf(x->cfg.max_notional, sizeof x->cfg.max_notional, "0");
    }
    double *price = !strcmp(key, "synth_start_price") ? &x->synth_start_price
                  : !strcmp(key, "synth_quote_usd")   ? &x->synth_quote_usd
                                                      : 0;
    if (price) { /* a positive price, the whole value read */
        char *end;
        *price = strtod(value, &end);
        if (end == value || *end || !(*price > 0 && *price < 1e12)) {
            snprintf(err, (size_t)errcap, "[%s] %s = \"%s\": a positive price%s", section, key, value,
                     price == &x->synth_quote_usd ? " in USD" : "");
            return -1;
        }
        return 0;
    }
    static const char *const keys[] = {"base_asset", "quote_asset", "tick_size",    "step_size",
                                       "min_qty",    "max_qty",     "min_notional", "max_notional", "exchange_info"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        if (!strcmp(key, keys[k])) {
            char a[512], e[256];
            snprintf(a, sizeof a, "market.%s=%s", key, value);
            if (config_set(&x->cfg, a, e, sizeof e)) {
                snprintf(err, (size_t)errcap, "[%s] %s: %s", section, key, e);
                return -1;
            }
            return 0;
        }
    snprintf(err, (size_t)errcap, "[%s] %s: unknown key (a symbol section takes base_asset, quote_asset, tick_size, "
                                  "step_size, min_qty, max_qty, min_notional, max_notional, exchange_info, synth_start_price, "
                                  "synth_quote_usd)",
             section, key);
    return -1;
}

int listing_recording_symbol(const char *path, char *symbol, size_t cap, char *err, int errcap) {
    recording_t r;
    char *files[1] = {(char *)path};
    if (recording_open(&r, files, 1)) {
        snprintf(err, (size_t)errcap, "%s: %s", path, r.err);
        return -1;
    }
    r.quiet = 1;
    const char *json;
    size_t n;
    int64_t t;
    int rc, found = 0;
    for (int lines = 0; !found && lines < 10000 && (rc = recording_next(&r, &json, &n, &t)) == 1; lines++) {
        /* a combined stream's name ("btcusdt@depth@100ms"), else an event's "s" */
        const char *p = memmem(json, n, "\"stream\":\"", 10), *end = json + n;
        if (p) {
            p += 10;
            size_t k = 0;
            while (p + k < end && p[k] != '@' && p[k] != '"' && k + 1 < cap) k++;
            if (p + k < end && p[k] == '@') {
                for (size_t i = 0; i < k; i++) symbol[i] = (char)toupper((unsigned char)p[i]);
                symbol[k] = 0;
                found = 1;
            }
        } else if ((p = memmem(json, n, "\"s\":\"", 5))) {
            p += 5;
            size_t k = 0;
            while (p + k < end && p[k] != '"' && k + 1 < cap) k++;
            memcpy(symbol, p, k);
            symbol[k] = 0;
            found = 1;
        }
    }
    recording_close(&r);
    if (!found || !valid_symbol(symbol)) {
        snprintf(err, (size_t)errcap, "%s: no symbol found in its first lines (a stream name or an \"s\" field)", path);
        return -1;
    }
    return 0;
}

/* the recording's own exchangeInfo (issue 10), when a market's first file carries one */
typedef struct recorded {
    const exinfo_entry_t *e; /* its entry of the symbol, or NULL */
    const char *where;       /* "FILE:LINE" */
    const char *bad;         /* a line that could not be read: why, FILE:LINE first (else NULL) */
} recorded_t;

/* the rules for `name`: its [symbol] section, the [market] symbol, the exchangeInfo file, or
   its recording's own exchangeInfo line; the config's keys and file win over that line (as
   in backtest: config.h, config_resolve_rec) */
static int rules_for(const listing_t *l, const config_t *cfg, const char *name, const recorded_t *rec,
                     symbol_rules_t *r, double *start_price, char *err, int errcap) {
    *start_price = 0;
    const config_t *own = 0;
    for (int i = 0; i < l->nsec && !own; i++)
        if (!strcmp(l->sec[i].name, name)) {
            *start_price = l->sec[i].synth_start_price;
            own = &l->sec[i].cfg;
        }
    if (!own && !strcmp(cfg->symbol, name)) own = cfg;
    int rc;
    if (own && own->exchange_info[0]) return config_market_rules(own, r, err, errcap);
    if (!own && cfg->exchange_info[0] && ((rc = exinfo_load(cfg->exchange_info, name, r, err, errcap)) != Q_E_NOTFOUND ||
                                          !rec->e))
        return rc; /* the file's entry, or (none there) the recording's */
    if (rec->bad) {
        snprintf(err, (size_t)errcap, "%s; give %s's rules in the config ([symbol %s] or market.exchange_info)", rec->bad,
                 name, name);
        return -1;
    }
    if (own) rc = config_market_rules_rec(own, rec->e, r, err, errcap);
    else if (rec->e) rc = exinfo_entry_rules(rec->e, r, err, errcap);
    else {
        snprintf(err, (size_t)errcap, "%s: no rules for this symbol (give it a [symbol %s] section, or an exchangeInfo file as "
                                      "market.exchange_info)", name, name);
        return -1;
    }
    if (!rc && rec->e) {
        /* which keys took the place of the line's fields, if any */
        static const char *const keys[] = {"market.base_asset", "market.quote_asset", "market.tick_size",
                                           "market.step_size", "market.min_qty", "market.max_qty",
                                           "market.min_notional", "market.max_notional"};
        int given = 0;
        for (size_t i = 0; own && i < sizeof keys / sizeof *keys; i++) given |= config_given(own, keys[i]);
        fprintf(stderr, "quoter: %s: rules from the recording's exchangeInfo (%s)%s\n", name, rec->where,
                !given ? "" : own != cfg ? ", with its [symbol] keys" : ", with the [market] keys given");
    }
    return rc;
}

static listing_symbol_t *add_symbol(listing_t *l, const config_t *cfg, const char *name, const recorded_t *rec,
                                    char *err, int errcap) {
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->s[i].rules.symbol, name)) return &l->s[i];
    if (l->n == LISTING_MAX) {
        snprintf(err, (size_t)errcap, "%s: at most %d symbols", name, LISTING_MAX);
        return 0;
    }
    listing_symbol_t *s = &l->s[l->n];
    memset(s, 0, sizeof *s);
    if (rules_for(l, cfg, name, rec, &s->rules, &s->synth_start_price, err, errcap)) return 0;
    /* what exchangeInfo advertises is what is enforced: bounds the rules leave open get the
       values printed for them (PRICE_FILTER up to 10^11 ticks, LOT_SIZE up to 9*10^11 lots) */
    symbol_rules_t *r = &s->rules;
    if (!r->min_price) r->min_price = 1;
    if (!r->max_price) r->max_price = 100000000000LL;
    if (!r->min_qty) r->min_qty = r->step_lots;
    if (!r->max_qty) r->max_qty = 900000000000LL;
    if (!r->max_notional) r->max_notional = (__int128)r->max_price * r->max_qty; /* (no bound below the filters') */
    l->n++;
    return s;
}

/* the first price a recording shows (a bookTicker's best bid or a trade's price), 0 if none
   in its first lines */
/* the first bid (or trade price) of a recorded market, decoded as its replay reads it (the
   project's decoder: a price read whole, on the symbol's tick); 0 when none comes early */
static double recording_first_price(const listing_symbol_t *o) {
    replay_t *rp = calloc(1, sizeof *rp);
    double price = 0;
    md_event_t ev;
    if (rp && !replay_open(rp, (char **)o->files, o->nfiles, &o->rules)) {
        rp->rec.quiet = -1; /* its bad lines are the replay's to tell, later */
        for (int k = 0; !(price > 0) && k < 10000 && replay_next(rp, &ev) == 1; k++) {
            if (ev.type == MD_BBO && ev.u.bbo.bid > 0) price = (double)ev.u.bbo.bid * o->rules.tick.value;
            else if (ev.type == MD_TRADE) price = (double)ev.u.trade.price * o->rules.tick.value;
        }
    }
    if (rp) replay_close(rp);
    free(rp);
    return price;
}

static int usd_stablecoin(const char *asset) {
    static const char *const usd[] = {"USDT", "USDC", "FDUSD", "TUSD", "BUSD", "DAI", "USDP", "USD"};
    for (size_t i = 0; i < sizeof usd / sizeof *usd; i++)
        if (!strcmp(asset, usd[i])) return 1;
    return 0;
}

/* where s's synthetic market starts, in its quote asset */
static double synth_start(const listing_symbol_t *s) {
    if (s->synth_start_price > 0) return s->synth_start_price;
    synth_params_t p;
    synth_defaults(&p);
    return p.start_price;
}

/* The USD price of s's quote asset: 1 for a USD stablecoin; else its [symbol] section's
   synth_quote_usd when given; else the start price of a listed symbol trading that asset
   against a USD stablecoin (BTCUSDT's for ETHBTC: the first price of its recording, or where
   its synthetic market starts). 0 and an error when none is known. */
static double quote_usd(const listing_t *l, const listing_symbol_t *s, char *err, int errcap) {
    const char *q = s->rules.quote;
    if (usd_stablecoin(q)) return 1;
    for (int i = 0; i < l->nsec; i++)
        if (!strcmp(l->sec[i].name, s->rules.symbol) && l->sec[i].synth_quote_usd > 0) return l->sec[i].synth_quote_usd;
    for (int i = 0; i < l->n; i++) {
        const listing_symbol_t *o = &l->s[i];
        if (strcmp(o->rules.base, q) || !usd_stablecoin(o->rules.quote)) continue;
        if (o->want_synth) return synth_start(o);
        double p = o->nfiles ? recording_first_price(o) : 0;
        if (p > 0) return p;
    }
    snprintf(err, (size_t)errcap,
             "%s: its synthetic market is sized in USD, and the USD price of %s is unknown (list a %sUSDT "
             "market, or give synth_quote_usd in [symbol %s])",
             s->rules.symbol, q[0] ? q : "its quote asset", q, s->rules.symbol);
    return 0;
}

/* an hour of synthetic market for s, looping like any market here */
static int make_synth(listing_t *l, listing_symbol_t *s, char *err, int errcap) {
    synth_params_t p;
    synth_defaults(&p);
    p.seconds = 3600;
    double sp = s->synth_start_price;
    if (sp > 0) {
        /* the calibration's sizes are base quantities at its start price in USDT: they are
           scaled so that their notionals stay as calibrated in USD, whatever the quote asset
           (ETHBTC's notional counted in BTC would otherwise be sized ~60,000x too large) */
        double usd = quote_usd(l, s, err, errcap);
        if (!(usd > 0)) return -1;
        double k = p.start_price / (sp * usd);
        p.start_price = sp;
        p.trade_median *= k;
        p.order_median *= k;
    }
    p.seed = 1 + (uint64_t)(s - l->s);
    snprintf(s->synth_path, sizeof s->synth_path, "/tmp/quoter-exchange-%d-%s.gz", (int)getpid(), s->rules.symbol);
    if (synth_write(&p, &s->rules, s->synth_path, err, errcap)) {
        s->synth_path[0] = 0;
        return -1;
    }
    s->files[s->nfiles++] = s->synth_path;
    return 0;
}

int listing_build(listing_t *l, const config_t *cfg, char **args, int nargs, char *err, int errcap) {
    char prev[24] = "";
    for (int i = 0; i < nargs; i++) {
        char sym[24];
        const char *a = args[i];
        int synth = !strncmp(a, "synth:", 6);
        if (synth) {
            snprintf(sym, sizeof sym, "%s", a + 6);
            if (!valid_symbol(sym)) {
                snprintf(err, (size_t)errcap, "%s: synth:NAME takes a symbol (upper case)", a);
                return -1;
            }
        } else if (listing_recording_symbol(a, sym, sizeof sym, err, errcap)) {
            return -1;
        }
        /* a recording's own exchangeInfo: the first file of a symbol's gives its rules */
        exinfo_entry_t e;
        char where[300] = "", bad[400] = "";
        recorded_t rec = {0, where, 0};
        if (!synth) {
            int rc = replay_scan_exinfo((char **)&args[i], 1, sym, &e, where, sizeof where, bad, sizeof bad);
            if (rc == 1) rec.e = &e;
            else if (rc == Q_E_PARSE) rec.bad = bad;
            else if (rc < 0) {
                snprintf(err, (size_t)errcap, "%s: %s", a, bad);
                return -1;
            }
        }
        listing_symbol_t *s = add_symbol(l, cfg, sym, &rec, err, errcap);
        if (!s) return -1;
        /* a symbol's files must come together: its stream is their concatenation */
        if (s->nfiles && strcmp(prev, sym)) {
            snprintf(err, (size_t)errcap, "%s: the files of %s must be given one after another", a, sym);
            return -1;
        }
        if (synth ? (s->nfiles || s->want_synth) : s->want_synth) {
            snprintf(err, (size_t)errcap, "%s: %s already has a market", a, sym);
            return -1;
        }
        if (synth) {
            s->want_synth = 1; /* written once every market is known: its size may need another's price */
        } else {
            if (s->nfiles == LISTING_FILES) {
                snprintf(err, (size_t)errcap, "%s: at most %d files a symbol", a, LISTING_FILES);
                return -1;
            }
            s->files[s->nfiles++] = (char *)a;
        }
        snprintf(prev, sizeof prev, "%s", sym);
    }
    for (int i = 0; i < l->n; i++)
        if (l->s[i].want_synth && make_synth(l, &l->s[i], err, errcap)) return -1;
    if (nargs == 0) { /* no market given: a synthetic one for every configured symbol */
        const char *names[LISTING_MAX + 1];
        int nn = 0;
        names[nn++] = cfg->symbol;
        for (int i = 0; i < l->nsec; i++)
            if (strcmp(l->sec[i].name, cfg->symbol)) names[nn++] = l->sec[i].name;
        for (int i = 0; i < nn; i++) {
            recorded_t none = {0, 0, 0};
            listing_symbol_t *s = add_symbol(l, cfg, names[i], &none, err, errcap);
            if (!s) return -1;
            s->want_synth = 1;
        }
        for (int i = 0; i < l->n; i++)
            if (make_synth(l, &l->s[i], err, errcap)) return -1;
    }
    return 0;
}

void listing_free(listing_t *l) {
    for (int i = 0; i < l->n; i++)
        if (l->s[i].synth_path[0]) remove(l->s[i].synth_path);
}
