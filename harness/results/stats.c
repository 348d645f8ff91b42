/*
 * Statistics over benchmark repetitions: summaries with a Student's t
 * confidence interval, noise warnings, and the Mann-Whitney U test. No
 * external numeric library is used; the t quantile and the exact U
 * distribution are computed here so that results do not depend on what is
 * installed, and every loop runs in a fixed order so that results are
 * reproducible bit for bit.
 */
#include "stats.h"

#include "vtb/error.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static bool all_finite(const double *samples, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(samples[i]))
            return false;
    }
    return true;
}

/* Sorted private copy of samples, or NULL when out of memory. */
static double *sorted_copy(const double *samples, size_t n)
{
    double *copy = malloc(n * sizeof(*copy));

    if (copy == NULL)
        return NULL;
    memcpy(copy, samples, n * sizeof(*copy));
    qsort(copy, n, sizeof(*copy), compare_doubles);
    return copy;
}

static double median_of_sorted(const double *sorted, size_t n)
{
    if (n % 2 == 1)
        return sorted[n / 2];
    return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

double vtb_stats_median_in_place(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), compare_doubles);
    return median_of_sorted(v, n);
}

int vtb_stats_median(const double *samples, size_t n, double *out)
{
    double *sorted;

    if (samples == NULL || out == NULL || n == 0 || !all_finite(samples, n))
        return VTB_EINVAL;
    sorted = sorted_copy(samples, n);
    if (sorted == NULL)
        return VTB_ENOMEM;
    *out = median_of_sorted(sorted, n);
    free(sorted);
    return 0;
}

/* t(0.975, df) for df = 1..30, where the large-df expansion is not yet exact. */
static const double t975_table[30] = {
    12.70620473617, 4.302652729749, 3.182446305284, 2.776445105198, 2.570581835636,
    2.446911851145, 2.364624251593, 2.306004135204, 2.262157162798, 2.228138851986,
    2.200985160092, 2.178812829667, 2.160368656463, 2.144786687918, 2.131449545560,
    2.119905299221, 2.109815577833, 2.100922040241, 2.093024054408, 2.085963447266,
    2.079613844728, 2.073873067904, 2.068657610419, 2.063898561628, 2.059538552753,
    2.055529438643, 2.051830516480, 2.048407141795, 2.045229642133, 2.042272456301,
};

double vtb_stats_t_critical_95(size_t df)
{
    /* Normal 0.975 quantile, the limit of t as df grows. */
    const double z = 1.9599639845400538;
    double z2 = z * z, v = (double)df;
    double g1, g2, g3, g4;

    if (df == 0)
        return NAN;
    if (df <= 30)
        return t975_table[df - 1];
    /*
     * Cornish-Fisher expansion of the t quantile in powers of 1/df around
     * the normal quantile. Four terms leave an error below 3e-8 at df = 31,
     * shrinking fast as df grows.
     */
    g1 = z * (z2 + 1.0) / 4.0;
    g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    return z + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v;
}

int vtb_stats_summarize(const double *samples, size_t n, struct vtb_summary *out)
{
    struct vtb_summary s;
    double *sorted;
    double sum = 0.0, squares = 0.0;

    if (samples == NULL || out == NULL || n == 0 || !all_finite(samples, n))
        return VTB_EINVAL;
    sorted = sorted_copy(samples, n);
    if (sorted == NULL)
        return VTB_ENOMEM;

    memset(&s, 0, sizeof(s));
    s.n = n;
    s.median = median_of_sorted(sorted, n);
    s.min = sorted[0];
    s.max = sorted[n - 1];
    /* Two passes: summing squared deviations from the mean keeps precision
     * that the one-pass sum-of-squares formula loses to cancellation. */
    for (size_t i = 0; i < n; i++)
        sum += sorted[i];
    s.mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        squares += (sorted[i] - s.mean) * (sorted[i] - s.mean);
    free(sorted);

    if (n == 1) {
        s.stddev = 0.0;
        s.ci_low = s.ci_high = s.mean;
    } else {
        double half_width;

        s.stddev = sqrt(squares / (double)(n - 1));
        half_width = vtb_stats_t_critical_95(n - 1) * s.stddev / sqrt((double)n);
        s.ci_low = s.mean - half_width;
        s.ci_high = s.mean + half_width;
    }
    if (s.mean != 0.0)
        s.cv = s.stddev / fabs(s.mean);
    else
        s.cv = s.stddev == 0.0 ? 0.0 : INFINITY;
    *out = s;
    return 0;
}

unsigned vtb_stats_warnings(const struct vtb_summary *s, double cv_threshold, size_t min_reps)
{
    unsigned warnings = 0;

    if (s->cv > cv_threshold)
        warnings |= VTB_STATS_WARN_HIGH_CV;
    if (s->n < min_reps)
        warnings |= VTB_STATS_WARN_FEW_REPS;
    return warnings;
}

static const char *warning_text(unsigned bit)
{
    switch (bit) {
#define VTB__STATS_WARN_TEXT(name, bit_number, text) \
    case VTB_STATS_WARN_##name:                      \
        return text;
        VTB_STATS_WARN_MAP(VTB__STATS_WARN_TEXT)
#undef VTB__STATS_WARN_TEXT
    default:
        return "unknown warning";
    }
}

int vtb_stats_warnings_describe(unsigned warnings, char *buf, size_t size)
{
    size_t used = 0;
    bool truncated = false;

    if (buf == NULL || size == 0)
        return VTB_EINVAL;
    buf[0] = '\0';
    for (unsigned bit = 1; bit != 0; bit <<= 1) {
        int n;

        if ((warnings & bit) == 0)
            continue;
        n = snprintf(buf + used, size - used, "%s%s", used > 0 ? "; " : "", warning_text(bit));
        if (n < 0 || (size_t)n >= size - used) {
            /* Drop the partial description: half a sentence misleads. */
            buf[used] = '\0';
            truncated = true;
            break;
        }
        used += (size_t)n;
    }
    return truncated ? VTB_ERANGE : 0;
}

/* One pooled observation for ranking: its value and the sample it came from. */
struct ranked {
    double value;
    bool from_a;
};

static int compare_ranked(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    return (a->value > b->value) - (a->value < b->value);
}

/*
 * P(U >= u) under the null hypothesis, for samples of m and n values without
 * ties. Counts, for every u, the orderings of m a's and n b's in which the a's
 * beat exactly u of the (a, b) pairs, by the recurrence on the largest value:
 * N(i, j, u) = N(i-1, j, u-j) (an a, beating all j b's) + N(i, j-1, u) (a b).
 * The counts stay below C(20, 10), exact in a double.
 */
static double exact_upper_tail(size_t m, size_t n, size_t u)
{
    enum { MAX_U = VTB_MWU_EXACT_MAX * VTB_MWU_EXACT_MAX };
    static_assert(VTB_MWU_EXACT_MAX <= 15, "orderings must stay exact in a double");
    double prev[VTB_MWU_EXACT_MAX + 1][MAX_U + 1];
    double cur[VTB_MWU_EXACT_MAX + 1][MAX_U + 1];
    double tail = 0.0, total = 0.0;

    memset(prev, 0, sizeof(prev));
    for (size_t i = 0; i <= m; i++) {
        memset(cur, 0, sizeof(cur));
        for (size_t j = 0; j <= n; j++) {
            for (size_t k = 0; k <= m * n; k++) {
                double count = (i == 0 && j == 0 && k == 0) ? 1.0 : 0.0;

                if (i > 0 && k >= j)
                    count += prev[j][k - j];
                if (j > 0)
                    count += cur[j - 1][k];
                cur[j][k] = count;
            }
        }
        memcpy(prev, cur, sizeof(prev));
    }
    for (size_t k = 0; k <= m * n; k++) {
        total += prev[n][k];
        if (k >= u)
            tail += prev[n][k];
    }
    return tail / total;
}

/* Upper tail of the standard normal distribution, P(Z > z). */
static double normal_sf(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

int vtb_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                           struct vtb_mwu *out)
{
    struct ranked *pool;
    size_t total = na + nb;
    double rank_sum_a = 0.0, tie_term = 0.0;
    double mean_u, var_u, deviation;
    struct vtb_mwu r;

    if (a == NULL || b == NULL || out == NULL || na == 0 || nb == 0 ||
        !all_finite(a, na) || !all_finite(b, nb))
        return VTB_EINVAL;
    pool = malloc(total * sizeof(*pool));
    if (pool == NULL)
        return VTB_ENOMEM;
    for (size_t i = 0; i < na; i++)
        pool[i] = (struct ranked){ .value = a[i], .from_a = true };
    for (size_t i = 0; i < nb; i++)
        pool[na + i] = (struct ranked){ .value = b[i], .from_a = false };
    qsort(pool, total, sizeof(*pool), compare_ranked);

    /* Tied values share the mean of the ranks they span (1-based). */
    for (size_t start = 0; start < total;) {
        size_t end = start + 1;
        double rank, run;

        while (end < total && pool[end].value == pool[start].value)
            end++;
        rank = ((double)(start + 1) + (double)end) / 2.0;
        run = (double)(end - start);
        for (size_t i = start; i < end; i++) {
            if (pool[i].from_a)
                rank_sum_a += rank;
        }
        tie_term += run * run * run - run;
        start = end;
    }
    free(pool);

    memset(&r, 0, sizeof(r));
    r.u = rank_sum_a - (double)na * ((double)na + 1.0) / 2.0;
    mean_u = (double)na * (double)nb / 2.0;
    var_u = (double)na * (double)nb / 12.0 *
            (((double)total + 1.0) - tie_term / ((double)total * ((double)total - 1.0)));
    deviation = r.u - mean_u;
    if (var_u > 0.0) {
        /* The continuity correction moves U half a step towards the mean. */
        double corrected = fabs(deviation) - 0.5;

        r.z = corrected > 0.0 ? copysign(corrected, deviation) / sqrt(var_u) : 0.0;
    }

    if (na <= VTB_MWU_EXACT_MAX && nb <= VTB_MWU_EXACT_MAX && tie_term == 0.0) {
        /* U is symmetric about its mean: double the tail beyond the larger U. */
        double larger = r.u > mean_u ? r.u : (double)na * (double)nb - r.u;

        r.p_value = 2.0 * exact_upper_tail(na, nb, (size_t)larger);
        r.exact = true;
    } else {
        r.p_value = var_u > 0.0 ? 2.0 * normal_sf(fabs(r.z)) : 1.0;
    }
    if (r.p_value > 1.0)
        r.p_value = 1.0;
    *out = r;
    return 0;
}
