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
#include <stdio.h>
#include <string.h>

#include "units.h"

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
        return d->theta > 0.0 && d->theta <= VTB_KEYGEN_THETA_MAX;
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

static const char dist_expected[] =
    "expected uniform, zipf:THETA or hotspot:HOT_FRACTION:HOT_PROBABILITY";

/* Parses one numeric parameter; name is used in the message. A value that
 * is not a number is a syntax error; one that is, but lies outside
 * [lo, hi] (open ends when the flags say so), is a range error. */
static int parse_param(const char *text, const char *name, double lo, bool lo_open, double hi,
                       bool hi_open, double *out, struct vtb_error *err)
{
    struct vtb_error inner;
    double x = 0.0;
    int rc = vtb_units_parse_double(text, &x, &inner);

    if (rc == VTB_ESYNTAX)
        return vtb_error_set(err, rc, "%s: %s", name, inner.message);
    if (rc != 0 || (lo_open ? x <= lo : x < lo) || (hi_open ? x >= hi : x > hi)) {
        char lo_text[VTB_UNITS_DOUBLE_TEXT_MAX], hi_text[VTB_UNITS_DOUBLE_TEXT_MAX];
        return vtb_error_set(err, VTB_ERANGE, "%s must be in %c%s,%s%c, got %s", name,
                             lo_open ? '(' : '[', vtb_units_format_double(lo, lo_text, sizeof(lo_text)),
                             vtb_units_format_double(hi, hi_text, sizeof(hi_text)),
                             hi_open ? ')' : ']', text);
    }
    *out = x;
    return 0;
}

int vtb_keygen_parse(const char *text, struct vtb_key_dist *out, struct vtb_error *err)
{
    char buf[VTB_KEY_DIST_TEXT_MAX];
    char *parts[3] = {buf, NULL, NULL};
    size_t nparams = 0;
    struct vtb_key_dist d = {.kind = VTB_KEY_DIST_UNIFORM};
    int rc;

    if (strlen(text) >= sizeof(buf))
        return vtb_error_set(err, VTB_EINVAL, "unknown distribution `%s`; %s", text,
                             dist_expected);
    strcpy(buf, text);
    for (const char *p = text; *p != '\0'; p++)
        nparams += (*p == ':');
    /* Split the name and up to two parameters in place; with more, only the
     * name is cut off, and the count check of its kind reports the rest. */
    for (size_t i = 1; i <= (nparams <= 2 ? nparams : 1); i++) {
        char *colon = strchr(parts[i - 1], ':');
        *colon = '\0';
        parts[i] = colon + 1;
    }

    if (strcmp(parts[0], "uniform") == 0) {
        if (nparams != 0)
            return vtb_error_set(err, VTB_ESYNTAX, "uniform takes no parameters, got `%s`",
                                 text);
    } else if (strcmp(parts[0], "zipf") == 0) {
        if (nparams != 1)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "zipf takes one exponent, e.g. `zipf:0.99`, got `%s`", text);
        d.kind = VTB_KEY_DIST_ZIPF;
        rc = parse_param(parts[1], "zipf exponent", 0.0, true, VTB_KEYGEN_THETA_MAX, false,
                         &d.theta, err);
        if (rc != 0)
            return rc;
    } else if (strcmp(parts[0], "hotspot") == 0) {
        if (nparams != 2)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "hotspot takes HOT_FRACTION:HOT_PROBABILITY, e.g. "
                                 "`hotspot:0.1:0.9`, got `%s`",
                                 text);
        d.kind = VTB_KEY_DIST_HOTSPOT;
        rc = parse_param(parts[1], "hotspot fraction", 0.0, true, 1.0, true, &d.hot_fraction,
                         err);
        if (rc == 0)
            rc = parse_param(parts[2], "hotspot probability", 0.0, false, 1.0, false,
                             &d.hot_probability, err);
        if (rc != 0)
            return rc;
    } else {
        return vtb_error_set(err, VTB_EINVAL, "unknown distribution `%s`; %s", parts[0],
                             dist_expected);
    }
    *out = d;
    return 0;
}

const char *vtb_keygen_format(const struct vtb_key_dist *d, char *buf, size_t size)
{
    char a[VTB_UNITS_DOUBLE_TEXT_MAX], b[VTB_UNITS_DOUBLE_TEXT_MAX];

    switch (d->kind) {
    case VTB_KEY_DIST_ZIPF:
        snprintf(buf, size, "zipf:%s", vtb_units_format_double(d->theta, a, sizeof(a)));
        break;
    case VTB_KEY_DIST_HOTSPOT:
        snprintf(buf, size, "hotspot:%s:%s",
                 vtb_units_format_double(d->hot_fraction, a, sizeof(a)),
                 vtb_units_format_double(d->hot_probability, b, sizeof(b)));
        break;
    case VTB_KEY_DIST_UNIFORM:
    default:
        snprintf(buf, size, "uniform");
        break;
    }
    return buf;
}
