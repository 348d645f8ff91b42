/*
 * Value types of scenario keys with a shape (see types.h, types.c): key
 * distributions, latency specs, the library's enumerations and the load.
 * Enum names are the library's (vtb_cache_lock_name,
 * vtb_completion_mode_name, ...): they live once, in impl/, and the words
 * types only walk them.
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
/* ---- Key distributions and latencies ---- */

static int parse_key_dist(const struct vtb_key *key, const char *text,
                          const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    (void)env;
    return vtb_key_dist_parse(text, out, err);
}

static const char *format_key_dist(const struct vtb_key *key, const void *value, char *buf,
                                   size_t size)
{
    (void)key;
    return vtb_key_dist_format(value, buf, size);
}

static const char *range_key_dist(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size,
             "uniform; zipf:THETA, 0 < THETA <= %g; hotspot:FRACTION:PROBABILITY, 0 < FRACTION "
             "< 1, 0 <= PROBABILITY <= 1",
             VTB_KEY_DIST_THETA_MAX);
    return buf;
}

const struct vtb_value_type vtb_type_key_dist = {
    .name = "key distribution",
    .parse = parse_key_dist,
    .format = format_key_dist,
    .range = range_key_dist,
};

/* A latency spec, or `measured`: the run's server's median round trip,
 * which the run fills in (backend_run.c). */
static int parse_latency(const struct vtb_key *key, const char *text,
                         const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    (void)env;
    if (strcmp(text, "measured") == 0) {
        *(struct vtb_latency *)out = (struct vtb_latency){VTB_LATENCY_MEASURED, 0, 0};
        return 0;
    }
    return vtb_units_parse_latency(text, out, err);
}

static const char *format_latency(const struct vtb_key *key, const void *value, char *buf,
                                  size_t size)
{
    (void)key;
    if (((const struct vtb_latency *)value)->kind == VTB_LATENCY_MEASURED) {
        snprintf(buf, size, "measured");
        return buf;
    }
    return vtb_units_format_latency(value, buf, size);
}

static const char *range_latency(const struct vtb_key *key, char *buf, size_t size)
{
    char max[VTB_UNITS_DURATION_TEXT_MAX];
    snprintf(buf, size,
             "DURATION, fixed:DURATION, uniform:LO:HI, exp:MEAN or measured; units ns, us, ms, "
             "s, min, h; each at most %s",
             vtb__type_bound_duration(key->max, max, sizeof(max)));
    return buf;
}

static double number_latency(const void *value)
{
    return vtb_latency_mean_ns(value);
}

const struct vtb_value_type vtb_type_latency = {
    .name = "latency",
    .parse = parse_latency,
    .format = format_latency,
    .range = range_latency,
    .number = number_latency,
};

/* ---- Enumerations: the library's own names ---- */

/* The words of an enumeration, from the library's name function. */
struct words {
    const char *(*name)(int value);
    int count;
};

static const char *completion_word(int v)
{
    return vtb_completion_mode_name((enum vtb_completion_mode)v);
}
static const char *continuation_word(int v)
{
    return vtb_continuation_mode_name((enum vtb_continuation_mode)v);
}
static const char *cache_lock_word(int v)
{
    return vtb_cache_lock_name((enum vtb_cache_lock)v);
}
static const char *backend_word(int v)
{
    return vtb_backend_kind_name((enum vtb_backend_kind)v);
}

static const struct words completion_words = {completion_word, VTB_COMPLETION_MODE_COUNT};
static const struct words continuation_words = {continuation_word,
                                                VTB_CONTINUATION_MODE_COUNT};
static const struct words cache_lock_words = {cache_lock_word, VTB_CACHE_LOCK_COUNT};
static const struct words backend_words = {backend_word, VTB_BACKEND_KIND_COUNT};

_Static_assert(sizeof(enum vtb_completion_mode) == sizeof(int) &&
                   sizeof(enum vtb_continuation_mode) == sizeof(int) &&
                   sizeof(enum vtb_cache_lock) == sizeof(int) &&
                   sizeof(enum vtb_backend_kind) == sizeof(int),
               "enumeration members are read and written as int");

static const struct words *words_of(const struct vtb_key *key)
{
    if (key->type == &vtb_type_completion)
        return &completion_words;
    if (key->type == &vtb_type_continuation)
        return &continuation_words;
    if (key->type == &vtb_type_backend)
        return &backend_words;
    return &cache_lock_words;
}

static int parse_word(const struct vtb_key *key, const char *text,
                      const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    const struct words *w = words_of(key);
    for (int v = 0; v < w->count; v++)
        if (strcmp(w->name(v), text) == 0) {
            *(int *)out = v;
            return 0;
        }
    return vtb_type_range_error(key, text, VTB_EINVAL, err);
}

static const char *format_word(const struct vtb_key *key, const void *value, char *buf,
                               size_t size)
{
    snprintf(buf, size, "%s", words_of(key)->name(*(const int *)value));
    return buf;
}

/* "a or b", "a, b or c". */
static const char *range_word(const struct vtb_key *key, char *buf, size_t size)
{
    const struct words *w = words_of(key);
    size_t used = 0;
    buf[0] = '\0';
    for (int v = 0; v < w->count && used < size; v++) {
        const char *sep = v == 0 ? "" : v == w->count - 1 ? " or " : ", ";
        int n = snprintf(buf + used, size - used, "%s%s", sep, w->name(v));
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

#define VTB__WORDS_TYPE(type_name, doc)                                                    \
    const struct vtb_value_type type_name = {                                               \
        .name = doc, .parse = parse_word, .format = format_word, .range = range_word,      \
    };
VTB__WORDS_TYPE(vtb_type_completion, "completion mode")
VTB__WORDS_TYPE(vtb_type_continuation, "continuation mode")
VTB__WORDS_TYPE(vtb_type_cache_lock, "lock design")
VTB__WORDS_TYPE(vtb_type_backend, "backend")
#undef VTB__WORDS_TYPE

/* ---- Load ---- */

/* open:RATE or open:RATE:poisson, where RATE is a number with an optional
 * k, M or G; plain open:RATE spaces operations evenly. */
static int parse_open_rate(const struct vtb_key *key, const char *text, double *rate,
                           bool *poisson, struct vtb_error *err)
{
    char rate_text[64];
    double mult = 1.0;
    size_t len = strlen(text + 5);
    if (len == 0 || len >= sizeof(rate_text))
        return vtb_error_set(err, VTB_ESYNTAX, "open needs a rate, e.g. `open:100k`, got `%s`",
                             text);
    memcpy(rate_text, text + 5, len + 1);
    char *arrival = strchr(rate_text, ':');
    *poisson = false;
    if (arrival != NULL) {
        if (strcmp(arrival, ":poisson") != 0)
            return vtb_error_set(err, VTB_EINVAL,
                                 "open: arrivals must be `poisson` (open:RATE:poisson) or left "
                                 "out for even spacing, got `%s`",
                                 text);
        *poisson = true;
        *arrival = '\0';
        len = strlen(rate_text);
        if (len == 0)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "open needs a rate, e.g. `open:100k`, got `%s`", text);
    }
    switch (rate_text[len - 1]) {
    case 'k':
    case 'K':
        mult = 1e3;
        break;
    case 'M':
        mult = 1e6;
        break;
    case 'G':
        mult = 1e9;
        break;
    }
    if (mult != 1.0)
        rate_text[len - 1] = '\0';
    struct vtb_error inner;
    int rc = vtb_units_parse_double(rate_text, rate, &inner);
    if (rc == VTB_ESYNTAX)
        return vtb_error_set(err, rc, "open rate: expected a number such as `1000` or `10k`, "
                                      "got `%s`",
                             text + 5);
    *rate *= mult;
    if (rc != 0 || !(*rate > 0.0 && *rate <= key->max))
        return vtb_error_set(err, VTB_ERANGE, "open rate must be in (0,%.0fe%d] ops/s, got %s",
                             key->max / pow(10, floor(log10(key->max))),
                             (int)floor(log10(key->max)), text + 5);
    return 0;
}

static int parse_load(const struct vtb_key *key, const char *text,
                      const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    if (strcmp(text, "closed") == 0) {
        *(struct vtb_load *)out = (struct vtb_load){.kind = VTB_LOAD_CLOSED};
        return 0;
    }
    if (strncmp(text, "open:", 5) != 0)
        return vtb_type_range_error(key, text, VTB_EINVAL, err);
    double rate = 0.0;
    bool poisson = false;
    int rc = parse_open_rate(key, text, &rate, &poisson, err);
    if (rc == 0)
        *(struct vtb_load *)out =
            (struct vtb_load){.kind = VTB_LOAD_OPEN, .rate_per_s = rate, .poisson = poisson};
    return rc;
}

static const char *format_load(const struct vtb_key *key, const void *value, char *buf,
                               size_t size)
{
    (void)key;
    const struct vtb_load *load = value;
    char rate[VTB_UNITS_DOUBLE_TEXT_MAX];
    if (load->kind == VTB_LOAD_OPEN)
        snprintf(buf, size, "open:%s%s",
                 vtb_units_format_double(load->rate_per_s, rate, sizeof(rate)),
                 load->poisson ? ":poisson" : "");
    else
        snprintf(buf, size, "closed");
    return buf;
}

static const char *range_load(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size, "closed or open:RATE");
    return buf;
}

static double number_load(const void *value)
{
    const struct vtb_load *load = value;
    return load->kind == VTB_LOAD_OPEN ? load->rate_per_s : NAN;
}

const struct vtb_value_type vtb_type_load = {
    .name = "load",
    .parse = parse_load,
    .format = format_load,
    .range = range_load,
    .syntax = "open:RATE:poisson for exponential gaps; RATE > 0 and at most 1e9, suffix k, M, G",
    .number = number_load,
};

