/*
 * Backend latency specifications and mode names (see vtb/backend.h). The
 * fetch machinery itself lives in service.c, next to the worker it runs on.
 */
#include "vtb/backend.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parses one duration such as "50us" into ns. Bare numbers are ns. */
static int parse_duration_ns(const char *text, size_t len, uint64_t *out_ns)
{
    char buf[64];
    if (len == 0 || len >= sizeof(buf))
        return VTB_EINVAL;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end = NULL;
    errno = 0;
    double number = strtod(buf, &end);
    if (end == buf || errno == ERANGE || !isfinite(number) || number < 0)
        return VTB_EINVAL;
    double scale;
    if (*end == '\0' || strcmp(end, "ns") == 0)
        scale = 1.0;
    else if (strcmp(end, "us") == 0)
        scale = 1e3;
    else if (strcmp(end, "ms") == 0)
        scale = 1e6;
    else if (strcmp(end, "s") == 0)
        scale = 1e9;
    else
        return VTB_EINVAL;
    double ns = number * scale;
    if (ns > 3600e9) /* an hour: beyond any sensible backend latency */
        return VTB_ERANGE;
    *out_ns = (uint64_t)llround(ns);
    return 0;
}

int vtb_latency_parse(const char *text, struct vtb_latency *out, struct vtb_error *err)
{
    struct vtb_latency spec = {VTB_LATENCY_FIXED, 0, 0};
    const char *colon = strchr(text, ':');
    const char *args = text;
    if (colon != NULL) {
        size_t kind_len = (size_t)(colon - text);
        if (kind_len == 5 && strncmp(text, "fixed", 5) == 0)
            spec.kind = VTB_LATENCY_FIXED;
        else if (kind_len == 3 && strncmp(text, "exp", 3) == 0)
            spec.kind = VTB_LATENCY_EXP;
        else if (kind_len == 7 && strncmp(text, "uniform", 7) == 0)
            spec.kind = VTB_LATENCY_UNIFORM;
        else
            return vtb_error_set(err, VTB_EINVAL,
                                 "unknown latency distribution '%.*s' (expected fixed, "
                                 "exp or uniform)",
                                 (int)kind_len, text);
        args = colon + 1;
    }
    const char *second = spec.kind == VTB_LATENCY_UNIFORM ? strchr(args, ':') : NULL;
    if (spec.kind == VTB_LATENCY_UNIFORM && second == NULL)
        return vtb_error_set(err, VTB_EINVAL,
                             "uniform latency needs two bounds, e.g. uniform:10us:100us, "
                             "got '%s'",
                             text);
    size_t first_len = second != NULL ? (size_t)(second - args) : strlen(args);
    int rc = parse_duration_ns(args, first_len, &spec.a_ns);
    if (rc == 0 && second != NULL)
        rc = parse_duration_ns(second + 1, strlen(second + 1), &spec.b_ns);
    if (rc == VTB_ERANGE)
        return vtb_error_set(err, rc, "latency '%s' is longer than an hour", text);
    if (rc != 0)
        return vtb_error_set(err, rc,
                             "bad latency '%s' (expected e.g. 0, 50us, exp:20us, "
                             "uniform:10us:100us)",
                             text);
    if (spec.kind == VTB_LATENCY_UNIFORM && spec.b_ns < spec.a_ns)
        return vtb_error_set(err, VTB_ERANGE, "uniform latency '%s' has its bounds reversed",
                             text);
    *out = spec;
    return 0;
}

uint64_t vtb_latency_draw(const struct vtb_latency *spec, struct vtb_rng *rng)
{
    switch (spec->kind) {
    case VTB_LATENCY_UNIFORM:
        return spec->a_ns + vtb_rng_below(rng, spec->b_ns - spec->a_ns + 1);
    case VTB_LATENCY_EXP:
        return (uint64_t)llround(vtb_rng_exp(rng, (double)spec->a_ns));
    case VTB_LATENCY_FIXED:
    default:
        return spec->a_ns;
    }
}

double vtb_latency_mean_ns(const struct vtb_latency *spec)
{
    if (spec->kind == VTB_LATENCY_UNIFORM)
        return ((double)spec->a_ns + (double)spec->b_ns) / 2.0;
    return (double)spec->a_ns;
}

const char *vtb_completion_mode_name(enum vtb_completion_mode mode)
{
    return mode == VTB_COMPLETE_ON_THREAD ? "thread" : "loop";
}

int vtb_completion_mode_parse(const char *name, enum vtb_completion_mode *out)
{
    if (strcmp(name, "loop") == 0)
        *out = VTB_COMPLETE_ON_LOOP;
    else if (strcmp(name, "thread") == 0)
        *out = VTB_COMPLETE_ON_THREAD;
    else
        return VTB_EINVAL;
    return 0;
}

const char *vtb_continuation_mode_name(enum vtb_continuation_mode mode)
{
    return mode == VTB_CONTINUE_INLINE ? "inline" : "posted";
}

int vtb_continuation_mode_parse(const char *name, enum vtb_continuation_mode *out)
{
    if (strcmp(name, "inline") == 0)
        *out = VTB_CONTINUE_INLINE;
    else if (strcmp(name, "posted") == 0)
        *out = VTB_CONTINUE_POSTED;
    else
        return VTB_EINVAL;
    return 0;
}
