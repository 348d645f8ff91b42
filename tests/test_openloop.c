/*
 * Tests of the open-loop driver (harness/measure/openloop.c): its schedule, the
 * coordinated-omission correction, the rate check, and short runs against a
 * real service.
 *
 * The correction is tested the way it is usually explained: a schedule of
 * one operation per millisecond whose first operation stalls for 100 ms. A
 * single-slot driver cannot issue the 100 operations due during the stall
 * until it ends, so they each wait (100 - k) ms; a closed loop, or an open
 * loop that measures from the actual issue, records one slow operation and
 * 999 fast ones. The schedule is simulated with synthetic times, so the
 * expected percentiles follow exactly from sorting the simulated latencies
 * and the test sleeps for nothing; only the histogram's precision (3
 * significant digits) separates the two.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "driver.h"
#include "histogram.h"
#include "keygen.h"
#include "openloop.h"
#include "scenario.h"
#include "vtb/impl.h"
#include "vtb/service.h"

#define US UINT64_C(1000)
#define MS UINT64_C(1000000)

static void init_hist(struct vtb_hist *h)
{
    assert_int_equal(vtb_hist_init(h, 1, INT64_C(100000000000), 3), 0);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The exact percentile with the histogram's rank rule: the value at rank
 * ceil(p / 100 * n) (at least 1) of the sorted values, p taken one ulp
 * down so that 99.9% of 1000 is rank 999, not 1000. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(nextafter(p, 0.0) * (double)n / 100.0);
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

/* Histogram percentile equals the exact one to 3 significant digits. */
static void assert_close(int64_t got, uint64_t want)
{
    double tolerance = (double)want * 1e-3 + 1.0;
    if (fabs((double)got - (double)want) > tolerance)
        fail_msg("percentile %lld, expected %llu (+-%.0f)", (long long)got,
                 (unsigned long long)want, tolerance);
}

static void test_schedule_fixed(void **state)
{
    (void)state;
    struct vtb_openloop_schedule s;
    /* 3 ops per second on a 1e9-tick clock: gaps of 333333333.3 ticks, and
     * operation i at exactly floor(i * 1e9 / 3), with no drift. */
    assert_int_equal(vtb_openloop_schedule_init(&s, 1000, 1e9, 3.0, false, 1, 0), 0);
    for (uint64_t i = 0; i < 3000; i++)
        assert_int_equal(vtb_openloop_schedule_next(&s),
                         1000 + (uint64_t)((double)i * (1e9 / 3.0)));
    assert_int_equal(vtb_openloop_schedule_init(&s, 0, 1e9, 0.0, false, 1, 0), VTB_EINVAL);
    assert_int_equal(vtb_openloop_schedule_init(&s, 0, 0.0, 1.0, false, 1, 0), VTB_EINVAL);
    assert_int_equal(vtb_openloop_schedule_init(&s, 0, 1e9, NAN, false, 1, 0), VTB_EINVAL);
}

static void test_schedule_poisson(void **state)
{
    (void)state;
    enum { N = 200000 };
    struct vtb_openloop_schedule a, b;
    /* 1M ops/s on a ns clock: mean gap 1000 ns, exponential, so the gaps'
     * standard deviation equals their mean. */
    assert_int_equal(vtb_openloop_schedule_init(&a, 0, 1e9, 1e6, true, 42, 3), 0);
    assert_int_equal(vtb_openloop_schedule_init(&b, 0, 1e9, 1e6, true, 42, 3), 0);
    assert_int_equal(vtb_openloop_schedule_next(&a), 0); /* operation 0 at the start */
    assert_int_equal(vtb_openloop_schedule_next(&b), 0);
    uint64_t prev = 0;
    double sum = 0, sum2 = 0;
    for (int i = 1; i < N; i++) {
        uint64_t t = vtb_openloop_schedule_next(&a);
        assert_int_equal(t, vtb_openloop_schedule_next(&b)); /* repeatable */
        assert_true(t >= prev);
        double gap = (double)(t - prev);
        sum += gap;
        sum2 += gap * gap;
        prev = t;
    }
    double mean = sum / (N - 1), sd = sqrt(sum2 / (N - 1) - mean * mean);
    /* 200k draws: the mean is within 1% (about 4.5 standard errors). */
    assert_true(fabs(mean - 1000.0) < 10.0);
    assert_true(fabs(sd - 1000.0) < 30.0);
}

/*
 * The stall. Intended starts every 1 ms; each operation takes 1 us, except
 * operation 0 which takes 100 ms; one slot, so an operation is issued at
 * max(intended, end of the previous one). Operations 1..100 are due during
 * the stall: operation k is issued at 100 ms + (k - 1) us and ends at
 * 100 ms + k us, so its corrected latency is 100 ms - k ms + k us. From
 * operation 101 on (due at 101 ms > 100.1 ms) the driver is on time again.
 *
 * With 1000 operations theory gives, corrected: 899 operations of 1 us,
 * then 0.1 ms (k = 100), 1.099 ms, ... up to 100 ms (k = 0), so
 *   p50 = 1 us, p90 = rank 900 = k 100 = 0.1 ms, p95 = rank 950 = k 50 = 50.05 ms,
 *   p99 = rank 990 = k 10 = 90.01 ms, max = 100 ms,
 *   mean = (100 ms + sum_k (100 - k) ms + k us + 899 us) / 1000 ~ 5.06 ms;
 * uncorrected: 999 operations of 1 us and one of 100 ms, so p99 = p99.9 =
 * 1 us, max = 100 ms, mean ~ 0.101 ms. A closed loop would report the same
 * as the uncorrected figures: a p99 of 1 us for a system that kept a tenth
 * of its users waiting for up to 100 ms.
 */
static void test_correction_stall(void **state)
{
    (void)state;
    enum { N = 1000 };
    static uint64_t intended[N], issued[N], ended[N], corrected[N], uncorrected[N];
    struct vtb_hist all, hit, miss, unc;
    init_hist(&all);
    init_hist(&hit);
    init_hist(&miss);
    init_hist(&unc);
    struct vtb_openloop_hists h = {&all, &hit, &miss, &unc};

    struct vtb_openloop_schedule s;
    assert_int_equal(vtb_openloop_schedule_init(&s, 0, 1e9, 1000.0, false, 1, 0), 0);
    uint64_t free_at = 0; /* when the single slot is free again */
    for (size_t i = 0; i < N; i++) {
        intended[i] = vtb_openloop_schedule_next(&s);
        issued[i] = intended[i] > free_at ? intended[i] : free_at;
        ended[i] = issued[i] + (i == 0 ? 100 * MS : 1 * US);
        free_at = ended[i];
        /* The stalled operation is the miss; the rest are hits. */
        vtb_openloop_record(&h, intended[i], issued[i], ended[i], i != 0, 1.0);
        corrected[i] = ended[i] - intended[i];
        uncorrected[i] = ended[i] - issued[i];
    }
    assert_int_equal(issued[1], 100 * MS);
    assert_int_equal(issued[100], 100 * MS + 99 * US);
    assert_int_equal(issued[101], 101 * MS);

    qsort(corrected, N, sizeof(corrected[0]), cmp_u64);
    qsort(uncorrected, N, sizeof(uncorrected[0]), cmp_u64);
    static const double levels[] = {50.0, 90.0, 95.0, 99.0, 99.9, 100.0};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        assert_close(vtb_hist_value_at_percentile(&all, levels[i]),
                     exact_percentile(corrected, N, levels[i]));
        assert_close(vtb_hist_value_at_percentile(&unc, levels[i]),
                     exact_percentile(uncorrected, N, levels[i]));
    }
    /* The figures theory predicts (see above). */
    assert_close(vtb_hist_value_at_percentile(&all, 50.0), 1 * US);
    assert_close(vtb_hist_value_at_percentile(&all, 90.0), 100 * US);
    assert_close(vtb_hist_value_at_percentile(&all, 95.0), 50 * MS + 50 * US);
    assert_close(vtb_hist_value_at_percentile(&all, 99.0), 90 * MS + 10 * US);
    assert_int_equal(vtb_hist_max(&all), 100 * MS);
    assert_close(vtb_hist_value_at_percentile(&unc, 99.0), 1 * US);
    assert_close(vtb_hist_value_at_percentile(&unc, 99.9), 1 * US);
    assert_int_equal(vtb_hist_max(&unc), 100 * MS);
    double want_mean = 0;
    for (size_t i = 0; i < N; i++)
        want_mean += (double)(ended[i] - intended[i]) / N;
    assert_true(fabs(vtb_hist_mean(&all) - want_mean) < want_mean * 1e-3);
    assert_true(want_mean > 5.0 * MS && want_mean < 5.1 * MS);
    assert_true(vtb_hist_mean(&unc) < 0.11 * MS);

    /* Every operation is counted once in all and uncorrected, and once in
     * hit or miss. */
    assert_int_equal(vtb_hist_total_count(&all), N);
    assert_int_equal(vtb_hist_total_count(&unc), N);
    assert_int_equal(vtb_hist_total_count(&hit), N - 1);
    assert_int_equal(vtb_hist_total_count(&miss), 1);
    assert_int_equal(vtb_hist_max(&miss), 100 * MS);
    vtb_hist_fini(&all);
    vtb_hist_fini(&hit);
    vtb_hist_fini(&miss);
    vtb_hist_fini(&unc);
}

/* On time, corrected and uncorrected agree; the split histograms are
 * optional; a clock that says "issued early" never makes the corrected
 * latency smaller than the uncorrected one. */
static void test_correction_on_time(void **state)
{
    (void)state;
    struct vtb_hist all, unc;
    init_hist(&all);
    init_hist(&unc);
    struct vtb_openloop_hists h = {&all, NULL, NULL, &unc};
    vtb_openloop_record(&h, 1000, 1000, 1500, true, 1.0);
    vtb_openloop_record(&h, 2000, 1990, 2500, false, 1.0); /* "early" */
    vtb_openloop_record(&h, 3000, 3000, 3250, true, 2.0);  /* 2 ns per tick */
    assert_int_equal(vtb_hist_min(&all), 500);
    assert_int_equal(vtb_hist_max(&all), 510);
    assert_int_equal(vtb_hist_min(&unc), 500);
    assert_int_equal(vtb_hist_max(&unc), 510);
    assert_int_equal(vtb_hist_total_count(&all), 3);
    vtb_hist_fini(&all);
    vtb_hist_fini(&unc);
}

static void test_rate_reached(void **state)
{
    (void)state;
    /* 1000 ops over 999 ms of schedule. */
    struct vtb_openloop_result r = {
        .first_intended_ticks = 0, .last_intended_ticks = 999 * MS, .last_issued_ticks = 999 * MS};
    assert_true(vtb_openloop_rate_reached(&r, 1000));
    r.last_issued_ticks = 1005 * MS; /* 0.6% behind at the end */
    assert_true(vtb_openloop_rate_reached(&r, 1000));
    r.last_issued_ticks = 1100 * MS; /* 10% behind: saturated */
    assert_false(vtb_openloop_rate_reached(&r, 1000));
    assert_true(vtb_openloop_rate_reached(&r, 1)); /* one op has no rate */
}

/* A worker on this thread with a service in front of a backend of the
 * given latency, and a driver with the runner's histogram shapes. */
struct live {
    struct vtb_service *svc;
    struct vtb_worker worker;
    struct vtb_driver driver;
    struct vtb_hist all, hit, miss, unc;
};

static void live_open(struct live *l, uint64_t miss_latency_ns, unsigned concurrency)
{
    memset(l, 0, sizeof(*l));
    struct vtb_service_config config;
    vtb_service_config_default(&config);
    config.cache.capacity = 1 << 16;
    config.backend.latency = (struct vtb_latency){VTB_LATENCY_FIXED, miss_latency_ns, 0};
    config.timer_capacity = concurrency + 16;
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_service_new(&config, &l->svc, &err) != 0)
        fail_msg("vtb_service_new: %s", err.message);
    assert_int_equal(vtb_worker_init(l->svc, &l->worker, 0), 0);
    /* The hit set, pinned, as the runner preloads it in exact mode. */
    struct vtb_cache_counters ignored = {0};
    for (uint64_t key = 0; key < 1024; key++)
        assert_int_equal(vtb_cache_put(l->svc->cache, key, vtb_backend_value(key),
                                       VTB_CACHE_PIN, &ignored),
                         0);
    init_hist(&l->all);
    init_hist(&l->hit);
    init_hist(&l->miss);
    init_hist(&l->unc);
    struct vtb_key_dist dist = {.kind = VTB_KEY_DIST_UNIFORM};
    struct vtb_keygen keys;
    assert_int_equal(vtb_keygen_init(&keys, &dist, 1024, 1, 0), 0);
    assert_int_equal(vtb_driver_init(&l->driver, &l->worker, &keys, 1, concurrency, &l->all,
                                     &l->hit, &l->miss),
                     0);
}

static void live_close(struct live *l)
{
    vtb_driver_fini(&l->driver);
    vtb_worker_fini(&l->worker);
    vtb_service_free(l->svc);
    vtb_hist_fini(&l->all);
    vtb_hist_fini(&l->hit);
    vtb_hist_fini(&l->miss);
    vtb_hist_fini(&l->unc);
}

static struct vtb_driver_config live_config(const char *impl, uint64_t ops, unsigned concurrency,
                                            double hit_ratio)
{
    const struct vtb_impl_ops *ops_table = vtb_impl_find(impl);
    assert_non_null(ops_table);
    assert_int_equal(ops_table->state_size, 0); /* value-task and pooled keep none */
    return (struct vtb_driver_config){
        .ops = ops_table,
        .ops_target = ops,
        .concurrency = concurrency,
        .exact = true,
        .hit_ratio = hit_ratio,
        .sample_every = 64, /* ignored: open loop records everything */
        .record = true,
    };
}

/* Well below capacity: every operation completes and is recorded once,
 * values are right, and the schedule is kept. */
static void test_live_on_time(void **state)
{
    (void)state;
    static const char *const impls[] = {"value-task", "pooled"};
    for (size_t i = 0; i < 2; i++) {
        struct live l;
        live_open(&l, 0, 8);
        struct vtb_driver_config config = live_config(impls[i], 4000, 8, 0.5);
        struct vtb_openloop_config open = {.rate_per_s = 200000, .seed = 7, .uncorrected = &l.unc};
        struct vtb_openloop_result r;
        assert_int_equal(vtb_openloop_run(&l.driver, &config, &open, &r), 0);
        const struct vtb_driver_result *d = &l.driver.result;
        assert_int_equal(d->ops, 4000);
        assert_int_equal(d->errors, 0);
        assert_int_equal(d->value_mismatches, 0);
        assert_true(d->sync_ops > 1500 && d->sync_ops < 2500);
        assert_int_equal(vtb_hist_total_count(&l.all), 4000);
        assert_int_equal(vtb_hist_total_count(&l.unc), 4000);
        assert_int_equal(vtb_hist_total_count(&l.hit), (int64_t)d->sync_ops);
        assert_int_equal(vtb_hist_total_count(&l.miss), (int64_t)(4000 - d->sync_ops));
        /* 4000 ops at 200k/s span 20 ms of schedule. */
        double span_ns = vtb_clock_ticks_to_ns(r.last_intended_ticks - r.first_intended_ticks);
        assert_true(fabs(span_ns - 3999 * 5000.0) < 5000.0);
        for (double p = 50; p <= 100; p += 10)
            assert_true(vtb_hist_value_at_percentile(&l.all, p) >=
                        vtb_hist_value_at_percentile(&l.unc, p));
        live_close(&l);
    }
}

/*
 * Coordinated omission with the real driver: one slot, every operation a
 * miss of 200 us, scheduled every 100 us. The driver can only serve one
 * every 200 us, so it falls behind by 100 us per operation: it must say
 * that the rate was not reached, count the waits for a slot, and charge
 * the growing backlog to the corrected latency while the uncorrected one
 * stays at the backend's 200 us.
 */
static void test_live_behind(void **state)
{
    (void)state;
    enum { N = 40 };
    struct live l;
    live_open(&l, 200 * US, 1);
    struct vtb_driver_config config = live_config("pooled", N, 1, 0.0);
    struct vtb_openloop_config open = {.rate_per_s = 10000, .seed = 7, .uncorrected = &l.unc};
    struct vtb_openloop_result r;
    assert_int_equal(vtb_openloop_run(&l.driver, &config, &open, &r), 0);
    assert_int_equal(l.driver.result.ops, N);
    assert_int_equal(l.driver.result.sync_ops, 0);
    assert_int_equal(l.driver.result.errors, 0);
    assert_false(vtb_openloop_rate_reached(&r, N));
    assert_true(r.slot_waits > 0);
    /* The last operation was due at 3.9 ms and issued after 39 misses of
     * 200 us: at least 3.9 ms late. */
    assert_true(vtb_clock_ticks_to_ns(r.max_lag_ticks) >= 3.8e6);
    assert_true(vtb_hist_value_at_percentile(&l.unc, 50) >= (int64_t)(200 * US));
    assert_true(vtb_hist_max(&l.all) >= (int64_t)(4 * MS));
    assert_true(vtb_hist_value_at_percentile(&l.all, 50) >
                2 * vtb_hist_value_at_percentile(&l.unc, 50));
    live_close(&l);
}

static void test_live_invalid(void **state)
{
    (void)state;
    struct live l;
    live_open(&l, 0, 2);
    struct vtb_driver_config config = live_config("value-task", 10, 2, 1.0);
    struct vtb_openloop_config open = {.rate_per_s = 1000, .uncorrected = &l.unc};
    struct vtb_openloop_result r;
    struct vtb_driver_config floor = config;
    floor.ops = NULL; /* the floor is closed-loop only */
    assert_int_equal(vtb_openloop_run(&l.driver, &floor, &open, &r), VTB_EINVAL);
    struct vtb_openloop_config no_rate = open;
    no_rate.rate_per_s = 0;
    assert_int_equal(vtb_openloop_run(&l.driver, &config, &no_rate, &r), VTB_EINVAL);
    struct vtb_openloop_config no_hist = open;
    no_hist.uncorrected = NULL;
    assert_int_equal(vtb_openloop_run(&l.driver, &config, &no_hist, &r), VTB_EINVAL);
    config.concurrency = 3; /* more than the driver's slots */
    assert_int_equal(vtb_openloop_run(&l.driver, &config, &open, &r), VTB_EINVAL);
    live_close(&l);
}

/* The load axis: open:RATE:poisson next to open:RATE, kept apart and
 * written back as given; other arrival names are refused. */
static void test_parse_poisson(void **state)
{
    (void)state;
    static const char text[] = "[scenario]\nname = p\nload = open:10k:poisson, open:10k, "
                               "closed\n";
    struct vtb_scenario s;
    struct vtb_error err;
    vtb_error_clear(&err);
    assert_int_equal(vtb_scenario_parse_buffer(&s, text, sizeof(text) - 1, "p.ini", NULL, &err),
                     0);
    assert_int_equal(vtb_scenario_cell_count(&s), 3);
    struct vtb_cell cell;
    char buf[VTB_AXIS_TEXT_MAX];
    assert_int_equal(vtb_scenario_cell(&s, 0, &cell), 0);
    assert_int_equal(cell.load.kind, VTB_LOAD_OPEN);
    assert_true(cell.load.poisson);
    assert_true(cell.load.rate_per_s == 10000.0);
    assert_string_equal(vtb_cell_format(&cell, VTB_AXIS_load, buf, sizeof(buf)),
                        "open:10000:poisson");
    assert_int_equal(vtb_scenario_cell(&s, 1, &cell), 0);
    assert_false(cell.load.poisson);
    assert_string_equal(vtb_cell_format(&cell, VTB_AXIS_load, buf, sizeof(buf)),
                        "open:10000");
    assert_int_equal(vtb_scenario_cell(&s, 2, &cell), 0);
    assert_int_equal(cell.load.kind, VTB_LOAD_CLOSED);
    vtb_scenario_fini(&s);

    static const char bad[] = "[scenario]\nname = p\nload = open:10k:bursty\n";
    assert_int_equal(vtb_scenario_parse_buffer(&s, bad, sizeof(bad) - 1, "p.ini", NULL, &err),
                     VTB_EINVAL);
    assert_non_null(strstr(err.message, "p.ini:3: load: open: arrivals must be `poisson`"));
    static const char empty[] = "[scenario]\nname = p\nload = open::poisson\n";
    assert_int_equal(vtb_scenario_parse_buffer(&s, empty, sizeof(empty) - 1, "p.ini", NULL, &err),
                     VTB_ESYNTAX);
}

static int setup_clock(void **state)
{
    (void)state;
    return vtb_clock_init(NULL) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_fixed),
        cmocka_unit_test(test_schedule_poisson),
        cmocka_unit_test(test_correction_stall),
        cmocka_unit_test(test_correction_on_time),
        cmocka_unit_test(test_rate_reached),
        cmocka_unit_test(test_parse_poisson),
        cmocka_unit_test(test_live_on_time),
        cmocka_unit_test(test_live_behind),
        cmocka_unit_test(test_live_invalid),
    };
    return cmocka_run_group_tests(tests, setup_clock, NULL);
}
