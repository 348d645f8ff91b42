/*
 * Unit tests for the backend's pure parts (impl/backend.c): latency specs
 * (parsing, drawing, means), the completion and continuation mode names, and
 * the backend's value function. Draws use a fixed seed, so even the
 * statistical checks are deterministic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vtb/backend_internal.h"
#include "vtb/error.h"
#include "vtb/rng.h"






static void test_draw_fixed(void **state)
{
    (void)state;
    struct vtb_rng rng;
    vtb_rng_seed(&rng, 1, 0);
    struct vtb_latency spec = {VTB_LATENCY_FIXED, 4321, 0};
    for (int i = 0; i < 100; i++)
        assert_int_equal(vtb_latency_draw(&spec, &rng), 4321);
    assert_true(vtb_latency_mean_ns(&spec) == 4321.0);
}

static void test_draw_uniform(void **state)
{
    (void)state;
    enum { n = 100000 };
    struct vtb_rng rng;
    vtb_rng_seed(&rng, 7, 3);
    struct vtb_latency spec = {VTB_LATENCY_UNIFORM, 100, 110};
    unsigned seen[11] = {0};
    double sum = 0;
    for (int i = 0; i < n; i++) {
        uint64_t v = vtb_latency_draw(&spec, &rng);
        assert_in_range(v, 100, 110);
        seen[v - 100]++;
        sum += (double)v;
    }
    /* Both bounds are inclusive and every value occurs. */
    for (int i = 0; i <= 10; i++)
        assert_true(seen[i] > 0);
    assert_true(vtb_latency_mean_ns(&spec) == 105.0);
    assert_true(fabs(sum / n - 105.0) < 0.1);

    struct vtb_latency point = {VTB_LATENCY_UNIFORM, 9, 9};
    for (int i = 0; i < 100; i++)
        assert_int_equal(vtb_latency_draw(&point, &rng), 9);
}

static void test_draw_exponential(void **state)
{
    (void)state;
    enum { n = 200000 };
    struct vtb_rng rng;
    vtb_rng_seed(&rng, 11, 0);
    struct vtb_latency spec = {VTB_LATENCY_EXP, 20000, 0};
    double sum = 0;
    unsigned above_mean = 0;
    for (int i = 0; i < n; i++) {
        uint64_t v = vtb_latency_draw(&spec, &rng);
        sum += (double)v;
        above_mean += v > 20000;
    }
    assert_true(vtb_latency_mean_ns(&spec) == 20000.0);
    /* Mean within 2% (the standard error is 0.22%), and P(X > mean) = 1/e. */
    assert_true(fabs(sum / n - 20000.0) < 400.0);
    assert_true(fabs((double)above_mean / n - exp(-1.0)) < 0.01);
}

static void test_draws_are_repeatable(void **state)
{
    (void)state;
    struct vtb_rng a, b;
    vtb_rng_seed(&a, 5, 2);
    vtb_rng_seed(&b, 5, 2);
    struct vtb_latency spec = {VTB_LATENCY_EXP, 1000, 0};
    for (int i = 0; i < 1000; i++)
        assert_int_equal(vtb_latency_draw(&spec, &a), vtb_latency_draw(&spec, &b));
}

static void test_completion_mode_names(void **state)
{
    (void)state;
    assert_string_equal(vtb_completion_mode_name(VTB_COMPLETE_ON_LOOP), "loop");
    assert_string_equal(vtb_completion_mode_name(VTB_COMPLETE_ON_THREAD), "thread");
}

static void test_continuation_mode_names(void **state)
{
    (void)state;
    assert_string_equal(vtb_continuation_mode_name(VTB_CONTINUE_INLINE), "inline");
    assert_string_equal(vtb_continuation_mode_name(VTB_CONTINUE_POSTED), "posted");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_backend_value(void **state)
{
    (void)state;
    enum { n = 4096 };
    static uint64_t values[n];
    for (uint64_t k = 0; k < n; k++) {
        values[k] = vtb_backend_value(k);
        assert_int_equal(values[k], vtb_backend_value(k)); /* a pure function */
    }
    /* Distinct keys give distinct values (it is a bijection). */
    qsort(values, n, sizeof(values[0]), cmp_u64);
    for (size_t i = 1; i < n; i++)
        assert_true(values[i] != values[i - 1]);
    /* It is splitmix64's output for state = key. */
    uint64_t sm = 41;
    assert_int_equal(vtb_backend_value(41), vtb_splitmix64(&sm));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draw_fixed),
        cmocka_unit_test(test_draw_uniform),
        cmocka_unit_test(test_draw_exponential),
        cmocka_unit_test(test_draws_are_repeatable),
        cmocka_unit_test(test_completion_mode_names),
        cmocka_unit_test(test_continuation_mode_names),
        cmocka_unit_test(test_backend_value),
    };
    return cmocka_run_group_tests_name("backend", tests, NULL, NULL);
}
