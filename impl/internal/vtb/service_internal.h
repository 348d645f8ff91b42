/*
 * The service's and worker's layout, and the inline hit path (private; the
 * public face is vtb/service.h).
 *
 * The built-in implementations and the harness see the worker's fields:
 * the harness embeds workers in its own thread records (vtb_worker_init,
 * caller-owned), reads their counters directly, and its driver calls
 * vtb_service_lookup on its timed path to measure the floor under every
 * implementation. The lookup is inline for that reason: it is the hit path,
 * and the built-ins and the floor must compile to the same code. Users get
 * the out-of-line vtb_worker_lookup instead.
 */
#ifndef VTB_SERVICE_INTERNAL_H
#define VTB_SERVICE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vtb/backend_internal.h"
#include "vtb/cache_internal.h"
#include "vtb/loop_internal.h"
#include "vtb/pool_internal.h"
#include "vtb/rng.h"
#include "vtb/service.h"

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
    /* A server backend's connection, on the loop that completes this
     * worker's fetches (NULL for the simulated backend, and for the
     * requesting workers when a completion thread has it). */
    void *backend_conn;
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
    /* A server backend (NULL: the simulated one), the strings its config
     * points to (the service's copies) and its first failure. */
    const struct vtb_backend_ops *server;
    char *backend_url;
    char *backend_prefix;
    pthread_mutex_t backend_lock;
    struct vtb_error backend_failure; /* code 0 until a request failed */
    uint64_t backend_failures;        /* failures reported, under backend_lock */
};

/*
 * Initialises a caller-owned worker ON THE THREAD THAT WILL USE IT:
 * attaches its loop as the thread's current loop and its pool cache to the
 * service's pool. index seeds the worker's random stream. Returns 0 or
 * VTB_ENOMEM. (vtb_worker_new is the same for a library-owned worker.)
 */
int vtb_worker_init(struct vtb_service *svc, struct vtb_worker *worker, unsigned index);

/* Detaches and releases the worker; on its own thread. */
void vtb_worker_fini(struct vtb_worker *worker);

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

#endif /* VTB_SERVICE_INTERNAL_H */
