/*
 * Cross-thread stress tests of the completion machinery, sized to finish in
 * a few seconds under ThreadSanitizer on two cores.
 *
 * The first group drives every implementation through the completion
 * thread, with inline and with posted continuations, from two workers that
 * each keep several operations in flight: every value is checked, every
 * continuation must run exactly once, every rented source must come back
 * (rents == returns) and every allocation must be freed. The second group
 * races two threads on one task or source, thousands of times: a completion
 * against a continuation registration (the continuation runs exactly once,
 * wherever the race put it), two completions (exactly one wins and its value
 * is the one read), and two consumers of a source (exactly one succeeds).
 * Outcomes are checked, never timings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "vtb/backend_internal.h"
#include "vtb/impl.h"
#include "vtb/pool_internal.h"
#include "vtb/rng.h"
#include "vtb/service_internal.h"

enum {
    stress_workers = 2,
    stress_ops = 2500,  /* per worker */
    stress_in_flight = 8,
    stress_keys = 1024, /* over a 256-entry cache: mostly misses */
};

struct stress_params {
    const char *impl;
    enum vtb_continuation_mode continuation;
};

struct stress_worker {
    pthread_t thread;
    struct vtb_service *svc;
    const struct vtb_impl_ops *ops;
    unsigned index;
    struct vtb_worker worker; /* outlives the thread: see test_support.h */
    uint64_t bad_values;
    uint64_t bad_runs;        /* continuations that ran other than once */
    uint64_t failures;        /* gets or registrations that failed */
    uint64_t completed;
    struct vtb_alloc_counts allocs; /* this thread's delta */
};

struct slot {
    struct vtb_vresult r;
    uint64_t key;
    bool busy;
    struct vtbt_waiter waiter;
};

static void consume(struct stress_worker *sw, struct slot *s)
{
    uint64_t value = 0;
    if (vtb_vresult_get(&s->r, &value) != 0)
        sw->failures++;
    else if (value != vtb_backend_value(s->key))
        sw->bad_values++;
    sw->completed++;
}

static void *stress_main(void *arg)
{
    struct stress_worker *sw = arg;
    struct vtb_alloc_counts before, after;
    if (vtb_worker_init(sw->svc, &sw->worker, sw->index) != 0) {
        sw->failures++;
        return NULL;
    }
    struct vtb_worker *w = &sw->worker;
    void *state = NULL;
    if (sw->ops->state_size > 0)
        state = calloc(1, sw->ops->state_size);
    if (sw->ops->init != NULL && sw->ops->init(state, w) != 0)
        sw->failures++;
    struct vtb_rng rng;
    vtb_rng_seed(&rng, 2024, sw->index);
    struct slot slots[stress_in_flight];
    memset(slots, 0, sizeof(slots));
    vtb_alloc_counts_get(&before);

    uint64_t issued = 0;
    while (sw->completed < stress_ops) {
        unsigned busy = 0;
        for (int i = 0; i < stress_in_flight; i++) {
            struct slot *s = &slots[i];
            if (!s->busy && issued < stress_ops) {
                s->key = vtb_rng_below(&rng, stress_keys);
                s->r = sw->ops->get(state, w, s->key);
                issued++;
                if (vtb_vresult_is_completed(&s->r)) {
                    consume(sw, s);
                    continue;
                }
                vtbt_waiter_init(&s->waiter, &w->loop);
                if (vtb_vresult_on_completed(&s->r, vtbt_waiter_fn, &s->waiter) != 0) {
                    sw->failures++;
                    sw->completed++;
                    continue;
                }
                s->busy = true;
            }
            if (s->busy) {
                unsigned runs = vtbt_waiter_runs(&s->waiter);
                if (runs == 0) {
                    busy++;
                    continue;
                }
                if (runs != 1)
                    sw->bad_runs++;
                s->busy = false;
                consume(sw, s);
            }
        }
        /* Sleep only while everything in flight still waits. */
        if (busy == stress_in_flight || (busy > 0 && issued == stress_ops))
            vtb_loop_run(&w->loop, VTB_LOOP_ONCE);
    }
    /* Nothing may run late or twice. */
    vtb_loop_run(&w->loop, VTB_LOOP_NOWAIT);
    for (int i = 0; i < stress_in_flight; i++)
        if (slots[i].busy || (vtbt_waiter_runs(&slots[i].waiter) > 1))
            sw->bad_runs++;
    if (vtb_loop_has_pending(&w->loop))
        sw->failures++;

    vtb_alloc_counts_get(&after);
    vtb_alloc_counts_sub(&sw->allocs, &after, &before);
    if (sw->ops->fini != NULL)
        sw->ops->fini(state);
    free(state);
    vtb_worker_fini(w);
    return NULL;
}

struct remote {
    struct vtb_worker *worker;
    struct vtb_alloc_counts allocs;
    struct vtb_pool_counters pool;
    struct vtb_cache_counters cache;
};

static void read_remote(void *arg)
{
    struct remote *r = arg;
    vtb_alloc_counts_get(&r->allocs);
    r->pool = r->worker->pool_local.counters;
    r->cache = r->worker->cache_counters;
}

static void test_cross_thread_stress(void **state)
{
    const struct stress_params *params = *state;
    const struct vtb_impl_ops *ops = vtb_impl_find(params->impl);
    if (ops == NULL)
        skip(); /* not built into this library */
    const struct vtbt_expectation *ex = vtbt_expectation_for(ops->name);
    assert_non_null(ex);

    struct vtb_service_config config;
    vtb_service_config_default(&config);
    config.cache.capacity = 256;
    config.backend.completion = VTB_COMPLETE_ON_THREAD;
    config.backend.continuation = params->continuation;
    struct vtb_service *svc = NULL;
    assert_int_equal(vtb_service_new(&config, &svc, NULL), 0);

    struct remote remote_before = {.worker = svc->completion_worker}, remote_after;
    remote_after = remote_before;
    assert_int_equal(vtb_service_call_on_completion_thread(svc, read_remote, &remote_before), 0);

    struct stress_worker *sws = calloc(stress_workers, sizeof(*sws));
    assert_non_null(sws);
    for (unsigned i = 0; i < stress_workers; i++) {
        sws[i].svc = svc;
        sws[i].ops = ops;
        sws[i].index = i;
        assert_int_equal(pthread_create(&sws[i].thread, NULL, stress_main, &sws[i]), 0);
    }
    for (unsigned i = 0; i < stress_workers; i++)
        assert_int_equal(pthread_join(sws[i].thread, NULL), 0);
    assert_int_equal(vtb_service_call_on_completion_thread(svc, read_remote, &remote_after), 0);

    uint64_t ops_total = (uint64_t)stress_workers * stress_ops;
    uint64_t hits = 0, misses = 0, fetches = 0;
    struct vtb_pool_counters pool = {0}, shared;
    struct vtb_alloc_counts allocs = {0}, remote_allocs;
    for (unsigned i = 0; i < stress_workers; i++) {
        struct stress_worker *sw = &sws[i];
        assert_int_equal(sw->failures, 0);
        assert_int_equal(sw->bad_values, 0);
        assert_int_equal(sw->bad_runs, 0);
        assert_int_equal(sw->completed, stress_ops);
        assert_int_equal(sw->worker.fetch_failures, 0);
        hits += sw->worker.cache_counters.hits;
        misses += sw->worker.cache_counters.misses;
        fetches += sw->worker.fetches_started;
        vtb_pool_counters_add(&pool, &sw->worker.pool_local.counters);
        vtb_alloc_counts_add(&allocs, &sw->allocs);
    }
    vtb_alloc_counts_sub(&remote_allocs, &remote_after.allocs, &remote_before.allocs);
    vtb_alloc_counts_add(&allocs, &remote_allocs);
    vtb_pool_counters_add(&pool, &remote_after.pool);
    vtb_pool_counters_shared(&svc->pool, &shared);
    vtb_pool_counters_add(&pool, &shared);

    assert_int_equal(hits + misses, ops_total);
    assert_int_equal(fetches, misses);
    assert_true(misses > 0); /* the cache started empty */
    /* Every miss was inserted by the completion thread. */
    assert_int_equal(remote_after.cache.inserts + remote_after.cache.updates -
                         remote_before.cache.inserts - remote_before.cache.updates,
                     misses);
    /* Every source came back. */
    assert_int_equal(pool.rents, pool.returns);
    assert_int_equal(pool.rents, ex->miss_object == 0 ? misses : 0);

    /* Exact allocations for the strategy. A strategy that allocates per
     * call frees everything before the service goes; the pool creates its
     * sources on demand and frees them with the service. */
    uint64_t expected_allocs, expected_bytes;
    if (ex->miss_object > 0) {
        expected_allocs = misses + (ex->hit_object > 0 ? hits : 0);
        expected_bytes = misses * ex->miss_object + (ex->hit_object > 0 ? hits * ex->hit_object : 0);
        assert_int_equal(allocs.frees, expected_allocs);
        assert_int_equal(allocs.freed_bytes, expected_bytes);
    } else {
        expected_allocs = vtb_pool_created(&svc->pool);
        expected_bytes = expected_allocs * sizeof(struct vtb_source);
        /* At most what was ever in flight at once, plus local caching. */
        assert_true(expected_allocs <= stress_workers * stress_in_flight);
        assert_int_equal(pool.misses, expected_allocs);
        assert_int_equal(allocs.frees, 0);
    }
    assert_int_equal(allocs.allocs, expected_allocs);
    assert_int_equal(allocs.requested_bytes, expected_bytes);

    struct vtb_alloc_counts main_before, main_after, main_delta;
    vtb_alloc_counts_get(&main_before);
    vtb_service_free(svc);
    vtb_alloc_counts_get(&main_after);
    vtb_alloc_counts_sub(&main_delta, &main_after, &main_before);
    /* Freeing the service frees exactly the pool's sources. */
    assert_int_equal(allocs.frees + main_delta.frees, allocs.allocs);
    free(sws);
}

/*
 * Two threads racing on one object, iteration after iteration: the test
 * thread releases iteration i through `go`, waits until the helper has
 * seen it, both act, and the helper reports through `done`. Which side gets there first is steered rather
 * than left to chance: one side is delayed by a number of pauses, and a
 * feedback loop moves that delay toward the point where each side wins
 * about half the time, which is where the two calls overlap most. (The
 * sanitizers slow the two sides unequally; a fixed jitter would leave one
 * path untested.) Only outcomes are asserted, never who won how often.
 */
enum {
    race_iterations = 3000,
    race_jitter_pauses = 64, /* random delay on both sides */
    race_step_pauses = 8,    /* feedback step */
    race_bias_max = 2048,    /* bounds the cost when a thread is preempted */
};

struct race {
    pthread_t thread;
    atomic_uint go;
    atomic_uint started; /* the helper saw go: both threads are running */
    atomic_uint done;
    void (*helper_fn)(struct race *race);
    /* The object of the current iteration and the helper's delay, written
     * before `go`. */
    struct vtb_task_pending *pending;
    struct vtb_source *source;
    vtb_token token;
    uint64_t value;
    unsigned helper_pauses;
    /* What the helper saw, read after `done`. */
    int helper_rc;
    uint64_t helper_value;
    /* The test thread's: > 0 delays it, < 0 delays the helper. */
    int bias;
    unsigned test_first;
    struct vtb_rng rng;
};

static void pause_n(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#else
        atomic_signal_fence(memory_order_seq_cst);
#endif
    }
}

static void *race_main(void *arg)
{
    struct race *race = arg;
    for (unsigned i = 1; i <= race_iterations; i++) {
        unsigned spins = 0;
        while (atomic_load_explicit(&race->go, memory_order_acquire) != i)
            vtbt_spin(&spins);
        atomic_store_explicit(&race->started, i, memory_order_relaxed);
        pause_n(race->helper_pauses);
        race->helper_fn(race);
        atomic_store_explicit(&race->done, i, memory_order_release);
    }
    return NULL;
}

static void race_start(struct race *race, void (*helper_fn)(struct race *race), uint64_t seed)
{
    memset(race, 0, sizeof(*race));
    atomic_init(&race->go, 0);
    atomic_init(&race->started, 0);
    atomic_init(&race->done, 0);
    race->helper_fn = helper_fn;
    vtb_rng_seed(&race->rng, seed, 0);
    assert_int_equal(pthread_create(&race->thread, NULL, race_main, race), 0);
}

/* Releases iteration i and returns when the test thread should act. */
static void race_go(struct race *race, unsigned i)
{
    unsigned own = (unsigned)vtb_rng_below(&race->rng, race_jitter_pauses);
    race->helper_pauses = (unsigned)vtb_rng_below(&race->rng, race_jitter_pauses);
    if (race->bias > 0)
        own += (unsigned)race->bias;
    else
        race->helper_pauses += (unsigned)-race->bias;
    atomic_store_explicit(&race->go, i, memory_order_release);
    /* Start the delays together, or a helper still waking up would lose
     * every race whatever the bias. */
    unsigned spins = 0;
    while (atomic_load_explicit(&race->started, memory_order_relaxed) != i)
        vtbt_spin(&spins);
    pause_n(own);
}

static void race_wait(struct race *race, unsigned i)
{
    unsigned spins = 0;
    while (atomic_load_explicit(&race->done, memory_order_acquire) != i)
        vtbt_spin(&spins);
}

/* Feeds back who acted first in the iteration just finished. */
static void race_record(struct race *race, bool test_thread_first)
{
    race->test_first += test_thread_first;
    race->bias += test_thread_first ? race_step_pauses : -race_step_pauses;
    if (race->bias > race_bias_max)
        race->bias = race_bias_max;
    if (race->bias < -race_bias_max)
        race->bias = -race_bias_max;
}

/* The continuation of the registration race: counts, and reads the result
 * through the object without consuming it. */
struct race_probe {
    atomic_uint runs;
    struct vtb_core *core;
    int seen_status;
    uint64_t seen_value;
};

static void race_probe_fn(void *state)
{
    struct race_probe *p = state;
    p->seen_status = (int)vtb__core_status(p->core);
    vtb__core_outcome(p->core, &p->seen_value);
    atomic_fetch_add_explicit(&p->runs, 1, memory_order_release);
}

static void helper_complete(struct race *race)
{
    if (race->pending != NULL) {
        race->helper_rc = vtb_task_set_result(&race->pending->task, race->value);
        vtb_task_release(&race->pending->task); /* the producer's reference */
    } else {
        race->helper_rc = vtb_source_set_result(race->source, race->value);
    }
}

/* One completion against one registration, on a task or a source. */
static void race_registration(bool use_source, bool run_async)
{
    struct vtb_loop loop;
    struct vtb_pool pool;
    struct vtb_pool_local local;
    struct vtb_pool_config pool_config = {.max_sources = 4, .run_async = run_async};
    assert_int_equal(vtb_loop_init(&loop, 4), 0);
    vtb_loop_set_current(&loop);
    assert_int_equal(vtb_pool_init(&pool, &pool_config), 0);
    vtb_pool_local_attach(&pool, &local);
    struct race race;
    race_start(&race, helper_complete, 7);

    for (unsigned i = 1; i <= race_iterations; i++) {
        struct race_probe probe;
        atomic_init(&probe.runs, 0);
        probe.seen_status = -1;
        probe.seen_value = 0;
        race.value = 1000 + i;
        race.pending = NULL;
        race.source = NULL;
        if (use_source) {
            assert_int_equal(vtb_pool_rent(&pool, &race.source, &race.token), 0);
            probe.core = &race.source->core;
        } else {
            assert_int_equal(vtb_task_new_pending(run_async ? VTB_CORE_RUN_ASYNC : 0,
                                                  &race.pending), 0);
            probe.core = &race.pending->task.core;
        }
        struct vtb_task *task = race.pending != NULL ? &race.pending->task : NULL;
        uint64_t posts = loop.counters.posts_received;
        race_go(&race, i);
        int rc = use_source
                     ? vtb_source_on_completed(race.source, race_probe_fn, &probe, race.token)
                     : vtb_task_on_completed(task, race_probe_fn, &probe);
        assert_int_equal(rc, 0);
        race_wait(&race, i);
        assert_int_equal(race.helper_rc, 0);
        /* Both calls have returned: the continuation ran during the
         * completion, or waits on this thread's loop (posted by the
         * completer, or queued by a registration that came second). It
         * must be neither lost nor doubled. */
        unsigned before_loop = atomic_load_explicit(&probe.runs, memory_order_acquire);
        vtb_loop_run(&loop, VTB_LOOP_NOWAIT);
        assert_int_equal(atomic_load_explicit(&probe.runs, memory_order_acquire), 1);
        assert_false(vtb_loop_has_pending(&loop));
        assert_int_equal(probe.seen_status, VTB_STATUS_SUCCEEDED);
        assert_int_equal(probe.seen_value, 1000 + i);
        if (run_async) {
            /* Never inside the completion, whichever came first. */
            assert_int_equal(before_loop, 0);
            race_record(&race, loop.counters.posts_received != posts);
        } else {
            race_record(&race, before_loop == 1);
        }

        uint64_t value = 0;
        if (use_source) {
            assert_int_equal(vtb_source_get_result(race.source, race.token, &value), 0);
        } else {
            assert_int_equal(vtb_task_get_result(task, &value), 0);
            vtb_task_release(task);
        }
        assert_int_equal(value, 1000 + i);
    }
    assert_int_equal(pthread_join(race.thread, NULL), 0);
    print_message("registration came first in %u of %u\n", race.test_first,
                  (unsigned)race_iterations);
    if (use_source) {
        assert_int_equal(local.counters.rents, race_iterations);
        assert_int_equal(local.counters.returns, race_iterations);
        assert_int_equal(vtb_pool_created(&pool), 1);
    }
    vtb_pool_local_detach(&local);
    vtb_pool_fini(&pool);
    vtb_loop_fini(&loop);
}

static void test_race_task_registration_inline(void **state)
{
    (void)state;
    race_registration(false, false);
}

static void test_race_task_registration_run_async(void **state)
{
    (void)state;
    race_registration(false, true);
}

static void test_race_source_registration_inline(void **state)
{
    (void)state;
    race_registration(true, false);
}

static void test_race_source_registration_run_async(void **state)
{
    (void)state;
    race_registration(true, true);
}

static void helper_complete_other(struct race *race)
{
    /* The helper offers a different value; whoever wins, one value stands. */
    if (race->pending != NULL)
        race->helper_rc = vtb_task_set_result(&race->pending->task, race->value + 1);
    else
        race->helper_rc = vtb_source_set_result(race->source, race->value + 1);
}

/* Two completions racing: exactly one succeeds, and its value is read. */
static void race_completions(bool use_source)
{
    struct vtb_pool pool;
    struct vtb_pool_local local;
    struct vtb_pool_config pool_config = {.max_sources = 4, .run_async = false};
    assert_int_equal(vtb_pool_init(&pool, &pool_config), 0);
    vtb_pool_local_attach(&pool, &local);
    struct race race;
    race_start(&race, helper_complete_other, 8);
    for (unsigned i = 1; i <= race_iterations; i++) {
        race.value = 2 * (uint64_t)i;
        race.pending = NULL;
        race.source = NULL;
        if (use_source)
            assert_int_equal(vtb_pool_rent(&pool, &race.source, &race.token), 0);
        else
            assert_int_equal(vtb_task_new_pending(0, &race.pending), 0);
        race_go(&race, i);
        int rc = use_source ? vtb_source_set_result(race.source, race.value)
                            : vtb_task_set_result(&race.pending->task, race.value);
        race_wait(&race, i);
        /* Exactly one winner; the loser is told so. */
        assert_true((rc == 0 && race.helper_rc == VTB_EALREADY) ||
                    (rc == VTB_EALREADY && race.helper_rc == 0));
        race_record(&race, rc == 0);
        uint64_t expected = rc == 0 ? race.value : race.value + 1;
        uint64_t value = 0;
        if (use_source) {
            assert_int_equal(vtb_source_get_result(race.source, race.token, &value), 0);
        } else {
            assert_int_equal(vtb_task_get_result(&race.pending->task, &value), 0);
            vtb_task_release(&race.pending->task);
            vtb_task_release(&race.pending->task);
        }
        assert_int_equal(value, expected);
    }
    assert_int_equal(pthread_join(race.thread, NULL), 0);
    print_message("the test thread completed first in %u of %u\n", race.test_first,
                  (unsigned)race_iterations);
    vtb_pool_local_detach(&local);
    vtb_pool_fini(&pool);
}

static void test_race_task_completions(void **state)
{
    (void)state;
    race_completions(false);
}

static void test_race_source_completions(void **state)
{
    (void)state;
    race_completions(true);
}

static void helper_consume(struct race *race)
{
    race->helper_rc = vtb_source_get_result(race->source, race->token, &race->helper_value);
}

/* Two consumers of one completed source: exactly one gets the value, the
 * other VTB_ESTALE (never VTB_ENOTREADY, though the winner resets the
 * source under it), and the source goes back to the pool once. */
static void test_race_source_consumers(void **state)
{
    (void)state;
    struct vtb_pool pool;
    struct vtb_pool_config pool_config = {.max_sources = 4, .run_async = false};
    assert_int_equal(vtb_pool_init(&pool, &pool_config), 0);
    /* No local on either thread: both return through the shared stack. */
    struct race race;
    race_start(&race, helper_consume, 9);
    for (unsigned i = 1; i <= race_iterations; i++) {
        race.value = 3 * (uint64_t)i;
        assert_int_equal(vtb_pool_rent(&pool, &race.source, &race.token), 0);
        assert_int_equal(vtb_source_set_result(race.source, race.value), 0);
        race.helper_value = 0;
        race_go(&race, i);
        uint64_t value = 0;
        int rc = vtb_source_get_result(race.source, race.token, &value);
        race_wait(&race, i);
        if (!((rc == 0 && race.helper_rc == VTB_ESTALE) ||
              (rc == VTB_ESTALE && race.helper_rc == 0)))
            fail_msg("iteration %u: the test thread got %s, the helper %s", i, vtb_err_name(rc),
                     vtb_err_name(race.helper_rc));
        race_record(&race, rc == 0);
        assert_int_equal(rc == 0 ? value : race.helper_value, race.value);
        assert_int_equal(vtb_source_token(race.source), (vtb_token)(race.token + 1));
    }
    assert_int_equal(pthread_join(race.thread, NULL), 0);
    print_message("the test thread consumed in %u of %u\n", race.test_first,
                  (unsigned)race_iterations);
    struct vtb_pool_counters shared;
    vtb_pool_counters_shared(&pool, &shared);
    assert_int_equal(shared.rents, race_iterations);
    assert_int_equal(shared.returns, race_iterations);
    assert_int_equal(vtb_pool_shared_count(&pool), vtb_pool_created(&pool));
    vtb_pool_fini(&pool);
}

static struct stress_params stress_params[] = {
    {"alloc-task", VTB_CONTINUE_INLINE},
    {"alloc-task", VTB_CONTINUE_POSTED},
    {"value-task", VTB_CONTINUE_INLINE},
    {"value-task", VTB_CONTINUE_POSTED},
    {"pooled", VTB_CONTINUE_INLINE},
    {"pooled", VTB_CONTINUE_POSTED},
};

#define STRESS(name, i) {"test_cross_thread_stress/" name, test_cross_thread_stress, NULL, NULL, \
                         &stress_params[i]}

int main(void)
{
    const struct CMUnitTest tests[] = {
        STRESS("alloc-task/inline", 0),
        STRESS("alloc-task/posted", 1),
        STRESS("value-task/inline", 2),
        STRESS("value-task/posted", 3),
        STRESS("pooled/inline", 4),
        STRESS("pooled/posted", 5),
        cmocka_unit_test(test_race_task_registration_inline),
        cmocka_unit_test(test_race_task_registration_run_async),
        cmocka_unit_test(test_race_source_registration_inline),
        cmocka_unit_test(test_race_source_registration_run_async),
        cmocka_unit_test(test_race_task_completions),
        cmocka_unit_test(test_race_source_completions),
        cmocka_unit_test(test_race_source_consumers),
    };
    return cmocka_run_group_tests_name("stress", tests, NULL, NULL);
}
