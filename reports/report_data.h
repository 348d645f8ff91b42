/*
 * The run as `vtbench report` sees it: results.csv typed into rows, the
 * cells those rows belong to and the implementations that ran,
 * percentiles.csv as read, and context.json as a JSON tree; plus the
 * questions every chart and claim asks of them (which values an axis
 * takes, which row an implementation has in a cell). Loaded once, then
 * read-only. Internal to reports/ (vtb__ names); the first module of the
 * report, depending on none of the others.
 */
#ifndef VTB_REPORT_DATA_H
#define VTB_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_reader.h"
#include "json_reader.h"
#include "report.h"
#include "vtb/error.h"

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
    /* context.json: root NULL when it is missing or unusable, and then
     * context_error says why ("context.json: missing"); else "". */
    struct vtb_json_doc context;
    char context_error[VTB_ERROR_MESSAGE_MAX];
};

/*
 * Loads the run in run_dir into d. results.csv is required; percentiles.csv
 * is optional (runs made before its reporter have none); context.json is
 * optional too, and what is wrong with it goes to d->context_error rather
 * than failing the load. Returns 0, or (with d left empty) VTB_ENOTFOUND
 * (no results.csv), VTB_ESYNTAX (a CSV file is malformed or lacks a
 * column), VTB_ERANGE (path too long, too many implementations),
 * VTB_ENOMEM, VTB_EIO.
 */
int vtb__report_data_load(struct vtb__report_data *d, const char *run_dir, struct vtb_error *err);

/* Frees what vtb__report_data_load allocated. */
void vtb__report_data_fini(struct vtb__report_data *d);

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

/*
 * Distinct non-empty values of axis over the complete cells, in order of
 * first appearance: at most max are stored in out, and all are counted.
 */
size_t vtb__report_axis_values(const struct vtb__report_data *d, int axis, const char **out,
                               size_t max);

/* Number of distinct values of axis over the complete cells (empty fields ignored). */
size_t vtb__report_axis_distinct(const struct vtb__report_data *d, int axis);

/* The value a slice holds axis at: the smallest, largest or first seen, as
 * vtb__report_axes[axis].prefer says; NULL when the axis has no value. */
const char *vtb__report_preferred_value(const struct vtb__report_data *d, int axis);

/* The first varying axis of the sweep, or -1 when nothing varies. */
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

#endif /* VTB_REPORT_DATA_H */
