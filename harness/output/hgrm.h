/*
 * Writer of HdrHistogram's classic ".hgrm" percentile distribution text, the
 * format of HdrHistogram's outputPercentileDistribution: a header line, one
 * row per percentile level (value, percentile as a fraction, cumulative
 * count, 1/(1-percentile)), and three "#[...]" footer lines. Files in this
 * format can be plotted with HdrHistogram's plotFiles.html and compared with
 * the output of any HdrHistogram port.
 *
 * The writer only formats: it takes a FILE* that the caller opened and will
 * close (or rename into place), so that a failed run never leaves half a file
 * under the final name.
 */
#ifndef VTB_HGRM_H
#define VTB_HGRM_H

#include <stdio.h>

#include "histogram.h"

/* HdrHistogram's default number of percentile levels per half distance. */
#define VTB_HGRM_DEFAULT_TICKS 5

/*
 * Writes the percentile distribution of h to out.
 *
 * ticks_per_half_distance (>= 1, usually VTB_HGRM_DEFAULT_TICKS) sets how
 * many rows each halving of the distance to 100% gets. Every value is divided
 * by output_unit_ratio (> 0) before printing, e.g. 1000.0 to print
 * nanosecond samples in microseconds. Values are printed with
 * h->significant_figures decimals, as HdrHistogram does.
 *
 * Like HdrHistogram, the value of a row is the highest value equivalent to
 * the bucket that reached the percentile, and the footer's Max is the highest
 * equivalent of the largest bucketed sample. When samples were clamped at
 * highest_trackable, one more comment line, "#[Clamped = n, Exact max = v]",
 * says how many and gives the exact unclamped maximum; it is omitted
 * otherwise so that in-range output matches HdrHistogram byte for byte.
 * Numbers are formatted by printf with the current LC_NUMERIC, which must be
 * "C" (the default) for the file to be readable by other tools. printf
 * rounds exact decimal ties to even, as HdrHistogram_c does; Java's
 * HdrHistogram rounds them up, so a percentile that is an exact binary
 * fraction (0.9997802734375) can differ from Java's output in its 12th
 * decimal.
 *
 * Returns 0, VTB_EINVAL for a NULL argument or a bad ticks or ratio, or
 * VTB_EIO when a write failed (ferror(out) was set, even by an earlier write;
 * the stream is flushed so that buffered failures surface here).
 */
int vtb_hgrm_write(FILE *out, const struct vtb_hist *h, int ticks_per_half_distance,
                   double output_unit_ratio);

#endif /* VTB_HGRM_H */
