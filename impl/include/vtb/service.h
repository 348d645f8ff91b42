/*
 * The cache-aside service that all implementations share, and the
 * per-thread worker they run on.
 *
 * A service owns the cache, the source pool and, in the cross-thread
 * completion mode, the completion thread. A worker (one per thread, created
 * on the thread that uses it) owns that thread's event loop, its cache and
 * pool counters, its pool cache and its random stream for latency draws.
 * The implementations differ only in how they hand back the result; the
 * lookup, the miss path (fetch, insert into the cache, complete) and every
 * counter are this module's, so no implementation can hide extra work or
 * skip any. Both handles are opaque: their layout, with its atomics and
 * threads, is the library's.
 */
#ifndef VTB_SERVICE_H
#define VTB_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtb/backend.h"
#include "vtb/cache.h"
#include "vtb/error.h"
#include "vtb/loop.h"
#include "vtb/pool.h"
#include "vtb/result.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vtb_service_config {
    struct vtb_cache_config cache;
    struct vtb_backend_config backend;
    uint32_t pool_max_sources; /* bound of the source pool, >= 1 */
    uint32_t timer_capacity;   /* initial timer heap size per loop */
    uint64_t seed;             /* for the workers' latency streams */
    /* Debug switch: every lookup takes the asynchronous path, so code that
     * only works when results are ready synchronously is exposed. */
    bool force_async;
};

/* Fills cfg with defaults: 1024 entries, no TTL, seqlock, latency 0 on the
 * worker's loop with posted continuations, 65536 sources, seed 1. */
void vtb_service_config_default(struct vtb_service_config *cfg);

/* Opaque handles. */
struct vtb_service;
struct vtb_worker;

/* What a worker counted on its own thread since it was created. */
struct vtb_worker_counters {
    struct vtb_cache_counters cache; /* its lookups, and the inserts of the
                                        fetches that completed on it */
    struct vtb_pool_counters pool;   /* rents and returns on its thread */
    struct vtb_loop_counters loop;   /* its loop's passes, timers, posts */
    uint64_t fetches_started;        /* misses that started a backend fetch */
    uint64_t fetch_failures;         /* fetches whose start failed (ENOMEM) */
};

/*
 * Creates a service (cache, pool and, for VTB_COMPLETE_ON_THREAD, the
 * completion thread). Returns 0 and sets *out, VTB_EINVAL (message in err,
 * which may be NULL) or VTB_ENOMEM.
 */
int vtb_service_new(const struct vtb_service_config *config, struct vtb_service **out,
                    struct vtb_error *err);

/* Stops the completion thread and frees everything. Every worker must have
 * been freed and every operation consumed. NULL is allowed. */
void vtb_service_free(struct vtb_service *svc);

/*
 * Creates a worker ON THE THREAD THAT WILL USE IT: attaches its loop as the
 * thread's current loop and its pool cache to the service's pool. index
 * seeds the worker's random stream (give each thread its own). One worker
 * per thread at a time. Returns 0 and sets *out, or VTB_ENOMEM.
 */
int vtb_worker_new(struct vtb_service *svc, unsigned index, struct vtb_worker **out);

/* Detaches and frees the worker, on its own thread, after every operation
 * started on it was consumed. NULL is allowed. */
void vtb_worker_free(struct vtb_worker *worker);

/* The worker attached to the calling thread, or NULL. */
struct vtb_worker *vtb_worker_current(void);

/* The worker's event loop: run it (vtb_loop_run) on the worker's thread
 * until the continuations it waits for have run. */
struct vtb_loop *vtb_worker_loop(struct vtb_worker *worker);

/* The service the worker belongs to. */
struct vtb_service *vtb_worker_service(const struct vtb_worker *worker);

/* The index the worker was created with. */
unsigned vtb_worker_index(const struct vtb_worker *worker);

/*
 * The synchronous part of every implementation: a cache lookup counted in
 * the worker's counters. True and *value on a hit; false on a miss (and
 * always under force_async). On the worker's thread. The built-in
 * implementations use an inline copy of this on their hit path; this one
 * costs a call more.
 */
bool vtb_worker_lookup(struct vtb_worker *worker, uint64_t key, uint64_t *value);

/* Copies the worker's counters into *out. On the worker's thread. */
void vtb_worker_counters_get(const struct vtb_worker *worker, struct vtb_worker_counters *out);

/*
 * The miss path, with a heap task (alloc-task and value-task): allocates a
 * pending task, starts the backend fetch, and returns the task. When the
 * fetch completes, the value is inserted into the cache and then the task
 * completes. On failure returns an error result (VTB_ENOMEM). On the
 * worker's thread.
 */
struct vtb_vresult vtb_service_start_task_miss(struct vtb_worker *worker, uint64_t key);

/*
 * The miss path with a pooled source: rents a source, starts the fetch, and
 * returns source and token. On failure returns an error result
 * (VTB_EEXHAUSTED, VTB_ENOMEM). On the worker's thread.
 */
struct vtb_vresult vtb_service_start_source_miss(struct vtb_worker *worker, uint64_t key);

/*
 * Abandoning a measurement: every pending fetch completes now instead of
 * after its latency, so that operations waiting on a long backend latency
 * (a minute, say) finish at once and the worker can be stopped cleanly.
 * Results stay correct (each fetch returns its key's value); only the
 * latency is cut short, so nothing measured after this call is to be
 * reported. vtb_service_expedite covers the completion thread's pending
 * fetches and every fetch posted to it later (any thread, once);
 * vtb_worker_expedite covers the fetches on the worker's own loop (on the
 * worker's thread).
 */
void vtb_service_expedite(struct vtb_service *svc);
void vtb_worker_expedite(struct vtb_worker *worker);

/*
 * Runs fn(arg) on the completion thread and waits for it (e.g. to read that
 * thread's allocation counters). Returns 0, or VTB_ENOTFOUND when the service
 * has no completion thread.
 */
int vtb_service_call_on_completion_thread(struct vtb_service *svc, void (*fn)(void *arg),
                                          void *arg);

/* Sizes of the objects each implementation hands back, for reports. */
struct vtb_object_sizes {
    size_t vresult;      /* struct vtb_vresult */
    size_t task;         /* a completed (hit) heap task */
    size_t task_pending; /* a miss's heap task, with its fetch */
    size_t source;       /* a pooled source */
    size_t core;         /* the completion core inside both */
    size_t fetch;        /* the backend fetch inside pending operations */
};

/* Fills *out with the sizes of this build. */
void vtb_object_sizes_get(struct vtb_object_sizes *out);

#ifdef __cplusplus
}
#endif

#endif /* VTB_SERVICE_H */
