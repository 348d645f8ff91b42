/*
 * Writer of HdrHistogram's classic .hgrm percentile distribution format. The
 * column widths, precisions and the footer follow HdrHistogram's
 * outputPercentileDistribution, including its quirk of omitting the
 * 1/(1-Percentile) column on the 100% row, where it would be infinite.
 */
#include "hgrm.h"

#include "vtb/error.h"

#include <inttypes.h>
#include <math.h>

int vtb_hgrm_write(FILE *out, const struct vtb_hist *h, int ticks_per_half_distance,
                   double output_unit_ratio)
{
    struct vtb_hist_pct_iter it;
    int digits, rc;

    if (out == NULL || h == NULL || !(output_unit_ratio > 0.0) || !isfinite(output_unit_ratio))
        return VTB_EINVAL;
    rc = vtb_hist_pct_iter_init(&it, h, ticks_per_half_distance);
    if (rc != 0)
        return rc;
    digits = h->significant_figures;

    if (fprintf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
                "1/(1-Percentile)") < 0)
        goto out_io;
    while (vtb_hist_pct_iter_next(&it)) {
        double value = (double)it.value / output_unit_ratio;
        double fraction = it.percentile / 100.0;
        int n;

        if (it.percentile < 100.0)
            n = fprintf(out, "%12.*f %2.12f %10" PRId64 " %14.2f\n", digits, value, fraction,
                        it.cumulative_count, 1.0 / (1.0 - fraction));
        else
            n = fprintf(out, "%12.*f %2.12f %10" PRId64 "\n", digits, value, fraction,
                        it.cumulative_count);
        if (n < 0)
            goto out_io;
    }

    /*
     * Mean and standard deviation are rarely meaningful for latency (the
     * distributions are multi-modal), but HdrHistogram prints them so that
     * the percentile rows can be contrasted with them.
     */
    if (fprintf(out, "#[Mean    = %12.*f, StdDeviation   = %12.*f]\n", digits,
                vtb_hist_mean(h) / output_unit_ratio, digits,
                vtb_hist_stddev(h) / output_unit_ratio) < 0)
        goto out_io;
    if (fprintf(out, "#[Max     = %12.*f, Total count    = %12" PRId64 "]\n", digits,
                (double)vtb_hist_value_at_percentile(h, 100.0) / output_unit_ratio,
                vtb_hist_total_count(h)) < 0)
        goto out_io;
    if (fprintf(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", (int)h->bucket_count,
                (int)h->sub_bucket_count) < 0)
        goto out_io;
    if (vtb_hist_overflow(h) > 0 &&
        fprintf(out, "#[Clamped = %12" PRId64 ", Exact max      = %12.*f]\n",
                vtb_hist_overflow(h), digits, (double)vtb_hist_max(h) / output_unit_ratio) < 0)
        goto out_io;

    /* Surface errors still sitting in the buffer before reporting success. */
    if (fflush(out) != 0 || ferror(out))
        goto out_io;
    return 0;

out_io:
    return VTB_EIO;
}
