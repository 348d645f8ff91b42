/*
 * The conformance suite: every registered implementation (vtb_impl_count /
 * vtb_impl_at) must pass every test here, in both completion modes (the
 * worker's own loop, a separate completion thread) and both continuation
 * modes (inline, posted). It checks what the benchmark relies on: correct
 * values on hits and misses, cache-aside insertion before completion, TTL
 * expiry, force_async, the misuse errors, where continuations run, and the
 * exact allocations each strategy makes per call, from the library's own
 * counters in every build and, where the build links jemalloc, cross-checked
 * against jemalloc's per-thread byte counts.
 *
 * Nothing here depends on timing: a miss completing on the worker's loop
 * cannot complete before the test runs that loop, and a miss completing on
 * the completion thread is held back, where the order matters, by a gate
 * posted to that thread ahead of the fetch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "vtb/backend_internal.h"
#include "vtb/impl.h"
#include "vtb/service_internal.h"

struct mode {
    enum vtb_completion_mode completion;
    enum vtb_continuation_mode continuation;
};

static struct mode modes[] = {
    {VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_INLINE},
    {VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED},
    {VTB_COMPLETE_ON_THREAD, VTB_CONTINUE_INLINE},
    {VTB_COMPLETE_ON_THREAD, VTB_CONTINUE_POSTED},
};

/* The implementation the running group tests. */
static const struct vtb_impl_ops *current_ops;

struct fixture {
    const struct vtb_impl_ops *ops;
    struct mode mode;
    struct vtb_service *svc;
    struct vtb_worker worker;
    void *impl_state;
    bool open;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    if (fx == NULL)
        return -1;
    fx->ops = current_ops;
    fx->mode = *(const struct mode *)*state;
    *state = fx;
    return 0;
}

/* Creates the service and this thread's worker; the knobs tests vary. */
static void open_service(struct fixture *fx, uint64_t ttl_ns, bool force_async)
{
    struct vtb_service_config config;
    vtb_service_config_default(&config);
    /* Room to spare in every stripe, so that no test's keys evict each
     * other whatever the cache's hash does with them. */
    config.cache.capacity = 8192;
    config.cache.ttl_ns = ttl_ns;
    config.backend.completion = fx->mode.completion;
    config.backend.continuation = fx->mode.continuation;
    config.force_async = force_async;
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_service_new(&config, &fx->svc, &err);
    if (rc != 0)
        fail_msg("vtb_service_new: %s", err.message);
    assert_int_equal(fx->svc->has_completion_thread,
                     fx->mode.completion == VTB_COMPLETE_ON_THREAD);
    assert_int_equal(vtb_worker_init(fx->svc, &fx->worker, 0), 0);
    assert_ptr_equal(vtb_worker_current(), &fx->worker);
    assert_ptr_equal(vtb_loop_current(), &fx->worker.loop);
    if (fx->ops->state_size > 0) {
        fx->impl_state = calloc(1, fx->ops->state_size);
        assert_non_null(fx->impl_state);
    }
    if (fx->ops->init != NULL)
        assert_int_equal(fx->ops->init(fx->impl_state, &fx->worker), 0);
    fx->open = true;
}

/* Counters that live on the completion thread, read there. */
struct remote_counters {
    struct vtb_worker *worker;
    struct vtb_cache_counters cache;
    struct vtb_pool_counters pool;
};

static void read_remote(void *arg)
{
    struct remote_counters *rc = arg;
    rc->cache = rc->worker->cache_counters;
    rc->pool = rc->worker->pool_local.counters;
}

static void remote_counters(struct fixture *fx, struct remote_counters *out)
{
    memset(out, 0, sizeof(*out));
    if (!fx->svc->has_completion_thread)
        return;
    out->worker = fx->svc->completion_worker;
    assert_int_equal(vtb_service_call_on_completion_thread(fx->svc, read_remote, out), 0);
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    if (fx->open) {
        /* Every test leaves the service quiet: nothing pending on the
         * worker's loop, every rented source back in the pool. */
        assert_false(vtb_loop_has_pending(&fx->worker.loop));
        assert_int_equal(fx->worker.fetch_failures, 0);
        struct remote_counters remote;
        remote_counters(fx, &remote);
        struct vtb_pool_counters pool = fx->worker.pool_local.counters, shared;
        vtb_pool_counters_add(&pool, &remote.pool);
        vtb_pool_counters_shared(&fx->svc->pool, &shared);
        vtb_pool_counters_add(&pool, &shared);
        assert_int_equal(pool.rents, pool.returns);
        if (fx->ops->fini != NULL)
            fx->ops->fini(fx->impl_state);
        vtb_worker_fini(&fx->worker);
        assert_null(vtb_worker_current());
        /* Frees the pool and joins the completion thread; only then may
         * the worker, whose loop that thread may still wake, go. */
        vtb_service_free(fx->svc);
        free(fx->impl_state);
    }
    free(fx);
    return 0;
}

/* A new implementation must add its line to vtbt_expectation_for; the
 * allocation tests fail for one they know nothing about. */
static const struct vtbt_expectation *expectation_for(const struct vtb_impl_ops *ops)
{
    const struct vtbt_expectation *ex = vtbt_expectation_for(ops->name);
    if (ex == NULL)
        fail_msg("no allocation expectation for implementation '%s': add one", ops->name);
    return ex;
}

static bool is_thread_mode(const struct fixture *fx)
{
    return fx->mode.completion == VTB_COMPLETE_ON_THREAD;
}

/* Starts get(key) and checks that it took the path expected of it. */
static struct vtb_vresult start_get(struct fixture *fx, uint64_t key, bool expect_hit)
{
    struct vtb_worker *w = &fx->worker;
    uint64_t hits = w->cache_counters.hits, misses = w->cache_counters.misses;
    uint64_t fetches = w->fetches_started;
    struct vtb_vresult r = fx->ops->get(fx->impl_state, w, key);
    /* A get that could not start comes back as an error result. */
    if (vtb_vresult_kind(&r) == VTB_VRESULT_ERROR)
        fail_msg("get(%llu) failed to start: %s", (unsigned long long)key,
                 vtb_err_name((int)(int64_t)r.payload));
    if (expect_hit) {
        assert_int_equal(w->cache_counters.hits, hits + 1);
        assert_int_equal(w->fetches_started, fetches);
        /* A hit is synchronous: consumable at once. */
        assert_true(vtb_vresult_is_completed(&r));
    } else {
        if (!fx->svc->config.force_async)
            assert_int_equal(w->cache_counters.misses, misses + 1);
        assert_int_equal(w->fetches_started, fetches + 1);
        assert_int_not_equal(vtb_vresult_kind(&r), VTB_VRESULT_VALUE);
        /* On the worker's loop nothing completes until the loop runs. */
        if (!is_thread_mode(fx))
            assert_false(vtb_vresult_is_completed(&r));
    }
    return r;
}

/* One get(key) to completion, checking the path and the value. */
static void get_checked(struct fixture *fx, uint64_t key, bool expect_hit)
{
    struct vtb_vresult r = start_get(fx, key, expect_hit);
    uint64_t value = 0;
    assert_int_equal(vtbt_await(&fx->worker, &r, &value), 0);
    assert_int_equal(value, vtb_backend_value(key));
    assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_CONSUMED);
}

static bool in_cache(struct fixture *fx, uint64_t key, uint64_t *value)
{
    struct vtb_cache_counters scratch = {0};
    return vtb_cache_get(fx->svc->cache, key, value, &scratch);
}

static void test_impl_table(void **state)
{
    (void)state;
    const struct vtb_impl_ops *ops = current_ops;
    assert_int_equal(vtb_impl_validate(ops), 0);
    assert_int_equal(ops->version, VTB_IMPL_OPS_VERSION);
    assert_non_null(ops->summary);
    assert_true(strlen(ops->summary) > 0);
    assert_ptr_equal(vtb_impl_find(ops->name), ops);
    size_t seen = 0;
    for (size_t i = 0; i < vtb_impl_count(); i++)
        seen += strcmp(vtb_impl_at(i)->name, ops->name) == 0;
    assert_int_equal(seen, 1);
    assert_null(vtb_impl_at(vtb_impl_count()));
    assert_null(vtb_impl_find("no-such-impl"));
}

static void test_values_on_hits_and_misses(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, false);
    const struct vtbt_expectation *ex = expectation_for(fx->ops);
    for (uint64_t key = 0; key < 64; key++)
        get_checked(fx, key * 7919 + 3, false);
    for (uint64_t key = 0; key < 64; key++) {
        struct vtb_vresult r = start_get(fx, key * 7919 + 3, true);
        /* A strategy that allocates nothing on a hit hands back the value. */
        if (ex->hit_object == 0)
            assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_VALUE);
        uint64_t value = 0;
        assert_int_equal(vtb_vresult_get(&r, &value), 0);
        assert_int_equal(value, vtb_backend_value(key * 7919 + 3));
    }
    assert_int_equal(fx->worker.cache_counters.hits, 64);
    assert_int_equal(fx->worker.cache_counters.misses, 64);
    assert_int_equal(fx->worker.fetches_started, 64);
}

struct lookup_probe {
    struct vtbt_waiter waiter;
    struct vtb_cache *cache;
    uint64_t key;
    bool found;
    uint64_t value;
};

/* A continuation that looks its key up again before signalling. */
static void lookup_fn(void *state)
{
    struct lookup_probe *p = state;
    struct vtb_cache_counters scratch = {0};
    p->found = vtb_cache_get(p->cache, p->key, &p->value, &scratch);
    vtbt_waiter_fn(&p->waiter);
}

static void test_cache_aside_insert(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, false);
    const uint64_t key = 1000;
    uint64_t value = 0;
    struct vtbt_gate gate;
    vtbt_gate_close(fx->svc, &gate);
    struct vtb_vresult r = start_get(fx, key, false);
    assert_false(in_cache(fx, key, &value));
    struct lookup_probe p = {.cache = fx->svc->cache, .key = key};
    vtbt_waiter_init(&p.waiter, &fx->worker.loop);
    assert_int_equal(vtb_vresult_on_completed(&r, lookup_fn, &p), 0);
    vtbt_gate_open(&gate);
    while (vtbt_waiter_runs(&p.waiter) == 0)
        vtb_loop_run(&fx->worker.loop, VTB_LOOP_ONCE);
    /* The value was in the cache before the operation completed. */
    assert_true(p.found);
    assert_int_equal(p.value, vtb_backend_value(key));
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, vtb_backend_value(key));
    assert_true(in_cache(fx, key, &value));
    assert_int_equal(value, vtb_backend_value(key));
    /* And the next get is a synchronous hit. */
    get_checked(fx, key, true);
}

static void test_ttl_expiry(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 20 * 1000000ull, false);
    const uint64_t key = 77;
    get_checked(fx, key, false);
    /* Well past the TTL and the coarse clock's tick. */
    vtbt_sleep_ms(80);
    uint64_t expirations = fx->worker.cache_counters.expirations;
    get_checked(fx, key, false);
    assert_int_equal(fx->worker.cache_counters.expirations, expirations + 1);
    assert_int_equal(fx->worker.cache_counters.misses, 2);
}

static void test_long_ttl_keeps_entries(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 3600ull * 1000000000ull, false);
    get_checked(fx, 78, false);
    get_checked(fx, 78, true);
    assert_int_equal(fx->worker.cache_counters.expirations, 0);
}

static void test_force_async(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, true);
    for (int round = 0; round < 3; round++) {
        for (uint64_t key = 0; key < 8; key++) {
            struct vtb_vresult r = start_get(fx, key, false);
            if (vtb_vresult_kind(&r) == VTB_VRESULT_TASK)
                assert_int_equal(((struct vtb_task *)r.word)->layout, VTB_TASK_LAYOUT_PENDING);
            uint64_t value = 0;
            assert_int_equal(vtbt_await(&fx->worker, &r, &value), 0);
            assert_int_equal(value, vtb_backend_value(key));
        }
    }
    assert_int_equal(fx->worker.fetches_started, 24);
    /* The lookup is skipped, not made to miss. */
    assert_int_equal(fx->worker.cache_counters.hits, 0);
    assert_int_equal(fx->worker.cache_counters.misses, 0);
    /* The miss path still fills the cache. */
    uint64_t value = 0;
    assert_true(in_cache(fx, 5, &value));
    assert_int_equal(value, vtb_backend_value(5));
}

static void test_continuation_placement(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, false);
    const bool thread = is_thread_mode(fx);
    const bool posted = fx->mode.continuation == VTB_CONTINUE_POSTED;
    for (uint64_t key = 500; key < 510; key++) {
        struct vtb_loop_counters before = fx->worker.loop.counters;
        struct vtb_cache_counters cache_before = fx->worker.cache_counters;
        struct remote_counters remote_before, remote_after;
        remote_counters(fx, &remote_before);

        struct vtbt_gate gate;
        vtbt_gate_close(fx->svc, &gate);
        struct vtb_vresult r = start_get(fx, key, false);
        struct vtbt_waiter w;
        vtbt_waiter_init(&w, &fx->worker.loop);
        assert_int_equal(vtb_vresult_on_completed(&r, vtbt_waiter_fn, &w), 0);
        assert_int_equal(vtbt_waiter_runs(&w), 0);
        vtbt_gate_open(&gate);
        while (vtbt_waiter_runs(&w) == 0)
            vtb_loop_run(&fx->worker.loop, VTB_LOOP_ONCE);
        uint64_t value = 0;
        assert_int_equal(vtb_vresult_get(&r, &value), 0);
        assert_int_equal(value, vtb_backend_value(key));
        assert_int_equal(vtbt_waiter_runs(&w), 1);

        /* Inline continuations run on the completing thread; posted ones
         * come back to the worker's loop as one queued or posted item. */
        const struct vtb_loop_counters *after = &fx->worker.loop.counters;
        assert_int_equal(atomic_load(&w.ran_elsewhere), thread && !posted);
        assert_int_equal(after->works_run - before.works_run, posted ? 1 : 0);
        assert_int_equal(after->posts_received - before.posts_received, thread && posted ? 1 : 0);
        /* The fetch completes where the completion mode says, and the
         * completing thread inserts the value with its own counters. */
        assert_int_equal(after->timers_fired - before.timers_fired, thread ? 0 : 1);
        assert_int_equal(fx->worker.cache_counters.inserts - cache_before.inserts, thread ? 0 : 1);
        remote_counters(fx, &remote_after);
        assert_int_equal(remote_after.cache.inserts - remote_before.cache.inserts, thread ? 1 : 0);
    }
}

static void test_many_in_flight(void **state)
{
    struct fixture *fx = *state;
    enum { n = 32 };
    open_service(fx, 0, false);
    struct vtb_vresult r[n];
    for (uint64_t i = 0; i < n; i++)
        r[i] = start_get(fx, 9000 + i, false);
    /* Awaited in reverse: the others complete meanwhile, unobserved. */
    for (int i = n - 1; i >= 0; i--) {
        uint64_t value = 0;
        assert_int_equal(vtbt_await(&fx->worker, &r[i], &value), 0);
        assert_int_equal(value, vtb_backend_value(9000 + (uint64_t)i));
    }
    for (uint64_t i = 0; i < n; i++)
        get_checked(fx, 9000 + i, true);
}

static void test_misuse_consumed_twice(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, false);
    uint64_t value;
    /* A miss, then a hit, each consumed twice through the same handle. */
    for (int hit = 0; hit <= 1; hit++) {
        struct vtb_vresult r = start_get(fx, 42, hit);
        assert_int_equal(vtbt_await(&fx->worker, &r, &value), 0);
        assert_int_equal(value, vtb_backend_value(42));
        value = 0;
        assert_int_equal(vtb_vresult_get(&r, &value), VTB_ESTALE);
        assert_int_equal(value, 0);
    }
}

static void test_misuse_pooled_copy_stale(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, false);
    struct vtb_vresult r = start_get(fx, 43, false);
    if (vtb_vresult_kind(&r) != VTB_VRESULT_SOURCE) {
        /* Only pooled handles can detect a copy; consume and stop. */
        uint64_t value;
        assert_int_equal(vtbt_await(&fx->worker, &r, &value), 0);
        return;
    }
    struct vtb_vresult copy = r;
    uint64_t value = 0;
    assert_int_equal(vtbt_await(&fx->worker, &r, &value), 0);
    assert_int_equal(value, vtb_backend_value(43));
    value = 0;
    assert_int_equal(vtb_vresult_get(&copy, &value), VTB_ESTALE);
    assert_int_equal(value, 0);
    /* Still stale once the source serves the next miss. */
    struct vtb_vresult next = start_get(fx, 44, false);
    assert_int_equal(vtb_vresult_get(&copy, &value), VTB_ESTALE);
    assert_int_equal(vtbt_await(&fx->worker, &next, &value), 0);
    assert_int_equal(value, vtb_backend_value(44));
}

static void test_misuse_read_before_completion(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, false);
    struct vtbt_gate gate;
    vtbt_gate_close(fx->svc, &gate);
    struct vtb_vresult r = start_get(fx, 45, false);
    uint64_t value = 12345;
    /* Refused at once, not waited for, and not consumed. */
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ENOTREADY);
    assert_int_equal(value, 12345);
    assert_int_not_equal(vtb_vresult_kind(&r), VTB_VRESULT_CONSUMED);
    vtbt_gate_open(&gate);
    assert_int_equal(vtbt_await(&fx->worker, &r, &value), 0);
    assert_int_equal(value, vtb_backend_value(45));
}

static void test_misuse_second_continuation(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, false);
    struct vtbt_gate gate;
    vtbt_gate_close(fx->svc, &gate);
    struct vtb_vresult r = start_get(fx, 46, false);
    struct vtbt_waiter first, second;
    vtbt_waiter_init(&first, &fx->worker.loop);
    vtbt_waiter_init(&second, &fx->worker.loop);
    assert_int_equal(vtb_vresult_on_completed(&r, vtbt_waiter_fn, &first), 0);
    assert_int_equal(vtb_vresult_on_completed(&r, vtbt_waiter_fn, &second), VTB_ECONTINUATION);
    vtbt_gate_open(&gate);
    while (vtbt_waiter_runs(&first) == 0)
        vtb_loop_run(&fx->worker.loop, VTB_LOOP_ONCE);
    uint64_t value = 0;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, vtb_backend_value(46));
    vtb_loop_run(&fx->worker.loop, VTB_LOOP_NOWAIT);
    assert_int_equal(vtbt_waiter_runs(&first), 1);
    assert_int_equal(vtbt_waiter_runs(&second), 0);
}

/* Asserts one measured batch of calls against one object size per call
 * (0: no allocation at all), on both threads, freed as well as allocated. */
static void check_allocs(const struct vtbt_alloc *d, uint64_t calls, size_t object)
{
    uint64_t allocs = object > 0 ? calls : 0;
    assert_int_equal(d->lib.allocs, allocs);
    assert_int_equal(d->lib.requested_bytes, allocs * object);
    assert_int_equal(d->lib.frees, allocs);
    assert_int_equal(d->lib.freed_bytes, allocs * object);
#if VTBT_JEMALLOC
    uint64_t usable = object > 0 ? vtbt_jemalloc_usable(object) : 0;
    assert_int_equal(d->je_allocated, calls * usable);
    assert_int_equal(d->je_deallocated, calls * usable);
#endif
}

static void measure_begin(struct fixture *fx, struct vtbt_alloc *before)
{
    /* A first read may set up the allocator's per-thread state. */
    vtbt_alloc_snapshot(fx->svc, before);
    vtbt_alloc_snapshot(fx->svc, before);
}

static void measure_end(struct fixture *fx, const struct vtbt_alloc *before,
                        struct vtbt_alloc *delta)
{
    struct vtbt_alloc after;
    vtbt_alloc_snapshot(fx->svc, &after);
    vtbt_alloc_sub(delta, &after, before);
}

static void test_allocations_on_hits(void **state)
{
    struct fixture *fx = *state;
    enum { n = 200 };
    open_service(fx, 0, false);
    const struct vtbt_expectation *ex = expectation_for(fx->ops);
    for (uint64_t key = 0; key < n; key++)
        get_checked(fx, key, false);
    struct vtbt_alloc before, d;
    measure_begin(fx, &before);
    for (uint64_t key = 0; key < n; key++)
        get_checked(fx, key, true);
    measure_end(fx, &before, &d);
    check_allocs(&d, n, ex->hit_object);
}

static void measure_misses(struct fixture *fx, uint64_t first_key)
{
    enum { warm = 8, n = 200 };
    const struct vtbt_expectation *ex = expectation_for(fx->ops);
    /* Warm-up: the pool (if any) creates what one call in flight needs. */
    for (uint64_t key = 0; key < warm; key++)
        get_checked(fx, first_key + key, false);
    uint64_t pool_misses = fx->worker.pool_local.counters.misses;
    uint32_t created = vtb_pool_created(&fx->svc->pool);
    struct vtbt_alloc before, d;
    measure_begin(fx, &before);
    for (uint64_t key = warm; key < warm + n; key++)
        get_checked(fx, first_key + key, false);
    measure_end(fx, &before, &d);
    check_allocs(&d, n, ex->miss_object);
    if (ex->miss_object == 0) {
        assert_int_equal(fx->worker.pool_local.counters.misses, pool_misses);
        assert_int_equal(vtb_pool_created(&fx->svc->pool), created);
    }
}

static void test_allocations_on_misses(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, false);
    measure_misses(fx, 100000);
}

static void test_allocations_force_async(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, 0, true);
    /* Every call takes the miss path, the same key included. */
    measure_misses(fx, 0);
    struct vtbt_alloc before, d;
    measure_begin(fx, &before);
    for (int i = 0; i < 50; i++)
        get_checked(fx, 3, false);
    measure_end(fx, &before, &d);
    check_allocs(&d, 50, expectation_for(fx->ops)->miss_object);
}

#define PER_MODE(f)                                                   \
    {#f "/loop/inline", f, setup, teardown, &modes[0]},               \
    {#f "/loop/posted", f, setup, teardown, &modes[1]},               \
    {#f "/thread/inline", f, setup, teardown, &modes[2]},             \
    {#f "/thread/posted", f, setup, teardown, &modes[3]}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impl_table),
        PER_MODE(test_values_on_hits_and_misses),
        PER_MODE(test_cache_aside_insert),
        PER_MODE(test_ttl_expiry),
        PER_MODE(test_long_ttl_keeps_entries),
        PER_MODE(test_force_async),
        PER_MODE(test_continuation_placement),
        PER_MODE(test_many_in_flight),
        PER_MODE(test_misuse_consumed_twice),
        PER_MODE(test_misuse_pooled_copy_stale),
        PER_MODE(test_misuse_read_before_completion),
        PER_MODE(test_misuse_second_continuation),
        PER_MODE(test_allocations_on_hits),
        PER_MODE(test_allocations_on_misses),
        PER_MODE(test_allocations_force_async),
    };
    printf("allocation counts: %s\n",
           VTBT_JEMALLOC ? "library counters + jemalloc cross-check"
                         : "library counters (sanitizer build, jemalloc absent)");
    fflush(stdout);
    if (vtb_impl_count() == 0) {
        fprintf(stderr, "no implementations registered\n");
        return 1;
    }
    int failed = 0;
    for (size_t i = 0; i < vtb_impl_count(); i++) {
        char name[128];
        current_ops = vtb_impl_at(i);
        snprintf(name, sizeof(name), "conformance/%s", current_ops->name);
        failed += cmocka_run_group_tests_name(name, tests, NULL, NULL);
    }
    return failed;
}
