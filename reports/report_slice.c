/*
 * Slices, pairs and crossings (see report_slice.h). Both the charts and the
 * claims read the run through a slice, so a claim's verdict and the chart
 * beside it in report.md are computed from the same cells; the ratio of
 * two implementations is always the paired one (the rounds measured them
 * interleaved, so the machine's drift cancels in it), never a quotient of
 * two separate means or an overlap of their intervals; and the crossings
 * of the break-even chart are computed here once for both.
 */
#include "report_slice.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtb/error.h"

/* Cells and points considered for one claim or one line of a chart. */
#define MAX_POINTS 256

void vtb__report_slice_init(const struct vtb__report_data *d, struct vtb__report_slice *s,
                            int x, int panel, bool allow_series)
{
    memset(s, 0, sizeof(*s));
    s->x = x;
    s->panel = panel;
    s->series = -1;
    for (int a = 0; a < VTB_AXIS_COUNT; a++) {
        size_t n;

        if (a == x || a == panel)
            continue;
        n = vtb__report_axis_distinct(d, a);
        if (n <= 1)
            continue;
        if (allow_series && s->series < 0 && n <= VTB__REPORT_MAX_SERIES_VALUES)
            s->series = a;
        else
            s->fixed[a] = vtb__report_preferred_value(d, a);
    }
}

void vtb__report_slice_describe(const struct vtb__report_slice *s, char *buf, size_t size)
{
    size_t len = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    for (int a = 0; a < VTB_AXIS_COUNT; a++) {
        int n;

        if (s->fixed[a] == NULL)
            continue;
        n = snprintf(buf + len, size - len, "%s%s=%s", len > 0 ? ", " : "",
                     vtb__report_axis_label(a), s->fixed[a]);
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
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        if (s->fixed[a] != NULL && strcmp(vtb__report_cell_axis(d, c, a), s->fixed[a]) != 0)
            return false;
    return true;
}

size_t vtb__report_slice_cells(const struct vtb__report_data *d,
                               const struct vtb__report_slice *s, const char *series_value,
                               unsigned *cells, size_t max)
{
    size_t n = 0;

    for (size_t c = 0; c < d->ncells && n < max; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];

        if (!vtb__report_cell_in_slice(d, cell, s) ||
            !isfinite(vtb__report_cell_axis_num(d, cell, VTB_AXIS_hit_ratio)))
            continue;
        if (series_value != NULL &&
            strcmp(vtb__report_cell_axis(d, cell, s->series), series_value) != 0)
            continue;
        cells[n++] = cell->index;
    }
    return n;
}

size_t vtb__report_claim_cells(const struct vtb__report_data *d, unsigned *cells, size_t max)
{
    struct vtb__report_slice s;

    vtb__report_slice_init(d, &s, VTB_AXIS_hit_ratio, -1, false);
    return vtb__report_slice_cells(d, &s, NULL, cells, max);
}

const struct vtb__report_row *vtb__report_claim_row(const struct vtb__report_data *d,
                                                    const char *impl, double h)
{
    unsigned cells[MAX_POINTS];
    size_t n = vtb__report_claim_cells(d, cells, MAX_POINTS);

    for (size_t k = 0; k < n; k++) {
        const struct vtb__report_row *row = vtb__report_row_of(d, cells[k], impl);
        if (row != NULL && fabs(row->axis_num[VTB_AXIS_hit_ratio] - h) < 1e-9)
            return row;
    }
    return NULL;
}

/* ---- Crossings ---- */

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

/* The ratio of den to num: the inverse of out, with the difference negated. */
static void invert(struct vtb_ratio *r)
{
    double lo = r->ci_low, dlo = r->diff_ci_low;

    r->ratio = 1.0 / r->ratio;
    r->ci_low = 1.0 / r->ci_high;
    r->ci_high = 1.0 / lo;
    r->diff = -r->diff;
    r->diff_ci_low = -r->diff_ci_high;
    r->diff_ci_high = -dlo;
}

/* The pair from the ratio columns of row (whose ratio_to is the other). */
static bool from_columns(const struct vtb__report_row *row, struct vtb_ratio *out)
{
    if (!isfinite(row->ratio) || !isfinite(row->ratio_low) || !isfinite(row->ratio_high))
        return false;
    out->n = isfinite(row->repetitions) && row->repetitions > 0 ? (size_t)row->repetitions : 0;
    out->ratio = row->ratio;
    out->ci_low = row->ratio_low;
    out->ci_high = row->ratio_high;
    out->half_width = NAN;
    out->diff = row->ns_saved;
    out->diff_ci_low = row->ns_saved_low;
    out->diff_ci_high = row->ns_saved_high;
    return true;
}

/* Most rounds one pair is computed from (repetitions are at most 1000). */
#define MAX_ROUNDS 1024

/* The per-round ns per operation of impl in cell from samples.csv, by
 * repetition number; use[] is false for rounds left out (and absent ones). */
static void rounds_of(const struct vtb__report_data *d, unsigned cell, const char *impl,
                      double *ns, bool *use)
{
    const struct vtb_csv_table *t = d->samples;
    long cc = vtb_csv_column(t, "cell_index"), ic = vtb_csv_column(t, "impl");
    long rc = vtb_csv_column(t, "repetition"), nc = vtb_csv_column(t, "ns_per_op");
    long uc = vtb_csv_column(t, "used");
    char want[16];

    for (size_t k = 0; k < MAX_ROUNDS; k++) {
        ns[k] = NAN;
        use[k] = false;
    }
    if (cc < 0 || ic < 0 || rc < 0 || nc < 0)
        return;
    snprintf(want, sizeof(want), "%u", cell);
    for (size_t r = 0; r < t->rows; r++) {
        double rep = strtod(vtb_csv_cell(t, r, (size_t)rc), NULL);

        if (strcmp(vtb_csv_cell(t, r, (size_t)cc), want) != 0 ||
            strcmp(vtb_csv_cell(t, r, (size_t)ic), impl) != 0 || !(rep >= 0) ||
            rep >= MAX_ROUNDS)
            continue;
        ns[(size_t)rep] = strtod(vtb_csv_cell(t, r, (size_t)nc), NULL);
        use[(size_t)rep] = uc < 0 || strcmp(vtb_csv_cell(t, r, (size_t)uc), "false") != 0;
    }
}

/* The pair from samples.csv, round by round. */
static bool from_rounds(const struct vtb__report_data *d, unsigned cell, const char *num,
                        const char *den, struct vtb_ratio *out)
{
    double a[MAX_ROUNDS], b[MAX_ROUNDS];
    bool ua[MAX_ROUNDS], ub[MAX_ROUNDS];

    if (!d->has_samples)
        return false;
    rounds_of(d, cell, num, a, ua);
    rounds_of(d, cell, den, b, ub);
    for (size_t k = 0; k < MAX_ROUNDS; k++)
        ua[k] = ua[k] && ub[k];
    return vtb_ratio_paired(a, b, ua, MAX_ROUNDS, out) == 0;
}

bool vtb__report_pair(const struct vtb__report_data *d, unsigned cell, const char *num,
                      const char *den, struct vtb_ratio *out)
{
    const struct vtb__report_row *a = vtb__report_row_of(d, cell, num);
    const struct vtb__report_row *b = vtb__report_row_of(d, cell, den);

    memset(out, 0, sizeof(*out));
    out->ratio = out->ci_low = out->ci_high = out->half_width = NAN;
    out->diff = out->diff_ci_low = out->diff_ci_high = NAN;
    if (a == NULL || b == NULL)
        return false;
    if (strcmp(a->ratio_to, den) == 0 && from_columns(a, out))
        return true;
    if (strcmp(b->ratio_to, num) == 0 && from_columns(b, out)) {
        invert(out);
        return true;
    }
    return from_rounds(d, cell, num, den, out);
}

/* The points of num/den over the cells listed, counted into out. */
static size_t ratio_points(const struct vtb__report_data *d, const unsigned *cells,
                           size_t ncells, const char *num, const char *den,
                           struct ratio_point *pts, struct vtb__report_crossings *out)
{
    size_t n = 0;

    for (size_t k = 0; k < ncells && n < MAX_POINTS; k++) {
        const struct vtb__report_cell *c = vtb__report_cell_by_index(d, cells[k]);
        struct vtb_ratio r;

        if (c == NULL || !isfinite(vtb__report_cell_axis_num(d, c, VTB_AXIS_hit_ratio)) ||
            !vtb__report_pair(d, cells[k], num, den, &r))
            continue;
        pts[n].h = vtb__report_cell_axis_num(d, c, VTB_AXIS_hit_ratio);
        pts[n].ratio = r.ratio;
        pts[n].side = r.n >= 2 && r.ci_low > 1 ? 1 : r.n >= 2 && r.ci_high < 1 ? -1 : 0;
        out->above += pts[n].side > 0;
        out->below += pts[n].side < 0;
        n++;
    }
    return n;
}

int vtb__report_crossings(const struct vtb__report_data *d, const unsigned *cells, size_t ncells,
                          const char *num, const char *den, struct vtb__report_crossings *out)
{
    struct ratio_point pts[MAX_POINTS];
    size_t n, last_sig = 0;
    bool have_sig = false;
    int crossings = 0;

    memset(out, 0, sizeof(*out));
    out->min_ratio = out->max_ratio = out->min_at = out->max_at = NAN;
    n = ratio_points(d, cells, ncells, num, den, pts, out);
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

double vtb__report_differs_from(const struct vtb__report_data *d, const unsigned *cells,
                                size_t ncells, const char *num, const char *den)
{
    struct ratio_point pts[MAX_POINTS];
    struct vtb__report_crossings unused;
    size_t n;
    double from = NAN;

    memset(&unused, 0, sizeof(unused));
    n = ratio_points(d, cells, ncells, num, den, pts, &unused);
    qsort(pts, n, sizeof(pts[0]), by_hit_ratio);
    for (size_t k = n; k-- > 0 && pts[k].side != 0;)
        from = pts[k].h;
    return from;
}
