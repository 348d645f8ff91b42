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

/* Key distributions and locking designs considered. */
#define MAX_VALUES 64

/* The row of impl with the fewest threads among the cells of s at panel
 * value lock, or NULL. */
static const struct vtb__report_row *fewest_threads(const struct vtb__report_data *d,
                                                    const struct vtb__report_slice *s,
                                                    const char *lock, const char *impl)
{
    const struct vtb__report_row *best = NULL;

    for (size_t c = 0; c < d->ncells; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];
        const struct vtb__report_row *row;

        if (!vtb__report_cell_in_slice(d, cell, s) ||
            strcmp(vtb__report_cell_axis(d, cell, VTB_AXIS_cache_lock), lock) != 0)
            continue;
        row = vtb__report_row_of(d, cell->index, impl);
        if (row != NULL && isfinite(row->axis_num[VTB_AXIS_threads]) &&
            (best == NULL || row->axis_num[VTB_AXIS_threads] < best->axis_num[VTB_AXIS_threads]))
            best = row;
    }
    return best;
}

/*
 * Flags the points that scale super-linearly beyond the noise: throughput
 * whose interval lies wholly above the ideal line's (the fewest threads'
 * interval times threads / fewest). Super-linear scaling is almost always
 * a slow reference cell (a disturbed round) rather than a real effect, so
 * the chart rings such points and the note names them with the
 * reference's disturbed rounds. Passes slflags (" CELL:IMPL " words).
 */
static void superlinear_flags(struct vtb__chart_plan *p, const struct vtb__report_data *d,
                              const struct vtb__report_slice *s)
{
    const char *locks[MAX_VALUES];
    size_t nlocks = vtb__report_axis_values(d, VTB_AXIS_cache_lock, locks, MAX_VALUES);
    struct vtb__gp_text flags = {0};
    size_t flagged = 0;

    vtb__gp_append(&flags, " ");
    nlocks = nlocks > MAX_VALUES ? MAX_VALUES : nlocks;
    for (size_t l = 0; l < nlocks; l++) {
        for (size_t i = 0; i < d->nimpls; i++) {
            const struct vtb__report_row *base = fewest_threads(d, s, locks[l], d->impls[i]);

            for (size_t c = 0; base != NULL && c < d->ncells; c++) {
                const struct vtb__report_cell *cell = &d->cells[c];
                const struct vtb__report_row *row = vtb__report_row_of(d, cell->index,
                                                                       d->impls[i]);
                double scale;

                if (row == NULL || row == base || !vtb__report_cell_in_slice(d, cell, s) ||
                    strcmp(vtb__report_cell_axis(d, cell, VTB_AXIS_cache_lock), locks[l]) != 0)
                    continue;
                scale = row->axis_num[VTB_AXIS_threads] / base->axis_num[VTB_AXIS_threads];
                if (!(row->ops_low > base->ops_high * scale))
                    continue;
                vtb__gp_append(&flags, "%u:%s ", row->cell, row->impl);
                if (flagged++ == 0)
                    vtb__chart_note_append(p->note, "; ringed: super-linear beyond the "
                                                    "intervals, usually a slow reference "
                                                    "cell:");
                vtb__chart_note_append(p->note, "%s %s at %s threads (%s) is %.1fx its %s-thread "
                                                "throughput (%.0f of %.0f rounds of that cell "
                                                "disturbed)",
                                       flagged > 1 ? "," : "", row->impl, row->axis[VTB_AXIS_threads], locks[l],
                                       row->ops_per_sec / base->ops_per_sec,
                                       base->axis[VTB_AXIS_threads], base->rounds_disturbed,
                                       base->repetitions);
            }
        }
    }
    vtb__gp_var(&p->vars, "slflags", vtb__gp_str(&flags));
    p->vars.failed = p->vars.failed || flags.failed;
    vtb__gp_free(&flags);
}

bool vtb__chart_plan_threads(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    struct vtb__report_slice s;
    const char *locks[MAX_VALUES];
    size_t nlocks;

    if (vtb__report_axis_distinct(d, VTB_AXIS_threads) < 2) {
        vtb__chart_note(p->note, "this run uses a single thread count; a threads sweep is "
                                 "needed");
        return false;
    }
    /* One panel per locking design, even when only one was measured, so
     * that the chart always says which. */
    vtb__report_slice_init(d, &s, VTB_AXIS_threads, VTB_AXIS_cache_lock, false);
    vtb__chart_impls(p, d);
    if (vtb__chart_groups(p, d, &s) == 0)
        return false;
    vtb__chart_slice_note(p->note, &s,
                          "aggregate calls per second (threads x 10^9 / mean ns per call, the "
                          "estimator of the time charts) with 95% intervals; dotted: ideal "
                          "linear scaling from the fewest threads");
    nlocks = vtb__report_axis_values(d, VTB_AXIS_cache_lock, locks, MAX_VALUES);
    if (nlocks == 1)
        vtb__chart_note_append(p->note, "; only cache_lock=%s was measured (scenarios/"
                                        "threads.ini sweeps the others)",
                               locks[0]);
    vtb__chart_precision_note(p->note, d, &s);
    superlinear_flags(p, d, &s);
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
            strcmp(vtb__report_cell_axis(d, cell, VTB_AXIS_key_dist), dist) == 0) {
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
    size_t ncats = vtb__report_axis_values(d, VTB_AXIS_key_dist, cats, MAX_VALUES);
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

    if (vtb__report_axis_distinct(d, VTB_AXIS_key_dist) < 2) {
        vtb__chart_note(p->note, "this run uses a single key distribution; a key_dist sweep is "
                                 "needed");
        return false;
    }
    if (vtb__report_axis_distinct(d, VTB_AXIS_hit_ratio) > 0) {
        vtb__chart_note(p->note, "key_dist varies but every cell has a hit_ratio target (exact "
                                 "mode), so skew does not set the hit ratio; key skew needs "
                                 "emergent mode");
        return false;
    }
    vtb__report_slice_init(d, &s, VTB_AXIS_key_dist, -1, true);
    vtb__chart_impls(p, d);
    if (vtb__chart_groups(p, d, &s) == 0)
        return false;
    skew_categories(p, d, &s);
    vtb__chart_slice_note(p->note, &s,
                          "mean ns per call against key skew, with the hit ratio it produced, "
                          "95% confidence intervals, log scale");
    vtb__chart_precision_note(p->note, d, &s);
    return true;
}

/* The open-loop hockey stick, when the run has open-loop cells: the offered
 * load on x and every other axis that varies held at one value (the
 * template would otherwise average over them), passed as ocells. */
bool vtb__chart_plan_open_loop(const struct vtb__report_data *d, struct vtb__chart_plan *p)
{
    struct vtb__report_slice s;
    struct vtb__gp_text cells = {0};
    size_t n = 0;

    vtb__report_slice_init(d, &s, VTB_AXIS_load, -1, false);
    for (size_t c = 0; c < d->ncells; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];

        if (!vtb__report_cell_in_slice(d, cell, &s) ||
            strncmp(vtb__report_cell_axis(d, cell, VTB_AXIS_load), "open", 4) != 0)
            continue;
        vtb__gp_append(&cells, "%s%u:", n == 0 ? ":" : "", cell->index);
        n++;
    }
    if (n == 0) {
        vtb__chart_note(p->note, "no open-loop cells (load = open:RATE); see "
                                 "scenarios/open-loop.ini");
        vtb__gp_free(&cells);
        return false;
    }
    vtb__chart_impls(p, d);
    vtb__gp_var(&p->vars, "ocells", vtb__gp_str(&cells));
    vtb__chart_slice_var(p, &s);
    p->vars.failed = p->vars.failed || cells.failed;
    vtb__gp_free(&cells);
    vtb__chart_slice_note(p->note, &s,
                          "p99 from each operation's intended start (coordinated omission "
                          "corrected, solid) and from its actual issue (dashed), from one "
                          "histogram of all rounds (no interval)");
    return true;
}
