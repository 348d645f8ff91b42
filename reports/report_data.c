/*
 * Loading a run for `vtbench report` (see report_data.h), and the plain
 * questions asked of it.
 *
 * results.csv is typed once into rows, so that no chart or claim parses a
 * number twice or reads a column by name; a column that a run of an older
 * vtbench lacks reads as NaN (or "" for an axis), and only the columns
 * every run has are required. An axis value is turned into a number by its
 * key's own value type (the parser of the scenario file), so "exp:20us"
 * and "open:1000" sort as the scenario meant them. The cells are indexed
 * in order of first appearance, and a cell missing an implementation is
 * marked: an interrupted run may end with one, which a chart would draw as
 * a line that stops for no visible reason.
 */
#include "report_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"

bool vtb__report_axis_charted(int axis)
{
    const struct vtb_key *k = vtb_axis_key((enum vtb_axis)axis);
    return k != NULL && (k->flags & VTB_KEY_CHART) != 0 && k->column != NULL;
}

int vtb__report_axis_named(const char *name)
{
    return vtb_key_axis(vtb_key_find(name));
}

const char *vtb__report_axis_label(int axis)
{
    const struct vtb_key *k = vtb_axis_key((enum vtb_axis)axis);
    return k != NULL ? k->name : "?";
}

bool vtb__report_axis_numeric(int axis)
{
    const struct vtb_key *k = vtb_axis_key((enum vtb_axis)axis);
    return k != NULL && k->type->number != NULL;
}

/* An axis value of results.csv as a number, through the key's value type;
 * NaN for text axes, empty fields and text the type does not accept. */
static double axis_number(int axis, const char *text)
{
    const struct vtb_key *k = vtb_axis_key((enum vtb_axis)axis);
    const struct vtb_parse_env env = {NULL, 1, ""};
    struct vtb_cell cell;
    struct vtb_error err;
    double x = NAN;

    if (k == NULL || k->type->number == NULL || text[0] == '\0')
        return NAN;
    memset(&cell, 0, sizeof(cell));
    vtb_error_clear(&err);
    if (k->type->parse(k, text, &env, vtb_key_in_cell(k, &cell), &err) == 0) {
        if (!vtb_cell_absent(&cell, (enum vtb_axis)axis))
            x = vtb_cell_number(&cell, (enum vtb_axis)axis);
        if (k->type->fini != NULL)
            k->type->fini(vtb_key_in_cell(k, &cell));
    }
    return x;
}

/* The numeric columns of results.csv and where each goes in a row. */
static const struct {
    const char *name;
    size_t offset;
} reals[] = {
    {"hit_ratio", offsetof(struct vtb__report_row, hit_ratio)},
    {"ns_per_op", offsetof(struct vtb__report_row, ns)},
    {"ns_per_op_ci_low", offsetof(struct vtb__report_row, ci_low)},
    {"ns_per_op_ci_high", offsetof(struct vtb__report_row, ci_high)},
    {"ns_per_op_cv", offsetof(struct vtb__report_row, cv)},
    {"ratio", offsetof(struct vtb__report_row, ratio)},
    {"ratio_ci_low", offsetof(struct vtb__report_row, ratio_low)},
    {"ratio_ci_high", offsetof(struct vtb__report_row, ratio_high)},
    {"ns_saved_per_op", offsetof(struct vtb__report_row, ns_saved)},
    {"ns_saved_ci_low", offsetof(struct vtb__report_row, ns_saved_low)},
    {"ns_saved_ci_high", offsetof(struct vtb__report_row, ns_saved_high)},
    {"repetitions", offsetof(struct vtb__report_row, repetitions)},
    {"rounds_disturbed", offsetof(struct vtb__report_row, rounds_disturbed)},
    {"ops_per_sec", offsetof(struct vtb__report_row, ops_per_sec)},
    {"ops_per_sec_ci_low", offsetof(struct vtb__report_row, ops_low)},
    {"ops_per_sec_ci_high", offsetof(struct vtb__report_row, ops_high)},
    {"p50_ns", offsetof(struct vtb__report_row, p50_ns)},
    {"p99_ns", offsetof(struct vtb__report_row, p99_ns)},
    {"p999_ns", offsetof(struct vtb__report_row, p999_ns)},
    {"hit_p50_ns", offsetof(struct vtb__report_row, hit_p50_ns)},
    {"hit_p99_ns", offsetof(struct vtb__report_row, hit_p99_ns)},
    {"miss_p50_ns", offsetof(struct vtb__report_row, miss_p50_ns)},
    {"miss_p99_ns", offsetof(struct vtb__report_row, miss_p99_ns)},
    {"latency_samples", offsetof(struct vtb__report_row, latency_samples)},
    {"hit_samples", offsetof(struct vtb__report_row, hit_samples)},
    {"miss_samples", offsetof(struct vtb__report_row, miss_samples)},
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

/* The boolean columns, and what a run that lacks one means. */
static const struct {
    const char *name;
    size_t offset;
    bool absent;
} bools[] = {
    {"bytes_are_usable", offsetof(struct vtb__report_row, bytes_usable), true},
    {"precision_reached", offsetof(struct vtb__report_row, precision_reached), true},
    {"repetitions_auto", offsetof(struct vtb__report_row, repetitions_auto), false},
    {"disturbed_excluded", offsetof(struct vtb__report_row, disturbed_excluded), false},
};
#define NBOOLS (sizeof(bools) / sizeof(bools[0]))

/* Column indexes of results.csv, -1 where a column is absent. */
struct columns {
    long axis[VTB_AXIS_COUNT];
    long real[NREALS];
    long flag[NBOOLS];
    long impl, cell, ratio_to;
};

static void find_columns(const struct vtb_csv_table *t, struct columns *c)
{
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        c->axis[a] = vtb__report_axis_charted(a)
                         ? vtb_csv_column(t, vtb_axis_key((enum vtb_axis)a)->column)
                         : -1;
    for (size_t k = 0; k < NREALS; k++)
        c->real[k] = vtb_csv_column(t, reals[k].name);
    for (size_t k = 0; k < NBOOLS; k++)
        c->flag[k] = vtb_csv_column(t, bools[k].name);
    c->impl = vtb_csv_column(t, "impl");
    c->cell = vtb_csv_column(t, "cell_index");
    c->ratio_to = vtb_csv_column(t, "ratio_to");
}

/* A number from column col of row, or NaN when the column is absent. */
static int read_real(const struct vtb_csv_table *t, size_t row, long col, double *out,
                     struct vtb_error *err)
{
    if (col < 0) {
        *out = NAN;
        return 0;
    }
    return vtb_csv_real(t, row, (size_t)col, out, err);
}

/* The text of column col of row, or "" when the column is absent. */
static const char *read_text(const struct vtb_csv_table *t, size_t row, long col)
{
    return col >= 0 ? vtb_csv_cell(t, row, (size_t)col) : "";
}

/* Types row r of results.csv into d->rows[r]. */
static int read_row(struct vtb__report_data *d, size_t r, const struct columns *cols,
                    struct vtb_error *err)
{
    const struct vtb_csv_table *t = d->results;
    struct vtb__report_row *row = &d->rows[r];
    double cell;
    int rc;

    row->impl = read_text(t, r, cols->impl);
    if (row->impl[0] == '\0')
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: impl: empty", t->source,
                             t->row_lines[r]);
    rc = read_real(t, r, cols->cell, &cell, err);
    if (rc != 0)
        return rc;
    if (!(cell >= 0 && cell < 1e9) || cell != floor(cell))
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: cell_index: not a cell number",
                             t->source, t->row_lines[r]);
    row->cell = (unsigned)cell;
    for (int a = 0; a < VTB_AXIS_COUNT; a++) {
        row->axis[a] = read_text(t, r, cols->axis[a]);
        row->axis_num[a] = axis_number(a, row->axis[a]);
    }
    for (size_t k = 0; k < NREALS; k++) {
        rc = read_real(t, r, cols->real[k], (double *)((char *)row + reals[k].offset), err);
        if (rc != 0)
            return rc;
    }
    for (size_t k = 0; k < NBOOLS; k++) {
        const char *v = read_text(t, r, cols->flag[k]);
        *(bool *)((char *)row + bools[k].offset) =
            v[0] == '\0' ? bools[k].absent : strcmp(v, "true") == 0;
    }
    row->ratio_to = read_text(t, r, cols->ratio_to);
    /* threads x 1e9 / ns turns an interval of ns reaching down to 0 or
     * below into a negative upper end of throughput: unbounded, in truth. */
    if (isfinite(row->ops_per_sec) && !(row->ops_high > 0))
        row->ops_high = INFINITY;
    if (!vtb__report_impl_known(d, row->impl)) {
        if (d->nimpls == VTB__REPORT_MAX_IMPLS)
            return vtb_error_set(err, VTB_ERANGE, "%s: more than %d implementations",
                                 t->source, VTB__REPORT_MAX_IMPLS);
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

static int type_results(struct vtb__report_data *d, struct vtb_error *err)
{
    static const char *const required[] = {
        "scenario",         "impl",         "cell_index",       "hit_ratio_target",
        "hit_ratio",        "threads",      "ops",              "ns_per_op",
        "ns_per_op_ci_low", "ns_per_op_ci_high", "ops_per_sec", "p50_ns",
        "p99_ns",           "p999_ns",      "bytes_per_op",     "allocs_per_op",
        "total_alloc_bytes", NULL};
    const struct vtb_csv_table *t = d->results;
    struct columns cols;
    int rc;

    rc = vtb_csv_require(t, required, err);
    if (rc != 0)
        return rc;
    if (t->rows == 0)
        return vtb_error_set(err, VTB_EINVAL, "%s: no results (header only)", t->source);
    find_columns(t, &cols);
    d->rows = calloc(t->rows, sizeof(*d->rows));
    if (d->rows == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    d->nrows = t->rows;
    snprintf(d->scenario, sizeof(d->scenario), "%s",
             vtb_csv_cell(t, 0, (size_t)vtb_csv_column(t, "scenario")));
    for (size_t r = 0; r < t->rows; r++) {
        rc = read_row(d, r, &cols, err);
        if (rc != 0)
            return rc;
    }
    return index_cells(d, err);
}

static int check_percentiles(const struct vtb__report_data *d, struct vtb_error *err)
{
    static const char *const required[] = {"cell_index", "impl", "kind", "percentile",
                                           "value_ns", NULL};
    return d->has_percentiles ? vtb_csv_require(d->percentiles, required, err) : 0;
}

/* context.json as the report uses it: an object, or nothing and why. */
static void take_context(struct vtb__report_data *d)
{
    const struct vtb_run_input *in = &d->input;

    if (in->has_context && vtb_json_type(in->context.root) == VTB_JSON_OBJECT) {
        d->context = in->context.root;
        return;
    }
    if (in->has_context)
        snprintf(d->context_error, sizeof(d->context_error), "context.json: is not a JSON "
                                                             "object");
    else if (in->state == VTB_RUN_INCOMPLETE)
        snprintf(d->context_error, sizeof(d->context_error), "%s", in->reason);
    else
        snprintf(d->context_error, sizeof(d->context_error), "context.json: missing");
}

void vtb__report_data_fini(struct vtb__report_data *d)
{
    free(d->rows);
    free(d->cells);
    vtb_run_input_close(&d->input);
    memset(d, 0, sizeof(*d));
}

int vtb__report_data_load(struct vtb__report_data *d, const char *run_dir, unsigned flags,
                          struct vtb_error *err)
{
    unsigned in_flags = VTB_RUN_INPUT_PERCENTILES;
    int rc;

    memset(d, 0, sizeof(*d));
    if (snprintf(d->run_dir, sizeof(d->run_dir), "%s", run_dir) >= (int)sizeof(d->run_dir))
        return vtb_error_set(err, VTB_ERANGE, "%s: path too long", run_dir);
    if (flags & VTB__REPORT_ALLOW_INCOMPLETE)
        in_flags |= VTB_RUN_INPUT_ALLOW_INCOMPLETE;
    rc = vtb_run_input_open(&d->input, run_dir, in_flags, err);
    if (rc == 0) {
        d->results = &d->input.results;
        d->has_percentiles = d->input.has_percentiles;
        d->percentiles = &d->input.percentiles;
        d->has_samples = d->input.has_samples;
        d->samples = &d->input.samples;
        snprintf(d->results_file, sizeof(d->results_file), "%s", d->input.results_path);
        if (d->has_percentiles)
            snprintf(d->percentiles_file, sizeof(d->percentiles_file), "%s",
                     d->input.percentiles_path);
        rc = type_results(d, err);
    }
    if (rc == 0)
        rc = check_percentiles(d, err);
    if (rc != 0) {
        vtb__report_data_fini(d);
        return rc;
    }
    take_context(d);
    return 0;
}

/* ---- Questions about the run ---- */

bool vtb__report_complete(const struct vtb__report_data *d)
{
    return d->input.state == VTB_RUN_COMPLETE;
}

bool vtb__report_row_noisy(const struct vtb__report_row *row)
{
    return row->cv > VTB__REPORT_NOISY_CV || (isfinite(row->repetitions) && row->repetitions < 5);
}

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

bool vtb__report_row_imprecise(const struct vtb__report_row *row)
{
    return row->repetitions_auto && !row->precision_reached;
}

bool vtb__report_cell_imprecise(const struct vtb__report_data *d, unsigned cell)
{
    for (size_t r = 0; r < d->nrows; r++)
        if (d->rows[r].cell == cell && vtb__report_row_imprecise(&d->rows[r]))
            return true;
    return false;
}

bool vtb__report_has_precision(const struct vtb__report_data *d)
{
    return vtb_csv_column(d->results, "precision_reached") >= 0 &&
           vtb_csv_column(d->results, "repetitions_auto") >= 0;
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

/* True when text is the same value of axis as the key's default. */
static bool is_default(int axis, const char *text)
{
    const char *def = vtb_axis_key((enum vtb_axis)axis)->default_text;

    if (def == NULL)
        return false;
    if (vtb__report_axis_numeric(axis))
        return axis_number(axis, def) == axis_number(axis, text);
    return strcmp(def, text) == 0;
}

const char *vtb__report_preferred_value(const struct vtb__report_data *d, int axis)
{
    const char *first = NULL, *largest = NULL;
    double largest_num = -INFINITY;

    for (size_t c = 0; c < d->ncells; c++) {
        const char *v = vtb__report_cell_axis(d, &d->cells[c], axis);
        double num = vtb__report_cell_axis_num(d, &d->cells[c], axis);

        if (!d->cells[c].complete || v[0] == '\0')
            continue;
        if (is_default(axis, v))
            return v;
        if (first == NULL)
            first = v;
        if (num > largest_num) {
            largest = v;
            largest_num = num;
        }
    }
    return axis == VTB_AXIS_hit_ratio && largest != NULL ? largest : first;
}

int vtb__report_primary_axis(const struct vtb__report_data *d)
{
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        if (vtb__report_axis_distinct(d, a) >= 2)
            return a;
    return -1;
}

double vtb__report_ctx_num(const struct vtb__report_data *d, const char *path)
{
    double x = NAN;

    vtb_json_get_number(d->context, path, &x, NULL);
    return x;
}

const char *vtb__report_ctx_text(const struct vtb__report_data *d, const char *path,
                                 const char *fallback)
{
    const char *text = vtb_json_text(vtb_json_find(d->context, path));

    return text != NULL && text[0] != '\0' ? text : fallback;
}

bool vtb__report_ctx_bool(const struct vtb__report_data *d, const char *path, bool fallback)
{
    bool b = fallback;

    vtb_json_get_bool(d->context, path, &b, NULL);
    return b;
}

double vtb__report_clock_resolution_ns(const struct vtb__report_data *d)
{
    double r = vtb__report_ctx_num(d, "clock_resolution_ns");
    return isfinite(r) ? r : vtb__report_ctx_num(d, "context.clock_resolution_ns");
}

double vtb__report_timer_overhead_ns(const struct vtb__report_data *d)
{
    double o = vtb__report_ctx_num(d, "timer_overhead_ns");
    return isfinite(o) ? o : vtb__report_ctx_num(d, "context.clock_ticks_overhead_ns");
}

bool vtb__report_quantized(const struct vtb__report_data *d, double value_ns)
{
    double res = vtb__report_clock_resolution_ns(d);
    return isfinite(res) && res > 0 && isfinite(value_ns) &&
           value_ns < VTB__REPORT_QUANTIZED_STEPS * res;
}

void vtb__report_build(const struct vtb__report_data *d, char *buf, size_t size)
{
    const char *flags = vtb__report_ctx_text(d, "context.c_flags", "");
    const char *sanitizer = vtb__report_ctx_text(d, "context.sanitizer", "none");
    const struct vtb_json_value *lto = vtb_json_find(d->context, "context.lto");

    if (d->context == NULL) {
        snprintf(buf, size, "unknown (no usable context.json)");
        return;
    }
    while (*flags == ' ')
        flags++;
    snprintf(buf, size, "%s, %s%s%s build, LTO %s%s%s",
             vtb__report_ctx_text(d, "context.compiler_id", "unknown compiler"),
             flags[0] != '\0' ? flags : "", flags[0] != '\0' ? ", " : "",
             vtb__report_ctx_text(d, "context.build_type", "unknown"),
             lto == NULL || vtb_json_type(lto) != VTB_JSON_BOOL ? "not recorded"
             : vtb__report_ctx_bool(d, "context.lto", false) ? "on"
                                                             : "off",
             strcmp(sanitizer, "none") != 0 ? ", sanitizer " : "",
             strcmp(sanitizer, "none") != 0 ? sanitizer : "");
}
