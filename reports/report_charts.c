/*
 * `vtbench report` (see report_charts.h): loads a run directory, plans the
 * charts its sweep can fill, renders them with gnuplot and hands over to
 * report_md.c for report.md.
 *
 * The division of labour with the gnuplot templates (reports/NAME.gp) is
 * deliberate: gnuplot reads the run's CSV files itself, so every plotted
 * number comes straight from the measurement files; this file only decides
 * WHICH rows a chart shows, because that is the part worth testing in C:
 * which axes vary, which one is held at which value (a chart never mixes
 * two thread counts silently), which cells are complete. It tells gnuplot
 * through -e variables that name cells (":0:3:6:") and implementations,
 * documented in reports/common.gp.
 */
#include "report_charts.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "report_md.h"

extern char **environ;

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

/* Series beyond this many values are held at one value instead. */
#define MAX_SERIES_VALUES 4
/* y values spanning more than this factor get a log scale. */
#define LOG_SCALE_SPAN 30.0

/* ---- Growable strings, for gnuplot's -e text and word lists ---- */

struct sbuf {
    char *s;
    size_t len, cap;
    bool failed; /* out of memory: every later append is a no-op */
};

static void sb_vappend(struct sbuf *b, const char *fmt, va_list ap)
{
    va_list copy;
    int n;

    if (b->failed)
        return;
    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 256;
        char *s;

        while (b->len + (size_t)n + 1 > cap)
            cap *= 2;
        s = realloc(b->s, cap);
        if (s == NULL) {
            b->failed = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)n;
}

static void sb_append(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_append(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vappend(b, fmt, ap);
    va_end(ap);
}

static const char *sb_str(const struct sbuf *b)
{
    return b->s != NULL ? b->s : "";
}

static void sb_free(struct sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof(*b));
}

/* Appends NAME='VALUE'; to a gnuplot -e text (a single-quoted gnuplot
 * string takes no escapes except '' for a quote). */
static void gp_str(struct sbuf *b, const char *name, const char *value)
{
    sb_append(b, "%s='", name);
    for (const char *p = value; *p != '\0'; p++) {
        if (*p == '\'')
            sb_append(b, "''");
        else
            sb_append(b, "%c", *p);
    }
    sb_append(b, "'; ");
}

/* Appends one word to a gnuplot word list, double-quoted (so it may hold
 * spaces); quotes and control characters in it become '_'. */
static void word_add(struct sbuf *list, const char *word)
{
    sb_append(list, "%s\"", list->len > 0 ? " " : "");
    for (const char *p = word; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        sb_append(list, "%c", c == '"' || c == '\'' || c < 0x20 ? '_' : (char)c);
    }
    sb_append(list, "\"");
}

/* word_add for a tick label, which gnuplot reads as a format: '%' doubled. */
static void word_add_tic(struct sbuf *list, const char *word)
{
    char buf[256];
    size_t n = 0;

    for (const char *p = word; *p != '\0' && n + 2 < sizeof(buf); p++) {
        if (*p == '%')
            buf[n++] = '%';
        buf[n++] = *p;
    }
    buf[n] = '\0';
    word_add(list, buf);
}

/* ---- Loading ---- */

static int column_or_missing(const struct vtb_csv_table *t, const char *name)
{
    return (int)vtb_csv_column(t, name);
}

static int read_real(const struct vtb_csv_table *t, size_t row, int col, double *out,
                     struct vtb_error *err)
{
    if (col < 0) {
        *out = NAN;
        return 0;
    }
    return vtb_csv_real(t, row, (size_t)col, out, err);
}

static bool impl_known(const struct vtb__report_data *d, const char *impl)
{
    for (size_t i = 0; i < d->nimpls; i++)
        if (strcmp(d->impls[i], impl) == 0)
            return true;
    return false;
}

/* Fills d->cells (in order of first appearance) and marks the complete
 * ones: an interrupted run may end with a cell that lacks implementations,
 * which a chart would draw as a line that stops for no visible reason. */
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
    int axis_col[VTB__AX_COUNT];
    struct {
        const char *name;
        size_t offset;
    } const reals[] = {
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
    int real_col[sizeof(reals) / sizeof(reals[0])];
    int impl_col, cell_col, usable_col, rc;

    snprintf(path, sizeof(path), "%s/results.csv", d->run_dir);
    if (access(path, F_OK) != 0)
        return vtb_error_set(err, VTB_ENOTFOUND, "%s: no results.csv here: not a run directory",
                             d->run_dir);
    rc = vtb_csv_read(path, t, err);
    if (rc != 0)
        return rc;
    rc = vtb_csv_require(t, required, err);
    if (rc != 0)
        return rc;
    if (t->rows == 0)
        return vtb_error_set(err, VTB_ESYNTAX, "%s: no results (header only)", path);

    for (int a = 0; a < VTB__AX_COUNT; a++)
        axis_col[a] = column_or_missing(t, vtb__report_axes[a].column);
    for (size_t k = 0; k < sizeof(reals) / sizeof(reals[0]); k++)
        real_col[k] = column_or_missing(t, reals[k].name);
    impl_col = column_or_missing(t, "impl");
    cell_col = column_or_missing(t, "cell_index");
    usable_col = column_or_missing(t, "bytes_are_usable");

    d->rows = calloc(t->rows, sizeof(*d->rows));
    if (d->rows == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    d->nrows = t->rows;
    snprintf(d->scenario, sizeof(d->scenario), "%s",
             vtb_csv_cell(t, 0, (size_t)column_or_missing(t, "scenario")));
    for (size_t r = 0; r < t->rows; r++) {
        struct vtb__report_row *row = &d->rows[r];
        double cell;

        row->impl = vtb_csv_cell(t, r, (size_t)impl_col);
        if (row->impl[0] == '\0')
            return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: impl: empty", path,
                                 t->row_lines[r]);
        rc = read_real(t, r, cell_col, &cell, err);
        if (rc != 0)
            return rc;
        if (!(cell >= 0 && cell < 1e9) || cell != floor(cell))
            return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: cell_index: not a cell number",
                                 path, t->row_lines[r]);
        row->cell = (unsigned)cell;
        for (int a = 0; a < VTB__AX_COUNT; a++) {
            row->axis[a] = axis_col[a] >= 0 ? vtb_csv_cell(t, r, (size_t)axis_col[a]) : "";
            row->axis_num[a] = NAN;
            if (vtb__report_axes[a].numeric) {
                rc = read_real(t, r, axis_col[a], &row->axis_num[a], err);
                if (rc != 0)
                    return rc;
            }
        }
        for (size_t k = 0; k < sizeof(reals) / sizeof(reals[0]); k++) {
            rc = read_real(t, r, real_col[k], (double *)((char *)row + reals[k].offset), err);
            if (rc != 0)
                return rc;
        }
        row->bytes_usable = usable_col < 0 ||
                            strcmp(vtb_csv_cell(t, r, (size_t)usable_col), "true") == 0;
        if (!impl_known(d, row->impl)) {
            if (d->nimpls == VTB__REPORT_MAX_IMPLS)
                return vtb_error_set(err, VTB_ERANGE, "%s: more than %d implementations", path,
                                     VTB__REPORT_MAX_IMPLS);
            d->impls[d->nimpls++] = row->impl;
        }
    }
    return index_cells(d, err);
}

/* percentiles.csv is optional: runs made before its reporter have none. */
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

static void data_fini(struct vtb__report_data *d)
{
    free(d->rows);
    free(d->cells);
    vtb_csv_free(&d->results);
    if (d->has_percentiles)
        vtb_csv_free(&d->percentiles);
    memset(d, 0, sizeof(*d));
}

static int data_load(struct vtb__report_data *d, const char *run_dir, struct vtb_error *err)
{
    int rc;

    memset(d, 0, sizeof(*d));
    if (snprintf(d->run_dir, sizeof(d->run_dir), "%s", run_dir) >= (int)sizeof(d->run_dir))
        return vtb_error_set(err, VTB_ERANGE, "%s: path too long", run_dir);
    rc = load_results(d, err);
    if (rc == 0)
        rc = load_percentiles(d, err);
    if (rc != 0)
        data_fini(d);
    return rc;
}

/* ---- Axes and slices ---- */

static const char *cell_axis(const struct vtb__report_data *d, const struct vtb__report_cell *c,
                             int axis)
{
    return d->rows[c->first_row].axis[axis];
}

static double cell_axis_num(const struct vtb__report_data *d, const struct vtb__report_cell *c,
                            int axis)
{
    return d->rows[c->first_row].axis_num[axis];
}

/* Distinct non-empty values of axis over the complete cells, in order of
 * first appearance; returns how many there are (at most max stored). */
static size_t axis_values(const struct vtb__report_data *d, int axis, const char **out,
                          size_t max)
{
    size_t n = 0;

    for (size_t c = 0; c < d->ncells; c++) {
        const char *v = cell_axis(d, &d->cells[c], axis);
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
                seen = d->cells[e].complete && strcmp(cell_axis(d, &d->cells[e], axis), v) == 0;
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
    return axis_values(d, axis, values, 64);
}

/* The value a slice holds axis at: the smallest, largest or first seen. */
static const char *preferred_value(const struct vtb__report_data *d, int axis)
{
    const char *best = NULL;
    double best_num = NAN;
    int prefer = vtb__report_axes[axis].prefer;

    for (size_t c = 0; c < d->ncells; c++) {
        const char *v = cell_axis(d, &d->cells[c], axis);
        double num = cell_axis_num(d, &d->cells[c], axis);

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

void vtb__report_slice_init(const struct vtb__report_data *d, struct vtb__report_slice *s,
                            int x, int panel, bool allow_series)
{
    memset(s, 0, sizeof(*s));
    s->x = x;
    s->panel = panel;
    s->series = -1;
    for (int a = 0; a < VTB__AX_COUNT; a++) {
        size_t n;

        if (a == x || a == panel)
            continue;
        n = vtb__report_axis_distinct(d, a);
        if (n <= 1)
            continue;
        if (allow_series && s->series < 0 && n <= MAX_SERIES_VALUES)
            s->series = a;
        else
            s->fixed[a] = preferred_value(d, a);
    }
}

void vtb__report_slice_describe(const struct vtb__report_slice *s, char *buf, size_t size)
{
    size_t len = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    for (int a = 0; a < VTB__AX_COUNT; a++) {
        int n;

        if (s->fixed[a] == NULL)
            continue;
        n = snprintf(buf + len, size - len, "%s%s=%s", len > 0 ? ", " : "",
                     vtb__report_axes[a].label, s->fixed[a]);
        if (n < 0 || (size_t)n >= size - len)
            return;
        len += (size_t)n;
    }
}

bool vtb__report_cell_in_slice(const struct vtb__report_data *d, const struct vtb__report_cell *c,
                               const struct vtb__report_slice *s)
{
    if (!c->complete)
        return false;
    for (int a = 0; a < VTB__AX_COUNT; a++)
        if (s->fixed[a] != NULL && strcmp(cell_axis(d, c, a), s->fixed[a]) != 0)
            return false;
    return true;
}

const struct vtb__report_row *vtb__report_row_of(const struct vtb__report_data *d,
                                                 unsigned cell, const char *impl)
{
    for (size_t r = 0; r < d->nrows; r++)
        if (d->rows[r].cell == cell && strcmp(d->rows[r].impl, impl) == 0)
            return &d->rows[r];
    return NULL;
}

size_t vtb__report_claim_cells(const struct vtb__report_data *d, unsigned *cells, size_t max)
{
    struct vtb__report_slice s;
    size_t n = 0;

    vtb__report_slice_init(d, &s, VTB__AX_HIT_RATIO, -1, false);
    for (size_t c = 0; c < d->ncells && n < max; c++)
        if (vtb__report_cell_in_slice(d, &d->cells[c], &s) &&
            isfinite(cell_axis_num(d, &d->cells[c], VTB__AX_HIT_RATIO)))
            cells[n++] = d->cells[c].index;
    return n;
}

static const struct vtb__report_cell *cell_by_index(const struct vtb__report_data *d,
                                                    unsigned index)
{
    for (size_t c = 0; c < d->ncells; c++)
        if (d->cells[c].index == index)
            return &d->cells[c];
    return NULL;
}

const struct vtb__report_row *vtb__report_claim_row(const struct vtb__report_data *d,
                                                    const char *impl, double h)
{
    unsigned cells[256];
    size_t n = vtb__report_claim_cells(d, cells, 256);

    for (size_t k = 0; k < n; k++) {
        const struct vtb__report_row *row = vtb__report_row_of(d, cells[k], impl);
        if (row != NULL && fabs(row->axis_num[VTB__AX_HIT_RATIO] - h) < 1e-9)
            return row;
    }
    return NULL;
}

struct ratio_point {
    double h, ratio;
    int side; /* +1 / -1: significantly above / below 1.0; 0: within noise */
};

static int by_hit_ratio(const void *a, const void *b)
{
    double x = ((const struct ratio_point *)a)->h, y = ((const struct ratio_point *)b)->h;
    return (x > y) - (x < y);
}

/* Where the ratio passes 1.0 between points p and q (p < q, on opposite
 * sides): the first segment that crosses in q's direction. */
static double crossing_between(const struct ratio_point *pts, size_t p, size_t q)
{
    for (size_t k = p; k < q; k++) {
        double r0 = pts[k].ratio - 1.0, r1 = pts[k + 1].ratio - 1.0;
        bool crosses = pts[q].side > 0 ? r0 < 0 && r1 >= 0 : r0 > 0 && r1 <= 0;

        if (crosses)
            return pts[k].h + (-r0 / (r1 - r0)) * (pts[k + 1].h - pts[k].h);
    }
    return pts[q].h; /* unreachable: p and q lie on opposite sides of 1.0 */
}

int vtb__report_crossings(const struct vtb__report_data *d, const unsigned *cells, size_t ncells,
                          const char *num, const char *den, struct vtb__report_crossings *out)
{
    struct ratio_point pts[256];
    size_t n = 0, last_sig = 0;
    bool have_sig = false;
    int crossings = 0;

    memset(out, 0, sizeof(*out));
    out->min_ratio = out->max_ratio = out->min_at = out->max_at = NAN;
    for (size_t k = 0; k < ncells && n < 256; k++) {
        const struct vtb__report_row *a = vtb__report_row_of(d, cells[k], num);
        const struct vtb__report_row *b = vtb__report_row_of(d, cells[k], den);

        if (a == NULL || b == NULL || !isfinite(a->axis_num[VTB__AX_HIT_RATIO]) ||
            !(a->ns > 0) || !(b->ns > 0))
            continue;
        pts[n].h = a->axis_num[VTB__AX_HIT_RATIO];
        pts[n].ratio = a->ns / b->ns;
        pts[n].side = a->ci_low > b->ci_high ? 1 : a->ci_high < b->ci_low ? -1 : 0;
        out->above += pts[n].side > 0;
        out->below += pts[n].side < 0;
        n++;
    }
    out->points = n;
    if (n < 2)
        return -1;
    qsort(pts, n, sizeof(pts[0]), by_hit_ratio);
    for (size_t k = 0; k < n; k++) {
        if (k == 0 || pts[k].ratio < out->min_ratio) {
            out->min_ratio = pts[k].ratio;
            out->min_at = pts[k].h;
        }
        if (k == 0 || pts[k].ratio > out->max_ratio) {
            out->max_ratio = pts[k].ratio;
            out->max_at = pts[k].h;
        }
        if (pts[k].side == 0)
            continue;
        if (have_sig && pts[last_sig].side != pts[k].side &&
            crossings < VTB__REPORT_MAX_CROSSINGS) {
            out->at[crossings] = crossing_between(pts, last_sig, k);
            out->upward[crossings] = pts[k].side > 0;
            crossings++;
        }
        last_sig = k;
        have_sig = true;
    }
    return crossings;
}

/* ---- Chart plans ---- */

/* What a chart's plan hands to gnuplot, and says in report.md. */
struct plan {
    struct sbuf vars;         /* -e assignments, chart-specific part */
    char note[VTB_REPORT_NOTE_MAX];
};

static void set_note(char *note, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_note(char *note, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note, VTB_REPORT_NOTE_MAX, fmt, ap);
    va_end(ap);
}

/* The implementations as a gnuplot word list. */
static void add_impls(struct plan *p, const struct vtb__report_data *d)
{
    struct sbuf list = {0};

    for (size_t i = 0; i < d->nimpls; i++)
        word_add(&list, d->impls[i]);
    gp_str(&p->vars, "impls", sb_str(&list));
    sb_free(&list);
}

/*
 * Splits the slice's cells into groups, one per (panel value, series
 * value), and passes them: ngroups, gcells (":i:j:" per group), gtitles
 * ("-" without a series axis), gdt (dash type: the series value's rank),
 * npanels, ptitles, pfirst/plast (each panel's groups) and slice (the held
 * axes, for titles). Returns the number of groups (0: nothing to draw).
 */
static size_t add_groups(struct plan *p, const struct vtb__report_data *d,
                         const struct vtb__report_slice *s)
{
    const char *panels[64], *series[64];
    size_t npanels = 1, nseries = 1, ngroups = 0, used_panels = 0;
    struct sbuf gcells = {0}, gtitles = {0}, gdt = {0}, ptitles = {0}, pfirst = {0},
                plast = {0};
    char slice[VTB_REPORT_NOTE_MAX];

    panels[0] = series[0] = NULL;
    if (s->panel >= 0)
        npanels = axis_values(d, s->panel, panels, 64);
    if (s->series >= 0)
        nseries = axis_values(d, s->series, series, 64);
    npanels = npanels > 64 ? 64 : npanels;
    nseries = nseries > 64 ? 64 : nseries;
    for (size_t pi = 0; pi < npanels; pi++) {
        size_t first = ngroups + 1;

        for (size_t si = 0; si < nseries; si++) {
            struct sbuf cells = {0};
            size_t count = 0;

            for (size_t c = 0; c < d->ncells; c++) {
                const struct vtb__report_cell *cell = &d->cells[c];

                if (!vtb__report_cell_in_slice(d, cell, s))
                    continue;
                if (s->panel >= 0 && strcmp(cell_axis(d, cell, s->panel), panels[pi]) != 0)
                    continue;
                if (s->series >= 0 && strcmp(cell_axis(d, cell, s->series), series[si]) != 0)
                    continue;
                sb_append(&cells, "%s%u:", count == 0 ? ":" : "", cell->index);
                count++;
            }
            if (count > 0) {
                char title[160];

                if (s->series >= 0)
                    snprintf(title, sizeof(title), "%s=%s", vtb__report_axes[s->series].label,
                             series[si]);
                else
                    snprintf(title, sizeof(title), "-");
                word_add(&gcells, sb_str(&cells));
                word_add(&gtitles, title);
                sb_append(&gdt, "%s%zu", gdt.len > 0 ? " " : "", si + 1);
                ngroups++;
            }
            sb_free(&cells);
        }
        if (ngroups + 1 > first) {
            char title[160];

            if (s->panel >= 0)
                snprintf(title, sizeof(title), "%s=%s", vtb__report_axes[s->panel].label,
                         panels[pi]);
            else
                snprintf(title, sizeof(title), "-");
            word_add(&ptitles, title);
            sb_append(&pfirst, "%s%zu", pfirst.len > 0 ? " " : "", first);
            sb_append(&plast, "%s%zu", plast.len > 0 ? " " : "", ngroups);
            used_panels++;
        }
    }
    vtb__report_slice_describe(s, slice, sizeof(slice));
    sb_append(&p->vars, "ngroups=%zu; npanels=%zu; ", ngroups, used_panels);
    gp_str(&p->vars, "gcells", sb_str(&gcells));
    gp_str(&p->vars, "gtitles", sb_str(&gtitles));
    gp_str(&p->vars, "gdt", sb_str(&gdt));
    gp_str(&p->vars, "ptitles", sb_str(&ptitles));
    gp_str(&p->vars, "pfirst", sb_str(&pfirst));
    gp_str(&p->vars, "plast", sb_str(&plast));
    gp_str(&p->vars, "slice", slice);
    sb_free(&gcells);
    sb_free(&gtitles);
    sb_free(&gdt);
    sb_free(&ptitles);
    sb_free(&pfirst);
    sb_free(&plast);
    return ngroups;
}

/* Describes how a chart was sliced, for report.md. */
static void slice_note(char *note, const struct vtb__report_slice *s, const char *what)
{
    char held[VTB_REPORT_NOTE_MAX];
    char series[96] = "";

    vtb__report_slice_describe(s, held, sizeof(held));
    if (s->series >= 0)
        snprintf(series, sizeof(series), "; one line style per %s",
                 vtb__report_axes[s->series].label);
    set_note(note, "%s%s%s%s", what, series, held[0] != '\0' ? "; held at " : "", held);
}

/* 1 when the y values of the slice's rows (through get) span more than
 * LOG_SCALE_SPAN and are all positive, else 0. */
static int wants_log(const struct vtb__report_data *d, const struct vtb__report_slice *s,
                     double (*get)(const struct vtb__report_row *, int), int nvalues)
{
    double lo = INFINITY, hi = -INFINITY;

    for (size_t r = 0; r < d->nrows; r++) {
        const struct vtb__report_cell *c = cell_by_index(d, d->rows[r].cell);

        if (c == NULL || !vtb__report_cell_in_slice(d, c, s))
            continue;
        for (int k = 0; k < nvalues; k++) {
            double v = get(&d->rows[r], k);
            if (!isfinite(v))
                continue;
            if (v <= 0)
                return 0;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    return isfinite(lo) && hi / lo > LOG_SCALE_SPAN;
}

static double get_ns(const struct vtb__report_row *r, int k)
{
    return k == 0 ? r->ns : r->ci_high;
}

static double get_ops(const struct vtb__report_row *r, int k)
{
    (void)k;
    return r->ops_per_sec;
}

/* Returns true and a note when the hit ratio is swept; else false and why. */
static bool hit_ratio_swept(const struct vtb__report_data *d, char *note)
{
    size_t n = vtb__report_axis_distinct(d, VTB__AX_HIT_RATIO);

    if (n >= 2)
        return true;
    if (n == 0)
        set_note(note, "the hit ratio is not set in this run (emergent mode: it follows from "
                       "the key distribution), so there is no hit-ratio axis");
    else
        set_note(note, "this run measures a single hit ratio (%s); a hit-ratio sweep is needed",
                 preferred_value(d, VTB__AX_HIT_RATIO));
    return false;
}

static bool plan_ns_per_op(const struct vtb__report_data *d, struct plan *p)
{
    struct vtb__report_slice s;

    if (!hit_ratio_swept(d, p->note))
        return false;
    vtb__report_slice_init(d, &s, VTB__AX_HIT_RATIO, -1, true);
    add_impls(p, d);
    if (add_groups(p, d, &s) == 0)
        return false;
    sb_append(&p->vars, "logy=%d; ", wants_log(d, &s, get_ns, 2));
    slice_note(p->note, &s, "mean ns per call of each implementation, 95% confidence intervals");
    return true;
}

static bool plan_alloc(const struct vtb__report_data *d, struct plan *p)
{
    struct vtb__report_slice s;
    bool usable = false;

    if (!hit_ratio_swept(d, p->note))
        return false;
    for (size_t r = 0; r < d->nrows && !usable; r++)
        usable = isfinite(d->rows[r].bytes_per_op) && d->rows[r].bytes_usable;
    vtb__report_slice_init(d, &s, VTB__AX_HIT_RATIO, -1, true);
    add_impls(p, d);
    if (add_groups(p, d, &s) == 0)
        return false;
    gp_str(&p->vars, "bytes_col", usable ? "bytes_per_op" : "requested_bytes_per_op");
    gp_str(&p->vars, "bytes_label",
           usable ? "bytes allocated per call (jemalloc usable size)"
                  : "bytes requested per call (no jemalloc: requested sizes)");
    slice_note(p->note, &s,
               usable ? "bytes per call as jemalloc hands them out (size classes), and "
                        "allocations per call"
                      : "bytes per call as requested from malloc (no jemalloc statistics), "
                        "and allocations per call");
    return true;
}

/* Whether percentiles.csv has rows of kind for cell. */
/* Whether percentiles.csv has rows of kind for cell (and impl, unless NULL). */
static bool has_kind(const struct vtb__report_data *d, unsigned cell, const char *impl,
                     const char *kind)
{
    const struct vtb_csv_table *t = &d->percentiles;
    long cc = vtb_csv_column(t, "cell_index"), kc = vtb_csv_column(t, "kind");
    long ic = vtb_csv_column(t, "impl");
    char want[16];

    snprintf(want, sizeof(want), "%u", cell);
    for (size_t r = 0; r < t->rows; r++)
        if (strcmp(vtb_csv_cell(t, r, (size_t)cc), want) == 0 &&
            strcmp(vtb_csv_cell(t, r, (size_t)kc), kind) == 0 &&
            (impl == NULL || strcmp(vtb_csv_cell(t, r, (size_t)ic), impl) == 0))
            return true;
    return false;
}

/* Mean measured hit ratio over the implementations of a cell. */
static double cell_hit_ratio(const struct vtb__report_data *d, unsigned cell)
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

/* The first varying axis of the sweep, or -1 when nothing varies. */
static int primary_axis(const struct vtb__report_data *d)
{
    for (int a = 0; a < VTB__AX_COUNT; a++)
        if (vtb__report_axis_distinct(d, a) >= 2)
            return a;
    return -1;
}

/* The hit ratio the spectrum is drawn at, if the run has it: the articles'
 * mixed case, where hits and misses are both common. */
#define SPECTRUM_HIT_RATIO 0.8

static bool plan_percentiles(const struct vtb__report_data *d, struct plan *p)
{
    struct vtb__report_slice s;
    const struct vtb__report_cell *best = NULL;
    double best_score = -INFINITY;
    struct sbuf kinds = {0}, simpls = {0};
    char held[VTB_REPORT_NOTE_MAX], what[VTB_REPORT_NOTE_MAX + 64];
    int x = primary_axis(d);

    if (!d->has_percentiles || d->percentiles.rows == 0) {
        set_note(p->note, "the run directory has no percentiles.csv (runs made before the "
                          "percentiles reporter have only the .hgrm files)");
        return false;
    }
    /* Along the primary axis, everything else held: prefer a cell with both
     * hits and misses, then the one nearest the articles' 80% hits. */
    vtb__report_slice_init(d, &s, x, -1, false);
    for (size_t c = 0; c < d->ncells; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];
        double h, score;

        if (!vtb__report_cell_in_slice(d, cell, &s))
            continue;
        h = cell_hit_ratio(d, cell->index);
        score = (has_kind(d, cell->index, NULL, "hit") ? 2.0 : 0.0) +
                (has_kind(d, cell->index, NULL, "miss") ? 2.0 : 0.0) -
                (isfinite(h) ? fabs(h - SPECTRUM_HIT_RATIO) : 1.0);
        if (score > best_score) {
            best_score = score;
            best = cell;
        }
    }
    if (best == NULL || !(best_score > -1.5)) {
        set_note(p->note, "percentiles.csv has no latency rows for the cells of this run");
        return false;
    }
    /* One line per (kind, impl) that has rows: gnuplot warns about, and
     * so fails on, a line without points. */
    for (size_t k = 0; k < 2; k++) {
        const char *kind = k == 0 ? "hit" : "miss";
        for (size_t i = 0; i < d->nimpls; i++) {
            if (!has_kind(d, best->index, d->impls[i], kind))
                continue;
            word_add(&kinds, kind);
            word_add(&simpls, d->impls[i]);
        }
    }
    gp_str(&p->vars, "kinds", sb_str(&kinds));
    gp_str(&p->vars, "impls", sb_str(&simpls));
    sb_free(&kinds);
    sb_free(&simpls);
    sb_append(&p->vars, "cell=%u; ", best->index);

    /* The cell as the title shows it: its value on every varying axis. */
    held[0] = '\0';
    for (int a = 0; a < VTB__AX_COUNT; a++) {
        size_t len = strlen(held);
        if (vtb__report_axis_distinct(d, a) >= 2)
            snprintf(held + len, sizeof(held) - len, ", %s=%s", vtb__report_axes[a].label,
                     cell_axis(d, best, a));
    }
    snprintf(what, sizeof(what), "cell %u%s, %.1f%% hits measured", best->index, held,
             100.0 * cell_hit_ratio(d, best->index));
    gp_str(&p->vars, "celldesc", what);
    set_note(p->note, "hits (solid) and misses (dashed) of %s", what);
    return true;
}

static bool plan_threads(const struct vtb__report_data *d, struct plan *p)
{
    struct vtb__report_slice s;
    int panel = vtb__report_axis_distinct(d, VTB__AX_CACHE_LOCK) >= 2 ? VTB__AX_CACHE_LOCK : -1;

    if (vtb__report_axis_distinct(d, VTB__AX_THREADS) < 2) {
        set_note(p->note, "this run uses a single thread count; a threads sweep is needed");
        return false;
    }
    vtb__report_slice_init(d, &s, VTB__AX_THREADS, panel, false);
    add_impls(p, d);
    if (add_groups(p, d, &s) == 0)
        return false;
    sb_append(&p->vars, "logy=%d; ", wants_log(d, &s, get_ops, 1));
    slice_note(p->note, &s,
               panel >= 0 ? "aggregate calls per second, one panel per cache_lock, dotted: "
                            "ideal linear scaling"
                          : "aggregate calls per second, dotted: ideal linear scaling");
    return true;
}

static bool plan_key_skew(const struct vtb__report_data *d, struct plan *p)
{
    struct vtb__report_slice s;
    const char *cats[64];
    size_t ncats;
    struct sbuf catw = {0}, ticks = {0}, labels = {0};

    if (vtb__report_axis_distinct(d, VTB__AX_KEY_DIST) < 2) {
        set_note(p->note, "this run uses a single key distribution; a key_dist sweep is needed");
        return false;
    }
    if (vtb__report_axis_distinct(d, VTB__AX_HIT_RATIO) > 0) {
        set_note(p->note, "key_dist varies but every cell has a hit_ratio target (exact mode), "
                          "so skew does not set the hit ratio; key skew needs emergent mode");
        return false;
    }
    vtb__report_slice_init(d, &s, VTB__AX_KEY_DIST, -1, true);
    add_impls(p, d);
    if (add_groups(p, d, &s) == 0)
        return false;
    ncats = axis_values(d, VTB__AX_KEY_DIST, cats, 64);
    ncats = ncats > 64 ? 64 : ncats;
    for (size_t k = 0; k < ncats; k++) {
        double sum = 0;
        size_t n = 0;
        char label[48];

        /* Skew sets the hit ratio here: show what it came to on each tick. */
        for (size_t c = 0; c < d->ncells; c++) {
            const struct vtb__report_cell *cell = &d->cells[c];
            double h = cell_hit_ratio(d, cell->index);
            if (vtb__report_cell_in_slice(d, cell, &s) && isfinite(h) &&
                strcmp(cell_axis(d, cell, VTB__AX_KEY_DIST), cats[k]) == 0) {
                sum += h;
                n++;
            }
        }
        if (n > 0)
            snprintf(label, sizeof(label), "%.1f%% hits", 100.0 * sum / (double)n);
        else
            snprintf(label, sizeof(label), " ");
        /* cats is matched against key_dist; the ticks read "zipf:0.9" over
         * "62.9% hits". */
        word_add(&catw, cats[k]);
        word_add_tic(&ticks, cats[k]);
        word_add_tic(&labels, label);
    }
    gp_str(&p->vars, "cats", sb_str(&catw));
    gp_str(&p->vars, "catticks", sb_str(&ticks));
    gp_str(&p->vars, "catlabels", sb_str(&labels));
    sb_free(&catw);
    sb_free(&ticks);
    sb_free(&labels);
    sb_append(&p->vars, "logy=%d; ", wants_log(d, &s, get_ns, 2));
    slice_note(p->note, &s, "mean ns per call against key skew, with the hit ratio it produced");
    return true;
}

/* The two cost ratios of the break-even chart: numerator / denominator. */
static const char *const ratio_pairs[][2] = {
    {"alloc-task", "value-task"},
    {"value-task", "pooled"},
};

static bool plan_break_even(const struct vtb__report_data *d, struct plan *p)
{
    struct vtb__report_slice s;
    struct sbuf nums = {0}, dens = {0}, bcells = {0}, bgroup = {0}, crossx = {0}, crossj = {0},
                gtitles = {0}, gdt = {0};
    const char *series[64];
    size_t nseries = 1, npairs = 0, ngroups = 0;
    char found[VTB_REPORT_NOTE_MAX] = "";

    if (!hit_ratio_swept(d, p->note))
        return false;
    for (size_t k = 0; k < sizeof(ratio_pairs) / sizeof(ratio_pairs[0]); k++) {
        if (!impl_known(d, ratio_pairs[k][0]) || !impl_known(d, ratio_pairs[k][1]))
            continue;
        word_add(&nums, ratio_pairs[k][0]);
        word_add(&dens, ratio_pairs[k][1]);
        npairs++;
    }
    if (npairs == 0) {
        set_note(p->note, "needs alloc-task with value-task, or value-task with pooled, in "
                          "the same run");
        return false;
    }
    vtb__report_slice_init(d, &s, VTB__AX_HIT_RATIO, -1, true);
    series[0] = NULL;
    if (s.series >= 0)
        nseries = axis_values(d, s.series, series, 64);
    nseries = nseries > 64 ? 64 : nseries;

    /* gnuplot joins the rows of each cell itself (stats); it gets the
     * cells of each group sorted by hit ratio so that lines run left to
     * right, and the crossings, which are computed once, here, for both
     * the chart and the break-even claim. */
    for (size_t si = 0; si < nseries; si++) {
        struct ratio_point pts[256];
        unsigned cells[256];
        size_t n = 0;

        for (size_t c = 0; c < d->ncells && n < 256; c++) {
            const struct vtb__report_cell *cell = &d->cells[c];
            if (!vtb__report_cell_in_slice(d, cell, &s) ||
                !isfinite(cell_axis_num(d, cell, VTB__AX_HIT_RATIO)))
                continue;
            if (s.series >= 0 && strcmp(cell_axis(d, cell, s.series), series[si]) != 0)
                continue;
            pts[n].h = cell_axis_num(d, cell, VTB__AX_HIT_RATIO);
            pts[n].ratio = (double)cell->index; /* carried through the sort */
            pts[n].side = 0;
            n++;
        }
        if (n == 0)
            continue;
        qsort(pts, n, sizeof(pts[0]), by_hit_ratio);
        ngroups++;
        for (size_t k = 0; k < n; k++) {
            cells[k] = (unsigned)pts[k].ratio;
            sb_append(&bcells, "%s%u", bcells.len > 0 ? " " : "", cells[k]);
            sb_append(&bgroup, "%s%zu", bgroup.len > 0 ? " " : "", ngroups);
        }
        if (s.series >= 0) {
            char title[160];
            snprintf(title, sizeof(title), "%s=%s", vtb__report_axes[s.series].label,
                     series[si]);
            word_add(&gtitles, title);
        } else {
            word_add(&gtitles, "-");
        }
        sb_append(&gdt, "%s%zu", gdt.len > 0 ? " " : "", si + 1);
        for (size_t j = 0, pair = 0; j < sizeof(ratio_pairs) / sizeof(ratio_pairs[0]); j++) {
            struct vtb__report_crossings x;
            int nx;

            if (!impl_known(d, ratio_pairs[j][0]) || !impl_known(d, ratio_pairs[j][1]))
                continue;
            pair++;
            nx = vtb__report_crossings(d, cells, n, ratio_pairs[j][0], ratio_pairs[j][1], &x);
            for (int k = 0; k < nx; k++) {
                size_t len = strlen(found);
                sb_append(&crossx, "%s%.6g", crossx.len > 0 ? " " : "", x.at[k]);
                sb_append(&crossj, "%s%zu", crossj.len > 0 ? " " : "", pair);
                snprintf(found + len, sizeof(found) - len, "%s%s/%s at %.2f",
                         len > 0 ? ", " : "; crosses 1.0: ", ratio_pairs[j][0],
                         ratio_pairs[j][1], x.at[k]);
            }
        }
    }
    if (ngroups == 0) {
        set_note(p->note, "no complete cells on the hit-ratio axis");
        return false;
    }
    gp_str(&p->vars, "nums", sb_str(&nums));
    gp_str(&p->vars, "dens", sb_str(&dens));
    gp_str(&p->vars, "bcells", sb_str(&bcells));
    gp_str(&p->vars, "bgroup", sb_str(&bgroup));
    gp_str(&p->vars, "crossx", sb_str(&crossx));
    gp_str(&p->vars, "crossj", sb_str(&crossj));
    gp_str(&p->vars, "gtitles", sb_str(&gtitles));
    gp_str(&p->vars, "gdt", sb_str(&gdt));
    sb_append(&p->vars, "ngroups=%zu; ", ngroups);
    {
        char held[VTB_REPORT_NOTE_MAX];
        vtb__report_slice_describe(&s, held, sizeof(held));
        gp_str(&p->vars, "slice", held);
    }
    slice_note(p->note, &s, "ns per call of one implementation over another");
    if (found[0] != '\0') {
        size_t len = strlen(p->note);
        snprintf(p->note + len, sizeof(p->note) - len, "%s", found);
    } else {
        size_t len = strlen(p->note);
        snprintf(p->note + len, sizeof(p->note) - len,
                 "; no ratio crosses 1.0 beyond the noise (95%% CIs)");
    }
    sb_free(&nums);
    sb_free(&dens);
    sb_free(&bcells);
    sb_free(&bgroup);
    sb_free(&crossx);
    sb_free(&crossj);
    sb_free(&gtitles);
    sb_free(&gdt);
    return true;
}

static bool plan_alloc_1m(const struct vtb__report_data *d, struct plan *p)
{
    struct vtb__report_slice s;
    struct sbuf cats = {0}, labels = {0};
    int x = primary_axis(d);
    size_t n = 0;
    bool usable = false, any = false;

    for (size_t r = 0; r < d->nrows; r++) {
        if (d->rows[r].ops > 0 && isfinite(d->rows[r].total_alloc_bytes))
            any = true;
        usable = usable || (d->rows[r].bytes_usable && isfinite(d->rows[r].bytes_per_op));
    }
    if (!any) {
        set_note(p->note, "no row has ops and total_alloc_bytes");
        return false;
    }
    vtb__report_slice_init(d, &s, x, -1, false);
    for (size_t c = 0; c < d->ncells; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];
        char label[160];

        if (!vtb__report_cell_in_slice(d, cell, &s))
            continue;
        if (x >= 0)
            snprintf(label, sizeof(label), "%s", cell_axis(d, cell, x));
        else
            snprintf(label, sizeof(label), "cell %u", cell->index);
        sb_append(&cats, "%s%u", cats.len > 0 ? " " : "", cell->index);
        word_add_tic(&labels, label);
        n++;
    }
    if (n == 0) {
        sb_free(&cats);
        sb_free(&labels);
        set_note(p->note, "no complete cells");
        return false;
    }
    add_impls(p, d);
    gp_str(&p->vars, "cats", sb_str(&cats));
    gp_str(&p->vars, "catlabels", sb_str(&labels));
    gp_str(&p->vars, "bytes_kind", usable ? "jemalloc usable bytes" : "requested bytes");
    gp_str(&p->vars, "xaxis", x >= 0 ? vtb__report_axes[x].label : "cell");
    {
        char held[VTB_REPORT_NOTE_MAX];
        vtb__report_slice_describe(&s, held, sizeof(held));
        gp_str(&p->vars, "slice", held);
    }
    sb_free(&cats);
    sb_free(&labels);
    slice_note(p->note, &s,
               "total_alloc_bytes per repetition scaled to 1,000,000 calls "
               "(x 1,000,000 / ops; MB = 10^6 bytes)");
    return true;
}

/* Chart 8: the open-loop hockey stick, when the run has open-loop cells. */
static bool plan_open_loop(const struct vtb__report_data *d, struct plan *p)
{
    long load_col = vtb_csv_column(&d->results, "load");
    bool any = false;
    for (size_t r = 0; load_col >= 0 && r < d->results.rows && !any; r++)
        any = strncmp(vtb_csv_cell(&d->results, r, (size_t)load_col), "open", 4) == 0;
    if (!any) {
        set_note(p->note, "no open-loop cells (load = open:RATE); see scenarios/open-loop.ini");
        return false;
    }
    add_impls(p, d);
    set_note(p->note, "p99 from each operation's intended start (coordinated omission "
                      "corrected, solid) and from its actual issue (dashed)");
    return true;
}

/* The charts, in report order. name is the template (reports/NAME.gp) and
 * the stem of the files it renders. */
static const struct chart_def {
    const char *name;
    const char *title;
    bool (*plan)(const struct vtb__report_data *d, struct plan *p);
} charts[] = {
    {"ns-per-op", "Time per call versus hit ratio", plan_ns_per_op},
    {"alloc", "Bytes and allocations per call versus hit ratio", plan_alloc},
    {"latency-spectrum", "Latency percentile spectrum, hits and misses", plan_percentiles},
    {"threads", "Throughput versus threads, per cache locking design", plan_threads},
    {"key-skew", "Time per call versus key skew", plan_key_skew},
    {"break-even", "Break-even: cost ratios versus hit ratio", plan_break_even},
    {"alloc-1m", "Megabytes allocated by 1,000,000 calls", plan_alloc_1m},
    {"open-loop", "p99 latency versus offered load (open loop)", plan_open_loop},
};

/* ---- gnuplot ---- */

/* Where the templates are: $VTB_REPORTS_DIR, the source tree this file
 * was built from (CMake passes absolute source paths), or ./reports. */
static int find_templates(char *dir, size_t size, struct vtb_error *err)
{
    const char *env = getenv("VTB_REPORTS_DIR");
    char source[VTB_REPORT_PATH_MAX] = "";
    const char *slash = strrchr(__FILE__, '/');
    const char *candidates[4];
    size_t n = 0;

    if (env != NULL && env[0] != '\0') {
        candidates[n++] = env;
    } else {
        if (slash != NULL && __FILE__[0] == '/')
            snprintf(source, sizeof(source), "%.*s", (int)(slash - __FILE__),
                     __FILE__);
        if (source[0] != '\0')
            candidates[n++] = source;
        candidates[n++] = "reports";
#ifdef VTB_INSTALLED_REPORTS_DIR
        /* Where `cmake --install` puts the templates. */
        candidates[n++] = VTB_INSTALLED_REPORTS_DIR;
#endif
    }
    for (size_t k = 0; k < n; k++) {
        char probe[VTB_REPORT_PATH_MAX + 32];

        snprintf(probe, sizeof(probe), "%s/common.gp", candidates[k]);
        if (access(probe, R_OK) == 0) {
            char resolved[PATH_MAX];
            /* "harness/../reports" reads badly in gnuplot's messages. */
            const char *found = realpath(candidates[k], resolved) != NULL ? resolved
                                                                          : candidates[k];
            if (snprintf(dir, size, "%s", found) >= (int)size)
                return vtb_error_set(err, VTB_ERANGE, "%s: path too long", found);
            return 0;
        }
    }
    return vtb_error_set(err, VTB_EUNSUPPORTED,
                         "cannot find the gnuplot templates (reports/common.gp)%s%s; set "
                         "VTB_REPORTS_DIR to the reports/ directory of the vtbench sources",
                         env != NULL && env[0] != '\0' ? " in VTB_REPORTS_DIR=" : "",
                         env != NULL && env[0] != '\0' ? env : "");
}

static const char *gnuplot_program(void)
{
    const char *env = getenv("VTB_GNUPLOT");
    return env != NULL && env[0] != '\0' ? env : "gnuplot";
}

static int gnuplot_missing(const char *program, struct vtb_error *err)
{
    return vtb_error_set(err, VTB_EUNSUPPORTED,
                         "cannot run gnuplot ('%s' not found%s): install the Debian package "
                         "gnuplot-nox (apt-get install gnuplot-nox), or point VTB_GNUPLOT at "
                         "a gnuplot 5.4 or later",
                         program, strcmp(program, "gnuplot") == 0 ? " on PATH" : "");
}

/*
 * Runs `PROGRAM -e VARS TEMPLATE` with stdin and stdout on /dev/null and
 * stderr captured. The templates are written to be silent, so anything on
 * stderr (a syntax error, "no valid points", a font problem) fails the
 * chart rather than leaving an empty or wrong one behind unnoticed.
 */
static int run_gnuplot(const char *vars, const char *template_path, const char *chart,
                       struct vtb_error *err)
{
    const char *program = gnuplot_program();
    char *argv[] = {(char *)program, (char *)"-e", (char *)vars, (char *)template_path, NULL};
    posix_spawn_file_actions_t actions;
    /* Kept whitespace-collapsed; gnuplot echoes the failing command before
     * the message, so the tail is what matters. */
    char errtext[16384];
    size_t errlen = 0;
    const char *tail;
    int pipefd[2], status, rc;
    pid_t pid;

    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return vtb_error_set(err, VTB_EIO, "cannot create a pipe for gnuplot: %s",
                             strerror(errno));
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDERR_FILENO);
    rc = posix_spawnp(&pid, program, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        if (rc == ENOENT || rc == ENOTDIR || rc == EACCES)
            return gnuplot_missing(program, err);
        return vtb_error_set(err, VTB_EIO, "cannot start %s: %s", program, strerror(rc));
    }
    for (;;) {
        char chunk[512];
        ssize_t got = read(pipefd[0], chunk, sizeof(chunk));

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        for (ssize_t k = 0; k < got && errlen + 1 < sizeof(errtext); k++) {
            bool space = chunk[k] == ' ' || chunk[k] == '\n' || chunk[k] == '\t' ||
                         chunk[k] == '\r';
            if (space && (errlen == 0 || errtext[errlen - 1] == ' '))
                continue;
            errtext[errlen++] = space ? ' ' : chunk[k];
        }
    }
    errtext[errlen] = '\0';
    if (errlen > 300)
        memcpy(errtext + errlen - 300, "...", 3);
    tail = errlen > 300 ? errtext + errlen - 300 : errtext;
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return vtb_error_set(err, VTB_EIO, "waiting for gnuplot: %s", strerror(errno));
    }
    /* 127 is what a child reports when it could not exec at all. */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && errlen == 0)
        return gnuplot_missing(program, err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return vtb_error_set(err, VTB_EIO, "gnuplot failed on chart %s (%s %d): %s", chart,
                             WIFEXITED(status) ? "exit status" : "signal",
                             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                             errlen > 0 ? tail : "(nothing on stderr)");
    if (errlen > 0)
        return vtb_error_set(err, VTB_EIO, "gnuplot complained about chart %s: %s", chart,
                             tail);
    return 0;
}

/*
 * Renders one chart into out_dir/NAME.EXT: the atomic file reserves
 * NAME.EXT.tmp, gnuplot writes into it, and it is renamed into place only
 * when gnuplot succeeded and wrote something.
 */
static int render(const char *templates, const char *out_dir, const struct chart_def *chart,
                  const struct vtb__report_data *d, const struct plan *p, const char *ext,
                  struct vtb_error *err)
{
    struct vtb_atomic_file af = {0};
    struct sbuf vars = {0};
    char name[64], template_path[VTB_REPORT_PATH_MAX + 64], path[VTB_REPORT_PATH_MAX + 64];
    struct stat st;
    int rc;

    snprintf(name, sizeof(name), "%s.%s", chart->name, ext);
    snprintf(template_path, sizeof(template_path), "%s/%s.gp", templates, chart->name);
    if (access(template_path, R_OK) != 0)
        return vtb_error_set(err, VTB_EUNSUPPORTED, "%s: missing chart template",
                             template_path);
    rc = vtb_atomic_file_open(&af, out_dir, name, err);
    if (rc != 0)
        return rc;

    snprintf(path, sizeof(path), "%s/common.gp", templates);
    gp_str(&vars, "common", path);
    gp_str(&vars, "term", ext);
    gp_str(&vars, "out", af.tmp_path);
    snprintf(path, sizeof(path), "%s/results.csv", d->run_dir);
    gp_str(&vars, "datafile", path);
    snprintf(path, sizeof(path), "%s/percentiles.csv", d->run_dir);
    gp_str(&vars, "pctfile", path);
    gp_str(&vars, "scenario", d->scenario);
    sb_append(&vars, "%s", sb_str(&p->vars));
    if (vars.failed) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        goto out_abort;
    }
    rc = run_gnuplot(sb_str(&vars), template_path, chart->name, err);
    if (rc != 0)
        goto out_abort;
    rc = vtb_atomic_file_close(&af, err);
    if (rc != 0)
        goto out_abort;
    if (stat(af.tmp_path, &st) != 0 || st.st_size == 0) {
        rc = vtb_error_set(err, VTB_EIO, "gnuplot wrote nothing into %s", af.tmp_path);
        goto out_abort;
    }
    rc = vtb_atomic_file_publish(&af, err);
    sb_free(&vars);
    return rc;

out_abort:
    vtb_atomic_file_abort(&af);
    sb_free(&vars);
    return rc;
}

/* Removes what an earlier report drew for a chart that is skipped now. */
static void remove_stale(const char *out_dir, const char *name)
{
    static const char *const exts[] = {"svg", "png"};
    char path[VTB_REPORT_PATH_MAX + 64];

    for (size_t k = 0; k < sizeof(exts) / sizeof(exts[0]); k++) {
        snprintf(path, sizeof(path), "%s/%s.%s", out_dir, name, exts[k]);
        unlink(path);
    }
}

/* mkdir -p: creates dir and any missing parent. Returns 0 or -1 (errno). */
static int make_dirs(const char *dir)
{
    char path[VTB_REPORT_PATH_MAX];

    snprintf(path, sizeof(path), "%s", dir);
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int vtb_report_generate(const char *run_dir, const char *out_dir,
                        struct vtb_report_outcome *outcome, struct vtb_error *err)
{
    struct vtb__report_data d;
    char templates[VTB_REPORT_PATH_MAX];
    int rc;

    if (run_dir == NULL || outcome == NULL)
        return vtb_error_set(err, VTB_EINVAL, "vtb_report_generate: NULL argument");
    memset(outcome, 0, sizeof(*outcome));
    if (out_dir != NULL)
        rc = snprintf(outcome->out_dir, sizeof(outcome->out_dir), "%s", out_dir);
    else
        rc = snprintf(outcome->out_dir, sizeof(outcome->out_dir), "%s/report", run_dir);
    if (rc < 0 || (size_t)rc >= sizeof(outcome->out_dir) - 64)
        return vtb_error_set(err, VTB_ERANGE, "%s: output path too long", run_dir);
    if (snprintf(outcome->report_md, sizeof(outcome->report_md), "%s/report.md",
                 outcome->out_dir) >= (int)sizeof(outcome->report_md))
        return vtb_error_set(err, VTB_ERANGE, "%s: output path too long", outcome->out_dir);

    rc = find_templates(templates, sizeof(templates), err);
    if (rc != 0)
        return rc;
    rc = data_load(&d, run_dir, err);
    if (rc != 0)
        return rc;
    if (make_dirs(outcome->out_dir) != 0) {
        rc = vtb_error_set(err, VTB_EIO, "%s: cannot create the report directory: %s",
                           outcome->out_dir, strerror(errno));
        goto out_fini;
    }

    for (size_t k = 0; k < sizeof(charts) / sizeof(charts[0]); k++) {
        struct vtb_report_chart *c = &outcome->charts[outcome->chart_count++];
        struct plan p;

        memset(&p, 0, sizeof(p));
        c->name = charts[k].name;
        c->title = charts[k].title;
        c->drawn = charts[k].plan(&d, &p);
        snprintf(c->note, sizeof(c->note), "%s", p.note);
        if (p.vars.failed) {
            sb_free(&p.vars);
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
            goto out_fini;
        }
        if (c->drawn) {
            rc = render(templates, outcome->out_dir, &charts[k], &d, &p, "svg", err);
            if (rc == 0)
                rc = render(templates, outcome->out_dir, &charts[k], &d, &p, "png", err);
            outcome->drawn++;
        } else {
            remove_stale(outcome->out_dir, c->name);
            outcome->skipped++;
        }
        sb_free(&p.vars);
        if (rc != 0)
            goto out_fini;
    }
    rc = vtb__report_md_write(&d, outcome, err);

out_fini:
    data_fini(&d);
    return rc;
}
