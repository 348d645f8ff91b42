/*
 * The counters of the service's pool of completion sources, the pool behind
 * the pooled strategy's misses.
 *
 * The pool itself is internal to the library: a user sees it only through
 * these counters, which every worker keeps for the rents and returns on its
 * own thread (vtb_worker_counters_get) and which a benchmark sums across
 * threads. A rent that had to allocate a new source
 * is a "miss"; once the pool is warm there are none.
 */
#ifndef VTB_POOL_H
#define VTB_POOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Counters; per-thread ones live in the workers, the pool sums on request. */
struct vtb_pool_counters {
    uint64_t rents;
    uint64_t returns;
    uint64_t misses;         /* rents that had to malloc a new source */
    uint64_t shared_takes;   /* batches taken from the shared stack */
    uint64_t shared_spills;  /* batches spilled to the shared stack */
    uint64_t high_water;     /* sources in existence at the peak (created) */
};

/* Adds src's counters to dst (high_water takes the max). */
void vtb_pool_counters_add(struct vtb_pool_counters *dst, const struct vtb_pool_counters *src);

#ifdef __cplusplus
}
#endif

#endif /* VTB_POOL_H */
