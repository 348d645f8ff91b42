/*
 * The value types of scenario keys (see types.h), in three files: numbers
 * here (counts, ratios, durations, warm-up, seeds, booleans, repetitions,
 * fractions), shapes in types_shapes.c (key distributions, latencies, the
 * library's enumerations, load) and text in types_text.c (names, text,
 * lists of names, paths). Numbers, durations and latency specs are read by
 * units.c and key distributions by keydist.c; these files add the bounds
 * of each key and the canonical text.
 */
#include "types.h"
#include "types_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "units.h"

int vtb_type_range_error(const struct vtb_key *key, const char *text, int code,
                         struct vtb_error *err)
{
    char range[160];
    return vtb_error_set(err, code, "must be %s, got %s", key->type->range(key, range, sizeof(range)),
                         text);
}

/* A bound in the largest unit that states it exactly, hours included. */
const char *vtb__type_bound_duration(double ns, char *buf, size_t size)
{
    uint64_t v = (uint64_t)ns, hour = UINT64_C(3600000000000);
    if (v >= hour && v % hour == 0)
        snprintf(buf, size, "%" PRIu64 "h", v / hour);
    else
        vtb_units_format_duration(v, buf, size);
    return buf;
}

/* ---- Counts ---- */

static const char *range_count(const struct vtb_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "in [%.0f,%.0f]", key->min, key->max);
    return buf;
}

/* A count within the key's bounds. A malformed number keeps the units
 * message; a negative or overflowing one gets the key's range, which is
 * what the user needs to fix it. */
static int parse_bounded_count(const struct vtb_key *key, const char *text, uint64_t *out,
                               struct vtb_error *err)
{
    uint64_t v = 0;
    int rc = vtb_units_parse_count(text, &v, err);
    if (rc == VTB_ESYNTAX)
        return rc;
    if (rc != 0 || (double)v < key->min || (double)v > key->max)
        return vtb_type_range_error(key, text, VTB_ERANGE, err);
    *out = v;
    return 0;
}

static int parse_count(const struct vtb_key *key, const char *text,
                       const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    uint64_t v = 0;
    int rc = parse_bounded_count(key, text, &v, err);
    if (rc == 0)
        *(uint64_t *)out = v;
    return rc;
}

static const char *format_count(const struct vtb_key *key, const void *value, char *buf,
                                size_t size)
{
    (void)key;
    snprintf(buf, size, "%" PRIu64, *(const uint64_t *)value);
    return buf;
}

static double number_count(const void *value)
{
    return (double)*(const uint64_t *)value;
}

const struct vtb_value_type vtb_type_count = {
    .name = "count",
    .parse = parse_count,
    .format = format_count,
    .range = range_count,
    .syntax = "suffix k, M, G, T",
    .number = number_count,
};

static int parse_ucount(const struct vtb_key *key, const char *text,
                        const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    uint64_t v = 0;
    int rc = parse_bounded_count(key, text, &v, err);
    if (rc == 0)
        *(unsigned *)out = (unsigned)v;
    return rc;
}

static const char *format_ucount(const struct vtb_key *key, const void *value, char *buf,
                                 size_t size)
{
    (void)key;
    snprintf(buf, size, "%u", *(const unsigned *)value);
    return buf;
}

static double number_ucount(const void *value)
{
    return (double)*(const unsigned *)value;
}

const struct vtb_value_type vtb_type_ucount = {
    .name = "count",
    .parse = parse_ucount,
    .format = format_ucount,
    .range = range_count,
    .number = number_ucount,
};

static int parse_threads(const struct vtb_key *key, const char *text,
                         const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    if (strcmp(text, "nproc") == 0) {
        unsigned n = env != NULL ? env->nproc : 1;
        if (n < key->min)
            n = (unsigned)key->min;
        if (n > key->max)
            n = (unsigned)key->max;
        *(unsigned *)out = n;
        return 0;
    }
    int rc = parse_ucount(key, text, env, out, err);
    if (rc == VTB_ESYNTAX)
        return vtb_error_set(err, rc, "expected a whole number or nproc, got `%s`", text);
    return rc;
}

static const char *range_threads(const struct vtb_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "in [%.0f,%.0f] or nproc", key->min, key->max);
    return buf;
}

const struct vtb_value_type vtb_type_threads = {
    .name = "threads",
    .parse = parse_threads,
    .format = format_ucount,
    .range = range_threads,
    .syntax = "nproc: the online CPUs, resolved when the file is read",
    .number = number_ucount,
};

/* ---- Ratios ---- */

static int parse_ratio(const struct vtb_key *key, const char *text,
                       const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    if (strcmp(text, "emergent") == 0) {
        *(double *)out = NAN;
        return 0;
    }
    double x = 0.0;
    int rc = vtb_units_parse_double(text, &x, err);
    if (rc == VTB_ESYNTAX)
        return rc;
    if (rc != 0 || !(x >= key->min && x <= key->max))
        return vtb_type_range_error(key, text, VTB_ERANGE, err);
    *(double *)out = x + 0.0; /* turns -0 into 0, which prints as "0" */
    return 0;
}

static const char *format_ratio(const struct vtb_key *key, const void *value, char *buf,
                                size_t size)
{
    (void)key;
    double x = *(const double *)value;
    if (isnan(x)) {
        snprintf(buf, size, "emergent");
        return buf;
    }
    return vtb_units_format_double(x, buf, size);
}

static const char *range_ratio(const struct vtb_key *key, char *buf, size_t size)
{
    char lo[VTB_UNITS_DOUBLE_TEXT_MAX], hi[VTB_UNITS_DOUBLE_TEXT_MAX];
    snprintf(buf, size, "in [%s,%s]", vtb_units_format_double(key->min, lo, sizeof(lo)),
             vtb_units_format_double(key->max, hi, sizeof(hi)));
    return buf;
}

static double number_ratio(const void *value)
{
    return *(const double *)value;
}

static bool absent_ratio(const void *value)
{
    return isnan(*(const double *)value);
}

const struct vtb_value_type vtb_type_ratio = {
    .name = "ratio",
    .parse = parse_ratio,
    .format = format_ratio,
    .range = range_ratio,
    .syntax = "or emergent (absent)",
    .number = number_ratio,
    .absent = absent_ratio,
};

/* ---- Durations, warm-up, seeds, booleans ---- */

static const char *range_duration(const struct vtb_key *key, char *buf, size_t size)
{
    char max[VTB_UNITS_DURATION_TEXT_MAX];
    vtb__type_bound_duration(key->max, max, sizeof(max));
    if (key->min <= 1)
        snprintf(buf, size, "in (0,%s]", max);
    else
        snprintf(buf, size, "in [%.0fns,%s]", key->min, max);
    return buf;
}

static int parse_duration(const struct vtb_key *key, const char *text,
                          const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    uint64_t v = 0;
    int rc = vtb_units_parse_duration_ns(text, &v, err);
    if (rc == VTB_ESYNTAX)
        return rc;
    if (rc != 0 || (double)v < key->min || (double)v > key->max)
        return vtb_type_range_error(key, text, VTB_ERANGE, err);
    *(uint64_t *)out = v;
    return 0;
}

static const char *format_duration(const struct vtb_key *key, const void *value, char *buf,
                                   size_t size)
{
    (void)key;
    return vtb_units_format_duration(*(const uint64_t *)value, buf, size);
}

const struct vtb_value_type vtb_type_duration = {
    .name = "duration",
    .parse = parse_duration,
    .format = format_duration,
    .range = range_duration,
    .syntax = "units ns, us, ms, s, min, h, e.g. 500ms, 2s",
    .number = number_count,
};

/* The warm-up is a count or a duration; the unit tells which. */
static int parse_warmup(const struct vtb_key *key, const char *text,
                        const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    struct vtb_warmup w = {.explicit_value = true};
    uint64_t v = 0;
    int rc;
    if (vtb_units_has_duration_unit(text)) {
        rc = vtb_units_parse_duration_ns(text, &v, err);
        if (rc == VTB_ESYNTAX)
            return rc;
        if (rc != 0 || (double)v > VTB__KEYS_DAY_NS)
            return vtb_error_set(err, VTB_ERANGE, "a duration must be at most 24h, got %s",
                                 text);
        w.ns = v;
    } else {
        rc = vtb_units_parse_count(text, &v, err);
        if (rc == VTB_ESYNTAX)
            return vtb_error_set(err, rc,
                                 "expected a count such as `100000` or a duration such as "
                                 "`1s`, got `%s`",
                                 text);
        if (rc != 0 || (double)v > key->max)
            return vtb_type_range_error(key, text, VTB_ERANGE, err);
        w.ops = v;
    }
    *(struct vtb_warmup *)out = w;
    return 0;
}

static const char *format_warmup(const struct vtb_key *key, const void *value, char *buf,
                                 size_t size)
{
    (void)key;
    const struct vtb_warmup *w = value;
    if (w->ns > 0)
        return vtb_units_format_duration(w->ns, buf, size);
    snprintf(buf, size, "%" PRIu64, w->ops);
    return buf;
}

static const char *range_warmup(const struct vtb_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "in [0,%.0f] operations, or a duration of at most 24h", key->max);
    return buf;
}

const struct vtb_value_type vtb_type_warmup = {
    .name = "count or duration",
    .parse = parse_warmup,
    .format = format_warmup,
    .range = range_warmup,
};

static int parse_seed(const struct vtb_key *key, const char *text,
                      const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    uint64_t v = 0;
    int rc = vtb_units_parse_u64(text, &v, err);
    if (rc == VTB_ERANGE)
        return vtb_type_range_error(key, text, rc, err);
    if (rc == 0)
        *(uint64_t *)out = v;
    return rc;
}

static const char *range_seed(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size, "in [0,%" PRIu64 "]", UINT64_MAX);
    return buf;
}

const struct vtb_value_type vtb_type_seed = {
    .name = "seed",
    .parse = parse_seed,
    .format = format_count,
    .range = range_seed,
    .syntax = "decimal or 0x hex",
};

static int parse_bool(const struct vtb_key *key, const char *text,
                      const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    (void)env;
    bool v = false;
    int rc = vtb_units_parse_bool(text, &v, err);
    if (rc == 0)
        *(bool *)out = v;
    return rc;
}

static const char *format_bool(const struct vtb_key *key, const void *value, char *buf,
                               size_t size)
{
    (void)key;
    snprintf(buf, size, "%s", *(const bool *)value ? "true" : "false");
    return buf;
}

static const char *range_bool(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size, "true or false (also yes/no, on/off, 1/0)");
    return buf;
}

const struct vtb_value_type vtb_type_bool = {
    .name = "bool",
    .parse = parse_bool,
    .format = format_bool,
    .range = range_bool,
};

/* ---- Repetitions, fractions, paths ---- */

static int parse_repetitions(const struct vtb_key *key, const char *text,
                             const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    if (strcmp(text, "auto") == 0) {
        *(unsigned *)out = 0;
        return 0;
    }
    int rc = parse_ucount(key, text, env, out, err);
    if (rc == VTB_ESYNTAX)
        return vtb_error_set(err, rc, "expected a whole number or auto, got `%s`", text);
    return rc;
}

static const char *format_repetitions(const struct vtb_key *key, const void *value, char *buf,
                                      size_t size)
{
    if (*(const unsigned *)value == 0) {
        snprintf(buf, size, "auto");
        return buf;
    }
    return format_ucount(key, value, buf, size);
}

static const char *range_repetitions(const struct vtb_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "in [%.0f,%.0f] or auto", key->min, key->max);
    return buf;
}

const struct vtb_value_type vtb_type_repetitions = {
    .name = "repetitions",
    .parse = parse_repetitions,
    .format = format_repetitions,
    .range = range_repetitions,
};

/* A fraction, as a number ("0.02") or a percentage ("2%"). */
static int parse_fraction(const struct vtb_key *key, const char *text,
                          const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    char number[64];
    size_t len = strlen(text);
    bool percent = len > 0 && text[len - 1] == '%';
    if (len >= sizeof(number))
        return vtb_error_set(err, VTB_ESYNTAX, "expected a fraction such as `0.02` or `2%%`, "
                                               "got `%.40s...`", text);
    memcpy(number, text, len + 1);
    if (percent)
        number[len - 1] = '\0';
    double x = 0.0;
    int rc = vtb_units_parse_double(number, &x, err);
    if (rc == VTB_ESYNTAX)
        return vtb_error_set(err, rc, "expected a fraction such as `0.02` or `2%%`, got `%s`",
                             text);
    if (percent)
        x /= 100.0;
    if (rc != 0 || !(x >= key->min && x <= key->max))
        return vtb_type_range_error(key, text, VTB_ERANGE, err);
    *(double *)out = x;
    return 0;
}

static const char *format_fraction(const struct vtb_key *key, const void *value, char *buf,
                                   size_t size)
{
    (void)key;
    return vtb_units_format_double(*(const double *)value, buf, size);
}

const struct vtb_value_type vtb_type_fraction = {
    .name = "fraction",
    .parse = parse_fraction,
    .format = format_fraction,
    .range = range_ratio,
    .syntax = "or a percentage, e.g. 2%",
    .number = number_ratio,
};

/* Joins base and a relative path; an absolute path stays as it is. */