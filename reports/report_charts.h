/*
 * `vtbench report`: charts and a written report from a finished run
 * directory, for the docs.
 *
 * vtb_report_generate reads only the files of a run (results.csv,
 * percentiles.csv, context.json), decides which charts the run's sweep can
 * fill, renders each with gnuplot from a template in reports/<chart>.gp (as
 * SVG for the docs and PNG for quick viewing), and writes report.md beside
 * them: the machine context, the summary table, the charts and the articles'
 * claims with the values measured here and a verdict. Measurement and
 * reporting stay apart: gnuplot reads the run's CSV files itself, and this
 * module only tells it which cells and implementations to draw.
 *
 * gnuplot runs as a child process (posix_spawnp of `gnuplot`, or of the
 * program named by the environment variable VTB_GNUPLOT). The templates are
 * found in $VTB_REPORTS_DIR, else in the source tree this file was compiled
 * from, else in ./reports.
 *
 * The second half of this header is internal to the report modules
 * (report_charts.c and report_md.c, vtb__ names): the run's data as loaded,
 * and the slicing of a sweep into what one chart or one claim looks at.
 */
#ifndef VTB_REPORT_CHARTS_H
#define VTB_REPORT_CHARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_reader.h"
#include "vtb/error.h"

#define VTB_REPORT_PATH_MAX 1024
#define VTB_REPORT_CHART_MAX 8
#define VTB_REPORT_NOTE_MAX 256

/* What happened to one chart. */
struct vtb_report_chart {
    const char *name;                /* file stem: NAME.svg, NAME.png, reports/NAME.gp */
    const char *title;               /* heading in report.md */
    bool drawn;                      /* false: skipped, and note says why */
    char note[VTB_REPORT_NOTE_MAX];  /* drawn: what slice it shows; skipped: why */
};

/* What vtb_report_generate produced. */
struct vtb_report_outcome {
    char out_dir[VTB_REPORT_PATH_MAX];
    char report_md[VTB_REPORT_PATH_MAX]; /* path of report.md */
    unsigned chart_count;                /* entries in charts */
    unsigned drawn, skipped;
    struct vtb_report_chart charts[VTB_REPORT_CHART_MAX];
};

/*
 * Renders the charts and report.md of the run in run_dir into out_dir
 * (NULL: run_dir/report), creating out_dir and its parents if needed.
 * Every file is written under a temporary name and renamed into place, so
 * a re-run replaces an earlier report; the files of a chart that is now
 * skipped are removed. Prints nothing: what was drawn and skipped, and
 * where report.md is, comes back in outcome.
 *
 * Returns 0; VTB_EINVAL (NULL argument); VTB_ENOTFOUND (run_dir has no
 * results.csv); VTB_EUNSUPPORTED (gnuplot is not installed, and the
 * message names the Debian package gnuplot-nox; or the templates cannot be
 * found); VTB_ESYNTAX (a CSV file is malformed or lacks a column); VTB_EIO
 * (a file cannot be written, or gnuplot failed or complained: its stderr
 * is in the message); VTB_ERANGE (a path is too long); VTB_ENOMEM.
 */
int vtb_report_generate(const char *run_dir, const char *out_dir,
                        struct vtb_report_outcome *outcome, struct vtb_error *err);

/* ---- Internal to report_charts.c and report_md.c ---- */

/*
 * The sweep axes of results.csv, in the order in which they are considered
 * for a chart's series and slice (the first varying axis is the "primary"
 * one of a sweep).
 */
enum vtb__report_axis {
    VTB__AX_HIT_RATIO, /* hit_ratio_target; empty in emergent mode */
    VTB__AX_THREADS,
    VTB__AX_CONCURRENCY,
    VTB__AX_KEY_DIST,
    VTB__AX_MISS_LATENCY,
    VTB__AX_COMPLETION,
    VTB__AX_CONTINUATION,
    VTB__AX_CACHE_LOCK,
    VTB__AX_KEYS,
    VTB__AX_CAPACITY,
    VTB__AX_TTL,
    VTB__AX_COUNT
};

struct vtb__report_axis_def {
    const char *column; /* results.csv column */
    const char *label;  /* as shown in titles and tables */
    bool numeric;       /* compared as numbers (else as text) */
    int prefer;         /* value held in a slice: -1 smallest, +1 largest, 0 first seen */
};
extern const struct vtb__report_axis_def vtb__report_axes[VTB__AX_COUNT];

/* One row of results.csv, typed; strings point into the CSV table. */
struct vtb__report_row {
    const char *impl;
    unsigned cell;
    const char *axis[VTB__AX_COUNT];
    double axis_num[VTB__AX_COUNT]; /* NaN for text axes and empty fields */
    double hit_ratio;               /* measured */
    double ns, ci_low, ci_high;     /* ns per operation: mean and its 95% CI */
    double ops_per_sec, p50_ns, p99_ns, p999_ns;
    double bytes_per_op, allocs_per_op, requested_bytes_per_op;
    double ops, total_alloc_bytes, miss_latency_ns, errors;
    double floor_ns;                /* the cell's cost floor (NaN if absent) */
    bool bytes_usable;
};

/* A cell: its index and the row that first names it (for its axis values). */
struct vtb__report_cell {
    unsigned index;
    size_t first_row;
    bool complete; /* has a row of every implementation of the run */
};

#define VTB__REPORT_MAX_IMPLS 16

/* The run as loaded from its directory. */
struct vtb__report_data {
    char run_dir[VTB_REPORT_PATH_MAX];
    char scenario[128];
    struct vtb_csv_table results;
    struct vtb__report_row *rows;
    size_t nrows;
    struct vtb__report_cell *cells; /* in order of first appearance */
    size_t ncells;
    const char *impls[VTB__REPORT_MAX_IMPLS]; /* in order of first appearance */
    size_t nimpls;
    bool has_percentiles; /* percentiles.csv was found and read */
    struct vtb_csv_table percentiles;
};

/*
 * Which cells a chart or claim looks at: one axis on x (its values vary
 * freely), optionally one split into panels and one drawn as separate
 * series, and every other axis that varies held at one value (fixed).
 */
struct vtb__report_slice {
    int x, panel, series;                   /* axes, or -1 */
    const char *fixed[VTB__AX_COUNT];       /* held value, or NULL (not held) */
};

/* Number of distinct values of axis over the cells (empty fields ignored). */
size_t vtb__report_axis_distinct(const struct vtb__report_data *d, int axis);

/*
 * Sets s up for a chart with x on the x axis (-1: none) and panel split
 * into panels (-1: none): the first other varying axis with at most 4
 * values becomes the series when allow_series, and every other varying
 * axis is held at its preferred value.
 */
void vtb__report_slice_init(const struct vtb__report_data *d, struct vtb__report_slice *s,
                            int x, int panel, bool allow_series);

/* Writes "label=value, ..." of the held axes into buf ("" when none). */
void vtb__report_slice_describe(const struct vtb__report_slice *s, char *buf, size_t size);

/* True when cell matches every held axis of s. */
bool vtb__report_cell_in_slice(const struct vtb__report_data *d, const struct vtb__report_cell *c,
                               const struct vtb__report_slice *s);

/* The row of impl in cell, or NULL. */
const struct vtb__report_row *vtb__report_row_of(const struct vtb__report_data *d,
                                                 unsigned cell, const char *impl);

/*
 * The claims slice (hit ratio on x, everything else held: one thread when
 * that was measured): the row of impl at hit ratio target h, or NULL.
 */
const struct vtb__report_row *vtb__report_claim_row(const struct vtb__report_data *d,
                                                    const char *impl, double h);

/* Up to this many crossings of a cost ratio through 1.0 are kept. */
#define VTB__REPORT_MAX_CROSSINGS 8

/*
 * The cost ratio num/den (ns per operation) against hit ratio over the
 * cells listed (in any order). At each hit ratio the ratio is significantly
 * above 1 when num's 95% confidence interval lies wholly above den's,
 * below 1 when wholly below, and within noise otherwise. A crossing is
 * where the ratio passes through 1.0 between two neighbouring significant
 * points of opposite sides (by linear interpolation over the hit ratios
 * between them), so that noise around 1.0 is not reported as a crossing.
 * Returns the number of crossings stored (in increasing hit ratio), or -1
 * when fewer than 2 hit ratios have both implementations.
 */
struct vtb__report_crossings {
    double at[VTB__REPORT_MAX_CROSSINGS];
    bool upward[VTB__REPORT_MAX_CROSSINGS]; /* ratio rises through 1: den becomes cheaper */
    double min_ratio, min_at, max_ratio, max_at;
    size_t points;         /* hit ratios with both implementations */
    size_t above, below;   /* of which significantly above / below 1 */
};
int vtb__report_crossings(const struct vtb__report_data *d, const unsigned *cells, size_t ncells,
                          const char *num, const char *den, struct vtb__report_crossings *out);

/* The cells of the claims slice (hit ratio on x), in order; returns the count. */
size_t vtb__report_claim_cells(const struct vtb__report_data *d, unsigned *cells, size_t max);

#endif /* VTB_REPORT_CHARTS_H */
