/*
 * Round counts and disturbed rounds (see rounds.h).
 */
#include "rounds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ratios.h"
#include "stats.h"

size_t vtb_rounds_mark_disturbed(const double *floor_ns, size_t n, bool *disturbed)
{
    memset(disturbed, 0, n * sizeof(*disturbed));
    double median;
    if (n < 3 || vtb_stats_median(floor_ns, n, &median) != 0 || !(median > 0))
        return 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        disturbed[i] = fabs(floor_ns[i] / median - 1) > VTB_ROUNDS_DISTURBED;
        count += disturbed[i];
    }
    return count;
}

bool vtb_rounds_exclude_disturbed(size_t n, size_t disturbed)
{
    return disturbed > 0 && n - disturbed >= VTB_ROUNDS_MIN;
}

double vtb_rounds_widest(const double *const *ns, size_t impls, const double *reference,
                         size_t n, const bool *use)
{
    double widest = 0;
    for (size_t i = 0; i < impls; i++) {
        if (ns[i] == reference)
            continue;
        struct vtb_ratio r;
        if (vtb_ratio_paired(ns[i], reference, use, n, &r) != 0 || r.n < 2)
            return INFINITY;
        if (!(r.half_width <= widest))
            widest = r.half_width;
    }
    return widest;
}

enum vtb_rounds_decision vtb_rounds_next(const struct vtb_rounds_policy *policy, size_t n,
                                         uint64_t elapsed_ns, double widest)
{
    if (policy->fixed > 0)
        return n >= policy->fixed ? VTB_ROUNDS_DONE : VTB_ROUNDS_CONTINUE;
    if (n >= VTB_ROUNDS_MIN && widest <= policy->precision)
        return VTB_ROUNDS_PRECISE;
    if (n >= VTB_ROUNDS_MAX)
        return VTB_ROUNDS_LIMIT;
    if (n >= VTB_ROUNDS_MIN && elapsed_ns >= policy->max_ns)
        return VTB_ROUNDS_TIME_UP;
    return VTB_ROUNDS_CONTINUE;
}

int vtb_rounds_loop(const struct vtb_rounds_policy *policy, const struct vtb_rounds_source *src,
                    size_t *done, enum vtb_rounds_decision *why)
{
    uint64_t start_ns = src->now_ns(src->ctx);
    *done = 0;
    *why = VTB_ROUNDS_CONTINUE;
    while (*why == VTB_ROUNDS_CONTINUE) {
        int rc = src->run_round(src->ctx, *done);
        if (rc != 0)
            return rc;
        ++*done;
        double widest = src->review(src->ctx, *done);
        *why = vtb_rounds_next(policy, *done, src->now_ns(src->ctx) - start_ns, widest);
    }
    return 0;
}
