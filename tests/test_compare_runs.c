/*
 * Tests of the time rule by run (compare_time.h), on synthetic rounds
 * whose answers are known: when both sides are sets of runs, the interval
 * is Welch's over the runs' medians of their rounds per floor;
 * rounds of few runs that agree closely within each run, but differ from
 * run to run, give an interval by round that is far too narrow, and by run
 * the honest unknown; a large change is slower by run too; the second
 * witness by run asks only that the raw estimate move the same way (a
 * machine whose speed jumps between runs leaves the raw interval wide); a
 * run without usable rounds is left out, and fewer than 2 usable runs is
 * unknown; a set against a single run is judged by round.
 * (Sets on disk, their refusals and merging: tests/e2e/compare_sets.sh.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "compare_time.h"
#include "ratios.h"

#define MAX_ROUNDS 512
#define MAX_RUNS 8

/* One side: its rounds, floors and how many rounds each run gave. */
struct side {
    double ns[MAX_ROUNDS], floor_ns[MAX_ROUNDS];
    uint32_t run_rounds[MAX_RUNS];
    size_t count, runs;
};

/* Adds a run of n rounds: time factor x floor (jittered by a deterministic
 * +-jitter), floor as given. */
static void add_run(struct side *s, size_t n, double floor_ns, double factor, double jitter)
{
    for (size_t i = 0; i < n; i++) {
        double wobble = 1 + jitter * ((double)(i % 5) - 2) / 2; /* -jitter .. +jitter */
        s->ns[s->count] = floor_ns * factor * wobble;
        s->floor_ns[s->count] = floor_ns;
        s->count++;
    }
    s->run_rounds[s->runs++] = (uint32_t)n;
}

static struct vtb_compare_rounds by_run(const struct side *s)
{
    return (struct vtb_compare_rounds){s->ns, s->floor_ns, s->count, s->run_rounds, s->runs};
}

/* The same rounds, as if they were one run's. */
static struct vtb_compare_rounds by_round(const struct side *s)
{
    return (struct vtb_compare_rounds){s->ns, s->floor_ns, s->count, NULL, 1};
}

/* The median of rounds [from, from + n) of s per floor, by hand (n <= 8). */
static double run_median(const struct side *s, size_t from, size_t n)
{
    double v[8];
    for (size_t i = 0; i < n; i++) {
        v[i] = s->ns[from + i] / s->floor_ns[from + i];
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double swap = v[j];
            v[j] = v[j - 1];
            v[j - 1] = swap;
        }
    }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void test_interval_is_welch_over_run_means(void **state)
{
    (void)state;
    struct side base = {0}, head = {0};
    add_run(&base, 2, 10.0, 1.00, 0.02);
    add_run(&base, 3, 12.0, 1.04, 0.01);
    add_run(&base, 2, 9.0, 0.97, 0.03);
    add_run(&head, 3, 10.0, 1.10, 0.02);
    add_run(&head, 2, 11.0, 1.16, 0.01);
    add_run(&head, 4, 10.0, 1.12, 0.02);
    /* What the rule must compute, from the runs' medians by hand. */
    double b[3] = {run_median(&base, 0, 2), run_median(&base, 2, 3), run_median(&base, 5, 2)};
    double h[3] = {run_median(&head, 0, 3), run_median(&head, 3, 2), run_median(&head, 5, 4)};
    struct vtb_ratio want;
    assert_int_equal(vtb_ratio_unpaired(b, 3, h, 3, &want), 0);

    struct vtb_compare_rounds rb = by_run(&base), rh = by_run(&head);
    struct vtb_compare_time t;
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_true(t.by_run);
    assert_true(t.normalised);
    assert_int_equal(t.base_n, 3);
    assert_int_equal(t.new_n, 3);
    assert_true(fabs(t.ratio - want.ratio) < 1e-12);
    assert_true(fabs(t.ci_low - want.ci_low) < 1e-12);
    assert_true(fabs(t.ci_high - want.ci_high) < 1e-12);
    assert_int_equal(t.verdict, vtb_compare_time_verdict(want.ci_low, want.ci_high, 0.10));
}

/* Three runs a side of 100 rounds that agree within 0.1% inside each run
 * while the runs differ by 5%: the 300 rounds' interval is narrow and
 * calls a 13% change slower; over three runs a side it cannot tell 13%
 * from the threshold. */
static void test_runs_carry_what_rounds_hide(void **state)
{
    (void)state;
    static struct side base, head;
    memset(&base, 0, sizeof(base));
    memset(&head, 0, sizeof(head));
    const double factors[3] = {0.95, 1.00, 1.05};
    for (size_t r = 0; r < 3; r++) {
        add_run(&base, 100, 10.0, factors[r], 0.001);
        add_run(&head, 100, 10.0, factors[(r + 1) % 3] * 1.13, 0.001);
    }
    struct vtb_compare_time t;
    struct vtb_compare_rounds rb = by_round(&base), rh = by_round(&head);
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_false(t.by_run);
    assert_int_equal(t.base_n, 300);
    assert_int_equal(t.verdict, VTB_COMPARE_VERDICT_SLOWER); /* too sure */

    rb = by_run(&base);
    rh = by_run(&head);
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_true(t.by_run);
    assert_int_equal(t.base_n, 3);
    assert_true(fabs(t.ratio - 1.13) < 0.002);
    assert_true(t.ci_low < 1.10 && t.ci_high > 1.13);
    assert_int_equal(t.verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(t.note, VTB_COMPARE_NOTE_STRADDLES_RUNS);

    /* A 50% slowdown clears the threshold over three runs a side. */
    memset(&head, 0, sizeof(head));
    for (size_t r = 0; r < 3; r++)
        add_run(&head, 100, 10.0, factors[(r + 2) % 3] * 1.5, 0.001);
    rh = by_run(&head);
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_int_equal(t.verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(t.ci_low > 1.1);
}

/* By run, the raw times need only move the same way as the times per
 * floor: a machine whose speed jumps 1.7x between runs leaves their
 * interval across 1, and a real slowdown must still be slower. A floor
 * that moved unlike the cell (raw times faster, per floor slower) is still
 * unknown. */
static void test_witness_by_run_is_the_direction(void **state)
{
    (void)state;
    struct side base = {0}, head = {0};
    const double floors[4] = {10.0, 17.0, 10.0, 17.0};
    for (size_t r = 0; r < 4; r++) {
        add_run(&base, 2, floors[r], 2.0, 0.01);
        add_run(&head, 2, floors[3 - r], 2.5, 0.01);
    }
    struct vtb_compare_rounds rb = by_run(&base), rh = by_run(&head);
    struct vtb_compare_time t;
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_true(t.raw_ci_low < 1 && t.raw_ratio > 1); /* raw: across 1, the right way */
    assert_int_equal(t.verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(fabs(t.ratio - 1.25) < 0.001);
    /* The same rounds judged as single runs: the raw interval is the
     * witness there, and it does not clear 1. */
    rb = by_round(&base);
    rh = by_round(&head);
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_int_equal(t.verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(t.note, VTB_COMPARE_NOTE_DISAGREE);

    /* The floor halved, the cell 25% faster in raw time: per floor 1.5x
     * slower, but the raw times went the other way. */
    memset(&base, 0, sizeof(base));
    memset(&head, 0, sizeof(head));
    for (size_t r = 0; r < 3; r++) {
        add_run(&base, 4, 10.0, 2.0, 0.01);
        add_run(&head, 4, 5.0, 3.0, 0.01);
    }
    rb = by_run(&base);
    rh = by_run(&head);
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_true(t.by_run);
    assert_true(t.ci_low > 1.1);
    assert_true(t.raw_ratio < 1);
    assert_int_equal(t.verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(t.note, VTB_COMPARE_NOTE_DISAGREE);
    assert_true(t.floor_moved);
    assert_true(fabs(t.floor_ratio - 0.5) < 0.001);
}

/* A run whose rounds are all unusable is left out; with fewer than 2 runs
 * left on a side, unknown. */
static void test_runs_without_rounds_are_left_out(void **state)
{
    (void)state;
    struct side base = {0}, head = {0};
    add_run(&base, 3, 10.0, 1.0, 0.01);
    add_run(&base, 3, 10.0, 1.0, 0.01);
    add_run(&base, 3, 10.0, 1.0, 0.01);
    for (size_t i = 3; i < 6; i++)
        base.ns[i] = NAN; /* the second run's rounds */
    for (size_t r = 0; r < 3; r++)
        add_run(&head, 3, 10.0, 1.0, 0.01);
    struct vtb_compare_rounds rb = by_run(&base), rh = by_run(&head);
    struct vtb_compare_time t;
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_true(t.by_run);
    assert_int_equal(t.base_n, 2);
    assert_int_equal(t.new_n, 3);
    assert_true(fabs(t.ratio - 1.0) < 1e-9);

    for (size_t i = 0; i < 3; i++)
        base.ns[i] = 0; /* not usable either */
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_int_equal(t.base_n, 1);
    assert_int_equal(t.verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(t.note, VTB_COMPARE_NOTE_FEW_RUNS);
}

/* A set against a single run: one side has no spread between runs to
 * offer, so the rounds of both are compared. */
static void test_set_against_a_run_is_by_round(void **state)
{
    (void)state;
    struct side base = {0}, head = {0};
    for (size_t r = 0; r < 3; r++)
        add_run(&base, 4, 10.0, 1.0 + 0.01 * (double)r, 0.01);
    add_run(&head, 5, 10.0, 1.01, 0.01);
    struct vtb_compare_rounds rb = by_run(&base), rh = by_run(&head);
    struct vtb_compare_time t;
    assert_int_equal(vtb_compare_time_judge(&rb, &rh, 0.10, &t), 0);
    assert_false(t.by_run);
    assert_int_equal(t.base_n, 12);
    assert_int_equal(t.new_n, 5);
    assert_int_equal(t.verdict, VTB_COMPARE_VERDICT_SAME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_is_welch_over_run_means),
        cmocka_unit_test(test_runs_carry_what_rounds_hide),
        cmocka_unit_test(test_witness_by_run_is_the_direction),
        cmocka_unit_test(test_runs_without_rounds_are_left_out),
        cmocka_unit_test(test_set_against_a_run_is_by_round),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
