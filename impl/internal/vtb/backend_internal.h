/*
 * The backend's in-flight fetch, latency draws and the server backends'
 * interface (private; the public face is vtb/backend.h).
 *
 * A fetch is an intrusive request embedded in the pending operation (a
 * pending task or a pooled source), so starting one allocates nothing. The
 * fetch path is one for every strategy and lives in service.c, next to the
 * worker it runs on: a strategy's miss starts a fetch there, and the fetch
 * completes on the requesting worker's own loop or on the completion
 * thread's, where the continuation either runs inline or is posted back to
 * the worker, as the operation's RUN_ASYNC flag says. What answers the
 * fetch is below that path: the simulated backend (a timer, in service.c)
 * or a server backend, one const struct vtb_backend_ops per protocol
 * (backend_redis.c), found by kind in backend.c. A server backend keeps one
 * connection per completing loop and completes each fetch through
 * vtb__fetch_complete, so every strategy's miss takes the same path to the
 * same connection.
 */
#ifndef VTB_BACKEND_INTERNAL_H
#define VTB_BACKEND_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "vtb/backend.h"
#include "vtb/error.h"
#include "vtb/loop_internal.h"
#include "vtb/rng.h"

/*
 * An in-flight fetch, embedded in the operation that waits for it. Its
 * size is part of what a pending task costs (it must stay 56 bytes, so that
 * a pending task stays in jemalloc's 128-byte class). With the simulated
 * backend the timer fires when the latency is over. With a server the
 * timer is not armed: the connection keeps its fetches in flight in a FIFO
 * through timer.work.next and the deadline of each in timer.due_ns.
 */
struct vtb_fetch {
    struct vtb_timer timer;
    uint64_t key;
    vtb_work_fn fire;       /* the simulated backend's completion, on the completing thread */
};

/* Draws one latency in ns from spec with rng. */
uint64_t vtb_latency_draw(const struct vtb_latency *spec, struct vtb_rng *rng);

/* What a connection counted, on its loop's thread. */
struct vtb_backend_counters {
    uint64_t requests;      /* requests sent (or queued to send) */
    uint64_t replies;       /* replies received, right or wrong */
    uint64_t failed;        /* requests completed with VTB_EBACKEND */
    uint64_t writes;        /* passes that wrote queued requests to the socket */
    uint64_t max_in_flight; /* most requests awaiting a reply at once */
};

/*
 * A server backend: one const table per protocol. A connection is a block
 * of conn_size bytes owned by one loop (a worker's, or the completion
 * thread's), used only on that loop's thread.
 */
struct vtb_backend_ops {
    const char *name; /* vtb_backend_kind_name's word, and the URL scheme */
    size_t conn_size;
    /*
     * Opens conn on loop (the calling thread's) to config's server, without
     * blocking: requests may start at once and wait for the connection.
     * svc receives the failures (vtb__service_backend_failed). Returns 0, or
     * VTB_EBACKEND / VTB_ENOMEM with a message naming the server; conn then
     * needs no close.
     */
    int (*open)(void *conn, struct vtb_loop *loop, const struct vtb_backend_config *config,
                struct vtb_service *svc, struct vtb_error *err);
    /*
     * Sends the request for fetch->key. It completes later, never inside
     * this call, through vtb__fetch_complete on the loop's thread: with the
     * key's value, or with VTB_EBACKEND (a failure the connection reported
     * to the service). On a failed connection it fails at once, on the
     * loop's next pass.
     */
    void (*start)(void *conn, struct vtb_fetch *fetch);
    /* Fails every request in flight (VTB_EBACKEND) and closes the
     * connection; on the loop's thread, as the loop is being finished (work
     * the connection queued on it is dropped with it, never run). */
    void (*close)(void *conn);
    /* Copies the connection's counters; on the loop's thread. */
    void (*counters)(const void *conn, struct vtb_backend_counters *out);
};

/* The server backend of kind, or NULL for the simulated one (and for an
 * unknown kind). */
const struct vtb_backend_ops *vtb__backend_ops(enum vtb_backend_kind kind);

/* The server backends (one file each). */
extern const struct vtb_backend_ops vtb__backend_redis;

/*
 * Completes a fetch of a server backend on the completing thread: on
 * success the value goes into the cache and then completes the operation,
 * as the simulated backend's does; on error (VTB_EBACKEND) the operation
 * completes with the error and the cache is left alone. Defined in
 * service.c, with the rest of the fetch path.
 */
void vtb__fetch_complete(struct vtb_fetch *fetch, uint64_t value, int error);

/*
 * Records a failure of svc's server backend: the first message is kept for
 * vtb_service_backend_status, later ones only counted. Any thread.
 */
void vtb__service_backend_failed(struct vtb_service *svc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* VTB_BACKEND_INTERNAL_H */
