/*
 * The cost charts (see charts.h): what one call costs in time and in
 * allocation against the hit ratio, the cost ratios whose crossing of 1.0
 * is the articles' break-even rule, and the megabytes allocated by the
 * articles' 1,000,000 calls. These are the charts the articles' claims are
 * about, drawn from the same slices as the claims.
 */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"

/* Cells on one line of the break-even chart. */
#define MAX_LINE_CELLS 256

/* Series values considered. */
#define MAX_VALUES 64

bool vtb__chart_plan_ns_per_op(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    struct vtb__report_slice s;

    if (!vtb__chart_hit_ratio_swept(d, p->note))
        return false;
    vtb__report_slice_init(d, &s, VTB_AXIS_hit_ratio, -1, true);
    vtb__chart_impls(p, d);
    if (vtb__chart_groups(p, d, &s) == 0)
        return false;
    vtb__chart_slice_note(p->note, &s,
                          "mean ns per call of each implementation with its 95% confidence "
                          "interval, on a log scale (hits and misses differ by orders of "
                          "magnitude)");
    vtb__chart_precision_note(p->note, d, &s);
    return true;
}

/* Whether the run's bytes are jemalloc's usable sizes (else only the sizes
 * requested from malloc are known). */
static bool bytes_usable(const struct vtb__report_data *d)
{
    for (size_t r = 0; r < d->nrows; r++)
        if (isfinite(d->rows[r].bytes_per_op) && d->rows[r].bytes_usable)
            return true;
    return false;
}

bool vtb__chart_plan_alloc(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    struct vtb__report_slice s;
    bool usable;

    if (!vtb__chart_hit_ratio_swept(d, p->note))
        return false;
    usable = bytes_usable(d);
    vtb__report_slice_init(d, &s, VTB_AXIS_hit_ratio, -1, true);
    vtb__chart_impls(p, d);
    if (vtb__chart_groups(p, d, &s) == 0)
        return false;
    vtb__gp_var(&p->vars, "bytes_col", usable ? "bytes_per_op" : "requested_bytes_per_op");
    vtb__gp_var(&p->vars, "bytes_label",
                usable ? "bytes allocated per call (jemalloc usable size)"
                       : "bytes requested per call (no jemalloc: requested sizes)");
    vtb__chart_slice_note(p->note, &s,
                          usable ? "bytes per call as jemalloc hands them out (size classes), "
                                   "and allocations per call, both counted exactly (no "
                                   "interval; lines of equal counts lie on one another)"
                                 : "bytes per call as requested from malloc (no jemalloc "
                                   "statistics), and allocations per call, both counted "
                                   "exactly (no interval; lines of equal counts lie on one "
                                   "another)");
    return true;
}

/* ---- Simulated versus real misses ---- */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Passes hcats: the distinct hit ratio targets of the cells of s, in
 * increasing order, for an x axis of evenly spaced categories. */
static void hit_ratio_categories(struct vtb__chart_plan *p, const struct vtb__report_data *d,
                                 const struct vtb__report_slice *s)
{
    double h[MAX_VALUES];
    size_t n = 0;
    struct vtb__gp_text list = {0};

    for (size_t c = 0; c < d->ncells && n < MAX_VALUES; c++) {
        double x = vtb__report_cell_axis_num(d, &d->cells[c], VTB_AXIS_hit_ratio);
        bool seen = false;

        if (!vtb__report_cell_in_slice(d, &d->cells[c], s) || !isfinite(x))
            continue;
        for (size_t k = 0; k < n && !seen; k++)
            seen = h[k] == x;
        if (!seen)
            h[n++] = x;
    }
    qsort(h, n, sizeof(h[0]), by_value);
    for (size_t k = 0; k < n; k++)
        vtb__gp_append(&list, "%s%.9g", k > 0 ? " " : "", h[k]);
    vtb__gp_var(&p->vars, "hcats", vtb__gp_str(&list));
    p->vars.failed = p->vars.failed || list.failed;
    vtb__gp_free(&list);
}

bool vtb__chart_plan_backend(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    int b = vtb__report_axis_named("backend");
    struct vtb__report_slice s;

    if (b < 0 || vtb__report_axis_distinct(d, b) < 2) {
        vtb__chart_note(p->note, "this run measures one backend; a sweep of backend = sim, "
                                 "redis compares simulated and real misses");
        return false;
    }
    if (!vtb__chart_hit_ratio_swept(d, p->note))
        return false;
    /* The backend is the series, whatever else varies: it is what the
     * chart is about. */
    vtb__report_slice_init(d, &s, VTB_AXIS_hit_ratio, -1, false);
    s.series = b;
    s.fixed[b] = NULL;
    vtb__chart_impls(p, d);
    if (vtb__chart_groups(p, d, &s) == 0)
        return false;
    hit_ratio_categories(p, d, &s);
    vtb__chart_slice_note(p->note, &s,
                          "mean ns per call with its 95% interval (left) and p99 latency of "
                          "all calls (right; from one histogram of all rounds, no interval), "
                          "both log scale, against the hit ratios measured, evenly spaced (a "
                          "real miss matters up to 0.99 and beyond)");
    vtb__chart_precision_note(p->note, d, &s);
    return true;
}

/* ---- Break-even ---- */

/* The two cost ratios of the break-even chart: numerator / denominator. */
static const char *const ratio_pairs[][2] = {
    {"alloc-task", "value-task"},
    {"value-task", "pooled"},
};
#define NPAIRS (sizeof(ratio_pairs) / sizeof(ratio_pairs[0]))

/* What the break-even chart passes, built line by line. */
struct break_even {
    struct vtb__gp_text nums, dens, crossx, crossj, gtitles, gdt;
    size_t ngroups;
    char found[VTB_REPORT_NOTE_MAX]; /* "; crosses 1.0: a/b at 0.70, ..." */
    char sides[VTB_REPORT_NOTE_MAX]; /* "; alloc-task/value-task above 1 at 6 of 8 ..." */
};

static void break_even_free(struct break_even *be)
{
    vtb__gp_free(&be->nums);
    vtb__gp_free(&be->dens);
    vtb__gp_free(&be->crossx);
    vtb__gp_free(&be->crossj);
    vtb__gp_free(&be->gtitles);
    vtb__gp_free(&be->gdt);
}

static bool pair_ran(const struct vtb__report_data *d, size_t j)
{
    return vtb__report_impl_known(d, ratio_pairs[j][0]) &&
           vtb__report_impl_known(d, ratio_pairs[j][1]);
}

/* Sorts cells by hit ratio target, keeping cell order among equals, so
 * that lines run left to right. */
static void sort_by_hit_ratio(const struct vtb__report_data *d, unsigned *cells, size_t n)
{
    double h[MAX_LINE_CELLS];

    for (size_t k = 0; k < n; k++)
        h[k] = vtb__report_cell_axis_num(d, vtb__report_cell_by_index(d, cells[k]),
                                         VTB_AXIS_hit_ratio);
    for (size_t k = 1; k < n; k++) {
        unsigned c = cells[k];
        double hk = h[k];
        size_t j = k;

        for (; j > 0 && h[j - 1] > hk; j--) {
            cells[j] = cells[j - 1];
            h[j] = h[j - 1];
        }
        cells[j] = c;
        h[j] = hk;
    }
}

/* The rows of one pair over one line's cells in the chart's table:
 * group, pair, hit ratio, the paired ratio and ns saved with their 95%
 * intervals, and whether the cell reached its precision. */
static void add_pair_rows(struct vtb__chart_plan *p, const struct vtb__report_data *d,
                          const unsigned *cells, size_t n, size_t group, size_t j, size_t pair)
{
    for (size_t k = 0; k < n; k++) {
        const struct vtb__report_cell *c = vtb__report_cell_by_index(d, cells[k]);
        struct vtb_ratio r;

        if (!vtb__report_pair(d, cells[k], ratio_pairs[j][0], ratio_pairs[j][1], &r))
            continue;
        vtb__gp_append(&p->table, "%zu,%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%zu,%s\r\n", group,
                       pair, vtb__report_cell_axis_num(d, c, VTB_AXIS_hit_ratio), r.ratio,
                       r.ci_low, r.ci_high, r.diff, r.diff_ci_low, r.diff_ci_high, r.n,
                       vtb__report_cell_imprecise(d, cells[k]) ? "false" : "true");
    }
}

/* The crossings of every ratio that ran over one line's cells, and how
 * many of its points lie beyond 1 either way, computed here once for both
 * the chart and its note. */
static void add_crossings(struct break_even *be, struct vtb__chart_plan *p,
                          const struct vtb__report_data *d, const unsigned *cells, size_t n)
{
    for (size_t j = 0, pair = 0; j < NPAIRS; j++) {
        struct vtb__report_crossings x;
        int nx;

        if (!pair_ran(d, j))
            continue;
        pair++;
        add_pair_rows(p, d, cells, n, be->ngroups, j, pair);
        nx = vtb__report_crossings(d, cells, n, ratio_pairs[j][0], ratio_pairs[j][1], &x);
        if (nx >= 0) {
            size_t len = strlen(be->sides);
            snprintf(be->sides + len, sizeof(be->sides) - len,
                     "; %s/%s above 1 beyond its interval at %zu of %zu hit ratios, below at "
                     "%zu", ratio_pairs[j][0], ratio_pairs[j][1], x.above, x.points, x.below);
        }
        for (int k = 0; k < nx; k++) {
            size_t len = strlen(be->found);

            vtb__gp_append(&be->crossx, "%s%.6g", be->crossx.len > 0 ? " " : "", x.at[k]);
            vtb__gp_append(&be->crossj, "%s%zu", be->crossj.len > 0 ? " " : "", pair);
            snprintf(be->found + len, sizeof(be->found) - len, "%s%s/%s at %.2f",
                     len > 0 ? ", " : "; crosses 1.0: ", ratio_pairs[j][0], ratio_pairs[j][1],
                     x.at[k]);
        }
    }
}

/* One line style: the cells of s at series value (NULL: no series axis),
 * the si-th value. */
static void add_line(struct break_even *be, struct vtb__chart_plan *p,
                     const struct vtb__report_data *d, const struct vtb__report_slice *s,
                     const char *value, size_t si)
{
    unsigned cells[MAX_LINE_CELLS];
    size_t n = vtb__report_slice_cells(d, s, value, cells, MAX_LINE_CELLS);
    char title[160];

    if (n == 0)
        return;
    sort_by_hit_ratio(d, cells, n);
    be->ngroups++;
    vtb__chart_axis_title(title, sizeof(title), s->series, value);
    vtb__gp_word(&be->gtitles, title);
    vtb__gp_append(&be->gdt, "%s%zu", be->gdt.len > 0 ? " " : "", si + 1);
    add_crossings(be, p, d, cells, n);
}

static void break_even_vars(struct vtb__chart_plan *p, const struct break_even *be,
                            const struct vtb__report_slice *s)
{
    const struct vtb__gp_text *lists[] = {&be->nums,   &be->dens,    &be->crossx,
                                          &be->crossj, &be->gtitles, &be->gdt};
    static const char *const names[] = {"nums", "dens", "crossx", "crossj", "gtitles", "gdt"};

    for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
        vtb__gp_var(&p->vars, names[k], vtb__gp_str(lists[k]));
        p->vars.failed = p->vars.failed || lists[k]->failed;
    }
    vtb__gp_append(&p->vars, "ngroups=%zu; ", be->ngroups);
    vtb__chart_slice_var(p, s);
}

bool vtb__chart_plan_break_even(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    struct vtb__report_slice s;
    struct break_even be;
    const char *series[MAX_VALUES];
    size_t nseries = 1, npairs = 0;

    if (!vtb__chart_hit_ratio_swept(d, p->note))
        return false;
    memset(&be, 0, sizeof(be));
    for (size_t j = 0; j < NPAIRS; j++) {
        if (!pair_ran(d, j))
            continue;
        vtb__gp_word(&be.nums, ratio_pairs[j][0]);
        vtb__gp_word(&be.dens, ratio_pairs[j][1]);
        npairs++;
    }
    vtb__report_slice_init(d, &s, VTB_AXIS_hit_ratio, -1, true);
    series[0] = NULL;
    if (s.series >= 0)
        nseries = vtb__report_axis_values(d, s.series, series, MAX_VALUES);
    nseries = nseries > MAX_VALUES ? MAX_VALUES : nseries;
    vtb__gp_append(&p->table, "group,pair,hit_ratio,ratio,ratio_ci_low,ratio_ci_high,"
                              "ns_saved_per_op,ns_saved_ci_low,ns_saved_ci_high,rounds,"
                              "precision_reached\r\n");
    for (size_t si = 0; si < nseries && npairs > 0; si++)
        add_line(&be, p, d, &s, series[si], si);

    if (npairs == 0)
        vtb__chart_note(p->note, "needs alloc-task with value-task, or value-task with pooled, "
                                 "in the same run");
    else if (be.ngroups == 0)
        vtb__chart_note(p->note, "no complete cells on the hit-ratio axis");
    if (npairs == 0 || be.ngroups == 0) {
        break_even_free(&be);
        return false;
    }
    break_even_vars(p, &be, &s);
    vtb__chart_slice_note(p->note, &s,
                          "paired ratio of ns per call (left, log scale) and ns saved per call "
                          "by the second of each pair (right), each with its 95% interval as a "
                          "band; the figures are in break-even.csv");
    vtb__chart_note_append(p->note, "%s", be.sides);
    if (be.found[0] != '\0')
        vtb__chart_note_append(p->note, "%s", be.found);
    else
        vtb__chart_note_append(p->note, "; no ratio crosses 1.0 beyond the noise");
    break_even_free(&be);
    return true;
}

/* ---- Megabytes per 1,000,000 calls ---- */

/* True when some row can be scaled to 1,000,000 calls; *usable says
 * whether bytes are jemalloc's usable sizes. */
static bool has_totals(const struct vtb__report_data *d, bool *usable)
{
    bool any = false;

    *usable = false;
    for (size_t r = 0; r < d->nrows; r++) {
        if (d->rows[r].ops > 0 && isfinite(d->rows[r].total_alloc_bytes))
            any = true;
        *usable = *usable || (d->rows[r].bytes_usable && isfinite(d->rows[r].bytes_per_op));
    }
    return any;
}

/* The index (from 1) of impl in the run, or 0. */
static size_t impl_index(const struct vtb__report_data *d, const char *impl)
{
    for (size_t i = 0; i < d->nimpls; i++)
        if (strcmp(d->impls[i], impl) == 0)
            return i + 1;
    return 0;
}

/* The articles' and the primary sources' totals (claims.h) as markers on
 * the bars they are about: category k (from 1) of cell cats[k-1] when its
 * hit ratio is the figure's, implementation i. */
static void alloc_1m_markers(struct vtb__chart_plan *p, const struct vtb__report_data *d,
                             const unsigned *cats, size_t ncats)
{
    struct vtb__claim_marker marks[16];
    size_t nmarks = vtb__claim_markers(marks, 16), drawn = 0;
    struct vtb__gp_text mk = {0}, mi = {0}, mmb = {0}, msrc = {0};

    for (size_t m = 0; m < nmarks; m++) {
        size_t i = impl_index(d, marks[m].impl);

        for (size_t k = 0; k < ncats && i > 0; k++) {
            const struct vtb__report_cell *c = vtb__report_cell_by_index(d, cats[k]);
            if (fabs(vtb__report_cell_axis_num(d, c, VTB_AXIS_hit_ratio) - marks[m].hit_ratio) >
                1e-9)
                continue;
            vtb__gp_append(&mk, "%s%zu", mk.len > 0 ? " " : "", k + 1);
            vtb__gp_append(&mi, "%s%zu", mi.len > 0 ? " " : "", i);
            vtb__gp_append(&mmb, "%s%.6g", mmb.len > 0 ? " " : "", marks[m].mb);
            vtb__gp_append(&msrc, "%s%d", msrc.len > 0 ? " " : "",
                           strcmp(marks[m].source, "articles") == 0 ? 1 : 2);
            drawn++;
        }
    }
    vtb__gp_var(&p->vars, "mk", vtb__gp_str(&mk));
    vtb__gp_var(&p->vars, "mi", vtb__gp_str(&mi));
    vtb__gp_var(&p->vars, "mmb", vtb__gp_str(&mmb));
    vtb__gp_var(&p->vars, "msrc", vtb__gp_str(&msrc));
    p->vars.failed = p->vars.failed || mk.failed || mi.failed || mmb.failed || msrc.failed;
    vtb__gp_free(&mk);
    vtb__gp_free(&mi);
    vtb__gp_free(&mmb);
    vtb__gp_free(&msrc);
    if (drawn > 0)
        vtb__chart_note_append(p->note, "; markers: the articles' totals (open diamonds) and "
                                        "those that follow from the primary sources' object "
                                        "sizes (crosses), at the hit ratios they are given for");
    else
        vtb__chart_note_append(p->note, "; the articles' totals (at hit ratios 0.8 and 1) "
                                        "have no bar here to be drawn on");
}

bool vtb__chart_plan_alloc_1m(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    struct vtb__report_slice s;
    struct vtb__gp_text cats = {0}, labels = {0};
    unsigned cells[MAX_VALUES];
    int x = vtb__report_primary_axis(d);
    size_t n = 0;
    bool usable;

    if (!has_totals(d, &usable)) {
        vtb__chart_note(p->note, "no row has ops and total_alloc_bytes");
        return false;
    }
    /* One bar group per cell along the primary axis, the rest held. */
    vtb__report_slice_init(d, &s, x, -1, false);
    for (size_t c = 0; c < d->ncells && n < MAX_VALUES; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];
        char label[160];

        if (!vtb__report_cell_in_slice(d, cell, &s))
            continue;
        if (x >= 0)
            snprintf(label, sizeof(label), "%s", vtb__report_cell_axis(d, cell, x));
        else
            snprintf(label, sizeof(label), "cell %u", cell->index);
        vtb__gp_append(&cats, "%s%u", cats.len > 0 ? " " : "", cell->index);
        vtb__gp_tic_word(&labels, label);
        cells[n++] = cell->index;
    }
    if (n > 0) {
        vtb__chart_impls(p, d);
        vtb__gp_var(&p->vars, "cats", vtb__gp_str(&cats));
        vtb__gp_var(&p->vars, "catlabels", vtb__gp_str(&labels));
        vtb__gp_var(&p->vars, "bytes_kind", usable ? "jemalloc usable bytes" : "requested bytes");
        vtb__gp_var(&p->vars, "xaxis", x >= 0 ? vtb__report_axis_label(x) : "cell");
        vtb__chart_slice_var(p, &s);
        p->vars.failed = p->vars.failed || cats.failed || labels.failed;
        vtb__chart_slice_note(p->note, &s,
                              "total_alloc_bytes per repetition scaled to 1,000,000 calls "
                              "(x 1,000,000 / ops; MB = 10^6 bytes), counted exactly (no "
                              "interval)");
        if (x == VTB_AXIS_hit_ratio)
            alloc_1m_markers(p, d, cells, n);
        else
            vtb__gp_append(&p->vars, "mk=''; mi=''; mmb=''; msrc=''; ");
    } else {
        vtb__chart_note(p->note, "no complete cells");
    }
    vtb__gp_free(&cats);
    vtb__gp_free(&labels);
    return n > 0;
}
