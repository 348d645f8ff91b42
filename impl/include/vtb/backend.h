/*
 * The miss path's backend, as a user configures it: an asynchronous fetch,
 * simulated (a timer of configurable latency) or sent to a real server
 * (Redis, through hiredis's asynchronous client on the completing loop).
 *
 * A fetch completes either on the requesting worker's own loop or on a
 * separate completion thread, which makes completion cross-thread; there
 * the continuation either runs inline on the completion thread or is
 * posted back to the worker. With a real server, the connection belongs to
 * the completing loop: one per worker, or the completion thread's one, and
 * the requests of a worker's operations in flight are pipelined on it. The
 * value a fetch returns is a fixed function of the key (vtb_backend_value),
 * so a user can check every value end to end; a real server holds those
 * values as text under keys of the form PREFIX<index> (the wire format
 * below), and every reply is checked against the expected value. The fetch
 * itself is embedded in the pending operation and is the library's own.
 * A process that uses a server backend must ignore SIGPIPE (vtbench does):
 * a request written to a server that went away must fail with EPIPE, not
 * end the process. See docs/backends.md.
 */
#ifndef VTB_BACKEND_H
#define VTB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtb/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vtb_latency_kind {
    VTB_LATENCY_FIXED = 0,   /* always a_ns (0 = the next loop turn) */
    VTB_LATENCY_UNIFORM = 1, /* uniform in [a_ns, b_ns] */
    VTB_LATENCY_EXP = 2,     /* exponential with mean a_ns */
    /* Fixed a_ns, taken from a measurement of the run's server (vtbench's
     * `miss_latency = measured`): the harness sets a_ns before use. */
    VTB_LATENCY_MEASURED = 3,
};

/* A latency distribution, in nanoseconds. */
struct vtb_latency {
    enum vtb_latency_kind kind;
    uint64_t a_ns;
    uint64_t b_ns;
};

enum vtb_completion_mode {
    VTB_COMPLETE_ON_LOOP = 0,   /* a timer on the requesting worker's loop */
    VTB_COMPLETE_ON_THREAD = 1, /* a separate completion thread */
    VTB_COMPLETION_MODE_COUNT   /* names: vtb_completion_mode_name */
};

enum vtb_continuation_mode {
    VTB_CONTINUE_INLINE = 0, /* run in the completing call */
    VTB_CONTINUE_POSTED = 1, /* queued to the registering thread's loop */
    VTB_CONTINUATION_MODE_COUNT /* names: vtb_continuation_mode_name */
};

/* What answers a miss. The simulated backend is a timer on the completing
 * loop; the others are servers reached over a socket. */
enum vtb_backend_kind {
    VTB_BACKEND_SIM = 0,   /* a timer of `latency` */
    VTB_BACKEND_REDIS = 1, /* a Redis server: GET PREFIX<index> */
    VTB_BACKEND_KIND_COUNT /* names: vtb_backend_kind_name */
};

/* Default per-request timeout of a server, in ns. */
#define VTB_BACKEND_TIMEOUT_DEFAULT_NS UINT64_C(1000000000)

struct vtb_backend_config {
    struct vtb_latency latency; /* the simulated backend's; servers ignore it */
    enum vtb_completion_mode completion;
    enum vtb_continuation_mode continuation;
    enum vtb_backend_kind kind;
    /* Servers only (kind != VTB_BACKEND_SIM); copied by vtb_service_new. */
    const char *url;        /* where: "redis://HOST:PORT" or "unix:PATH" */
    const char *key_prefix; /* the wire keys' prefix (NULL: none) */
    uint64_t key_space;     /* indices the server holds: 0 .. key_space - 1, >= 1 */
    uint64_t timeout_ns;    /* per request; 0 = VTB_BACKEND_TIMEOUT_DEFAULT_NS */
};

/* Mean of the distribution in ns (for reports). */
double vtb_latency_mean_ns(const struct vtb_latency *spec);

/* The value the backend returns for key: a fixed bijective mix of the key. */
static inline uint64_t vtb_backend_value(uint64_t key)
{
    uint64_t z = key + UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* "loop"/"thread" and "inline"/"posted", for reports. */
const char *vtb_completion_mode_name(enum vtb_completion_mode mode);
const char *vtb_continuation_mode_name(enum vtb_continuation_mode mode);

struct vtb_service;

/*
 * The health of a service's server backend: 0 while no request failed, or
 * VTB_EBACKEND with the first failure's message in err (may be NULL), which
 * names the backend and says what happened: a refused or lost connection, a
 * request that timed out, an error reply, a missing or wrong value. Such a
 * request's operation completes with VTB_EBACKEND. Always 0 for the
 * simulated backend. Any thread.
 */
int vtb_service_backend_status(struct vtb_service *svc, struct vtb_error *err);

/* "sim", "redis"; "unknown" for any other value. */
const char *vtb_backend_kind_name(enum vtb_backend_kind kind);

/* Longest key prefix and URL a server backend accepts, in bytes. */
#define VTB_BACKEND_PREFIX_MAX 64
#define VTB_BACKEND_URL_MAX 256

/* Where a server listens, from its URL. */
struct vtb_backend_address {
    enum vtb_backend_kind kind; /* the URL's scheme; unix: leaves it 0 (any) */
    bool unix_socket;
    char host[VTB_BACKEND_URL_MAX]; /* TCP: a name or an address */
    int port;                       /* TCP: 1 .. 65535 */
    char path[108];                 /* unix socket: the socket's path */
};

/*
 * Parses a server URL: "redis://HOST:PORT" (HOST a name or an IPv4
 * address, PORT 1 .. 65535) or "unix:PATH" (PATH absolute, at most 107
 * bytes). Returns 0 and fills *out, or VTB_ESYNTAX / VTB_ERANGE with a
 * message that says what is wrong (err may be NULL).
 */
int vtb_backend_url_parse(const char *url, struct vtb_backend_address *out,
                          struct vtb_error *err);

/*
 * The wire format of the servers. A key's index is the key itself when it
 * is below key_space, else key % key_space: the server cannot hold the
 * never-cached keys of exact-mode misses (2^62 and up), so those read an
 * object of the key space; the reply is checked against that object's
 * value, and the operation gets its own key's value (docs/backends.md).
 */
static inline uint64_t vtb_backend_wire_index(uint64_t key, uint64_t key_space)
{
    return key < key_space ? key : key % key_space;
}

/* Writes the wire key of index, "PREFIX<decimal index>", into buf (size
 * bytes, VTB_BACKEND_PREFIX_MAX + 21 always suffice) and returns its length,
 * or 0 when it does not fit. */
size_t vtb_backend_format_key(char *buf, size_t size, const char *prefix, uint64_t index);

/* Writes the wire value of index, the decimal text of
 * vtb_backend_value(index), into buf (21 bytes suffice) and returns its
 * length, or 0 when it does not fit. */
size_t vtb_backend_format_value(char *buf, size_t size, uint64_t index);

#ifdef __cplusplus
}
#endif

#endif /* VTB_BACKEND_H */
