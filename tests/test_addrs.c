/* test_addrs.c: a host name's addresses (src/venue/binance/addrs.h). The lookups after the
 * first run off the caller's thread: with a resolver that waits until the test lets it go,
 * addrs_pick answers at once with the address it has (were it to wait, the test would hang
 * and ctest's timeout fail it), and takes the new addresses once the lookup is done. Also:
 * when lookups are due (a round of failures, the age limit), never more often than the
 * minimum gap, a lookup that finds nothing keeps the old addresses, and an owner freed while
 * its lookup waits leaves the lookup to free itself (ASan checks that no memory is lost or
 * touched after it is freed). No test asks a DNS server. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "testutil.h"
#include "venue/binance/addrs.h"

static atomic_int calls, gate_open, answer_none;
static atomic_int next_octet; /* each lookup answers 192.0.2.N, N counting up */

static int fake_resolve(const char *host, char addr[][64], int max) {
    (void)max;
    atomic_fetch_add(&calls, 1);
    while (!atomic_load(&gate_open)) usleep(1000); /* a resolver that takes its time */
    if (atomic_load(&answer_none) || strcmp(host, "exchange.test")) return 0;
    int n = atomic_fetch_add(&next_octet, 1);
    snprintf(addr[0], 64, "192.0.2.%d", n);
    snprintf(addr[1], 64, "2001:db8::%d", n);
    return 2;
}

/* picks until the address is `want` (the lookup on its thread is done), for at most 20 s */
static const char *pick_until(addrs_t *a, const char *want) {
    const char *got = addrs_pick(a);
    for (int64_t end = clock_mono_ns() + 20000000000LL; strcmp(got, want) && clock_mono_ns() < end; usleep(1000))
        got = addrs_pick(a);
    return got;
}

static void reset(int open) {
    atomic_store(&calls, 0);
    atomic_store(&gate_open, open);
    atomic_store(&answer_none, 0);
    atomic_store(&next_octet, 1);
}

static void test_numeric(void **st) {
    (void)st;
    reset(1);
    addrs_set_resolver(fake_resolve);
    addrs_t a;
    addrs_init(&a, "[::1]", 0, 0);
    assert_true(a.numeric);
    assert_string_equal(addrs_pick(&a), "::1");
    addrs_failed(&a);
    addrs_failed(&a);
    assert_string_equal(addrs_pick(&a), "::1");
    addrs_init(&a, "127.0.0.1", 0, 1);
    assert_string_equal(addrs_pick(&a), "127.0.0.1");
    assert_int_equal(addrs_lookup_now(&a), 0);
    assert_int_equal(atomic_load(&calls), 0); /* an IP address is never looked up */
    assert_int_equal(a.lookups, 0);
    addrs_free(&a);
    addrs_set_resolver(NULL);
}

static void test_off_the_loop(void **st) {
    (void)st;
    reset(1);
    addrs_set_resolver(fake_resolve);
    addrs_t a;
    addrs_init(&a, "exchange.test", 0, 0);
    /* the first use looks up on the spot (start-up: nothing trades yet) */
    assert_string_equal(addrs_pick(&a), "192.0.2.1");
    assert_int_equal(a.lookups, 1);
    assert_int_equal(a.naddr, 2);
    /* one failure: the next address, no lookup */
    addrs_failed(&a);
    assert_string_equal(addrs_pick(&a), "2001:db8::1");
    assert_int_equal(a.lookups, 1);
    /* a whole round failed: a lookup starts, and while the resolver waits the pick answers
       at once with the addresses it has */
    atomic_store(&gate_open, 0);
    addrs_failed(&a);
    assert_string_equal(addrs_pick(&a), "192.0.2.1");
    assert_int_equal(a.lookups, 2);
    while (atomic_load(&calls) < 2) usleep(1000); /* the lookup's thread is in the resolver */
    for (int i = 0; i < 5; i++) assert_string_equal(addrs_pick(&a), "192.0.2.1");
    assert_int_equal(a.lookups, 2); /* one lookup at a time */
    atomic_store(&gate_open, 1);
    assert_string_equal(pick_until(&a, "192.0.2.2"), "192.0.2.2");
    assert_int_equal(a.fails, 0);
    assert_int_equal(a.cur, 0);
    /* the minimum gap: failures right after a lookup bring none */
    addrs_init(&a, "exchange.test", 3600000000000LL, 0);
    reset(1);
    assert_string_equal(addrs_pick(&a), "192.0.2.1");
    addrs_failed(&a);
    addrs_failed(&a);
    addrs_failed(&a);
    assert_string_equal(addrs_pick(&a), "2001:db8::1");
    assert_int_equal(a.lookups, 1);
    /* ... until the gap has passed (the clock moved by hand) */
    a.next_ns = clock_mono_ns() - 1;
    addrs_pick(&a);
    assert_int_equal(a.lookups, 2);
    assert_string_equal(pick_until(&a, "192.0.2.2"), "192.0.2.2");
    /* a lookup that finds nothing keeps the addresses known */
    atomic_store(&answer_none, 1);
    addrs_failed(&a);
    addrs_failed(&a);
    a.next_ns = clock_mono_ns() - 1;
    addrs_pick(&a);
    assert_int_equal(a.lookups, 3);
    for (int64_t end = clock_mono_ns() + 20000000000LL; a.job && clock_mono_ns() < end; usleep(1000)) addrs_pick(&a);
    assert_null(a.job);
    assert_int_equal(a.failures, 1);
    assert_int_equal(a.naddr, 2);
    assert_string_equal(addrs_pick(&a), "192.0.2.2");
    addrs_free(&a);
    addrs_set_resolver(NULL);
}

static void test_age(void **st) {
    (void)st;
    reset(1);
    addrs_set_resolver(fake_resolve);
    addrs_t a;
    addrs_init(&a, "exchange.test", 1, 3600000000000LL);
    assert_string_equal(addrs_pick(&a), "192.0.2.1");
    assert_string_equal(addrs_pick(&a), "192.0.2.1");
    assert_int_equal(a.lookups, 1); /* fresh: none */
    a.looked_ns -= 3600000000000LL; /* an hour on: looked up again though nothing failed */
    addrs_pick(&a);
    assert_int_equal(a.lookups, 2);
    assert_string_equal(pick_until(&a, "192.0.2.2"), "192.0.2.2");
    /* max_age 0: only failures bring a lookup */
    addrs_init(&a, "exchange.test", 1, 0);
    reset(1);
    addrs_pick(&a);
    a.looked_ns -= 3600000000000LL * 24;
    addrs_pick(&a);
    assert_int_equal(a.lookups, 1);
    addrs_free(&a);
    addrs_set_resolver(NULL);
}

/* an owner gone while its lookup waits: the lookup ends by itself and frees its job */
static void test_free_while_looking(void **st) {
    (void)st;
    reset(1);
    addrs_set_resolver(fake_resolve);
    addrs_t a;
    addrs_init(&a, "exchange.test", 0, 0);
    addrs_pick(&a);
    atomic_store(&gate_open, 0);
    addrs_failed(&a);
    addrs_failed(&a);
    addrs_pick(&a);
    assert_non_null(a.job);
    while (atomic_load(&calls) < 2) usleep(1000);
    addrs_free(&a);
    assert_null(a.job);
    memset(&a, 0x5a, sizeof a); /* the owner's memory is reused: the lookup must not touch it */
    atomic_store(&gate_open, 1);
    usleep(50000); /* (the detached lookup finishes; LeakSanitizer sees its job freed) */
    addrs_set_resolver(NULL);
}

/* the real resolver: localhost from /etc/hosts, IPv4 first; .invalid never resolves (RFC 6761) */
static void test_resolve(void **st) {
    (void)st;
    char a[ADDRS_MAX][64];
    int n = addrs_resolve("localhost", a, ADDRS_MAX);
    assert_true(n >= 1);
    assert_string_equal(a[0], "127.0.0.1");
    assert_int_equal(addrs_resolve("quoter-test.invalid", a, ADDRS_MAX), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_off_the_loop),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_free_while_looking),
        cmocka_unit_test(test_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
