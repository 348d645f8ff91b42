/*
 * The table of charts (see charts.h) and what their plans share: notes,
 * the word lists of implementations, and the grouping of a slice's cells
 * into lines and panels that most templates draw.
 */
#include "charts.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Panels and series values considered per chart. */
#define MAX_VALUES 64

const struct vtb__chart_def vtb__charts[] = {
    {"ns-per-op", "Time per call versus hit ratio", VTB__CHART_LOG, vtb__chart_plan_ns_per_op},
    {"alloc", "Bytes and allocations per call versus hit ratio", VTB__CHART_LINEAR,
     vtb__chart_plan_alloc},
    {"latency-spectrum", "Latency percentile spectrum, hits and misses", VTB__CHART_LOG,
     vtb__chart_plan_latency_spectrum},
    {"threads", "Throughput versus threads, one panel per cache locking design",
     VTB__CHART_LINEAR, vtb__chart_plan_threads},
    {"key-skew", "Time per call versus key skew", VTB__CHART_LOG, vtb__chart_plan_key_skew},
    {"break-even", "Break-even: paired cost ratios and ns saved versus hit ratio",
     VTB__CHART_LOG, vtb__chart_plan_break_even},
    {"alloc-1m", "Megabytes allocated by 1,000,000 calls", VTB__CHART_LINEAR,
     vtb__chart_plan_alloc_1m},
    {"open-loop", "p99 latency versus offered load (open loop)", VTB__CHART_LOG,
     vtb__chart_plan_open_loop},
    {"backend", "Simulated versus real misses: time per call and p99 versus hit ratio",
     VTB__CHART_LOG, vtb__chart_plan_backend},
};
const size_t vtb__chart_count = sizeof(vtb__charts) / sizeof(vtb__charts[0]);

_Static_assert(sizeof(vtb__charts) / sizeof(vtb__charts[0]) <= VTB_REPORT_CHART_MAX,
               "struct vtb_report_outcome has room for VTB_REPORT_CHART_MAX charts");

const struct vtb__chart_def *vtb__chart_find(const char *name)
{
    for (size_t k = 0; k < vtb__chart_count; k++)
        if (strcmp(vtb__charts[k].name, name) == 0)
            return &vtb__charts[k];
    return NULL;
}

void vtb__chart_plan_free(struct vtb__chart_plan *p)
{
    vtb__gp_free(&p->vars);
    vtb__gp_free(&p->table);
}

void vtb__chart_note(char *note, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note, VTB_REPORT_NOTE_MAX, fmt, ap);
    va_end(ap);
}

void vtb__chart_note_append(char *note, const char *fmt, ...)
{
    size_t len = strlen(note);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(note + len, VTB_REPORT_NOTE_MAX - len, fmt, ap);
    va_end(ap);
}

void vtb__chart_slice_note(char *note, const struct vtb__report_slice *s, const char *what)
{
    char held[VTB_REPORT_NOTE_MAX];
    char series[96] = "";

    vtb__report_slice_describe(s, held, sizeof(held));
    if (s->series >= 0)
        snprintf(series, sizeof(series), "; one line style per %s",
                 vtb__report_axis_label(s->series));
    vtb__chart_note(note, "%s%s%s%s", what, series, held[0] != '\0' ? "; held at " : "", held);
}

void vtb__chart_impls(struct vtb__chart_plan *p, const struct vtb__report_data *d)
{
    struct vtb__gp_text list = {0};

    for (size_t i = 0; i < d->nimpls; i++)
        vtb__gp_word(&list, d->impls[i]);
    vtb__gp_var(&p->vars, "impls", vtb__gp_str(&list));
    vtb__gp_free(&list);
}

void vtb__chart_slice_var(struct vtb__chart_plan *p, const struct vtb__report_slice *s)
{
    char held[VTB_REPORT_NOTE_MAX];

    vtb__report_slice_describe(s, held, sizeof(held));
    vtb__gp_var(&p->vars, "slice", held);
}

/* ---- Groups of cells: the lines and panels of a chart ---- */

/* The lists vtb__chart_groups passes, built panel by panel. */
struct groups {
    struct vtb__gp_text gcells, gtitles, gdt, ptitles, pfirst, plast;
    size_t ngroups, npanels;
};

void vtb__chart_axis_title(char *buf, size_t size, int axis, const char *value)
{
    if (axis >= 0)
        snprintf(buf, size, "%s=%s", vtb__report_axis_label(axis), value);
    else
        snprintf(buf, size, "-");
}

/* Appends ":i:j:" of the cells of s at the panel and series values given
 * (NULL: that axis is not split) to cells; returns how many there are. */
static size_t group_cells(const struct vtb__report_data *d, const struct vtb__report_slice *s,
                          const char *panel, const char *series, struct vtb__gp_text *cells)
{
    size_t count = 0;

    for (size_t c = 0; c < d->ncells; c++) {
        const struct vtb__report_cell *cell = &d->cells[c];

        if (!vtb__report_cell_in_slice(d, cell, s))
            continue;
        if (panel != NULL && strcmp(vtb__report_cell_axis(d, cell, s->panel), panel) != 0)
            continue;
        if (series != NULL && strcmp(vtb__report_cell_axis(d, cell, s->series), series) != 0)
            continue;
        vtb__gp_append(cells, "%s%u:", count == 0 ? ":" : "", cell->index);
        count++;
    }
    return count;
}

/* Adds the groups of one panel (one per series value that has cells), and
 * the panel itself when it has any. */
static void add_panel(struct groups *g, const struct vtb__report_data *d,
                      const struct vtb__report_slice *s, const char *panel,
                      const char *const *series, size_t nseries)
{
    size_t first = g->ngroups + 1;
    char title[160];

    for (size_t si = 0; si < nseries; si++) {
        struct vtb__gp_text cells = {0};

        if (group_cells(d, s, panel, series[si], &cells) > 0) {
            vtb__chart_axis_title(title, sizeof(title), s->series, series[si]);
            vtb__gp_word(&g->gcells, vtb__gp_str(&cells));
            vtb__gp_word(&g->gtitles, title);
            vtb__gp_append(&g->gdt, "%s%zu", g->gdt.len > 0 ? " " : "", si + 1);
            g->ngroups++;
        }
        vtb__gp_free(&cells);
    }
    if (g->ngroups + 1 > first) {
        vtb__chart_axis_title(title, sizeof(title), s->panel, panel);
        vtb__gp_word(&g->ptitles, title);
        vtb__gp_append(&g->pfirst, "%s%zu", g->pfirst.len > 0 ? " " : "", first);
        vtb__gp_append(&g->plast, "%s%zu", g->plast.len > 0 ? " " : "", g->ngroups);
        g->npanels++;
    }
}

size_t vtb__chart_groups(struct vtb__chart_plan *p, const struct vtb__report_data *d,
                         const struct vtb__report_slice *s)
{
    const char *panels[MAX_VALUES], *series[MAX_VALUES];
    size_t npanels = 1, nseries = 1;
    struct groups g;

    memset(&g, 0, sizeof(g));
    panels[0] = series[0] = NULL;
    if (s->panel >= 0)
        npanels = vtb__report_axis_values(d, s->panel, panels, MAX_VALUES);
    if (s->series >= 0)
        nseries = vtb__report_axis_values(d, s->series, series, MAX_VALUES);
    npanels = npanels > MAX_VALUES ? MAX_VALUES : npanels;
    nseries = nseries > MAX_VALUES ? MAX_VALUES : nseries;
    for (size_t pi = 0; pi < npanels; pi++)
        add_panel(&g, d, s, panels[pi], series, nseries);

    vtb__gp_append(&p->vars, "ngroups=%zu; npanels=%zu; ", g.ngroups, g.npanels);
    vtb__gp_var(&p->vars, "gcells", vtb__gp_str(&g.gcells));
    vtb__gp_var(&p->vars, "gtitles", vtb__gp_str(&g.gtitles));
    vtb__gp_var(&p->vars, "gdt", vtb__gp_str(&g.gdt));
    vtb__gp_var(&p->vars, "ptitles", vtb__gp_str(&g.ptitles));
    vtb__gp_var(&p->vars, "pfirst", vtb__gp_str(&g.pfirst));
    vtb__gp_var(&p->vars, "plast", vtb__gp_str(&g.plast));
    vtb__chart_slice_var(p, s);
    p->vars.failed = p->vars.failed || g.gcells.failed || g.gtitles.failed || g.gdt.failed ||
                     g.ptitles.failed || g.pfirst.failed || g.plast.failed;
    vtb__gp_free(&g.gcells);
    vtb__gp_free(&g.gtitles);
    vtb__gp_free(&g.gdt);
    vtb__gp_free(&g.ptitles);
    vtb__gp_free(&g.pfirst);
    vtb__gp_free(&g.plast);
    return g.ngroups;
}

void vtb__chart_precision_note(char *note, const struct vtb__report_data *d,
                               const struct vtb__report_slice *s)
{
    size_t cells = 0, short_of = 0;

    for (size_t c = 0; c < d->ncells; c++) {
        if (!vtb__report_cell_in_slice(d, &d->cells[c], s))
            continue;
        cells++;
        short_of += vtb__report_cell_imprecise(d, d->cells[c].index);
    }
    if (short_of > 0)
        vtb__chart_note_append(note, "; hollow points: %zu of %zu cells short of their "
                                     "precision", short_of, cells);
}

bool vtb__chart_hit_ratio_swept(const struct vtb__report_data *d, char *note)
{
    size_t n = vtb__report_axis_distinct(d, VTB_AXIS_hit_ratio);

    size_t complete = 0;

    if (n >= 2)
        return true;
    for (size_t c = 0; c < d->ncells; c++)
        complete += d->cells[c].complete;
    /* The values counted are the complete cells': with none, the run's
     * hit ratios were not looked at. */
    if (complete == 0)
        vtb__chart_note(note, "no cell has a row of every one of the run's %zu implementations, "
                              "so no cell can be compared across them",
                        d->nimpls);
    else if (n == 0)
        vtb__chart_note(note, "the hit ratio is not set in this run (emergent mode: it follows "
                              "from the key distribution), so there is no hit-ratio axis");
    else
        vtb__chart_note(note, "this run measures a single hit ratio (%s); a hit-ratio sweep is "
                              "needed",
                        vtb__report_preferred_value(d, VTB_AXIS_hit_ratio));
    return false;
}
