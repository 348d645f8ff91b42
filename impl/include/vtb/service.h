/*
 * The cache-aside service that all three strategies share, and the
 * per-thread worker context they run on.
 *
 * A service owns the cache, the source pool and, in the cross-thread
 * completion mode, the completion thread. A worker (caller-owned, one per
 * thread) owns that thread's event loop, its cache counters, its pool cache
 * and its random stream for latency draws. The strategies differ only in how
 * they hand back the result; the lookup, the miss path (fetch, insert into
 * the cache, complete) and every counter are this module's, so no strategy
 * can hide extra work or skip any.
 */
#ifndef VTB_SERVICE_H
#define VTB_SERVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vtb/backend.h"
#include "vtb/cache.h"
#include "vtb/error.h"
#include "vtb/loop.h"
#include "vtb/pool.h"
#include "vtb/result.h"
#include "vtb/rng.h"

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

struct vtb_service;

struct vtb_worker {
    struct vtb_service *svc;
    struct vtb_loop loop;
    struct vtb_cache_counters cache_counters;
    struct vtb_pool_local pool_local;
    struct vtb_rng rng;
    uint64_t fetches_started;
    uint64_t fetch_failures; /* fetches whose start failed (ENOMEM) */
    unsigned index;
    uint16_t task_flags; /* core flags of tasks created on this worker */
};

struct vtb_service {
    struct vtb_service_config config;
    struct vtb_cache *cache;
    struct vtb_pool pool;
    bool has_completion_thread;
    pthread_t completion_thread;
    struct vtb_worker *completion_worker;
    _Atomic bool stopping;
    _Atomic bool expediting; /* vtb_service_expedite was called */
    struct vtb_work expedite_work;
    pthread_mutex_t call_lock; /* serialises calls onto the completion thread */
    pthread_cond_t call_done;
};

/*
 * Creates a service (cache, pool and, for VTB_COMPLETE_ON_THREAD, the
 * completion thread). Returns 0, VTB_EINVAL (message in err) or VTB_ENOMEM.
 */
int vtb_service_new(const struct vtb_service_config *config, struct vtb_service **out,
                    struct vtb_error *err);

/* Stops the completion thread and frees everything. Every worker must have
 * been finished and every operation consumed. NULL is allowed. */
void vtb_service_free(struct vtb_service *svc);

/*
 * Initialises a worker ON THE THREAD THAT WILL USE IT: attaches its loop as
 * the thread's current loop and its pool cache to the service's pool.
 * index seeds the worker's random stream. Returns 0 or VTB_ENOMEM.
 */
int vtb_worker_init(struct vtb_service *svc, struct vtb_worker *worker, unsigned index);

/* Detaches and releases the worker; on its own thread. */
void vtb_worker_fini(struct vtb_worker *worker);

/* The worker attached to the calling thread, or NULL. */
struct vtb_worker *vtb_worker_current(void);

/*
 * The synchronous part of every strategy: a cache lookup with the worker's
 * counters. True and *value on a hit. Inline: it is the hit path.
 */
static inline bool vtb_service_lookup(struct vtb_worker *worker, uint64_t key, uint64_t *value)
{
    if (__builtin_expect(worker->svc->config.force_async, 0))
        return false;
    return vtb_cache_get(worker->svc->cache, key, value, &worker->cache_counters);
}

/*
 * The miss path, with a heap task (always-alloc and value-task): allocates a
 * pending task, starts the backend fetch, and returns the task. When the
 * fetch completes, the value is inserted into the cache and then the task
 * completes. On failure returns an error result (VTB_ENOMEM).
 */
struct vtb_vresult vtb_service_start_task_miss(struct vtb_worker *worker, uint64_t key);

/*
 * The miss path with a pooled source: rents a source, starts the fetch, and
 * returns source and token. On failure returns an error result
 * (VTB_EEXHAUSTED, VTB_ENOMEM).
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

/* Sizes of the objects each strategy hands back, for reports. */
struct vtb_object_sizes {
    size_t vresult;      /* struct vtb_vresult */
    size_t task;         /* struct vtb_task: a completed (hit) task */
    size_t task_pending; /* struct vtb_task_pending: a miss's task */
    size_t source;       /* struct vtb_source */
    size_t core;         /* struct vtb_core, inside both */
    size_t fetch;        /* struct vtb_fetch, inside pending ops */
};

void vtb_object_sizes(struct vtb_object_sizes *out);

#endif /* VTB_SERVICE_H */
