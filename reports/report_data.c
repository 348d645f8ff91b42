/*
 * Loading a run for `vtbench report` (see report_data.h), and the plain
 * questions asked of it.
 *
 * results.csv is typed once into rows, so that no chart or claim parses a
 * number twice or reads a column by name; a column that a run of an older
 * vtbench lacks reads as NaN (or "" for an axis), and only the columns
 * every run has are required. The cells are indexed in order of first
 * appearance, and a cell missing an implementation is marked: an
 * interrupted run may end with one, which a chart would draw as a line
 * that stops for no visible reason. context.json is read with the
 * project's JSON reader (json_reader.h), which refuses anything malformed
 * with its line and column; report.md then says so and goes on without it.
 */
#include "report_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct vtb__report_axis_def vtb__report_axes[VTB__AX_COUNT] = {
    [VTB__AX_HIT_RATIO] = {"hit_ratio_target", "hit ratio", true, +1},
    [VTB__AX_THREADS] = {"threads", "threads", true, -1},
    [VTB__AX_CONCURRENCY] = {"concurrency", "concurrency", true, -1},
    [VTB__AX_KEY_DIST] = {"key_dist", "key_dist", false, 0},
    [VTB__AX_MISS_LATENCY] = {"miss_latency", "miss_latency", false, 0},
    [VTB__AX_COMPLETION] = {"completion", "completion", false, 0},
    [VTB__AX_CONTINUATION] = {"continuation", "continuation", false, 0},
    [VTB__AX_CACHE_LOCK] = {"cache_lock", "cache_lock", false, 0},
    [VTB__AX_KEYS] = {"keys", "keys", true, 0},
    [VTB__AX_CAPACITY] = {"capacity", "capacity", true, 0},
    [VTB__AX_TTL] = {"ttl_ms", "ttl_ms", true, 0},
};

/* The numeric columns of results.csv and where each goes in a row. */
static const struct {
    const char *name;
    size_t offset;
} reals[] = {
    {"hit_ratio", offsetof(struct vtb__report_row, hit_ratio)},
    {"ns_per_op", offsetof(struct vtb__report_row, ns)},
    {"ns_per_op_ci_low", offsetof(struct vtb__report_row, ci_low)},
    {"ns_per_op_ci_high", offsetof(struct vtb__report_row, ci_high)},
    {"ops_per_sec", offsetof(struct vtb__report_row, ops_per_sec)},
    {"p50_ns", offsetof(struct vtb__report_row, p50_ns)},
    {"p99_ns", offsetof(struct vtb__report_row, p99_ns)},
    {"p999_ns", offsetof(struct vtb__report_row, p999_ns)},
    {"bytes_per_op", offsetof(struct vtb__report_row, bytes_per_op)},
    {"allocs_per_op", offsetof(struct vtb__report_row, allocs_per_op)},
    {"requested_bytes_per_op", offsetof(struct vtb__report_row, requested_bytes_per_op)},
    {"ops", offsetof(struct vtb__report_row, ops)},
    {"total_alloc_bytes", offsetof(struct vtb__report_row, total_alloc_bytes)},
    {"miss_latency_ns", offsetof(struct vtb__report_row, miss_latency_ns)},
    {"errors", offsetof(struct vtb__report_row, errors)},
    {"floor_ns_per_hit", offsetof(struct vtb__report_row, floor_ns)},
};
#define NREALS (sizeof(reals) / sizeof(reals[0]))

/* Column indexes of results.csv, -1 where a column is absent. */
struct columns {
    int axis[VTB__AX_COUNT];
    int real[NREALS];
    int impl, cell, usable;
};

static void find_columns(const struct vtb_csv_table *t, struct columns *c)
{
    for (int a = 0; a < VTB__AX_COUNT; a++)
        c->axis[a] = (int)vtb_csv_column(t, vtb__report_axes[a].column);
    for (size_t k = 0; k < NREALS; k++)
        c->real[k] = (int)vtb_csv_column(t, reals[k].name);
    c->impl = (int)vtb_csv_column(t, "impl");
    c->cell = (int)vtb_csv_column(t, "cell_index");
    c->usable = (int)vtb_csv_column(t, "bytes_are_usable");
}

/* A number from column col of row, or NaN when the column is absent. */
static int read_real(const struct vtb_csv_table *t, size_t row, int col, double *out,
                     struct vtb_error *err)
{
    if (col < 0) {
        *out = NAN;
        return 0;
    }
    return vtb_csv_real(t, row, (size_t)col, out, err);
}

/* Types row r of results.csv (at path) into d->rows[r]. */
static int read_row(struct vtb__report_data *d, size_t r, const struct columns *cols,
                    const char *path, struct vtb_error *err)
{
    const struct vtb_csv_table *t = &d->results;
    struct vtb__report_row *row = &d->rows[r];
    double cell;
    int rc;

    row->impl = vtb_csv_cell(t, r, (size_t)cols->impl);
    if (row->impl[0] == '\0')
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: impl: empty", path, t->row_lines[r]);
    rc = read_real(t, r, cols->cell, &cell, err);
    if (rc != 0)
        return rc;
    if (!(cell >= 0 && cell < 1e9) || cell != floor(cell))
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: cell_index: not a cell number", path,
                             t->row_lines[r]);
    row->cell = (unsigned)cell;
    for (int a = 0; a < VTB__AX_COUNT; a++) {
        row->axis[a] = cols->axis[a] >= 0 ? vtb_csv_cell(t, r, (size_t)cols->axis[a]) : "";
        row->axis_num[a] = NAN;
        if (vtb__report_axes[a].numeric) {
            rc = read_real(t, r, cols->axis[a], &row->axis_num[a], err);
            if (rc != 0)
                return rc;
        }
    }
    for (size_t k = 0; k < NREALS; k++) {
        rc = read_real(t, r, cols->real[k], (double *)((char *)row + reals[k].offset), err);
        if (rc != 0)
            return rc;
    }
    row->bytes_usable = cols->usable < 0 ||
                        strcmp(vtb_csv_cell(t, r, (size_t)cols->usable), "true") == 0;
    if (!vtb__report_impl_known(d, row->impl)) {
        if (d->nimpls == VTB__REPORT_MAX_IMPLS)
            return vtb_error_set(err, VTB_ERANGE, "%s: more than %d implementations", path,
                                 VTB__REPORT_MAX_IMPLS);
        d->impls[d->nimpls++] = row->impl;
    }
    return 0;
}

/* Fills d->cells (in order of first appearance) and marks the complete ones. */
static int index_cells(struct vtb__report_data *d, struct vtb_error *err)
{
    d->cells = calloc(d->nrows > 0 ? d->nrows : 1, sizeof(*d->cells));
    if (d->cells == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t r = 0; r < d->nrows; r++) {
        size_t c = 0;

        while (c < d->ncells && d->cells[c].index != d->rows[r].cell)
            c++;
        if (c == d->ncells) {
            d->cells[c].index = d->rows[r].cell;
            d->cells[c].first_row = r;
            d->ncells++;
        }
    }
    for (size_t c = 0; c < d->ncells; c++) {
        size_t present = 0;

        for (size_t i = 0; i < d->nimpls; i++)
            present += vtb__report_row_of(d, d->cells[c].index, d->impls[i]) != NULL;
        d->cells[c].complete = present == d->nimpls;
    }
    return 0;
}

static int load_results(struct vtb__report_data *d, struct vtb_error *err)
{
    static const char *const required[] = {
        "scenario",         "impl",         "cell_index",       "hit_ratio_target",
        "hit_ratio",        "threads",      "ops",              "ns_per_op",
        "ns_per_op_ci_low", "ns_per_op_ci_high", "ops_per_sec", "p50_ns",
        "p99_ns",           "p999_ns",      "bytes_per_op",     "allocs_per_op",
        "total_alloc_bytes", NULL};
    struct vtb_csv_table *t = &d->results;
    char path[VTB_REPORT_PATH_MAX + 32];
    struct columns cols;
    int rc;

    snprintf(path, sizeof(path), "%s/results.csv", d->run_dir);
    if (access(path, F_OK) != 0)
        return vtb_error_set(err, VTB_ENOTFOUND, "%s: no results.csv here: not a run directory",
                             d->run_dir);
    rc = vtb_csv_read(path, t, err);
    if (rc == 0)
        rc = vtb_csv_require(t, required, err);
    if (rc != 0)
        return rc;
    if (t->rows == 0)
        return vtb_error_set(err, VTB_ESYNTAX, "%s: no results (header only)", path);

    find_columns(t, &cols);
    d->rows = calloc(t->rows, sizeof(*d->rows));
    if (d->rows == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    d->nrows = t->rows;
    snprintf(d->scenario, sizeof(d->scenario), "%s",
             vtb_csv_cell(t, 0, (size_t)vtb_csv_column(t, "scenario")));
    for (size_t r = 0; r < t->rows; r++) {
        rc = read_row(d, r, &cols, path, err);
        if (rc != 0)
            return rc;
    }
    return index_cells(d, err);
}

static int load_percentiles(struct vtb__report_data *d, struct vtb_error *err)
{
    static const char *const required[] = {"cell_index", "impl", "kind", "percentile",
                                           "value_ns", NULL};
    char path[VTB_REPORT_PATH_MAX + 32];
    int rc;

    snprintf(path, sizeof(path), "%s/percentiles.csv", d->run_dir);
    if (access(path, F_OK) != 0)
        return 0;
    rc = vtb_csv_read(path, &d->percentiles, err);
    if (rc != 0)
        return rc;
    rc = vtb_csv_require(&d->percentiles, required, err);
    if (rc != 0)
        return rc;
    d->has_percentiles = true;
    return 0;
}

/* A bad context.json does not fail the load: it is kept out (a half-read
 * context is not shown) and context_error says why, for report.md. */
static void load_context(struct vtb__report_data *d)
{
    char path[VTB_REPORT_PATH_MAX + 32];
    struct vtb_error err = {0};
    int rc;

    snprintf(path, sizeof(path), "%s/context.json", d->run_dir);
    rc = vtb_json_read(path, "context.json", VTB_JSON_READ_MAX_BYTES, &d->context, &err);
    if (rc == VTB_ENOTFOUND) {
        snprintf(d->context_error, sizeof(d->context_error), "context.json: missing");
    } else if (rc != 0) {
        snprintf(d->context_error, sizeof(d->context_error), "%s", err.message);
    } else if (vtb_json_type(d->context.root) != VTB_JSON_OBJECT) {
        snprintf(d->context_error, sizeof(d->context_error),
                 "context.json: is not a JSON object");
        vtb_json_doc_fini(&d->context);
    }
}

void vtb__report_data_fini(struct vtb__report_data *d)
{
    free(d->rows);
    free(d->cells);
    vtb_csv_free(&d->results);
    /* Also when percentiles.csv was read but lacks a column (a zeroed
     * table is safe to free). */
    vtb_csv_free(&d->percentiles);
    vtb_json_doc_fini(&d->context);
    memset(d, 0, sizeof(*d));
}

int vtb__report_data_load(struct vtb__report_data *d, const char *run_dir, struct vtb_error *err)
{
    int rc;

    memset(d, 0, sizeof(*d));
    if (snprintf(d->run_dir, sizeof(d->run_dir), "%s", run_dir) >= (int)sizeof(d->run_dir))
        return vtb_error_set(err, VTB_ERANGE, "%s: path too long", run_dir);
    rc = load_results(d, err);
    if (rc == 0)
        rc = load_percentiles(d, err);
    if (rc != 0) {
        vtb__report_data_fini(d);
        return rc;
    }
    load_context(d);
    return 0;
}

/* ---- Questions about the run ---- */

bool vtb__report_impl_known(const struct vtb__report_data *d, const char *impl)
{
    for (size_t i = 0; i < d->nimpls; i++)
        if (strcmp(d->impls[i], impl) == 0)
            return true;
    return false;
}

const struct vtb__report_row *vtb__report_row_of(const struct vtb__report_data *d,
                                                 unsigned cell, const char *impl)
{
    for (size_t r = 0; r < d->nrows; r++)
        if (d->rows[r].cell == cell && strcmp(d->rows[r].impl, impl) == 0)
            return &d->rows[r];
    return NULL;
}

const struct vtb__report_cell *vtb__report_cell_by_index(const struct vtb__report_data *d,
                                                         unsigned index)
{
    for (size_t c = 0; c < d->ncells; c++)
        if (d->cells[c].index == index)
            return &d->cells[c];
    return NULL;
}

const char *vtb__report_cell_axis(const struct vtb__report_data *d,
                                  const struct vtb__report_cell *c, int axis)
{
    return d->rows[c->first_row].axis[axis];
}

double vtb__report_cell_axis_num(const struct vtb__report_data *d,
                                 const struct vtb__report_cell *c, int axis)
{
    return d->rows[c->first_row].axis_num[axis];
}

double vtb__report_cell_hit_ratio(const struct vtb__report_data *d, unsigned cell)
{
    double sum = 0;
    size_t n = 0;

    for (size_t r = 0; r < d->nrows; r++)
        if (d->rows[r].cell == cell && isfinite(d->rows[r].hit_ratio)) {
            sum += d->rows[r].hit_ratio;
            n++;
        }
    return n > 0 ? sum / (double)n : NAN;
}

size_t vtb__report_axis_values(const struct vtb__report_data *d, int axis, const char **out,
                               size_t max)
{
    size_t n = 0;

    for (size_t c = 0; c < d->ncells; c++) {
        const char *v = vtb__report_cell_axis(d, &d->cells[c], axis);
        bool seen = false;

        if (!d->cells[c].complete || v[0] == '\0')
            continue;
        for (size_t k = 0; k < n && k < max && !seen; k++)
            seen = strcmp(out[k], v) == 0;
        if (seen)
            continue;
        /* Values beyond max are counted once each by rescanning earlier
         * cells, which is quadratic but runs are hundreds of cells. */
        if (n >= max) {
            for (size_t e = 0; e < c && !seen; e++)
                seen = d->cells[e].complete &&
                       strcmp(vtb__report_cell_axis(d, &d->cells[e], axis), v) == 0;
            if (seen)
                continue;
        } else {
            out[n] = v;
        }
        n++;
    }
    return n;
}

size_t vtb__report_axis_distinct(const struct vtb__report_data *d, int axis)
{
    const char *values[64];
    return vtb__report_axis_values(d, axis, values, 64);
}

const char *vtb__report_preferred_value(const struct vtb__report_data *d, int axis)
{
    const char *best = NULL;
    double best_num = NAN;
    int prefer = vtb__report_axes[axis].prefer;

    for (size_t c = 0; c < d->ncells; c++) {
        const char *v = vtb__report_cell_axis(d, &d->cells[c], axis);
        double num = vtb__report_cell_axis_num(d, &d->cells[c], axis);

        if (!d->cells[c].complete || v[0] == '\0')
            continue;
        if (best == NULL || (prefer < 0 && num < best_num) || (prefer > 0 && num > best_num)) {
            best = v;
            best_num = num;
        }
        if (prefer == 0)
            break;
    }
    return best;
}

int vtb__report_primary_axis(const struct vtb__report_data *d)
{
    for (int a = 0; a < VTB__AX_COUNT; a++)
        if (vtb__report_axis_distinct(d, a) >= 2)
            return a;
    return -1;
}

double vtb__report_ctx_num(const struct vtb__report_data *d, const char *path)
{
    double x = NAN;

    vtb_json_get_number(d->context.root, path, &x, NULL);
    return x;
}

const char *vtb__report_ctx_text(const struct vtb__report_data *d, const char *path,
                                 const char *fallback)
{
    const char *text = vtb_json_text(vtb_json_find(d->context.root, path));

    return text != NULL && text[0] != '\0' ? text : fallback;
}

bool vtb__report_ctx_bool(const struct vtb__report_data *d, const char *path, bool fallback)
{
    bool b = fallback;

    vtb_json_get_bool(d->context.root, path, &b, NULL);
    return b;
}
