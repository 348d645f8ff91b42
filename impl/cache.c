/*
 * The service's cache: one open-addressing table, split into stripes, under
 * one of three guards (a global mutex, a mutex per stripe, or a seqlock per
 * stripe). The table code is shared by all three designs so that a
 * measured difference between them is the guard's and nothing else's.
 *
 * Each stripe is an independent linear-probing table whose size is a power
 * of two at least twice the stripe's entry capacity, so probes stay short
 * and an empty slot always ends a probe. Deletion shifts later entries of
 * the cluster backwards instead of leaving tombstones, so lookups never
 * slow down as entries churn and CLOCK never meets a tombstone. The key's
 * hash picks the stripe by its high bits and the home slot by its low bits,
 * so the two choices are independent.
 *
 * Every slot field is a C11 atomic accessed with relaxed ordering: seqlock
 * readers read slots while a writer may be rewriting them, and only the
 * sequence check (with its fences) decides whether what they read is kept.
 * Relaxed atomics make those racing reads defined behaviour (and keep
 * ThreadSanitizer quiet) while compiling to plain loads and stores.
 */
#include "vtb/cache_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vtb/rng.h"

/*
 * GCC 12+ warns that its ThreadSanitizer does not model atomic_thread_fence
 * (-Wtsan), which -Werror turns into a failed build. Nothing here needs TSan
 * to understand the fences: every datum they order is itself an atomic, so
 * TSan has no plain access whose ordering it could misjudge, and the TSan
 * build runs the very protocol that is benchmarked.
 */
#if defined(__SANITIZE_THREAD__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wtsan"
#endif

/* Default number of stripes when the config leaves it at 0. */
#define DEFAULT_STRIPES 64u

/* Slots initialised between two reads of the config's stop flag: 64 MiB
 * of 32-byte slots, a few milliseconds of page faults. */
#define STOP_POLL_SLOTS (UINT64_C(1) << 21)

/* Returned by the probe functions when there is no such slot. */
#define NO_SLOT SIZE_MAX

/* Bits of struct slot's meta word. */
enum {
    SLOT_USED = 1u << 0,
    SLOT_PINNED = 1u << 1,
};

/*
 * One table slot, 32 bytes so that slots never straddle a cache line. The
 * CLOCK reference bit has a word of its own because seqlock readers set it
 * without holding the lock: a plain store to its own field cannot damage
 * the meta word a writer is updating at the same time. A stray reference
 * bit (set on a slot that a writer just gave to another key) only grants
 * that entry one undeserved second chance.
 */
struct slot {
    _Atomic uint64_t key;
    _Atomic uint64_t value;
    _Atomic uint64_t expires_ns; /* 0 = never expires */
    _Atomic uint32_t meta;       /* SLOT_USED | SLOT_PINNED */
    _Atomic uint32_t referenced; /* CLOCK bit: 1 when hit since the hand last passed */
};

/*
 * One stripe. Aligned (and so padded) to a cache line so that two stripes'
 * mutexes or sequence counters never share a line: sharing would bring back
 * the very contention the stripes exist to avoid.
 */
struct stripe {
    alignas(64) pthread_mutex_t mutex; /* all users (GLOBAL, SHARDED), writers (SEQLOCK) */
    _Atomic uint64_t seq;              /* SEQLOCK only: odd while a writer is mid-update */
    struct slot *slots;                /* mask + 1 slots, inside cache->slots */
    size_t capacity;                   /* entries this stripe may hold */
    size_t count;                      /* entries held; only touched under the mutex */
    size_t hand;                       /* CLOCK hand; only touched under the mutex */
};

struct vtb_cache {
    struct vtb_cache_config config; /* as created, stripes resolved */
    size_t mask;                    /* slots per stripe - 1 (same for every stripe) */
    unsigned stripe_bits;           /* log2(config.stripes) */
    struct stripe *stripes;
    struct slot *slots;             /* every stripe's slots, one allocation */
};

/* What a lookup saw in the key's slot. */
struct lookup {
    size_t index;
    uint64_t value;
    uint64_t expires_ns;
    bool referenced;
};

static uint64_t hash_key(uint64_t key)
{
    /* The splitmix64 step is a bijective mixer whose every output bit
     * depends on every input bit, so sequential keys spread over both the
     * stripes (high bits) and the slots (low bits). */
    uint64_t state = key;
    return vtb_splitmix64(&state);
}

static struct stripe *stripe_of(const struct vtb_cache *cache, uint64_t hash)
{
    /* A shift by 64 would be undefined, hence the test for one stripe. */
    size_t i = cache->stripe_bits == 0 ? 0 : (size_t)(hash >> (64 - cache->stripe_bits));
    return &cache->stripes[i];
}

/*
 * The TTL clock. CLOCK_MONOTONIC_COARSE is read from the vDSO without
 * touching the TSC, about a third of the cost of CLOCK_MONOTONIC, and the
 * clock is read on every get when a TTL is set, i.e. on the very hit path
 * the strategies are compared on. The price is resolution: the coarse clock
 * advances once per kernel tick (1-10 ms, 4 ms on typical kernels), so an
 * entry lives its TTL give or take one tick. TTLs in the scenarios are
 * tens of milliseconds or more, where a tick does not matter.
 */
static uint64_t ttl_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* now_ns is 0 when the cache has no TTL, and then no entry has a deadline. */
static bool expired(uint64_t expires_ns, uint64_t now_ns)
{
    return expires_ns != 0 && now_ns >= expires_ns;
}

static uint64_t deadline_ns(const struct vtb_cache *cache, uint64_t now_ns)
{
    uint64_t ttl_ns = cache->config.ttl_ns;
    if (ttl_ns == 0)
        return 0;
    /* Saturate rather than wrap, so that a huge TTL means "very late"
     * instead of "already expired". */
    return ttl_ns > UINT64_MAX - now_ns ? UINT64_MAX : now_ns + ttl_ns;
}

static uint64_t now_if_ttl(const struct vtb_cache *cache)
{
    return cache->config.ttl_ns != 0 ? ttl_clock_ns() : 0;
}

/*
 * Finds key's slot. Every probe loop is bounded by the table size: a
 * seqlock reader racing a writer may see a cluster with no empty slot or a
 * key half-moved, and must still terminate (its result is then discarded
 * by the sequence check). Indices are always masked, so it never leaves
 * the table either.
 */
static size_t table_find(const struct vtb_cache *cache, const struct stripe *stripe,
                         uint64_t key, uint64_t hash)
{
    size_t i = (size_t)hash & cache->mask;
    for (size_t n = 0; n <= cache->mask; n++) {
        const struct slot *slot = &stripe->slots[i];
        if (!(atomic_load_explicit(&slot->meta, memory_order_relaxed) & SLOT_USED))
            return NO_SLOT;
        if (atomic_load_explicit(&slot->key, memory_order_relaxed) == key)
            return i;
        i = (i + 1) & cache->mask;
    }
    return NO_SLOT;
}

/* table_find plus a snapshot of the slot's fields, for both read paths. */
static bool table_lookup(const struct vtb_cache *cache, const struct stripe *stripe,
                         uint64_t key, uint64_t hash, struct lookup *out)
{
    size_t i = table_find(cache, stripe, key, hash);
    if (i == NO_SLOT)
        return false;
    const struct slot *slot = &stripe->slots[i];
    out->index = i;
    out->value = atomic_load_explicit(&slot->value, memory_order_relaxed);
    out->expires_ns = atomic_load_explicit(&slot->expires_ns, memory_order_relaxed);
    out->referenced = atomic_load_explicit(&slot->referenced, memory_order_relaxed) != 0;
    return true;
}

static void slot_fill(struct slot *slot, uint64_t key, uint64_t value, uint64_t expires_ns,
                      uint32_t meta)
{
    atomic_store_explicit(&slot->key, key, memory_order_relaxed);
    atomic_store_explicit(&slot->value, value, memory_order_relaxed);
    atomic_store_explicit(&slot->expires_ns, expires_ns, memory_order_relaxed);
    /* A new entry must earn its second chance by being hit: a stream of
     * one-time misses then evicts itself instead of the hot set. */
    atomic_store_explicit(&slot->referenced, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->meta, meta, memory_order_relaxed);
}

static void slot_move(struct slot *dst, const struct slot *src)
{
    atomic_store_explicit(&dst->key, atomic_load_explicit(&src->key, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&dst->value, atomic_load_explicit(&src->value, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&dst->expires_ns,
                          atomic_load_explicit(&src->expires_ns, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&dst->referenced,
                          atomic_load_explicit(&src->referenced, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&dst->meta, atomic_load_explicit(&src->meta, memory_order_relaxed),
                          memory_order_relaxed);
}

/* Adds a key known to be absent; the caller made room. */
static void table_insert(const struct vtb_cache *cache, struct stripe *stripe, uint64_t key,
                         uint64_t hash, uint64_t value, uint64_t expires_ns, uint32_t meta)
{
    /* count < capacity <= (mask + 1) / 2, so the probe meets an empty slot. */
    size_t i = (size_t)hash & cache->mask;
    while (atomic_load_explicit(&stripe->slots[i].meta, memory_order_relaxed) & SLOT_USED)
        i = (i + 1) & cache->mask;
    slot_fill(&stripe->slots[i], key, value, expires_ns, meta);
    stripe->count++;
}

/*
 * Empties slot hole by backward-shift deletion: each later entry of the
 * cluster moves into the hole when the hole lies between its home slot and
 * its current slot, so every remaining entry stays reachable from its home
 * without tombstones.
 */
static void table_remove_at(const struct vtb_cache *cache, struct stripe *stripe, size_t hole)
{
    size_t mask = cache->mask;
    size_t j = hole;
    /* The table is at most half full, so the cluster ends well within this. */
    for (size_t n = 0; n < mask; n++) {
        j = (j + 1) & mask;
        struct slot *slot = &stripe->slots[j];
        if (!(atomic_load_explicit(&slot->meta, memory_order_relaxed) & SLOT_USED))
            break;
        uint64_t key = atomic_load_explicit(&slot->key, memory_order_relaxed);
        size_t home = (size_t)hash_key(key) & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            slot_move(&stripe->slots[hole], slot);
            hole = j;
        }
    }
    atomic_store_explicit(&stripe->slots[hole].meta, 0, memory_order_relaxed);
    atomic_store_explicit(&stripe->slots[hole].referenced, 0, memory_order_relaxed);
    stripe->count--;
}

/*
 * Chooses the entry to evict. An expired entry is taken first, pinned or
 * not, since it is dead already (under SEQLOCK, gets leave expired entries
 * in place, so without this a stripe of expired pinned entries would refuse
 * every put). Otherwise the hand clears reference bits until it meets an
 * unpinned, unreferenced entry. Two turns suffice: the first clears every
 * bit, so the second finds a victim if any unpinned entry exists.
 */
static size_t clock_sweep(const struct vtb_cache *cache, struct stripe *stripe, uint64_t now_ns)
{
    for (size_t n = 0; n < 2 * (cache->mask + 1); n++) {
        size_t i = stripe->hand;
        stripe->hand = (i + 1) & cache->mask;
        struct slot *slot = &stripe->slots[i];
        uint32_t meta = atomic_load_explicit(&slot->meta, memory_order_relaxed);
        if (!(meta & SLOT_USED))
            continue;
        if (expired(atomic_load_explicit(&slot->expires_ns, memory_order_relaxed), now_ns))
            return i;
        if (meta & SLOT_PINNED)
            continue;
        if (atomic_load_explicit(&slot->referenced, memory_order_relaxed)) {
            atomic_store_explicit(&slot->referenced, 0, memory_order_relaxed);
            continue;
        }
        return i;
    }
    return NO_SLOT;
}

/*
 * The seqlock writer's side (no-ops for the mutex designs, whose readers
 * take the mutex). The counter is made odd before any slot is written, and
 * the release fence orders that store before the slot stores: a reader that
 * sees any of the new slot contents, then passes its acquire fence, is
 * guaranteed to see the odd (or a later) counter and retry. Only the
 * mutex holder writes seq, so a load and a store suffice.
 */
static void write_begin(const struct vtb_cache *cache, struct stripe *stripe)
{
    if (cache->config.lock != VTB_CACHE_LOCK_SEQLOCK)
        return;
    uint64_t seq = atomic_load_explicit(&stripe->seq, memory_order_relaxed);
    atomic_store_explicit(&stripe->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
}

static void write_end(const struct vtb_cache *cache, struct stripe *stripe)
{
    if (cache->config.lock != VTB_CACHE_LOCK_SEQLOCK)
        return;
    uint64_t seq = atomic_load_explicit(&stripe->seq, memory_order_relaxed);
    atomic_store_explicit(&stripe->seq, seq + 1, memory_order_release);
}

/*
 * Called between failed seqlock read attempts. A writer preempted inside
 * its update keeps the counter odd for a whole time slice, so after a while
 * the reader yields to let it finish rather than spin out its own slice.
 */
static void read_backoff(unsigned *attempts)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
    if (++*attempts % 128 == 0)
        sched_yield();
}

/* SEQLOCK read: retries until it read the stripe with no writer inside. */
static bool seqlock_lookup(const struct vtb_cache *cache, const struct stripe *stripe,
                           uint64_t key, uint64_t hash, struct lookup *out,
                           struct vtb_cache_counters *counters)
{
    unsigned attempts = 0;
    for (;;) {
        uint64_t seq = atomic_load_explicit(&stripe->seq, memory_order_acquire);
        if (!(seq & 1)) {
            bool found = table_lookup(cache, stripe, key, hash, out);
            /* Orders the slot loads before the re-load of the counter. */
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&stripe->seq, memory_order_relaxed) == seq)
                return found;
        }
        counters->read_retries++;
        read_backoff(&attempts);
    }
}

bool vtb_cache_get(struct vtb_cache *cache, uint64_t key, uint64_t *value,
                   struct vtb_cache_counters *counters)
{
    uint64_t hash = hash_key(key);
    struct stripe *stripe = stripe_of(cache, hash);
    uint64_t now_ns = now_if_ttl(cache);
    struct lookup found;
    bool hit = false;

    if (cache->config.lock == VTB_CACHE_LOCK_SEQLOCK) {
        if (seqlock_lookup(cache, stripe, key, hash, &found, counters)) {
            /* A reader must not write the table, so an expired entry stays
             * until the next put of its key overwrites it or CLOCK takes it. */
            if (expired(found.expires_ns, now_ns)) {
                counters->expirations++;
            } else {
                hit = true;
                /* Written only when clear, so that steady-state hits write no
                 * shared memory. The slot may have changed hands since the
                 * check; then another entry gets a spare second chance. */
                if (!found.referenced)
                    atomic_store_explicit(&stripe->slots[found.index].referenced, 1,
                                          memory_order_relaxed);
            }
        }
    } else {
        pthread_mutex_lock(&stripe->mutex);
        if (table_lookup(cache, stripe, key, hash, &found)) {
            if (expired(found.expires_ns, now_ns)) {
                table_remove_at(cache, stripe, found.index);
                counters->expirations++;
            } else {
                hit = true;
                if (!found.referenced)
                    atomic_store_explicit(&stripe->slots[found.index].referenced, 1,
                                          memory_order_relaxed);
            }
        }
        pthread_mutex_unlock(&stripe->mutex);
    }

    if (hit) {
        counters->hits++;
        if (value != NULL)
            *value = found.value;
    } else {
        counters->misses++;
    }
    return hit;
}

int vtb_cache_put(struct vtb_cache *cache, uint64_t key, uint64_t value, unsigned flags,
                  struct vtb_cache_counters *counters)
{
    uint64_t hash = hash_key(key);
    struct stripe *stripe = stripe_of(cache, hash);
    uint64_t now_ns = now_if_ttl(cache);
    uint64_t expires_ns = deadline_ns(cache, now_ns);
    uint32_t pin = (flags & VTB_CACHE_PIN) ? SLOT_PINNED : 0;
    int rc = 0;

    pthread_mutex_lock(&stripe->mutex);
    size_t i = table_find(cache, stripe, key, hash);
    if (i != NO_SLOT) {
        struct slot *slot = &stripe->slots[i];
        uint32_t meta = atomic_load_explicit(&slot->meta, memory_order_relaxed);
        write_begin(cache, stripe);
        if (expired(atomic_load_explicit(&slot->expires_ns, memory_order_relaxed), now_ns)) {
            /* A dead entry (left by a seqlock reader, or not yet met by any
             * get) is replaced as if it were absent, pin and all, so that
             * the counters agree between the designs. */
            slot_fill(slot, key, value, expires_ns, SLOT_USED | pin);
            counters->inserts++;
        } else {
            /* The pin is sticky: a caller refreshing a value need not know
             * that the harness pinned the key. */
            atomic_store_explicit(&slot->value, value, memory_order_relaxed);
            atomic_store_explicit(&slot->expires_ns, expires_ns, memory_order_relaxed);
            atomic_store_explicit(&slot->meta, meta | pin, memory_order_relaxed);
            counters->updates++;
        }
        write_end(cache, stripe);
        goto out_unlock;
    }

    /* The sweep runs before the write section: it only clears reference
     * bits, which readers treat as advisory, so a failed put (all pinned)
     * does not make readers retry. */
    size_t victim = NO_SLOT;
    if (stripe->count == stripe->capacity) {
        victim = clock_sweep(cache, stripe, now_ns);
        if (victim == NO_SLOT) {
            rc = VTB_EEXHAUSTED;
            goto out_unlock;
        }
    }
    write_begin(cache, stripe);
    if (victim != NO_SLOT) {
        table_remove_at(cache, stripe, victim);
        counters->evictions++;
    }
    table_insert(cache, stripe, key, hash, value, expires_ns, SLOT_USED | pin);
    write_end(cache, stripe);
    counters->inserts++;

out_unlock:
    pthread_mutex_unlock(&stripe->mutex);
    return rc;
}

bool vtb_cache_remove(struct vtb_cache *cache, uint64_t key,
                      struct vtb_cache_counters *counters)
{
    uint64_t hash = hash_key(key);
    struct stripe *stripe = stripe_of(cache, hash);
    uint64_t now_ns = now_if_ttl(cache);
    bool removed = false;

    pthread_mutex_lock(&stripe->mutex);
    size_t i = table_find(cache, stripe, key, hash);
    if (i != NO_SLOT) {
        uint64_t expires_ns =
            atomic_load_explicit(&stripe->slots[i].expires_ns, memory_order_relaxed);
        write_begin(cache, stripe);
        table_remove_at(cache, stripe, i);
        write_end(cache, stripe);
        /* A dead entry is dropped all the same, but it was not live, just
         * as a get would not have found it. */
        if (expired(expires_ns, now_ns))
            counters->expirations++;
        else
            removed = true;
    }
    pthread_mutex_unlock(&stripe->mutex);
    return removed;
}

size_t vtb_cache_size(struct vtb_cache *cache)
{
    size_t size = 0;
    for (unsigned s = 0; s < cache->config.stripes; s++) {
        struct stripe *stripe = &cache->stripes[s];
        pthread_mutex_lock(&stripe->mutex);
        size += stripe->count;
        pthread_mutex_unlock(&stripe->mutex);
    }
    return size;
}

const struct vtb_cache_config *vtb_cache_config(const struct vtb_cache *cache)
{
    return &cache->config;
}

/* Fills in the resolved stripe count; 0 or VTB_EINVAL. */
static int resolve_config(const struct vtb_cache_config *config,
                          struct vtb_cache_config *resolved)
{
    if (config->capacity == 0)
        return VTB_EINVAL;
    if (config->lock != VTB_CACHE_LOCK_GLOBAL && config->lock != VTB_CACHE_LOCK_SHARDED &&
        config->lock != VTB_CACHE_LOCK_SEQLOCK)
        return VTB_EINVAL;
    if ((config->stripes & (config->stripes - 1)) != 0)
        return VTB_EINVAL;

    *resolved = *config;
    unsigned stripes = config->stripes == 0 ? DEFAULT_STRIPES : config->stripes;
    if (config->lock == VTB_CACHE_LOCK_GLOBAL)
        stripes = 1;
    /* Every stripe holds at least one entry, and the stripe capacities sum
     * to exactly capacity, so the bound is the one the caller asked for. */
    while (stripes > config->capacity)
        stripes >>= 1;
    resolved->stripes = stripes;
    return 0;
}

/* Slots per stripe: a power of two at least twice the largest stripe's
 * capacity, so the load factor stays at or below one half. Returns 0, or
 * VTB_ENOMEM when the table would not fit in memory's address range. */
static int table_size(const struct vtb_cache_config *resolved, size_t *out)
{
    unsigned stripes = resolved->stripes;
    size_t per_stripe_max = resolved->capacity / stripes + (resolved->capacity % stripes != 0);
    size_t table = 1;
    while (table < per_stripe_max) {
        if (table > SIZE_MAX / 2)
            return VTB_ENOMEM;
        table *= 2;
    }
    if (table > SIZE_MAX / 2 / stripes / sizeof(struct slot))
        return VTB_ENOMEM;
    *out = table * 2;
    return 0;
}

int vtb_cache_footprint(const struct vtb_cache_config *config, size_t *bytes)
{
    struct vtb_cache_config resolved;
    size_t table;
    int rc = config == NULL || bytes == NULL ? VTB_EINVAL : resolve_config(config, &resolved);
    if (rc == 0)
        rc = table_size(&resolved, &table);
    if (rc != 0)
        return rc;
    *bytes = sizeof(struct vtb_cache) + resolved.stripes * sizeof(struct stripe) +
             table * resolved.stripes * sizeof(struct slot);
    return 0;
}

/* Initialising every slot here also faults in every page, so that no page
 * fault lands in a timed get or put later. The stop flag (may be NULL) is
 * read once per STOP_POLL_SLOTS slots. Returns 0 or VTB_EINTR. */
static int init_slots(struct slot *slots, size_t slot_count, volatile sig_atomic_t *stop)
{
    for (size_t i = 0; i < slot_count; i++) {
        if (i % STOP_POLL_SLOTS == 0 && stop != NULL && *stop)
            return VTB_EINTR;
        struct slot *slot = &slots[i];
        atomic_init(&slot->key, 0);
        atomic_init(&slot->value, 0);
        atomic_init(&slot->expires_ns, 0);
        atomic_init(&slot->meta, 0);
        atomic_init(&slot->referenced, 0);
    }
    return 0;
}

int vtb_cache_new(const struct vtb_cache_config *config, struct vtb_cache **out)
{
    int rc;
    struct vtb_cache_config resolved;

    if (config == NULL || out == NULL)
        return VTB_EINVAL;
    rc = resolve_config(config, &resolved);
    if (rc != 0)
        return rc;

    unsigned stripes = resolved.stripes;
    unsigned stripe_bits = 0;
    while ((1u << stripe_bits) < stripes)
        stripe_bits++;
    size_t table;
    if (table_size(&resolved, &table) != 0)
        return VTB_ENOMEM;
    size_t slot_count = table * stripes;

    struct vtb_cache *cache = malloc(sizeof(*cache));
    if (cache == NULL)
        return VTB_ENOMEM;
    cache->config = resolved;
    cache->mask = table - 1;
    cache->stripe_bits = stripe_bits;

    /* Both sizes are multiples of 64, as aligned_alloc requires: struct
     * stripe is padded to its alignment, and table >= 2 slots of 32 bytes. */
    cache->stripes = aligned_alloc(alignof(struct stripe), stripes * sizeof(struct stripe));
    if (cache->stripes == NULL) {
        rc = VTB_ENOMEM;
        goto out_free_cache;
    }
    cache->slots = aligned_alloc(64, slot_count * sizeof(struct slot));
    if (cache->slots == NULL) {
        rc = VTB_ENOMEM;
        goto out_free_stripes;
    }

    rc = init_slots(cache->slots, slot_count, config->stop);
    if (rc != 0) {
        free(cache->slots);
        goto out_free_stripes;
    }

    unsigned ready;
    for (ready = 0; ready < stripes; ready++) {
        struct stripe *stripe = &cache->stripes[ready];
        if (pthread_mutex_init(&stripe->mutex, NULL) != 0) {
            rc = VTB_ENOMEM;
            goto out_destroy_mutexes;
        }
        atomic_init(&stripe->seq, 0);
        stripe->slots = &cache->slots[(size_t)ready * table];
        stripe->capacity = resolved.capacity / stripes + (ready < resolved.capacity % stripes);
        stripe->count = 0;
        stripe->hand = 0;
    }

    *out = cache;
    return 0;

out_destroy_mutexes:
    while (ready-- > 0)
        pthread_mutex_destroy(&cache->stripes[ready].mutex);
    free(cache->slots);
out_free_stripes:
    free(cache->stripes);
out_free_cache:
    free(cache);
    return rc;
}

void vtb_cache_free(struct vtb_cache *cache)
{
    if (cache == NULL)
        return;
    for (unsigned s = 0; s < cache->config.stripes; s++)
        pthread_mutex_destroy(&cache->stripes[s].mutex);
    free(cache->slots);
    free(cache->stripes);
    free(cache);
}

void vtb_cache_counters_add(struct vtb_cache_counters *dst, const struct vtb_cache_counters *src)
{
    dst->hits += src->hits;
    dst->misses += src->misses;
    dst->expirations += src->expirations;
    dst->evictions += src->evictions;
    dst->inserts += src->inserts;
    dst->updates += src->updates;
    dst->read_retries += src->read_retries;
}

unsigned vtb_cache_shared_writes_per_hit(enum vtb_cache_lock lock)
{
    switch (lock) {
    case VTB_CACHE_LOCK_GLOBAL:
    case VTB_CACHE_LOCK_SHARDED:
        /* glibc's default mutex: lock is a compare-and-swap on the lock word
         * plus stores of the owner and of a user count; unlock undoes the
         * three. Six stores, all in the mutex's one cache line. */
        return 6;
    case VTB_CACHE_LOCK_SEQLOCK:
    default:
        return 0;
    }
}

static const char *const lock_names[] = {
    [VTB_CACHE_LOCK_GLOBAL] = "global",
    [VTB_CACHE_LOCK_SHARDED] = "sharded",
    [VTB_CACHE_LOCK_SEQLOCK] = "seqlock",
};

const char *vtb_cache_lock_name(enum vtb_cache_lock lock)
{
    if ((unsigned)lock >= sizeof(lock_names) / sizeof(lock_names[0]))
        return "unknown";
    return lock_names[lock];
}

