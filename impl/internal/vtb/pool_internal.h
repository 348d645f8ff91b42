/*
 * The pool of completion sources behind the pooled strategy (private; its
 * counters, the public face, are in vtb/pool.h).
 *
 * Renting looks in the calling thread's local cache first (no atomics), then
 * takes a batch from a shared overflow stack (one mutex acquisition per
 * batch, on its own cache line), and only then allocates with malloc, which
 * is what a "miss" counts. Returns go to the consuming thread's local cache
 * and spill half of it to the shared stack when full. The pool is bounded
 * (max_sources) and never frees a source while it lives, so memory stays
 * type-stable and a stale handle can still be checked.
 */
#ifndef VTB_POOL_INTERNAL_H
#define VTB_POOL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vtb/loop_internal.h"
#include "vtb/pool.h"
#include "vtb/source.h"

#define VTB_POOL_LOCAL_CAPACITY 64

struct vtb_pool_config {
    uint32_t max_sources; /* bound on sources ever created, >= 1 */
    bool run_async;       /* RUN_ASYNC flag of every source */
};

struct vtb_pool_local {
    struct vtb_pool *pool;
    uint32_t count;
    struct vtb_source *items[VTB_POOL_LOCAL_CAPACITY];
    struct vtb_pool_counters counters; /* rents, returns, misses, takes, spills */
};

struct vtb_pool {
    struct vtb_pool_config config;
    char pad0[VTB_CACHE_LINE];
    pthread_mutex_t lock;       /* guards shared, shared_count, all */
    struct vtb_source **shared; /* capacity max_sources */
    uint32_t shared_count;
    struct vtb_source *all;     /* every source created, for teardown */
    struct vtb_pool_counters orphan_counters; /* returns from unattached threads */
    _Atomic uint32_t created;
    char pad1[VTB_CACHE_LINE];
};

/* Initialises a caller-owned pool. Returns 0, VTB_EINVAL or VTB_ENOMEM. */
int vtb_pool_init(struct vtb_pool *pool, const struct vtb_pool_config *config);

/* Frees every source; no source may be in use and no local attached. */
void vtb_pool_fini(struct vtb_pool *pool);

/*
 * Attaches a caller-owned local cache to the calling thread (one pool per
 * thread at a time). Rents and returns on this thread then use it.
 */
void vtb_pool_local_attach(struct vtb_pool *pool, struct vtb_pool_local *local);

/* Returns the local's sources to the shared stack and detaches it. */
void vtb_pool_local_detach(struct vtb_pool_local *local);

/*
 * Rents a source, reset and ready for one operation, with its current token
 * in *token. Returns 0 or VTB_EEXHAUSTED (bound reached) / VTB_ENOMEM.
 */
int vtb_pool_rent(struct vtb_pool *pool, struct vtb_source **out, vtb_token *token);

/* Internal: takes back a consumed source (called by get_result). */
void vtb__pool_return(struct vtb_pool *pool, struct vtb_source *source);

/* Sources in existence (created). */
uint32_t vtb_pool_created(const struct vtb_pool *pool);

/* Sources currently in the shared stack (not in any local). */
uint32_t vtb_pool_shared_count(struct vtb_pool *pool);

/* The pool-wide part of the counters (orphan returns, high water). */
void vtb_pool_counters_shared(struct vtb_pool *pool, struct vtb_pool_counters *out);

#endif /* VTB_POOL_INTERNAL_H */
