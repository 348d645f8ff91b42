/*
 * Tests of the regression gate (harness/compare/) on synthetic runs, so
 * that every verdict is known in advance and nothing depends on timing.
 *
 * The time rule decides from the interval of the change against the
 * threshold: a 20% slowdown over 10 against 10 rounds is slower, a 3x one
 * is slower however much the rounds spread (the CV the old rule called
 * "noisy"), a 2% shift is same, an interval that reaches across the
 * threshold is unknown (failing only when asked), fewer than 2 usable
 * rounds or no samples are unknown, rounds marked unused are left out,
 * dividing each round by its floor cancels a machine that got uniformly
 * slower (while the floor's own move is reported), and a change per floor
 * that the raw times do not show (a floor that moved unlike the cell) is
 * unknown. The exact rule catches
 * an added allocation per operation (and the "value-task allocates nothing
 * on a hit" invariant), instruction counts get their 1% tolerance, rows are
 * matched by identity rather than position, cells on one side only are
 * reported. The gate fails closed: a results file without an identifying
 * column (every one the scenario key table marks), a cell given twice, a
 * negative or non-finite figure and a round given twice are refused, each
 * naming file, line and column; a byte-order mark is read through. Runs
 * on disk are refused unless complete (no context.json, a corrupt one,
 * "complete": false), and accepted with --allow-incomplete. A comparison
 * of 20000 generated cells checks that the hash joins pair every row and
 * every round right. Baselines are saved with their context.json and
 * refused from runs that are not complete, and the CLI's exit codes (0, 3,
 * 2, and 1 when stdout cannot be written) are checked on the built vtbench.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baseline.h"
#include "compare.h"
#include "csv_reader.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_REPS 16

/* One synthetic row of results.csv, with its rounds. */
struct row {
    const char *impl;
    const char *hit;       /* hit_ratio_target as written */
    double allocs_per_op;
    double instructions;   /* NaN: not counted */
    unsigned pool_misses;
    unsigned errors;
    unsigned cell_index;
    size_t reps;
    double samples[MAX_REPS];
    double floors[MAX_REPS]; /* each round's floor_ns; 0: not measured */
    bool unused[MAX_REPS];   /* the round was left out (used = false) */
    double floor_ns;         /* floor_ns_per_hit; NaN: not measured */
    unsigned keys;           /* the keys axis; 0: 1024 */
};

/* Writes the identifying columns' header: every one the key table names,
 * so that an axis added there is added here. */
static void identity_header(FILE *out)
{
    const char *columns[VTB_COMPARE_KEY_MAX], *names[VTB_COMPARE_KEY_MAX];
    size_t n = vtb_compare_identity(columns, names);
    for (size_t k = 0; k < n; k++)
        fprintf(out, "%s%s", k > 0 ? "," : "", columns[k]);
}

/* Writes the identifying fields of a row. */
static void identity_row(FILE *out, const char *impl, const char *hit, unsigned keys)
{
    const char *columns[VTB_COMPARE_KEY_MAX], *names[VTB_COMPARE_KEY_MAX];
    size_t n = vtb_compare_identity(columns, names);
    for (size_t k = 0; k < n; k++) {
        const char *c = columns[k];
        fputs(k > 0 ? "," : "", out);
        if (strcmp(c, "scenario") == 0)
            fputs("synthetic", out);
        else if (strcmp(c, "impl") == 0)
            fputs(impl, out);
        else if (strcmp(c, "hit_ratio_target") == 0)
            fputs(hit, out);
        else if (strcmp(c, "keys") == 0)
            fprintf(out, "%u", keys);
        else if (strcmp(c, "capacity") == 0)
            fprintf(out, "%u", 3 * keys);
        else
            fputs("1", out); /* the same in every row: not in labels */
    }
}

/* Mean, CV and median of a row's rounds, as the runner computes them. */
static void summarize(const struct row *w, double *mean, double *cv, double *median)
{
    double sum = 0, sq = 0, sorted[MAX_REPS];
    for (size_t k = 0; k < w->reps; k++) {
        sum += w->samples[k];
        sorted[k] = w->samples[k];
    }
    *mean = sum / (double)w->reps;
    for (size_t k = 0; k < w->reps; k++)
        sq += (w->samples[k] - *mean) * (w->samples[k] - *mean);
    *cv = w->reps > 1 ? sqrt(sq / (double)(w->reps - 1)) / *mean : 0;
    for (size_t a = 0; a < w->reps; a++)
        for (size_t b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
            double t = sorted[b];
            sorted[b] = sorted[b - 1];
            sorted[b - 1] = t;
        }
    *median = w->reps % 2 ? sorted[w->reps / 2]
                          : (sorted[w->reps / 2 - 1] + sorted[w->reps / 2]) / 2;
}

/* Writes rows as results.csv and samples.csv text (caller frees); old:
 * samples.csv as vtbench wrote it before rounds had floors. */
static void render_as(const struct row *rows, size_t n, bool old, char **results, char **samples)
{
    size_t rl, sl;
    FILE *r = open_memstream(results, &rl), *s = open_memstream(samples, &sl);
    assert_non_null(r);
    assert_non_null(s);
    identity_header(r);
    fputs(",ops,repetitions,ns_per_op,ns_per_op_cv,ns_per_op_median,allocs_per_op,bytes_per_op,"
          "requested_bytes_per_op,pool_misses,errors,value_mismatches,instructions_per_op,"
          "cell_index,floor_ns_per_hit\r\n",
          r);
    fputs(old ? "scenario,cell_index,impl,repetition,ns_per_op\r\n"
              : "scenario,cell_index,impl,repetition,ns_per_op,floor_ns,disturbed,used\r\n",
          s);
    for (size_t i = 0; i < n; i++) {
        const struct row *w = &rows[i];
        double mean, cv, median;
        summarize(w, &mean, &cv, &median);
        char instr[32] = "", floor_ns[32] = "";
        if (!isnan(w->instructions))
            snprintf(instr, sizeof(instr), "%.6g", w->instructions);
        if (!isnan(w->floor_ns))
            snprintf(floor_ns, sizeof(floor_ns), "%.3f", w->floor_ns);
        identity_row(r, w->impl, w->hit, w->keys ? w->keys : 1024);
        fprintf(r, ",10000,%zu,%.3f,%.6g,%.3f,%.6g,%.6g,%.6g,%u,%u,0,%s,%u,%s\r\n", w->reps, mean,
                cv, median, w->allocs_per_op, w->allocs_per_op * 80, w->allocs_per_op * 72,
                w->pool_misses, w->errors, instr, w->cell_index, floor_ns);
        for (size_t k = 0; k < w->reps; k++) {
            fprintf(s, "synthetic,%u,%s,%zu,%.6f", w->cell_index, w->impl, k, w->samples[k]);
            if (!old && w->floors[k] > 0)
                fprintf(s, ",%.6f,%s,%s", w->floors[k], w->unused[k] ? "true" : "false",
                        w->unused[k] ? "false" : "true");
            else if (!old)
                fprintf(s, ",,false,%s", w->unused[k] ? "false" : "true");
            fputs("\r\n", s);
        }
    }
    assert_int_equal(fclose(r), 0);
    assert_int_equal(fclose(s), 0);
}

static void render(const struct row *rows, size_t n, char **results, char **samples)
{
    render_as(rows, n, false, results, samples);
}

/*
 * A copy of CSV text (no quoted fields) with the field of column on line
 * (1-based; 1 is the header) replaced by value. Caller frees.
 */
static char *with_field(const char *text, size_t line, const char *column, const char *value)
{
    const char *header_end = strstr(text, "\r\n");
    size_t index = 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",\r");
        if (strlen(column) == len && strncmp(p, column, len) == 0)
            break;
        p += len + 1;
        assert_true(p < header_end);
        index++;
    }
    p = text;
    for (size_t l = 1; l < line; l++) {
        p = strstr(p, "\r\n");
        assert_non_null(p);
        p += 2;
    }
    for (size_t i = 0; i < index; i++)
        p = strchr(p, ',') + 1;
    size_t len = strcspn(p, ",\r"), head = (size_t)(p - text);
    char *out = malloc(strlen(text) - len + strlen(value) + 1);
    assert_non_null(out);
    memcpy(out, text, head);
    strcpy(out + head, value);
    strcat(out, p + len);
    return out;
}

/* A copy of text with line (ending in CRLF) appended. Caller frees. */
static char *with_line(const char *text, const char *line)
{
    char *out = malloc(strlen(text) + strlen(line) + 1);
    assert_non_null(out);
    strcpy(out, text);
    strcat(out, line);
    return out;
}

static void parse(const char *text, const char *name, struct vtb_csv_table *t)
{
    struct vtb_error err = {0};
    if (vtb_csv_parse(text, strlen(text), name, t, &err) != 0)
        fail_msg("%s", err.message);
}

/* Loads one side from texts (samples NULL: none); returns the side's code. */
static int side_of(struct vtb_compare_side *s, const char *results, const char *samples,
                   const char *name, struct vtb_error *err)
{
    char results_name[64], samples_name[64];
    snprintf(results_name, sizeof(results_name), "%s/results.csv", name);
    snprintf(samples_name, sizeof(samples_name), "%s/samples.csv", name);
    struct vtb_csv_table rt, st;
    parse(results, results_name, &rt);
    if (samples != NULL)
        parse(samples, samples_name, &st);
    int rc = vtb_compare_side_from_tables(s, &rt, samples != NULL ? &st : NULL, err);
    vtb_csv_free(&rt);
    if (samples != NULL)
        vtb_csv_free(&st);
    return rc;
}

/* Both sides, ready for vtb_compare_run. */
struct pair {
    struct vtb_compare_side base, head;
};

static void make_pair_from(struct pair *p, const char *base_results, const char *base_samples,
                           const char *new_results, const char *new_samples)
{
    struct vtb_error err = {0};
    if (side_of(&p->base, base_results, base_samples, "base", &err) != 0 ||
        side_of(&p->head, new_results, new_samples, "new", &err) != 0)
        fail_msg("side: %s", err.message);
}

static void make_pair(struct pair *p, const struct row *base, size_t nb, const struct row *head,
                      size_t nh, bool with_samples)
{
    char *text[4];
    render(base, nb, &text[0], &text[1]);
    render(head, nh, &text[2], &text[3]);
    make_pair_from(p, text[0], with_samples ? text[1] : NULL, text[2],
                   with_samples ? text[3] : NULL);
    for (size_t i = 0; i < 4; i++)
        free(text[i]);
}

static void free_pair(struct pair *p)
{
    vtb_compare_side_free(&p->base);
    vtb_compare_side_free(&p->head);
}

static void run_ok(struct pair *p, const struct vtb_compare_options *o,
                   struct vtb_compare_result *r)
{
    struct vtb_error err = {0};
    int rc = vtb_compare_run(&p->base, &p->head, o, r, &err);
    if (rc != 0)
        fail_msg("vtb_compare_run: %d %s", rc, err.message);
}

/* The entry for metric of the cell of impl at hit (the comparison, not an
 * invariant check); fails when absent. */
static const struct vtb_compare_entry *entry(const struct vtb_compare_result *r,
                                             const char *impl, const char *hit,
                                             enum vtb_compare_metric metric)
{
    char want[64], label[256];
    snprintf(want, sizeof(want), "hit_ratio=%s", hit);
    for (size_t i = 0; i < r->entry_count; i++) {
        const struct vtb_compare_entry *e = &r->entries[i];
        vtb_compare_cell_label(r, e->cell, label, sizeof(label));
        if (e->metric == metric && e->invariant == 0 &&
            strcmp(vtb_compare_cell_impl(r, e->cell), impl) == 0 &&
            (strcmp(label, want) == 0 || strcmp(label, "synthetic") == 0))
            return e;
    }
    fail_msg("no %s entry for %s at %s", vtb_compare_metric_name(metric), impl, hit);
    return NULL;
}

static struct vtb_compare_values values_of(const struct vtb_compare_result *r,
                                           const struct vtb_compare_entry *e)
{
    struct vtb_compare_values v;
    vtb_compare_entry_values(r, e, &v);
    return v;
}

/* A row with n rounds spread evenly over value * (1 +- spread), and no
 * floor. */
static struct row timed(const char *impl, const char *hit, unsigned cell, size_t n, double value,
                        double spread)
{
    struct row w = {impl, hit, 0.0, NAN, 0, 0, cell, n, {0}, {0}, {false}, NAN, 0};
    for (size_t k = 0; k < n; k++) {
        double offset = n > 1 ? (double)k / (double)(n - 1) * 2 - 1 : 0; /* -1 .. 1 */
        /* Interleave low and high so that order says nothing. */
        size_t slot = k % 2 ? n - 1 - k / 2 : k / 2;
        w.samples[slot] = value * (1 + spread * offset);
    }
    return w;
}

/* The time entry of the single cell of a pair of one-row runs. */
static const struct vtb_compare_entry *judge_one(const struct row *base, const struct row *head,
                                                 const struct vtb_compare_options *o,
                                                 struct pair *p, struct vtb_compare_result *r)
{
    make_pair(p, base, 1, head, 1, true);
    run_ok(p, o, r);
    return entry(r, base->impl, base->hit, VTB_COMPARE_NS_PER_OP);
}

static void done(struct pair *p, struct vtb_compare_result *r)
{
    vtb_compare_result_free(r);
    free_pair(p);
}

/* ---- The time rule ---- */

static void test_20_percent_slowdown_is_caught(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "0.8", 0, 10, 100.0, 0.02)};
    struct row head[] = {timed("pooled", "0.8", 0, 10, 120.0, 0.02)};
    struct pair p;
    struct vtb_compare_result r;
    const struct vtb_compare_entry *e = judge_one(base, head, NULL, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(e->regression);
    struct vtb_compare_values v = values_of(&r, e);
    assert_true(fabs(v.ratio - 1.2) < 1e-9); /* every round 1.2 times its twin */
    assert_true(v.ci_low > 1.1 && v.ci_high < 1.3);
    const struct vtb_compare_time *t = vtb_compare_cell_time(&r, e->cell);
    assert_int_equal(t->base_n, 10);
    assert_int_equal(t->new_n, 10);
    assert_false(t->normalised); /* no floors here */
    assert_int_equal(r.regressions, 1);
    done(&p, &r);

    /* The same numbers the other way round are an improvement. */
    e = judge_one(head, base, NULL, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_FASTER);
    assert_false(e->regression);
    assert_int_equal(r.regressions, 0);
    done(&p, &r);
}

/* 10% slower over 5 rounds of +-10%: the interval reaches from below 1.1
 * to above it, so the rounds cannot tell; unknown, which fails only when
 * asked to. */
static void test_interval_straddling_the_threshold_is_unknown(void **state)
{
    (void)state;
    struct row base[] = {timed("alloc-task", "0", 0, 5, 100.0, 0.10)};
    struct row head[] = {timed("alloc-task", "0", 0, 5, 110.0, 0.10)};
    struct pair p;
    struct vtb_compare_result r;
    const struct vtb_compare_entry *e = judge_one(base, head, NULL, &p, &r);
    struct vtb_compare_values v = values_of(&r, e);
    assert_true(v.ci_low < 1.1 && v.ci_high > 1.1);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(e->note, VTB_COMPARE_NOTE_STRADDLES);
    assert_non_null(strstr(vtb_compare_note_text(e->note), "needs more rounds"));
    assert_false(e->regression);
    done(&p, &r);

    struct vtb_compare_options o;
    vtb_compare_options_default(&o);
    o.fail_on_unknown = true;
    e = judge_one(base, head, &o, &p, &r);
    assert_true(e->regression);
    done(&p, &r);
    /* Across the lower boundary too. */
    base[0] = timed("alloc-task", "0", 0, 5, 110.0, 0.10);
    head[0] = timed("alloc-task", "0", 0, 5, 100.0, 0.10);
    e = judge_one(base, head, NULL, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    done(&p, &r);
}

/* The case the old rule missed: 3x slower, rounds spread +-30% (a CV near
 * 18%, "noisy" before). The interval lies wholly beyond the threshold, so
 * it is slower whatever the spread. */
static void test_interval_beyond_is_slower_whatever_the_cv(void **state)
{
    (void)state;
    struct row base[] = {timed("alloc-task", "1", 0, 10, 100.0, 0.30)};
    struct row head[] = {timed("alloc-task", "1", 0, 10, 300.0, 0.30)};
    struct pair p;
    struct vtb_compare_result r;
    const struct vtb_compare_entry *e = judge_one(base, head, NULL, &p, &r);
    struct vtb_compare_values v = values_of(&r, e);
    assert_true(v.ci_low > 2 && v.ci_high < 4.5);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(e->regression);
    done(&p, &r);
}

/* A 2% shift, known to +-1%: the interval lies within the threshold. */
static void test_interval_within_is_same(void **state)
{
    (void)state;
    struct row base[] = {timed("value-task", "1", 0, 10, 100.0, 0.005)};
    struct row head[] = {timed("value-task", "1", 0, 10, 102.0, 0.005)};
    struct pair p;
    struct vtb_compare_result r;
    const struct vtb_compare_entry *e = judge_one(base, head, NULL, &p, &r);
    struct vtb_compare_values v = values_of(&r, e);
    assert_true(v.ci_low > 1.0 && v.ci_high < 1.1); /* a change, but one that does not matter */
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SAME);
    assert_false(e->regression);
    assert_int_equal(r.regressions, 0);
    done(&p, &r);
}

/* Rounds whose times follow their floor: the cell costs 10 floors, and the
 * floor drifts from round to round. */
static struct row floored(const char *hit, double floor_ns, double machine)
{
    struct row w = timed("pooled", hit, 0, 8, 10 * floor_ns * machine, 0.0);
    for (size_t k = 0; k < w.reps; k++) {
        double drift = 1 + 0.08 * (double)((k * 5) % 8) / 7; /* 1 .. 1.08 */
        double jitter = 1 + 0.002 * (double)(k % 3);
        w.floors[k] = floor_ns * machine * drift;
        w.samples[k] = 10 * w.floors[k] * jitter;
    }
    w.floor_ns = floor_ns * machine;
    return w;
}

/* The new run's machine is 50% slower throughout: every time and every
 * floor 1.5 times the base's. Divided by their floors the times are the
 * same, and the floor's own move is reported (not gated). The raw times
 * would call it slower. */
static void test_floor_cancels_a_uniform_slowdown(void **state)
{
    (void)state;
    struct row base[] = {floored("1", 10.0, 1.0)};
    struct row head[] = {floored("1", 10.0, 1.5)};
    struct pair p;
    struct vtb_compare_result r;
    const struct vtb_compare_entry *e = judge_one(base, head, NULL, &p, &r);
    const struct vtb_compare_time *t = vtb_compare_cell_time(&r, e->cell);
    assert_true(t->normalised);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SAME);
    assert_false(e->regression);
    assert_true(fabs(values_of(&r, e).ratio - 1.0) < 0.01);
    assert_true(t->floor_moved);
    assert_true(fabs(t->floor_ratio - 1.5) < 0.01);
    assert_true(t->floor_ci_low > 1.1);
    assert_int_equal(r.floor_moved, 1);
    done(&p, &r);

    /* Without the floors the same times are a regression. */
    for (size_t k = 0; k < base[0].reps; k++)
        base[0].floors[k] = 0;
    e = judge_one(base, head, NULL, &p, &r);
    assert_false(vtb_compare_cell_time(&r, e->cell)->normalised);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    done(&p, &r);

    /* A real slowdown of the cell stays visible through the floor. */
    head[0] = floored("1", 10.0, 1.5);
    for (size_t k = 0; k < head[0].reps; k++)
        head[0].samples[k] *= 1.25;
    base[0] = floored("1", 10.0, 1.0);
    e = judge_one(base, head, NULL, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(fabs(values_of(&r, e).ratio - 1.25) < 0.01);
    done(&p, &r);
}

/* A busy machine that slows the floor unlike the cell: divided by their
 * floors the times would show a change the code did not make, so a change
 * needs the raw times to show it too; else unknown. */
static void test_floor_moving_unlike_the_cell_is_unknown(void **state)
{
    (void)state;
    struct row base[] = {floored("1", 10.0, 1.0)};
    struct row head[] = {floored("1", 10.0, 1.0)};
    for (size_t k = 0; k < head[0].reps; k++)
        head[0].floors[k] *= 0.7; /* the floor alone got faster: per floor, 1.43x */
    struct pair p;
    struct vtb_compare_result r;
    const struct vtb_compare_entry *e = judge_one(base, head, NULL, &p, &r);
    const struct vtb_compare_time *t = vtb_compare_cell_time(&r, e->cell);
    assert_true(t->normalised);
    assert_true(values_of(&r, e).ci_low > 1.1); /* per floor: beyond the threshold */
    assert_true(t->raw_ci_low > 0.95 && t->raw_ci_high < 1.05); /* raw: no change */
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(e->note, VTB_COMPARE_NOTE_DISAGREE);
    assert_false(e->regression);
    assert_true(t->floor_moved);
    done(&p, &r);

    /* The floor 60% slower, the cell 20%: per floor faster, raw slower. */
    head[0] = floored("1", 10.0, 1.0);
    for (size_t k = 0; k < head[0].reps; k++) {
        head[0].floors[k] *= 1.6;
        head[0].samples[k] *= 1.2;
    }
    e = judge_one(base, head, NULL, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(e->note, VTB_COMPARE_NOTE_DISAGREE);
    done(&p, &r);
}

static void test_too_few_rounds_and_no_samples_are_unknown(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "0", 0, 1, 100.0, 0)};
    struct row head[] = {timed("pooled", "0", 0, 1, 500.0, 0)};
    struct pair p;
    struct vtb_compare_result r;
    const struct vtb_compare_entry *e = judge_one(base, head, NULL, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(e->note, VTB_COMPARE_NOTE_FEW_ROUNDS);
    assert_true(isnan(values_of(&r, e).ci_low));
    done(&p, &r);

    /* No samples.csv: nothing to build an interval from. */
    base[0] = timed("pooled", "0", 0, 10, 100.0, 0.01);
    head[0] = timed("pooled", "0", 0, 10, 300.0, 0.01);
    make_pair(&p, base, 1, head, 1, false);
    run_ok(&p, NULL, &r);
    e = entry(&r, "pooled", "0", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(e->note, VTB_COMPARE_NOTE_NO_SAMPLES);
    assert_false(e->regression);
    done(&p, &r);
}

/* Rounds marked used = false (disturbed) are not compared: here they are
 * the only slow ones. */
static void test_unused_rounds_are_left_out(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "1", 0, 8, 100.0, 0.01)};
    struct row head[] = {timed("pooled", "1", 0, 8, 100.0, 0.01)};
    head[0].samples[2] = head[0].samples[5] = 400;
    head[0].unused[2] = head[0].unused[5] = true;
    struct pair p;
    struct vtb_compare_result r;
    const struct vtb_compare_entry *e = judge_one(base, head, NULL, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SAME);
    assert_int_equal(vtb_compare_cell_time(&r, e->cell)->new_n, 6);
    done(&p, &r);

    /* With all but one left out, one usable round is too few. */
    for (size_t k = 1; k < head[0].reps; k++)
        head[0].unused[k] = true;
    e = judge_one(base, head, NULL, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(e->note, VTB_COMPARE_NOTE_FEW_ROUNDS);
    done(&p, &r);
}

/* samples.csv of older runs has no floor_ns and no used: the raw times of
 * every round are compared, on either side. */
static void test_old_samples_compare_raw_times(void **state)
{
    (void)state;
    struct row base[] = {floored("1", 10.0, 1.0)};
    struct row head[] = {floored("1", 10.0, 1.3)};
    char *text[4];
    render_as(base, 1, true, &text[0], &text[1]);
    render(head, 1, &text[2], &text[3]);
    struct pair p;
    struct vtb_compare_result r;
    make_pair_from(&p, text[0], text[1], text[2], text[3]);
    run_ok(&p, NULL, &r);
    const struct vtb_compare_entry *e = entry(&r, "pooled", "1", VTB_COMPARE_NS_PER_OP);
    const struct vtb_compare_time *t = vtb_compare_cell_time(&r, e->cell);
    assert_false(t->normalised);
    assert_true(isnan(t->floor_ratio));
    assert_int_equal(t->base_n, 8);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    done(&p, &r);
    for (size_t i = 0; i < 4; i++)
        free(text[i]);
}

/* The verdict of an interval, at its boundaries, for threshold 10%. */
static void test_time_verdict_of_intervals(void **state)
{
    (void)state;
    double lo = 1 / 1.1;
    assert_int_equal(vtb_compare_time_verdict(1.11, 1.5, 0.1), VTB_COMPARE_VERDICT_SLOWER);
    assert_int_equal(vtb_compare_time_verdict(1.09, 1.5, 0.1), VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(vtb_compare_time_verdict(0.5, 0.9, 0.1), VTB_COMPARE_VERDICT_FASTER);
    assert_int_equal(vtb_compare_time_verdict(0.5, lo + 1e-9, 0.1), VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(vtb_compare_time_verdict(lo, 1.1, 0.1), VTB_COMPARE_VERDICT_SAME);
    assert_int_equal(vtb_compare_time_verdict(0.95, 1.05, 0.1), VTB_COMPARE_VERDICT_SAME);
    assert_int_equal(vtb_compare_time_verdict(0.8, 1.3, 0.1), VTB_COMPARE_VERDICT_UNKNOWN);
    assert_int_equal(vtb_compare_time_verdict(NAN, NAN, 0.1), VTB_COMPARE_VERDICT_UNKNOWN);
    /* Wider thresholds move the boundaries. */
    assert_int_equal(vtb_compare_time_verdict(1.11, 1.19, 0.2), VTB_COMPARE_VERDICT_SAME);
}

static void test_time_gate_off_reports_slower(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "0", 0, 10, 100.0, 0.02)};
    struct row head[] = {timed("pooled", "0", 0, 10, 130.0, 0.02)};
    struct pair p;
    struct vtb_compare_result r;
    struct vtb_compare_options o;
    vtb_compare_options_default(&o);
    o.time_gate = false;
    o.fail_on_unknown = true;
    const struct vtb_compare_entry *e = judge_one(base, head, &o, &p, &r);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_false(e->regression);
    assert_int_equal(r.regressions, 0);
    done(&p, &r);
}

/* ---- The exact rule, the invariants, matching ---- */

static void test_added_allocation_is_caught(void **state)
{
    (void)state;
    struct row base[] = {timed("value-task", "0.8", 0, 5, 50.0, 0.01),
                         timed("value-task", "1", 1, 5, 10.0, 0.01)};
    struct row head[] = {timed("value-task", "0.8", 0, 5, 50.0, 0.01),
                         timed("value-task", "1", 1, 5, 10.0, 0.01)};
    base[0].allocs_per_op = head[0].allocs_per_op = 0.2;
    /* One more allocation per operation, e.g. a wrapper on every call. */
    head[0].allocs_per_op = 1.2;
    head[1].allocs_per_op = 1.0;
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 2, head, 2, true);
    run_ok(&p, NULL, &r);
    const struct vtb_compare_entry *e =
        entry(&r, "value-task", "0.8", VTB_COMPARE_ALLOCS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(e->regression);
    assert_true(fabs(values_of(&r, e).ratio - 6.0) < 1e-9);
    e = entry(&r, "value-task", "0.8", VTB_COMPARE_BYTES_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    e = entry(&r, "value-task", "1", VTB_COMPARE_ALLOCS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(isinf(values_of(&r, e).ratio)); /* from zero */
    /* The hit cell also breaks the invariant, whatever the base said. */
    size_t broken = 0;
    for (size_t i = 0; i < r.entry_count; i++)
        if (r.entries[i].invariant != 0 && r.entries[i].regression) {
            assert_non_null(strstr(vtb_compare_invariant_text(r.entries[i].invariant - 1u),
                                   "value-task allocates nothing"));
            struct vtb_compare_values v = values_of(&r, &r.entries[i]);
            assert_true(v.base == 0 && v.value == 1.0);
            broken++;
        }
    assert_int_equal(broken, 1);
    /* 3 metrics x 2 cells (allocs, bytes, requested bytes) + the invariant. */
    assert_int_equal(r.regressions, 7);
    /* Time did not move and is not involved. */
    assert_int_equal(entry(&r, "value-task", "1", VTB_COMPARE_NS_PER_OP)->verdict,
                     VTB_COMPARE_VERDICT_SAME);
    done(&p, &r);
}

/* A tiny change of a deterministic metric is a change: they are exact. */
static void test_exact_means_exact(void **state)
{
    (void)state;
    struct row base[] = {timed("alloc-task", "0.8", 0, 5, 50.0, 0.01)};
    struct row head[] = {timed("alloc-task", "0.8", 0, 5, 50.0, 0.01)};
    base[0].allocs_per_op = 1.0;
    head[0].allocs_per_op = 1.00001;
    head[0].pool_misses = 1; /* one miss in 50000 operations */
    head[0].errors = 1;
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 1, head, 1, true);
    run_ok(&p, NULL, &r);
    assert_int_equal(entry(&r, "alloc-task", "0.8", VTB_COMPARE_ALLOCS_PER_OP)->verdict,
                     VTB_COMPARE_VERDICT_SLOWER);
    const struct vtb_compare_entry *e =
        entry(&r, "alloc-task", "0.8", VTB_COMPARE_POOL_MISSES_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(fabs(values_of(&r, e).value - 1.0 / 50000) < 1e-15); /* per op of all rounds */
    assert_int_equal(entry(&r, "alloc-task", "0.8", VTB_COMPARE_ERRORS)->verdict,
                     VTB_COMPARE_VERDICT_SLOWER);
    vtb_compare_result_free(&r);

    /* A tolerance lets the allocation count through, not the rest (bytes,
     * requested bytes, pool misses, errors). */
    struct vtb_compare_options o;
    struct vtb_error err = {0};
    vtb_compare_options_default(&o);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "allocs_per_op=0.1%", &err), 0);
    run_ok(&p, &o, &r);
    assert_int_equal(entry(&r, "alloc-task", "0.8", VTB_COMPARE_ALLOCS_PER_OP)->verdict,
                     VTB_COMPARE_VERDICT_SAME);
    assert_int_equal(r.regressions, 4);
    done(&p, &r);
}

static void test_instructions_tolerance(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "0", 0, 1, 9000.0, 0), timed("pooled", "1", 1, 1, 900, 0)};
    struct row head[] = {timed("pooled", "0", 0, 1, 7000.0, 0), timed("pooled", "1", 1, 1, 950, 0)};
    base[0].instructions = 1000;
    head[0].instructions = 1009; /* within 1% */
    base[1].instructions = 400;
    head[1].instructions = 410; /* 2.5% more */
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 2, head, 2, true);
    run_ok(&p, NULL, &r);
    assert_int_equal(entry(&r, "pooled", "0", VTB_COMPARE_INSTRUCTIONS_PER_OP)->verdict,
                     VTB_COMPARE_VERDICT_SAME);
    const struct vtb_compare_entry *e = entry(&r, "pooled", "1", VTB_COMPARE_INSTRUCTIONS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_int_equal(e->note, VTB_COMPARE_NOTE_TOLERANCE);
    assert_true(e->regression);
    /* Times under valgrind are not compared at all. */
    e = entry(&r, "pooled", "0", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SKIPPED);
    assert_int_equal(e->note, VTB_COMPARE_NOTE_INSTRUCTIONS);
    assert_false(e->regression);
    assert_int_equal(r.regressions, 1);
    vtb_compare_result_free(&r);

    struct vtb_compare_options o;
    struct vtb_error err = {0};
    vtb_compare_options_default(&o);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "instructions_per_op=0.03", &err), 0);
    run_ok(&p, &o, &r);
    assert_int_equal(r.regressions, 0);
    done(&p, &r);

    /* Counted in base but not in new: the gate lost its data. */
    head[0].instructions = head[1].instructions = NAN;
    make_pair(&p, base, 2, head, 2, true);
    run_ok(&p, NULL, &r);
    e = entry(&r, "pooled", "0", VTB_COMPARE_INSTRUCTIONS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_MISSING);
    assert_true(e->regression);
    done(&p, &r);
}

static void test_rows_matched_by_identity(void **state)
{
    (void)state;
    struct row base[] = {timed("alloc-task", "0", 0, 5, 300, 0.01),
                         timed("value-task", "0", 1, 5, 280, 0.01),
                         timed("alloc-task", "1", 2, 5, 30, 0.01)};
    base[0].allocs_per_op = 1;
    base[1].allocs_per_op = 1;
    base[2].allocs_per_op = 1;
    /* Same cells in another order, with other cell indexes. */
    struct row head[] = {base[2], base[0], base[1]};
    head[0].cell_index = 0;
    head[1].cell_index = 1;
    head[2].cell_index = 2;
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 3, head, 3, true);
    run_ok(&p, NULL, &r);
    assert_int_equal(r.matched, 3);
    assert_int_equal(r.base_only + r.new_only, 0);
    assert_int_equal(r.regressions, 0);
    assert_int_equal(r.verdicts[VTB_COMPARE_VERDICT_SLOWER], 0);
    assert_int_equal(r.verdicts[VTB_COMPARE_VERDICT_FASTER], 0);
    /* Every round met its own row: each cell's times are the same. */
    assert_int_equal(r.verdicts[VTB_COMPARE_VERDICT_UNKNOWN], 0);
    /* Labels name only what varies: the hit ratio (impl has its own field). */
    char label[256];
    assert_string_equal(vtb_compare_cell_label(&r, 0, label, sizeof(label)), "hit_ratio=0");
    assert_string_equal(vtb_compare_cell_impl(&r, 0), "alloc-task");
    assert_string_equal(vtb_compare_cell_scenario(&r, 0), "synthetic");
    assert_int_equal(r.cells[0].new_row, 1);
    assert_int_equal(vtb_compare_cell_line(&r, 0, false), 3);
    assert_int_equal(vtb_compare_cell_line(&r, 0, true), 2);
    /* A label cut short stays a string. */
    assert_string_equal(vtb_compare_cell_label(&r, 0, label, 6), "hit_r");
    done(&p, &r);
}

static void test_one_sided_cells_are_reported(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "0", 0, 5, 100, 0.01), timed("pooled", "0.5", 1, 5, 60, 0.01)};
    struct row head[] = {timed("pooled", "0.5", 0, 5, 60, 0.01), timed("pooled", "1", 1, 5, 10, 0.01)};
    head[1].allocs_per_op = 2; /* checked by the invariant even without a base */
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 2, head, 2, true);
    run_ok(&p, NULL, &r);
    assert_int_equal(r.matched, 1);
    assert_int_equal(r.base_only, 1);
    assert_int_equal(r.new_only, 1);
    assert_int_equal(r.cell_count, 3);
    char label[256];
    assert_string_equal(vtb_compare_cell_label(&r, 0, label, sizeof(label)), "hit_ratio=0");
    assert_int_equal(r.cells[0].new_row, -1);
    assert_null(vtb_compare_cell_time(&r, 0));
    assert_int_equal(vtb_compare_cell_line(&r, 0, true), 2);
    assert_int_equal(vtb_compare_cell_line(&r, 0, false), 0);
    assert_string_equal(vtb_compare_cell_label(&r, 2, label, sizeof(label)), "hit_ratio=1");
    assert_int_equal(r.cells[2].base_row, -1);
    assert_int_equal(vtb_compare_cell_line(&r, 2, false), 3);
    assert_int_equal(r.regressions, 1); /* the invariant, nothing else */
    done(&p, &r);

    /* Nothing in common is an error, not a pass. */
    struct row other[] = {timed("pooled", "0.9", 0, 5, 100, 0.01)};
    make_pair(&p, base, 1, other, 1, true);
    struct vtb_error err = {0};
    assert_int_equal(vtb_compare_run(&p.base, &p.head, NULL, &r, &err), VTB_EINVAL);
    assert_string_equal(err.message, "base/results.csv and new/results.csv have no cell in "
                                     "common (different scenarios or axes?)");
    free_pair(&p);
}

/* The median time of generated row i: distinct enough that a round joined
 * to the wrong row shows. */
static double large_value(size_t i)
{
    return 100.0 + (double)(i % 997) * 0.5;
}

/*
 * 20000 generated cells against a shuffled copy with other cell indexes,
 * some cells dropped, some added and some allocation counts changed: every
 * row must meet its own cell, and every round its own row (each row's
 * times are its own).
 */
static void test_large_comparison_matches_every_row(void **state)
{
    (void)state;
    enum { N = 20000, DROP_EVERY = 101, BUMP_EVERY = 13, EXTRA = 50 };
    static const char *const impls[] = {"alloc-task", "value-task", "pooled"};
    static const char *const hits[] = {"0", "0.8", "1"};
    struct row *base = calloc(N, sizeof(*base)), *head = calloc(N + EXTRA, sizeof(*head));
    assert_non_null(base);
    assert_non_null(head);
    for (size_t i = 0; i < N; i++) {
        base[i] = timed(impls[i % 3], hits[(i / 3) % 3], (unsigned)(i / 3), 5, large_value(i),
                        0.01);
        base[i].keys = 1024 + (unsigned)(i / 9);
        base[i].allocs_per_op = i % 3 == 0 ? 1 : 0;
    }
    /* The new side: base backwards, without every DROP_EVERY-th row, with
     * EXTRA cells of its own, each row under its own new cell index. */
    size_t nh = 0, dropped = 0, bumped = 0;
    for (size_t k = N; k-- > 0;) {
        if (k % DROP_EVERY == 0) {
            dropped++;
            continue;
        }
        head[nh] = base[k];
        head[nh].cell_index = (unsigned)nh;
        if (k % BUMP_EVERY == 0) {
            head[nh].allocs_per_op += 1;
            bumped++;
        }
        nh++;
    }
    for (size_t j = 0; j < EXTRA; j++, nh++) {
        head[nh] = timed("pooled", "1", (unsigned)nh, 5, 10, 0.01);
        head[nh].keys = 900000 + (unsigned)j;
    }
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, N, head, nh, true);
    run_ok(&p, NULL, &r);
    assert_int_equal(r.matched, N - dropped);
    assert_int_equal(r.base_only, dropped);
    assert_int_equal(r.new_only, EXTRA);
    assert_int_equal(r.cell_count, N + EXTRA);

    size_t allocs_slower = 0, times = 0;
    for (size_t c = 0; c < r.cell_count; c++) {
        const struct vtb_compare_cell *cell = &r.cells[c];
        if (cell->base_row < 0 || cell->new_row < 0) {
            /* Exactly the dropped rows and the added ones are alone. */
            assert_true(cell->base_row < 0 ? cell->new_row >= (int32_t)(nh - EXTRA)
                                           : cell->base_row % DROP_EVERY == 0);
            continue;
        }
        assert_int_equal(cell->base_row, (int32_t)c); /* base order */
        for (size_t k = 0; k < p.base.key_count; k++)
            assert_string_equal(vtb_compare_side_key(&p.base, (size_t)cell->base_row, k),
                                vtb_compare_side_key(&p.head, (size_t)cell->new_row, k));
        assert_int_equal(vtb_compare_cell_line(&r, c, false), (size_t)cell->new_row + 2);
        /* The new row's rounds are its base row's: the same times. */
        const struct vtb_compare_row *hr = &p.head.rows[cell->new_row];
        assert_int_equal(hr->rounds, 5);
        double lowest = hr->ns[0];
        for (size_t k = 1; k < hr->rounds; k++)
            lowest = hr->ns[k] < lowest ? hr->ns[k] : lowest;
        assert_true(fabs(lowest - large_value((size_t)cell->base_row) * 0.99) < 1e-6);
    }
    for (size_t i = 0; i < r.entry_count; i++) {
        const struct vtb_compare_entry *e = &r.entries[i];
        if (e->invariant != 0)
            continue;
        if (e->metric == VTB_COMPARE_NS_PER_OP) {
            struct vtb_compare_values v = values_of(&r, e);
            double expected = large_value((size_t)r.cells[e->cell].base_row);
            assert_true(fabs(v.base - expected) < 1e-9);
            assert_true(fabs(v.value - expected) < 1e-9);
            assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SAME);
            times++;
        } else if (e->metric == VTB_COMPARE_ALLOCS_PER_OP &&
                   e->verdict == VTB_COMPARE_VERDICT_SLOWER) {
            assert_int_equal(r.cells[e->cell].base_row % BUMP_EVERY, 0);
            allocs_slower++;
        }
    }
    assert_int_equal(times, r.matched);
    assert_int_equal(allocs_slower, bumped);
    done(&p, &r);
    free(base);
    free(head);
}

/* ---- Refusals ---- */

/* Expects the texts to be refused with VTB_ESYNTAX and exactly message,
 * on whichever side holds the fault. */
static void expect_refused(const char *base_results, const char *base_samples,
                           const char *new_results, const char *new_samples,
                           const char *message)
{
    struct vtb_compare_side b, h;
    struct vtb_error err = {0};
    int rc = side_of(&b, base_results, base_samples, "base", &err);
    if (rc == 0) {
        rc = side_of(&h, new_results, new_samples, "new", &err);
        if (rc == 0)
            vtb_compare_side_free(&h);
        vtb_compare_side_free(&b);
    }
    if (rc != VTB_ESYNTAX || strcmp(err.message, message) != 0)
        fail_msg("got %d '%s', expected VTB_ESYNTAX '%s'", rc, err.message, message);
}

static void expect_accepted(const char *base_results, const char *base_samples,
                            const char *new_results, const char *new_samples)
{
    struct pair p;
    struct vtb_compare_result r;
    make_pair_from(&p, base_results, base_samples, new_results, new_samples);
    run_ok(&p, NULL, &r);
    done(&p, &r);
}

static void test_bad_numbers_name_file_and_line(void **state)
{
    (void)state;
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01), timed("pooled", "1", 1, 5, 10, 0.01)};
    char *results, *samples;
    render(rows, 2, &results, &samples);
    char *bad = with_field(results, 3, "allocs_per_op", "1x");
    expect_refused(bad, samples, results, NULL, "base/results.csv:3: allocs_per_op: not a number: '1x'");
    free(bad);
    bad = with_field(samples, 4, "repetition", "two");
    expect_refused(results, samples, results, bad,
                   "new/samples.csv:4: repetition: not a number: 'two'");
    free(bad);
    /* Numbers are plain decimal, as vtbench writes them: hexadecimal, a
     * leading space or '+' (all of which strtod reads) are refused. */
    static const char *const not_plain[] = {"0x10", " 16", "+16", "016", "1.", ".5"};
    for (size_t i = 0; i < ARRAY_SIZE(not_plain); i++) {
        char expected[256];
        bad = with_field(results, 2, "ns_per_op", not_plain[i]);
        snprintf(expected, sizeof(expected),
                 "new/results.csv:2: ns_per_op: '%s' is not a plain decimal number (as vtbench "
                 "writes one: no hexadecimal, spaces or signs beyond a leading '-')",
                 not_plain[i]);
        expect_refused(results, samples, bad, samples, expected);
        free(bad);
    }
    bad = with_field(results, 3, "hit_ratio_target", "0x1");
    expect_refused(bad, samples, results, samples,
                   "base/results.csv:3: hit_ratio_target: '0x1' is not a plain decimal number "
                   "(as vtbench writes one: no hexadecimal, spaces or signs beyond a leading '-')");
    free(bad);
    bad = with_field(samples, 4, "repetition", "0x1");
    expect_refused(results, bad, results, samples,
                   "base/samples.csv:4: repetition: '0x1' is not a plain decimal number (as "
                   "vtbench writes one: no hexadecimal, spaces or signs beyond a leading '-')");
    free(bad);
    /* What vtbench writes is read: exponents, a leading '-' of a time it
     * would refuse as negative anyway, an empty field. */
    bad = with_field(results, 2, "ns_per_op", "1.5e+02");
    expect_accepted(results, samples, bad, samples);
    free(bad);
    bad = with_field(samples, 4, "used", "maybe");
    expect_refused(results, bad, results, samples,
                   "base/samples.csv:4: used: 'maybe' is not true or false");
    free(bad);
    free(results);
    free(samples);
}

/* A metric column vtbench always writes, missing on either side, is
 * refused: the gate would otherwise give that metric n/a for every cell
 * and pass whatever it became (a baseline without allocs_per_op let any
 * new allocation through). */
static void test_missing_metric_column_is_refused(void **state)
{
    (void)state;
    static const char *const columns[] = {"allocs_per_op", "bytes_per_op",
                                          "requested_bytes_per_op", "pool_misses", "errors",
                                          "value_mismatches", "instructions_per_op", "ns_per_op"};
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01)};
    char *results, *samples;
    render(rows, 1, &results, &samples);
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        char *bad = with_field(results, 1, columns[i], "gone"), expected[128];
        snprintf(expected, sizeof(expected), "base/results.csv:1: missing column '%s'",
                 columns[i]);
        expect_refused(bad, samples, results, samples, expected);
        snprintf(expected, sizeof(expected), "new/results.csv:1: missing column '%s'",
                 columns[i]);
        expect_refused(results, samples, bad, samples, expected);
        free(bad);
    }
    free(results);
    free(samples);
}

/* A numeric axis is matched by its value, not its spelling: "0.0" and "0",
 * "0.50" and "5e-1", "1" and "1.000" are one cell (a hand-edited or
 * re-exported file must not turn every cell into "only in base"). */
static void test_numeric_axes_match_by_value(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "0.0", 0, 5, 100, 0.01),
                         timed("pooled", "0.50", 1, 5, 100, 0.01),
                         timed("pooled", "1", 2, 5, 100, 0.01)};
    struct row head[] = {timed("pooled", "0", 0, 5, 100, 0.01),
                         timed("pooled", "5e-1", 1, 5, 100, 0.01),
                         timed("pooled", "1.000", 2, 5, 100, 0.01)};
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 3, head, 3, true);
    run_ok(&p, NULL, &r);
    assert_int_equal(r.matched, 3);
    assert_int_equal(r.base_only + r.new_only, 0);
    assert_int_equal(r.regressions, 0);
    char label[256];
    assert_string_equal(vtb_compare_cell_label(&r, 0, label, sizeof(label)), "hit_ratio=0");
    assert_string_equal(vtb_compare_cell_label(&r, 1, label, sizeof(label)), "hit_ratio=0.5");
    done(&p, &r);
}

/* Without one identifying column the rows cannot say which cell they are;
 * matching on the rest would pair different cells. Every column the key
 * table marks for comparison is one, and so are scenario and impl. */
static void test_missing_identifying_column_is_refused(void **state)
{
    (void)state;
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01)};
    char *results, *samples;
    render(rows, 1, &results, &samples);
    const char *columns[VTB_COMPARE_KEY_MAX], *names[VTB_COMPARE_KEY_MAX];
    size_t n = vtb_compare_identity(columns, names);
    assert_true(n >= 2 + 5); /* scenario, impl and the axes */
    assert_string_equal(columns[0], "scenario");
    assert_string_equal(columns[1], "impl");
    bool threads = false;
    for (size_t i = 0; i < n; i++) {
        threads = threads || strcmp(columns[i], "threads") == 0;
        char *bad = with_field(results, 1, columns[i], "renamed"), expected[256];
        snprintf(expected, sizeof(expected),
                 "base/results.csv:1: missing column '%s', which identifies a cell: rows "
                 "cannot be matched without it",
                 columns[i]);
        expect_refused(bad, i > 1 ? samples : NULL, results, samples, expected);
        snprintf(expected, sizeof(expected),
                 "new/results.csv:1: missing column '%s', which identifies a cell: rows "
                 "cannot be matched without it",
                 columns[i]);
        expect_refused(results, samples, bad, NULL, expected);
        free(bad);
    }
    assert_true(threads); /* the case */
    /* ops and repetitions divide the per-operation figures. */
    char *bad = with_field(results, 1, "ops", "op");
    expect_refused(bad, NULL, results, NULL, "base/results.csv:1: missing column 'ops'");
    free(bad);
    expect_accepted(results, samples, results, samples);
    free(results);
    free(samples);
}

/* A cell given twice in one file is refused, naming both lines; rows that
 * differ in any one axis are different cells. */
static void test_duplicate_rows_are_refused(void **state)
{
    (void)state;
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01),
                         timed("pooled", "1", 1, 5, 10, 0.01),
                         timed("pooled", "0", 2, 5, 100, 0.01)};
    char *good, *good_samples, *dup, *dup_samples;
    render(rows, 2, &good, &good_samples);
    render(rows, 3, &dup, &dup_samples);
    expect_refused(dup, dup_samples, good, good_samples,
                   "base/results.csv:4: duplicate row: the same cell (scenario 'synthetic', "
                   "impl 'pooled', every axis alike) as line 2; a cell may appear once");
    /* Without samples too: the identity alone decides. */
    expect_refused(good, NULL, dup, NULL,
                   "new/results.csv:4: duplicate row: the same cell (scenario 'synthetic', "
                   "impl 'pooled', every axis alike) as line 2; a cell may appear once");
    free(dup);
    free(dup_samples);

    /* Another keys value is another cell. */
    rows[2].keys = 2048;
    render(rows, 3, &dup, &dup_samples);
    expect_accepted(dup, dup_samples, dup, dup_samples);
    free(dup);
    free(dup_samples);

    /* Two cells under one cell_index: samples.csv could not tell them
     * apart, so they are refused when there are samples to join. */
    rows[2].cell_index = 0;
    render(rows, 3, &dup, &dup_samples);
    expect_accepted(dup, NULL, dup, NULL);
    expect_refused(dup, NULL, dup, dup_samples,
                   "new/results.csv:4: the same scenario, impl and cell_index as line 2: "
                   "samples.csv cannot tell the two rows apart");
    free(dup);
    free(dup_samples);
    free(good);
    free(good_samples);
}

/* A negative or non-finite count, size or time cannot be judged (a
 * negative allocation count would read as "faster"); empty is "not
 * measured" and fine. */
static void test_bad_figures_are_refused(void **state)
{
    (void)state;
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01),
                         timed("pooled", "1", 1, 5, 10, 0.01)};
    rows[1].floors[0] = rows[1].floors[1] = 5;
    char *results, *samples;
    render(rows, 2, &results, &samples);
    static const struct {
        const char *column, *value;
    } cases[] = {
        {"allocs_per_op", "-1"},
        {"bytes_per_op", "inf"},
        {"requested_bytes_per_op", "-0.5"},
        {"pool_misses", "-3"},
        {"ops", "-10000"},
        {"errors", "nan"},
        {"value_mismatches", "-1"},
        {"instructions_per_op", "-inf"},
        {"ns_per_op", "NaN"},
        {"ns_per_op_median", "inf"},
        {"floor_ns_per_hit", "-1e-9"},
        {"repetitions", "-5"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *bad = with_field(results, 3, cases[i].column, cases[i].value), expected[256];
        snprintf(expected, sizeof(expected),
                 "base/results.csv:3: %s: '%s' is negative or not finite (expected a number >= 0, "
                 "or an empty field when not measured)",
                 cases[i].column, cases[i].value);
        expect_refused(bad, samples, results, samples, expected);
        snprintf(expected, sizeof(expected),
                 "new/results.csv:3: %s: '%s' is negative or not finite (expected a number >= 0, "
                 "or an empty field when not measured)",
                 cases[i].column, cases[i].value);
        expect_refused(results, samples, bad, NULL, expected);
        free(bad);
    }
    /* A time or a floor of one round in samples.csv. */
    char *bad = with_field(samples, 3, "ns_per_op", "-99");
    expect_refused(results, samples, results, bad,
                   "new/samples.csv:3: ns_per_op: '-99' is negative or not finite (expected a "
                   "number >= 0, or an empty field when not measured)");
    free(bad);
    bad = with_field(samples, 8, "ns_per_op", "nan");
    expect_refused(results, bad, results, samples,
                   "base/samples.csv:8: ns_per_op: 'nan' is negative or not finite (expected a "
                   "number >= 0, or an empty field when not measured)");
    free(bad);
    bad = with_field(samples, 7, "floor_ns", "-inf");
    expect_refused(results, bad, results, samples,
                   "base/samples.csv:7: floor_ns: '-inf' is negative or not finite (expected a "
                   "number >= 0, or an empty field when not measured)");
    free(bad);

    /* Empty is "not measured", and zero (even written -0) is a figure. */
    bad = with_field(results, 3, "allocs_per_op", "");
    expect_accepted(bad, samples, results, samples);
    free(bad);
    bad = with_field(samples, 3, "ns_per_op", "");
    expect_accepted(results, bad, results, samples);
    free(bad);
    bad = with_field(results, 2, "pool_misses", "-0");
    expect_accepted(results, samples, bad, samples);
    free(bad);
    free(results);
    free(samples);
}

/* One round of one cell given twice in samples.csv is refused; a sample
 * of no results row is ignored. */
static void test_duplicate_samples_are_refused(void **state)
{
    (void)state;
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01),
                         timed("pooled", "1", 1, 5, 10, 0.01)};
    char *results, *samples;
    render(rows, 2, &results, &samples);
    /* Lines 2-6 are cell 0's rounds 0-4; line 12 is appended. */
    char *dup = with_line(samples, "synthetic,0,pooled,3,100.000,,false,true\r\n");
    expect_refused(results, dup, results, samples,
                   "base/samples.csv:12: duplicate sample: scenario 'synthetic', impl 'pooled', "
                   "cell_index 0, repetition 3 as on line 5");
    free(dup);
    /* Numbers are compared as numbers, and a round left out is a round. */
    dup = with_line(samples, "synthetic,0.0,pooled,3e0,100.000,,true,false\r\n");
    expect_refused(results, samples, results, dup,
                   "new/samples.csv:12: duplicate sample: scenario 'synthetic', impl 'pooled', "
                   "cell_index 0.0, repetition 3e0 as on line 5");
    free(dup);

    /* Samples of a cell the results do not have are ignored... */
    char *stray = with_line(samples, "synthetic,99,pooled,0,5.000,,false,true\r\n");
    struct pair p;
    struct vtb_compare_result r;
    make_pair_from(&p, results, stray, results, samples);
    run_ok(&p, NULL, &r);
    const struct vtb_compare_entry *e = entry(&r, "pooled", "0", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(vtb_compare_cell_time(&r, e->cell)->base_n, 5);
    assert_int_equal(vtb_compare_cell_time(&r, e->cell)->new_n, 5);
    done(&p, &r);
    /* ... but not when they repeat themselves. */
    dup = with_line(stray, "synthetic,99,pooled,0,6.000,,false,true\r\n");
    expect_refused(results, dup, results, samples,
                   "base/samples.csv:13: duplicate sample: scenario 'synthetic', impl 'pooled', "
                   "cell_index 99, repetition 0 as on line 12");
    free(dup);
    free(stray);

    /* Another impl or scenario is another sample. */
    dup = with_line(samples, "synthetic,0,alloc-task,3,100.000,,false,true\r\n"
                             "other,0,pooled,3,100.000,,false,true\r\n");
    expect_accepted(results, dup, results, samples);
    free(dup);
    free(results);
    free(samples);
}

/* ---- Runs on disk, baselines, the command line ---- */

/* A fresh directory for files; removed with its files by rm_dir. */
static void make_dir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/vtb-compare-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The whole of a file (caller frees). */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("%s: cannot open", path);
    char *text = malloc(1 << 20);
    assert_non_null(text);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void rm_dir(const char *dir)
{
    char command[600];
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

/* context.json of a complete run of one cell and one implementation, with
 * what vtbench always writes there (run_input checks it against the files:
 * one results row, its repetitions' rounds in samples.csv). */
#define COMPLETE_CONTEXT(instructions)                                                      \
    "{\n  \"complete\": true,\n  \"status\": \"complete\",\n  \"outputs\": [{\"reporter\": " \
    "\"csv\", \"ok\": true}, {\"reporter\": \"samples\", \"ok\": true}],\n  \"scenario\": "    \
    "\"q\",\n  \"cell_count\": 1,\n  \"impl_count\": 1,\n  \"instructions_mode\": " instructions \
    ",\n  \"cells_done\": 1\n}\n"
static const char complete_context[] = COMPLETE_CONTEXT("false");

/* Writes rows as a run: dir/results.csv, samples.csv and, unless NULL,
 * context.json with context as its text. */
static void write_run(const char *dir, const struct row *rows, size_t n, const char *context)
{
    char *results, *samples;
    render(rows, n, &results, &samples);
    write_text(dir, "results.csv", results);
    write_text(dir, "samples.csv", samples);
    if (context != NULL)
        write_text(dir, "context.json", context);
    free(results);
    free(samples);
}

/* Loads path as a side; returns the code, with the message in err. */
static int load(const char *path, unsigned flags, struct vtb_compare_side *s,
                struct vtb_error *err)
{
    int rc = vtb_compare_side_load(s, path, flags, err);
    if (rc != 0)
        assert_null(strchr(err->message, '\n')); /* a refusal is one line */
    return rc;
}

static void expect_load_fails(const char *path, int code, const char *message)
{
    struct vtb_compare_side s;
    struct vtb_error err = {0};
    int rc = load(path, 0, &s, &err);
    if (rc == 0)
        vtb_compare_side_free(&s);
    if (rc != code || strstr(err.message, message) == NULL)
        fail_msg("%s: got %d '%s', expected %d '%s'", path, rc, err.message, code, message);
}

/* The identifying columns of a results file and a row of them, for files
 * written by hand. */
static void identity_line(char *buf, size_t size, bool header, const char *skip)
{
    const char *columns[VTB_COMPARE_KEY_MAX], *names[VTB_COMPARE_KEY_MAX];
    size_t n = vtb_compare_identity(columns, names), used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        if (skip != NULL && strcmp(columns[k], skip) == 0)
            continue;
        const char *text = header ? columns[k] : k == 0 ? "q" : k == 1 ? "pooled" : "1";
        used += (size_t)snprintf(buf + used, size - used, "%s%s", used > 0 ? "," : "", text);
    }
}

static void test_malformed_files(void **state)
{
    (void)state;
    char dir[64], path[256], header[512], row[512], text[1200];
    make_dir(dir, sizeof(dir));
    write_text(dir, "context.json", complete_context);

    write_text(dir, "results.csv", "scenario,impl,ops,repetitions\r\nq,pooled,1,1\r\n\"q,x\r\n");
    snprintf(path, sizeof(path), "%s/results.csv:4: unterminated quoted field (opened on line 3)",
             dir);
    expect_load_fails(dir, VTB_ESYNTAX, path);

    identity_line(header, sizeof(header), true, NULL);
    identity_line(row, sizeof(row), false, NULL);
    snprintf(text, sizeof(text), "%s,cell_index,repetitions\r\n%s,0,1\r\n", header, row);
    write_text(dir, "results.csv", text);
    snprintf(path, sizeof(path), "%s/results.csv:1: missing column 'ops'", dir);
    expect_load_fails(dir, VTB_ESYNTAX, path);

    /* An identifying column missing (here load, an axis older files lack)
     * is refused on loading, before any matching. */
    identity_line(header, sizeof(header), true, "load");
    identity_line(row, sizeof(row), false, "load");
    snprintf(text, sizeof(text), "%s,cell_index,ops,repetitions\r\n%s,0,1,1\r\n", header, row);
    write_text(dir, "results.csv", text);
    snprintf(path, sizeof(path),
             "%s/results.csv:1: missing column 'load', which identifies a cell: rows cannot be "
             "matched without it",
             dir);
    expect_load_fails(dir, VTB_ESYNTAX, path);

    /* A good results file with broken samples beside it. */
    identity_line(header, sizeof(header), true, NULL);
    identity_line(row, sizeof(row), false, NULL);
    snprintf(text, sizeof(text),
             "%s,cell_index,ops,repetitions,ns_per_op,allocs_per_op,bytes_per_op,"
             "requested_bytes_per_op,pool_misses,errors,value_mismatches,instructions_per_op"
             "\r\n%s,0,1,1,5,0,0,0,0,0,0,\r\n",
             header, row);
    write_text(dir, "results.csv", text);
    write_text(dir, "samples.csv", "scenario,cell_index,impl,repetition,ns_per_op\r\nq,0\r\n");
    snprintf(path, sizeof(path), "%s/samples.csv:2: row has 2 fields, the header has 5", dir);
    expect_load_fails(dir, VTB_ESYNTAX, path);
    /* A samples file must say which round each time is. */
    write_text(dir, "samples.csv", "scenario,cell_index,impl,ns_per_op\r\nq,0,pooled,5\r\n");
    snprintf(path, sizeof(path), "%s/samples.csv:1: missing column 'repetition'", dir);
    expect_load_fails(dir, VTB_ESYNTAX, path);

    snprintf(path, sizeof(path), "%s/none", dir);
    expect_load_fails(path, VTB_ENOTFOUND, "no such run or file");
    rm_dir(dir);
}

/* A byte-order mark (a spreadsheet's export) before results.csv's or
 * context.json's first byte is read through, not taken for part of the
 * first column's name or for a corrupt file. */
static void test_byte_order_mark_is_read_through(void **state)
{
    (void)state;
    char dir[64], path[256];
    make_dir(dir, sizeof(dir));
    struct row rows[] = {timed("pooled", "1", 0, 5, 10, 0.01)};
    char *results, *samples, *marked;
    render(rows, 1, &results, &samples);
    marked = malloc(strlen(results) + 4);
    assert_non_null(marked);
    snprintf(marked, strlen(results) + 4, "\xEF\xBB\xBF%s", results);
    /* The baseline layout: NAME.csv, NAME.samples.csv, NAME.context.json. */
    write_text(dir, "base.csv", marked);
    write_text(dir, "base.samples.csv", samples);
    write_text(dir, "base.context.json", "\xEF\xBB\xBF" COMPLETE_CONTEXT("false"));
    snprintf(path, sizeof(path), "%s/base.csv", dir);
    struct vtb_compare_side a, b;
    struct vtb_error err = {0};
    if (load(path, 0, &a, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(a.state, VTB_RUN_COMPLETE);
    assert_non_null(strstr(a.samples_path, "base.samples.csv"));
    assert_string_equal(vtb_compare_side_key(&a, 0, 0), "synthetic");
    if (load(path, 0, &b, &err) != 0)
        fail_msg("%s", err.message);
    struct vtb_compare_result r;
    assert_int_equal(vtb_compare_run(&a, &b, NULL, &r, &err), 0);
    assert_int_equal(r.matched, 1);
    assert_int_equal(r.regressions, 0);
    vtb_compare_result_free(&r);
    vtb_compare_side_free(&a);
    vtb_compare_side_free(&b);
    free(results);
    free(samples);
    free(marked);
    rm_dir(dir);
}

/* What run_input decides, as the gate sees it: only a run whose
 * context.json says complete passes; the rest is refused in one line
 * that says why, or taken as it is when allowed. */
static void test_runs_that_are_not_complete_are_refused(void **state)
{
    (void)state;
    char dir[64], path[256];
    make_dir(dir, sizeof(dir));
    struct row rows[] = {timed("pooled", "1", 0, 5, 10, 0.01)};
    write_run(dir, rows, 1, NULL);
    expect_load_fails(dir, VTB_EINVAL, "not a complete run: no context.json beside");
    expect_load_fails(dir, VTB_EINVAL, "refused (pass --allow-incomplete");
    struct vtb_compare_side s;
    struct vtb_error err = {0};
    assert_int_equal(load(dir, VTB_RUN_INPUT_ALLOW_INCOMPLETE, &s, &err), 0);
    assert_int_equal(s.state, VTB_RUN_UNKNOWN);
    assert_non_null(strstr(s.reason, "nothing says the run completed"));
    assert_int_equal(s.row_count, 1);
    vtb_compare_side_free(&s);

    write_text(dir, "context.json", "{\"complete\": false, \"incomplete_reason\": \"1 of 3 cells "
                                    "done: interrupted by SIGINT\"}\n");
    expect_load_fails(dir, VTB_EINVAL, "not a complete run: 1 of 3 cells done: interrupted");
    assert_int_equal(load(dir, VTB_RUN_INPUT_ALLOW_INCOMPLETE, &s, &err), 0);
    assert_int_equal(s.state, VTB_RUN_INCOMPLETE);
    vtb_compare_side_free(&s);

    write_text(dir, "context.json", "{\"complete\": tru");
    expect_load_fails(dir, VTB_EINVAL, "corrupt context.json");
    write_text(dir, "context.json", "{\"scenario\": \"q\"}\n");
    expect_load_fails(dir, VTB_EINVAL, "corrupt context.json");
    write_text(dir, "context.json", "{\"complete\": \"yes\"}\n");
    expect_load_fails(dir, VTB_EINVAL, "corrupt context.json");
    write_text(dir, "context.json", complete_context);
    assert_int_equal(load(dir, 0, &s, &err), 0);
    assert_int_equal(s.state, VTB_RUN_COMPLETE);
    assert_string_equal(s.reason, "");
    vtb_compare_side_free(&s);
    /* The results file named directly finds its context beside it. */
    snprintf(path, sizeof(path), "%s/results.csv", dir);
    assert_int_equal(load(path, 0, &s, &err), 0);
    vtb_compare_side_free(&s);

    /* A baseline without NAME.context.json (saved before baselines kept
     * one) is refused the same way, and the message says how to mend it. */
    char *results, *samples;
    render(rows, 1, &results, &samples);
    write_text(dir, "old.csv", results);
    snprintf(path, sizeof(path), "%s/old.csv", dir);
    expect_load_fails(path, VTB_EINVAL, "no old.context.json beside it");
    expect_load_fails(path, VTB_EINVAL, "save it again with vtbench baseline");
    free(results);
    free(samples);
    rm_dir(dir);
}

/* One value written several ways gets one axis text, and the shortcut for
 * texts already in shortest form agrees with the formatting it skips: every
 * spelling of a value (fixed with 1 to 6 decimals when exact, %g, %.17g,
 * %e) matches every other, over values like the axes hold. */
static void test_axis_text_spellings(void **state)
{
    (void)state;
    static const char *const formats[] = {"%.17g", "%g", "%e", "%.1f", "%.2f", "%.3f", "%.6f"};
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* 1 to 6 significant digits, scaled by 10^-6 .. 10^6, either sign. */
        int digits = 1 + (int)(x % 6);
        int scale = (int)((x >> 8) % 13) - 6;
        double mantissa = (double)((x >> 16) % 1000000u);
        double v = mantissa / pow(10.0, 6 - digits) * pow(10.0, scale);
        if ((x >> 40) & 1)
            v = -v;
        char first[40], text[40], buf[40], canon[40];
        snprintf(first, sizeof(first), "%.17g", v);
        snprintf(canon, sizeof(canon), "%s", vtb__compare_axis_text(first, buf, sizeof(buf)));
        for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
            snprintf(text, sizeof(text), formats[f], v);
            if (strtod(text, NULL) != v)
                continue; /* a rounded spelling is another value */
            const char *got = vtb__compare_axis_text(text, buf, sizeof(buf));
            if (strcmp(got, canon) != 0)
                fail_msg("%s and %s (both %.17g) gave %s and %s", first, text, v, canon, got);
        }
    }
    char buf[40];
    assert_string_equal(vtb__compare_axis_text("0.0", buf, sizeof(buf)), "0");
    assert_string_equal(vtb__compare_axis_text("-0", buf, sizeof(buf)), "0");
    assert_string_equal(vtb__compare_axis_text("0.50", buf, sizeof(buf)), "0.5");
    assert_string_equal(vtb__compare_axis_text("1e3", buf, sizeof(buf)), "1000");
    assert_string_equal(vtb__compare_axis_text("0.8", buf, sizeof(buf)), "0.8");
    assert_string_equal(vtb__compare_axis_text("0.00001", buf, sizeof(buf)), "1e-05");
    assert_string_equal(vtb__compare_axis_text("seqlock", buf, sizeof(buf)), "seqlock");
}

static void test_tolerance_parsing(void **state)
{
    (void)state;
    struct vtb_compare_options o;
    struct vtb_error err = {0};
    vtb_compare_options_default(&o);
    assert_true(o.tolerance[VTB_COMPARE_INSTRUCTIONS_PER_OP] == 0.01);
    assert_true(o.tolerance[VTB_COMPARE_ALLOCS_PER_OP] == 0);
    assert_true(o.threshold == 0.10 && o.time_gate && !o.fail_on_unknown);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "bytes_per_op=2%", &err), 0);
    assert_true(fabs(o.tolerance[VTB_COMPARE_BYTES_PER_OP] - 0.02) < 1e-15);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "bytes=1", &err), VTB_EINVAL);
    assert_non_null(strstr(err.message, "unknown metric 'bytes'"));
    assert_int_equal(vtb_compare_parse_tolerance(&o, "ns_per_op=0.1", &err), VTB_EINVAL);
    assert_non_null(strstr(err.message, "--threshold"));
    assert_int_equal(vtb_compare_parse_tolerance(&o, "errors=-1", &err), VTB_EINVAL);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "errors=lots", &err), VTB_EINVAL);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "errors", &err), VTB_EINVAL);
    assert_string_equal(vtb_compare_verdict_name(VTB_COMPARE_VERDICT_UNKNOWN), "unknown");
    assert_string_equal(vtb_compare_metric_name(VTB_COMPARE_POOL_MISSES_PER_OP),
                        "pool_misses_per_op");
}

/* The baseline's three files, each the run's byte for byte. */
static void expect_copied(const char *run, const char *from, const char *dir, const char *to)
{
    char a[512], b[512];
    snprintf(a, sizeof(a), "%s/%s", run, from);
    snprintf(b, sizeof(b), "%s/%s", dir, to);
    char *x = read_text(a), *y = read_text(b);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

static bool exists(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static int save(const char *run, const char *dir, const char *name, unsigned flags,
                struct vtb_baseline_saved *saved, struct vtb_error *err)
{
    return vtb_baseline_save(run, dir, name, flags, saved, err);
}

static void test_baseline(void **state)
{
    (void)state;
    char run[64], dir[96], path[160];
    make_dir(run, sizeof(run));
    snprintf(dir, sizeof(dir), "%s/baselines", run);
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01)};
    write_run(run, rows, 1, complete_context);
    struct vtb_baseline_saved saved;
    struct vtb_error err = {0};
    if (save(run, dir, "quick", 0, &saved, &err) != 0)
        fail_msg("%s", err.message);
    snprintf(path, sizeof(path), "%s/quick.csv", dir);
    assert_string_equal(saved.results, path);
    assert_int_equal(saved.rows, 1);
    assert_int_equal(saved.state, VTB_RUN_COMPLETE);
    expect_copied(run, "results.csv", dir, "quick.csv");
    expect_copied(run, "samples.csv", dir, "quick.samples.csv");
    expect_copied(run, "context.json", dir, "quick.context.json");
    assert_non_null(strstr(saved.context, "quick.context.json"));

    /* The saved baseline is complete and compares clean against its run. */
    struct vtb_compare_side a, b;
    assert_int_equal(load(path, 0, &a, &err), 0);
    assert_int_equal(load(run, 0, &b, &err), 0);
    struct vtb_compare_result r;
    assert_int_equal(vtb_compare_run(&a, &b, NULL, &r, &err), 0);
    assert_int_equal(r.regressions, 0);
    assert_int_equal(r.verdicts[VTB_COMPARE_VERDICT_SAME], r.entry_count - 1); /* + invariant */
    vtb_compare_result_free(&r);
    vtb_compare_side_free(&a);
    vtb_compare_side_free(&b);

    assert_int_equal(save(run, dir, "../x", 0, &saved, &err), VTB_EINVAL);

    /* An interrupted run is refused, and the old baseline stays. */
    write_text(run, "context.json", "{\"complete\": false, \"cells_done\": 0}\n");
    assert_int_equal(save(run, dir, "quick", 0, &saved, &err), VTB_EINVAL);
    assert_non_null(strstr(err.message, "not a complete run"));
    expect_copied(run, "results.csv", dir, "quick.csv");
    char *kept = read_text(path);
    free(kept);
    snprintf(path, sizeof(path), "%s/quick.context.json", dir);
    char *context = read_text(path);
    assert_non_null(strstr(context, "\"complete\": true"));
    free(context);
    /* Allowed, it is saved with its own context.json, which the gate then
     * refuses unless allowed too. */
    assert_int_equal(save(run, dir, "partial", VTB_RUN_INPUT_ALLOW_INCOMPLETE, &saved, &err), 0);
    assert_int_equal(saved.state, VTB_RUN_INCOMPLETE);
    snprintf(path, sizeof(path), "%s/partial.csv", dir);
    expect_load_fails(path, VTB_EINVAL, "not a complete run");

    /* No context.json at all: nothing to copy, and a stale one goes. */
    snprintf(path, sizeof(path), "%s/context.json", run);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(save(run, dir, "partial", 0, &saved, &err), VTB_EINVAL);
    assert_int_equal(save(run, dir, "partial", VTB_RUN_INPUT_ALLOW_INCOMPLETE, &saved, &err), 0);
    assert_string_equal(saved.context, "");
    assert_false(exists(dir, "partial.context.json"));

    /* A run with failures is no baseline. */
    rows[0].errors = 3;
    write_run(run, rows, 1, complete_context);
    assert_int_equal(save(run, dir, "quick", 0, &saved, &err), VTB_EINVAL);
    snprintf(path, sizeof(path), "%s/results.csv:2: the run had failed operations", run);
    assert_non_null(strstr(err.message, path));

    /* An instruction-count run's times mean nothing: no samples kept. */
    rows[0].errors = 0;
    rows[0].instructions = 1234;
    write_run(run, rows, 1, COMPLETE_CONTEXT("true"));
    assert_int_equal(save(run, dir, "quick", 0, &saved, &err), 0);
    assert_string_equal(saved.samples, "");
    assert_false(exists(dir, "quick.samples.csv"));
    assert_true(exists(dir, "quick.context.json"));
    /* And the gate takes it so, as a complete baseline without samples. */
    snprintf(path, sizeof(path), "%s/quick.csv", dir);
    assert_int_equal(load(path, 0, &a, &err), 0);
    assert_int_equal(a.state, VTB_RUN_COMPLETE);
    assert_string_equal(a.samples_path, "");
    vtb_compare_side_free(&a);
    rm_dir(run);
}

/* The front-end's exit code on the built binary, stdout and stderr into
 * files of dir, or stdout to /dev/full. */
static int run_cli(const char *dir, const char *args, bool full)
{
    char command[1400];
    snprintf(command, sizeof(command), "%s/vtbench %s >%s%s 2>%s/err", VTB_BINARY_DIR, args,
             full ? "/dev/full" : dir, full ? "" : "/out", dir);
    int status = system(command);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The lines of dir/name. */
static size_t lines_of(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char *text = read_text(path);
    size_t n = 0;
    for (const char *p = text; *p != '\0'; p++)
        n += *p == '\n';
    free(text);
    return n;
}

/* Writes rows as the baseline dir/name.csv with its samples and, when
 * context, a complete name.context.json. */
static void write_baseline(const char *dir, const char *name, const struct row *rows, size_t n,
                           bool context)
{
    char file[128], *results, *samples;
    render(rows, n, &results, &samples);
    snprintf(file, sizeof(file), "%s.csv", name);
    write_text(dir, file, results);
    snprintf(file, sizeof(file), "%s.samples.csv", name);
    write_text(dir, file, samples);
    snprintf(file, sizeof(file), "%s.context.json", name);
    if (context)
        write_text(dir, file, complete_context);
    free(results);
    free(samples);
}

/* Writes the results of rows, changed by with_field, as dir/name.csv. */
static void write_spoiled(const char *dir, const char *name, const struct row *rows,
                          const char *column, const char *value, size_t line)
{
    char *results, *samples, file[128];
    render(rows, 1, &results, &samples);
    char *bad = line == 0 ? with_line(results, strstr(results, "\r\n") + 2)
                          : with_field(results, line, column, value);
    snprintf(file, sizeof(file), "%s.csv", name);
    write_text(dir, file, bad);
    snprintf(file, sizeof(file), "%s.context.json", name);
    write_text(dir, file, complete_context);
    free(bad);
    free(results);
    free(samples);
}

static void test_cli_exit_codes(void **state)
{
    (void)state;
    char dir[64], args[1024];
    make_dir(dir, sizeof(dir));
    struct row base[] = {timed("pooled", "0", 0, 10, 100, 0.01)};
    struct row slow[] = {timed("pooled", "0", 0, 10, 150, 0.01)};
    write_baseline(dir, "base", base, 1, true);
    write_baseline(dir, "slow", slow, 1, true);
    write_baseline(dir, "bare", slow, 1, false);
    write_text(dir, "bad.csv", "scenario,impl,ops,repetitions\r\n\"x\r\n");
    write_text(dir, "bad.context.json", complete_context);
    /* Files the gate cannot judge: an identifying column missing, a cell
     * given twice, a negative allocation count. */
    write_spoiled(dir, "nothreads", base, "threads", "thread", 1);
    write_spoiled(dir, "twice", base, NULL, NULL, 0);
    write_spoiled(dir, "negative", base, "allocs_per_op", "-1", 2);

    snprintf(args, sizeof(args), "compare %s/base.csv %s/base.csv", dir, dir);
    assert_int_equal(run_cli(dir, args, false), 0);
    assert_int_equal(lines_of(dir, "err"), 0);
    /* stdout that cannot be written is a failure, not a verdict. */
    assert_int_equal(run_cli(dir, args, true), 1);
    snprintf(args, sizeof(args), "compare %s/base.csv %s/slow.csv", dir, dir);
    assert_int_equal(run_cli(dir, args, false), 3);
    snprintf(args, sizeof(args), "compare --time-gate off %s/base.csv %s/slow.csv", dir, dir);
    assert_int_equal(run_cli(dir, args, false), 0);
    snprintf(args, sizeof(args), "compare %s/base.csv %s/bad.csv", dir, dir);
    assert_int_equal(run_cli(dir, args, false), 2);
    static const char *const refused[] = {"nothreads", "twice", "negative", "bare"};
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        snprintf(args, sizeof(args), "compare --time-gate off %s/base.csv %s/%s.csv", dir, dir,
                 refused[i]);
        assert_int_equal(run_cli(dir, args, false), 2);
        assert_int_equal(lines_of(dir, "err"), 1); /* one line says why */
        assert_int_equal(lines_of(dir, "out"), 0);
        snprintf(args, sizeof(args), "compare --time-gate off %s/%s.csv %s/base.csv", dir,
                 refused[i], dir);
        assert_int_equal(run_cli(dir, args, false), 2);
    }
    /* Allowed, the run without context.json is compared, with a one-line
     * warning, and its regression still fails. */
    snprintf(args, sizeof(args), "compare --allow-incomplete %s/base.csv %s/bare.csv", dir, dir);
    assert_int_equal(run_cli(dir, args, false), 3);
    assert_int_equal(lines_of(dir, "err"), 1);
    snprintf(args, sizeof(args), "compare --tolerance nope=1 %s/base.csv %s/base.csv", dir, dir);
    assert_int_equal(run_cli(dir, args, false), 2);
    snprintf(args, sizeof(args), "compare --noisy-cv 0.1 %s/base.csv %s/base.csv", dir, dir);
    assert_int_equal(run_cli(dir, args, false), 2);
    assert_int_equal(run_cli(dir, "compare --help", false), 0);
    assert_int_equal(run_cli(dir, "compare --help", true), 1);
    rm_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_20_percent_slowdown_is_caught),
        cmocka_unit_test(test_interval_straddling_the_threshold_is_unknown),
        cmocka_unit_test(test_interval_beyond_is_slower_whatever_the_cv),
        cmocka_unit_test(test_interval_within_is_same),
        cmocka_unit_test(test_floor_cancels_a_uniform_slowdown),
        cmocka_unit_test(test_floor_moving_unlike_the_cell_is_unknown),
        cmocka_unit_test(test_too_few_rounds_and_no_samples_are_unknown),
        cmocka_unit_test(test_unused_rounds_are_left_out),
        cmocka_unit_test(test_old_samples_compare_raw_times),
        cmocka_unit_test(test_time_verdict_of_intervals),
        cmocka_unit_test(test_time_gate_off_reports_slower),
        cmocka_unit_test(test_added_allocation_is_caught),
        cmocka_unit_test(test_exact_means_exact),
        cmocka_unit_test(test_instructions_tolerance),
        cmocka_unit_test(test_rows_matched_by_identity),
        cmocka_unit_test(test_one_sided_cells_are_reported),
        cmocka_unit_test(test_bad_numbers_name_file_and_line),
        cmocka_unit_test(test_missing_identifying_column_is_refused),
        cmocka_unit_test(test_missing_metric_column_is_refused),
        cmocka_unit_test(test_numeric_axes_match_by_value),
        cmocka_unit_test(test_duplicate_rows_are_refused),
        cmocka_unit_test(test_bad_figures_are_refused),
        cmocka_unit_test(test_duplicate_samples_are_refused),
        cmocka_unit_test(test_large_comparison_matches_every_row),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_byte_order_mark_is_read_through),
        cmocka_unit_test(test_runs_that_are_not_complete_are_refused),
        cmocka_unit_test(test_axis_text_spellings),
        cmocka_unit_test(test_tolerance_parsing),
        cmocka_unit_test(test_baseline),
        cmocka_unit_test(test_cli_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
