/*
 * The charts of `vtbench report`: one table of them in report order, the
 * plan each one makes from the run, and the helpers the plans share.
 *
 * A chart is a gnuplot template reports/NAME.gp and a plan function. The
 * plan decides whether the run's sweep can fill the chart (if not, its note
 * says why and the chart is skipped) and, if so, which cells and
 * implementations gnuplot draws, passed as -e variables documented in
 * reports/common.gp (cells as ":0:3:6:", implementations as word lists).
 * That choice is the part worth testing in C: which axes vary, which one is
 * held at which value, which cells are complete.
 *
 * The plans live by family: charts_cost.c (time and bytes per call against
 * hit ratio: ns-per-op, alloc, break-even, alloc-1m, and simulated against
 * real misses: backend), charts_latency.c (the
 * percentile spectrum) and charts_scaling.c (as the load grows: threads,
 * key skew, offered load). Internal to reports/ (vtb__chart_ names).
 */
#ifndef VTB_CHARTS_H
#define VTB_CHARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "gnuplot.h"
#include "report.h"
#include "report_data.h"
#include "report_slice.h"

/* What a chart's plan hands to gnuplot, and says in report.md. */
struct vtb__chart_plan {
    struct vtb__gp_text vars;       /* -e assignments, the chart's own part */
    /* Figures the report derives for the chart (paired ratios, which
     * results.csv holds only against one reference): CSV text that report.c
     * writes as NAME.csv beside the chart and passes as chartdata; empty
     * when the chart reads only the run's files. */
    struct vtb__gp_text table;
    char note[VTB_REPORT_NOTE_MAX]; /* drawn: what it shows; skipped: why */
};

/*
 * The y scale of a chart, fixed by what the chart shows and never by the
 * spread of the data, so that noise cannot change how a chart reads:
 *   LOG     time per call against the hit ratio or key skew (a hit and a
 *           miss differ by one to three orders of magnitude by design),
 *           cost ratios (2x faster and 2x slower are the same distance
 *           from 1), latency percentiles;
 *   LINEAR  from 0: bytes and allocations per call, megabytes per million
 *           calls and throughput (the distance from 0 and from the ideal
 *           line is what is read).
 */
enum vtb__chart_scale {
    VTB__CHART_LINEAR,
    VTB__CHART_LOG,
};

/* Fills p for the run d; returns false (with the reason in p->note) when
 * the run cannot fill the chart. Out of memory shows as p->vars.failed. */
typedef bool vtb__chart_plan_fn(const struct vtb__report_data *d, struct vtb__chart_plan *p);

struct vtb__chart_def {
    const char *name;  /* the template (reports/NAME.gp) and the stem of its files */
    const char *title; /* heading in report.md */
    enum vtb__chart_scale y_scale; /* passed as logy (0 or 1) */
    vtb__chart_plan_fn *plan;
};

/* The definition of the chart called name, or NULL. */
const struct vtb__chart_def *vtb__chart_find(const char *name);

/* Frees what a plan holds. */
void vtb__chart_plan_free(struct vtb__chart_plan *p);

/* The charts, in report order (at most VTB_REPORT_CHART_MAX). */
extern const struct vtb__chart_def vtb__charts[];
extern const size_t vtb__chart_count;

/* The plans, by family. */
vtb__chart_plan_fn vtb__chart_plan_ns_per_op;        /* charts_cost.c */
vtb__chart_plan_fn vtb__chart_plan_alloc;            /* charts_cost.c */
vtb__chart_plan_fn vtb__chart_plan_break_even;       /* charts_cost.c */
vtb__chart_plan_fn vtb__chart_plan_alloc_1m;         /* charts_cost.c */
vtb__chart_plan_fn vtb__chart_plan_backend;          /* charts_cost.c */
vtb__chart_plan_fn vtb__chart_plan_latency_spectrum; /* charts_latency.c */
vtb__chart_plan_fn vtb__chart_plan_threads;          /* charts_scaling.c */
vtb__chart_plan_fn vtb__chart_plan_key_skew;         /* charts_scaling.c */
vtb__chart_plan_fn vtb__chart_plan_open_loop;        /* charts_scaling.c */

/* ---- Shared by the plans (charts.c) ---- */

/* Writes the printf-formatted note (truncated to VTB_REPORT_NOTE_MAX). */
void vtb__chart_note(char *note, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends to note, within VTB_REPORT_NOTE_MAX. */
void vtb__chart_note_append(char *note, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets the note "WHAT[; one line style per SERIES][; held at A=x, ...]". */
void vtb__chart_slice_note(char *note, const struct vtb__report_slice *s, const char *what);

/* Writes the title of a line or panel: "label=value" of axis, or "-" when
 * axis is -1 (the chart does not split on one). */
void vtb__chart_axis_title(char *buf, size_t size, int axis, const char *value);

/* Passes impls: every implementation of the run, as a word list. */
void vtb__chart_impls(struct vtb__chart_plan *p, const struct vtb__report_data *d);

/* Passes slice: the held axes of s ("label=value, ..."), for titles. */
void vtb__chart_slice_var(struct vtb__chart_plan *p, const struct vtb__report_slice *s);

/*
 * Splits the cells of s into groups, one per (panel value, series value),
 * and passes them: ngroups, gcells (":i:j:" per group), gtitles ("-"
 * without a series axis), gdt (dash type: the series value's rank),
 * npanels, ptitles, pfirst/plast (each panel's groups) and slice. Returns
 * the number of groups (0: nothing to draw).
 */
size_t vtb__chart_groups(struct vtb__chart_plan *p, const struct vtb__report_data *d,
                         const struct vtb__report_slice *s);

/* Passes the marks of hollow points: the "(N of M cells short of their
 * precision: hollow points)" note text for the rows of s is appended to
 * note when any is. */
void vtb__chart_precision_note(char *note, const struct vtb__report_data *d,
                               const struct vtb__report_slice *s);

/* True when the hit ratio is swept; else false, and note says why. */
bool vtb__chart_hit_ratio_swept(const struct vtb__report_data *d, char *note);

#endif /* VTB_CHARTS_H */
