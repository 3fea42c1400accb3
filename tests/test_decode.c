/* test_decode.c: decoding real Binance messages from the shared recordings and fixtures,
 * and the reader's handling of bad lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/err.h"
#include "feed/decode.h"
#include "feed/exchange_info.h"
#include "feed/replay.h"
#include "testutil.h"

static md_level_t levels[20000];
static void test_fast_decimals_agree(void **st);
static void test_streaming_equals_whole(void **st);

static int decode(md_decoder_t *d, const char *json, md_event_t *ev) {
    return md_decode(d, json, strlen(json), ev);
}

static void btc_decoder(md_decoder_t *d, symbol_rules_t *r) {
    tu_btcusdt(r);
    md_decoder_init(d, &r->tick, &r->lot, "BTCUSDT", levels, 20000);
}

static void test_real_messages(void **st) {
    (void)st;
    symbol_rules_t r;
    md_decoder_t d;
    md_event_t ev;
    btc_decoder(&d, &r);
    /* line 1, 3, 4 of btcusdt_20240808.gz (the first diff shortened to its first levels) */
    assert_int_equal(decode(&d, "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1723161255208,\"s\":\"BTCUSDT\",\"U\":50093239189,\"u\":50093239202,\"b\":[[\"61737.63000000\",\"0.00000000\"],[\"61730.17000000\",\"0.00000000\"]],\"a\":[[\"61837.64000000\",\"1.54698000\"]]}}", &ev), 0);
    assert_int_equal(ev.type, MD_DIFF);
    assert_int_equal(ev.exch_ns, 1723161255208LL * 1000000);
    assert_int_equal(ev.u.diff.first_id, 50093239189ULL);
    assert_int_equal(ev.u.diff.last_id, 50093239202ULL);
    assert_int_equal(ev.nbids, 2);
    assert_int_equal(ev.nasks, 1);
    assert_int_equal(ev.bids[0].price, 6173763);
    assert_int_equal(ev.bids[1].qty, 0);
    assert_int_equal(ev.asks[0].price, 6183764);
    assert_int_equal(ev.asks[0].qty, 154698000);

    assert_int_equal(decode(&d, "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":50093239212,\"s\":\"BTCUSDT\",\"b\":\"61837.63000000\",\"B\":\"3.78826000\",\"a\":\"61837.64000000\",\"A\":\"1.54698000\"}}", &ev), 0);
    assert_int_equal(ev.type, MD_BBO);
    assert_int_equal(ev.exch_ns, 0);
    assert_int_equal(ev.u.bbo.id, 50093239212ULL);
    assert_int_equal(ev.u.bbo.bid, 6183763);
    assert_int_equal(ev.u.bbo.bid_qty, 378826000);
    assert_int_equal(ev.u.bbo.ask, 6183764);
    assert_int_equal(ev.u.bbo.ask_qty, 154698000);

    assert_int_equal(decode(&d, "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161255343,\"s\":\"BTCUSDT\",\"t\":3735683259,\"p\":\"61837.63000000\",\"q\":\"0.02000000\",\"T\":1723161255342,\"m\":true,\"M\":true}}", &ev), 0);
    assert_int_equal(ev.type, MD_TRADE);
    assert_int_equal(ev.u.trade.id, 3735683259ULL);
    assert_int_equal(ev.u.trade.price, 6183763);
    assert_int_equal(ev.u.trade.qty, 2000000);
    assert_int_equal(ev.u.trade.trade_ns, 1723161255342LL * 1000000);
    assert_true(ev.u.trade.buyer_maker);
}

static void test_key_order_whitespace_and_others(void **st) {
    (void)st;
    symbol_rules_t r;
    md_decoder_t d;
    md_event_t ev;
    btc_decoder(&d, &r);
    /* keys in another order, whitespace, unknown keys with nested values */
    assert_int_equal(decode(&d, " { \"data\" : { \"A\":\"1\", \"a\":\"2.00\",\"x\":{\"y\":[1,{\"z\":null}]}, \"B\" : \"0.5\" ,\"b\":\"1.99\",\"s\":\"BTCUSDT\",\"u\":7 } , \"stream\":\"btcusdt@bookTicker\" } ", &ev), 0);
    assert_int_equal(ev.type, MD_BBO);
    assert_int_equal(ev.u.bbo.bid, 199);
    assert_int_equal(ev.u.bbo.ask_qty, 100000000);
    /* another symbol: ignored even though its prices are off our tick */
    assert_int_equal(decode(&d, "{\"u\":1,\"s\":\"LRCBTC\",\"b\":\"0.00000123\",\"B\":\"1\",\"a\":\"0.00000124\",\"A\":\"1\"}", &ev), 0);
    assert_int_equal(ev.type, MD_IGNORED);
    /* aggTrade and partial depth streams are well-formed but unused */
    assert_int_equal(decode(&d, "{\"stream\":\"btcusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":1,\"s\":\"BTCUSDT\",\"a\":5,\"p\":\"1.00\",\"q\":\"1\",\"f\":1,\"l\":2,\"T\":1,\"m\":false,\"M\":true}}", &ev), 0);
    assert_int_equal(ev.type, MD_IGNORED);
    assert_int_equal(decode(&d, "{\"stream\":\"btcusdt@depth5@100ms\",\"data\":{\"lastUpdateId\":5,\"bids\":[[\"1.00\",\"1\"]],\"asks\":[]}}", &ev), 0);
    assert_int_equal(ev.type, MD_IGNORED);
    /* a REST snapshot, with the old API's third element */
    assert_int_equal(decode(&d, "{\"lastUpdateId\":9,\"bids\":[[\"1.00\",\"2\",[]]],\"asks\":[[\"1.01\",\"3\"]]}", &ev), 0);
    assert_int_equal(ev.type, MD_SNAPSHOT);
    assert_int_equal(ev.u.snap.last_id, 9);
    assert_int_equal(ev.nbids, 1);
    assert_int_equal(ev.asks[0].price, 101);
}

/* every line's symbol: the combined-stream name (the real NKNUSDT and BTCUSDT lines), else
   "s"; a stream of another symbol is ignored even with no "s" (partial depth carries none) */
static void test_line_symbol(void **st) {
    (void)st;
    symbol_rules_t r;
    md_decoder_t d;
    md_event_t ev;
    btc_decoder(&d, &r);
    assert_int_equal(decode(&d, "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":50093239212,\"s\":\"BTCUSDT\",\"b\":\"61837.63000000\",\"B\":\"3.78826000\",\"a\":\"61837.64000000\",\"A\":\"1.54698000\"}}", &ev), 0);
    assert_int_equal(ev.type, MD_BBO);
    assert_string_equal(d.line_symbol, "BTCUSDT");
    /* from the cryptofeed fixture: another symbol, its prices off BTCUSDT's tick, ignored */
    assert_int_equal(decode(&d, "{\"stream\":\"nknusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1633998512568,\"s\":\"NKNUSDT\",\"U\":499869753,\"u\":499869754,\"b\":[[\"0.35170000\",\"4265.00000000\"]],\"a\":[[\"0.35290000\",\"10968.00000000\"]]}}", &ev), 0);
    assert_int_equal(ev.type, MD_IGNORED);
    assert_string_equal(d.line_symbol, "NKNUSDT");
    assert_int_equal(d.line_symbol_len, 7);
    /* the stream name alone decides: a diff of ethusdt without "s" (on BTCUSDT's tick, so only
       the name tells it apart) */
    assert_int_equal(decode(&d, "{\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,\"U\":1,\"u\":2,\"b\":[[\"2500.10\",\"1\"]],\"a\":[]}}", &ev), 0);
    assert_int_equal(ev.type, MD_IGNORED);
    assert_string_equal(d.line_symbol, "ETHUSDT");
    /* a bare event: "s" */
    assert_int_equal(decode(&d, "{\"e\":\"trade\",\"E\":1723161255343,\"s\":\"ETHUSDT\",\"t\":1,\"p\":\"2500.123\",\"q\":\"1\",\"T\":1723161255342,\"m\":true}", &ev), 0);
    assert_int_equal(ev.type, MD_IGNORED);
    assert_string_equal(d.line_symbol, "ETHUSDT");
    /* a REST snapshot names none */
    assert_int_equal(decode(&d, "{\"lastUpdateId\":5,\"bids\":[[\"61837.63000000\",\"1.00000000\"]],\"asks\":[]}", &ev), 0);
    assert_int_equal(ev.type, MD_SNAPSHOT);
    assert_int_equal(d.line_symbol_len, 0);
    assert_string_equal(d.line_symbol, "");
    /* an all-market stream leaves it to "s" */
    assert_int_equal(decode(&d, "{\"stream\":\"!bookTicker\",\"data\":{\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"2.00\",\"A\":\"1\"}}", &ev), 0);
    assert_int_equal(ev.type, MD_BBO);
    assert_string_equal(d.line_symbol, "BTCUSDT");
    /* a wrapper and an event that disagree cannot be attributed: an error that says so */
    assert_int_equal(decode(&d, "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"ETHUSDT\",\"t\":1,\"p\":\"1.00\",\"q\":\"1\",\"T\":1,\"m\":true}}", &ev), Q_E_PARSE);
    assert_non_null(strstr(d.err, "different symbols"));
    assert_int_equal(decode(&d, "{\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1.00\",\"q\":\"1\",\"T\":1,\"m\":true},\"stream\":\"ethusdt@trade\"}", &ev), Q_E_PARSE);
    assert_non_null(strstr(d.err, "different symbols"));
    /* with no symbol to filter on, every line decodes and still names its symbol */
    md_decoder_init(&d, &r.tick, &r.lot, "", levels, 20000);
    assert_int_equal(decode(&d, "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161255343,\"s\":\"BTCUSDT\",\"t\":3735683259,\"p\":\"61837.63000000\",\"q\":\"0.02000000\",\"T\":1723161255342,\"m\":true,\"M\":true}}", &ev), 0);
    assert_int_equal(ev.type, MD_TRADE);
    assert_string_equal(d.line_symbol, "BTCUSDT");
}

/* the replay counts lines per symbol; the scan finds a recording's symbols without its rules */
static void test_replay_symbols(void **st) {
    (void)st;
    char path[] = "/tmp/q_test_symXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("1 {\"lastUpdateId\":5,\"bids\":[[\"61837.63000000\",\"1.00000000\"]],\"asks\":[[\"61837.64000000\",\"1.00000000\"]]}\n", f);
    for (int i = 0; i < 3; i++)
        fprintf(f, "%d {\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":%d,\"s\":\"BTCUSDT\",\"b\":\"61837.63000000\",\"B\":\"1.00000000\",\"a\":\"61837.64000000\",\"A\":\"1.00000000\"}}\n", 2 + i, 10 + i);
    fputs("9 {\"stream\":\"nknusdt@bookTicker\",\"data\":{\"u\":1,\"s\":\"NKNUSDT\",\"b\":\"0.35130000\",\"B\":\"1.00000000\",\"a\":\"0.35290000\",\"A\":\"1.00000000\"}}\n", f);
    fclose(f);
    char *files[] = {path};
    symbol_rules_t r;
    tu_btcusdt(&r);
    replay_t rp;
    md_event_t ev;
    assert_int_equal(replay_open(&rp, files, 1, &r), 0);
    while (replay_next(&rp, &ev) > 0) {}
    assert_int_equal(replay_symbol_lines(&rp.syms, "BTCUSDT"), 3);
    assert_int_equal(replay_symbol_lines(&rp.syms, "NKNUSDT"), 1);
    assert_int_equal(replay_symbol_lines(&rp.syms, "ETHUSDT"), 0);
    assert_int_equal(rp.syms.unnamed, 1);
    assert_int_equal(rp.count[MD_IGNORED], 1);
    char list[128];
    assert_string_equal(replay_symbols_list(&rp.syms, list, sizeof list), "BTCUSDT (3 lines), NKNUSDT (1 line)");
    replay_close(&rp);
    replay_symbols_t s;
    char err[128];
    assert_int_equal(replay_scan_symbols(files, 1, 0, 0, &s, err, sizeof err), 1); /* to the end */
    assert_int_equal(s.n, 2);
    assert_int_equal(replay_symbol_lines(&s, "NKNUSDT"), 1);
    assert_int_equal(replay_scan_symbols(files, 1, "BTCUSDT", 0, &s, err, sizeof err), 0); /* stops at it */
    assert_int_equal(replay_symbol_lines(&s, "BTCUSDT"), 1);
    assert_int_equal(replay_scan_symbols(files, 1, 0, 2, &s, err, sizeof err), 0); /* two lines */
    assert_int_equal(s.n, 1);
    unlink(path);
}

static void test_malformed_messages(void **st) {
    (void)st;
    symbol_rules_t r;
    md_decoder_t d;
    md_event_t ev;
    btc_decoder(&d, &r);
    const char *bad[] = {
        "", "{", "}", "[]", "null", "{\"u\":1}",
        "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1.00\"",
        "{\"e\":\"trade\",\"t\":1,\"p\":\"1.001\",\"q\":\"1\",\"m\":true}",       /* off tick */
        "{\"e\":\"trade\",\"t\":1,\"p\":\"1.00\",\"q\":\"1\"}",                  /* no m */
        "{\"e\":\"depthUpdate\",\"U\":5,\"u\":4,\"b\":[],\"a\":[]}",            /* U > u */
        "{\"e\":\"depthUpdate\",\"U\":1,\"u\":2,\"b\":[[\"1.00\"]],\"a\":[]}",   /* half a level */
        "{\"e\":\"depthUpdate\",\"U\":1,\"u\":2,\"b\":[[\"1.00\",\"-1\"]],\"a\":[]}",
        "{\"u\":99999999999999999999999,\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
        "{\"u\":1.5,\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
        "{\"u\":1,\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"} trailing",
        "{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
        "{\"data\":{\"data\":{\"data\":{\"u\":1}}}}",
        /* numbers no market has (a hostile review's lines): counted bad, never filling an order */
        "{\"e\":\"trade\",\"t\":1,\"p\":\"-5.00\",\"q\":\"1\",\"m\":true}",
        "{\"e\":\"trade\",\"t\":1,\"p\":\"0.00000000\",\"q\":\"1\",\"m\":true}",
        "{\"e\":\"trade\",\"t\":1,\"p\":\"1.00\",\"q\":\"-5.00000000\",\"m\":true}",
        "{\"e\":\"trade\",\"t\":1,\"p\":\"1.00\",\"q\":\"0.00000000\",\"m\":true}",
        "{\"u\":1,\"b\":\"-61831.99\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
        "{\"u\":1,\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"-0.13518\"}",
        "{\"e\":\"depthUpdate\",\"U\":1,\"u\":2,\"b\":[[\"-1.00\",\"1\"]],\"a\":[]}",
        "{\"e\":\"depthUpdate\",\"U\":1,\"u\":2,\"b\":[],\"a\":[[\"0.00\",\"1\"]]}",
        "{\"lastUpdateId\":5,\"bids\":[[\"0.00000000\",\"1.00000000\"]],\"asks\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = decode(&d, bad[i], &ev);
        if (rc == 0) fail_msg("accepted malformed message %zu: %s", i, bad[i]);
        assert_true(d.err[0] != 0);
    }
    /* a level off the tick grid inside a diff is skipped alone, not the whole diff */
    assert_int_equal(decode(&d, "{\"e\":\"depthUpdate\",\"U\":1,\"u\":2,\"b\":[[\"1.001\",\"1\"],[\"1.00\",\"2\"]],\"a\":[]}", &ev), 0);
    assert_int_equal(ev.nbids, 1);
    assert_int_equal(ev.bids[0].price, 100);
    assert_int_equal(d.offgrid, 1);
}

/* the whole shared recording decodes, with the counts data/README.md gives */
static void test_recording_counts(void **st) {
    (void)st;
    symbol_rules_t r;
    tu_btcusdt(&r);
    char *files[2];
    tu_recordings(files);
    for (int k = 0; k < 2; k++) {
        replay_t rp;
        assert_int_equal(replay_open(&rp, &files[k], 1, &r), 0);
        md_event_t ev;
        int rc;
        int64_t last_local = 0, backwards = 0;
        while ((rc = replay_next(&rp, &ev)) > 0) {
            if (ev.local_ns < last_local) backwards++;
            last_local = ev.local_ns;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(replay_bad_lines(&rp), 0);
        assert_int_equal(backwards, 0);
        if (k == 0) {
            assert_int_equal(rp.lines, 41249);
            assert_int_equal(rp.count[MD_DIFF], 3451);
            assert_int_equal(rp.count[MD_BBO], 28040);
            assert_int_equal(rp.count[MD_TRADE], 9757);
            assert_int_equal(rp.count[MD_SNAPSHOT], 1);
        } else {
            assert_int_equal(rp.lines, 58325);
            assert_int_equal(rp.count[MD_DIFF], 3044);
            assert_int_equal(rp.count[MD_BBO], 45134);
            assert_int_equal(rp.count[MD_TRADE], 10147);
            assert_int_equal(rp.count[MD_SNAPSHOT], 0);
        }
        assert_int_equal(rp.dec.offgrid, 0);
        replay_close(&rp);
    }
}

/* bad lines are counted with their place and skipped; good lines around them survive */
static void test_bad_lines(void **st) {
    (void)st;
    char path[] = "/tmp/quoter_badlines_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("1000 {\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}\n", f);
    fputs("garbage line\n", f);
    fputs("\n", f);
    fputs("2000 {\"u\":2,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\"\n", f); /* truncated */
    fputs("99999999999999999999 {}\n", f);                                           /* time overflow */
    fputs("3000{\"u\":3}\n", f);                                                     /* no space */
    fputs("4000 {\"u\":4,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"2\"}\r\n", f);
    fputs("5000 {\"u\":5,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"3\"}", f); /* no final newline */
    fclose(f);
    symbol_rules_t r;
    tu_btcusdt(&r);
    char *files[1] = {path};
    replay_t rp;
    assert_int_equal(replay_open(&rp, files, 1, &r), 0);
    md_event_t ev;
    int64_t ids[8], n = 0;
    while (replay_next(&rp, &ev) > 0) ids[n++] = (int64_t)ev.u.bbo.id;
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 4);
    assert_int_equal(ids[2], 5);
    assert_int_equal(replay_bad_lines(&rp), 4);
    replay_close(&rp);
    unlink(path);
    /* files out of time order (or one given twice): an error naming the file and line where
       the receive time goes back more than REPLAY_BACK_NS (60 s) from the latest, never a silent
       empty replay; less is a recording's own (a rotation's held messages, a late snapshot) */
    {
        char p2[] = "/tmp/quoter_backwards_XXXXXX";
        int fd2 = mkstemp(p2);
        assert_true(fd2 >= 0);
        FILE *f2 = fdopen(fd2, "w");
        fputs("1000 {\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}\n", f2);
        fputs("1000 {\"u\":2,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}\n", f2); /* the same time: fine */
        fputs("30000000000 {\"u\":3,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}\n", f2);
        fputs("1000000000 {\"u\":4,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}\n", f2); /* 29 s back: a recording's own, fine */
        fputs("100000000000 {\"u\":5,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}\n", f2);
        fputs("1500 {\"u\":6,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}\n", f2); /* 100 s back */
        fclose(f2);
        char *back[1] = {p2};
        assert_int_equal(replay_open(&rp, back, 1, &r), 0);
        for (int i = 0; i < 5; i++) assert_int_equal(replay_next(&rp, &ev), 1);
        assert_true(replay_next(&rp, &ev) < 0);
        assert_non_null(strstr(rp.rec.err, ":6: the receive time goes back 100.000 s from the latest"));
        replay_close(&rp);
        unlink(p2);
    }
    /* a missing file is an error, not a crash */
    char *missing[1] = {"/nonexistent/file.gz"};
    assert_int_equal(replay_open(&rp, missing, 1, &r), 0);
    assert_true(replay_next(&rp, &ev) < 0);
    assert_non_null(strstr(rp.rec.err, "/nonexistent/file.gz"));
    replay_close(&rp);
}


/* ---- a recording's own exchangeInfo line (issue 10) ---- */

/* the real exchangeInfo fixture (BTCUSDT and ETHUSDT, 2021) on one line, as Binance sends a
   body: whitespace outside strings removed. `from`, when given, is replaced by `to` once. */
static char *exinfo_line(const char *from, const char *to) {
    size_t len;
    char *raw = tu_read(tu_data_path("fixtures/nautilus-binance-spot-exchange-info-2021.json"), &len);
    assert_non_null(raw);
    char *out = malloc(len + 64);
    size_t o = 0;
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = raw[i];
        if (in_str) {
            out[o++] = ch;
            if (ch == '\\' && i + 1 < len) out[o++] = raw[++i];
            else if (ch == '"') in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
            out[o++] = ch;
        } else if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') {
            out[o++] = ch;
        }
    }
    out[o] = 0;
    free(raw);
    if (from) {
        char *at = strstr(out, from);
        assert_non_null(at);
        size_t fl = strlen(from), tl = strlen(to);
        assert_true(tl <= fl + 60);
        memmove(at + tl, at + fl, strlen(at + fl) + 1);
        memcpy(at, to, tl);
    }
    return out;
}

static void test_exinfo_decode(void **st) {
    (void)st;
    symbol_rules_t r;
    md_decoder_t d;
    md_event_t ev;
    btc_decoder(&d, &r);
    char *line = exinfo_line(0, 0);
    assert_int_equal(decode(&d, line, &ev), 0);
    assert_int_equal(ev.type, MD_IGNORED);
    assert_int_equal(d.exinfo, 1);
    assert_int_equal(d.line_symbol_len, 0); /* it names symbols, but is no line of one */
    assert_int_equal(decode(&d, "{\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.01\",\"A\":\"1\"}", &ev), 0);
    assert_int_equal(ev.type, MD_BBO);
    assert_int_equal(d.exinfo, 0); /* reset by the next message */
    /* only a top-level "symbols" says so: inside a stream's data it is an unknown message */
    assert_true(decode(&d, "{\"stream\":\"btcusdt@x\",\"data\":{\"symbols\":[]}}", &ev) != 0);
    assert_int_equal(d.exinfo, 0);
    /* the decoder skips its content: a truncated one is malformed JSON */
    line[strlen(line) / 2] = 0;
    assert_true(decode(&d, line, &ev) != 0);
    assert_int_equal(d.exinfo, 0);
    free(line);
}

static void write_lines(const char *path, const char *const *lines, int n) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < n; i++) fprintf(f, "%d %s\n", 1000 + i, lines[i]);
    fclose(f);
}

#define BBO(u) "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":" #u ",\"s\":\"BTCUSDT\",\"b\":\"61837.63000000\"," \
               "\"B\":\"1.00000000\",\"a\":\"61837.64000000\",\"A\":\"1.00000000\"}}"

/* the replay reads the lines itself: no event, no bad or ignored line, no symbol's line; the
   first governs, a later different one is counted, an unreadable one is a bad line */
static void test_exinfo_replay(void **st) {
    (void)st;
    char *good = exinfo_line(0, 0);
    char *same = exinfo_line("\"serverTime\":1634942465856", "\"serverTime\":1634942999999");
    char *changed = exinfo_line("\"minNotional\":\"10.00000000\"", "\"minNotional\":\"5.00000000\""); /* BTCUSDT's */
    char *no_tick = exinfo_line("\"tickSize\":\"0.01000000\"", "\"tickSizeX\":\"0.01000000\"");
    char *trunc = exinfo_line(0, 0);
    trunc[200] = 0;
    const char *lines[] = {good, BBO(1), BBO(2), same, changed, no_tick, trunc, BBO(3)};
    char path[] = "/tmp/quoter_exinfo_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_lines(path, lines, 8);
    char *files[] = {path};
    symbol_rules_t r;
    tu_btcusdt(&r);
    replay_t rp;
    md_event_t ev;
    assert_int_equal(replay_open(&rp, files, 1, &r), 0);
    int n = 0;
    while (replay_next(&rp, &ev) > 0) {
        assert_int_equal(ev.type, MD_BBO);
        n++;
    }
    assert_int_equal(n, 3);
    assert_int_equal(rp.lines, 8);
    assert_int_equal(rp.count[MD_IGNORED], 0);
    assert_int_equal(rp.exinfo_lines, 4);      /* good, same, changed, no_tick (trunc is no JSON) */
    assert_int_equal(replay_bad_lines(&rp), 2); /* no_tick and trunc */
    assert_int_equal(rp.exinfo_changes, 1);     /* changed; same differs in serverTime only */
    assert_true(rp.have_exinfo);
    assert_int_equal(rp.exinfo.max_num_orders, 200);
    __int128 ten;
    assert_int_equal(symbol_notional_parse(&r, "10", &ten), 0);
    assert_true(rp.exinfo.min_notional == ten);
    char want[300];
    snprintf(want, sizeof want, "%s:1", path);
    assert_string_equal(rp.exinfo_where, want);
    assert_int_equal(replay_symbol_lines(&rp.syms, "BTCUSDT"), 3);
    assert_int_equal(rp.syms.unnamed, 0);
    replay_close(&rp);
    /* what the warning says */
    symbol_rules_t a, b;
    char err[200], diff[300];
    assert_int_equal(exinfo_parse(good, strlen(good), "BTCUSDT", &a, err, sizeof err), 0);
    assert_int_equal(exinfo_parse(changed, strlen(changed), "BTCUSDT", &b, err, sizeof err), 0);
    assert_int_equal(exinfo_rules_diff(&a, &b, diff, sizeof diff), 1);
    assert_string_equal(diff, "minNotional 10.00000000 -> 5.00000000");
    assert_int_equal(exinfo_rules_diff(&a, &a, diff, sizeof diff), 0);
    /* the scan finds symbols never counted by the exchangeInfo line */
    replay_symbols_t syms;
    assert_int_equal(replay_scan_symbols(files, 1, 0, 0, &syms, err, sizeof err), 1);
    assert_int_equal(syms.n, 1);
    assert_int_equal(syms.unnamed, 0);
    unlink(path);
    free(good), free(same), free(changed), free(no_tick), free(trunc);
}

/* which line gives a command its rules: the first exchangeInfo naming the symbol among each
   file's first lines, the files in order */
static void test_exinfo_scan(void **st) {
    (void)st;
    char *good = exinfo_line(0, 0);
    char *no_tick = exinfo_line("\"tickSize\":\"0.01000000\"", "\"tickSizeX\":\"0.01000000\"");
    char *trunc = exinfo_line(0, 0);
    strstr(trunc, "\"symbols\"")[40] = 0; /* cut in the middle of the symbol's entry */
    char p[5][32];
    const char *old[] = {BBO(1), BBO(2)};
    const char *with[] = {good, BBO(1)};
    const char *bad[] = {no_tick, BBO(1)};
    const char *cut[] = {BBO(1), trunc};
    const char *late[REPLAY_EXINFO_LINES + 1];
    for (int i = 0; i < REPLAY_EXINFO_LINES; i++) late[i] = BBO(1);
    late[REPLAY_EXINFO_LINES] = good;
    const char *const *content[] = {old, with, bad, cut, late};
    int count[] = {2, 2, 2, 2, REPLAY_EXINFO_LINES + 1};
    for (int i = 0; i < 5; i++) {
        snprintf(p[i], sizeof p[i], "/tmp/quoter_scan%d_XXXXXX", i);
        int fd = mkstemp(p[i]);
        assert_true(fd >= 0);
        close(fd);
        write_lines(p[i], content[i], count[i]);
    }
    exinfo_entry_t e;
    char where[300], err[300], want[300];
    char *f_with[] = {p[1]}, *f_old_with[] = {p[0], p[1]}, *f_old[] = {p[0]}, *f_bad[] = {p[2]}, *f_cut[] = {p[3]},
         *f_late[] = {p[4]};
    assert_int_equal(replay_scan_exinfo(f_with, 1, "BTCUSDT", &e, where, sizeof where, err, sizeof err), 1);
    assert_string_equal(e.tick, "0.01000000");
    assert_string_equal(e.step, "0.00001000");
    assert_string_equal(e.base, "BTC");
    assert_string_equal(e.status, "TRADING");
    assert_string_equal(e.min_notional, "10.00000000");
    snprintf(want, sizeof want, "%s:1", p[1]);
    assert_string_equal(where, want);
    assert_int_equal(replay_scan_exinfo(f_with, 1, "ETHUSDT", &e, where, sizeof where, err, sizeof err), 1);
    assert_string_equal(e.base, "ETH");
    assert_string_equal(e.step, "0.00010000");
    assert_int_equal(replay_scan_exinfo(f_with, 1, "BNBUSDT", &e, where, sizeof where, err, sizeof err), 0);
    assert_int_equal(replay_scan_exinfo(f_old, 1, "BTCUSDT", &e, where, sizeof where, err, sizeof err), 0);
    /* an old file first: the next file's line */
    assert_int_equal(replay_scan_exinfo(f_old_with, 2, "BTCUSDT", &e, where, sizeof where, err, sizeof err), 1);
    assert_string_equal(where, want);
    assert_int_equal(replay_scan_exinfo(f_bad, 1, "BTCUSDT", &e, where, sizeof where, err, sizeof err), Q_E_PARSE);
    snprintf(want, sizeof want, "%s:1: exchangeInfo: BTCUSDT lacks a valid PRICE_FILTER tickSize", p[2]);
    assert_true(!strncmp(err, want, strlen(want)));
    /* the entry of another symbol in it is fine */
    assert_int_equal(replay_scan_exinfo(f_bad, 1, "ETHUSDT", &e, where, sizeof where, err, sizeof err), 1);
    assert_int_equal(replay_scan_exinfo(f_cut, 1, "BTCUSDT", &e, where, sizeof where, err, sizeof err), Q_E_PARSE);
    snprintf(want, sizeof want, "%s:2: an exchangeInfo line that is not valid JSON", p[3]);
    assert_true(!strncmp(err, want, strlen(want)));
    /* beyond a file's first lines it is not looked for */
    assert_int_equal(replay_scan_exinfo(f_late, 1, "BTCUSDT", &e, where, sizeof where, err, sizeof err), 0);
    char *missing[] = {"/nonexistent/x.gz"};
    assert_true(replay_scan_exinfo(missing, 1, "BTCUSDT", &e, where, sizeof where, err, sizeof err) < 0);
    for (int i = 0; i < 5; i++) unlink(p[i]);
    free(good), free(no_tick), free(trunc);
}

/* the rules' precedence: market.exchange_info whole > the recording's line with the config's
   [market] keys field by field > the keys' defaults (BTCUSDT's only) */
static void test_exinfo_precedence(void **st) {
    (void)st;
    char *good = exinfo_line(0, 0);
    exinfo_entry_t eth, btc;
    char err[400];
    assert_int_equal(exinfo_entry_parse(good, strlen(good), "ETHUSDT", &eth, err, sizeof err), 0);
    assert_int_equal(exinfo_entry_parse(good, strlen(good), "BTCUSDT", &btc, err, sizeof err), 0);
    config_t c;
    config_exact_t x;
    config_defaults(&c);
    assert_int_equal(config_set(&c, "market.symbol=ETHUSDT", err, sizeof err), 0);
    assert_int_not_equal(config_resolve_rec(&c, 0, &x, err, sizeof err), 0); /* no rules for ETHUSDT */
    assert_int_equal(config_resolve_rec(&c, &eth, &x, err, sizeof err), 0);
    assert_string_equal(x.rules.base, "ETH");
    assert_string_equal(x.rules.quote, "USDT");
    assert_int_equal(x.rules.tick.scale, 2);
    assert_int_equal(x.rules.step.scale, 4);
    assert_int_equal(x.rules.min_price, 1);              /* 0.01 */
    assert_int_equal(x.rules.min_qty, 10000);            /* 0.0001 in lots of 1e-8 */
    assert_int_equal(x.rules.max_num_orders, 200);
    symbol_rules_t ref;
    assert_int_equal(exinfo_parse(good, strlen(good), "ETHUSDT", &ref, err, sizeof err), 0);
    assert_true(x.rules.min_notional == ref.min_notional && x.rules.max_price == ref.max_price);
    /* a key given wins over its field; the rest stays the recording's */
    assert_int_equal(config_set(&c, "market.min_notional=5", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "market.tick_size=0.05", err, sizeof err), 0);
    assert_int_equal(config_resolve_rec(&c, &eth, &x, err, sizeof err), 0);
    assert_int_equal(x.rules.tick.mult, 5);
    assert_int_equal(x.rules.min_price, 0);              /* 0.01 is no whole tick of 0.05: off */
    assert_int_equal(x.rules.max_price, 20000000);       /* 1000000 = 20,000,000 ticks of 0.05 */
    __int128 five;
    assert_int_equal(symbol_notional_parse(&x.rules, "5", &five), 0);
    assert_true(x.rules.min_notional == five);
    assert_string_equal(x.rules.base, "ETH");
    assert_int_equal(x.rules.step.scale, 4);
    /* an exchangeInfo file wins whole, the keys too */
    char path[] = "/tmp/quoter_exfile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char *other = exinfo_line("\"stepSize\":\"0.00010000\"", "\"stepSize\":\"0.00100000\""); /* ETHUSDT's */
    assert_int_equal(write(fd, other, strlen(other)), (ssize_t)strlen(other));
    close(fd);
    char set[100];
    snprintf(set, sizeof set, "market.exchange_info=%s", path);
    assert_int_equal(config_set(&c, set, err, sizeof err), 0);
    assert_int_equal(config_resolve_rec(&c, &eth, &x, err, sizeof err), 0);
    assert_int_equal(x.rules.step.scale, 3);
    assert_int_equal(x.rules.tick.mult, 1);
    assert_true(x.rules.min_notional == ref.min_notional);
    unlink(path);
    /* BTCUSDT: the recording's line wins over the keys' defaults (min notional 10, not 5) */
    config_defaults(&c);
    assert_int_equal(config_resolve_rec(&c, &btc, &x, err, sizeof err), 0);
    __int128 ten;
    assert_int_equal(symbol_notional_parse(&x.rules, "10", &ten), 0);
    assert_true(x.rules.min_notional == ten);
    assert_int_equal(x.rules.max_notional, 0); /* MIN_NOTIONAL of 2021 has no maximum */
    assert_int_equal(config_resolve(&c, &x, err, sizeof err), 0);
    assert_int_equal(symbol_notional_parse(&x.rules, "5", &five), 0);
    assert_true(x.rules.min_notional == five); /* without it: the defaults, as before */
    /* a maximum notional beyond 64 bits of tick*lot units, as quoter exchange advertises
       (maxPrice * maxQty): counted exactly all the same */
    exinfo_entry_t wide = btc;
    snprintf(wide.max_notional, sizeof wide.max_notional, "9000000000.00000000");
    symbol_rules_t wr;
    assert_int_equal(exinfo_entry_rules(&wide, &wr, err, sizeof err), 0);
    assert_true(wr.max_notional == (__int128)9000000000LL * 10000000000LL); /* units of 0.01 * 1e-8 */
    snprintf(wide.max_notional, sizeof wide.max_notional, "9000000000.00000000001"); /* the 11th place: finer than 1e-10 */
    assert_int_equal(exinfo_entry_rules(&wide, &wr, err, sizeof err), Q_E_INEXACT);
    snprintf(wide.max_notional, sizeof wide.max_notional, "9e9");
    assert_int_not_equal(exinfo_entry_rules(&wide, &wr, err, sizeof err), 0);
    /* a value the recording's units cannot hold: said, naming where it came from */
    assert_int_equal(config_set(&c, "market.min_qty=0.000000001", err, sizeof err), 0);
    assert_int_not_equal(config_resolve_rec(&c, &btc, &x, err, sizeof err), 0);
    assert_non_null(strstr(err, "minQty"));
    assert_non_null(strstr(err, "the config's [market] keys"));
    free(good), free(other);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_messages),
        cmocka_unit_test(test_key_order_whitespace_and_others),
        cmocka_unit_test(test_malformed_messages),
        cmocka_unit_test(test_line_symbol),
        cmocka_unit_test(test_replay_symbols),
        cmocka_unit_test(test_fast_decimals_agree),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_recording_counts),
        cmocka_unit_test(test_streaming_equals_whole),
        cmocka_unit_test(test_exinfo_decode),
        cmocka_unit_test(test_exinfo_replay),
        cmocka_unit_test(test_exinfo_scan),
        cmocka_unit_test(test_exinfo_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* the decoder's fast decimal path agrees with fx_parse on every form of number */
static void test_fast_decimals_agree(void **st) {
    (void)st;
    symbol_rules_t r;
    md_decoder_t d;
    md_event_t ev;
    btc_decoder(&d, &r);
    srand(7);
    char msg[256], p[48], q[48];
    for (int i = 0; i < 20000; i++) {
        int64_t price = (int64_t)rand() * (rand() % 1000 + 1) % 100000000000LL + 1;
        int64_t lots = (int64_t)rand() * (rand() % 100 + 1);
        int places = i % 4 == 0 ? 8 : i % 4 == 1 ? 2 : i % 4 == 2 ? 0 : 10;
        fx_format(price, &r.tick, places, p, sizeof p);
        fx_format(lots, &r.lot, places < 8 ? 8 : places, q, sizeof q);
        snprintf(msg, sizeof msg, "{\"e\":\"trade\",\"t\":1,\"p\":\"%s\",\"q\":\"%s\",\"m\":true}", p, q);
        int rc = md_decode(&d, msg, strlen(msg), &ev);
        int64_t want_p, want_q;
        int rp = fx_parse(p, strlen(p), &r.tick, &want_p), rq = fx_parse(q, strlen(q), &r.lot, &want_q);
        if (rp || rq) {
            assert_int_not_equal(rc, 0);
            continue;
        }
        if (rc) fail_msg("%s: %s", msg, d.err);
        assert_int_equal(ev.u.trade.price, want_p);
        assert_int_equal(ev.u.trade.qty, want_q);
    }
    /* off-grid and oversized forms go to the exact slow path and fail there */
    assert_int_not_equal(decode(&d, "{\"e\":\"trade\",\"t\":1,\"p\":\"1.00100000\",\"q\":\"1\",\"m\":true}", &ev), 0);
    assert_int_not_equal(decode(&d, "{\"e\":\"trade\",\"t\":1,\"p\":\"99999999999999999.00000000\",\"q\":\"1\",\"m\":true}", &ev), 0);
    assert_int_equal(decode(&d, "{\"e\":\"trade\",\"t\":1,\"p\":\"9999999999.00000000\",\"q\":\"1\",\"m\":true}", &ev), 0);
    assert_int_equal(ev.u.trade.price, 999999999900LL);
}

/* large files are inflated in chunks: the same events, in the same order, as whole files */
static uint64_t replay_digest(int stream, int64_t *n) {
    symbol_rules_t r;
    replay_t rp;
    tu_open_recordings(&rp, &r);
    if (stream) rp.rec.whole_limit = 0;
    md_event_t ev;
    uint64_t h = 1469598103934665603ULL;
    *n = 0;
    int rc;
    while ((rc = replay_next(&rp, &ev)) > 0) {
        uint64_t x = (uint64_t)ev.local_ns ^ ((uint64_t)ev.type << 56) ^ (uint64_t)ev.nbids ^ ev.u.diff.last_id;
        h = (h ^ x) * 1099511628211ULL;
        (*n)++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(replay_bad_lines(&rp), 0);
    if (stream) assert_null(rp.rec.gz); /* closed at the end */
    replay_close(&rp);
    return h;
}

static void test_streaming_equals_whole(void **st) {
    (void)st;
    int64_t nw, ns;
    uint64_t hw = replay_digest(0, &nw), hs = replay_digest(1, &ns);
    assert_int_equal(nw, 99574);
    assert_int_equal(ns, nw);
    assert_true(hw == hs);
}
