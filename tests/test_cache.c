/*
 * Unit tests for the cache (impl/cache.c). Every behavioural test runs once
 * per lock design, because the three designs share one table and must
 * agree on everything but how they are guarded. The tests are deterministic:
 * eviction cases use one stripe (so CLOCK's choice does not depend on the
 * hash), TTL cases sleep well past the TTL instead of asserting on speed,
 * and the stress test checks invariants, never timings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "vtb/cache_internal.h"
#include "vtb/rng.h"

/* Test states: the lock design a per-lock test runs under. */
static enum vtb_cache_lock lock_global = VTB_CACHE_LOCK_GLOBAL;
static enum vtb_cache_lock lock_sharded = VTB_CACHE_LOCK_SHARDED;
static enum vtb_cache_lock lock_seqlock = VTB_CACHE_LOCK_SEQLOCK;

static enum vtb_cache_lock state_lock(void **state)
{
    return *(enum vtb_cache_lock *)*state;
}

static struct vtb_cache *make_cache(enum vtb_cache_lock lock, size_t capacity, unsigned stripes,
                                    uint64_t ttl_ns)
{
    struct vtb_cache_config config = {
        .capacity = capacity,
        .ttl_ns = ttl_ns,
        .lock = lock,
        .stripes = stripes,
    };
    struct vtb_cache *cache = NULL;
    assert_int_equal(vtb_cache_new(&config, &cache), 0);
    assert_non_null(cache);
    return cache;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void test_round_trip(void **state)
{
    /* 16 entries per stripe, far more than 40 keys put in any one. */
    struct vtb_cache *cache = make_cache(state_lock(state), 1024, 0, 0);
    struct vtb_cache_counters c = { 0 };

    for (uint64_t k = 0; k < 40; k++)
        assert_int_equal(vtb_cache_put(cache, k, k * 1000 + 7, 0, &c), 0);
    for (uint64_t k = 0; k < 40; k++) {
        uint64_t v = 0;
        assert_true(vtb_cache_get(cache, k, &v, &c));
        assert_int_equal(v, k * 1000 + 7);
    }
    /* A NULL value pointer only asks whether the key is there. */
    assert_true(vtb_cache_get(cache, 3, NULL, &c));
    assert_int_equal(c.inserts, 40);
    assert_int_equal(c.hits, 41);
    assert_int_equal(c.misses, 0);
    assert_int_equal(c.updates, 0);
    assert_int_equal(vtb_cache_size(cache), 40);
    vtb_cache_free(cache);
}

static void test_miss(void **state)
{
    struct vtb_cache *cache = make_cache(state_lock(state), 16, 0, 0);
    struct vtb_cache_counters c = { 0 };
    uint64_t v = 12345;

    assert_false(vtb_cache_get(cache, 99, &v, &c));
    assert_int_equal(v, 12345);
    assert_int_equal(vtb_cache_put(cache, 1, 10, 0, &c), 0);
    assert_false(vtb_cache_get(cache, 2, &v, &c));
    assert_true(vtb_cache_get(cache, 1, &v, &c));
    assert_int_equal(c.misses, 2);
    assert_int_equal(c.hits, 1);
    assert_int_equal(c.expirations, 0);
    vtb_cache_free(cache);
}

static void test_update(void **state)
{
    struct vtb_cache *cache = make_cache(state_lock(state), 16, 0, 0);
    struct vtb_cache_counters c = { 0 };
    uint64_t v = 0;

    assert_int_equal(vtb_cache_put(cache, 5, 10, 0, &c), 0);
    assert_int_equal(vtb_cache_put(cache, 5, 20, 0, &c), 0);
    assert_true(vtb_cache_get(cache, 5, &v, &c));
    assert_int_equal(v, 20);
    assert_int_equal(c.inserts, 1);
    assert_int_equal(c.updates, 1);
    assert_int_equal(vtb_cache_size(cache), 1);
    vtb_cache_free(cache);
}

static void test_capacity_bound(void **state)
{
    const size_t capacity = 1000;
    const uint64_t keys = 10 * capacity;
    struct vtb_cache *cache = make_cache(state_lock(state), capacity, 0, 0);
    struct vtb_cache_counters c = { 0 };

    for (uint64_t k = 0; k < keys; k++) {
        assert_int_equal(vtb_cache_put(cache, k, k, 0, &c), 0);
        if (k % 97 == 0)
            assert_true(vtb_cache_size(cache) <= capacity);
    }
    assert_int_equal(vtb_cache_size(cache), capacity);
    assert_int_equal(c.inserts, keys);
    assert_int_equal(c.evictions, keys - capacity);

    /* Every survivor still maps to its own value. */
    size_t found = 0;
    for (uint64_t k = 0; k < keys; k++) {
        uint64_t v;
        if (vtb_cache_get(cache, k, &v, &c)) {
            assert_int_equal(v, k);
            found++;
        }
    }
    assert_int_equal(found, capacity);
    vtb_cache_free(cache);
}

static void test_clock_second_chance(void **state)
{
    /* One stripe of two entries: whichever slot the hand starts at, it
     * clears the hit entry's bit and evicts the unreferenced one. Both
     * orders are tried so that the result cannot be a positional accident. */
    for (int hit_first = 0; hit_first < 2; hit_first++) {
        struct vtb_cache *cache = make_cache(state_lock(state), 2, 1, 0);
        struct vtb_cache_counters c = { 0 };
        uint64_t hot = hit_first ? 100 : 200;
        uint64_t cold = hit_first ? 200 : 100;

        assert_int_equal(vtb_cache_put(cache, 100, 1, 0, &c), 0);
        assert_int_equal(vtb_cache_put(cache, 200, 2, 0, &c), 0);
        assert_true(vtb_cache_get(cache, hot, NULL, &c));
        assert_int_equal(vtb_cache_put(cache, 300, 3, 0, &c), 0);
        assert_int_equal(c.evictions, 1);
        assert_true(vtb_cache_get(cache, hot, NULL, &c));
        assert_false(vtb_cache_get(cache, cold, NULL, &c));
        assert_true(vtb_cache_get(cache, 300, NULL, &c));
        vtb_cache_free(cache);
    }
}

static void test_pinned_survive(void **state)
{
    struct vtb_cache *cache = make_cache(state_lock(state), 64, 4, 0);
    struct vtb_cache_counters c = { 0 };

    /* At most 8 pinned per stripe of 16, so unpinned puts always find room. */
    for (uint64_t k = 0; k < 8; k++)
        assert_int_equal(vtb_cache_put(cache, 1000000 + k, k, VTB_CACHE_PIN, &c), 0);
    /* Refreshing a pinned key without the flag keeps the pin. */
    assert_int_equal(vtb_cache_put(cache, 1000000, 42, 0, &c), 0);

    for (uint64_t k = 0; k < 10000; k++)
        assert_int_equal(vtb_cache_put(cache, k, k, 0, &c), 0);
    assert_true(c.evictions > 0);
    for (uint64_t k = 0; k < 8; k++) {
        uint64_t v;
        assert_true(vtb_cache_get(cache, 1000000 + k, &v, &c));
        assert_int_equal(v, k == 0 ? 42 : k);
    }
    assert_true(vtb_cache_size(cache) <= 64);
    vtb_cache_free(cache);
}

static void test_exhausted(void **state)
{
    struct vtb_cache *cache = make_cache(state_lock(state), 4, 1, 0);
    struct vtb_cache_counters c = { 0 };
    uint64_t v;

    for (uint64_t k = 0; k < 4; k++)
        assert_int_equal(vtb_cache_put(cache, k, k, VTB_CACHE_PIN, &c), 0);
    assert_int_equal(vtb_cache_put(cache, 10, 10, 0, &c), VTB_EEXHAUSTED);
    assert_int_equal(vtb_cache_put(cache, 11, 11, VTB_CACHE_PIN, &c), VTB_EEXHAUSTED);
    assert_false(vtb_cache_get(cache, 10, &v, &c));
    assert_int_equal(vtb_cache_size(cache), 4);
    assert_int_equal(c.evictions, 0);
    assert_int_equal(c.inserts, 4);

    /* Updating a pinned key needs no room. */
    assert_int_equal(vtb_cache_put(cache, 2, 20, 0, &c), 0);
    assert_true(vtb_cache_get(cache, 2, &v, &c));
    assert_int_equal(v, 20);

    /* Removing a pinned entry makes room again. */
    assert_true(vtb_cache_remove(cache, 3, &c));
    assert_int_equal(vtb_cache_put(cache, 10, 10, 0, &c), 0);
    assert_true(vtb_cache_get(cache, 10, &v, &c));
    vtb_cache_free(cache);
}

static void test_ttl_not_expired(void **state)
{
    /* A TTL far beyond the test's run time: the entry must be live. */
    struct vtb_cache *cache = make_cache(state_lock(state), 16, 0, UINT64_C(10000000000));
    struct vtb_cache_counters c = { 0 };
    uint64_t v;

    assert_int_equal(vtb_cache_put(cache, 1, 11, 0, &c), 0);
    assert_true(vtb_cache_get(cache, 1, &v, &c));
    assert_int_equal(v, 11);
    assert_int_equal(c.expirations, 0);
    vtb_cache_free(cache);

    /* A TTL so large that now + ttl overflows saturates instead of wrapping. */
    cache = make_cache(state_lock(state), 16, 0, UINT64_MAX);
    assert_int_equal(vtb_cache_put(cache, 1, 11, 0, &c), 0);
    assert_true(vtb_cache_get(cache, 1, &v, &c));
    vtb_cache_free(cache);
}

static void test_ttl_expiry(void **state)
{
    enum vtb_cache_lock lock = state_lock(state);
    struct vtb_cache *cache = make_cache(lock, 16, 1, UINT64_C(20000000));
    struct vtb_cache_counters c = { 0 };
    uint64_t v;

    assert_int_equal(vtb_cache_put(cache, 1, 11, 0, &c), 0);
    assert_int_equal(vtb_cache_put(cache, 2, 22, VTB_CACHE_PIN, &c), 0);
    sleep_ms(60);

    assert_false(vtb_cache_get(cache, 1, &v, &c));
    assert_false(vtb_cache_get(cache, 2, &v, &c)); /* pinned entries expire too */
    assert_int_equal(c.expirations, 2);
    assert_int_equal(c.misses, 2);
    assert_int_equal(c.hits, 0);
    /* The mutex designs remove on access; a seqlock reader may not write. */
    assert_int_equal(vtb_cache_size(cache), lock == VTB_CACHE_LOCK_SEQLOCK ? 2 : 0);

    /* Putting the key again is an insert in every design. */
    assert_int_equal(vtb_cache_put(cache, 1, 111, 0, &c), 0);
    assert_int_equal(c.inserts, 3);
    assert_int_equal(c.updates, 0);
    assert_true(vtb_cache_get(cache, 1, &v, &c));
    assert_int_equal(v, 111);
    vtb_cache_free(cache);
}

static void test_ttl_reclaims_pinned(void **state)
{
    /* A full stripe of expired pinned entries must not refuse puts. */
    struct vtb_cache *cache = make_cache(state_lock(state), 2, 1, UINT64_C(20000000));
    struct vtb_cache_counters c = { 0 };

    assert_int_equal(vtb_cache_put(cache, 1, 1, VTB_CACHE_PIN, &c), 0);
    assert_int_equal(vtb_cache_put(cache, 2, 2, VTB_CACHE_PIN, &c), 0);
    assert_int_equal(vtb_cache_put(cache, 3, 3, 0, &c), VTB_EEXHAUSTED);
    sleep_ms(60);
    assert_int_equal(vtb_cache_put(cache, 3, 3, 0, &c), 0);
    assert_int_equal(c.evictions, 1);
    assert_true(vtb_cache_get(cache, 3, NULL, &c));

    /* One of keys 1 and 2 was reclaimed, the other is still there, dead.
     * Removing it drops it, counted as an expiration, not a live removal. */
    struct vtb_cache_counters r = { 0 };
    assert_false(vtb_cache_remove(cache, 1, &r));
    assert_false(vtb_cache_remove(cache, 2, &r));
    assert_int_equal(r.expirations, 1);
    assert_int_equal(vtb_cache_size(cache), 1);
    vtb_cache_free(cache);
}

static void test_remove(void **state)
{
    struct vtb_cache *cache = make_cache(state_lock(state), 64, 1, 0);
    struct vtb_cache_counters c = { 0 };
    uint64_t v;

    assert_int_equal(vtb_cache_put(cache, 7, 70, 0, &c), 0);
    assert_true(vtb_cache_remove(cache, 7, &c));
    assert_false(vtb_cache_get(cache, 7, &v, &c));
    assert_false(vtb_cache_remove(cache, 7, &c));
    assert_int_equal(vtb_cache_size(cache), 0);

    /* A full stripe has long probe clusters: removing every other key must
     * leave every remaining one reachable (backward-shift deletion). */
    for (uint64_t k = 0; k < 64; k++)
        assert_int_equal(vtb_cache_put(cache, k, k + 1, 0, &c), 0);
    for (uint64_t k = 0; k < 64; k += 2)
        assert_true(vtb_cache_remove(cache, k, &c));
    assert_int_equal(vtb_cache_size(cache), 32);
    for (uint64_t k = 0; k < 64; k++) {
        bool hit = vtb_cache_get(cache, k, &v, &c);
        assert_int_equal(hit, k % 2 == 1);
        if (hit)
            assert_int_equal(v, k + 1);
    }
    for (uint64_t k = 0; k < 64; k += 2)
        assert_int_equal(vtb_cache_put(cache, k, k + 1, 0, &c), 0);
    for (uint64_t k = 0; k < 64; k++) {
        assert_true(vtb_cache_get(cache, k, &v, &c));
        assert_int_equal(v, k + 1);
    }
    assert_int_equal(c.evictions, 0);
    vtb_cache_free(cache);
}

static void test_model(void **state)
{
    /* Random puts, gets and removes checked against a plain array. The key
     * universe equals the capacity, so nothing is ever evicted and the
     * model is exact. */
    enum { universe = 48 };
    struct vtb_cache *cache = make_cache(state_lock(state), universe, 2, 0);
    struct vtb_cache_counters c = { 0 };
    bool present[universe] = { false };
    uint64_t model[universe] = { 0 };
    size_t live = 0;
    struct vtb_rng rng;
    vtb_rng_seed(&rng, 42, 0);

    for (int op = 0; op < 20000; op++) {
        uint64_t k = vtb_rng_below(&rng, universe);
        uint64_t key = k * UINT64_C(0x9E3779B97F4A7C15); /* spread-out keys */
        uint64_t v;
        switch (vtb_rng_below(&rng, 3)) {
        case 0:
            assert_int_equal(vtb_cache_put(cache, key, (uint64_t)op, 0, &c), 0);
            live += !present[k];
            present[k] = true;
            model[k] = (uint64_t)op;
            break;
        case 1:
            assert_int_equal(vtb_cache_get(cache, key, &v, &c), present[k]);
            if (present[k])
                assert_int_equal(v, model[k]);
            break;
        default:
            assert_int_equal(vtb_cache_remove(cache, key, &c), present[k]);
            live -= present[k];
            present[k] = false;
            break;
        }
    }
    assert_int_equal(vtb_cache_size(cache), live);
    assert_int_equal(c.evictions, 0);
    vtb_cache_free(cache);
}

static void test_config_validation(void **state)
{
    (void)state;
    struct vtb_cache *cache = NULL;
    struct vtb_cache_config config = { .capacity = 100, .lock = VTB_CACHE_LOCK_SHARDED };

    config.capacity = 0;
    assert_int_equal(vtb_cache_new(&config, &cache), VTB_EINVAL);
    config.capacity = 100;
    config.stripes = 3;
    assert_int_equal(vtb_cache_new(&config, &cache), VTB_EINVAL);
    config.lock = VTB_CACHE_LOCK_GLOBAL; /* a bad stripe count is bad for every design */
    assert_int_equal(vtb_cache_new(&config, &cache), VTB_EINVAL);
    config.stripes = 0;
    config.lock = (enum vtb_cache_lock)7;
    assert_int_equal(vtb_cache_new(&config, &cache), VTB_EINVAL);
    config.lock = VTB_CACHE_LOCK_SEQLOCK;
    assert_int_equal(vtb_cache_new(NULL, &cache), VTB_EINVAL);
    assert_int_equal(vtb_cache_new(&config, NULL), VTB_EINVAL);
    assert_null(cache);
    config.capacity = SIZE_MAX;
    assert_int_equal(vtb_cache_new(&config, &cache), VTB_ENOMEM);
    assert_null(cache);

    /* Resolution of the stripe count. */
    static const struct {
        enum vtb_cache_lock lock;
        size_t capacity;
        unsigned stripes;
        unsigned resolved;
    } cases[] = {
        { VTB_CACHE_LOCK_SHARDED, 1000, 0, 64 },
        { VTB_CACHE_LOCK_SEQLOCK, 1000, 16, 16 },
        { VTB_CACHE_LOCK_GLOBAL, 1000, 16, 1 },
        { VTB_CACHE_LOCK_SHARDED, 10, 64, 8 },
        { VTB_CACHE_LOCK_SEQLOCK, 1, 0, 1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vtb_cache_config cfg = {
            .capacity = cases[i].capacity,
            .lock = cases[i].lock,
            .stripes = cases[i].stripes,
            .ttl_ns = 5,
        };
        assert_int_equal(vtb_cache_new(&cfg, &cache), 0);
        const struct vtb_cache_config *got = vtb_cache_config(cache);
        assert_int_equal(got->stripes, cases[i].resolved);
        assert_int_equal(got->capacity, cases[i].capacity);
        assert_int_equal(got->lock, cases[i].lock);
        assert_int_equal(got->ttl_ns, 5);
        vtb_cache_free(cache);
        cache = NULL;
    }
    vtb_cache_free(NULL);
}

/* A set stop flag abandons the creation: VTB_EINTR, nothing returned,
 * nothing leaked (the sanitizer build checks); a clear one changes nothing. */
static void test_creation_stopped(void **state)
{
    (void)state;
    volatile sig_atomic_t stop = 1;
    struct vtb_cache *cache = NULL;
    struct vtb_cache_config config = {
        .capacity = 1u << 16, .lock = VTB_CACHE_LOCK_SEQLOCK, .stop = &stop};
    assert_int_equal(vtb_cache_new(&config, &cache), VTB_EINTR);
    assert_null(cache);
    stop = 0;
    assert_int_equal(vtb_cache_new(&config, &cache), 0);
    assert_non_null(cache);
    vtb_cache_free(cache);
}

static void test_small_stripes_bound(void **state)
{
    /* 10 entries over 8 stripes (2 of 2, 6 of 1): the total is still 10. */
    struct vtb_cache *cache = make_cache(state_lock(state), 10, 64, 0);
    struct vtb_cache_counters c = { 0 };
    for (uint64_t k = 0; k < 1000; k++)
        assert_int_equal(vtb_cache_put(cache, k, k, 0, &c), 0);
    assert_int_equal(vtb_cache_size(cache), 10);
    assert_int_equal(c.evictions, 990);
    vtb_cache_free(cache);
}

static void test_lock_names(void **state)
{
    (void)state;
    enum vtb_cache_lock locks[] = { VTB_CACHE_LOCK_GLOBAL, VTB_CACHE_LOCK_SHARDED,
                                    VTB_CACHE_LOCK_SEQLOCK };
    for (size_t i = 0; i < 3; i++)
        assert_string_not_equal(vtb_cache_lock_name(locks[i]), "unknown");
    assert_string_equal(vtb_cache_lock_name(VTB_CACHE_LOCK_GLOBAL), "global");
    assert_string_equal(vtb_cache_lock_name(VTB_CACHE_LOCK_SHARDED), "sharded");
    assert_string_equal(vtb_cache_lock_name(VTB_CACHE_LOCK_SEQLOCK), "seqlock");
    assert_string_equal(vtb_cache_lock_name((enum vtb_cache_lock)7), "unknown");

}

static void test_shared_writes(void **state)
{
    (void)state;
    assert_int_equal(vtb_cache_shared_writes_per_hit(VTB_CACHE_LOCK_GLOBAL), 6);
    assert_int_equal(vtb_cache_shared_writes_per_hit(VTB_CACHE_LOCK_SHARDED), 6);
    assert_int_equal(vtb_cache_shared_writes_per_hit(VTB_CACHE_LOCK_SEQLOCK), 0);
}

static void test_counters_add(void **state)
{
    (void)state;
    struct vtb_cache_counters a = { 1, 2, 3, 4, 5, 6, 7 };
    struct vtb_cache_counters b = { 10, 20, 30, 40, 50, 60, 70 };
    vtb_cache_counters_add(&a, &b);
    assert_int_equal(a.hits, 11);
    assert_int_equal(a.misses, 22);
    assert_int_equal(a.expirations, 33);
    assert_int_equal(a.evictions, 44);
    assert_int_equal(a.inserts, 55);
    assert_int_equal(a.updates, 66);
    assert_int_equal(a.read_retries, 77);
}

/*
 * Stress: threads get, put and remove on an overlapping key set larger than
 * the cache, so that hits race with updates, evictions and backward shifts.
 * Values encode their key, so a read that returned another key's value (a
 * torn seqlock read, a lost shift) is caught. Threads never call cmocka
 * (it is not thread-safe); they record failures for the main thread.
 */
enum {
    stress_threads = 4,
    stress_ops = 20000,
    stress_keys = 128,
    stress_capacity = 64,
};

struct stress_worker {
    pthread_t thread;
    struct vtb_cache *cache;
    unsigned id;
    struct vtb_cache_counters counters;
    uint64_t gets;
    uint64_t puts;
    uint64_t removed;
    uint64_t bad_values;
    uint64_t put_errors;
};

static uint64_t stress_value(uint64_t key, unsigned id, uint64_t n)
{
    return (key << 32) | ((uint64_t)id << 24) | (n & 0xFFFFFF);
}

static void *stress_run(void *arg)
{
    struct stress_worker *w = arg;
    struct vtb_rng rng;
    vtb_rng_seed(&rng, 7, w->id);

    for (uint64_t n = 0; n < stress_ops; n++) {
        uint64_t key = vtb_rng_below(&rng, stress_keys);
        uint64_t pick = vtb_rng_below(&rng, 100);
        if (pick < 60) {
            uint64_t v;
            w->gets++;
            if (vtb_cache_get(w->cache, key, &v, &w->counters)) {
                if (v >> 32 != key || ((v >> 24) & 0xFF) >= stress_threads ||
                    (v & 0xFFFFFF) >= stress_ops)
                    w->bad_values++;
            }
        } else if (pick < 95) {
            w->puts++;
            if (vtb_cache_put(w->cache, key, stress_value(key, w->id, n), 0, &w->counters) != 0)
                w->put_errors++;
        } else {
            w->removed += vtb_cache_remove(w->cache, key, &w->counters);
        }
    }
    return NULL;
}

static void test_stress(void **state)
{
    struct vtb_cache *cache = make_cache(state_lock(state), stress_capacity, 4, 0);
    struct stress_worker workers[stress_threads];
    memset(workers, 0, sizeof(workers));

    for (unsigned i = 0; i < stress_threads; i++) {
        workers[i].cache = cache;
        workers[i].id = i;
        assert_int_equal(pthread_create(&workers[i].thread, NULL, stress_run, &workers[i]), 0);
    }
    struct vtb_cache_counters total = { 0 };
    uint64_t gets = 0, puts = 0, removed = 0, bad = 0, put_errors = 0;
    for (unsigned i = 0; i < stress_threads; i++) {
        assert_int_equal(pthread_join(workers[i].thread, NULL), 0);
        vtb_cache_counters_add(&total, &workers[i].counters);
        gets += workers[i].gets;
        puts += workers[i].puts;
        removed += workers[i].removed;
        bad += workers[i].bad_values;
        put_errors += workers[i].put_errors;
    }

    assert_int_equal(bad, 0);
    assert_int_equal(put_errors, 0);
    assert_int_equal(total.hits + total.misses, gets);
    assert_int_equal(total.inserts + total.updates, puts);
    assert_int_equal(total.expirations, 0);
    assert_true(total.hits > 0 && total.evictions > 0);
    /* Every entry ever added is still there, or was evicted or removed. */
    size_t size = vtb_cache_size(cache);
    assert_true(size <= stress_capacity);
    assert_int_equal(size, total.inserts - total.evictions - removed);

    /* And what is left is readable and self-consistent. */
    struct vtb_cache_counters after = { 0 };
    size_t found = 0;
    for (uint64_t key = 0; key < stress_keys; key++) {
        uint64_t v;
        if (vtb_cache_get(cache, key, &v, &after)) {
            assert_int_equal(v >> 32, key);
            found++;
        }
    }
    assert_int_equal(found, size);
    if (state_lock(state) != VTB_CACHE_LOCK_SEQLOCK)
        assert_int_equal(total.read_retries, 0);
    vtb_cache_free(cache);
}

#define PER_LOCK(f)                                      \
    { #f "/global", f, NULL, NULL, &lock_global },       \
    { #f "/sharded", f, NULL, NULL, &lock_sharded },     \
    { #f "/seqlock", f, NULL, NULL, &lock_seqlock }

int main(void)
{
    const struct CMUnitTest tests[] = {
        PER_LOCK(test_round_trip),
        PER_LOCK(test_miss),
        PER_LOCK(test_update),
        PER_LOCK(test_capacity_bound),
        PER_LOCK(test_small_stripes_bound),
        PER_LOCK(test_clock_second_chance),
        PER_LOCK(test_pinned_survive),
        PER_LOCK(test_exhausted),
        PER_LOCK(test_ttl_not_expired),
        PER_LOCK(test_ttl_expiry),
        PER_LOCK(test_ttl_reclaims_pinned),
        PER_LOCK(test_remove),
        PER_LOCK(test_model),
        PER_LOCK(test_stress),
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test(test_creation_stopped),
        cmocka_unit_test(test_lock_names),
        cmocka_unit_test(test_shared_writes),
        cmocka_unit_test(test_counters_add),
    };
    return cmocka_run_group_tests_name("cache", tests, NULL, NULL);
}
