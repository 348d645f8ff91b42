/*
 * HDR-style log-linear latency histogram.
 *
 * The bucketing is HdrHistogram's: values are grouped into buckets whose
 * width doubles from one bucket to the next, and every bucket is split into
 * the same number of linear sub-buckets, chosen so that any recorded value is
 * kept to significant_figures decimal digits of precision. Percentiles,
 * equivalent-value ranges, mean and standard deviation therefore agree with
 * what HdrHistogram reports for the same data, which lets our .hgrm files be
 * compared with (and plotted by) HdrHistogram's own tools.
 *
 * A histogram is caller-owned (vtb_hist_init/vtb_hist_fini) and
 * single-threaded: every measuring thread records into its own histogram and
 * the runner merges them after the run. Recording is on the timed path, so
 * vtb_hist_record and vtb_hist_record_n are inline, never allocate and never
 * fail: out-of-range values are clamped, and the clamping is counted so that
 * the reporters can say so instead of dropping samples silently.
 */
#ifndef VTB_HISTOGRAM_H
#define VTB_HISTOGRAM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Histogram state. Treat the fields as read-only and go through the
 * functions below; they are in the header only so that recording can be
 * inlined into the timed loop.
 */
struct vtb_hist {
    int64_t lowest_discernible;  /* smallest value told apart from 0, >= 1 */
    int64_t highest_trackable;   /* larger values are clamped to this */
    int32_t significant_figures; /* decimal digits of precision, 1..5 */
    int32_t unit_magnitude;      /* floor(log2(lowest_discernible)) */
    int32_t sub_bucket_half_count_magnitude;
    int32_t sub_bucket_half_count;
    int32_t sub_bucket_count;    /* linear steps per bucket, a power of 2 */
    int32_t bucket_count;        /* doubling buckets needed up to highest */
    int32_t counts_len;          /* entries in counts */
    int64_t sub_bucket_mask;
    int64_t total_count;         /* samples recorded, overflow included */
    int64_t overflow;            /* samples above highest_trackable */
    int64_t min_value;           /* exact smallest sample, INT64_MAX if none */
    int64_t max_value;           /* exact largest sample, before clamping */
    int64_t *counts;             /* counts_len counters, owned */
};

/*
 * Iterator over the percentile levels of a histogram, in the steps that
 * HdrHistogram's percentile iterator takes: ticks_per_half_distance levels
 * between 0% and 50%, as many between 50% and 75%, and so on, halving the
 * distance to 100% each time, followed by one final 100% step.
 */
struct vtb_hist_pct_iter {
    /* Valid after vtb_hist_pct_iter_next returned true. */
    double percentile;        /* level reached, in [0, 100] */
    int64_t value;            /* highest equivalent value of its bucket */
    int64_t cumulative_count; /* samples at or below value */

    /* Private iteration state. */
    const struct vtb_hist *hist;
    int64_t total_count;
    double next_percentile;
    int32_t index;
    int32_t ticks_per_half_distance;
    bool emitted_last;
};

/*
 * Initialises h to track values in [0, highest_trackable] with
 * significant_figures decimal digits of precision, telling values apart down
 * to lowest_discernible (use 1 for nanosecond latencies). The counts array is
 * allocated here, once; recording never allocates.
 *
 * lowest_discernible must be >= 1, highest_trackable must be at least
 * 2 * lowest_discernible and at most INT64_MAX / 2, significant_figures must
 * be in 1..5.
 *
 * Returns 0, VTB_EINVAL for bad arguments (h untouched), VTB_ENOMEM.
 */
int vtb_hist_init(struct vtb_hist *h, int64_t lowest_discernible,
                  int64_t highest_trackable, int significant_figures);

/* Releases the counts of h. h may be zeroed or already finalised. */
void vtb_hist_fini(struct vtb_hist *h);

/* Forgets every sample, keeping the shape: the state after vtb_hist_init. */
void vtb_hist_reset(struct vtb_hist *h);

/*
 * Doubling bucket of a value in [0, highest_trackable]. Branch-free: the
 * mask keeps the argument of clzll non-zero and puts every value below
 * sub_bucket_count units into bucket 0.
 */
static inline int32_t vtb__hist_bucket(const struct vtb_hist *h, int64_t value)
{
    int32_t pow2_ceiling = 64 - __builtin_clzll((unsigned long long)(value | h->sub_bucket_mask));
    return pow2_ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
}

/* Index in h->counts of a value in [0, highest_trackable]. */
static inline int32_t vtb__hist_index(const struct vtb_hist *h, int64_t value)
{
    int32_t bucket = vtb__hist_bucket(h, value);
    int32_t sub_bucket = (int32_t)(value >> (bucket + h->unit_magnitude));
    /* Bucket 0 owns indexes 0..sub_bucket_count-1, each later bucket the
     * next sub_bucket_half_count (its lower half duplicates the bucket before). */
    return ((bucket + 1) << h->sub_bucket_half_count_magnitude) +
           (sub_bucket - h->sub_bucket_half_count);
}

/*
 * Records count samples of value (count >= 1; any unit, typically ns).
 * Negative values are recorded as 0; values above highest_trackable are
 * recorded as highest_trackable and also counted in the overflow counter
 * (vtb_hist_overflow), while max keeps the exact unclamped value. Costs a few
 * ns: no allocation, and the clamps and min/max compile to conditional moves.
 */
static inline void vtb_hist_record_n(struct vtb_hist *h, int64_t value, int64_t count)
{
    int64_t v = value < 0 ? 0 : value;
    int64_t over = v > h->highest_trackable;
    int64_t clamped = over ? h->highest_trackable : v;

    h->counts[vtb__hist_index(h, clamped)] += count;
    h->total_count += count;
    h->overflow += over * count;
    h->min_value = v < h->min_value ? v : h->min_value;
    h->max_value = v > h->max_value ? v : h->max_value;
}

/* Records one sample of value; see vtb_hist_record_n. */
static inline void vtb_hist_record(struct vtb_hist *h, int64_t value)
{
    vtb_hist_record_n(h, value, 1);
}

/*
 * Adds every sample of src to dst, as if they had been recorded into dst.
 * Returns 0, or VTB_EINVAL (dst unchanged) when the two histograms were
 * initialised with different lowest_discernible, highest_trackable or
 * significant_figures.
 */
int vtb_hist_merge(struct vtb_hist *dst, const struct vtb_hist *src);

/* Number of samples recorded, including clamped ones. */
int64_t vtb_hist_total_count(const struct vtb_hist *h);

/* Number of samples that were above highest_trackable and clamped to it. */
int64_t vtb_hist_overflow(const struct vtb_hist *h);

/* Exact smallest sample recorded (negatives count as 0); 0 when empty. */
int64_t vtb_hist_min(const struct vtb_hist *h);

/* Exact largest sample recorded, before clamping and bucketing; 0 if empty. */
int64_t vtb_hist_max(const struct vtb_hist *h);

/*
 * Mean of the samples, each taken at the middle of its bucket as HdrHistogram
 * does, so it is exact to the histogram's precision. 0 when empty.
 */
double vtb_hist_mean(const struct vtb_hist *h);

/*
 * Population standard deviation of the samples, from bucket middles like
 * vtb_hist_mean (HdrHistogram's definition). 0 when empty.
 */
double vtb_hist_stddev(const struct vtb_hist *h);

/*
 * Value at percentile p (clamped to [0, 100]; NaN counts as 0), with
 * HdrHistogram's semantics: the highest value equivalent to the first bucket
 * at which the cumulative count reaches ceil(p / 100 * total_count) (at
 * least 1). For p <= 0 the lowest equivalent value of the first non-empty
 * bucket is returned instead. The result is within 1 / 10^significant_figures of the
 * exact order statistic. 0 when empty.
 */
int64_t vtb_hist_value_at_percentile(const struct vtb_hist *h, double p);

/* Smallest value that h cannot tell apart from value (value >= 0). */
int64_t vtb_hist_lowest_equivalent(const struct vtb_hist *h, int64_t value);

/* Largest value that h cannot tell apart from value (value >= 0). */
int64_t vtb_hist_highest_equivalent(const struct vtb_hist *h, int64_t value);

/*
 * Starts a percentile iteration over h (which must not be modified while
 * iterating). ticks_per_half_distance >= 1 is the number of levels per
 * halving of the distance to 100%; HdrHistogram's default is 5.
 * Returns 0 or VTB_EINVAL.
 */
int vtb_hist_pct_iter_init(struct vtb_hist_pct_iter *it, const struct vtb_hist *h,
                           int ticks_per_half_distance);

/*
 * Advances to the next percentile level and fills it->percentile, it->value
 * and it->cumulative_count. Returns false when done; an empty histogram
 * yields no levels, a non-empty one ends with a level of exactly 100.0.
 */
bool vtb_hist_pct_iter_next(struct vtb_hist_pct_iter *it);

#endif /* VTB_HISTOGRAM_H */
