/*
 * The scaling charts (see charts.h): how the cost moves as the load on the
 * cache grows: more threads (throughput, per cache locking design), more
 * skewed keys (which in emergent mode set the hit ratio), and more offered
 * requests per second (the open-loop p99, coordinated omission corrected).
 */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Key distributions considered. */
#define MAX_VALUES 64

bool vtb__chart_plan_threads(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    struct vtb__report_slice s;
    int panel = vtb__report_axis_distinct(d, VTB__AX_CACHE_LOCK) >= 2 ? VTB__AX_CACHE_LOCK : -1;

    if (vtb__report_axis_distinct(d, VTB__AX_THREADS) < 2) {
        vtb__chart_note(p->note, "this run uses a single thread count; a threads sweep is "
                                 "needed");
        return false;
    }
    vtb__report_slice_init(d, &s, VTB__AX_THREADS, panel, false);
    vtb__chart_impls(p, d);
    if (vtb__chart_groups(p, d, &s) == 0)
        return false;
    vtb__gp_append(&p->vars, "logy=%d; ", vtb__chart_log_y(d, &s, VTB__CHART_Y_OPS));
    vtb__chart_slice_note(p->note, &s,
                          panel >= 0 ? "aggregate calls per second, one panel per cache_lock, "
                                       "dotted: ideal linear scaling"
                                     : "aggregate calls per second, dotted: ideal linear "
                                       "scaling");
    return true;
}

/* The mean measured hit ratio of the cells of s at key distribution dist,
 * as a tick label ("62.9% hits"; " " when none). */
static void skew_hit_label(const struct vtb__report_data *d, const struct vtb__report_slice *s,
                           const char *dist, char *label, size_t size)
{
    double sum = 0;
    size_t n = 0;

    for (size_t c = 0; c < d->ncells; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];
        double h = vtb__report_cell_hit_ratio(d, cell->index);

        if (vtb__report_cell_in_slice(d, cell, s) && isfinite(h) &&
            strcmp(vtb__report_cell_axis(d, cell, VTB__AX_KEY_DIST), dist) == 0) {
            sum += h;
            n++;
        }
    }
    if (n > 0)
        snprintf(label, size, "%.1f%% hits", 100.0 * sum / (double)n);
    else
        snprintf(label, size, " ");
}

/* The categories of the x axis: cats is matched against key_dist, and the
 * ticks read "zipf:0.9" over "62.9% hits", since skew sets the hit ratio. */
static void skew_categories(struct vtb__chart_plan *p, const struct vtb__report_data *d,
                            const struct vtb__report_slice *s)
{
    const char *cats[MAX_VALUES];
    size_t ncats = vtb__report_axis_values(d, VTB__AX_KEY_DIST, cats, MAX_VALUES);
    struct vtb__gp_text catw = {0}, ticks = {0}, labels = {0};

    ncats = ncats > MAX_VALUES ? MAX_VALUES : ncats;
    for (size_t k = 0; k < ncats; k++) {
        char label[48];

        skew_hit_label(d, s, cats[k], label, sizeof(label));
        vtb__gp_word(&catw, cats[k]);
        vtb__gp_tic_word(&ticks, cats[k]);
        vtb__gp_tic_word(&labels, label);
    }
    vtb__gp_var(&p->vars, "cats", vtb__gp_str(&catw));
    vtb__gp_var(&p->vars, "catticks", vtb__gp_str(&ticks));
    vtb__gp_var(&p->vars, "catlabels", vtb__gp_str(&labels));
    p->vars.failed = p->vars.failed || catw.failed || ticks.failed || labels.failed;
    vtb__gp_free(&catw);
    vtb__gp_free(&ticks);
    vtb__gp_free(&labels);
}

bool vtb__chart_plan_key_skew(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    struct vtb__report_slice s;

    if (vtb__report_axis_distinct(d, VTB__AX_KEY_DIST) < 2) {
        vtb__chart_note(p->note, "this run uses a single key distribution; a key_dist sweep is "
                                 "needed");
        return false;
    }
    if (vtb__report_axis_distinct(d, VTB__AX_HIT_RATIO) > 0) {
        vtb__chart_note(p->note, "key_dist varies but every cell has a hit_ratio target (exact "
                                 "mode), so skew does not set the hit ratio; key skew needs "
                                 "emergent mode");
        return false;
    }
    vtb__report_slice_init(d, &s, VTB__AX_KEY_DIST, -1, true);
    vtb__chart_impls(p, d);
    if (vtb__chart_groups(p, d, &s) == 0)
        return false;
    skew_categories(p, d, &s);
    vtb__gp_append(&p->vars, "logy=%d; ", vtb__chart_log_y(d, &s, VTB__CHART_Y_NS));
    vtb__chart_slice_note(p->note, &s,
                          "mean ns per call against key skew, with the hit ratio it produced");
    return true;
}

/* The open-loop hockey stick, when the run has open-loop cells. */
bool vtb__chart_plan_open_loop(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    long load_col = vtb_csv_column(&d->results, "load");
    bool any = false;

    for (size_t r = 0; load_col >= 0 && r < d->results.rows && !any; r++)
        any = strncmp(vtb_csv_cell(&d->results, r, (size_t)load_col), "open", 4) == 0;
    if (!any) {
        vtb__chart_note(p->note, "no open-loop cells (load = open:RATE); see "
                                 "scenarios/open-loop.ini");
        return false;
    }
    vtb__chart_impls(p, d);
    vtb__chart_note(p->note, "p99 from each operation's intended start (coordinated omission "
                             "corrected, solid) and from its actual issue (dashed)");
    return true;
}
