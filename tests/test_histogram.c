/*
 * Tests of the HDR histogram (harness/results/histogram.c): shape computation against
 * the figures HdrHistogram publishes, percentiles of known distributions,
 * equivalence of record_n and merge with plain recording, overflow clamping,
 * and the percentile iterator against an HdrHistogram port's documented
 * output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "histogram.h"
#include "vtb/error.h"

/* One hour in nanoseconds: the range the runner uses for latencies. */
#define HOUR_NS INT64_C(3600000000000)

static void assert_close(double actual, double expected, double tolerance)
{
    if (fabs(actual - expected) > tolerance)
        fail_msg("%.9f differs from %.9f by more than %.9f", actual, expected, tolerance);
}

static void test_init_rejects_bad_arguments(void **state)
{
    struct vtb_hist h;

    (void)state;
    memset(&h, 0xab, sizeof(h));
    assert_int_equal(vtb_hist_init(NULL, 1, 1000, 3), VTB_EINVAL);
    assert_int_equal(vtb_hist_init(&h, 0, 1000, 3), VTB_EINVAL);
    assert_int_equal(vtb_hist_init(&h, -5, 1000, 3), VTB_EINVAL);
    assert_int_equal(vtb_hist_init(&h, 1, 1000, 0), VTB_EINVAL);
    assert_int_equal(vtb_hist_init(&h, 1, 1000, 6), VTB_EINVAL);
    /* highest_trackable must be at least twice lowest_discernible. */
    assert_int_equal(vtb_hist_init(&h, 600, 1000, 3), VTB_EINVAL);
    assert_int_equal(vtb_hist_init(&h, 1, INT64_MAX, 3), VTB_EINVAL);
    /* A rejected init leaves the struct alone. */
    assert_int_equal(h.significant_figures, (int32_t)0xabababab);

    assert_int_equal(vtb_hist_init(&h, 500, 1000, 3), 0);
    vtb_hist_fini(&h);
    assert_int_equal(vtb_hist_init(&h, 1, INT64_MAX / 2, 5), 0);
    vtb_hist_fini(&h);
    vtb_hist_fini(&h); /* idempotent */
}

/* Bucket figures published by HdrHistogram and its ports for these ranges. */
static void test_shape_matches_hdrhistogram(void **state)
{
    struct vtb_hist h;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    assert_int_equal(h.sub_bucket_count, 2048);
    assert_int_equal(h.bucket_count, 32);
    assert_int_equal(h.unit_magnitude, 0);
    vtb_hist_fini(&h);

    assert_int_equal(vtb_hist_init(&h, 1, INT64_C(3600000000), 3), 0);
    assert_int_equal(h.counts_len, 23552);
    vtb_hist_fini(&h);

    assert_int_equal(vtb_hist_init(&h, 1, INT64_C(1) << 32, 3), 0);
    assert_int_equal(h.bucket_count, 23);
    vtb_hist_fini(&h);

    assert_int_equal(vtb_hist_init(&h, 1, 30000000, 3), 0);
    assert_int_equal(h.bucket_count, 15);
    vtb_hist_fini(&h);

    /* 2 * 10^sigfigs rounded up to a power of two. */
    assert_int_equal(vtb_hist_init(&h, 1, 1000000, 1), 0);
    assert_int_equal(h.sub_bucket_count, 32);
    vtb_hist_fini(&h);
    assert_int_equal(vtb_hist_init(&h, 1, 1000000, 2), 0);
    assert_int_equal(h.sub_bucket_count, 256);
    vtb_hist_fini(&h);
    assert_int_equal(vtb_hist_init(&h, 1, 1000000, 5), 0);
    assert_int_equal(h.sub_bucket_count, 262144);
    vtb_hist_fini(&h);

    /* A coarser unit: lowest_discernible 1000 gives 512-wide steps. */
    assert_int_equal(vtb_hist_init(&h, 1000, HOUR_NS, 3), 0);
    assert_int_equal(h.unit_magnitude, 9);
    assert_int_equal(vtb_hist_lowest_equivalent(&h, 1000), 512);
    assert_int_equal(vtb_hist_highest_equivalent(&h, 1000), 1023);
    vtb_hist_fini(&h);
}

static void test_equivalent_ranges(void **state)
{
    struct vtb_hist h;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    /* Below 2048 every value has its own slot. */
    assert_int_equal(vtb_hist_lowest_equivalent(&h, 2047), 2047);
    assert_int_equal(vtb_hist_highest_equivalent(&h, 2047), 2047);
    /* 2048..4095 in steps of 2, 4096..8191 in steps of 4, and so on. */
    assert_int_equal(vtb_hist_lowest_equivalent(&h, 2049), 2048);
    assert_int_equal(vtb_hist_highest_equivalent(&h, 2049), 2049);
    assert_int_equal(vtb_hist_lowest_equivalent(&h, 5002), 5000);
    assert_int_equal(vtb_hist_highest_equivalent(&h, 5002), 5003);
    assert_int_equal(vtb_hist_lowest_equivalent(&h, 10000), 10000);
    assert_int_equal(vtb_hist_highest_equivalent(&h, 10000), 10007);
    /* At 1 s a slot is 2^19 ns wide: under 1/1000 of the value. */
    assert_int_equal(vtb_hist_lowest_equivalent(&h, 1000000000), 999817216);
    assert_int_equal(vtb_hist_highest_equivalent(&h, 1000000000), 1000341503);
    vtb_hist_fini(&h);
}

static void test_empty_histogram(void **state)
{
    struct vtb_hist h;
    struct vtb_hist_pct_iter it;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    assert_int_equal(vtb_hist_total_count(&h), 0);
    assert_int_equal(vtb_hist_min(&h), 0);
    assert_int_equal(vtb_hist_max(&h), 0);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 50.0), 0);
    assert_true(vtb_hist_mean(&h) == 0.0);
    assert_true(vtb_hist_stddev(&h) == 0.0);
    assert_int_equal(vtb_hist_pct_iter_init(&it, &h, 5), 0);
    assert_false(vtb_hist_pct_iter_next(&it));
    assert_int_equal(vtb_hist_pct_iter_init(&it, &h, 0), VTB_EINVAL);
    vtb_hist_fini(&h);
}

/*
 * Values 1..10000 once each. Expected figures are HdrHistogram's for the same
 * data: the highest value of the slot where the count reaches the rank.
 */
static void test_uniform_percentiles(void **state)
{
    struct vtb_hist h;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    for (int64_t v = 1; v <= 10000; v++)
        vtb_hist_record(&h, v);

    assert_int_equal(vtb_hist_total_count(&h), 10000);
    assert_int_equal(vtb_hist_min(&h), 1);
    assert_int_equal(vtb_hist_max(&h), 10000);
    assert_int_equal(vtb_hist_overflow(&h), 0);

    assert_int_equal(vtb_hist_value_at_percentile(&h, 0.0), 1);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 1.0), 100);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 25.0), 2501);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 50.0), 5003);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 90.0), 9007);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 99.0), 9903);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 99.9), 9991);
    /* 99.99% of 10000 is 9999.000000000002 in binary: must not round up. */
    assert_int_equal(vtb_hist_value_at_percentile(&h, 99.99), 9999);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 100.0), 10007);
    /* Out-of-range requests clamp. */
    assert_int_equal(vtb_hist_value_at_percentile(&h, 150.0), 10007);
    assert_int_equal(vtb_hist_value_at_percentile(&h, -3.0), 1);

    /* Every percentile is within the histogram's 1/10^3 of the exact rank. */
    for (int i = 1; i <= 1000; i++) {
        double p = i / 10.0;
        int64_t rank = (int64_t)ceil(p * 100.0 - 1e-9);
        int64_t got = vtb_hist_value_at_percentile(&h, p);

        assert_true(got >= rank);
        assert_true((double)got <= (double)rank * 1.001);
    }

    /* Exact mean 5000.5 and stddev 2886.75; from bucket middles as HdrHistogram. */
    assert_close(vtb_hist_mean(&h), 5000.898, 1e-9);
    assert_close(vtb_hist_stddev(&h), 2886.8926666566617, 1e-6);
    assert_close(vtb_hist_mean(&h), 5000.5, 5000.5 * 1e-3);
    assert_close(vtb_hist_stddev(&h), 2886.75, 2886.75 * 1e-3);
    vtb_hist_fini(&h);
}

/* 90% fast hits around 100 ns, 10% slow misses at 50 us. */
static void test_bimodal_percentiles(void **state)
{
    struct vtb_hist h;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    for (int i = 0; i < 9000; i++)
        vtb_hist_record(&h, 95 + i % 11); /* 95..105 */
    for (int i = 0; i < 1000; i++)
        vtb_hist_record(&h, 50000);

    /* Rank 5000 of the fast mode, whose 11 values hold ~818 samples each. */
    assert_int_equal(vtb_hist_value_at_percentile(&h, 50.0), 101);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 90.0), 105);
    /* Just past the fast mode the slow one takes over: slot [49984, 50015]. */
    assert_int_equal(vtb_hist_value_at_percentile(&h, 90.01), 50015);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 99.0), 50015);
    assert_int_equal(vtb_hist_min(&h), 95);
    assert_int_equal(vtb_hist_max(&h), 50000);
    /*
     * 0.9 * 99.9990 + 0.1 * 50000: 50000 sits in the 32-wide slot
     * [49984, 50015], whose middle is 50000 itself.
     */
    assert_close(vtb_hist_mean(&h), 5089.9991, 1e-9);
    /* Nearly a two-point distribution: sqrt(0.9 * 0.1) * gap. */
    assert_close(vtb_hist_stddev(&h), 14970.000600671303, 1e-6);
    assert_close(vtb_hist_stddev(&h), 0.3 * (50000.0 - 100.0), 0.01);
    vtb_hist_fini(&h);
}

static void test_record_n_equals_repeated_record(void **state)
{
    struct vtb_hist one, many;
    const int64_t values[] = { 0, 1, 7, 2047, 2048, 2049, 123456, 999999999, 3 };

    (void)state;
    assert_int_equal(vtb_hist_init(&one, 1, HOUR_NS, 3), 0);
    assert_int_equal(vtb_hist_init(&many, 1, HOUR_NS, 3), 0);
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        int64_t count = (int64_t)i + 1;

        vtb_hist_record_n(&many, values[i], count);
        for (int64_t k = 0; k < count; k++)
            vtb_hist_record(&one, values[i]);
    }
    assert_int_equal(vtb_hist_total_count(&many), 45);
    assert_int_equal(vtb_hist_total_count(&one), vtb_hist_total_count(&many));
    assert_memory_equal(one.counts, many.counts, (size_t)one.counts_len * sizeof(int64_t));
    assert_int_equal(vtb_hist_min(&many), 0);
    assert_int_equal(vtb_hist_max(&many), 999999999);
    /*
     * Weighting shows in the percentiles: ranks up to 19 hold 0, 1, 3, 7 and
     * 2047, so rank 23 falls in the slot shared by 2048 and 2049.
     */
    assert_int_equal(vtb_hist_value_at_percentile(&many, 50.0), 2049);
    assert_int_equal(vtb_hist_value_at_percentile(&one, 50.0), 2049);
    assert_int_equal(vtb_hist_value_at_percentile(&many, 40.0), 2047);
    assert_true(vtb_hist_mean(&one) == vtb_hist_mean(&many));
    vtb_hist_fini(&one);
    vtb_hist_fini(&many);
}

static void test_merge_equals_recording_both(void **state)
{
    struct vtb_hist a, b, both, other;

    (void)state;
    assert_int_equal(vtb_hist_init(&a, 1, HOUR_NS, 3), 0);
    assert_int_equal(vtb_hist_init(&b, 1, HOUR_NS, 3), 0);
    assert_int_equal(vtb_hist_init(&both, 1, HOUR_NS, 3), 0);
    for (int64_t v = 1; v <= 20000; v++) {
        int64_t value = v * 37 % 100003; /* spread over several buckets */

        vtb_hist_record(v % 3 == 0 ? &a : &b, value);
        vtb_hist_record(&both, value);
    }
    vtb_hist_record(&b, HOUR_NS * 2); /* overflow travels too */
    vtb_hist_record(&both, HOUR_NS * 2);

    assert_int_equal(vtb_hist_merge(&a, &b), 0);
    assert_int_equal(vtb_hist_total_count(&a), 20001);
    assert_int_equal(vtb_hist_total_count(&a), vtb_hist_total_count(&both));
    assert_int_equal(vtb_hist_overflow(&a), 1);
    assert_int_equal(vtb_hist_min(&a), vtb_hist_min(&both));
    assert_int_equal(vtb_hist_max(&a), HOUR_NS * 2);
    assert_memory_equal(a.counts, both.counts, (size_t)a.counts_len * sizeof(int64_t));
    assert_int_equal(vtb_hist_value_at_percentile(&a, 99.0),
                     vtb_hist_value_at_percentile(&both, 99.0));

    /* Different shapes are refused and leave dst unchanged. */
    assert_int_equal(vtb_hist_init(&other, 1, HOUR_NS, 2), 0);
    vtb_hist_record(&other, 5);
    assert_int_equal(vtb_hist_merge(&a, &other), VTB_EINVAL);
    assert_int_equal(vtb_hist_total_count(&a), 20001);
    vtb_hist_fini(&other);
    assert_int_equal(vtb_hist_init(&other, 1, HOUR_NS / 2, 3), 0);
    assert_int_equal(vtb_hist_merge(&a, &other), VTB_EINVAL);
    vtb_hist_fini(&other);

    /* Merging an empty histogram keeps min and max. */
    vtb_hist_reset(&b);
    assert_int_equal(vtb_hist_merge(&a, &b), 0);
    assert_int_equal(vtb_hist_min(&a), vtb_hist_min(&both));
    assert_int_equal(vtb_hist_total_count(&a), 20001);

    vtb_hist_fini(&a);
    vtb_hist_fini(&b);
    vtb_hist_fini(&both);
}

static void test_overflow_and_negative_clamp(void **state)
{
    struct vtb_hist h;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, 10000, 3), 0);
    vtb_hist_record(&h, 500);
    vtb_hist_record(&h, 20000);
    vtb_hist_record_n(&h, 10001, 3);
    vtb_hist_record(&h, 10000); /* at the limit: not an overflow */
    vtb_hist_record(&h, -42);

    assert_int_equal(vtb_hist_total_count(&h), 7);
    assert_int_equal(vtb_hist_overflow(&h), 4);
    assert_int_equal(vtb_hist_max(&h), 20000); /* exact, not clamped */
    assert_int_equal(vtb_hist_min(&h), 0);     /* -42 counted as 0 */
    /* Clamped samples land in the slot of highest_trackable. */
    assert_int_equal(vtb_hist_value_at_percentile(&h, 100.0), 10007);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 25.0), 500);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 30.0), 10007);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 0.0), 0);

    vtb_hist_reset(&h);
    assert_int_equal(vtb_hist_total_count(&h), 0);
    assert_int_equal(vtb_hist_overflow(&h), 0);
    assert_int_equal(vtb_hist_max(&h), 0);
    vtb_hist_record(&h, 77);
    assert_int_equal(vtb_hist_min(&h), 77);
    assert_int_equal(vtb_hist_max(&h), 77);
    assert_int_equal(vtb_hist_value_at_percentile(&h, 50.0), 77);
    vtb_hist_fini(&h);
}

/*
 * The ten samples of HdrHistogram_go's documented PercentilesPrint example,
 * printed with one tick per half distance. Its published rows are the
 * expected values here.
 */
static void test_percentile_iterator_matches_hdrhistogram(void **state)
{
    static const int64_t input[] = { 459876, 669187, 711612, 816326, 931423,
                                     1033197, 1131895, 2477317, 3964974, 12718782 };
    static const struct {
        int64_t value;
        double percentile;
        int64_t count;
    } rows[] = {
        { 460031, 0.0, 1 },    { 931839, 50.0, 5 },    { 2478079, 75.0, 8 },
        { 3966975, 87.5, 9 },  { 12722175, 93.75, 10 }, { 12722175, 100.0, 10 },
    };
    struct vtb_hist h;
    struct vtb_hist_pct_iter it;
    size_t n = 0;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, 30000000, 3), 0);
    for (size_t i = 0; i < sizeof(input) / sizeof(input[0]); i++)
        vtb_hist_record(&h, input[i]);
    assert_int_equal(vtb_hist_pct_iter_init(&it, &h, 1), 0);
    while (vtb_hist_pct_iter_next(&it)) {
        assert_true(n < sizeof(rows) / sizeof(rows[0]));
        assert_int_equal(it.value, rows[n].value);
        assert_true(it.percentile == rows[n].percentile);
        assert_int_equal(it.cumulative_count, rows[n].count);
        n++;
    }
    assert_int_equal(n, sizeof(rows) / sizeof(rows[0]));
    assert_close(vtb_hist_mean(&h), 2491481.6, 1e-6);
    assert_close(vtb_hist_stddev(&h), 3557920.109, 1e-3);
    vtb_hist_fini(&h);
}

/* Levels get denser towards 100%: 5 ticks per half is 10 levels to 75%. */
static void test_percentile_iterator_levels(void **state)
{
    struct vtb_hist h;
    struct vtb_hist_pct_iter it;
    double previous = -1.0;
    int rows = 0;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    for (int64_t v = 1; v <= 10000; v++)
        vtb_hist_record(&h, v);
    assert_int_equal(vtb_hist_pct_iter_init(&it, &h, 5), 0);
    while (vtb_hist_pct_iter_next(&it)) {
        if (rows == 10)
            assert_close(it.percentile, 75.0, 1e-12);
        if (rows == 5)
            assert_close(it.percentile, 50.0, 1e-12);
        assert_true(it.percentile > previous);
        assert_int_equal(it.value, vtb_hist_highest_equivalent(&h, it.value));
        assert_true(it.cumulative_count >= (int64_t)(it.percentile / 100.0 * 10000.0));
        previous = it.percentile;
        rows++;
    }
    assert_true(previous == 100.0);
    assert_int_equal(it.cumulative_count, 10000);
    assert_int_equal(it.value, 10007);
    assert_true(rows > 60 && rows < 90);
    vtb_hist_fini(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_bad_arguments),
        cmocka_unit_test(test_shape_matches_hdrhistogram),
        cmocka_unit_test(test_equivalent_ranges),
        cmocka_unit_test(test_empty_histogram),
        cmocka_unit_test(test_uniform_percentiles),
        cmocka_unit_test(test_bimodal_percentiles),
        cmocka_unit_test(test_record_n_equals_repeated_record),
        cmocka_unit_test(test_merge_equals_recording_both),
        cmocka_unit_test(test_overflow_and_negative_clamp),
        cmocka_unit_test(test_percentile_iterator_matches_hdrhistogram),
        cmocka_unit_test(test_percentile_iterator_levels),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
