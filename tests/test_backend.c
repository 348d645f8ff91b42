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

#include "vtb/backend.h"
#include "vtb/error.h"
#include "vtb/rng.h"

static void expect_latency(const char *text, enum vtb_latency_kind kind, uint64_t a_ns,
                           uint64_t b_ns)
{
    struct vtb_latency spec = {VTB_LATENCY_EXP, 999, 999};
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_latency_parse(text, &spec, &err);
    if (rc != 0)
        fail_msg("'%s' was refused: %s", text, err.message);
    assert_int_equal(err.code, 0);
    assert_int_equal(spec.kind, kind);
    assert_int_equal(spec.a_ns, a_ns);
    if (kind == VTB_LATENCY_UNIFORM)
        assert_int_equal(spec.b_ns, b_ns);
}

static void expect_refused(const char *text, int code)
{
    struct vtb_latency spec = {VTB_LATENCY_EXP, 999, 888};
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_latency_parse(text, &spec, &err);
    if (rc != code)
        fail_msg("'%s': expected %s, got %s", text, vtb_err_name(code), vtb_err_name(rc));
    assert_int_equal(err.code, code);
    assert_true(strlen(err.message) > 0);
    /* The output is left alone on error. */
    assert_int_equal(spec.kind, VTB_LATENCY_EXP);
    assert_int_equal(spec.a_ns, 999);
    assert_int_equal(spec.b_ns, 888);
    /* A NULL error context is allowed. */
    assert_int_equal(vtb_latency_parse(text, &spec, NULL), code);
}

static void test_parse_plain_durations(void **state)
{
    (void)state;
    expect_latency("0", VTB_LATENCY_FIXED, 0, 0);
    expect_latency("123", VTB_LATENCY_FIXED, 123, 0);
    expect_latency("123ns", VTB_LATENCY_FIXED, 123, 0);
    expect_latency("50us", VTB_LATENCY_FIXED, 50000, 0);
    expect_latency("1.5us", VTB_LATENCY_FIXED, 1500, 0);
    expect_latency("2ms", VTB_LATENCY_FIXED, 2000000, 0);
    expect_latency("1s", VTB_LATENCY_FIXED, 1000000000, 0);
    expect_latency("0.25s", VTB_LATENCY_FIXED, 250000000, 0);
}

static void test_parse_distributions(void **state)
{
    (void)state;
    expect_latency("fixed:5us", VTB_LATENCY_FIXED, 5000, 0);
    expect_latency("exp:20us", VTB_LATENCY_EXP, 20000, 0);
    expect_latency("uniform:10us:100us", VTB_LATENCY_UNIFORM, 10000, 100000);
    expect_latency("uniform:0:1ms", VTB_LATENCY_UNIFORM, 0, 1000000);
    expect_latency("uniform:7us:7us", VTB_LATENCY_UNIFORM, 7000, 7000);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_refused("", VTB_EINVAL);
    expect_refused("abc", VTB_EINVAL);
    expect_refused("5xs", VTB_EINVAL);
    expect_refused("-1us", VTB_EINVAL);
    expect_refused("us", VTB_EINVAL);
    expect_refused("nan", VTB_EINVAL);
    expect_refused("bogus:5us", VTB_EINVAL);
    expect_refused("fixed:", VTB_EINVAL);
    expect_refused("uniform:10us", VTB_EINVAL);
    expect_refused("uniform:10us:", VTB_EINVAL);
    expect_refused("uniform:100us:10us", VTB_ERANGE);
    expect_refused("7200s", VTB_ERANGE);
    expect_refused("exp:2h", VTB_EINVAL);
}

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
    enum vtb_completion_mode mode = VTB_COMPLETE_ON_THREAD;
    assert_string_equal(vtb_completion_mode_name(VTB_COMPLETE_ON_LOOP), "loop");
    assert_string_equal(vtb_completion_mode_name(VTB_COMPLETE_ON_THREAD), "thread");
    assert_int_equal(vtb_completion_mode_parse("loop", &mode), 0);
    assert_int_equal(mode, VTB_COMPLETE_ON_LOOP);
    assert_int_equal(vtb_completion_mode_parse("thread", &mode), 0);
    assert_int_equal(mode, VTB_COMPLETE_ON_THREAD);
    assert_int_equal(vtb_completion_mode_parse("Thread", &mode), VTB_EINVAL);
    assert_int_equal(vtb_completion_mode_parse("", &mode), VTB_EINVAL);
    assert_int_equal(mode, VTB_COMPLETE_ON_THREAD);
    /* Names round-trip. */
    enum vtb_completion_mode all[] = {VTB_COMPLETE_ON_LOOP, VTB_COMPLETE_ON_THREAD};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(vtb_completion_mode_parse(vtb_completion_mode_name(all[i]), &mode), 0);
        assert_int_equal(mode, all[i]);
    }
}

static void test_continuation_mode_names(void **state)
{
    (void)state;
    enum vtb_continuation_mode mode = VTB_CONTINUE_POSTED;
    assert_string_equal(vtb_continuation_mode_name(VTB_CONTINUE_INLINE), "inline");
    assert_string_equal(vtb_continuation_mode_name(VTB_CONTINUE_POSTED), "posted");
    assert_int_equal(vtb_continuation_mode_parse("inline", &mode), 0);
    assert_int_equal(mode, VTB_CONTINUE_INLINE);
    assert_int_equal(vtb_continuation_mode_parse("posted", &mode), 0);
    assert_int_equal(mode, VTB_CONTINUE_POSTED);
    assert_int_equal(vtb_continuation_mode_parse("post", &mode), VTB_EINVAL);
    assert_int_equal(mode, VTB_CONTINUE_POSTED);
    enum vtb_continuation_mode all[] = {VTB_CONTINUE_INLINE, VTB_CONTINUE_POSTED};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(vtb_continuation_mode_parse(vtb_continuation_mode_name(all[i]), &mode),
                         0);
        assert_int_equal(mode, all[i]);
    }
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
        cmocka_unit_test(test_parse_plain_durations),
        cmocka_unit_test(test_parse_distributions),
        cmocka_unit_test(test_parse_errors),
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
