/*
 * Tests of the run plan (harness/measure/plan.c), on quantities the model
 * fixes exactly: the files a run writes, the cache's memory, the limits
 * (a run over a day or too many files is flagged, one just under is not),
 * the worst case of repetitions = auto, the lock wait that contended
 * mutexes add to a threaded cell, and a Redis miss's round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "plan.h"
#include "scenario.h"
#include "vtb/cache.h"

static const struct vtb_plan_outputs outputs = {.files_per_record = 3, .files_per_run = 7};

/* A scenario from a list of overrides (NULL-terminated). */
static void make(struct vtb_scenario *s, const char *const *sets)
{
    struct vtb_error err;
    assert_int_equal(vtb_scenario_init(s, NULL), 0);
    assert_int_equal(vtb_scenario_override(s, "name=plan", &err), 0);
    for (const char *const *p = sets; *p != NULL; p++)
        if (vtb_scenario_override(s, *p, &err) != 0)
            fail_msg("%s: %s", *p, err.message);
}

static void plan(const char *const *sets, size_t impls, struct vtb_plan *out)
{
    struct vtb_scenario s;
    struct vtb_error err;
    make(&s, sets);
    assert_int_equal(vtb_plan_run(&s, impls, &outputs, false, out, &err), 0);
    vtb_scenario_fini(&s);
}

static void test_files_are_counted_exactly(void **state)
{
    const char *const sets[] = {"hit_ratio=0,0.5,1", "threads=1,2", NULL};
    struct vtb_plan p;
    (void)state;
    plan(sets, 3, &p);
    assert_int_equal(p.cells, 6);
    assert_int_equal(p.files, 7 + 6 * 3 * 3);
    assert_false(p.too_many_files);
}

static void test_cache_memory_is_the_caches_footprint(void **state)
{
    const char *const sets[] = {"keys=1000000", "hit_ratio=1", NULL};
    struct vtb_plan p;
    (void)state;
    plan(sets, 3, &p);
    /* Exact mode sizes the cache for the pinned hit set and room to spare. */
    struct vtb_cache_config cache = {.capacity = 2 * 1000000 + 1024,
                                     .lock = VTB_CACHE_LOCK_SEQLOCK};
    size_t bytes = 0;
    assert_int_equal(vtb_cache_footprint(&cache, &bytes), 0);
    assert_int_equal(p.biggest.cache_bytes, bytes);
    assert_int_equal(p.biggest.cache_entries, cache.capacity);
    assert_true(p.memory_bytes >= bytes);
}

static void test_a_run_over_a_day_is_flagged(void **state)
{
    /* A minute per miss, a million misses: years. */
    const char *const years[] = {"hit_ratio=0", "miss_latency=60s", "ops=1M", NULL};
    const char *const small[] = {"hit_ratio=0", "miss_latency=60s", "ops=10", "warmup=0",
                                 "repetitions=1", NULL};
    struct vtb_plan p;
    (void)state;
    plan(years, 1, &p);
    assert_true(p.too_long);
    assert_true(p.slowest.latency_bound);
    assert_true(p.seconds > VTB_PLAN_MAX_SECONDS);
    plan(small, 1, &p);
    assert_false(p.too_long);
    /* 10 misses x 60 s x (1 repetition + warm-up's none), plus the floor's
     * lookups: ten minutes and a little. */
    assert_true(p.seconds >= 600 && p.seconds < 700);
}

static void test_auto_repetitions_have_a_worst_case(void **state)
{
    const char *const fixed[] = {"repetitions=5", NULL};
    const char *const autom[] = {"repetitions=auto", "max_time=10s", NULL};
    struct vtb_plan p;
    (void)state;
    plan(fixed, 3, &p);
    assert_true(fabs(p.seconds_most - p.seconds) < 1e-9);
    plan(autom, 3, &p);
    assert_true(p.seconds_most > p.seconds);
    /* At worst, max_time of rounds (whole rounds: it may overshoot by one). */
    assert_true(p.seconds_most >= 10.0);
}

static void test_contended_locks_cost_time(void **state)
{
    const char *const seqlock[] = {"threads=8", "hit_ratio=1", "cache_lock=seqlock", NULL};
    const char *const global[] = {"threads=8", "hit_ratio=1", "cache_lock=global", NULL};
    const char *const one[] = {"threads=1", "hit_ratio=1", "cache_lock=global", NULL};
    const char *const one_seq[] = {"threads=1", "hit_ratio=1", "cache_lock=seqlock", NULL};
    struct vtb_plan a, b, c, d;
    (void)state;
    plan(seqlock, 3, &a);
    plan(global, 3, &b);
    assert_true(fabs(b.slowest.per_op_ns - a.slowest.per_op_ns -
                     7 * VTB_PLAN_GLOBAL_LOCK_NS) < 1e-9);
    assert_true(b.seconds > a.seconds);
    /* One thread waits for nobody. */
    plan(one, 3, &c);
    plan(one_seq, 3, &d);
    assert_true(fabs(c.slowest.per_op_ns - d.slowest.per_op_ns) < 1e-9);
}

/* A miss to Redis waits out a round trip (VTB_PLAN_REDIS_MISS_NS), not the
 * 400 ns of a sim miss completing on the next loop turn; the run pays once
 * for its server. */
static void test_redis_misses_wait_out_a_round_trip(void **state)
{
    const char *const redis[] = {"backend=redis", "hit_ratio=0", "ops=100000",
                                 "repetitions=1", "keys=100000", NULL};
    const char *const sim[] = {"backend=sim", "hit_ratio=0", "ops=100000",
                               "repetitions=1", "keys=100000", NULL};
    const char *const measured[] = {"backend=sim, redis", "miss_latency=measured",
                                    "hit_ratio=0", NULL};
    struct vtb_plan r, m, q;
    (void)state;
    plan(redis, 3, &r);
    plan(sim, 3, &m);
    assert_true(r.slowest.latency_bound);
    assert_true(r.slowest.redis);
    assert_true(fabs(r.slowest.per_op_ns - VTB_PLAN_REDIS_MISS_NS) < 1e-9);
    assert_true(fabs(r.slowest.miss_latency_ns - VTB_PLAN_REDIS_MISS_NS) < 1e-9);
    assert_true(fabs(m.slowest.per_op_ns - VTB_PLAN_MISS_NS) < 1e-9);
    /* The server: started, and its 100,000 keys loaded. */
    double server_s = VTB_PLAN_REDIS_START_S + 100000 * VTB_PLAN_REDIS_LOAD_NS_PER_KEY / 1e9;
    assert_true(fabs(r.server_seconds - server_s) < 1e-9);
    assert_true(m.server_seconds == 0);
    /* Exactly: 3 implementations x 100,000 measured misses and 4 warm-ups of
     * 10,000 (3 implementations and the floor, whose floor run has no
     * misses), each a round trip instead of a sim miss, and the server. */
    double misses = 3 * 100000.0 + 4 * 10000.0;
    double delta = misses * (VTB_PLAN_REDIS_MISS_NS - VTB_PLAN_MISS_NS) / 1e9 + server_s;
    assert_true(fabs(r.seconds - m.seconds - delta) < 1e-6);
    /* The hostile tester's run took 9.1 s: the plan is within a factor of two. */
    assert_true(r.seconds > 9.1 / 2 && r.seconds < 9.1 * 2);
    /* measured stands for the server's round trip, in the sim cells too. */
    plan(measured, 1, &q);
    assert_true(q.slowest.redis);
    assert_true(fabs(q.slowest.per_op_ns - VTB_PLAN_REDIS_MISS_NS) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_are_counted_exactly),
        cmocka_unit_test(test_cache_memory_is_the_caches_footprint),
        cmocka_unit_test(test_a_run_over_a_day_is_flagged),
        cmocka_unit_test(test_auto_repetitions_have_a_worst_case),
        cmocka_unit_test(test_contended_locks_cost_time),
        cmocka_unit_test(test_redis_misses_wait_out_a_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
