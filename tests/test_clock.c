/*
 * Tests of the harness clock: source selection, calibration sanity and the
 * consistency of tick/ns conversions. The machine is shared and noisy, so
 * nothing here asserts speed; bounds on elapsed time are deliberately loose
 * and one-sided where preemption can only make an interval longer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <time.h>

#include "clock.h"

#define MS 1000000.0

static struct vtb_clock_info info;

static int setup(void **state)
{
    (void)state;
    return vtb_clock_init(&info);
}

static void sleep_ms(long ms)
{
    struct timespec req = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&req, &req) != 0)
        ;
}

static void test_info_is_filled(void **state)
{
    (void)state;
    bool tsc = strcmp(info.source, "tsc") == 0;
    assert_true(tsc || strcmp(info.source, "clock_gettime") == 0);
    assert_true(info.kernel_clocksource[0] != '\0');
    assert_true(info.note[0] != '\0');
    assert_true(info.ticks_per_ns >= 0.05 && info.ticks_per_ns <= 20.0);
    if (tsc) {
        assert_true(info.invariant_tsc);
        assert_true(info.tsc_ticks_per_ns == info.ticks_per_ns);
        assert_true(info.tsc_spread_ppm >= 0.0 && info.tsc_spread_ppm <= 1000.0);
        assert_true(info.tsc_overhead_ns > 0.0 && isfinite(info.tsc_overhead_ns));
        assert_true(info.rdtsc_overhead_ns > 0.0 && isfinite(info.rdtsc_overhead_ns));
    } else {
        assert_true(info.ticks_per_ns == 1.0);
    }
    /* A coarse clock can legitimately measure a read as costing 0 ns. */
    assert_true(info.clock_gettime_overhead_ns >= 0.0);
    assert_true(info.ticks_overhead_ns >= 0.0 && isfinite(info.ticks_overhead_ns));
}

static void test_ticks_never_go_backwards(void **state)
{
    (void)state;
    /* Same thread throughout; cross-CPU synchronisation is the kernel's check. */
    uint64_t prev = vtb_clock_ticks();
    for (int i = 0; i < 100000; i++) {
        uint64_t now = vtb_clock_ticks();
        assert_true(now >= prev);
        prev = now;
    }
}

static void test_sleep_converts_to_plausible_ns(void **state)
{
    (void)state;
    uint64_t t0 = vtb_clock_ticks();
    uint64_t m0 = vtb_clock_monotonic_ns();
    sleep_ms(50);
    uint64_t m1 = vtb_clock_monotonic_ns();
    uint64_t t1 = vtb_clock_ticks();

    double ticks_ns = vtb_clock_ticks_to_ns(t1 - t0);
    double mono_ns = (double)(m1 - m0);
    assert_true(ticks_ns >= 45 * MS && ticks_ns <= 500 * MS);
    assert_true(mono_ns >= 45 * MS && mono_ns <= 500 * MS);
    /* The tick interval encloses the monotonic one, so it may only be
     * longer; allow 0.1% for the calibration error. */
    assert_true(ticks_ns >= mono_ns * 0.999);
}

static void test_conversions_round_trip(void **state)
{
    (void)state;
    static const uint64_t ns[] = {0, 1, 1000, 1000000, 1000000000, UINT64_C(3600000000000)};
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        uint64_t ticks = vtb_clock_ns_to_ticks(ns[i]);
        double back = vtb_clock_ticks_to_ns(ticks);
        /* Rounding to whole ticks loses at most half a tick. */
        assert_true(fabs(back - (double)ns[i]) <= 0.5 / info.ticks_per_ns + 1e-9 * (double)ns[i]);
    }
    assert_true(vtb_clock_ticks_to_ns(0) == 0.0);
}

static void test_init_is_repeatable(void **state)
{
    (void)state;
    struct vtb_clock_info again;
    assert_int_equal(vtb_clock_init(&again), 0);
    assert_string_equal(again.source, info.source);
    assert_int_equal(vtb_clock_init(NULL), 0);
    /* Restore the calibration the other tests compare against. */
    assert_int_equal(vtb_clock_init(&info), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_is_filled),
        cmocka_unit_test(test_ticks_never_go_backwards),
        cmocka_unit_test(test_sleep_converts_to_plausible_ns),
        cmocka_unit_test(test_conversions_round_trip),
        cmocka_unit_test(test_init_is_repeatable),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
