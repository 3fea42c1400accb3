/* testutil.h: helpers shared by the unit tests: where the shared recordings are, and
 * reading fixture lines. Tests that need ../shared/data skip (exit 77) when it is absent. */
#ifndef Q_TESTUTIL_H
#define Q_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/symbol.h"
#include "feed/replay.h"

/* The data folder ($QUOTER_DATA or the one configured at build time), or NULL. */
const char *tu_data_dir(void);
/* Full path of a file under the data folder; when absent, says so and skips the calling
   cmocka test. */
const char *tu_data_path(const char *rel);
/* The two shared BTCUSDT recordings, in replay order (skips the test when absent). */
void tu_recordings(char *files[2]);
/* Opens both shared recordings as one replay with BTCUSDT rules (r must outlive rp). */
void tu_open_recordings(replay_t *rp, symbol_rules_t *r);
/* The same outside a test (in main): exits 77, which ctest reports as skipped. */
const char *tu_require_data(const char *rel);
/* a market trade event (price in ticks, qty in lots) */
md_event_t tu_trade(int64_t price, int64_t qty, int buyer_maker);
/* the secret key of the Binance docs' examples, and an Ed25519 key pair made for the tests
   only (`openssl genpkey -algorithm ed25519`) */
extern const char *const tu_doc_secret, *const tu_ed_private, *const tu_ed_public;
/* BTCUSDT rules as in the shared recording: tick 0.01, step 0.00001, min notional 5. */
void tu_btcusdt(symbol_rules_t *r);
/* Rules with given tick and step strings. */
void tu_rules(symbol_rules_t *r, const char *symbol, const char *tick, const char *step);
/* Reads a whole (plain or gzip) file; caller frees. */
char *tu_read(const char *path, size_t *len);

#endif
