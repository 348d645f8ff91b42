/*
 * Key distributions as a scenario writes them: "uniform", "zipf:THETA" and
 * "hotspot:HOT_FRACTION:HOT_PROBABILITY" (the generators that draw from them
 * are the measurement's, in measure/keygen.h). Plain data, parsed and
 * formatted here so that the scenario model needs nothing from measurement.
 */
#ifndef VTB_KEYDIST_H
#define VTB_KEYDIST_H

#include <stddef.h>

#include "vtb/error.h"

enum vtb_key_dist_kind {
    VTB_KEY_DIST_UNIFORM = 0,
    VTB_KEY_DIST_ZIPF = 1,
    VTB_KEY_DIST_HOTSPOT = 2,
};

/* Largest zipf exponent accepted. Beyond it nearly every draw is rank 0. */
#define VTB_KEY_DIST_THETA_MAX 10.0

/* A key distribution as written in a scenario: plain data. Fields that the
 * kind does not use are zero. */
struct vtb_key_dist {
    enum vtb_key_dist_kind kind;
    double theta;           /* zipf exponent, in (0, VTB_KEY_DIST_THETA_MAX] */
    double hot_fraction;    /* hotspot: share of keys that are hot, in (0, 1) */
    double hot_probability; /* hotspot: share of operations on them, in [0, 1] */
};

/* Buffer size that always holds vtb_key_dist_format's output. */
#define VTB_KEY_DIST_TEXT_MAX 96

/*
 * Parses a distribution: "uniform", "zipf:THETA" or
 * "hotspot:HOT_FRACTION:HOT_PROBABILITY". Returns 0 and fills *out;
 * VTB_ESYNTAX for a malformed text or number, VTB_EINVAL for an unknown
 * distribution name, VTB_ERANGE for a parameter outside its range. The
 * message in err names what is wrong, without file or key (callers add them).
 */
int vtb_key_dist_parse(const char *text, struct vtb_key_dist *out, struct vtb_error *err);

/* Writes the canonical text of d ("uniform", "zipf:0.99",
 * "hotspot:0.1:0.9"), which parses back to *d, and returns buf. A buffer of
 * VTB_KEY_DIST_TEXT_MAX bytes always suffices. */
const char *vtb_key_dist_format(const struct vtb_key_dist *d, char *buf, size_t size);

#endif /* VTB_KEYDIST_H */
