/*
 * Strict, exact parsers and canonical formatters for counts, durations,
 * numbers, booleans and latency specs (see units.h for the grammar).
 *
 * Decimal fractions are never routed through a double: "1.1s" is scanned as
 * the integer 1 and the fraction 1/10, and scaled to nanoseconds in 128-bit
 * integer arithmetic, so that every value a user can write is represented
 * exactly or refused, never rounded behind their back.
 */
#include "units.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 19 fractional digits still fit a uint64_t (10^19 < 2^64). */
#define MAX_FRAC_DIGITS 19

/* A scanned decimal number: int_part + frac / 10^frac_digits. */
struct decimal {
    uint64_t int_part;
    uint64_t frac;
    unsigned frac_digits;
    bool overflow; /* the integer part does not fit 64 bits */
    bool inexact;  /* non-zero digits beyond MAX_FRAC_DIGITS were dropped */
};

/* Scans [digits][.digits] with at least one digit. Returns the first byte
 * after the number, or NULL when p does not start a number. */
static const char *scan_decimal(const char *p, struct decimal *d)
{
    bool any = false;
    memset(d, 0, sizeof(*d));
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');
        any = true;
        if (__builtin_mul_overflow(d->int_part, 10, &d->int_part) ||
            __builtin_add_overflow(d->int_part, digit, &d->int_part))
            d->overflow = true;
    }
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++) {
            any = true;
            if (d->frac_digits < MAX_FRAC_DIGITS) {
                d->frac = d->frac * 10 + (uint64_t)(*p - '0');
                d->frac_digits++;
            } else if (*p != '0') {
                d->inexact = true;
            }
        }
    }
    return any ? p : NULL;
}

enum scale_result { SCALE_OK, SCALE_OVERFLOW, SCALE_INEXACT };

/* Computes d * mult exactly. */
static enum scale_result scale_decimal(const struct decimal *d, uint64_t mult, uint64_t *out)
{
    unsigned __int128 pow10 = 1;
    for (unsigned i = 0; i < d->frac_digits; i++)
        pow10 *= 10;
    unsigned __int128 frac = (unsigned __int128)d->frac * mult;
    if (d->inexact || frac % pow10 != 0)
        return SCALE_INEXACT;
    if (d->overflow)
        return SCALE_OVERFLOW;
    unsigned __int128 total = (unsigned __int128)d->int_part * mult + frac / pow10;
    if (total > UINT64_MAX)
        return SCALE_OVERFLOW;
    *out = (uint64_t)total;
    return SCALE_OK;
}

int vtb_units_parse_count(const char *text, uint64_t *out, struct vtb_error *err)
{
    const char *p = text;
    bool negative = (*p == '-');
    struct decimal d;

    if (negative)
        p++;
    p = scan_decimal(p, &d);
    if (p == NULL)
        goto syntax;
    uint64_t mult = 1;
    switch (*p) {
    case '\0':
        break;
    case 'k':
    case 'K':
        mult = UINT64_C(1000);
        p++;
        break;
    case 'M':
        mult = UINT64_C(1000000);
        p++;
        break;
    case 'G':
        mult = UINT64_C(1000000000);
        p++;
        break;
    case 'T':
        mult = UINT64_C(1000000000000);
        p++;
        break;
    default:
        goto syntax;
    }
    if (*p != '\0')
        goto syntax;
    if (negative)
        return vtb_error_set(err, VTB_ERANGE, "`%s` is negative", text);
    switch (scale_decimal(&d, mult, out)) {
    case SCALE_OK:
        return 0;
    case SCALE_OVERFLOW:
        return vtb_error_set(err, VTB_ERANGE, "`%s` is too large", text);
    case SCALE_INEXACT:
        break;
    }
syntax:
    return vtb_error_set(err, VTB_ESYNTAX,
                         "expected a whole number such as `1000`, `10k` or `1M`, got `%s`", text);
}

int vtb_units_parse_u64(const char *text, uint64_t *out, struct vtb_error *err)
{
    const char *p = text;
    bool negative = (*p == '-');
    unsigned base = 10;
    uint64_t value = 0;
    bool overflow = false;

    if (negative)
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (*p == '\0')
        goto syntax;
    for (; *p != '\0'; p++) {
        unsigned digit;
        if (*p >= '0' && *p <= '9')
            digit = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            digit = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            digit = (unsigned)(*p - 'A' + 10);
        else
            goto syntax;
        if (__builtin_mul_overflow(value, base, &value) ||
            __builtin_add_overflow(value, digit, &value))
            overflow = true;
    }
    if (negative)
        return vtb_error_set(err, VTB_ERANGE, "`%s` is negative", text);
    if (overflow)
        return vtb_error_set(err, VTB_ERANGE, "`%s` is too large", text);
    *out = value;
    return 0;
syntax:
    return vtb_error_set(err, VTB_ESYNTAX,
                         "expected a whole number (decimal or 0x hex), got `%s`", text);
}

struct unit {
    const char *name;
    uint64_t ns;
};

static const struct unit duration_units[] = {
    {"ns", UINT64_C(1)},
    {"us", UINT64_C(1000)},
    {"ms", UINT64_C(1000000)},
    {"s", UINT64_C(1000000000)},
    {"min", UINT64_C(60000000000)},
    {"h", UINT64_C(3600000000000)},
};

/* The formatter writes only the units up to seconds: "90s" reads better
 * than a fraction of a minute. */
#define FORMAT_UNITS 4

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct unit *find_unit(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++)
        if (strcmp(duration_units[i].name, name) == 0)
            return &duration_units[i];
    return NULL;
}

bool vtb_units_has_duration_unit(const char *text)
{
    size_t len = strlen(text);
    size_t start = len;
    while (start > 0 && ((text[start - 1] >= 'a' && text[start - 1] <= 'z') ||
                         (text[start - 1] >= 'A' && text[start - 1] <= 'Z')))
        start--;
    return start < len && find_unit(text + start) != NULL;
}

int vtb_units_parse_duration_ns(const char *text, uint64_t *out_ns, struct vtb_error *err)
{
    const char *p = text;
    bool negative = (*p == '-');
    struct decimal d;

    if (negative)
        p++;
    p = scan_decimal(p, &d);
    if (p == NULL)
        goto syntax;
    const struct unit *unit = NULL;
    if (*p == '\0') {
        /* Only zero is the same in every unit; any other bare number is a
         * missing unit, and guessing one would silently change the run. */
        if (d.int_part != 0 || d.frac != 0 || d.overflow || d.inexact)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "missing unit in `%s`; use ns, us, ms, s, min or h", text);
    } else {
        unit = find_unit(p);
        if (unit == NULL)
            goto syntax;
    }
    if (negative)
        return vtb_error_set(err, VTB_ERANGE, "`%s` is negative", text);
    switch (scale_decimal(&d, unit != NULL ? unit->ns : 1, out_ns)) {
    case SCALE_OK:
        return 0;
    case SCALE_OVERFLOW:
        return vtb_error_set(err, VTB_ERANGE, "`%s` is too large", text);
    case SCALE_INEXACT:
        return vtb_error_set(err, VTB_ESYNTAX, "`%s` is not a whole number of nanoseconds",
                             text);
    }
syntax:
    return vtb_error_set(err, VTB_ESYNTAX,
                         "expected a duration such as `50us`, `2ms` or `1.5s`, got `%s`", text);
}

int vtb_units_parse_double(const char *text, double *out, struct vtb_error *err)
{
    const char *p = text;
    char *end;

    /* strtod would also take leading blanks, "inf", "nan" and hex floats;
     * none of them is a sensible way to write a ratio or an exponent. */
    if (*p == '-' || *p == '+')
        p++;
    if (!((*p >= '0' && *p <= '9') || *p == '.') || strpbrk(text, "xX") != NULL)
        goto syntax;
    errno = 0;
    double x = strtod(text, &end);
    if (end == text || *end != '\0')
        goto syntax;
    if (errno == ERANGE && isinf(x))
        return vtb_error_set(err, VTB_ERANGE, "`%s` is too large", text);
    *out = x;
    return 0;
syntax:
    return vtb_error_set(err, VTB_ESYNTAX, "expected a number, got `%s`", text);
}

int vtb_units_parse_bool(const char *text, bool *out, struct vtb_error *err)
{
    static const struct {
        const char *word;
        bool value;
    } words[] = {
        {"true", true}, {"yes", true}, {"on", true}, {"1", true},
        {"false", false}, {"no", false}, {"off", false}, {"0", false},
    };
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        if (strcmp(words[i].word, text) == 0) {
            *out = words[i].value;
            return 0;
        }
    }
    return vtb_error_set(err, VTB_ESYNTAX, "expected true or false, got `%s`", text);
}

/* Parses one duration of a latency spec and applies the latency bound. */
static int parse_latency_part(const char *text, uint64_t *out_ns, struct vtb_error *err)
{
    int rc = vtb_units_parse_duration_ns(text, out_ns, err);
    if (rc == VTB_ERANGE && text[0] == '-')
        return vtb_error_set(err, VTB_ERANGE, "a latency cannot be negative, got `%s`", text);
    if (rc == VTB_ERANGE || (rc == 0 && *out_ns > VTB_UNITS_LATENCY_MAX_NS))
        return vtb_error_set(err, VTB_ERANGE, "latency must be at most 60s, got `%s`", text);
    return rc;
}

int vtb_units_parse_latency(const char *text, struct vtb_latency *out, struct vtb_error *err)
{
    /* Specs are short; a copy lets the parts be NUL-terminated in place. */
    char buf[128];
    struct vtb_latency spec = {.kind = VTB_LATENCY_FIXED, .a_ns = 0, .b_ns = 0};
    int rc;

    if (strlen(text) >= sizeof(buf))
        goto unknown;
    strcpy(buf, text);
    char *colon = strchr(buf, ':');
    if (colon == NULL) {
        rc = parse_latency_part(buf, &spec.a_ns, err);
        if (rc != 0)
            return rc;
        *out = spec;
        return 0;
    }
    *colon = '\0';
    char *rest = colon + 1;
    char *second = strchr(rest, ':');
    if (strcmp(buf, "fixed") == 0 || strcmp(buf, "exp") == 0) {
        bool is_exp = (buf[0] == 'e');
        if (second != NULL)
            return vtb_error_set(err, VTB_ESYNTAX, "%s takes one duration, got `%s`", buf,
                                 text);
        rc = parse_latency_part(rest, &spec.a_ns, err);
        if (rc != 0)
            return rc;
        if (is_exp) {
            spec.kind = VTB_LATENCY_EXP;
            if (spec.a_ns == 0)
                return vtb_error_set(err, VTB_ERANGE, "exp mean must be > 0, got `%s`", text);
        }
        *out = spec;
        return 0;
    }
    if (strcmp(buf, "uniform") == 0) {
        if (second == NULL || strchr(second + 1, ':') != NULL)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "uniform needs LO:HI, e.g. `uniform:10us:100us`, got `%s`",
                                 text);
        *second = '\0';
        spec.kind = VTB_LATENCY_UNIFORM;
        rc = parse_latency_part(rest, &spec.a_ns, err);
        if (rc == 0)
            rc = parse_latency_part(second + 1, &spec.b_ns, err);
        if (rc != 0)
            return rc;
        if (spec.a_ns > spec.b_ns)
            return vtb_error_set(err, VTB_ERANGE,
                                 "uniform bounds are reversed: `%s` > `%s`", rest, second + 1);
        *out = spec;
        return 0;
    }
unknown:
    return vtb_error_set(err, VTB_ESYNTAX,
                         "unknown latency `%s`; expected DURATION, fixed:DURATION, "
                         "uniform:LO:HI or exp:MEAN",
                         text);
}

const char *vtb_units_format_double(double x, char *buf, size_t size)
{
    /* %.17g always round-trips, but 0.99 would print as 0.98999999999999999;
     * the shortest precision that reads back exactly is the canonical text. */
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, x);
        if (precision == 17 || strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

const char *vtb_units_format_duration(uint64_t ns, char *buf, size_t size)
{
    if (ns == 0) {
        snprintf(buf, size, "0");
        return buf;
    }
    for (size_t i = FORMAT_UNITS; i-- > 0;) {
        if (ns % duration_units[i].ns == 0) {
            snprintf(buf, size, "%" PRIu64 "%s", ns / duration_units[i].ns,
                     duration_units[i].name);
            break;
        }
    }
    return buf;
}

const char *vtb_units_format_latency(const struct vtb_latency *spec, char *buf, size_t size)
{
    char a[VTB_UNITS_DURATION_TEXT_MAX], b[VTB_UNITS_DURATION_TEXT_MAX];

    vtb_units_format_duration(spec->a_ns, a, sizeof(a));
    switch (spec->kind) {
    case VTB_LATENCY_UNIFORM:
        vtb_units_format_duration(spec->b_ns, b, sizeof(b));
        snprintf(buf, size, "uniform:%s:%s", a, b);
        break;
    case VTB_LATENCY_EXP:
        snprintf(buf, size, "exp:%s", a);
        break;
    case VTB_LATENCY_FIXED:
    default:
        snprintf(buf, size, "%s", a);
        break;
    }
    return buf;
}
