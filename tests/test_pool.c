/*
 * Unit tests for the source pool (impl/pool.c): exact rent, return and miss
 * counts, zero allocations once warm, the bound, the local cache's spill and
 * batch take, and sources that come back from other threads, with and
 * without a local cache of their own. Cross-thread cases hand sources over
 * with joins, so every count is exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "test_support.h"
#include "vtb/alloc_count_internal.h"
#include "vtb/error.h"
#include "vtb/pool_internal.h"
#include "vtb/source.h"

struct rented {
    struct vtb_source *source;
    vtb_token token;
};

static void pool_init(struct vtb_pool *pool, uint32_t max_sources)
{
    struct vtb_pool_config config = {.max_sources = max_sources, .run_async = false};
    assert_int_equal(vtb_pool_init(pool, &config), 0);
}

static void rent_ok(struct vtb_pool *pool, struct rented *r)
{
    r->source = NULL;
    assert_int_equal(vtb_pool_rent(pool, &r->source, &r->token), 0);
    assert_non_null(r->source);
    assert_ptr_equal(r->source->pool, pool);
}

/* Completes and consumes one rented source, which returns it. */
static void finish(struct rented *r, uint64_t value)
{
    uint64_t got = 0;
    assert_int_equal(vtb_source_set_result(r->source, value), 0);
    assert_int_equal(vtb_source_get_result(r->source, r->token, &got), 0);
    assert_int_equal(got, value);
}

static bool contains(const struct rented *set, size_t n, const struct vtb_source *source)
{
    for (size_t i = 0; i < n; i++)
        if (set[i].source == source)
            return true;
    return false;
}

static void test_init_rejects_bad_config(void **state)
{
    (void)state;
    struct vtb_pool pool;
    struct vtb_pool_config config = {.max_sources = 0, .run_async = false};
    assert_int_equal(vtb_pool_init(&pool, &config), VTB_EINVAL);
    assert_int_equal(vtb_pool_init(&pool, NULL), VTB_EINVAL);
    assert_int_equal(vtb_pool_init(NULL, &config), VTB_EINVAL);
}

static void test_counters_exact(void **state)
{
    (void)state;
    struct vtb_pool pool;
    struct vtb_pool_local local;
    struct rented r[10];
    pool_init(&pool, 100);
    vtb_pool_local_attach(&pool, &local);
    struct vtb_alloc_counts before = vtbt_counts_now();

    for (int i = 0; i < 10; i++)
        rent_ok(&pool, &r[i]);
    assert_int_equal(local.counters.rents, 10);
    assert_int_equal(local.counters.misses, 10);
    assert_int_equal(local.counters.returns, 0);
    assert_int_equal(vtb_pool_created(&pool), 10);
    struct vtb_alloc_counts d = vtbt_counts_since(&before);
    assert_int_equal(d.allocs, 10);
    assert_int_equal(d.requested_bytes, 10 * sizeof(struct vtb_source));

    for (int i = 0; i < 10; i++)
        finish(&r[i], (uint64_t)i);
    assert_int_equal(local.counters.returns, 10);
    assert_int_equal(local.count, 10);

    for (int i = 0; i < 10; i++)
        rent_ok(&pool, &r[i]);
    assert_int_equal(local.counters.rents, 20);
    assert_int_equal(local.counters.misses, 10);
    assert_int_equal(vtbt_counts_since(&before).allocs, 10);
    for (int i = 0; i < 10; i++)
        finish(&r[i], (uint64_t)i);
    assert_int_equal(local.counters.returns, 20);
    assert_int_equal(local.counters.shared_takes, 0);
    assert_int_equal(local.counters.shared_spills, 0);

    struct vtb_pool_counters shared;
    vtb_pool_counters_shared(&pool, &shared);
    assert_int_equal(shared.high_water, 10);
    assert_int_equal(shared.rents, 0);
    assert_int_equal(shared.returns, 0);

    vtb_pool_local_detach(&local);
    vtb_pool_fini(&pool);
    d = vtbt_counts_since(&before);
    assert_int_equal(d.frees, 10);
    assert_int_equal(d.freed_bytes, 10 * sizeof(struct vtb_source));
}

static void test_warm_pool_has_no_misses(void **state)
{
    (void)state;
    enum { in_flight = 4, rounds = 1000 };
    struct vtb_pool pool;
    struct vtb_pool_local local;
    struct rented r[in_flight];
    pool_init(&pool, 64);
    vtb_pool_local_attach(&pool, &local);
    for (int i = 0; i < in_flight; i++)
        rent_ok(&pool, &r[i]);
    for (int i = 0; i < in_flight; i++)
        finish(&r[i], 0);
    assert_int_equal(local.counters.misses, in_flight);

    struct vtb_alloc_counts before = vtbt_counts_now();
    for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < in_flight; i++)
            rent_ok(&pool, &r[i]);
        for (int i = in_flight - 1; i >= 0; i--)
            finish(&r[i], (uint64_t)(round * in_flight + i));
    }
    struct vtb_alloc_counts d = vtbt_counts_since(&before);
    assert_int_equal(d.allocs, 0);
    assert_int_equal(d.frees, 0);
    assert_int_equal(local.counters.misses, in_flight);
    assert_int_equal(local.counters.rents, in_flight * (rounds + 1));
    assert_int_equal(local.counters.returns, in_flight * (rounds + 1));
    assert_int_equal(vtb_pool_created(&pool), in_flight);
    vtb_pool_local_detach(&local);
    vtb_pool_fini(&pool);
}

static void test_bound_exhausted(void **state)
{
    (void)state;
    struct vtb_pool pool;
    struct vtb_pool_local local;
    struct rented r[4], extra;
    pool_init(&pool, 4);
    vtb_pool_local_attach(&pool, &local);
    for (int i = 0; i < 4; i++)
        rent_ok(&pool, &r[i]);
    static struct vtb_source sentinel;
    extra.source = &sentinel;
    assert_int_equal(vtb_pool_rent(&pool, &extra.source, &extra.token), VTB_EEXHAUSTED);
    assert_ptr_equal(extra.source, &sentinel); /* *out untouched on error */
    assert_int_equal(vtb_pool_created(&pool), 4);
    /* A refused rent is not counted as a rent or a miss. */
    assert_int_equal(local.counters.rents, 4);
    assert_int_equal(local.counters.misses, 4);
    /* Once one comes back it can be rented again. */
    finish(&r[2], 2);
    rent_ok(&pool, &extra);
    assert_ptr_equal(extra.source, r[2].source);
    assert_int_equal(vtb_pool_created(&pool), 4);
    r[2] = extra;
    for (int i = 0; i < 4; i++)
        finish(&r[i], 0);
    vtb_pool_local_detach(&local);
    vtb_pool_fini(&pool);
}

static void test_bound_exhausted_without_local(void **state)
{
    (void)state;
    struct vtb_pool pool;
    struct rented r[2], extra;
    pool_init(&pool, 2);
    rent_ok(&pool, &r[0]);
    rent_ok(&pool, &r[1]);
    assert_int_equal(vtb_pool_rent(&pool, &extra.source, &extra.token), VTB_EEXHAUSTED);
    assert_int_equal(vtb_pool_created(&pool), 2);
    /* As with a local: a refused rent is neither a rent nor a miss, so
     * rents and returns still balance once everything is back. */
    struct vtb_pool_counters shared;
    vtb_pool_counters_shared(&pool, &shared);
    assert_int_equal(shared.rents, 2);
    assert_int_equal(shared.misses, 2);
    finish(&r[0], 0);
    finish(&r[1], 1);
    vtb_pool_counters_shared(&pool, &shared);
    assert_int_equal(shared.returns, shared.rents);
    vtb_pool_fini(&pool);
}

static void test_local_spill_and_take(void **state)
{
    (void)state;
    enum { n = 100 };
    struct vtb_pool pool;
    struct vtb_pool_local local;
    struct rented r[n];
    pool_init(&pool, 200);
    vtb_pool_local_attach(&pool, &local);
    for (int i = 0; i < n; i++)
        rent_ok(&pool, &r[i]);
    assert_int_equal(local.counters.misses, n);
    for (int i = 0; i < n; i++)
        finish(&r[i], (uint64_t)i);
    /* Returns 65 and 97 found the local cache full and spilled half of it. */
    assert_int_equal(local.counters.shared_spills, 2);
    assert_int_equal(vtb_pool_shared_count(&pool), 2 * (VTB_POOL_LOCAL_CAPACITY / 2));
    assert_int_equal(local.count, n - 2 * (VTB_POOL_LOCAL_CAPACITY / 2));
    assert_int_equal(local.counters.returns, n);

    /* Renting drains the local cache first, then takes a batch. */
    uint32_t local_left = local.count;
    for (uint32_t i = 0; i < local_left; i++)
        rent_ok(&pool, &r[i]);
    assert_int_equal(local.count, 0);
    assert_int_equal(local.counters.shared_takes, 0);
    rent_ok(&pool, &r[local_left]);
    assert_int_equal(local.counters.shared_takes, 1);
    assert_int_equal(vtb_pool_shared_count(&pool), VTB_POOL_LOCAL_CAPACITY / 2);
    assert_int_equal(local.count, VTB_POOL_LOCAL_CAPACITY / 2 - 1);
    assert_int_equal(local.counters.misses, n);
    assert_int_equal(vtb_pool_created(&pool), n);
    for (uint32_t i = 0; i <= local_left; i++)
        finish(&r[i], 0);
    vtb_pool_local_detach(&local);
    assert_int_equal(vtb_pool_shared_count(&pool), n);
    vtb_pool_fini(&pool);
}

static void test_detach_returns_local_to_shared(void **state)
{
    (void)state;
    struct vtb_pool pool;
    struct vtb_pool_local local, second;
    struct rented r[5];
    pool_init(&pool, 16);
    vtb_pool_local_attach(&pool, &local);
    for (int i = 0; i < 5; i++)
        rent_ok(&pool, &r[i]);
    for (int i = 0; i < 5; i++)
        finish(&r[i], 0);
    assert_int_equal(local.count, 5);
    vtb_pool_local_detach(&local);
    assert_int_equal(local.count, 0);
    assert_null(local.pool);
    assert_int_equal(local.counters.shared_spills, 1);
    assert_int_equal(vtb_pool_shared_count(&pool), 5);

    vtb_pool_local_attach(&pool, &second);
    struct rented again;
    rent_ok(&pool, &again);
    assert_true(contains(r, 5, again.source));
    assert_int_equal(second.counters.shared_takes, 1);
    assert_int_equal(second.counters.misses, 0);
    assert_int_equal(second.count, 4);
    assert_int_equal(vtb_pool_created(&pool), 5);
    finish(&again, 0);
    vtb_pool_local_detach(&second);
    vtb_pool_fini(&pool);
}

static void test_orphan_rent_and_return(void **state)
{
    (void)state;
    struct vtb_pool pool;
    struct rented r, again;
    pool_init(&pool, 4);
    rent_ok(&pool, &r);
    finish(&r, 1);
    struct vtb_pool_counters shared;
    vtb_pool_counters_shared(&pool, &shared);
    assert_int_equal(shared.rents, 1);
    assert_int_equal(shared.misses, 1);
    assert_int_equal(shared.returns, 1);
    assert_int_equal(vtb_pool_shared_count(&pool), 1);
    rent_ok(&pool, &again);
    assert_ptr_equal(again.source, r.source);
    assert_int_equal(again.token, (vtb_token)(r.token + 1));
    finish(&again, 2);
    vtb_pool_counters_shared(&pool, &shared);
    assert_int_equal(shared.rents, 2);
    assert_int_equal(shared.misses, 1);
    assert_int_equal(shared.returns, 2);
    assert_int_equal(shared.high_water, 1);
    vtb_pool_fini(&pool);
}

/* Consumes sources on another thread, optionally through its own local. */
struct consumer {
    struct vtb_pool *pool;
    struct rented *items;
    size_t n;
    bool attach;
    int failures;
    struct vtb_pool_counters local_counters;
};

static void *consumer_main(void *arg)
{
    struct consumer *c = arg;
    struct vtb_pool_local local;
    if (c->attach)
        vtb_pool_local_attach(c->pool, &local);
    for (size_t i = 0; i < c->n; i++) {
        uint64_t value = 0;
        if (vtb_source_get_result(c->items[i].source, c->items[i].token, &value) != 0 ||
            value != 1000 + i)
            c->failures++;
    }
    if (c->attach) {
        c->local_counters = local.counters;
        vtb_pool_local_detach(&local);
    }
    return NULL;
}

static void return_from_other_thread(bool attach)
{
    enum { n = 3 };
    struct vtb_pool pool;
    struct vtb_pool_local local;
    struct rented r[n];
    pool_init(&pool, 16);
    vtb_pool_local_attach(&pool, &local);
    for (size_t i = 0; i < n; i++) {
        rent_ok(&pool, &r[i]);
        assert_int_equal(vtb_source_set_result(r[i].source, 1000 + i), 0);
    }
    struct consumer c;
    memset(&c, 0, sizeof(c));
    c.pool = &pool;
    c.items = r;
    c.n = n;
    c.attach = attach;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, consumer_main, &c), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(c.failures, 0);

    struct vtb_pool_counters shared;
    vtb_pool_counters_shared(&pool, &shared);
    if (attach) {
        /* Returned into the other thread's local, spilled when it detached. */
        assert_int_equal(c.local_counters.returns, n);
        assert_int_equal(shared.returns, 0);
    } else {
        assert_int_equal(shared.returns, n);
    }
    assert_int_equal(local.counters.returns, 0);
    assert_int_equal(vtb_pool_shared_count(&pool), n);

    /* This thread's local is empty; it takes them back and reuses them. */
    struct rented again[n];
    for (size_t i = 0; i < n; i++) {
        rent_ok(&pool, &again[i]);
        assert_true(contains(r, n, again[i].source));
        for (size_t j = 0; j < i; j++)
            assert_ptr_not_equal(again[i].source, again[j].source);
    }
    assert_int_equal(local.counters.misses, n);
    assert_int_equal(local.counters.shared_takes, 1);
    assert_int_equal(vtb_pool_created(&pool), n);
    for (size_t i = 0; i < n; i++)
        finish(&again[i], i);
    vtb_pool_local_detach(&local);
    vtb_pool_fini(&pool);
}

static void test_return_from_thread_without_local(void **state)
{
    (void)state;
    return_from_other_thread(false);
}

static void test_return_from_thread_with_local(void **state)
{
    (void)state;
    return_from_other_thread(true);
}

static void test_local_of_other_pool_is_ignored(void **state)
{
    (void)state;
    struct vtb_pool a, b;
    struct vtb_pool_local local;
    struct rented r;
    pool_init(&a, 4);
    pool_init(&b, 4);
    vtb_pool_local_attach(&a, &local);
    /* The attached local belongs to a: b's traffic goes through its shared
     * stack and orphan counters, and a's local never holds b's sources. */
    rent_ok(&b, &r);
    finish(&r, 3);
    assert_int_equal(local.counters.rents, 0);
    assert_int_equal(local.count, 0);
    assert_int_equal(vtb_pool_shared_count(&b), 1);
    struct vtb_pool_counters shared;
    vtb_pool_counters_shared(&b, &shared);
    assert_int_equal(shared.rents, 1);
    assert_int_equal(shared.returns, 1);
    vtb_pool_local_detach(&local);
    vtb_pool_fini(&a);
    vtb_pool_fini(&b);
}

static void test_counters_add(void **state)
{
    (void)state;
    struct vtb_pool_counters dst = {1, 2, 3, 4, 5, 10};
    struct vtb_pool_counters src = {10, 20, 30, 40, 50, 7};
    vtb_pool_counters_add(&dst, &src);
    assert_int_equal(dst.rents, 11);
    assert_int_equal(dst.returns, 22);
    assert_int_equal(dst.misses, 33);
    assert_int_equal(dst.shared_takes, 44);
    assert_int_equal(dst.shared_spills, 55);
    assert_int_equal(dst.high_water, 10); /* the maximum, not the sum */
    src.high_water = 12;
    vtb_pool_counters_add(&dst, &src);
    assert_int_equal(dst.high_water, 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_bad_config),
        cmocka_unit_test(test_counters_exact),
        cmocka_unit_test(test_warm_pool_has_no_misses),
        cmocka_unit_test(test_bound_exhausted),
        cmocka_unit_test(test_bound_exhausted_without_local),
        cmocka_unit_test(test_local_spill_and_take),
        cmocka_unit_test(test_detach_returns_local_to_shared),
        cmocka_unit_test(test_orphan_rent_and_return),
        cmocka_unit_test(test_return_from_thread_without_local),
        cmocka_unit_test(test_return_from_thread_with_local),
        cmocka_unit_test(test_local_of_other_pool_is_ignored),
        cmocka_unit_test(test_counters_add),
    };
    return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
