/*
 * Ratio intervals and verdicts (see ratios.h).
 */
#include "ratios.h"

#include <math.h>

#include "stats.h"
#include "vtb/error.h"

static bool usable(double x)
{
    return isfinite(x) && x > 0;
}

static void clear(struct vtb_ratio *out)
{
    out->n = 0;
    out->ratio = out->ci_low = out->ci_high = out->half_width = NAN;
    out->diff = out->diff_ci_low = out->diff_ci_high = NAN;
}

/* Mean and sample standard deviation of the first n of v (n >= 1). */
static void mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    *mean = sum / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - *mean) * (v[i] - *mean);
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
}

int vtb_ratio_paired(const double *num, const double *den, const bool *use, size_t n,
                     struct vtb_ratio *out)
{
    clear(out);
    if (num == NULL || den == NULL || n == 0)
        return VTB_EINVAL;
    /* Two passes over the pairs: first the log-ratios, then the differences. */
    double logs[1024], diffs[1024];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof(logs) / sizeof(logs[0]); i++) {
        if ((use != NULL && !use[i]) || !usable(num[i]) || !usable(den[i]))
            continue;
        logs[k] = log(num[i] / den[i]);
        diffs[k] = num[i] - den[i];
        k++;
    }
    if (k == 0)
        return VTB_EINVAL;
    double mean, sd, dmean, dsd;
    mean_sd(logs, k, &mean, &sd);
    mean_sd(diffs, k, &dmean, &dsd);
    double t = k > 1 ? vtb_stats_t_critical_95(k - 1) : 0;
    double h = t * sd / sqrt((double)k), dh = t * dsd / sqrt((double)k);
    out->n = k;
    out->ratio = exp(mean);
    out->ci_low = exp(mean - h);
    out->ci_high = exp(mean + h);
    out->half_width = exp(h) - 1;
    out->diff = dmean;
    out->diff_ci_low = dmean - dh;
    out->diff_ci_high = dmean + dh;
    return 0;
}

/* Mean and variance of the logs of the usable values of v. */
static size_t log_moments(const double *v, size_t n, double *mean, double *var)
{
    double sum = 0, ss = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (usable(v[i])) {
            sum += log(v[i]);
            k++;
        }
    if (k < 2)
        return k;
    *mean = sum / (double)k;
    for (size_t i = 0; i < n; i++)
        if (usable(v[i]))
            ss += (log(v[i]) - *mean) * (log(v[i]) - *mean);
    *var = ss / (double)(k - 1);
    return k;
}

int vtb_ratio_unpaired(const double *a, size_t na, const double *b, size_t nb,
                       struct vtb_ratio *out)
{
    clear(out);
    double ma = 0, va = 0, mb = 0, vb = 0;
    size_t ka = a != NULL ? log_moments(a, na, &ma, &va) : 0;
    size_t kb = b != NULL ? log_moments(b, nb, &mb, &vb) : 0;
    if (ka < 2 || kb < 2)
        return VTB_EINVAL;
    double sa = va / (double)ka, sb = vb / (double)kb, se = sqrt(sa + sb);
    /* Welch-Satterthwaite degrees of freedom, rounded down (the t quantile
     * of fewer degrees of freedom is the larger, so the interval errs
     * wide). Equal samples give df 0/0: use the smaller sample's df. */
    double df = sa + sb > 0 ? (sa + sb) * (sa + sb) /
                                  (sa * sa / (double)(ka - 1) + sb * sb / (double)(kb - 1))
                            : (double)((ka < kb ? ka : kb) - 1);
    size_t idf = df >= 1 ? (size_t)floor(df) : 1;
    double h = vtb_stats_t_critical_95(idf) * se;
    out->n = ka < kb ? ka : kb;
    out->ratio = exp(mb - ma);
    out->ci_low = exp(mb - ma - h);
    out->ci_high = exp(mb - ma + h);
    out->half_width = exp(h) - 1;
    return 0;
}

const char *vtb_verdict_name(enum vtb_verdict v)
{
    switch (v) {
    case VTB_VERDICT_CONFIRMED:
        return "confirmed";
    case VTB_VERDICT_REFUTED:
        return "refuted";
    case VTB_VERDICT_INCONCLUSIVE:
        return "inconclusive";
    case VTB_VERDICT_BY_CONSTRUCTION:
        return "by construction";
    case VTB_VERDICT_NOT_MEASURED:
        break;
    }
    return "not measured";
}

enum vtb_verdict vtb_verdict_of(double ci_low, double ci_high, double lo, double hi)
{
    if (isnan(ci_low) || isnan(ci_high))
        return VTB_VERDICT_NOT_MEASURED;
    if (ci_low >= lo && ci_high <= hi)
        return VTB_VERDICT_CONFIRMED;
    if (ci_high < lo || ci_low > hi)
        return VTB_VERDICT_REFUTED;
    return VTB_VERDICT_INCONCLUSIVE;
}
