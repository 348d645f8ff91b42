/*
 * The value types of scenario keys (see types.h). Numbers, durations and
 * latency specs are read by units.c and key distributions by keydist.c;
 * this file adds the bounds of each key and the canonical text. Enum names
 * are the library's (vtb_cache_lock_name, vtb_completion_mode_name, ...):
 * they live once, in impl/, and the words types only walk them.
 */
#include "types.h"

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
static const char *bound_duration(double ns, char *buf, size_t size)
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

static int parse_latency(const struct vtb_key *key, const char *text,
                         const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    (void)env;
    return vtb_units_parse_latency(text, out, err);
}

static const char *format_latency(const struct vtb_key *key, const void *value, char *buf,
                                  size_t size)
{
    (void)key;
    return vtb_units_format_latency(value, buf, size);
}

static const char *range_latency(const struct vtb_key *key, char *buf, size_t size)
{
    char max[VTB_UNITS_DURATION_TEXT_MAX];
    snprintf(buf, size,
             "DURATION, fixed:DURATION, uniform:LO:HI or exp:MEAN; units ns, us, ms, s, min, "
             "h; each at most %s",
             bound_duration(key->max, max, sizeof(max)));
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

static const struct words completion_words = {completion_word, VTB_COMPLETION_MODE_COUNT};
static const struct words continuation_words = {continuation_word,
                                                VTB_CONTINUATION_MODE_COUNT};
static const struct words cache_lock_words = {cache_lock_word, VTB_CACHE_LOCK_COUNT};

_Static_assert(sizeof(enum vtb_completion_mode) == sizeof(int) &&
                   sizeof(enum vtb_continuation_mode) == sizeof(int) &&
                   sizeof(enum vtb_cache_lock) == sizeof(int),
               "enumeration members are read and written as int");

static const struct words *words_of(const struct vtb_key *key)
{
    if (key->type == &vtb_type_completion)
        return &completion_words;
    if (key->type == &vtb_type_continuation)
        return &continuation_words;
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

/* ---- Durations, warm-up, seeds, booleans ---- */

static const char *range_duration(const struct vtb_key *key, char *buf, size_t size)
{
    char max[VTB_UNITS_DURATION_TEXT_MAX];
    bound_duration(key->max, max, sizeof(max));
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

/* ---- Text: names, free text, lists of names ---- */

bool vtb_type_valid_name(const char *text, size_t max)
{
    size_t len = strlen(text);
    if (len == 0 || len > max)
        return false;
    for (const char *p = text; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
            return false;
    return true;
}

static const char *range_name(const struct vtb_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "%.0f to %.0f characters of A-Z a-z 0-9 . _ -", key->min, key->max);
    return buf;
}

static int set_string(char **dst, const char *text, struct vtb_error *err)
{
    char *copy = strdup(text);
    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    *dst = copy;
    return 0;
}

static int parse_name(const struct vtb_key *key, const char *text,
                      const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)env;
    if (!vtb_type_valid_name(text, (size_t)key->max))
        return vtb_type_range_error(key, text, VTB_EINVAL, err);
    return set_string(out, text, err);
}

static const char *format_string(const struct vtb_key *key, const void *value, char *buf,
                                 size_t size)
{
    (void)key;
    const char *s = *(char *const *)value;
    snprintf(buf, size, "%s", s != NULL ? s : "");
    return buf;
}

static void fini_string(void *value)
{
    free(*(char **)value);
    *(char **)value = NULL;
}

static int copy_string(void *dst, const void *src)
{
    const char *s = *(char *const *)src;
    *(char **)dst = NULL;
    return s == NULL ? 0 : set_string(dst, s, NULL);
}

const struct vtb_value_type vtb_type_name = {
    .name = "name",
    .parse = parse_name,
    .format = format_string,
    .range = range_name,
    .fini = fini_string,
    .copy = copy_string,
};

static int parse_text(const struct vtb_key *key, const char *text,
                      const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    (void)env;
    return set_string(out, text, err);
}

static const char *range_text(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size, "any text on one line");
    return buf;
}

const struct vtb_value_type vtb_type_text = {
    .name = "text",
    .parse = parse_text,
    .format = format_string,
    .range = range_text,
    .fini = fini_string,
    .copy = copy_string,
    .commas_allowed = true,
};

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; names != NULL && i < count; i++)
        free(names[i]);
    free(names);
}

static int unknown_impl(const struct vtb_parse_env *env, const char *name, struct vtb_error *err)
{
    size_t n = 0;
    while (env->known_impls[n] != NULL)
        n++;
    const char *best = vtb_suggest(name, env->known_impls, n);
    if (best != NULL)
        return vtb_error_set(err, VTB_EINVAL, "unknown implementation `%s`; did you mean `%s`?",
                             name, best);
    char known[VTB_ERROR_MESSAGE_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof(known); i++) {
        int w = snprintf(known + used, sizeof(known) - used, "%s%s", i == 0 ? "" : ", ",
                         env->known_impls[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return vtb_error_set(err, VTB_EINVAL, "unknown implementation `%s`; known: %s", name, known);
}

int vtb_type_known_impl(const char *name, const char *const *known, struct vtb_error *err)
{
    for (const char *const *p = known; p != NULL && *p != NULL; p++)
        if (strcmp(*p, name) == 0)
            return 0;
    struct vtb_parse_env env = {.known_impls = known};
    return known == NULL ? 0 : unknown_impl(&env, name, err);
}

static int check_impl_name(const struct vtb_key *key, const char *name,
                           const struct vtb_parse_env *env, char *const *earlier, size_t n,
                           struct vtb_error *err)
{
    if (!vtb_type_valid_name(name, (size_t)key->max))
        return vtb_type_range_error(key, name, VTB_EINVAL, err);
    bool known = env == NULL || env->known_impls == NULL;
    for (const char *const *p = known ? NULL : env->known_impls; p != NULL && *p != NULL; p++)
        known = known || strcmp(*p, name) == 0;
    if (!known)
        return unknown_impl(env, name, err);
    for (size_t j = 0; j < n; j++)
        if (strcmp(earlier[j], name) == 0)
            return vtb_error_set(err, VTB_EINVAL, "duplicate value %s in list", name);
    return 0;
}

static int parse_impls(const struct vtb_key *key, const char *text,
                       const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    char *tokens[VTB_SCENARIO_LIST_MAX];
    size_t n = 0, done = 0;
    char *copy = strdup(text);
    char **names = NULL;
    int rc;
    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    rc = vtb_split_list(copy, tokens, &n, err);
    if (rc == 0 && (names = calloc(n, sizeof(*names))) == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    for (; rc == 0 && done < n; done++) {
        rc = check_impl_name(key, tokens[done], env, names, done, err);
        if (rc == 0 && (names[done] = strdup(tokens[done])) == NULL)
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    }
    if (rc == 0) {
        *(struct vtb_name_list *)out = (struct vtb_name_list){names, n};
        names = NULL;
    }
    free_names(names, n);
    free(copy);
    return rc;
}

static const char *format_names(const struct vtb_key *key, const void *value, char *buf,
                                size_t size)
{
    (void)key;
    const struct vtb_name_list *l = value;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i == 0 ? "" : ", ", l->names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

static const char *range_names(const struct vtb_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "names of %.0f to %.0f characters of A-Z a-z 0-9 . _ -", key->min,
             key->max);
    return buf;
}

static void fini_names(void *value)
{
    struct vtb_name_list *l = value;
    free_names(l->names, l->count);
    l->names = NULL;
    l->count = 0;
}

static int copy_names(void *dst, const void *src)
{
    const struct vtb_name_list *from = src;
    struct vtb_name_list *to = dst;
    to->names = NULL;
    to->count = 0;
    if (from->count == 0)
        return 0;
    char **names = calloc(from->count, sizeof(*names));
    if (names == NULL)
        return VTB_ENOMEM;
    for (size_t i = 0; i < from->count; i++)
        if ((names[i] = strdup(from->names[i])) == NULL) {
            free_names(names, from->count);
            return VTB_ENOMEM;
        }
    to->names = names;
    to->count = from->count;
    return 0;
}

const struct vtb_value_type vtb_type_impls = {
    .name = "names",
    .parse = parse_impls,
    .format = format_names,
    .range = range_names,
    .syntax = "registered implementation names, each at most once",
    .fini = fini_names,
    .copy = copy_names,
    .commas_allowed = true,
};

/* ---- Lists ---- */

char *vtb_trim(char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    char *end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return p;
}

int vtb_split_list(char *text, char **tokens, size_t *count, struct vtb_error *err)
{
    size_t n = 1;
    for (const char *p = text; *p != '\0'; p++)
        n += (*p == ',');
    if (n > VTB_SCENARIO_LIST_MAX)
        return vtb_error_set(err, VTB_ERANGE, "list has %zu values, at most %d", n,
                             VTB_SCENARIO_LIST_MAX);
    char *p = text;
    for (size_t i = 0; i < n; i++) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        tokens[i] = vtb_trim(p);
        if (tokens[i][0] == '\0')
            return n == 1 ? vtb_error_set(err, VTB_ESYNTAX, "empty value")
                          : vtb_error_set(err, VTB_ESYNTAX,
                                          "empty value at position %zu of the list", i + 1);
        if (comma != NULL)
            p = comma + 1;
    }
    *count = n;
    return 0;
}

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
static char *resolve_path(const char *base, const char *path)
{
    if (path[0] == '/' || base == NULL || base[0] == '\0')
        return strdup(path);
    size_t n = strlen(base) + strlen(path) + 2;
    char *out = malloc(n);
    if (out != NULL)
        snprintf(out, n, "%s/%s", base, path);
    return out;
}

static int parse_paths(const struct vtb_key *key, const char *text,
                       const struct vtb_parse_env *env, void *out, struct vtb_error *err)
{
    (void)key;
    char *tokens[VTB_SCENARIO_LIST_MAX];
    size_t n = 0, done = 0;
    char *copy = strdup(text);
    char **paths = NULL;
    int rc;
    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    rc = vtb_split_list(copy, tokens, &n, err);
    if (rc == 0 && (paths = calloc(n, sizeof(*paths))) == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    for (; rc == 0 && done < n; done++) {
        paths[done] = resolve_path(env != NULL ? env->base_dir : NULL, tokens[done]);
        if (paths[done] == NULL)
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        for (size_t j = 0; rc == 0 && j < done; j++)
            if (strcmp(paths[j], paths[done]) == 0)
                rc = vtb_error_set(err, VTB_EINVAL, "duplicate value %s in list", tokens[done]);
    }
    if (rc == 0) {
        *(struct vtb_name_list *)out = (struct vtb_name_list){paths, n};
        paths = NULL;
    }
    free_names(paths, n);
    free(copy);
    return rc;
}

static const char *range_paths(const struct vtb_key *key, char *buf, size_t size)
{
    (void)key;
    snprintf(buf, size, "paths of shared objects, comma-separated");
    return buf;
}

static bool absent_names(const void *value)
{
    return ((const struct vtb_name_list *)value)->count == 0;
}

const struct vtb_value_type vtb_type_paths = {
    .name = "paths",
    .parse = parse_paths,
    .format = format_names,
    .range = range_paths,
    .absent = absent_names,
    .fini = fini_names,
    .copy = copy_names,
    .commas_allowed = true,
};
