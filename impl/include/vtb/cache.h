/*
 * The service's cache, as a user configures and observes it: a bounded,
 * thread-safe map from a 64-bit key to a 64-bit value, with lazy TTL expiry
 * and CLOCK eviction.
 *
 * Three locking designs are selectable at run time, because the lock can
 * dominate the very cost the three completion strategies are compared on:
 *   - VTB_CACHE_LOCK_GLOBAL: one mutex around the whole table (the design of
 *     the .NET articles). Every hit writes the mutex's cache line twice.
 *   - VTB_CACHE_LOCK_SHARDED: the table is split into stripes, each with its
 *     own cache-line padded mutex. Fewer collisions, but every hit still
 *     drags its stripe's line between cores.
 *   - VTB_CACHE_LOCK_SEQLOCK: stripes guarded by a sequence counter; writers
 *     take the stripe's mutex and bump the counter, readers retry when it
 *     moved and write no shared memory at all on a hit (the CLOCK reference
 *     bit is only written when it is clear, i.e. once per entry per sweep).
 * All three designs share the same table code; only the guard differs.
 *
 * Statistics are kept in per-thread counters (a worker's, read with
 * vtb_worker_counters_get), so that counting never adds a shared write to
 * the hit path. The cache itself belongs to the service and its operations
 * are the library's: a user reaches it through a worker (vtb_worker_lookup)
 * or an implementation's get.
 */
#ifndef VTB_CACHE_H
#define VTB_CACHE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vtb_cache_lock {
    VTB_CACHE_LOCK_GLOBAL = 0,
    VTB_CACHE_LOCK_SHARDED = 1,
    VTB_CACHE_LOCK_SEQLOCK = 2,
    VTB_CACHE_LOCK_COUNT /* number of designs; names: vtb_cache_lock_name */
};

struct vtb_cache_config {
    size_t capacity;          /* maximum live entries, >= 1 */
    uint64_t ttl_ns;          /* entry lifetime; 0 = entries never expire and
                                 the clock is never read. Measured with
                                 CLOCK_MONOTONIC_COARSE, so an entry lives
                                 ttl_ns give or take one kernel tick (~4 ms) */
    enum vtb_cache_lock lock; /* locking design */
    unsigned stripes;         /* sharded/seqlock stripes (power of two);
                                 0 = default (64); forced to 1 for GLOBAL;
                                 lowered to the largest power of two <=
                                 capacity, so that the stripes' capacities
                                 (capacity / stripes, the remainder spread
                                 one each) sum to exactly capacity */
    /* May be NULL. When it becomes non-zero (a signal handler's flag),
     * vtb_cache_new abandons the cache it is creating and returns
     * VTB_EINTR: creating a cache of tens of millions of entries faults in
     * gigabytes and takes seconds, which a user's ^C should not wait out. */
    volatile sig_atomic_t *stop;
};

/* Per-thread counters; the caller owns them and sums them across threads. */
struct vtb_cache_counters {
    uint64_t hits;
    uint64_t misses;
    uint64_t expirations; /* lookups that found an expired entry */
    uint64_t evictions;   /* entries removed by CLOCK to make room */
    uint64_t inserts;     /* puts that added a new entry */
    uint64_t updates;     /* puts that replaced an existing entry's value */
    uint64_t read_retries;/* seqlock read attempts repeated because a
                             writer was inside the stripe */
};

/* Adds every field of src to dst. */
void vtb_cache_counters_add(struct vtb_cache_counters *dst, const struct vtb_cache_counters *src);

/*
 * Writes to shared cache lines per hit by construction of the design, the
 * figure that predicts scaling beyond this machine's cores: GLOBAL and
 * SHARDED lock and unlock a glibc mutex, three stores each (lock word,
 * owner, user count), all in one cache line: 6; SEQLOCK writes none (0) in
 * steady state. tests/test_shared_writes.c counts the real stores and
 * checks this figure. 0 for an unknown value.
 */
unsigned vtb_cache_shared_writes_per_hit(enum vtb_cache_lock lock);

/*
 * The bytes a cache of config would allocate, without allocating them (so
 * that a caller can refuse a service that does not fit in memory before
 * creating anything). Returns 0, VTB_EINVAL (NULL arguments, capacity 0,
 * stripes not a power of two, unknown lock) or VTB_ENOMEM (beyond the
 * address space).
 */
int vtb_cache_footprint(const struct vtb_cache_config *config, size_t *bytes);

/* "global", "sharded", "seqlock"; "unknown" for any other value. */
const char *vtb_cache_lock_name(enum vtb_cache_lock lock);

#ifdef __cplusplus
}
#endif

#endif /* VTB_CACHE_H */
