/* addrs.c: see addrs.h */
#include "addrs.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../core/clock.h"

typedef int (*resolve_fn)(const char *host, char addr[][64], int max);
static resolve_fn resolver = addrs_resolve;
void addrs_set_resolver(resolve_fn fn) { resolver = fn ? fn : addrs_resolve; }

/* a lookup on its own thread: the thread and the addrs_t each hold a reference, and whichever
   lets go last frees it (an owner freed while its lookup waits on the resolver) */
struct addrs_job {
    char host[256];
    char addr[ADDRS_MAX][64];
    int n;
    resolve_fn fn;
    atomic_int done, refs;
};

static void job_release(addrs_job_t *j) {
    if (atomic_fetch_sub(&j->refs, 1) == 1) free(j);
}

static void *job_run(void *p) {
    addrs_job_t *j = p;
    j->n = j->fn(j->host, j->addr, ADDRS_MAX);
    atomic_store(&j->done, 1); /* (seq_cst: the results are seen by whoever sees done) */
    job_release(j);
    return NULL;
}

void addrs_init(addrs_t *a, const char *host, int64_t min_gap_ns, int64_t max_age_ns) {
    memset(a, 0, sizeof *a);
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') { /* [::1] */
        host++;
        n -= 2;
    }
    if (n >= sizeof a->host) n = sizeof a->host - 1;
    memcpy(a->host, host, n);
    a->host[n] = 0;
    a->min_gap_ns = min_gap_ns;
    a->max_age_ns = max_age_ns;
    unsigned char ip[16];
    a->numeric = inet_pton(AF_INET, a->host, ip) == 1 || inet_pton(AF_INET6, a->host, ip) == 1;
    if (a->numeric) { /* an IP address is its own address: nothing to look up, ever */
        memcpy(a->addr[0], a->host, n < 63 ? n : 63);
        a->naddr = 1;
    }
}

/* a lookup's result: new addresses replace the old ones; none keeps them */
static void take(addrs_t *a, char addr[][64], int n) {
    if (!n) {
        a->failures++;
        return;
    }
    memcpy(a->addr, addr, sizeof a->addr);
    a->naddr = n;
    a->cur = 0;
    a->fails = 0;
}

static void started(addrs_t *a) {
    a->looked_ns = clock_mono_ns();
    a->next_ns = a->looked_ns + a->min_gap_ns;
    a->lookups++;
}

int addrs_lookup_now(addrs_t *a) {
    if (a->numeric) return 0;
    started(a);
    char addr[ADDRS_MAX][64];
    memset(addr, 0, sizeof addr);
    int n = resolver(a->host, addr, ADDRS_MAX);
    take(a, addr, n);
    return n ? 0 : -1;
}

static void lookup_in_background(addrs_t *a) {
    addrs_job_t *j = calloc(1, sizeof *j);
    started(a);
    if (!j) {
        a->failures++;
        return;
    }
    memcpy(j->host, a->host, sizeof j->host);
    j->fn = resolver;
    atomic_init(&j->done, 0);
    atomic_init(&j->refs, 2);
    pthread_attr_t at;
    pthread_t t;
    int ok = !pthread_attr_init(&at) && !pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED) &&
             !pthread_create(&t, &at, job_run, j);
    pthread_attr_destroy(&at);
    if (!ok) { /* no thread: counted as a lookup that found nothing, tried again after min_gap */
        free(j);
        a->failures++;
        return;
    }
    a->job = j;
}

const char *addrs_pick(addrs_t *a) {
    if (a->numeric) return a->addr[0];
    if (a->job && atomic_load(&a->job->done)) {
        take(a, a->job->addr, a->job->n);
        job_release(a->job);
        a->job = NULL;
    }
    if (!a->looked_ns) { /* the first use: start-up, where waiting is harmless */
        addrs_lookup_now(a);
    } else if (!a->job && clock_mono_ns() >= a->next_ns &&
               (!a->naddr || a->fails >= a->naddr ||
                (a->max_age_ns > 0 && clock_mono_ns() - a->looked_ns >= a->max_age_ns))) {
        lookup_in_background(a);
    }
    return a->naddr ? a->addr[a->cur % a->naddr] : NULL;
}

void addrs_failed(addrs_t *a) {
    a->fails++;
    if (a->naddr > 1) a->cur = (a->cur + 1) % a->naddr;
}

void addrs_worked(addrs_t *a) { a->fails = 0; }

void addrs_free(addrs_t *a) {
    if (a->job) job_release(a->job);
    a->job = NULL;
}

int addrs_resolve(const char *host, char addr[][64], int max) {
    struct addrinfo hints, *res = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, 0, &hints, &res) || !res) {
        if (res) freeaddrinfo(res);
        return 0;
    }
    int n = 0;
    for (int fam = 0; fam < 2; fam++)
        for (const struct addrinfo *p = res; p && n < max; p = p->ai_next) {
            const void *ip = p->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr
                           : p->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr : 0;
            if (!ip || (p->ai_family == AF_INET) != (fam == 0)) continue;
            char txt[64];
            if (!inet_ntop(p->ai_family, ip, txt, sizeof txt)) continue;
            int dup = 0;
            for (int i = 0; i < n; i++) dup |= !strcmp(addr[i], txt);
            if (!dup) memcpy(addr[n++], txt, sizeof txt);
        }
    freeaddrinfo(res);
    return n;
}
