/*
 * Tests of the paired and unpaired ratio intervals and the three-way
 * verdicts (harness/results/ratios.c), on fixture data whose answers were
 * worked out by hand: log-ratios ln 2 + {0, 0.1, -0.1} have mean ln 2 and
 * standard deviation 0.1, so with t(0.975, 2) = 4.302653 the interval is
 * 2 exp(+-4.302653 x 0.1 / sqrt 3) = [1.560074, 2.563981].
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "ratios.h"
#include "vtb/error.h"

static void assert_close(double actual, double expected, double tolerance)
{
    if (!(fabs(actual - expected) <= tolerance))
        fail_msg("%.12g differs from %.12g by more than %.3g", actual, expected, tolerance);
}

static void test_paired_constant_ratio_has_zero_width(void **state)
{
    const double num[] = {2, 4, 8}, den[] = {1, 2, 4};
    struct vtb_ratio r;
    (void)state;
    assert_int_equal(vtb_ratio_paired(num, den, NULL, 3, &r), 0);
    assert_int_equal(r.n, 3);
    assert_close(r.ratio, 2, 1e-12);
    assert_close(r.ci_low, 2, 1e-12);
    assert_close(r.ci_high, 2, 1e-12);
    assert_close(r.half_width, 0, 1e-12);
    /* Differences 1, 2, 4: mean 7/3, and they vary, so the interval is wide. */
    assert_close(r.diff, 7.0 / 3.0, 1e-12);
    assert_true(r.diff_ci_low < r.diff && r.diff < r.diff_ci_high);
}

static void test_paired_interval_by_hand(void **state)
{
    double den[] = {1, 3, 5}, num[3];
    const double shift[] = {0, 0.1, -0.1};
    struct vtb_ratio r;
    (void)state;
    for (int i = 0; i < 3; i++)
        num[i] = den[i] * 2 * exp(shift[i]);
    assert_int_equal(vtb_ratio_paired(num, den, NULL, 3, &r), 0);
    assert_close(r.ratio, 2, 1e-9);
    assert_close(r.ci_low, 1.5600742149, 1e-6);
    assert_close(r.ci_high, 2.5639805862, 1e-6);
    assert_close(r.half_width, 0.2819902931, 1e-6);
}

/* The pairing is what cancels drift: the same values unpaired (as two
 * samples) give a far wider interval around the same ratio. */
static void test_pairing_cancels_drift(void **state)
{
    const double den[] = {10, 20, 15, 30, 12}, num[] = {20.2, 39.8, 30.1, 60.3, 23.9};
    struct vtb_ratio paired, unpaired;
    (void)state;
    assert_int_equal(vtb_ratio_paired(num, den, NULL, 5, &paired), 0);
    assert_int_equal(vtb_ratio_unpaired(den, 5, num, 5, &unpaired), 0);
    assert_close(paired.ratio, unpaired.ratio, 1e-9); /* both geometric means */
    assert_true(paired.half_width < 0.01);
    assert_true(unpaired.half_width > 0.3);
}

static void test_paired_skips_unused_and_unusable_rounds(void **state)
{
    const double num[] = {2, 100, NAN, 4, -1, 8}, den[] = {1, 1, 1, 2, 1, 4};
    const bool use[] = {true, false, true, true, true, true};
    struct vtb_ratio r;
    (void)state;
    assert_int_equal(vtb_ratio_paired(num, den, use, 6, &r), 0);
    assert_int_equal(r.n, 3); /* round 1 not used, 2 NaN, 4 negative */
    assert_close(r.ratio, 2, 1e-12);
    const bool none[] = {false, false, false, false, false, false};
    assert_int_equal(vtb_ratio_paired(num, den, none, 6, &r), VTB_EINVAL);
    assert_int_equal(r.n, 0);
    assert_true(isnan(r.ratio));
}

static void test_unpaired_welch_by_hand(void **state)
{
    /* logs of a: 0, ln 2, ln 4; b = 2a: the same spread, so Welch's df is
     * 4 and t(0.975, 4) = 2.776445. */
    const double a[] = {1, 2, 4}, b[] = {2, 4, 8};
    struct vtb_ratio r;
    (void)state;
    assert_int_equal(vtb_ratio_unpaired(a, 3, b, 3, &r), 0);
    assert_close(r.ratio, 2, 1e-9);
    assert_close(r.ci_low, 0.4155350711, 1e-6);
    assert_close(r.ci_high, 9.6261429626, 1e-5);
    assert_true(isnan(r.diff));
    const double one[] = {1};
    assert_int_equal(vtb_ratio_unpaired(one, 1, b, 3, &r), VTB_EINVAL);
}

/* A claim "3x to 10x faster" against intervals: inside, outside, and
 * straddling a boundary, which is never a confirmation. */
static void test_three_way_verdicts(void **state)
{
    (void)state;
    assert_int_equal(vtb_verdict_of(3.2, 4.1, 3, 10), VTB_VERDICT_CONFIRMED);
    assert_int_equal(vtb_verdict_of(2.37, 2.49, 3, 10), VTB_VERDICT_REFUTED);
    assert_int_equal(vtb_verdict_of(10.5, 12, 3, 10), VTB_VERDICT_REFUTED);
    assert_int_equal(vtb_verdict_of(2.5, 3.4, 3, 10), VTB_VERDICT_INCONCLUSIVE);
    assert_int_equal(vtb_verdict_of(9, 11, 3, 10), VTB_VERDICT_INCONCLUSIVE);
    assert_int_equal(vtb_verdict_of(2.5, 11, 3, 10), VTB_VERDICT_INCONCLUSIVE);
    /* Bounds belong to the claim. */
    assert_int_equal(vtb_verdict_of(3, 10, 3, 10), VTB_VERDICT_CONFIRMED);
    /* One-sided claims ("at least 1.5x"). */
    assert_int_equal(vtb_verdict_of(1.6, 1.7, 1.5, INFINITY), VTB_VERDICT_CONFIRMED);
    assert_int_equal(vtb_verdict_of(1.4, 1.7, 1.5, INFINITY), VTB_VERDICT_INCONCLUSIVE);
    assert_int_equal(vtb_verdict_of(NAN, 1.7, 1.5, INFINITY), VTB_VERDICT_NOT_MEASURED);
    assert_string_equal(vtb_verdict_name(VTB_VERDICT_INCONCLUSIVE), "inconclusive");
    assert_string_equal(vtb_verdict_name(VTB_VERDICT_BY_CONSTRUCTION), "by construction");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paired_constant_ratio_has_zero_width),
        cmocka_unit_test(test_paired_interval_by_hand),
        cmocka_unit_test(test_pairing_cancels_drift),
        cmocka_unit_test(test_paired_skips_unused_and_unusable_rounds),
        cmocka_unit_test(test_unpaired_welch_by_hand),
        cmocka_unit_test(test_three_way_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
