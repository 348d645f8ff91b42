/*
 * The latency chart (see charts.h): the percentile spectrum of one cell,
 * hits and misses apart, from percentiles.csv. A mean hides what the
 * articles' "a miss costs the same" is about, so the chart shows the whole
 * distribution of the cell where hits and misses are both common.
 */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The hit ratio the spectrum is drawn at, if the run has it: the articles'
 * mixed case, where hits and misses are both common. */
#define SPECTRUM_HIT_RATIO 0.8

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

/*
 * The cell to draw: along the primary axis, everything else held, the one
 * with both hits and misses, then the one nearest the articles' 80% hits.
 * NULL when no cell has latency rows.
 */
static const struct vtb__report_cell *spectrum_cell(const struct vtb__report_data *d)
{
    struct vtb__report_slice s;
    const struct vtb__report_cell *best = NULL;
    double best_score = -INFINITY;

    vtb__report_slice_init(d, &s, vtb__report_primary_axis(d), -1, false);
    for (size_t c = 0; c < d->ncells; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];
        double h, score;

        if (!vtb__report_cell_in_slice(d, cell, &s))
            continue;
        h = vtb__report_cell_hit_ratio(d, cell->index);
        score = (has_kind(d, cell->index, NULL, "hit") ? 2.0 : 0.0) +
                (has_kind(d, cell->index, NULL, "miss") ? 2.0 : 0.0) -
                (isfinite(h) ? fabs(h - SPECTRUM_HIT_RATIO) : 1.0);
        if (score > best_score) {
            best_score = score;
            best = cell;
        }
    }
    /* Below -1.5 the best cell has neither hits nor misses. */
    return best_score > -1.5 ? best : NULL;
}

/* One line per (kind, impl) that has rows: gnuplot warns about, and so
 * fails on, a line without points. */
static void spectrum_lines(struct vtb__chart_plan *p, const struct vtb__report_data *d,
                           unsigned cell)
{
    struct vtb__gp_text kinds = {0}, impls = {0};

    for (size_t k = 0; k < 2; k++) {
        const char *kind = k == 0 ? "hit" : "miss";

        for (size_t i = 0; i < d->nimpls; i++) {
            if (!has_kind(d, cell, d->impls[i], kind))
                continue;
            vtb__gp_word(&kinds, kind);
            vtb__gp_word(&impls, d->impls[i]);
        }
    }
    vtb__gp_var(&p->vars, "kinds", vtb__gp_str(&kinds));
    vtb__gp_var(&p->vars, "impls", vtb__gp_str(&impls));
    p->vars.failed = p->vars.failed || kinds.failed || impls.failed;
    vtb__gp_free(&kinds);
    vtb__gp_free(&impls);
}

bool vtb__chart_plan_latency_spectrum(const struct vtb__report_data *d,
                                      struct vtb__chart_plan *p)
{
    const struct vtb__report_cell *best;
    char held[VTB_REPORT_NOTE_MAX], what[VTB_REPORT_NOTE_MAX + 64];

    if (!d->has_percentiles || d->percentiles.rows == 0) {
        vtb__chart_note(p->note, "the run directory has no percentiles.csv (runs made before "
                                 "the percentiles reporter have only the .hgrm files)");
        return false;
    }
    best = spectrum_cell(d);
    if (best == NULL) {
        vtb__chart_note(p->note, "percentiles.csv has no latency rows for the cells of this run");
        return false;
    }
    spectrum_lines(p, d, best->index);
    vtb__gp_append(&p->vars, "cell=%u; ", best->index);

    /* The cell as the title shows it: its value on every varying axis. */
    held[0] = '\0';
    for (int a = 0; a < VTB__AX_COUNT; a++) {
        size_t len = strlen(held);
        if (vtb__report_axis_distinct(d, a) >= 2)
            snprintf(held + len, sizeof(held) - len, ", %s=%s", vtb__report_axes[a].label,
                     vtb__report_cell_axis(d, best, a));
    }
    snprintf(what, sizeof(what), "cell %u%s, %.1f%% hits measured", best->index, held,
             100.0 * vtb__report_cell_hit_ratio(d, best->index));
    vtb__gp_var(&p->vars, "celldesc", what);
    vtb__chart_note(p->note, "hits (solid) and misses (dashed) of %s", what);
    return true;
}
