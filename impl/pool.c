/*
 * The source pool (see vtb/pool_internal.h).
 *
 * The calling thread's local cache is found through one thread-local pointer
 * set by vtb_pool_local_attach, so neither renting nor the return inside
 * get_result needs a context argument. Sources move between threads only
 * through the mutex-guarded shared stack, whose lock also publishes the reset
 * source to its next renter.
 */
#include "vtb/pool_internal.h"

#include <stdlib.h>
#include <string.h>

#include "vtb/alloc_count_internal.h"
#include "vtb/error.h"

static __thread struct vtb_pool_local *attached_local
    __attribute__((tls_model("initial-exec")));

int vtb_pool_init(struct vtb_pool *pool, const struct vtb_pool_config *config)
{
    if (pool == NULL || config == NULL || config->max_sources == 0)
        return VTB_EINVAL;
    memset(pool, 0, sizeof(*pool));
    pool->config = *config;
    pool->shared = malloc(sizeof(*pool->shared) * config->max_sources);
    if (pool->shared == NULL)
        return VTB_ENOMEM;
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool->shared);
        return VTB_ENOMEM;
    }
    atomic_init(&pool->created, 0);
    return 0;
}

void vtb_pool_fini(struct vtb_pool *pool)
{
    if (pool == NULL || pool->shared == NULL)
        return;
    struct vtb_source *source = pool->all;
    while (source != NULL) {
        struct vtb_source *next = source->all_next;
        vtb__counted_free(source, sizeof(*source));
        source = next;
    }
    pool->all = NULL;
    pthread_mutex_destroy(&pool->lock);
    free(pool->shared);
    pool->shared = NULL;
}

void vtb_pool_local_attach(struct vtb_pool *pool, struct vtb_pool_local *local)
{
    local->pool = pool;
    local->count = 0;
    memset(&local->counters, 0, sizeof(local->counters));
    attached_local = local;
}

/* Moves n sources from the local's top to the shared stack. */
static void spill(struct vtb_pool *pool, struct vtb_pool_local *local, uint32_t n)
{
    pthread_mutex_lock(&pool->lock);
    for (uint32_t i = 0; i < n; i++)
        pool->shared[pool->shared_count++] = local->items[--local->count];
    pthread_mutex_unlock(&pool->lock);
    local->counters.shared_spills++;
}

void vtb_pool_local_detach(struct vtb_pool_local *local)
{
    if (local->pool != NULL && local->count > 0)
        spill(local->pool, local, local->count);
    if (attached_local == local)
        attached_local = NULL;
    local->pool = NULL;
}

static struct vtb_pool_local *local_for(struct vtb_pool *pool)
{
    struct vtb_pool_local *local = attached_local;
    return (local != NULL && local->pool == pool) ? local : NULL;
}

/* Creates a new source if the bound allows; counts the miss in counters. */
static int create_source(struct vtb_pool *pool, struct vtb_source **out)
{
    uint32_t index = atomic_fetch_add_explicit(&pool->created, 1, memory_order_relaxed);
    if (index >= pool->config.max_sources) {
        atomic_fetch_sub_explicit(&pool->created, 1, memory_order_relaxed);
        return VTB_EEXHAUSTED;
    }
    struct vtb_source *source = vtb__counted_malloc(sizeof(*source));
    if (source == NULL) {
        atomic_fetch_sub_explicit(&pool->created, 1, memory_order_relaxed);
        return VTB_ENOMEM;
    }
    vtb__source_init(source, pool, pool->config.run_async ? VTB_CORE_RUN_ASYNC : 0);
    pthread_mutex_lock(&pool->lock);
    source->all_next = pool->all;
    pool->all = source;
    pthread_mutex_unlock(&pool->lock);
    *out = source;
    return 0;
}

int vtb_pool_rent(struct vtb_pool *pool, struct vtb_source **out, vtb_token *token)
{
    struct vtb_pool_local *local = local_for(pool);
    struct vtb_source *source = NULL;
    int rc;
    if (local != NULL) {
        if (local->count == 0) {
            /* Take half a cache's worth at once so the lock is paid per
             * batch, not per operation. */
            pthread_mutex_lock(&pool->lock);
            uint32_t take = pool->shared_count < VTB_POOL_LOCAL_CAPACITY / 2
                                ? pool->shared_count
                                : VTB_POOL_LOCAL_CAPACITY / 2;
            for (uint32_t i = 0; i < take; i++)
                local->items[local->count++] = pool->shared[--pool->shared_count];
            pthread_mutex_unlock(&pool->lock);
            if (take > 0)
                local->counters.shared_takes++;
        }
        if (local->count > 0) {
            source = local->items[--local->count];
        } else {
            rc = create_source(pool, &source);
            if (rc != 0)
                return rc;
            local->counters.misses++;
        }
        local->counters.rents++;
    } else {
        pthread_mutex_lock(&pool->lock);
        if (pool->shared_count > 0) {
            source = pool->shared[--pool->shared_count];
            pool->orphan_counters.rents++;
        }
        pthread_mutex_unlock(&pool->lock);
        if (source == NULL) {
            /* As on the local path, a refused rent is not counted: rents
             * must balance returns. */
            rc = create_source(pool, &source);
            if (rc != 0)
                return rc;
            pthread_mutex_lock(&pool->lock);
            pool->orphan_counters.rents++;
            pool->orphan_counters.misses++;
            pthread_mutex_unlock(&pool->lock);
        }
    }
    *out = source;
    *token = vtb_source_token(source);
    return 0;
}

void vtb__pool_return(struct vtb_pool *pool, struct vtb_source *source)
{
    struct vtb_pool_local *local = local_for(pool);
    if (local != NULL) {
        if (local->count == VTB_POOL_LOCAL_CAPACITY)
            spill(pool, local, VTB_POOL_LOCAL_CAPACITY / 2);
        local->items[local->count++] = source;
        local->counters.returns++;
        return;
    }
    pthread_mutex_lock(&pool->lock);
    pool->shared[pool->shared_count++] = source;
    pool->orphan_counters.returns++;
    pthread_mutex_unlock(&pool->lock);
}

uint32_t vtb_pool_created(const struct vtb_pool *pool)
{
    return atomic_load_explicit(&pool->created, memory_order_relaxed);
}

uint32_t vtb_pool_shared_count(struct vtb_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    uint32_t count = pool->shared_count;
    pthread_mutex_unlock(&pool->lock);
    return count;
}

void vtb_pool_counters_add(struct vtb_pool_counters *dst, const struct vtb_pool_counters *src)
{
    dst->rents += src->rents;
    dst->returns += src->returns;
    dst->misses += src->misses;
    dst->shared_takes += src->shared_takes;
    dst->shared_spills += src->shared_spills;
    if (src->high_water > dst->high_water)
        dst->high_water = src->high_water;
}

void vtb_pool_counters_shared(struct vtb_pool *pool, struct vtb_pool_counters *out)
{
    pthread_mutex_lock(&pool->lock);
    *out = pool->orphan_counters;
    pthread_mutex_unlock(&pool->lock);
    out->high_water = vtb_pool_created(pool);
}
