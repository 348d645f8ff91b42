/*
 * The findings of report.md (see report_md.h): the latency of hits and
 * misses with the clock's limits beside them, simulated against real
 * misses when the run sweeps the backend, and the articles' claims with
 * their verdicts. report_md.c writes the rest of the document and calls
 * these in order.
 */
#include "report_md_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "claims.h"
#include "report_slice.h"

/* ---- Latency ---- */

/* "30 (6,250)": a percentile and the samples it comes from, thousands
 * separated. */
static const char *latency_n(char *buf, size_t size, const struct vtb__report_data *d,
                             double v, double n)
{
    char l[48], digits[32], grouped[48];
    size_t len, out = 0;

    if (!(n > 0) || n >= 1e18) {
        snprintf(buf, size, "-");
        return buf;
    }
    len = (size_t)snprintf(digits, sizeof(digits), "%.0f", n);
    for (size_t k = 0; k < len; k++) {
        if (k > 0 && (len - k) % 3 == 0)
            grouped[out++] = ',';
        grouped[out++] = digits[k];
    }
    grouped[out] = '\0';
    snprintf(buf, size, "%s (%s)", vtb__md_latency(l, sizeof(l), d, v), grouped);
    return buf;
}

/*
 * Hits and misses apart, with the clock's limits stated next to them: a
 * hit takes a few ns of work, so the timer overhead is most of a hit's
 * latency, and below ten clock steps a percentile is quantized.
 */
void vtb__md_write_latency(FILE *out, const struct vtb__report_data *d)
{
    unsigned cells[256];
    size_t n = vtb__report_claim_cells(d, cells, 256);
    double over = vtb__report_timer_overhead_ns(d), res = vtb__report_clock_resolution_ns(d);
    char a[128], b[128], c[128], e[128];

    if (n == 0)
        return;
    fputs("## Latency of hits and misses\n\n", out);
    if (isfinite(over))
        fprintf(out, "Every latency includes the timer overhead, **%.1f ns** here (what two "
                     "back-to-back clock reads measure): a hit's p50 is that much more than "
                     "the hit's own work. ",
                over);
    else
        fputs("The timer overhead is unknown (no context.json). ", out);
    if (isfinite(res))
        fprintf(out, "The clock moves in steps of %.1f ns, so every latency is a multiple of "
                     "it, and values below %.0f ns (`~`) are quantized. ",
                res, VTB__REPORT_QUANTIZED_STEPS * res);
    fputs("In parentheses: the samples each percentile comes from (hits are sampled, misses "
          "all timed).\n\n| hit ratio | impl | hit p50 ns | hit p99 ns | miss p50 ns | miss p99 "
          "ns |\n|---:|---|---:|---:|---:|---:|\n",
          out);
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < d->nimpls; i++) {
            const struct vtb__report_row *row = vtb__report_row_of(d, cells[k], d->impls[i]);
            if (row == NULL)
                continue;
            fprintf(out, "| %s | ", row->axis[VTB_AXIS_hit_ratio]);
            vtb__md_cell(out, row->impl);
            fprintf(out, " | %s | %s | %s | %s |\n",
                    latency_n(a, sizeof(a), d, row->hit_p50_ns, row->hit_samples),
                    latency_n(b, sizeof(b), d, row->hit_p99_ns, row->hit_samples),
                    latency_n(c, sizeof(c), d, row->miss_p50_ns, row->miss_samples),
                    latency_n(e, sizeof(e), d, row->miss_p99_ns, row->miss_samples));
        }
    fputs("\n", out);
}

/* ---- Simulated versus real misses ---- */

/* "2.11x [1.93, 2.32]" of the paired num/den in cell, or "n/a". */
static const char *pair_text(char *buf, size_t size, const struct vtb__report_data *d,
                             unsigned cell, const char *num, const char *den)
{
    struct vtb_ratio r;

    if (vtb__report_pair(d, cell, num, den, &r) && r.n >= 2)
        snprintf(buf, size, "%.2fx [%.2f, %.2f]", r.ratio, r.ci_low, r.ci_high);
    else
        snprintf(buf, size, "n/a");
    return buf;
}

/* One backend's rows of the table, and the sentence of where alloc-task and
 * value-task part beyond the noise. */
static void backend_rows(FILE *out, const struct vtb__report_data *d, int b, const char *value,
                         char *findings, size_t size)
{
    struct vtb__report_slice s;
    unsigned cells[256];
    size_t n, len = strlen(findings);
    double from;

    vtb__report_slice_init(d, &s, VTB_AXIS_hit_ratio, -1, false);
    s.fixed[b] = value;
    n = vtb__report_slice_cells(d, &s, NULL, cells, 256);
    for (size_t k = 0; k < n; k++) {
        const struct vtb__report_row *a = vtb__report_row_of(d, cells[k], "alloc-task");
        const struct vtb__report_row *v = vtb__report_row_of(d, cells[k], "value-task");
        char x[6][96];

        if (a == NULL || v == NULL)
            continue;
        fprintf(out, "| %s | ", a->axis[VTB_AXIS_hit_ratio]);
        vtb__md_cell(out, value);
        fprintf(out, " | %s | %s | %s | %s | %s |\n",
                vtb__md_num(x[0], sizeof(x[0]), "%.1f", a->ns), vtb__md_num(x[1], sizeof(x[1]), "%.1f", v->ns),
                pair_text(x[2], sizeof(x[2]), d, cells[k], "alloc-task", "value-task"),
                vtb__md_latency(x[3], sizeof(x[3]), d, a->p99_ns), vtb__md_latency(x[4], sizeof(x[4]), d, v->p99_ns));
    }
    from = vtb__report_differs_from(d, cells, n, "alloc-task", "value-task");
    if (isfinite(from))
        snprintf(findings + len, size - len,
                 "- backend=%s: alloc-task and value-task differ beyond the 95%% interval of "
                 "their paired ratio from hit ratio %g on.\n",
                 value, from);
    else
        snprintf(findings + len, size - len,
                 "- backend=%s: alloc-task and value-task do not differ beyond the 95%% "
                 "interval at the highest hit ratio measured.\n",
                 value);
}

/*
 * When the run sweeps the backend (simulated misses against a real server),
 * alloc-task against value-task per hit ratio on each, and from which hit
 * ratio they differ beyond the noise: with a real miss costing tens of
 * microseconds, a task's allocation is lost in it until hits dominate.
 */
void vtb__md_write_backends(FILE *out, const struct vtb__report_data *d)
{
    int b = vtb__report_axis_named("backend");
    const char *values[16];
    size_t nvalues;
    char findings[2048] = "";

    if (b < 0 || vtb__report_axis_distinct(d, b) < 2 ||
        !vtb__report_impl_known(d, "alloc-task") || !vtb__report_impl_known(d, "value-task"))
        return;
    nvalues = vtb__report_axis_values(d, b, values, 16);
    nvalues = nvalues > 16 ? 16 : nvalues;
    fputs("## Simulated versus real misses\n\n"
          "alloc-task against value-task at each hit ratio, with misses answered by each "
          "backend: ns per call (mean of rounds), their paired ratio with its 95% interval, "
          "and the p99 latency of all calls.\n\n"
          "| hit ratio | backend | alloc-task ns | value-task ns | alloc-task / value-task | "
          "alloc-task p99 ns | value-task p99 ns |\n|---:|---|---:|---:|---|---:|---:|\n",
          out);
    for (size_t k = 0; k < nvalues; k++)
        backend_rows(out, d, b, values[k], findings, sizeof(findings));
    fprintf(out, "\n%s\n", findings);
}

void vtb__md_write_claims(FILE *out, const struct vtb__report_data *d)
{
    struct vtb__claim_ctx cx;
    struct vtb__claim_tally t;
    char build[512];

    vtb__claim_ctx_init(&cx, d);
    vtb__claim_tally(&cx, &t);
    vtb__report_build(d, build, sizeof(build));
    fputs("## The articles' claims\n\n", out);
    fprintf(out, "Each claim of the .NET articles against the cells of this run at the hit "
                 "ratio it concerns%s%s, with the figure of a primary source (the .NET "
                 "runtime's own measurements and code reviews) where there is one; build: "
                 "%s. docs/claims.md in the vtbench sources says where every "
                 "figure comes from. A time is judged on the paired ratio's 95%% interval: "
                 "**confirmed** when it lies wholly inside the claimed range, **refuted** "
                 "when wholly outside, **inconclusive** when it straddles a bound. Sizes and "
                 "totals are counted exactly and judged within %.0f%% of the articles' "
                 "figure. **By construction** marks a claim that holds because of how the "
                 "code is built; it is not counted as a confirmation. MB = 10^6 bytes.\n\n",
            cx.held[0] != '\0' ? ", held at " : "", cx.held, build,
            VTB__CLAIM_TOLERANCE * 100);
    fprintf(out, "**%u confirmed, %u refuted, %u inconclusive**; %u by construction (not "
                 "counted); %u not measured in this run.\n\n",
            t.count[VTB_VERDICT_CONFIRMED], t.count[VTB_VERDICT_REFUTED],
            t.count[VTB_VERDICT_INCONCLUSIVE], t.count[VTB_VERDICT_BY_CONSTRUCTION],
            t.count[VTB_VERDICT_NOT_MEASURED]);
    fputs("| claim | articles | primary source | measured here | verdict |\n"
          "|---|---|---|---|---|\n",
          out);
    for (size_t k = 0; k < vtb__claim_count(); k++) {
        struct vtb__claim_result res;

        vtb__claim_eval(&cx, k, &res);
        fputs("| ", out);
        vtb__md_cell(out, res.text);
        fputs(" | ", out);
        vtb__md_cell(out, res.articles);
        fputs(" | ", out);
        vtb__md_cell(out, res.primary);
        fputs(" | ", out);
        vtb__md_cell(out, res.measured[0] != '\0' ? res.measured : "-");
        fprintf(out, " | **%s**: ", vtb_verdict_name(res.verdict));
        vtb__md_cell(out, res.why);
        fputs(" |\n", out);
    }
    fputs("\n", out);
}
