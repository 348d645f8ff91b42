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

/* The values the rule compares for one side: its times divided by their
 * floors (normalise), or the times as they are; the unusable are left
 * out. Returns how many went into out. */
static size_t side_values(const struct vtb_compare_rounds *r, bool normalise, double *out)
{
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++) {
        double ns = r->ns[i], floor_ns = normalise ? r->floor_ns[i] : 1.0;
        if (usable(ns) && usable(floor_ns))
            out[n++] = ns / floor_ns;
    }
    return n;
}

/* The floor's own change, from the same rounds; NaN when a side has none. */
static void floor_change(const struct vtb_compare_rounds *base,
                         const struct vtb_compare_rounds *head, double threshold,
                         struct vtb_compare_time *out)
{
    struct vtb_ratio floor;
    if (base->floor_ns == NULL || head->floor_ns == NULL ||
        vtb_ratio_unpaired(base->floor_ns, base->count, head->floor_ns, head->count, &floor) != 0)
        return;
    out->floor_ratio = floor.ratio;
    out->floor_ci_low = floor.ci_low;
    out->floor_ci_high = floor.ci_high;
    enum vtb_compare_verdict v = vtb_compare_time_verdict(floor.ci_low, floor.ci_high, threshold);
    out->floor_moved = v == VTB_COMPARE_VERDICT_SLOWER || v == VTB_COMPARE_VERDICT_FASTER;
}

/* A change per floor must show in the raw times too, the same way (see
 * compare_time.h): their interval, computed in the room of the normalised
 * values, which are done with. */
static void second_witness(const struct vtb_compare_rounds *base,
                           const struct vtb_compare_rounds *head, double *b, double *h,
                           struct vtb_compare_time *out)
{
    size_t nb = side_values(base, false, b), nh = side_values(head, false, h);
    struct vtb_ratio raw;
    if (vtb_ratio_unpaired(b, nb, h, nh, &raw) != 0)
        return;
    out->raw_ratio = raw.ratio;
    out->raw_ci_low = raw.ci_low;
    out->raw_ci_high = raw.ci_high;
    bool agrees = out->verdict == VTB_COMPARE_VERDICT_SLOWER ? raw.ci_low > 1 : raw.ci_high < 1;
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
    floor_change(base, head, threshold, out);
    out->normalised = base->floor_ns != NULL && head->floor_ns != NULL;

    double stack[2][STACK_ROUNDS];
    double *b = stack[0], *h = stack[1];
    if (base->count > STACK_ROUNDS && (b = malloc(base->count * sizeof(*b))) == NULL)
        return VTB_ENOMEM;
    if (head->count > STACK_ROUNDS && (h = malloc(head->count * sizeof(*h))) == NULL) {
        if (b != stack[0])
            free(b);
        return VTB_ENOMEM;
    }
    size_t nb = side_values(base, out->normalised, b);
    size_t nh = side_values(head, out->normalised, h);
    out->base_n = (unsigned)nb;
    out->new_n = (unsigned)nh;
    struct vtb_ratio change;
    if (nb < 2 || nh < 2 || vtb_ratio_unpaired(b, nb, h, nh, &change) != 0) {
        out->note = VTB_COMPARE_NOTE_FEW_ROUNDS;
    } else {
        out->ratio = change.ratio;
        out->ci_low = change.ci_low;
        out->ci_high = change.ci_high;
        out->verdict = (unsigned char)vtb_compare_time_verdict(change.ci_low, change.ci_high,
                                                               threshold);
        if (out->verdict == VTB_COMPARE_VERDICT_UNKNOWN)
            out->note = VTB_COMPARE_NOTE_STRADDLES;
        else if (out->normalised)
            second_witness(base, head, b, h, out);
    }
    if (b != stack[0])
        free(b);
    if (h != stack[1])
        free(h);
    return 0;
}
