/*
 * Statistics over repetitions of a benchmark.
 *
 * The runner repeats every measurement and hands the per-repetition figures
 * (mean latency, throughput, ...) to this module, which summarises them
 * (median, mean, sample standard deviation, coefficient of variation and a
 * 95% confidence interval of the mean from Student's t), flags summaries too
 * noisy or too short to trust, and compares two strategies with the
 * Mann-Whitney U test, which assumes nothing about the shape of the
 * distributions (benchmark timings are rarely normal). Reporters only format
 * what comes out of here. Everything is deterministic: the same input gives
 * the same bits on every run.
 */
#ifndef VTB_STATS_H
#define VTB_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Summary of n samples; every figure is in the unit of the samples. */
struct vtb_summary {
    size_t n;       /* number of samples */
    double median;  /* middle sample, or mean of the two middle ones */
    double mean;    /* arithmetic mean */
    double stddev;  /* sample standard deviation (n - 1 denominator); 0 if n == 1 */
    double cv;      /* stddev / |mean|, a fraction; 0 if both are 0, +inf if only mean is */
    double min;
    double max;
    double ci_low;  /* 95% confidence interval of the mean (Student's t); */
    double ci_high; /* both equal the sample when n == 1 */
};

/*
 * Summarises samples[0..n-1] into *out. The input is not modified (the
 * median is taken on a private sorted copy).
 *
 * Returns 0, VTB_EINVAL (NULL pointer, n == 0 or a non-finite sample) or
 * VTB_ENOMEM.
 */
int vtb_stats_summarize(const double *samples, size_t n, struct vtb_summary *out);

/*
 * Stores the median of samples[0..n-1] in *out: the middle sample for odd n,
 * the mean of the two middle samples for even n. The input is not modified.
 *
 * Returns 0, VTB_EINVAL (NULL pointer, n == 0 or a non-finite sample) or
 * VTB_ENOMEM.
 */
int vtb_stats_median(const double *samples, size_t n, double *out);

/* The median of v[0..n-1] (n >= 1, no NaN) as vtb_stats_median gives it,
 * sorting v in place: for a caller with a scratch array of its own, which
 * must not allocate (or fail) for it. */
double vtb_stats_median_in_place(double *v, size_t n);

/*
 * Two-sided 95% critical value of Student's t distribution with df degrees
 * of freedom, i.e. its 0.975 quantile: 12.706 for df = 1, 2.262 for df = 9,
 * tending to 1.960. Accurate to better than 1e-7 for every df >= 1.
 * Returns NaN for df == 0.
 */
double vtb_stats_t_critical_95(size_t df);

/*
 * Warning bits returned by vtb_stats_warnings, one X-macro table so that the
 * bit and its description cannot drift apart. XX(name, bit, description).
 */
#define VTB_STATS_WARN_MAP(XX)                                                     \
    XX(HIGH_CV, 0, "high coefficient of variation: repetitions disagree")         \
    XX(FEW_REPS, 1, "too few repetitions for a reliable estimate")

enum vtb_stats_warn {
#define VTB__STATS_WARN_ENUM(name, bit, text) VTB_STATS_WARN_##name = 1u << (bit),
    VTB_STATS_WARN_MAP(VTB__STATS_WARN_ENUM)
#undef VTB__STATS_WARN_ENUM
};

/*
 * Returns the VTB_STATS_WARN_... bits that apply to s: HIGH_CV when s->cv
 * exceeds cv_threshold (a fraction, e.g. 0.05 for 5%), FEW_REPS when s->n is
 * below min_reps. 0 means no warning.
 */
unsigned vtb_stats_warnings(const struct vtb_summary *s, double cv_threshold, size_t min_reps);

/*
 * Writes a human-readable description of the warning bits into buf (size
 * bytes, always NUL-terminated), the descriptions joined by "; " in bit
 * order; "" for no bits. Unknown bits are described as "unknown warning".
 *
 * Returns 0, VTB_EINVAL (buf NULL or size 0) or VTB_ERANGE when the text was
 * truncated to fit.
 */
int vtb_stats_warnings_describe(unsigned warnings, char *buf, size_t size);

/* Largest sample sizes for which Mann-Whitney uses the exact distribution. */
#define VTB_MWU_EXACT_MAX 10

/* Result of a Mann-Whitney U test of sample a against sample b. */
struct vtb_mwu {
    double u;       /* U of a: pairs (x in a, y in b) with x > y, ties count 1/2 */
    double z;       /* standardised U, tie- and continuity-corrected; > 0 when a tends larger */
    double p_value; /* two-sided, in [0, 1] */
    bool exact;     /* p_value from the exact distribution rather than from z */
};

/*
 * Mann-Whitney U test (Wilcoxon rank-sum) of a[0..na-1] against b[0..nb-1]:
 * does one sample tend to have larger values than the other? The two-sided
 * p-value is exact when na and nb are both <= VTB_MWU_EXACT_MAX and no value
 * is tied; otherwise it comes from the normal approximation with tie
 * correction and continuity correction (as scipy.stats.mannwhitneyu with
 * use_continuity=True). When every value is tied the samples are
 * indistinguishable: z = 0 and p = 1. Inputs are not modified.
 *
 * Returns 0, VTB_EINVAL (NULL pointer, empty sample or non-finite value) or
 * VTB_ENOMEM.
 */
int vtb_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                           struct vtb_mwu *out);

#endif /* VTB_STATS_H */
