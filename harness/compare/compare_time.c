/*
 * The time rule (see compare_time.h): the per-round times of each side,
 * divided by their rounds' floors when both sides have them, a Welch
 * interval on the change, and the verdict of that interval against the
 * threshold.
 */
#include "compare_time.h"

#include <math.h>
#include <stdlib.h>

#include "ratios.h"
#include "stats.h"

/* Rounds a run may have on the stack; more (a hand-made file) get the heap. */
#define STACK_ROUNDS 1024

static bool usable(double x)
{
    return isfinite(x) && x > 0;
}

enum vtb_compare_verdict vtb_compare_time_verdict(double ci_low, double ci_high, double threshold)
{
    double hi = 1 + threshold, lo = 1 / hi;
    if (isnan(ci_low) || isnan(ci_high))
        return VTB_COMPARE_VERDICT_UNKNOWN;
    if (ci_low > hi)
        return VTB_COMPARE_VERDICT_SLOWER;
    if (ci_high < lo)
        return VTB_COMPARE_VERDICT_FASTER;
    if (ci_low >= lo && ci_high <= hi)
        return VTB_COMPARE_VERDICT_SAME;
    return VTB_COMPARE_VERDICT_UNKNOWN;
}

/* What is taken of each round. */
enum round_value { PER_FLOOR, RAW, FLOOR };

/* Round i's value of that kind; NaN (not usable) when it has none. */
static double round_value(const struct vtb_compare_rounds *r, size_t i, enum round_value what)
{
    double ns = r->ns[i], floor_ns = r->floor_ns != NULL ? r->floor_ns[i] : NAN;
    switch (what) {
    case PER_FLOOR:
        return usable(ns) && usable(floor_ns) ? ns / floor_ns : NAN;
    case RAW:
        return ns;
    case FLOOR:
        return floor_ns;
    }
    return NAN;
}

/* The values the rule compares for one side: each usable round's value
 * (by_run false), or each run's median of them, a run without any left
 * out (see compare_time.h for why the median). Returns how many went into
 * out, which has room for r->count. */
static size_t side_values(const struct vtb_compare_rounds *r, enum round_value what, bool by_run,
                          double *out)
{
    size_t n = 0, runs = by_run ? r->runs : 1, at = 0;
    for (size_t run = 0; run < runs; run++) {
        size_t end = by_run ? at + r->run_rounds[run] : r->count, used = 0;
        /* A run's values go to out[n ...], never beyond the rounds read so
         * far (n counts runs), and are reduced to out[n] in place. */
        for (; at < end && at < r->count; at++) {
            double value = round_value(r, at, what);
            if (usable(value))
                out[n + used++] = value;
        }
        if (!by_run)
            n += used;
        else if (used > 0) {
            out[n] = vtb_stats_median_in_place(&out[n], used);
            n++;
        }
    }
    return n;
}

/* The floor's own change, from the same rounds (or runs); NaN when a side
 * has no floor. Uses b and h as room. */
static void floor_change(const struct vtb_compare_rounds *base,
                         const struct vtb_compare_rounds *head, double threshold, double *b,
                         double *h, struct vtb_compare_time *out)
{
    struct vtb_ratio floor;
    if (base->floor_ns == NULL || head->floor_ns == NULL)
        return;
    size_t nb = side_values(base, FLOOR, out->by_run, b);
    size_t nh = side_values(head, FLOOR, out->by_run, h);
    if (vtb_ratio_unpaired(b, nb, h, nh, &floor) != 0)
        return;
    out->floor_ratio = floor.ratio;
    out->floor_ci_low = floor.ci_low;
    out->floor_ci_high = floor.ci_high;
    enum vtb_compare_verdict v = vtb_compare_time_verdict(floor.ci_low, floor.ci_high, threshold);
    out->floor_moved = v == VTB_COMPARE_VERDICT_SLOWER || v == VTB_COMPARE_VERDICT_FASTER;
}

/* A change per floor must show in the raw times too, the same way (see
 * compare_time.h): by round, their interval must lie beyond 1; by run,
 * their estimate must. Computed in the room of the normalised values,
 * which are done with. */
static void second_witness(const struct vtb_compare_rounds *base,
                           const struct vtb_compare_rounds *head, double *b, double *h,
                           struct vtb_compare_time *out)
{
    size_t nb = side_values(base, RAW, out->by_run, b);
    size_t nh = side_values(head, RAW, out->by_run, h);
    struct vtb_ratio raw;
    if (vtb_ratio_unpaired(b, nb, h, nh, &raw) != 0)
        return;
    out->raw_ratio = raw.ratio;
    out->raw_ci_low = raw.ci_low;
    out->raw_ci_high = raw.ci_high;
    bool slower = out->verdict == VTB_COMPARE_VERDICT_SLOWER;
    bool agrees = out->by_run ? (slower ? raw.ratio > 1 : raw.ratio < 1)
                              : (slower ? raw.ci_low > 1 : raw.ci_high < 1);
    if (out->verdict != VTB_COMPARE_VERDICT_SAME && !agrees) {
        out->verdict = VTB_COMPARE_VERDICT_UNKNOWN;
        out->note = VTB_COMPARE_NOTE_DISAGREE;
    }
}

int vtb_compare_time_judge(const struct vtb_compare_rounds *base,
                           const struct vtb_compare_rounds *head, double threshold,
                           struct vtb_compare_time *out)
{
    *out = (struct vtb_compare_time){
        .verdict = VTB_COMPARE_VERDICT_UNKNOWN,
        .note = VTB_COMPARE_NOTE_NONE,
        .ratio = NAN, .ci_low = NAN, .ci_high = NAN,
        .floor_ratio = NAN, .floor_ci_low = NAN, .floor_ci_high = NAN,
        .raw_ratio = NAN, .raw_ci_low = NAN, .raw_ci_high = NAN,
    };
    out->normalised = base->floor_ns != NULL && head->floor_ns != NULL;
    out->by_run = base->runs >= 2 && head->runs >= 2 && base->run_rounds != NULL &&
                  head->run_rounds != NULL;

    double stack[2][STACK_ROUNDS];
    double *b = stack[0], *h = stack[1];
    if (base->count > STACK_ROUNDS && (b = malloc(base->count * sizeof(*b))) == NULL)
        return VTB_ENOMEM;
    if (head->count > STACK_ROUNDS && (h = malloc(head->count * sizeof(*h))) == NULL) {
        if (b != stack[0])
            free(b);
        return VTB_ENOMEM;
    }
    floor_change(base, head, threshold, b, h, out);
    enum round_value what = out->normalised ? PER_FLOOR : RAW;
    size_t nb = side_values(base, what, out->by_run, b);
    size_t nh = side_values(head, what, out->by_run, h);
    out->base_n = (unsigned)nb;
    out->new_n = (unsigned)nh;
    struct vtb_ratio change;
    if (nb < 2 || nh < 2 || vtb_ratio_unpaired(b, nb, h, nh, &change) != 0) {
        out->note = out->by_run ? VTB_COMPARE_NOTE_FEW_RUNS : VTB_COMPARE_NOTE_FEW_ROUNDS;
    } else {
        out->ratio = change.ratio;
        out->ci_low = change.ci_low;
        out->ci_high = change.ci_high;
        out->verdict = (unsigned char)vtb_compare_time_verdict(change.ci_low, change.ci_high,
                                                               threshold);
        if (out->verdict == VTB_COMPARE_VERDICT_UNKNOWN)
            out->note = out->by_run ? VTB_COMPARE_NOTE_STRADDLES_RUNS : VTB_COMPARE_NOTE_STRADDLES;
        else if (out->normalised)
            second_witness(base, head, b, h, out);
    }
    if (b != stack[0])
        free(b);
    if (h != stack[1])
        free(h);
    return 0;
}
