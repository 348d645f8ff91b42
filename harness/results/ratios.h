/*
 * Ratios with confidence intervals, and three-way verdicts on them.
 *
 * vtbench's questions are ratios ("value-task is 2.4x faster on a hit")
 * and its gate's question is a change ("this commit made pooled 20%
 * slower"). On a machine whose speed moves by tens of percent for tens of
 * seconds, an interval around each mean says little about their ratio:
 * two overlapping intervals can hide a ratio known to 2%. But vtbench
 * interleaves the implementations, so every repetition round measures all
 * of them within milliseconds of each other, under the same machine state;
 * the ratio of one round is a paired measurement in which the drift
 * cancels. vtb_ratio_paired estimates the ratio from those per-round
 * ratios: a Student's t interval on the mean of their logarithms, turned
 * back into a ratio (a geometric mean with a 95% interval). Logarithms,
 * because ratios are multiplicative (2x faster and 2x slower are the same
 * distance from 1) and their logs are close to normal; t rather than a
 * bootstrap, because with the 5 to 30 rounds a run has, a percentile
 * bootstrap's interval is too narrow (it cannot reach beyond the extreme
 * rounds) while t's is exact under normality and widens honestly with few
 * rounds.
 *
 * Two separate runs (the gate's base and new) are not paired: their
 * change is estimated by vtb_ratio_unpaired, a Welch t interval on the
 * difference of the mean log times.
 *
 * A verdict compares an interval with a claimed range: confirmed when the
 * interval lies inside it, refuted when outside, and inconclusive when it
 * straddles a boundary, never confirmed on overlap.
 */
#ifndef VTB_RATIOS_H
#define VTB_RATIOS_H

#include <stdbool.h>
#include <stddef.h>

/* A ratio (num / den) with its 95% confidence interval. */
struct vtb_ratio {
    size_t n;              /* pairs (or, unpaired, the smaller sample) used */
    double ratio;          /* geometric mean; NaN when n == 0 */
    double ci_low, ci_high;
    double half_width;     /* relative: exp(half-width of the log interval) - 1 */
    double diff;           /* mean of num - den (paired only; NaN unpaired) */
    double diff_ci_low, diff_ci_high;
};

/*
 * The ratio of num to den from n paired rounds, using round i only when
 * use is NULL or use[i] is true, and only when both values are finite and
 * positive. With one usable pair the interval is that ratio alone (width
 * 0 says nothing: callers need n >= 2 to have an interval). Returns 0, or
 * VTB_EINVAL when no pair is usable (out->n 0, figures NaN).
 */
int vtb_ratio_paired(const double *num, const double *den, const bool *use, size_t n,
                     struct vtb_ratio *out);

/* The ratio of the geometric mean of b to that of a (b / a: "new / base")
 * from two independent samples, with a Welch interval. Returns 0 or
 * VTB_EINVAL (fewer than 2 usable values on a side). */
int vtb_ratio_unpaired(const double *a, size_t na, const double *b, size_t nb,
                       struct vtb_ratio *out);

enum vtb_verdict {
    VTB_VERDICT_CONFIRMED,
    VTB_VERDICT_REFUTED,
    VTB_VERDICT_INCONCLUSIVE,
    VTB_VERDICT_BY_CONSTRUCTION, /* true by how the code is built, not a finding */
    VTB_VERDICT_NOT_MEASURED,
};

/* "confirmed", "refuted", "inconclusive", "by construction", "not measured". */
const char *vtb_verdict_name(enum vtb_verdict v);

/*
 * The verdict on a claim that a quantity lies in [lo, hi] (either bound may
 * be infinite), given its interval [ci_low, ci_high]: confirmed when the
 * interval lies inside, refuted when it lies wholly outside, inconclusive
 * when it straddles lo or hi. NaN bounds of the interval: not measured.
 */
enum vtb_verdict vtb_verdict_of(double ci_low, double ci_high, double lo, double hi);

#endif /* VTB_RATIOS_H */
