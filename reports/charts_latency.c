/*
 * The latency chart (see charts.h): the percentile spectrum of one cell,
 * hits and misses apart, from percentiles.csv. A mean hides what the
 * articles' "a miss costs the same" is about, so the chart shows the whole
 * distribution of the cell where hits and misses are both common.
 *
 * The clock limits what a latency can say, and the chart says so: every
 * timed latency includes the cost of reading the clock (drawn as a line),
 * values within ten steps of the clock's resolution are quantized (a
 * shaded band), and each line stops at 1 - 1/N of its N samples (the
 * percentiles reporter cuts it there) with N in its legend.
 */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The hit ratio the spectrum is drawn at, if the run has it: the articles'
 * mixed case, where hits and misses are both common. */
#define SPECTRUM_HIT_RATIO 0.8

/* The first row of percentiles.csv of kind for cell (and impl, unless
 * NULL), or -1. */
static long kind_row(const struct vtb__report_data *d, unsigned cell, const char *impl,
                     const char *kind)
{
    const struct vtb_csv_table *t = d->percentiles;
    long cc = vtb_csv_column(t, "cell_index"), kc = vtb_csv_column(t, "kind");
    long ic = vtb_csv_column(t, "impl");
    char want[16];

    snprintf(want, sizeof(want), "%u", cell);
    for (size_t r = 0; r < t->rows; r++)
        if (strcmp(vtb_csv_cell(t, r, (size_t)cc), want) == 0 &&
            strcmp(vtb_csv_cell(t, r, (size_t)kc), kind) == 0 &&
            (impl == NULL || strcmp(vtb_csv_cell(t, r, (size_t)ic), impl) == 0))
            return (long)r;
    return -1;
}

static bool has_kind(const struct vtb__report_data *d, unsigned cell, const char *impl,
                     const char *kind)
{
    return kind_row(d, cell, impl, kind) >= 0;
}

/* The samples a spectrum line was computed from, with thousands separated
 * ("104,966"), or "?" when percentiles.csv predates its samples column. */
static const char *line_samples(const struct vtb__report_data *d, unsigned cell,
                                const char *impl, const char *kind, char *buf, size_t size)
{
    long r = kind_row(d, cell, impl, kind);
    long sc = vtb_csv_column(d->percentiles, "samples");
    const char *n = r >= 0 && sc >= 0 ? vtb_csv_cell(d->percentiles, (size_t)r, (size_t)sc) : "";
    size_t len = strlen(n), out = 0;

    if (len == 0 || strspn(n, "0123456789") != len || len + len / 3 >= size) {
        snprintf(buf, size, "?");
        return buf;
    }
    for (size_t k = 0; k < len; k++) {
        if (k > 0 && (len - k) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = n[k];
    }
    buf[out] = '\0';
    return buf;
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
    struct vtb__gp_text kinds = {0}, impls = {0}, samples = {0};

    for (size_t k = 0; k < 2; k++) {
        const char *kind = k == 0 ? "hit" : "miss";

        for (size_t i = 0; i < d->nimpls; i++) {
            char n[32];

            if (!has_kind(d, cell, d->impls[i], kind))
                continue;
            vtb__gp_word(&kinds, kind);
            vtb__gp_word(&impls, d->impls[i]);
            vtb__gp_word(&samples, line_samples(d, cell, d->impls[i], kind, n, sizeof(n)));
        }
    }
    vtb__gp_var(&p->vars, "kinds", vtb__gp_str(&kinds));
    vtb__gp_var(&p->vars, "impls", vtb__gp_str(&impls));
    vtb__gp_var(&p->vars, "samples", vtb__gp_str(&samples));
    p->vars.failed = p->vars.failed || kinds.failed || impls.failed || samples.failed;
    vtb__gp_free(&kinds);
    vtb__gp_free(&impls);
    vtb__gp_free(&samples);
}

/* Passes qtop (the top of the quantized band: ten clock steps) and
 * overhead (one clock read), 0 when unknown. */
static void clock_vars(struct vtb__chart_plan *p, const struct vtb__report_data *d)
{
    double res = vtb__report_clock_resolution_ns(d), over = vtb__report_timer_overhead_ns(d);

    vtb__gp_append(&p->vars, "qtop=%.6g; overhead=%.6g; ",
                   isfinite(res) && res > 0 ? VTB__REPORT_QUANTIZED_STEPS * res : 0.0,
                   isfinite(over) && over > 0 ? over : 0.0);
}

static void clock_note(char *note, const struct vtb__report_data *d)
{
    double res = vtb__report_clock_resolution_ns(d), over = vtb__report_timer_overhead_ns(d);

    if (isfinite(res) && res > 0)
        vtb__chart_note_append(note, "; shaded: below %.0f ns, within %d steps of the clock's "
                                     "%.0f ns resolution, latencies are quantized",
                               VTB__REPORT_QUANTIZED_STEPS * res, VTB__REPORT_QUANTIZED_STEPS,
                               res);
    if (isfinite(over) && over > 0)
        vtb__chart_note_append(note, "; dotted: the %.1f ns timer overhead (two back-to-back "
                                     "clock reads) included in every latency",
                               over);
    else
        vtb__chart_note_append(note, "; the timer overhead is unknown (no context.json)");
}

bool vtb__chart_plan_latency_spectrum(const struct vtb__report_data *d,
                                      struct vtb__chart_plan *p)
{
    const struct vtb__report_cell *best;
    char held[VTB_REPORT_NOTE_MAX], what[VTB_REPORT_NOTE_MAX + 64];

    if (!d->has_percentiles || d->percentiles->rows == 0) {
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
    for (int a = 0; a < VTB_AXIS_COUNT; a++) {
        size_t len = strlen(held);
        if (vtb__report_axis_distinct(d, a) >= 2)
            snprintf(held + len, sizeof(held) - len, ", %s=%s", vtb__report_axis_label(a),
                     vtb__report_cell_axis(d, best, a));
    }
    snprintf(what, sizeof(what), "cell %u%s, %.1f%% hits measured", best->index, held,
             100.0 * vtb__report_cell_hit_ratio(d, best->index));
    vtb__gp_var(&p->vars, "celldesc", what);
    clock_vars(p, d);
    vtb__chart_note(p->note, "hits (solid) and misses (dashed) of %s; each line stops at "
                             "1 - 1/N of its N samples (N in the legend)",
                    what);
    clock_note(p->note, d);
    return true;
}
