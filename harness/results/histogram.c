/*
 * HDR-style log-linear latency histogram: shape computation, merging and the
 * queries that run after a measurement (percentiles, mean, iteration).
 * Recording itself is inline in histogram.h because it sits in the timed
 * loop. The bucketing arithmetic follows HdrHistogram so that percentiles
 * and .hgrm output agree with it value for value.
 */
#include "histogram.h"

#include "vtb/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Smallest m with 2^m >= 2 * 10^figures: enough linear sub-buckets that in
 * the upper half of every bucket, where values are recorded, one step is at
 * most 1 / 10^figures of the value. Integer arithmetic avoids log() rounding.
 */
static int32_t sub_bucket_count_magnitude(int figures)
{
    int64_t needed = 2;
    int32_t magnitude = 0;

    for (int i = 0; i < figures; i++)
        needed *= 10;
    while ((INT64_C(1) << magnitude) < needed)
        magnitude++;
    return magnitude;
}

/* Number of doubling buckets needed for sub_bucket_count units to reach value. */
static int32_t buckets_to_cover(int64_t value, int32_t sub_bucket_count, int32_t unit_magnitude)
{
    /* value <= INT64_MAX / 2, so the doubling below cannot overflow. */
    int64_t smallest_untrackable = (int64_t)sub_bucket_count << unit_magnitude;
    int32_t buckets = 1;

    while (smallest_untrackable <= value) {
        smallest_untrackable <<= 1;
        buckets++;
    }
    return buckets;
}

int vtb_hist_init(struct vtb_hist *h, int64_t lowest_discernible,
                  int64_t highest_trackable, int significant_figures)
{
    struct vtb_hist shape;
    int32_t magnitude;

    if (h == NULL || lowest_discernible < 1 || significant_figures < 1 ||
        significant_figures > 5 || highest_trackable > INT64_MAX / 2 ||
        lowest_discernible > highest_trackable / 2)
        return VTB_EINVAL;

    memset(&shape, 0, sizeof(shape));
    shape.lowest_discernible = lowest_discernible;
    shape.highest_trackable = highest_trackable;
    shape.significant_figures = significant_figures;
    shape.unit_magnitude = 63 - __builtin_clzll((unsigned long long)lowest_discernible);
    magnitude = sub_bucket_count_magnitude(significant_figures);
    shape.sub_bucket_half_count_magnitude = magnitude - 1;
    shape.sub_bucket_count = INT32_C(1) << magnitude;
    shape.sub_bucket_half_count = shape.sub_bucket_count / 2;
    /* The whole first bucket must be addressable in an int64_t. */
    if (shape.unit_magnitude + shape.sub_bucket_half_count_magnitude > 61)
        return VTB_EINVAL;
    shape.sub_bucket_mask = ((int64_t)shape.sub_bucket_count - 1) << shape.unit_magnitude;
    shape.bucket_count = buckets_to_cover(highest_trackable, shape.sub_bucket_count,
                                          shape.unit_magnitude);
    /* Bucket 0 uses all its sub-buckets, every later one only its top half. */
    shape.counts_len = (shape.bucket_count + 1) * shape.sub_bucket_half_count;
    shape.counts = calloc((size_t)shape.counts_len, sizeof(*shape.counts));
    if (shape.counts == NULL)
        return VTB_ENOMEM;
    shape.min_value = INT64_MAX;
    *h = shape;
    return 0;
}

void vtb_hist_fini(struct vtb_hist *h)
{
    if (h == NULL)
        return;
    free(h->counts);
    h->counts = NULL;
    h->counts_len = 0;
}

void vtb_hist_reset(struct vtb_hist *h)
{
    if (h->counts != NULL)
        memset(h->counts, 0, (size_t)h->counts_len * sizeof(*h->counts));
    h->total_count = 0;
    h->overflow = 0;
    h->min_value = INT64_MAX;
    h->max_value = 0;
}

static bool same_shape(const struct vtb_hist *a, const struct vtb_hist *b)
{
    return a->lowest_discernible == b->lowest_discernible &&
           a->highest_trackable == b->highest_trackable &&
           a->significant_figures == b->significant_figures &&
           a->counts_len == b->counts_len;
}

int vtb_hist_merge(struct vtb_hist *dst, const struct vtb_hist *src)
{
    if (dst == NULL || src == NULL || !same_shape(dst, src))
        return VTB_EINVAL;
    /* Same shape means same index for the same value: add slot by slot. */
    for (int32_t i = 0; i < src->counts_len; i++)
        dst->counts[i] += src->counts[i];
    dst->total_count += src->total_count;
    dst->overflow += src->overflow;
    if (src->min_value < dst->min_value)
        dst->min_value = src->min_value;
    if (src->max_value > dst->max_value)
        dst->max_value = src->max_value;
    return 0;
}

int64_t vtb_hist_total_count(const struct vtb_hist *h)
{
    return h->total_count;
}

int64_t vtb_hist_overflow(const struct vtb_hist *h)
{
    return h->overflow;
}

int64_t vtb_hist_min(const struct vtb_hist *h)
{
    return h->total_count == 0 ? 0 : h->min_value;
}

int64_t vtb_hist_max(const struct vtb_hist *h)
{
    return h->total_count == 0 ? 0 : h->max_value;
}

/* Lowest value of the slot at index: the inverse of vtb__hist_index. */
static int64_t value_at_index(const struct vtb_hist *h, int32_t index)
{
    int32_t bucket = (index >> h->sub_bucket_half_count_magnitude) - 1;
    int32_t sub_bucket = (index & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;

    /* Indexes below sub_bucket_half_count are the lower half of bucket 0. */
    if (bucket < 0) {
        sub_bucket -= h->sub_bucket_half_count;
        bucket = 0;
    }
    return (int64_t)sub_bucket << (bucket + h->unit_magnitude);
}

/* Width of the slot holding value: one unit of its bucket. */
static int64_t equivalent_range(const struct vtb_hist *h, int64_t value)
{
    return INT64_C(1) << (h->unit_magnitude + vtb__hist_bucket(h, value));
}

int64_t vtb_hist_lowest_equivalent(const struct vtb_hist *h, int64_t value)
{
    int64_t range = equivalent_range(h, value);
    return value & ~(range - 1);
}

int64_t vtb_hist_highest_equivalent(const struct vtb_hist *h, int64_t value)
{
    return vtb_hist_lowest_equivalent(h, value) + equivalent_range(h, value) - 1;
}

/* Middle of the slot holding value, HdrHistogram's stand-in for its samples. */
static double median_equivalent(const struct vtb_hist *h, int64_t value)
{
    return (double)(vtb_hist_lowest_equivalent(h, value) + (equivalent_range(h, value) >> 1));
}

double vtb_hist_mean(const struct vtb_hist *h)
{
    double total = 0.0;

    if (h->total_count == 0)
        return 0.0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (h->counts[i] != 0)
            total += (double)h->counts[i] * median_equivalent(h, value_at_index(h, i));
    }
    return total / (double)h->total_count;
}

double vtb_hist_stddev(const struct vtb_hist *h)
{
    double mean, deviations = 0.0;

    if (h->total_count == 0)
        return 0.0;
    mean = vtb_hist_mean(h);
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (h->counts[i] != 0) {
            double d = median_equivalent(h, value_at_index(h, i)) - mean;
            deviations += d * d * (double)h->counts[i];
        }
    }
    return sqrt(deviations / (double)h->total_count);
}

int64_t vtb_hist_value_at_percentile(const struct vtb_hist *h, double p)
{
    double requested, fractional;
    int64_t wanted, cumulative = 0;

    if (h->total_count == 0)
        return 0;
    if (isnan(p))
        p = 0.0;
    /*
     * Stepping one ulp down first keeps products such as 99.99% of 10000,
     * which come out a hair above 9999 in binary, from rounding up into the
     * next sample (HdrHistogram does the same).
     */
    requested = nextafter(p, -INFINITY);
    requested = requested < 0.0 ? 0.0 : requested > 100.0 ? 100.0 : requested;
    fractional = requested * (double)h->total_count / 100.0;
    wanted = (int64_t)ceil(fractional);
    if (wanted < 1)
        wanted = 1;
    for (int32_t i = 0; i < h->counts_len; i++) {
        cumulative += h->counts[i];
        if (cumulative >= wanted) {
            int64_t value = value_at_index(h, i);
            return p <= 0.0 ? vtb_hist_lowest_equivalent(h, value)
                            : vtb_hist_highest_equivalent(h, value);
        }
    }
    return 0; /* unreachable while total_count matches the counts */
}

int vtb_hist_pct_iter_init(struct vtb_hist_pct_iter *it, const struct vtb_hist *h,
                           int ticks_per_half_distance)
{
    if (it == NULL || h == NULL || ticks_per_half_distance < 1)
        return VTB_EINVAL;
    memset(it, 0, sizeof(*it));
    it->hist = h;
    it->total_count = h->total_count;
    it->index = -1;
    it->ticks_per_half_distance = ticks_per_half_distance;
    it->next_percentile = 0.0;
    return 0;
}

/*
 * The level after p. The way to 100% is cut into halves (0-50%, 50-75%,
 * 75-87.5%, ...) and each half gets ticks_per_half_distance evenly spaced
 * levels. The floor(log2()) form is HdrHistogram's, kept so that our levels
 * match its output digit for digit.
 */
static double next_level(double p, int32_t ticks_per_half_distance)
{
    double remaining = 100.0 - p;
    double halvings, next;

    /* Levels this close to 100% need > 10^15 samples; never take log(inf). */
    if (!(remaining > 0.0))
        return 100.0;
    halvings = (double)(int64_t)(log(100.0 / remaining) / log(2.0)) + 1.0;
    next = p + 100.0 / ((double)ticks_per_half_distance * pow(2.0, halvings));
    /* Never beyond 100%, which the last slot always reaches. */
    return next < 100.0 ? next : 100.0;
}

bool vtb_hist_pct_iter_next(struct vtb_hist_pct_iter *it)
{
    const struct vtb_hist *h = it->hist;

    if (it->total_count == 0)
        return false;
    /* Once every sample is counted, one final row at exactly 100%. */
    if (it->cumulative_count >= it->total_count) {
        if (it->emitted_last)
            return false;
        it->emitted_last = true;
        it->percentile = 100.0;
        return true;
    }
    if (it->index < 0) {
        it->index = 0;
        it->cumulative_count = h->counts[0];
    }
    for (;;) {
        double reached = 100.0 * (double)it->cumulative_count / (double)it->total_count;

        /*
         * One slot may cover several levels: stay on it, emitting one level
         * per call, until the levels pass the share of samples it reaches.
         */
        if (h->counts[it->index] != 0 && reached >= it->next_percentile) {
            it->value = vtb_hist_highest_equivalent(h, value_at_index(h, it->index));
            it->percentile = it->next_percentile;
            it->next_percentile = next_level(it->next_percentile, it->ticks_per_half_distance);
            return true;
        }
        if (it->index + 1 >= h->counts_len)
            return false; /* counts and total disagree: stop rather than overrun */
        it->index++;
        it->cumulative_count += h->counts[it->index];
    }
}
