/*
 * The run as `vtbench report` sees it: results.csv typed into rows, the
 * cells those rows belong to and the implementations that ran,
 * percentiles.csv and samples.csv as read, and context.json as a JSON
 * tree; plus the questions every chart and claim asks of them (which
 * values an axis takes, which row an implementation has in a cell). Loaded
 * once, then read-only. Internal to reports/ (vtb__ names); the first
 * module of the report, depending on none of the others.
 *
 * The run is opened through the gates' reader (run_input.h), so the report
 * trusts a run exactly when `vtbench compare` and `baseline` do: an
 * incomplete run, one without context.json or with a corrupt one is
 * refused unless the caller allows it, and a run killed before it
 * published its files is read back from its journal.
 *
 * The axes are those of the scenario key table (keys.h) flagged
 * VTB_KEY_CHART, indexed by enum vtb_axis: a key added there is detected
 * here without an edit.
 */
#ifndef VTB_REPORT_DATA_H
#define VTB_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_reader.h"
#include "json_reader.h"
#include "keys.h"
#include "report.h"
#include "run_input.h"
#include "vtb/error.h"

/* True when charts may sweep axis (its key has VTB_KEY_CHART). Every other
 * axis reads as empty in every row, so it never varies for a chart. */
bool vtb__report_axis_charted(int axis);

/* The axis of the key called name, or -1 when the key table has no such
 * axis (a chart about an axis that a build may not have yet). */
int vtb__report_axis_named(const char *name);

/* The key's name ("hit_ratio", "cache_lock"), for titles and tables. */
const char *vtb__report_axis_label(int axis);

/* True when the axis's values compare as numbers (its value type has a
 * number function): thread counts, hit ratios, latencies, rates. */
bool vtb__report_axis_numeric(int axis);

/* One row of results.csv, typed; strings point into the CSV table. A
 * column that the run lacks (an older vtbench) reads as NaN, "" or the
 * boolean's default. */
struct vtb__report_row {
    const char *impl;
    unsigned cell;
    const char *axis[VTB_AXIS_COUNT];
    double axis_num[VTB_AXIS_COUNT]; /* NaN for text axes and empty fields */
    double hit_ratio;                /* measured */
    double ns, ci_low, ci_high;      /* ns per operation: mean and its 95% CI */
    double cv;                       /* coefficient of variation of the rounds */
    const char *ratio_to;            /* the reference implementation of ratio ("" if none) */
    double ratio, ratio_low, ratio_high;         /* paired, to ratio_to */
    double ns_saved, ns_saved_low, ns_saved_high; /* ns(impl) - ns(ratio_to), paired */
    double repetitions, rounds_disturbed;
    bool repetitions_auto;           /* rounds until the precision (false when not said) */
    bool precision_reached;          /* true when the run does not say */
    bool disturbed_excluded;
    double ops_per_sec, ops_low, ops_high; /* threads x 1e9 / ns, and its CI */
    double p50_ns, p99_ns, p999_ns;
    double hit_p50_ns, hit_p99_ns, miss_p50_ns, miss_p99_ns;
    double latency_samples, hit_samples, miss_samples;
    double bytes_per_op, allocs_per_op, requested_bytes_per_op;
    double ops, total_alloc_bytes, miss_latency_ns, errors;
    double floor_ns;                 /* the cell's cost floor (NaN if absent) */
    bool bytes_usable;
};

/* Rows whose rounds vary by more than this coefficient of variation are
 * noisy (marked in tables, as the console marks them). */
#define VTB__REPORT_NOISY_CV 0.10

/* True when row's rounds vary by more than VTB__REPORT_NOISY_CV, or it has
 * fewer than 5 rounds (the console's rule). */
bool vtb__report_row_noisy(const struct vtb__report_row *row);

/* A cell: its index and the row that first names it (for its axis values). */
struct vtb__report_cell {
    unsigned index;
    size_t first_row;
    bool complete; /* has a row of every implementation of the run */
};

#define VTB__REPORT_MAX_IMPLS 16

/* Flags of vtb__report_data_load. */
#define VTB__REPORT_ALLOW_INCOMPLETE 1u /* accept a run the gates would refuse */

/* The run as loaded from its directory. */
struct vtb__report_data {
    char run_dir[VTB_REPORT_PATH_MAX];
    char scenario[128];
    struct vtb_run_input input;    /* the tables, context.json and the run's state */
    const struct vtb_csv_table *results;
    struct vtb__report_row *rows;
    size_t nrows;
    struct vtb__report_cell *cells; /* in order of first appearance */
    size_t ncells;
    const char *impls[VTB__REPORT_MAX_IMPLS]; /* in order of first appearance */
    size_t nimpls;
    bool has_percentiles;          /* percentiles.csv was found and read */
    const struct vtb_csv_table *percentiles;
    bool has_samples;              /* samples.csv: per-round figures */
    const struct vtb_csv_table *samples;
    /* The files gnuplot reads: the run's own, or copies of the tables
     * recovered from the journal (report.c writes them). */
    char results_file[VTB_REPORT_PATH_MAX];
    char percentiles_file[VTB_REPORT_PATH_MAX];
    /* context.json as an object, or NULL when it is missing or unusable,
     * and then context_error says why; else "". */
    const struct vtb_json_value *context;
    char context_error[VTB_ERROR_MESSAGE_MAX];
};

/*
 * Loads the run at run_dir (a run directory, its results.csv or a baseline
 * NAME.csv: see run_input.h) into d. Returns 0, or (with d left empty)
 * VTB_EINVAL (an incomplete, uncontexted or corrupt run without
 * VTB__REPORT_ALLOW_INCOMPLETE: one line saying why; or a run with no
 * results), VTB_ENOTFOUND (nothing there), VTB_ESYNTAX (a CSV file is
 * malformed or lacks a column), VTB_ERANGE (path too long, too many
 * implementations), VTB_ENOMEM, VTB_EIO.
 */
int vtb__report_data_load(struct vtb__report_data *d, const char *run_dir, unsigned flags,
                          struct vtb_error *err);

/* Frees what vtb__report_data_load allocated. */
void vtb__report_data_fini(struct vtb__report_data *d);

/* True when the run is complete (context.json says so). */
bool vtb__report_complete(const struct vtb__report_data *d);

/* True when impl has a row in the run. */
bool vtb__report_impl_known(const struct vtb__report_data *d, const char *impl);

/* The row of impl in cell, or NULL. */
const struct vtb__report_row *vtb__report_row_of(const struct vtb__report_data *d,
                                                 unsigned cell, const char *impl);

/* The cell with this index, or NULL. */
const struct vtb__report_cell *vtb__report_cell_by_index(const struct vtb__report_data *d,
                                                         unsigned index);

/* The value of axis in cell c, as text ("" when empty) and as a number
 * (NaN for text axes and empty fields). */
const char *vtb__report_cell_axis(const struct vtb__report_data *d,
                                  const struct vtb__report_cell *c, int axis);
double vtb__report_cell_axis_num(const struct vtb__report_data *d,
                                 const struct vtb__report_cell *c, int axis);

/* Mean measured hit ratio over the implementations of a cell (NaN if none). */
double vtb__report_cell_hit_ratio(const struct vtb__report_data *d, unsigned cell);

/* True when row's cell ran rounds until a precision (repetitions = auto)
 * and did not reach it: its points are drawn hollow and marked '?' (a run
 * of fixed rounds aims at no precision, as the console also counts it). */
bool vtb__report_row_imprecise(const struct vtb__report_row *row);

/* True when some row of cell is imprecise. */
bool vtb__report_cell_imprecise(const struct vtb__report_data *d, unsigned cell);

/* True when results.csv has the precision columns (the templates then
 * read them). */
bool vtb__report_has_precision(const struct vtb__report_data *d);

/*
 * Distinct non-empty values of axis over the complete cells, in order of
 * first appearance: at most max are stored in out, and all are counted.
 */
size_t vtb__report_axis_values(const struct vtb__report_data *d, int axis, const char **out,
                               size_t max);

/* Number of distinct values of axis over the complete cells (empty fields ignored). */
size_t vtb__report_axis_distinct(const struct vtb__report_data *d, int axis);

/*
 * The value a slice holds axis at: the key's default when a complete cell
 * has it (threads = 1, cache_lock = seqlock, load = closed), else, for the
 * hit ratio (which has no default), the largest (1: all hits, the case the
 * articles' speed claims are about), else the first value the scenario
 * lists. NULL when the axis has no value.
 */
const char *vtb__report_preferred_value(const struct vtb__report_data *d, int axis);

/* The first varying axis of the sweep (in key table order), or -1 when
 * nothing varies. */
int vtb__report_primary_axis(const struct vtb__report_data *d);

/*
 * Values of context.json at a dotted path ("context.cpu_model",
 * "object_sizes.task.bytes"), read the way a report wants them: a number
 * (NaN when missing, null or not a number); the text of a scalar, a number
 * as written (fallback when missing, null or empty); a boolean (fallback
 * when missing or not one). A missing or unusable context.json is missing
 * everywhere.
 */
double vtb__report_ctx_num(const struct vtb__report_data *d, const char *path);
const char *vtb__report_ctx_text(const struct vtb__report_data *d, const char *path,
                                 const char *fallback);
bool vtb__report_ctx_bool(const struct vtb__report_data *d, const char *path, bool fallback);

/*
 * The clock, from context.json (NaN when the run does not say): its
 * resolution (the step of its readings: a TSC that moves in 10 ns steps
 * makes every latency a multiple of 10 ns) and the timer overhead (what
 * two back-to-back reads measure, included in every timed latency).
 */
double vtb__report_clock_resolution_ns(const struct vtb__report_data *d);
double vtb__report_timer_overhead_ns(const struct vtb__report_data *d);

/* A latency within this many clock steps is quantized (marked as such). */
#define VTB__REPORT_QUANTIZED_STEPS 10

/* True when value_ns is a latency below VTB__REPORT_QUANTIZED_STEPS clock
 * steps (false when the resolution is unknown). */
bool vtb__report_quantized(const struct vtb__report_data *d, double value_ns);

/*
 * The build that produced the run's figures, in one line ("GNU 12.2.0,
 * -O2 -g -DNDEBUG, RelWithDebInfo, LTO off"), from context.json: times
 * depend on it, so every table and chart of times names it. "unknown (no
 * usable context.json)" when the run has none.
 */
void vtb__report_build(const struct vtb__report_data *d, char *buf, size_t size);

#endif /* VTB_REPORT_DATA_H */
