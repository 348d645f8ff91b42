/*
 * The service's front: a bounded, thread-safe map from a 64-bit key to a
 * 64-bit value, with lazy TTL expiry and CLOCK eviction.
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
 * Statistics are kept in caller-owned, per-thread counters passed to every
 * call, so that counting never adds a shared write to the hit path.
 */
#ifndef VTB_CACHE_H
#define VTB_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtb/error.h"

enum vtb_cache_lock {
    VTB_CACHE_LOCK_GLOBAL = 0,
    VTB_CACHE_LOCK_SHARDED = 1,
    VTB_CACHE_LOCK_SEQLOCK = 2,
    VTB_CACHE_LOCK_COUNT /* number of designs; names: vtb_cache_lock_name */
};

/* Flags for vtb_cache_put. */
enum {
    /* The entry is never evicted (it may still expire). Used by the harness's
     * exact hit-ratio mode so that the hit set survives the miss inserts. */
    VTB_CACHE_PIN = 1u << 0,
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

struct vtb_cache;

/*
 * Creates a cache. Returns 0 and sets *out, VTB_EINVAL for a bad config
 * (NULL arguments, capacity 0, stripes not a power of two, unknown lock) or
 * VTB_ENOMEM (including a capacity too large to address); *out is left
 * alone on error. All memory is allocated (and touched) here: get, put and
 * remove never allocate.
 */
int vtb_cache_new(const struct vtb_cache_config *config, struct vtb_cache **out);

/* Destroys a cache; no thread may be using it. NULL is allowed. */
void vtb_cache_free(struct vtb_cache *cache);

/*
 * Looks key up. On a live entry stores its value in *value (unless value is
 * NULL), counts a hit, sets the entry's CLOCK reference bit and returns
 * true; otherwise counts a miss (and an expiration when the entry had
 * expired) and returns false. An expired entry is removed at once under
 * GLOBAL and SHARDED; under SEQLOCK a reader never writes the table, so it
 * stays until its key is put again or CLOCK reclaims it (it still counts in
 * vtb_cache_size). counters must not be NULL. Thread-safe; with the seqlock
 * design it writes no shared memory on a hit whose reference bit is set.
 */
bool vtb_cache_get(struct vtb_cache *cache, uint64_t key, uint64_t *value,
                   struct vtb_cache_counters *counters);

/*
 * Inserts or replaces key -> value with a fresh TTL. Replacing a live entry
 * counts an update and keeps its pin (VTB_CACHE_PIN can add a pin, never
 * remove one); replacing an expired one counts an insert and takes flags
 * as given, as if the key had been absent. A new entry starts unreferenced:
 * it earns CLOCK's second chance only by being hit. When the key's stripe
 * is full, evicts an expired entry or else an unpinned one chosen by CLOCK,
 * counting an eviction. Returns 0, or VTB_EEXHAUSTED (nothing changed) when
 * every entry of the stripe is pinned and live. Thread-safe.
 */
int vtb_cache_put(struct vtb_cache *cache, uint64_t key, uint64_t value, unsigned flags,
                  struct vtb_cache_counters *counters);

/* Removes key if present; returns true when a live entry was removed. An
 * expired entry is dropped too, counted as an expiration, and false is
 * returned, as a get would have missed it. Thread-safe. */
bool vtb_cache_remove(struct vtb_cache *cache, uint64_t key,
                      struct vtb_cache_counters *counters);

/* Number of live (possibly expired but not yet removed) entries. Takes the
 * locks; not for hot paths. */
size_t vtb_cache_size(struct vtb_cache *cache);

/* The configuration the cache was created with (stripes resolved). */
const struct vtb_cache_config *vtb_cache_config(const struct vtb_cache *cache);

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
 * The bytes vtb_cache_new would allocate for config, without allocating
 * them (so that a caller can refuse a cache that does not fit in memory
 * before creating anything). Returns 0, VTB_EINVAL or VTB_ENOMEM (beyond
 * the address space).
 */
int vtb_cache_footprint(const struct vtb_cache_config *config, size_t *bytes);

/* "global", "sharded", "seqlock"; "unknown" for any other value. */
const char *vtb_cache_lock_name(enum vtb_cache_lock lock);

#endif /* VTB_CACHE_H */
