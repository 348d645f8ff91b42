/*
 * Backend latency draws, mode and kind names, the list of server backends,
 * their URLs and their wire format (see vtb/backend.h and
 * vtb/backend_internal.h). The fetch machinery itself lives in service.c,
 * next to the worker it runs on, and each server's protocol in its own file
 * (backend_redis.c); text parsing of latency specs and mode names is the
 * harness's (units.c, scenario.c), but a URL is parsed here, once, for the
 * library that connects to it and the harness that checks it.
 */
#include "vtb/backend_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server backends by kind: adding one is its file and a line here
 * (and its enum constant). NULL: the simulated backend. */
static const struct vtb_backend_ops *const server_backends[VTB_BACKEND_KIND_COUNT] = {
    [VTB_BACKEND_SIM] = NULL,
    [VTB_BACKEND_REDIS] = &vtb__backend_redis,
};

const struct vtb_backend_ops *vtb__backend_ops(enum vtb_backend_kind kind)
{
    return (unsigned)kind < VTB_BACKEND_KIND_COUNT ? server_backends[kind] : NULL;
}

const char *vtb_backend_kind_name(enum vtb_backend_kind kind)
{
    if (kind == VTB_BACKEND_SIM)
        return "sim";
    const struct vtb_backend_ops *ops = vtb__backend_ops(kind);
    return ops != NULL ? ops->name : "unknown";
}

/* HOST:PORT after a scheme's "//". */
static int parse_host_port(const char *url, const char *rest, struct vtb_backend_address *out,
                           struct vtb_error *err)
{
    const char *colon = strrchr(rest, ':');
    size_t host_len = colon != NULL ? (size_t)(colon - rest) : 0;
    if (colon == NULL || host_len == 0 || colon[1] == '\0')
        return vtb_error_set(err, VTB_ESYNTAX, "expected SCHEME://HOST:PORT or unix:PATH, got `%s`",
                             url);
    if (host_len >= sizeof(out->host))
        return vtb_error_set(err, VTB_ERANGE, "host name longer than %zu bytes in `%s`",
                             sizeof(out->host) - 1, url);
    for (size_t i = 0; i < host_len; i++)
        if (rest[i] == '/' || rest[i] == '@' || rest[i] == ' ')
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "the host of `%s` holds `%c` (no user, password or path)", url,
                                 rest[i]);
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || colon[1] == '+' || colon[1] == '-')
        return vtb_error_set(err, VTB_ESYNTAX, "the port of `%s` is not a number", url);
    if (port < 1 || port > 65535)
        return vtb_error_set(err, VTB_ERANGE, "the port of `%s` must be in [1,65535]", url);
    memcpy(out->host, rest, host_len);
    out->host[host_len] = '\0';
    out->port = (int)port;
    return 0;
}

int vtb_backend_url_parse(const char *url, struct vtb_backend_address *out,
                          struct vtb_error *err)
{
    if (url == NULL || out == NULL)
        return vtb_error_set(err, VTB_EINVAL, NULL);
    memset(out, 0, sizeof(*out));
    if (strncmp(url, "unix:", 5) == 0) {
        const char *path = url + 5;
        if (path[0] != '/')
            return vtb_error_set(err, VTB_ESYNTAX, "the socket path of `%s` must be absolute",
                                 url);
        if (strlen(path) >= sizeof(out->path))
            return vtb_error_set(err, VTB_ERANGE, "the socket path of `%s` is longer than %zu "
                                 "bytes", url, sizeof(out->path) - 1);
        out->unix_socket = true;
        snprintf(out->path, sizeof(out->path), "%s", path);
        return 0;
    }
    const char *sep = strstr(url, "://");
    if (sep != NULL) {
        for (int kind = 0; kind < VTB_BACKEND_KIND_COUNT; kind++) {
            const struct vtb_backend_ops *ops = server_backends[kind];
            if (ops != NULL && strlen(ops->name) == (size_t)(sep - url) &&
                strncmp(url, ops->name, (size_t)(sep - url)) == 0) {
                out->kind = (enum vtb_backend_kind)kind;
                return parse_host_port(url, sep + 3, out, err);
            }
        }
    }
    return vtb_error_set(err, VTB_ESYNTAX, "expected redis://HOST:PORT or unix:PATH, got `%s`",
                         url);
}

size_t vtb_backend_format_key(char *buf, size_t size, const char *prefix, uint64_t index)
{
    int n = snprintf(buf, size, "%s%" PRIu64, prefix != NULL ? prefix : "", index);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

size_t vtb_backend_format_value(char *buf, size_t size, uint64_t index)
{
    int n = snprintf(buf, size, "%" PRIu64, vtb_backend_value(index));
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
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


const char *vtb_continuation_mode_name(enum vtb_continuation_mode mode)
{
    return mode == VTB_CONTINUE_INLINE ? "inline" : "posted";
}

