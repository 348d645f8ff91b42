/*
 * Key distributions: parsing, canonical names, set-up, and the zipf sampler.
 *
 * The zipf sampler is the rejection-inversion method of W. Hörmann and
 * G. Derflinger ("Rejection-inversion to generate variates from monotone
 * discrete distributions", ACM TOMACS 6(3), 1996) in the form used by Apache
 * Commons RNG's RejectionInversionZipfSampler. The paper's hat integral
 * H(x) = x^(1-q) / (1-q) is undefined for q = 1; using
 * H(x) = (x^(1-q) - 1) / (1-q) instead, which tends to log(x) as q -> 1, makes
 * the method valid for every exponent > 0. helper1 and helper2 evaluate
 * log1p(x)/x and expm1(x)/x with a Taylor series near 0, so exponents at and
 * around 1 lose no precision. The sampler needs no table: set-up is O(1) and
 * a draw is O(1) expected, whatever the key-space size.
 */
#include "keygen.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>


/* Below this |x|, the Taylor series is more accurate than the closed form. */
#define TAYLOR_THRESHOLD 1e-8

/* log1p(x) / x, continuous at 0. */
static double helper1(double x)
{
    if (fabs(x) > TAYLOR_THRESHOLD)
        return log1p(x) / x;
    return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

/* expm1(x) / x, continuous at 0. */
static double helper2(double x)
{
    if (fabs(x) > TAYLOR_THRESHOLD)
        return expm1(x) / x;
    return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

/* The hat function h(x) = x^-q. */
static double hat(double q, double x)
{
    return exp(-q * log(x));
}

/* H(x) = (x^(1-q) - 1) / (1-q), the integral of the hat (log x for q = 1). */
static double hat_integral(double q, double x)
{
    double log_x = log(x);
    return helper2((1.0 - q) * log_x) * log_x;
}

/* The inverse of H. */
static double hat_integral_inverse(double q, double x)
{
    double t = x * (1.0 - q);
    /* Rounding can push t just below -1, where log1p is undefined. */
    if (t < -1.0)
        t = -1.0;
    return exp(helper1(t) * x);
}

uint64_t vtb__keygen_zipf_rank(struct vtb_keygen *g)
{
    const double q = g->exponent;

    if (g->nkeys == 1)
        return 0;
    for (;;) {
        /* u is uniform in (H(1.5) - 1, H(N + 0.5)]. */
        double u = g->h_integral_n + vtb_rng_double(&g->rng) * (g->h_integral_x1 - g->h_integral_n);
        double x = hat_integral_inverse(q, u);
        double rounded = x + 0.5;
        uint64_t k;
        /* Clamp to [1, N]: rounding can step just outside. The negated
         * comparison also catches a NaN, which would be undefined to cast. */
        if (!(rounded >= 1.0))
            k = 1;
        else if (rounded >= (double)g->nkeys)
            k = g->nkeys;
        else
            k = (uint64_t)rounded;
        /* The first test is a cheap sufficient condition for the second
         * (Theorem 2 of the paper holds for every exponent > 0), so the
         * logarithms of the exact test are rarely evaluated. For k = 1 the
         * second test always holds, since u > H(1.5) - h(1). */
        if ((double)k - x <= g->s ||
            u >= hat_integral(q, (double)k + 0.5) - hat(q, (double)k))
            return k - 1;
    }
}

static bool valid_dist(const struct vtb_key_dist *d)
{
    switch (d->kind) {
    case VTB_KEY_DIST_UNIFORM:
        return true;
    case VTB_KEY_DIST_ZIPF:
        return d->theta > 0.0 && d->theta <= VTB_KEY_DIST_THETA_MAX;
    case VTB_KEY_DIST_HOTSPOT:
        return d->hot_fraction > 0.0 && d->hot_fraction < 1.0 && d->hot_probability >= 0.0 &&
               d->hot_probability <= 1.0;
    }
    return false;
}

int vtb_keygen_init(struct vtb_keygen *g, const struct vtb_key_dist *d, uint64_t nkeys,
                    uint64_t seed, uint64_t stream)
{
    if (g == NULL || d == NULL || nkeys == 0 || nkeys > VTB_KEYGEN_NKEYS_MAX || !valid_dist(d))
        return VTB_EINVAL;
    memset(g, 0, sizeof(*g));
    vtb_rng_seed(&g->rng, seed, stream);
    g->kind = d->kind;
    g->nkeys = nkeys;

    unsigned bits = 0;
    while ((UINT64_C(1) << bits) < nkeys)
        bits++;
    g->mask = (UINT64_C(1) << bits) - 1;
    /* A shift of about half the width mixes the high bits the multiplier
     * produces back into the low ones; it must stay in [1, 63]. */
    g->shift = bits / 2 + 1;

    switch (d->kind) {
    case VTB_KEY_DIST_ZIPF: {
        const double q = d->theta;
        g->exponent = q;
        g->h_integral_x1 = hat_integral(q, 1.5) - 1.0;
        g->h_integral_n = hat_integral(q, (double)nkeys + 0.5);
        g->s = 2.0 - hat_integral_inverse(q, hat_integral(q, 2.5) - hat(q, 2.0));
        break;
    }
    case VTB_KEY_DIST_HOTSPOT: {
        double hot = floor(d->hot_fraction * (double)nkeys + 0.5);
        g->hot_keys = hot < 1.0 ? 1 : (hot >= (double)nkeys ? nkeys : (uint64_t)hot);
        g->cold_keys = nkeys - g->hot_keys;
        /* With no cold key left every draw must be hot: 2^53 exceeds every
         * 53-bit draw. Otherwise P * 2^53 is exact for P = 0 and P = 1. */
        g->hot_threshold = g->cold_keys == 0 ? (UINT64_C(1) << 53)
                                             : (uint64_t)(d->hot_probability * 0x1.0p53);
        break;
    }
    case VTB_KEY_DIST_UNIFORM:
        break;
    }
    return 0;
}

