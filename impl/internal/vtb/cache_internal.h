/*
 * The cache's operations (private; the public face, its configuration and
 * counters, is vtb/cache.h).
 *
 * The service owns one cache and the workers reach it through the inline
 * lookup of vtb/service_internal.h, which calls vtb_cache_get directly: the
 * hit path is what the harness measures. Statistics go to caller-owned,
 * per-thread counters passed to every call, so that counting never adds a
 * shared write to the hit path.
 */
#ifndef VTB_CACHE_INTERNAL_H
#define VTB_CACHE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtb/cache.h"
#include "vtb/error.h"

/* Flags for vtb_cache_put. */
enum {
    /* The entry is never evicted (it may still expire). Used by the harness's
     * exact hit-ratio mode so that the hit set survives the miss inserts. */
    VTB_CACHE_PIN = 1u << 0,
};

struct vtb_cache;

/*
 * Creates a cache. Returns 0 and sets *out, VTB_EINVAL for a bad config
 * (NULL arguments, capacity 0, stripes not a power of two, unknown lock) or
 * VTB_ENOMEM (including a capacity too large to address), or VTB_EINTR
 * (config->stop was set while its memory was being faulted in); *out is
 * left alone on error. All memory is allocated (and touched) here: get, put and
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

#endif /* VTB_CACHE_INTERNAL_H */
