/*
 * Tests of the round logic (harness/measure/rounds.c): which rounds are
 * disturbed and when they are left out, the stopping rule, and the round
 * loop itself driven by a synthetic source on a fake clock: a low-noise
 * source stops as soon as its ratio is known to the precision, a
 * high-noise one when max_time is spent, a fixed count runs exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "ratios.h"
#include "rounds.h"
#include "vtb/error.h"

static void test_disturbed_rounds_stray_from_the_median_floor(void **state)
{
    /* Median 10: 11.5 and 8.5 are 15% away, 10.5 and 9.5 only 5%. */
    const double floor_ns[] = {10, 10.5, 11.5, 9.5, 10, 8.5, 10};
    bool disturbed[7];
    (void)state;
    assert_int_equal(vtb_rounds_mark_disturbed(floor_ns, 7, disturbed), 2);
    const bool expected[] = {false, false, true, false, false, true, false};
    assert_memory_equal(disturbed, expected, sizeof(expected));
    /* Fewer than three rounds have no median worth straying from. */
    assert_int_equal(vtb_rounds_mark_disturbed(floor_ns + 4, 2, disturbed), 0);
    assert_false(disturbed[0] || disturbed[1]);
}

static void test_disturbed_rounds_are_excluded_only_when_enough_remain(void **state)
{
    (void)state;
    assert_true(vtb_rounds_exclude_disturbed(VTB_ROUNDS_MIN + 2, 2));
    assert_false(vtb_rounds_exclude_disturbed(VTB_ROUNDS_MIN + 1, 2));
    assert_false(vtb_rounds_exclude_disturbed(20, 0));
}

static void test_widest_is_the_least_precise_ratio(void **state)
{
    const double reference[] = {10, 11, 12, 13};
    const double exact[] = {20, 22, 24, 26};       /* exactly 2x: width 0 */
    const double loose[] = {20, 24, 22, 27};       /* about 2x, varying */
    const double broken[] = {NAN, NAN, NAN, NAN};  /* no usable pair */
    (void)state;
    const double *one[] = {exact, reference};
    assert_true(vtb_rounds_widest(one, 2, reference, 4, NULL) < 1e-12);
    const double *two[] = {exact, loose};
    struct vtb_ratio r;
    vtb_ratio_paired(loose, reference, NULL, 4, &r);
    assert_true(fabs(vtb_rounds_widest(two, 2, reference, 4, NULL) - r.half_width) < 1e-12);
    const double *three[] = {exact, broken};
    assert_true(isinf(vtb_rounds_widest(three, 2, reference, 4, NULL)));
}

static void test_stopping_rule(void **state)
{
    const struct vtb_rounds_policy fixed = {.fixed = 3};
    const struct vtb_rounds_policy autop = {.precision = 0.02, .max_ns = 1000};
    (void)state;
    assert_int_equal(vtb_rounds_next(&fixed, 2, 0, INFINITY), VTB_ROUNDS_CONTINUE);
    assert_int_equal(vtb_rounds_next(&fixed, 3, 0, INFINITY), VTB_ROUNDS_DONE);
    /* Precise, but never before the minimum of rounds. */
    assert_int_equal(vtb_rounds_next(&autop, VTB_ROUNDS_MIN - 1, 0, 0), VTB_ROUNDS_CONTINUE);
    assert_int_equal(vtb_rounds_next(&autop, VTB_ROUNDS_MIN, 0, 0.02), VTB_ROUNDS_PRECISE);
    assert_int_equal(vtb_rounds_next(&autop, VTB_ROUNDS_MIN, 0, 0.0201), VTB_ROUNDS_CONTINUE);
    /* Out of time: max_time reached exactly stops, but not before the
     * minimum of rounds. */
    assert_int_equal(vtb_rounds_next(&autop, VTB_ROUNDS_MIN, 999, 0.5), VTB_ROUNDS_CONTINUE);
    assert_int_equal(vtb_rounds_next(&autop, VTB_ROUNDS_MIN, 1000, 0.5), VTB_ROUNDS_TIME_UP);
    assert_int_equal(vtb_rounds_next(&autop, VTB_ROUNDS_MIN - 1, 5000, 0.5),
                     VTB_ROUNDS_CONTINUE);
    assert_int_equal(vtb_rounds_next(&autop, VTB_ROUNDS_MAX, 0, 0.5), VTB_ROUNDS_LIMIT);
}

/* A synthetic source: every round, a reference time drifting like this
 * VM (a slow sine over the rounds) and an implementation twice as slow
 * with multiplicative log-normal noise of a given spread, from a
 * deterministic generator; each round takes 100 ms of a fake clock. */
struct synthetic {
    double noise;
    uint64_t rng;
    uint64_t clock_ns;
    double reference[VTB_ROUNDS_MAX], impl[VTB_ROUNDS_MAX];
    size_t rounds_run;
    int fail_at; /* round that fails, -1 never */
};

static double uniform01(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(uint64_t *s)
{
    double u = uniform01(s), v = uniform01(s);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static int synthetic_round(void *ctx, size_t index)
{
    struct synthetic *syn = ctx;
    if ((int)index == syn->fail_at)
        return VTB_EIO;
    double drift = 1 + 0.3 * sin((double)index / 3);
    syn->reference[index] = 10 * drift;
    syn->impl[index] = 20 * drift * exp(syn->noise * gaussian(&syn->rng));
    syn->clock_ns += 100000000u;
    syn->rounds_run++;
    return 0;
}

static double synthetic_review(void *ctx, size_t done)
{
    struct synthetic *syn = ctx;
    const double *series[] = {syn->impl};
    return vtb_rounds_widest(series, 1, syn->reference, done, NULL);
}

static uint64_t synthetic_now(void *ctx)
{
    return ((struct synthetic *)ctx)->clock_ns;
}

static void run_synthetic(struct synthetic *syn, const struct vtb_rounds_policy *policy,
                          size_t *done, enum vtb_rounds_decision *why, int expected_rc)
{
    struct vtb_rounds_source src = {synthetic_round, synthetic_review, synthetic_now, syn};
    assert_int_equal(vtb_rounds_loop(policy, &src, done, why), expected_rc);
}

static void test_loop_stops_at_the_precision_on_low_noise(void **state)
{
    struct synthetic syn = {.noise = 0.005, .rng = 42, .fail_at = -1};
    const struct vtb_rounds_policy policy = {.precision = 0.02, .max_ns = 20000000000u};
    size_t done;
    enum vtb_rounds_decision why;
    (void)state;
    run_synthetic(&syn, &policy, &done, &why, 0);
    assert_int_equal(why, VTB_ROUNDS_PRECISE);
    assert_int_equal(done, VTB_ROUNDS_MIN); /* 0.5% noise: known to 2% at once */
    struct vtb_ratio r;
    vtb_ratio_paired(syn.impl, syn.reference, NULL, done, &r);
    assert_true(r.half_width <= 0.02);
    assert_true(r.ci_low <= 2 && 2 <= r.ci_high); /* the drift cancelled */
}

static void test_loop_needs_more_rounds_for_more_noise(void **state)
{
    struct synthetic syn = {.noise = 0.03, .rng = 7, .fail_at = -1};
    const struct vtb_rounds_policy policy = {.precision = 0.02, .max_ns = 20000000000u};
    size_t done;
    enum vtb_rounds_decision why;
    (void)state;
    run_synthetic(&syn, &policy, &done, &why, 0);
    assert_int_equal(why, VTB_ROUNDS_PRECISE);
    /* Half-width ~ 2 x 0.03 / sqrt(n) <= 0.02 needs n of about 9 or more. */
    assert_true(done > VTB_ROUNDS_MIN && done < 40);
    assert_true(synthetic_review(&syn, done) <= 0.02);
    assert_true(synthetic_review(&syn, done - 1) > 0.02); /* it stopped at once */
}

static void test_loop_stops_at_max_time_on_high_noise(void **state)
{
    struct synthetic syn = {.noise = 0.5, .rng = 3, .fail_at = -1};
    const struct vtb_rounds_policy policy = {.precision = 0.02, .max_ns = 2000000000u};
    size_t done;
    enum vtb_rounds_decision why;
    (void)state;
    run_synthetic(&syn, &policy, &done, &why, 0);
    assert_int_equal(why, VTB_ROUNDS_TIME_UP);
    assert_int_equal(done, 20); /* 2 s of 100 ms rounds */
    assert_true(synthetic_review(&syn, done) > 0.02);
}

static void test_loop_runs_a_fixed_count_and_stops_on_error(void **state)
{
    struct synthetic syn = {.noise = 0.5, .rng = 3, .fail_at = -1};
    const struct vtb_rounds_policy fixed = {.fixed = 7};
    size_t done;
    enum vtb_rounds_decision why;
    (void)state;
    run_synthetic(&syn, &fixed, &done, &why, 0);
    assert_int_equal(why, VTB_ROUNDS_DONE);
    assert_int_equal(done, 7);
    assert_int_equal(syn.rounds_run, 7);
    struct synthetic failing = {.noise = 0.01, .rng = 3, .fail_at = 2};
    run_synthetic(&failing, &fixed, &done, &why, VTB_EIO);
    assert_int_equal(done, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disturbed_rounds_stray_from_the_median_floor),
        cmocka_unit_test(test_disturbed_rounds_are_excluded_only_when_enough_remain),
        cmocka_unit_test(test_widest_is_the_least_precise_ratio),
        cmocka_unit_test(test_stopping_rule),
        cmocka_unit_test(test_loop_stops_at_the_precision_on_low_noise),
        cmocka_unit_test(test_loop_needs_more_rounds_for_more_noise),
        cmocka_unit_test(test_loop_stops_at_max_time_on_high_noise),
        cmocka_unit_test(test_loop_runs_a_fixed_count_and_stops_on_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
