/*
 * Slicing a sweep into what one chart or one claim looks at; the paired
 * ratio of two implementations in a cell; and the crossings of a cost
 * ratio through 1.0 that the break-even chart and the break-even claim
 * share. A chart never mixes two values of an axis silently: every axis
 * that varies is either drawn (on x, as panels, as line styles) or held at
 * one value, and the held values are said in the chart's note. Internal to
 * reports/ (vtb__ names); depends only on report_data.h.
 */
#ifndef VTB_REPORT_SLICE_H
#define VTB_REPORT_SLICE_H

#include <stdbool.h>
#include <stddef.h>

#include "ratios.h"
#include "report_data.h"

/* A series axis has at most this many values; one with more is held. */
#define VTB__REPORT_MAX_SERIES_VALUES 4

/*
 * Which cells a chart or claim looks at: one axis on x (its values vary
 * freely), optionally one split into panels and one drawn as separate
 * series, and every other axis that varies held at one value (fixed).
 */
struct vtb__report_slice {
    int x, panel, series;               /* axes, or -1 */
    const char *fixed[VTB_AXIS_COUNT];  /* held value, or NULL (not held) */
};

/*
 * Sets s up for a chart with x on the x axis (-1: none) and panel split
 * into panels (-1: none): the first other varying axis with at most
 * VTB__REPORT_MAX_SERIES_VALUES values becomes the series when
 * allow_series, and every other varying axis is held at its preferred
 * value (vtb__report_preferred_value).
 */
void vtb__report_slice_init(const struct vtb__report_data *d, struct vtb__report_slice *s,
                            int x, int panel, bool allow_series);

/* Writes "label=value, ..." of the held axes into buf ("" when none). */
void vtb__report_slice_describe(const struct vtb__report_slice *s, char *buf, size_t size);

/* True when cell is complete and matches every held axis of s. */
bool vtb__report_cell_in_slice(const struct vtb__report_data *d, const struct vtb__report_cell *c,
                               const struct vtb__report_slice *s);

/*
 * The indexes of the cells of s that have a hit ratio target and, unless
 * series_value is NULL, s's series axis at series_value, in cell order;
 * returns the count (at most max).
 */
size_t vtb__report_slice_cells(const struct vtb__report_data *d,
                               const struct vtb__report_slice *s, const char *series_value,
                               unsigned *cells, size_t max);

/* The cells of the claims slice (hit ratio on x, everything else held: one
 * thread when that was measured), in order; returns the count. */
size_t vtb__report_claim_cells(const struct vtb__report_data *d, unsigned *cells, size_t max);

/* The row of impl at hit ratio target h in the claims slice, or NULL. */
const struct vtb__report_row *vtb__report_claim_row(const struct vtb__report_data *d,
                                                    const char *impl, double h);

/*
 * The paired ratio num/den of ns per operation in cell, with its 95%
 * interval, and the paired ns saved per operation (num - den) with its
 * interval: what choosing den saves. Taken from results.csv's ratio
 * columns when den is num's ratio_to (or inverted when num is den's), else
 * computed from the rounds of samples.csv with vtb_ratio_paired (rounds in
 * use only). Returns false (out NaN) when either row is missing or no
 * round pairs up.
 */
bool vtb__report_pair(const struct vtb__report_data *d, unsigned cell, const char *num,
                      const char *den, struct vtb_ratio *out);

/*
 * The smallest hit ratio from which on the paired ratio num/den differs
 * from 1 beyond its 95% interval at every hit ratio of the cells listed
 * (in any order): NaN when it does not at the highest one. A point of fewer
 * than 2 rounds has no interval and does not differ.
 */
double vtb__report_differs_from(const struct vtb__report_data *d, const unsigned *cells,
                                size_t ncells, const char *num, const char *den);

/* Up to this many crossings of a cost ratio through 1.0 are kept. */
#define VTB__REPORT_MAX_CROSSINGS 8

struct vtb__report_crossings {
    double at[VTB__REPORT_MAX_CROSSINGS];
    bool upward[VTB__REPORT_MAX_CROSSINGS]; /* ratio rises through 1: den becomes cheaper */
    double min_ratio, min_at, max_ratio, max_at;
    size_t points;         /* hit ratios with both implementations */
    size_t above, below;   /* of which significantly above / below 1 */
};

/*
 * The cost ratio num/den (ns per operation, paired: vtb__report_pair)
 * against hit ratio over the cells listed (in any order). At each hit
 * ratio the ratio is significantly above 1 when its 95% interval lies
 * wholly above 1, below when wholly below, and within noise otherwise. A
 * crossing is where the ratio passes through 1.0 between two neighbouring
 * significant points of opposite sides (by linear interpolation over the
 * hit ratios between them), so that noise around 1.0 is not reported as a
 * crossing. Returns the number of crossings stored in out (in increasing
 * hit ratio), or -1 when fewer than 2 hit ratios have both implementations.
 */
int vtb__report_crossings(const struct vtb__report_data *d, const unsigned *cells, size_t ncells,
                          const char *num, const char *den, struct vtb__report_crossings *out);

#endif /* VTB_REPORT_SLICE_H */
