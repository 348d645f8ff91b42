/*
 * Loading one side of a comparison (see compare_side.h): the run through
 * run_input with only the columns the gate reads, the checks that make it
 * fail closed, and the reduction of its tables to rows, identity strings
 * and rounds.
 */
#include "compare_side.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Columns of results.csv read besides the identifying ones and the
 * metrics (the figures the per-operation ones are divided by, the mean
 * time when there is no median, the row's cell for the samples' join).
 * ops and repetitions must be there. */
static const char *const extra_results[] = {"cell_index", "ops", "repetitions", "ns_per_op",
                                            "ns_per_op_median", "pool_misses",
                                            "floor_ns_per_hit"};
/* Besides the identifying columns, what every results.csv vtbench writes
 * has and the rules read: without a metric's column a gate would judge
 * nothing of it and pass (n/a), so its absence on either side is refused.
 * ns_per_op_median and floor_ns_per_hit are shown, not judged: optional. */
static const char *const required_results[] = {
    "ops",    "repetitions",      "ns_per_op",         "allocs_per_op", "bytes_per_op",
    "requested_bytes_per_op",     "pool_misses",       "errors",        "value_mismatches",
    "instructions_per_op",        NULL};

/* The columns of samples.csv the join reads; floor_ns and used are newer
 * and optional (an older file has raw times, every round in use). */
static const char *const samples_columns[] = {"scenario",  "cell_index", "impl", "repetition",
                                              "ns_per_op", "floor_ns",   "used", NULL};

size_t vtb_compare_identity(const char **columns, const char **names)
{
    size_t n = 0;
    columns[n] = "scenario";
    names[n++] = "scenario";
    columns[n] = "impl";
    names[n++] = "impl";
    for (size_t a = 0; a < VTB_AXIS_COUNT; a++) {
        const struct vtb_key *k = vtb_axis_key((enum vtb_axis)a);
        if (k->flags & VTB_KEY_COMPARE) {
            columns[n] = k->column;
            names[n++] = k->name;
        }
    }
    return n;
}

bool vtb__compare_plain_decimal(const char *text)
{
    const char *p = text + (*text == '-');
    size_t n = strspn(p, "0123456789");
    if (n == 0 || (n > 1 && *p == '0'))
        return false;
    p += n;
    if (*p == '.' && (n = strspn(p + 1, "0123456789")) > 0)
        p += 1 + n;
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '+' || p[1] == '-');
        if ((n = strspn(p, "0123456789")) == 0)
            return false;
        p += n;
    }
    return *p == '\0';
}

int vtb__compare_read_number(const struct vtb_csv_table *t, size_t row, size_t col, double *out,
                             struct vtb_error *err)
{
    int rc = vtb_csv_real(t, row, col, out, err);
    const char *text = vtb_csv_cell(t, row, col);
    if (rc != 0 || !isfinite(*out) || text[0] == '\0' || vtb__compare_plain_decimal(text))
        return rc;
    return vtb_error_set(err, VTB_ESYNTAX,
                         "%s:%zu: %s: '%.40s' is not a plain decimal number (as vtbench writes "
                         "one: no hexadecimal, spaces or signs beyond a leading '-')",
                         t->source, t->row_lines[row], vtb_csv_header(t, col), text);
}

int vtb__compare_read_figure(const struct vtb_csv_table *t, size_t row, long col, double *out,
                             struct vtb_error *err)
{
    *out = NAN;
    if (col < 0)
        return 0;
    int rc = vtb__compare_read_number(t, row, (size_t)col, out, err);
    if (rc != 0 || (isfinite(*out) && *out >= 0))
        return rc;
    const char *text = vtb_csv_cell(t, row, (size_t)col);
    if (text[0] == '\0')
        return 0;
    return vtb_error_set(err, VTB_ESYNTAX,
                         "%s:%zu: %s: '%.40s' is negative or not finite (expected a number "
                         ">= 0, or an empty field when not measured)",
                         t->source, t->row_lines[row], vtb_csv_header(t, (size_t)col), text);
}

const char *vtb_compare_side_key(const struct vtb_compare_side *s, size_t row, size_t k)
{
    const char *p = s->keys + s->key_start[row];
    for (size_t i = 0; i < k; i++)
        p += strlen(p) + 1;
    return p;
}

void vtb_compare_side_free(struct vtb_compare_side *s)
{
    if (s->input != NULL) {
        vtb_run_input_close(s->input);
        free(s->input);
    }
    free(s->rows);
    free(s->lines);
    free(s->keys);
    free(s->key_start);
    free(s->round_data);
    free(s->run_data);
    vtb__index_free(&s->cells);
    memset(s, 0, sizeof(*s));
}

/* Checks that every identifying column is there and finds them. */
static int find_identity(const struct vtb_csv_table *t, size_t *key_col, size_t *count,
                         struct vtb_error *err)
{
    const char *columns[VTB_COMPARE_KEY_MAX], *names[VTB_COMPARE_KEY_MAX];
    *count = vtb_compare_identity(columns, names);
    for (size_t k = 0; k < *count; k++) {
        long c = vtb_csv_column(t, columns[k]);
        if (c < 0)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "%s:1: missing column '%s', which identifies a cell: rows "
                                 "cannot be matched without it",
                                 t->source, columns[k]);
        key_col[k] = (size_t)c;
    }
    return vtb_csv_require(t, required_results, err);
}

/* Whether text is already what vtb__compare_axis_text would make of it, decided
 * without formatting: a plain decimal with at most 15 significant digits
 * (so no shorter text reads back as the same double), no exponent, no
 * "-0", and either an integer or a fraction whose last digit is not 0 and
 * that is at least 1e-4 (where %g would switch to an exponent). Nearly every
 * axis value vtbench writes passes, which keeps the formatting off an 80k-row
 * file's path. */
static bool canonical_already(const char *text)
{
    const char *p = text;
    if (*p == '-') {
        p++;
        if (p[0] == '0' && p[1] == '\0')
            return false;
    }
    size_t int_digits = strspn(p, "0123456789");
    if (int_digits == 0 || (int_digits > 1 && *p == '0'))
        return false;
    const char *q = p + int_digits;
    if (*q == '\0')
        return int_digits <= 15;
    if (*q != '.')
        return false;
    size_t frac_digits = strspn(q + 1, "0123456789");
    if (frac_digits == 0 || q[1 + frac_digits] != '\0' || q[frac_digits] == '0')
        return false;
    size_t significant = int_digits + frac_digits;
    if (int_digits == 1 && *p == '0') {
        size_t zeros = strspn(q + 1, "0");
        if (zeros > 3)
            return false;
        significant = frac_digits - zeros;
    }
    return significant <= 15;
}

/*
 * The text an axis value is matched by: a plain decimal number in its
 * shortest form that reads back the same ("0.0", "0", "0e0" and "-0" are
 * all "0"; "0.50" is "0.5"; "1e3" is "1000"), so that two files that wrote one value two
 * ways match; any other text as it is. Numbers beyond 2^53, which a double
 * cannot hold exactly, stay as written. Returns text or buf.
 */
const char *vtb__compare_axis_text(const char *text, char *buf, size_t size)
{
    if (canonical_already(text))
        return text;
    double v = vtb__compare_plain_decimal(text) ? strtod(text, NULL) : NAN;
    if (!(fabs(v) < 9007199254740992.0))
        return text;
    if (v == floor(v)) {
        snprintf(buf, size, "%.0f", v == 0 ? 0.0 : v);
        return buf;
    }
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* The text of identifying column k of row r: scenario and impl as they
 * are, an axis by vtb__compare_axis_text. */
static const char *key_text(const struct vtb_csv_table *t, size_t r, size_t k,
                            const size_t *key_col, char *buf, size_t size)
{
    const char *text = vtb_csv_cell(t, r, key_col[k]);
    return k < 2 ? text : vtb__compare_axis_text(text, buf, size);
}

/* Copies each row's identifying texts into one string per row: what
 * matching, labels and messages need once the table is gone. */
static int copy_keys(struct vtb_compare_side *s, const struct vtb_csv_table *t,
                     const size_t *key_col, struct vtb_error *err)
{
    size_t total = 0;
    char buf[32];
    for (size_t r = 0; r < t->rows; r++)
        for (size_t k = 0; k < s->key_count; k++)
            total += strlen(key_text(t, r, k, key_col, buf, sizeof(buf))) + 1;
    s->keys = malloc(total > 0 ? total : 1);
    s->key_start = malloc((t->rows + 1) * sizeof(*s->key_start));
    if (s->keys == NULL || s->key_start == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    size_t at = 0;
    for (size_t r = 0; r < t->rows; r++) {
        s->key_start[r] = (uint32_t)at;
        for (size_t k = 0; k < s->key_count; k++) {
            const char *text = key_text(t, r, k, key_col, buf, sizeof(buf));
            size_t n = strlen(text) + 1;
            memcpy(s->keys + at, text, n);
            at += n;
        }
    }
    s->key_start[t->rows] = (uint32_t)at;
    return 0;
}

/* The columns of the figures read per row, looked up once. */
struct figure_columns {
    long metric[VTB_COMPARE_METRIC_COUNT];
    long mean, pool, ops, reps, floor, cell, hit;
};

static void find_figures(const struct vtb_csv_table *t, struct figure_columns *c)
{
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++)
        c->metric[m] = vtb_csv_column(t, vtb_compare_metric_name((enum vtb_compare_metric)m));
    /* The time figure shown is the median; ns_per_op itself is the mean,
     * checked, and shown when there is no median. */
    c->mean = vtb_csv_column(t, "ns_per_op");
    c->metric[VTB_COMPARE_NS_PER_OP] = vtb_csv_column(t, "ns_per_op_median");
    if (c->metric[VTB_COMPARE_NS_PER_OP] < 0)
        c->metric[VTB_COMPARE_NS_PER_OP] = c->mean;
    c->pool = vtb_csv_column(t, "pool_misses");
    c->ops = vtb_csv_column(t, "ops");
    c->reps = vtb_csv_column(t, "repetitions");
    c->floor = vtb_csv_column(t, "floor_ns_per_hit");
    c->cell = vtb_csv_column(t, "cell_index");
    c->hit = vtb_csv_column(t, "hit_ratio_target");
}

/* Reads the figures of row r of t into row, refusing what cannot be judged. */
static int read_row(const struct vtb_csv_table *t, size_t r, const struct figure_columns *c,
                    struct vtb_compare_row *row, struct vtb_error *err)
{
    int rc = 0;
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT && rc == 0; m++)
        rc = vtb__compare_read_figure(t, r, c->metric[m], &row->metric[m], err);
    double pool_misses = NAN, ops = NAN, reps = NAN, mean = NAN, floor_ns = NAN;
    if (rc == 0)
        rc = vtb__compare_read_figure(t, r, c->mean, &mean, err);
    if (rc == 0)
        rc = vtb__compare_read_figure(t, r, c->pool, &pool_misses, err);
    if (rc == 0)
        rc = vtb__compare_read_figure(t, r, c->ops, &ops, err);
    if (rc == 0)
        rc = vtb__compare_read_figure(t, r, c->reps, &reps, err);
    if (rc == 0)
        rc = vtb__compare_read_figure(t, r, c->floor, &floor_ns, err);
    row->hit_ratio_target = row->cell_index = NAN;
    if (rc == 0 && c->hit >= 0)
        rc = vtb__compare_read_number(t, r, (size_t)c->hit, &row->hit_ratio_target, err);
    if (rc == 0 && c->cell >= 0)
        rc = vtb__compare_read_number(t, r, (size_t)c->cell, &row->cell_index, err);
    /* pool_misses is summed over repetitions; ops is per repetition. */
    double total_ops = ops * reps;
    row->metric[VTB_COMPARE_POOL_MISSES_PER_OP] =
        isfinite(pool_misses) && total_ops > 0 ? pool_misses / total_ops : NAN;
    return rc;
}

/* Builds s's rows from its results table (which s does not keep). */
static int build_rows(struct vtb_compare_side *s, const struct vtb_csv_table *t,
                      struct vtb_error *err)
{
    size_t key_col[VTB_COMPARE_KEY_MAX];
    int rc = find_identity(t, key_col, &s->key_count, err);
    if (rc != 0)
        return rc;
    s->row_count = t->rows;
    s->rows = calloc(t->rows > 0 ? t->rows : 1, sizeof(*s->rows));
    s->lines = malloc((t->rows > 0 ? t->rows : 1) * sizeof(*s->lines));
    if (s->rows == NULL || s->lines == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    struct figure_columns cols;
    find_figures(t, &cols);
    for (size_t r = 0; r < t->rows && rc == 0; r++) {
        s->lines[r] = (uint32_t)t->row_lines[r];
        rc = read_row(t, r, &cols, &s->rows[r], err);
    }
    if (rc == 0)
        rc = copy_keys(s, t, key_col, err);
    if (rc == 0)
        rc = vtb__compare_index_rows(s, err);
    return rc;
}

int vtb_compare_side_from_tables(struct vtb_compare_side *s, const struct vtb_csv_table *results,
                                 const struct vtb_csv_table *samples, struct vtb_error *err)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->path, sizeof(s->path), "%s", results->source);
    snprintf(s->results_path, sizeof(s->results_path), "%s", results->source);
    if (samples != NULL)
        snprintf(s->samples_path, sizeof(s->samples_path), "%s", samples->source);
    s->state = VTB_RUN_COMPLETE;
    s->runs = 1;
    int rc = build_rows(s, results, err);
    if (rc == 0 && samples != NULL)
        rc = vtb__compare_join_samples(s, samples, err);
    if (rc != 0)
        vtb_compare_side_free(s);
    return rc;
}

/* The context's fields that name the build and the machine, as one text:
 * the runs of a set must agree on it (compare_set.h). */
static void take_build(struct vtb_compare_side *s, const struct vtb_run_input *in)
{
    static const char *const fields[] = {
        "vtbench.version",     "vtbench.git_revision", "context.build_type",
        "context.c_flags",     "context.lto",          "context.sanitizer",
        "context.compiler_id", "context.host_name",    "context.cpu_model",
        "context.allocator"};
    size_t used = 0;
    s->build[0] = '\0';
    for (size_t i = 0; in->has_context && i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *text = vtb_json_text(vtb_json_find(in->context.root, fields[i]));
        int n = snprintf(s->build + used, sizeof(s->build) - used, "%s%s=%s", used ? " " : "",
                         strchr(fields[i], '.') + 1, text != NULL ? text : "?");
        if (n < 0 || (size_t)n >= sizeof(s->build) - used)
            break;
        used += (size_t)n;
    }
}

/* What the side keeps of run_input's verdict and paths. */
static void take_input(struct vtb_compare_side *s, const char *path,
                       const struct vtb_run_input *in)
{
    s->runs = 1;
    take_build(s, in);
    snprintf(s->path, sizeof(s->path), "%s", path);
    snprintf(s->results_path, sizeof(s->results_path), "%s", in->results_path);
    if (access(in->context_path, F_OK) == 0)
        snprintf(s->context_path, sizeof(s->context_path), "%s", in->context_path);
    s->from_journal = in->from_journal;
    s->state = in->state;
    snprintf(s->reason, sizeof(s->reason), "%s", in->reason);
}

int vtb_compare_side_open(struct vtb_compare_side *s, const char *path, unsigned flags,
                          struct vtb_error *err)
{
    memset(s, 0, sizeof(*s));
    /* The identifying columns, the metrics and the extras. */
    const char *wanted[VTB_COMPARE_KEY_MAX + VTB_COMPARE_METRIC_COUNT + 8];
    const char *names[VTB_COMPARE_KEY_MAX];
    size_t n = vtb_compare_identity(wanted, names);
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++)
        wanted[n++] = vtb_compare_metric_name((enum vtb_compare_metric)m);
    for (size_t i = 0; i < sizeof(extra_results) / sizeof(extra_results[0]); i++)
        wanted[n++] = extra_results[i];
    wanted[n] = NULL;

    /* One table at a time: the results are reduced to rows and freed
     * before the samples are read. */
    s->input = malloc(sizeof(*s->input));
    if (s->input == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    int rc = vtb_run_input_open_columns(s->input, path, flags | VTB_RUN_INPUT_SAMPLES_LATER,
                                        wanted, samples_columns, err);
    if (rc == 0) {
        take_input(s, path, s->input);
        rc = build_rows(s, &s->input->results, err);
    }
    vtb_csv_free(&s->input->results);
    if (rc != 0)
        vtb_compare_side_free(s);
    return rc;
}

int vtb_compare_side_read_rounds(struct vtb_compare_side *s, struct vtb_error *err)
{
    struct vtb_run_input *in = s->input;
    if (in == NULL)
        return 0; /* read already, or made from tables */
    int rc = vtb_run_input_read_samples(in, samples_columns, err);
    /* The samples may have shown the run inconsistent (allowed, or rc says). */
    s->state = in->state;
    snprintf(s->reason, sizeof(s->reason), "%s", in->reason);
    if (rc == 0 && in->has_samples) {
        snprintf(s->samples_path, sizeof(s->samples_path), "%s", in->samples_path);
        rc = vtb__compare_join_samples(s, &in->samples, err);
    }
    vtb_run_input_close(in);
    free(in);
    s->input = NULL;
    if (rc != 0)
        vtb_compare_side_free(s);
    return rc;
}

int vtb_compare_side_load(struct vtb_compare_side *s, const char *path, unsigned flags,
                          struct vtb_error *err)
{
    int rc = vtb_compare_side_open(s, path, flags, err);
    return rc == 0 ? vtb_compare_side_read_rounds(s, err) : rc;
}
