/* addrs.h: a host name's numeric addresses, for the live client's connections (net.c's
 * WebSocket connections and rest.c's requests, one addrs_t each).
 *
 * Why: given a name, libwebsockets 4.1 calls getaddrinfo() on the event loop for every
 * connection it opens, and a lookup waits for the resolver: seconds when DNS is slow or
 * down, which is when connections fail and are opened again. The event loop is the trading
 * thread; frozen, it reads no market data and cancels nothing while our orders rest. So the
 * connections go to numeric addresses kept here, and a name is looked up:
 *   - on its first use, blocking: that is start-up, when nothing trades yet;
 *   - again when a whole round of its addresses failed in a row, or its last lookup is
 *     max_age old (addresses move), never more often than min_gap (whatever fails), and
 *     then on a thread of its own: the connection goes on with the addresses it has, and
 *     a later addrs_pick takes the new ones once the lookup is done (an old address beats
 *     none: a lookup that finds nothing keeps them).
 * An IP address is its own address and is never looked up. One thread of the owner calls
 * everything here; a lookup's thread touches only its own job. */
#ifndef Q_ADDRS_H
#define Q_ADDRS_H

#include <stdint.h>

#define ADDRS_MAX 8 /* addresses kept of a name: IPv4 first, then IPv6 */
#define ADDRS_MIN_GAP_NS 60000000000LL   /* the live client's: a name looked up again at most once a minute, */
#define ADDRS_MAX_AGE_NS 3600000000000LL /* and at least once an hour while it connects */

typedef struct addrs_job addrs_job_t;

typedef struct addrs {
    char host[256];
    int numeric;                /* host is an IP address */
    char addr[ADDRS_MAX][64];
    int naddr, cur, fails;      /* addresses known; the one in use; failures in a row */
    int64_t looked_ns, next_ns; /* monotonic: the last lookup's start (0: none yet); none before next_ns */
    int64_t min_gap_ns, max_age_ns;
    addrs_job_t *job;           /* a lookup under way on its own thread */
    int64_t lookups, failures;  /* lookups started, and those that found nothing */
} addrs_t;

/* host as in a URL ("[::1]" is taken without its brackets); min_gap_ns and max_age_ns as
   above (max_age_ns 0: only after failures) */
void addrs_init(addrs_t *a, const char *host, int64_t min_gap_ns, int64_t max_age_ns);
/* Looks the name up now, blocking (start-up): 0, or -1 when it found nothing (the addresses
   known, if any, stay). Nothing for an IP address. */
int addrs_lookup_now(addrs_t *a);
/* The address to connect to now, or NULL when none is known yet. Takes a finished lookup's
   addresses and starts the next lookup when one is due (see above). */
const char *addrs_pick(addrs_t *a);
/* the address picked failed (the next one next time) or worked */
void addrs_failed(addrs_t *a);
void addrs_worked(addrs_t *a);
/* a lookup under way finishes by itself and frees its job */
void addrs_free(addrs_t *a);

/* getaddrinfo (blocking) into at most max numeric addresses, IPv4 first, no repeats: their
   count, 0 when the name has none. What the lookups run. */
int addrs_resolve(const char *host, char addr[][64], int max);
/* tests: a lookup function in place of addrs_resolve (NULL: addrs_resolve again) */
void addrs_set_resolver(int (*fn)(const char *host, char addr[][64], int max));

#endif
