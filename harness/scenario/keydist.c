/*
 * Parsing and canonical text of key distributions (see keydist.h).
 */
#include "keydist.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

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

int vtb_key_dist_parse(const char *text, struct vtb_key_dist *out, struct vtb_error *err)
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
        rc = parse_param(parts[1], "zipf exponent", 0.0, true, VTB_KEY_DIST_THETA_MAX, false,
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

const char *vtb_key_dist_format(const struct vtb_key_dist *d, char *buf, size_t size)
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
