/* rng.h: the project's seeded random numbers, the same sequence on every platform (rand()'s
 * is not): splitmix64 (a stream of its own from a 64-bit state, and the seeding of the
 * other), and xoshiro256** (Blackman and Vigna, 2018) for long streams. The synthetic
 * market, the chaos venue and the latency models draw from these; a seed gives the same
 * result everywhere. */
#ifndef Q_RNG_H
#define Q_RNG_H

#include <stdint.h>

static inline uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct rng { uint64_t s[4]; } rng_t;

/* the four words from splitmix64 over the seed, as xoshiro's authors advise */
static inline void rng_seed(rng_t *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** */
static inline uint64_t rng_next(rng_t *r) {
    uint64_t *s = r->s, res = rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return res;
}

/* uniform in [0, 1): the top 53 bits */
static inline double rng_u01(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

#endif
