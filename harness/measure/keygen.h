/*
 * Key generators: which key each operation of a worker asks the cache for.
 *
 * Three distributions over a key space of N keys [0, N):
 *   uniform                      every key equally likely;
 *   zipf:THETA                   P(rank r) proportional to 1 / r^THETA, r = 1..N,
 *                                for any THETA > 0 (1.0 included), drawn by
 *                                Hörmann and Derflinger's rejection-inversion,
 *                                which needs no table and no set-up time;
 *   hotspot:FRACTION:PROBABILITY a hot set of round(FRACTION * N) keys takes
 *                                PROBABILITY of the operations, uniformly
 *                                within the hot and within the cold set.
 *
 * Skewed distributions first draw a popularity rank (0 = most popular) and
 * then map it to a key through a fixed bijective scramble of [0, N). The
 * scramble depends on N only, so every thread agrees on which keys are
 * popular, but the popular keys are spread over the key space instead of
 * sitting next to each other in one cache stripe, where they would measure
 * lock contention on a single stripe rather than the completion strategies.
 *
 * A generator belongs to one thread; vtb_keygen_next sits on the timed path,
 * so it neither allocates nor divides (uniform and hotspot cost a few ns;
 * zipf costs one log1p and one exp per draw, plus rarely a rejection).
 */
#ifndef VTB_HARNESS_KEYGEN_H
#define VTB_HARNESS_KEYGEN_H

#include <stddef.h>
#include <stdint.h>

#include "keydist.h"
#include "vtb/error.h"
#include "vtb/rng.h"

/* Largest key space a generator accepts (2^62): the scramble works on a
 * power-of-two superset of the key space and must not overflow. */
#define VTB_KEYGEN_NKEYS_MAX (UINT64_C(1) << 62)

/* One thread's generator. Plain data: copy it to fork a sequence. */
struct vtb_keygen {
    struct vtb_rng rng;
    enum vtb_key_dist_kind kind;
    uint64_t nkeys;
    /* Scramble: a permutation of [0, mask + 1), cycle-walked into [0, N). */
    uint64_t mask;
    unsigned shift;
    /* zipf: the constants of the rejection-inversion sampler. */
    double exponent;
    double h_integral_x1;
    double h_integral_n;
    double s;
    /* hotspot: ranks [0, hot_keys) are hot; the hot set is chosen when the
     * top 53 bits of a draw are below hot_threshold. */
    uint64_t hot_keys;
    uint64_t cold_keys;
    uint64_t hot_threshold;
};

/*
 * Initialises g to draw keys in [0, nkeys) from d. The sequence is a pure
 * function of (d, nkeys, seed, stream): give every thread the scenario seed
 * and its own stream (thread index) for independent, repeatable sequences.
 * The rank-to-key scramble depends on nkeys only. Allocates nothing; there
 * is no fini. Returns 0, or VTB_EINVAL when nkeys is 0 or above
 * VTB_KEYGEN_NKEYS_MAX or d's parameters are outside the ranges that
 * vtb_key_dist_parse enforces (so a parsed distribution never fails here).
 */
int vtb_keygen_init(struct vtb_keygen *g, const struct vtb_key_dist *d, uint64_t nkeys,
                    uint64_t seed, uint64_t stream);

/* Out-of-line part of the zipf draw; use vtb_keygen_next_rank. */
uint64_t vtb__keygen_zipf_rank(struct vtb_keygen *g);

/*
 * Draws the popularity rank of the next key: 0 is the most popular. For
 * zipf, rank r has probability (r + 1)^-theta / H(N, theta); for hotspot,
 * ranks [0, hot_keys) form the hot set; for uniform, the rank is the key.
 */
static inline uint64_t vtb_keygen_next_rank(struct vtb_keygen *g)
{
    switch (g->kind) {
    case VTB_KEY_DIST_ZIPF:
        return vtb__keygen_zipf_rank(g);
    case VTB_KEY_DIST_HOTSPOT:
        if ((vtb_rng_next(&g->rng) >> 11) < g->hot_threshold)
            return vtb_rng_below(&g->rng, g->hot_keys);
        return g->hot_keys + vtb_rng_below(&g->rng, g->cold_keys);
    case VTB_KEY_DIST_UNIFORM:
    default:
        return vtb_rng_below(&g->rng, g->nkeys);
    }
}

/*
 * Maps a rank in [0, nkeys) to its key: the identity for uniform, otherwise
 * a fixed bijection of [0, nkeys). Cycle-walking a permutation of the next
 * power of two takes fewer than two rounds on average.
 */
static inline uint64_t vtb_keygen_key_of_rank(const struct vtb_keygen *g, uint64_t rank)
{
    if (g->kind == VTB_KEY_DIST_UNIFORM)
        return rank;
    uint64_t x = rank;
    do {
        /* Each step is a bijection of [0, mask + 1): an odd multiplier and
         * an added constant modulo a power of two, and an xor-shift. */
        x = (x * UINT64_C(0x9E3779B97F4A7C15) + UINT64_C(0x632BE59BD9B4E019)) & g->mask;
        x ^= x >> g->shift;
        x = (x * UINT64_C(0xBF58476D1CE4E5B9)) & g->mask;
        x ^= x >> g->shift;
    } while (x >= g->nkeys);
    return x;
}

/* Draws the next key in [0, nkeys). Timed-path safe: no allocation, no
 * division, no shared state. */
static inline uint64_t vtb_keygen_next(struct vtb_keygen *g)
{
    return vtb_keygen_key_of_rank(g, vtb_keygen_next_rank(g));
}

#endif /* VTB_HARNESS_KEYGEN_H */
