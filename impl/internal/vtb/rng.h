/*
 * Small, fast, deterministic pseudo-random numbers for the library and the
 * harness: xoshiro256** seeded through splitmix64 (the seeding its authors
 * recommend). Everything is inline because it sits on the timed path of the
 * key generators and the backend's latency draws; one generator belongs to
 * one thread, so nothing here is shared or locked. Private to the library
 * and the harness (it is not installed).
 */
#ifndef VTB_RNG_H
#define VTB_RNG_H

#include <math.h>
#include <stdint.h>

struct vtb_rng {
    uint64_t s[4];
};

/* splitmix64 step: also a good 64-bit mixer for deriving per-thread seeds. */
static inline uint64_t vtb_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Seeds rng from seed and a stream number (e.g. the thread index), so that
 * every (seed, stream) pair gives an independent, repeatable sequence. */
static inline void vtb_rng_seed(struct vtb_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t sm = seed ^ (stream * UINT64_C(0xD1B54A32D192ED03));
    for (int i = 0; i < 4; i++)
        rng->s[i] = vtb_splitmix64(&sm);
}

static inline uint64_t vtb__rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Next 64 uniformly distributed bits. */
static inline uint64_t vtb_rng_next(struct vtb_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = vtb__rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = vtb__rotl64(s[3], 45);
    return result;
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double vtb_rng_double(struct vtb_rng *rng)
{
    return (double)(vtb_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, bound) by Lemire's multiply-shift; bound > 0. The
 * tiny bias (< bound / 2^64) is far below anything a benchmark can see. */
static inline uint64_t vtb_rng_below(struct vtb_rng *rng, uint64_t bound)
{
    return (uint64_t)(((unsigned __int128)vtb_rng_next(rng) * bound) >> 64);
}

/* Exponentially distributed value with the given mean (inverse transform). */
static inline double vtb_rng_exp(struct vtb_rng *rng, double mean)
{
    /* 1 - u is in (0, 1], so the logarithm is finite. */
    return -mean * log(1.0 - vtb_rng_double(rng));
}

#endif /* VTB_RNG_H */
