/*
 * Tests of the repetition statistics (harness/results/stats.c): summaries of samples
 * whose median, mean, deviation and confidence interval were worked out by
 * hand, Student's t quantiles against published table values, the warning
 * bits and their text, and the Mann-Whitney U test against scipy's
 * documented example and hand-computed cases (exact, tied, large-sample).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "stats.h"
#include "vtb/error.h"

static void assert_close(double actual, double expected, double tolerance)
{
    if (!(fabs(actual - expected) <= tolerance))
        fail_msg("%.12g differs from %.12g by more than %.3g", actual, expected, tolerance);
}

/*
 * 2 4 4 4 5 5 7 9: mean 40/8 = 5, squared deviations 32, so the sample
 * stddev is sqrt(32/7) = 2.1380899; median (4+5)/2; CI 5 +- t(0.975, 7) *
 * 2.1380899 / sqrt(8) = 5 +- 2.3646243 * 0.7559289.
 */
static void test_summary_of_known_samples(void **state)
{
    const double samples[] = { 5, 9, 4, 2, 4, 7, 4, 5 };
    double copy[8];
    struct vtb_summary s;

    (void)state;
    memcpy(copy, samples, sizeof(copy));
    assert_int_equal(vtb_stats_summarize(copy, 8, &s), 0);
    assert_memory_equal(copy, samples, sizeof(copy)); /* input untouched */
    assert_int_equal(s.n, 8);
    assert_close(s.median, 4.5, 0.0);
    assert_close(s.mean, 5.0, 1e-15);
    assert_close(s.stddev, 2.138089935299395, 1e-12);
    assert_close(s.cv, 0.427617987059879, 1e-12);
    assert_close(s.min, 2.0, 0.0);
    assert_close(s.max, 9.0, 0.0);
    assert_close(s.ci_low, 3.2125120817636272, 1e-9);
    assert_close(s.ci_high, 6.787487918236373, 1e-9);
}

static void test_summary_of_one_sample(void **state)
{
    const double one = 3.5;
    struct vtb_summary s;

    (void)state;
    assert_int_equal(vtb_stats_summarize(&one, 1, &s), 0);
    assert_int_equal(s.n, 1);
    assert_close(s.median, 3.5, 0.0);
    assert_close(s.mean, 3.5, 0.0);
    assert_close(s.stddev, 0.0, 0.0);
    assert_close(s.cv, 0.0, 0.0);
    assert_close(s.ci_low, 3.5, 0.0);
    assert_close(s.ci_high, 3.5, 0.0);
}

/* 10 20 30: mean 20, stddev 10, CI 20 +- 4.3026527 * 10 / sqrt(3). */
static void test_summary_odd_count_and_cv(void **state)
{
    const double samples[] = { 30, 10, 20 };
    const double zeros[] = { 0, 0 };
    const double centred[] = { -1, 1 };
    struct vtb_summary s;

    (void)state;
    assert_int_equal(vtb_stats_summarize(samples, 3, &s), 0);
    assert_close(s.median, 20.0, 0.0);
    assert_close(s.stddev, 10.0, 1e-12);
    assert_close(s.cv, 0.5, 1e-12);
    assert_close(s.ci_low, 20.0 - 24.8413771175, 1e-8);
    assert_close(s.ci_high, 20.0 + 24.8413771175, 1e-8);

    /* A zero mean gives cv 0 when nothing varies, infinity otherwise. */
    assert_int_equal(vtb_stats_summarize(zeros, 2, &s), 0);
    assert_close(s.cv, 0.0, 0.0);
    assert_int_equal(vtb_stats_summarize(centred, 2, &s), 0);
    assert_true(isinf(s.cv));
}

static void test_summary_rejects_bad_input(void **state)
{
    const double samples[] = { 1.0, NAN, 2.0 };
    const double infinite[] = { 1.0, INFINITY };
    struct vtb_summary s;
    double m;

    (void)state;
    assert_int_equal(vtb_stats_summarize(samples, 0, &s), VTB_EINVAL);
    assert_int_equal(vtb_stats_summarize(NULL, 3, &s), VTB_EINVAL);
    assert_int_equal(vtb_stats_summarize(samples, 1, NULL), VTB_EINVAL);
    assert_int_equal(vtb_stats_summarize(samples, 3, &s), VTB_EINVAL);
    assert_int_equal(vtb_stats_summarize(infinite, 2, &s), VTB_EINVAL);
    assert_int_equal(vtb_stats_median(samples, 0, &m), VTB_EINVAL);
    assert_int_equal(vtb_stats_median(samples, 3, &m), VTB_EINVAL);
}

static void test_median(void **state)
{
    const double odd[] = { 9, 1, 5, 3, 7 };
    const double even[] = { 4, 1, 3, 2 };
    double m;

    (void)state;
    assert_int_equal(vtb_stats_median(odd, 5, &m), 0);
    assert_close(m, 5.0, 0.0);
    assert_int_equal(vtb_stats_median(even, 4, &m), 0);
    assert_close(m, 2.5, 0.0);
    assert_int_equal(vtb_stats_median(even, 1, &m), 0);
    assert_close(m, 4.0, 0.0);
    /* The input keeps its order. */
    assert_close(odd[0], 9.0, 0.0);
    assert_close(even[0], 4.0, 0.0);

    /* In place: the same medians, the array sorted. */
    double odd_copy[] = { 9, 1, 5, 3, 7 }, even_copy[] = { 4, 1, 3, 2 };
    assert_close(vtb_stats_median_in_place(odd_copy, 5), 5.0, 0.0);
    assert_close(vtb_stats_median_in_place(even_copy, 4), 2.5, 0.0);
    assert_close(vtb_stats_median_in_place(even_copy, 1), 1.0, 0.0);
    for (size_t i = 1; i < 5; i++)
        assert_true(odd_copy[i - 1] <= odd_copy[i]);
}

/* Student's t 0.975 quantiles as printed in every statistics table. */
static void test_t_quantiles(void **state)
{
    (void)state;
    assert_close(vtb_stats_t_critical_95(1), 12.706, 0.0005);
    assert_close(vtb_stats_t_critical_95(2), 4.303, 0.0005);
    assert_close(vtb_stats_t_critical_95(4), 2.776, 0.0005);
    assert_close(vtb_stats_t_critical_95(9), 2.262, 0.0005);
    assert_close(vtb_stats_t_critical_95(29), 2.045, 0.0005);
    assert_close(vtb_stats_t_critical_95(30), 2.042, 0.0005);
    /* Past the table the expansion takes over without a visible seam. */
    assert_close(vtb_stats_t_critical_95(31), 2.039513446, 1e-7);
    assert_close(vtb_stats_t_critical_95(40), 2.021075390, 1e-7);
    assert_close(vtb_stats_t_critical_95(60), 2.000297822, 1e-7);
    assert_close(vtb_stats_t_critical_95(100), 1.983971519, 1e-7);
    assert_close(vtb_stats_t_critical_95(1000), 1.962339081, 1e-7);
    assert_close(vtb_stats_t_critical_95(1000000), 1.959966357, 1e-7);
    assert_true(isnan(vtb_stats_t_critical_95(0)));
    for (size_t df = 1; df < 200; df++)
        assert_true(vtb_stats_t_critical_95(df + 1) < vtb_stats_t_critical_95(df));
}

static void test_warnings(void **state)
{
    struct vtb_summary s;
    char text[128];

    (void)state;
    memset(&s, 0, sizeof(s));
    s.n = 10;
    s.cv = 0.02;
    assert_int_equal(vtb_stats_warnings(&s, 0.05, 5), 0);
    s.cv = 0.08;
    assert_int_equal(vtb_stats_warnings(&s, 0.05, 5), VTB_STATS_WARN_HIGH_CV);
    s.n = 3;
    assert_int_equal(vtb_stats_warnings(&s, 0.05, 5),
                     VTB_STATS_WARN_HIGH_CV | VTB_STATS_WARN_FEW_REPS);
    s.cv = 0.05; /* at the threshold is not above it */
    assert_int_equal(vtb_stats_warnings(&s, 0.05, 3), 0);

    assert_int_equal(vtb_stats_warnings_describe(0, text, sizeof(text)), 0);
    assert_string_equal(text, "");
    assert_int_equal(vtb_stats_warnings_describe(VTB_STATS_WARN_FEW_REPS, text, sizeof(text)), 0);
    assert_string_equal(text, "too few repetitions for a reliable estimate");
    assert_int_equal(vtb_stats_warnings_describe(VTB_STATS_WARN_HIGH_CV | VTB_STATS_WARN_FEW_REPS,
                                                 text, sizeof(text)), 0);
    assert_string_equal(text, "high coefficient of variation: repetitions disagree; "
                              "too few repetitions for a reliable estimate");
    assert_int_equal(vtb_stats_warnings_describe(1u << 7, text, sizeof(text)), 0);
    assert_string_equal(text, "unknown warning");
    assert_int_equal(vtb_stats_warnings_describe(VTB_STATS_WARN_HIGH_CV, text, 10), VTB_ERANGE);
    assert_int_equal(strlen(text), 0); /* a description is never cut in half */
    assert_int_equal(vtb_stats_warnings_describe(VTB_STATS_WARN_HIGH_CV, NULL, 10), VTB_EINVAL);
    assert_int_equal(vtb_stats_warnings_describe(VTB_STATS_WARN_HIGH_CV, text, 0), VTB_EINVAL);
}

/*
 * scipy.stats.mannwhitneyu's documented example: ages of 5 males and 4
 * females. scipy gives U = 17 with an exact p of 0.1111 (14 of the 126
 * orderings are as extreme) and an asymptotic p of 0.11134688653314041.
 */
static void test_mwu_scipy_example(void **state)
{
    const double males[] = { 19, 22, 16, 29, 24 };
    const double females[] = { 20, 11, 17, 12 };
    struct vtb_mwu r;

    (void)state;
    assert_int_equal(vtb_stats_mann_whitney(males, 5, females, 4, &r), 0);
    assert_true(r.exact);
    assert_close(r.u, 17.0, 0.0);
    assert_close(r.p_value, 14.0 / 126.0, 1e-15);
    /* (17 - 10 - 0.5) / sqrt(5 * 4 * 10 / 12) */
    assert_close(r.z, 1.592168332809066, 1e-12);
    assert_close(2.0 * 0.5 * erfc(r.z / sqrt(2.0)), 0.11134688653314041, 1e-14);

    /* Swapping the samples mirrors U and z and keeps p. */
    assert_int_equal(vtb_stats_mann_whitney(females, 4, males, 5, &r), 0);
    assert_close(r.u, 3.0, 0.0);
    assert_close(r.z, -1.592168332809066, 1e-12);
    assert_close(r.p_value, 14.0 / 126.0, 1e-15);
}

/*
 * a = 1.1 2.5 3.7 4.2 6.0, b = 3.9 5.1 6.4 7.2 8.8 9.0: a beats b in 3 pairs
 * (4.2 > 3.9, 6.0 > 3.9, 6.0 > 5.1). Of the C(11, 5) = 462 orderings, 7
 * have U <= 3 (U = 0, 1, 2, 2, 3, 3, 3), so p = 2 * 7 / 462 = 1/33.
 */
static void test_mwu_exact_small_samples(void **state)
{
    const double a[] = { 1.1, 2.5, 3.7, 4.2, 6.0 };
    const double b[] = { 3.9, 5.1, 6.4, 7.2, 8.8, 9.0 };
    struct vtb_mwu r;

    (void)state;
    assert_int_equal(vtb_stats_mann_whitney(a, 5, b, 6, &r), 0);
    assert_true(r.exact);
    assert_close(r.u, 3.0, 0.0);
    assert_close(r.p_value, 2.0 * 7.0 / 462.0, 1e-15);
    assert_true(r.z < 0.0);

    /* One value each: the two orderings are equally likely, p = 1. */
    assert_int_equal(vtb_stats_mann_whitney(a, 1, b, 1, &r), 0);
    assert_true(r.exact);
    assert_close(r.u, 0.0, 0.0);
    assert_close(r.p_value, 1.0, 0.0);
}

/*
 * Ties force the normal approximation. a = 1 2 2 3, b = 2 3 4 5: pooled ranks
 * 1, 3, 3, 3, 5.5, 5.5, 7, 8, so R_a = 12.5 and U = 12.5 - 10 = 2.5. The tie
 * term is (3^3 - 3) + (2^3 - 2) = 30, var = 16/12 * (9 - 30/56) = 11.2857,
 * z = -(5.5 - 0.5) / 3.35942 = -1.48835, p = 0.136658.
 */
static void test_mwu_ties(void **state)
{
    const double a[] = { 1, 2, 2, 3 };
    const double b[] = { 2, 3, 4, 5 };
    struct vtb_mwu r;

    (void)state;
    assert_int_equal(vtb_stats_mann_whitney(a, 4, b, 4, &r), 0);
    assert_false(r.exact);
    assert_close(r.u, 2.5, 0.0);
    assert_close(r.z, -1.488351394468968, 1e-12);
    assert_close(r.p_value, 0.1366582477381475, 1e-12);
}

/*
 * Beyond VTB_MWU_EXACT_MAX the normal approximation is used even without
 * ties. a = 1 3 5 ... 23, b = 2 4 6 ... 24 (12 each): a beats b in
 * 0 + 1 + ... + 11 = 66 pairs against a mean of 72 and a variance of
 * 144 / 12 * 25 = 300, so z = -5.5 / sqrt(300) and p = 0.750832.
 */
static void test_mwu_large_samples(void **state)
{
    double a[12], b[12];
    struct vtb_mwu r;

    (void)state;
    for (int i = 0; i < 12; i++) {
        a[i] = 2 * i + 1;
        b[i] = 2 * i + 2;
    }
    assert_int_equal(vtb_stats_mann_whitney(a, 12, b, 12, &r), 0);
    assert_false(r.exact);
    assert_close(r.u, 66.0, 0.0);
    assert_close(r.z, -5.5 / sqrt(300.0), 1e-12);
    assert_close(r.p_value, 0.7508318840891170, 1e-12);
}

/*
 * Ten repetitions each, the second strategy 20% slower with the same jitter:
 * every b exceeds every a, U = 0, and the exact p is 2 / C(20, 10).
 */
static void test_mwu_detects_a_20_percent_shift(void **state)
{
    const double a[] = { 100.0, 101.3, 98.7, 99.5, 102.1, 97.9, 100.8, 99.1, 101.7, 98.3 };
    double b[10];
    struct vtb_mwu r;

    (void)state;
    for (int i = 0; i < 10; i++)
        b[i] = a[i] * 1.2;
    assert_int_equal(vtb_stats_mann_whitney(a, 10, b, 10, &r), 0);
    assert_true(r.exact);
    assert_close(r.u, 0.0, 0.0);
    assert_close(r.p_value, 2.0 / 184756.0, 1e-18);
    assert_true(r.p_value < 0.05);
    assert_close(r.z, -3.741848282791350, 1e-12);
}

/* Identical samples cannot be told apart: U sits at its mean and p = 1. */
static void test_mwu_identical_samples(void **state)
{
    double a[10];
    const double same[] = { 7, 7, 7, 7, 7 };
    struct vtb_mwu r;

    (void)state;
    for (int i = 0; i < 10; i++)
        a[i] = 50.0 + i;
    assert_int_equal(vtb_stats_mann_whitney(a, 10, a, 10, &r), 0);
    assert_close(r.u, 50.0, 0.0);
    assert_close(r.z, 0.0, 0.0);
    assert_close(r.p_value, 1.0, 0.0);

    /* Every value tied: zero variance, still p = 1 rather than 0/0. */
    assert_int_equal(vtb_stats_mann_whitney(same, 5, same, 3, &r), 0);
    assert_close(r.u, 7.5, 0.0);
    assert_close(r.z, 0.0, 0.0);
    assert_close(r.p_value, 1.0, 0.0);
}

static void test_mwu_rejects_bad_input(void **state)
{
    const double a[] = { 1, 2, 3 };
    const double bad[] = { 1, NAN };
    struct vtb_mwu r;

    (void)state;
    assert_int_equal(vtb_stats_mann_whitney(a, 0, a, 3, &r), VTB_EINVAL);
    assert_int_equal(vtb_stats_mann_whitney(a, 3, a, 0, &r), VTB_EINVAL);
    assert_int_equal(vtb_stats_mann_whitney(NULL, 3, a, 3, &r), VTB_EINVAL);
    assert_int_equal(vtb_stats_mann_whitney(a, 3, a, 3, NULL), VTB_EINVAL);
    assert_int_equal(vtb_stats_mann_whitney(a, 3, bad, 2, &r), VTB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_of_known_samples),
        cmocka_unit_test(test_summary_of_one_sample),
        cmocka_unit_test(test_summary_odd_count_and_cv),
        cmocka_unit_test(test_summary_rejects_bad_input),
        cmocka_unit_test(test_median),
        cmocka_unit_test(test_t_quantiles),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_mwu_scipy_example),
        cmocka_unit_test(test_mwu_exact_small_samples),
        cmocka_unit_test(test_mwu_ties),
        cmocka_unit_test(test_mwu_large_samples),
        cmocka_unit_test(test_mwu_detects_a_20_percent_shift),
        cmocka_unit_test(test_mwu_identical_samples),
        cmocka_unit_test(test_mwu_rejects_bad_input),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
