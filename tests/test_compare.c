/*
 * Tests of the regression gate (harness/compare/compare.c) on synthetic runs, so
 * that every verdict is known in advance and nothing depends on timing:
 * a 20% slowdown over 10 against 10 repetitions is caught, a 2% shift is
 * "same", a noisy pair is "noisy" (and fails only when asked to), so is a
 * slowdown that the floor of the same runs shows as well, an added
 * allocation per operation is caught exactly (and breaks the "value-task
 * allocates nothing on a hit" invariant), instruction counts get their 1%
 * tolerance, rows are matched by identity rather than position, cells on
 * one side only are reported, and malformed input is refused with its file
 * and line. The gate fails closed: a results file without an identifying
 * column, a cell given twice, a negative or non-finite figure and a
 * repetition given twice in samples.csv are refused, each with a message
 * naming file, line and column. A comparison of 20000 generated cells,
 * shuffled, with cells on one side only and known changes, checks that
 * the hash joins pair every row and every sample right (results, never
 * timings). Baselines are saved from a fake run directory, and the CLI's
 * exit codes (0, 3, 2) are checked on the built vtbench.
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

#include "compare.h"
#include "csv_reader.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_REPS 16

/* One synthetic row of results.csv, with its repetitions. */
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
    double floor_ns; /* floor_ns_per_hit; NaN: not measured */
    unsigned keys;   /* the keys axis; 0: 1024 */
};

static const char results_header[] =
    "scenario,impl,threads,concurrency,key_dist,hit_ratio_target,completion,cache_lock,ops,"
    "repetitions,ns_per_op,ns_per_op_cv,ns_per_op_median,allocs_per_op,bytes_per_op,"
    "requested_bytes_per_op,pool_misses,errors,value_mismatches,instructions_per_op,cell_index,"
    "floor_ns_per_hit,keys,capacity,ttl_ms,miss_latency,continuation,load\r\n";

/* Writes rows as results.csv and samples.csv text (caller frees). The
 * summary columns are computed the way the runner computes them. */
static void render(const struct row *rows, size_t n, char **results, char **samples)
{
    size_t rl, sl;
    FILE *r = open_memstream(results, &rl), *s = open_memstream(samples, &sl);
    assert_non_null(r);
    assert_non_null(s);
    fputs(results_header, r);
    fputs("scenario,cell_index,impl,repetition,ns_per_op\r\n", s);
    for (size_t i = 0; i < n; i++) {
        const struct row *w = &rows[i];
        double sum = 0, sq = 0, sorted[MAX_REPS];
        for (size_t k = 0; k < w->reps; k++) {
            sum += w->samples[k];
            sorted[k] = w->samples[k];
        }
        double mean = sum / (double)w->reps;
        for (size_t k = 0; k < w->reps; k++)
            sq += (w->samples[k] - mean) * (w->samples[k] - mean);
        double cv = w->reps > 1 ? sqrt(sq / (double)(w->reps - 1)) / mean : 0;
        for (size_t a = 0; a < w->reps; a++) /* insertion sort for the median */
            for (size_t b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
                double t = sorted[b];
                sorted[b] = sorted[b - 1];
                sorted[b - 1] = t;
            }
        double median = w->reps % 2 ? sorted[w->reps / 2]
                                    : (sorted[w->reps / 2 - 1] + sorted[w->reps / 2]) / 2;
        char instr[32] = "", floor_ns[32] = "";
        if (!isnan(w->instructions))
            snprintf(instr, sizeof(instr), "%.6g", w->instructions);
        if (!isnan(w->floor_ns))
            snprintf(floor_ns, sizeof(floor_ns), "%.3f", w->floor_ns);
        unsigned keys = w->keys ? w->keys : 1024;
        fprintf(r,
                "synthetic,%s,1,1,uniform,%s,loop,seqlock,10000,%zu,%.3f,%.6g,"
                "%.3f,%.6g,%.6g,%.6g,%u,%u,0,%s,%u,%s,%u,%u,0,0,posted,closed\r\n",
                w->impl, w->hit, w->reps, mean, cv, median, w->allocs_per_op,
                w->allocs_per_op * 80, w->allocs_per_op * 72, w->pool_misses, w->errors, instr,
                w->cell_index, floor_ns, keys, 3 * keys);
        for (size_t k = 0; k < w->reps; k++)
            fprintf(s, "synthetic,%u,%s,%zu,%.3f\r\n", w->cell_index, w->impl, k,
                    w->samples[k]);
    }
    assert_int_equal(fclose(r), 0);
    assert_int_equal(fclose(s), 0);
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

/* Both sides parsed, ready for vtb_compare_run. */
struct pair {
    struct vtb_csv_table tables[4]; /* base results, base samples, new results, new samples */
    struct vtb_compare_side base, head;
};

static void parse(const char *text, const char *name, struct vtb_csv_table *t)
{
    struct vtb_error err = {0};
    if (vtb_csv_parse(text, strlen(text), name, t, &err) != 0)
        fail_msg("%s", err.message);
}

static void make_pair(struct pair *p, const struct row *base, size_t nb, const struct row *head,
                      size_t nh, bool with_samples)
{
    char *text[4];
    render(base, nb, &text[0], &text[1]);
    render(head, nh, &text[2], &text[3]);
    static const char *const names[] = {"base/results.csv", "base/samples.csv",
                                        "new/results.csv", "new/samples.csv"};
    for (size_t i = 0; i < 4; i++) {
        parse(text[i], names[i], &p->tables[i]);
        free(text[i]);
    }
    p->base.results = &p->tables[0];
    p->base.samples = with_samples ? &p->tables[1] : NULL;
    p->head.results = &p->tables[2];
    p->head.samples = with_samples ? &p->tables[3] : NULL;
}

static void free_pair(struct pair *p)
{
    for (size_t i = 0; i < 4; i++)
        vtb_csv_free(&p->tables[i]);
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
    for (size_t i = 0; i < r->entry_count; i++) {
        const struct vtb_compare_entry *e = &r->entries[i];
        const struct vtb_compare_cell *c = &r->cells[e->cell];
        char label[64];
        snprintf(label, sizeof(label), "hit_ratio=%s", hit);
        if (e->metric == metric && e->invariant == NULL && strcmp(c->impl, impl) == 0 &&
            (strcmp(c->label, label) == 0 || strcmp(c->label, "synthetic") == 0))
            return e;
    }
    fail_msg("no %s entry for %s at %s", vtb_compare_metric_name(metric), impl, hit);
    return NULL;
}

/* A row with n repetitions spread evenly over value * (1 +- spread). */
static struct row timed(const char *impl, const char *hit, unsigned cell, size_t n, double value,
                        double spread)
{
    struct row w = {impl, hit, 0.0, NAN, 0, 0, cell, n, {0}, NAN, 0};
    for (size_t k = 0; k < n; k++) {
        double offset = n > 1 ? (double)k / (double)(n - 1) * 2 - 1 : 0; /* -1 .. 1 */
        /* Interleave low and high so that order says nothing. */
        size_t slot = k % 2 ? n - 1 - k / 2 : k / 2;
        w.samples[slot] = value * (1 + spread * offset);
    }
    return w;
}

static void test_20_percent_slowdown_is_caught(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "0.8", 0, 10, 100.0, 0.02)};
    struct row head[] = {timed("pooled", "0.8", 0, 10, 120.0, 0.02)};
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 1, head, 1, true);
    run_ok(&p, NULL, &r);
    const struct vtb_compare_entry *e = entry(&r, "pooled", "0.8", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(e->regression);
    assert_true(e->p_value < 0.001); /* no overlap: the exact test's smallest p */
    assert_true(fabs(e->ratio - 1.2) < 1e-9);
    assert_int_equal(e->base_n, 10);
    assert_int_equal(e->warnings, 0);
    assert_int_equal(r.regressions, 1);
    vtb_compare_result_free(&r);

    /* The same numbers the other way round are an improvement. */
    free_pair(&p);
    make_pair(&p, head, 1, base, 1, true);
    run_ok(&p, NULL, &r);
    e = entry(&r, "pooled", "0.8", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_FASTER);
    assert_false(e->regression);
    assert_int_equal(r.regressions, 0);
    vtb_compare_result_free(&r);
    free_pair(&p);
}

/* The A/A false alarm this rule exists for (seen on the loaded 2-core dev
 * VM): a whole run slowed down by another job, repetitions consistent
 * within each run, so the test is significant; the floor measured in the
 * same runs moved as much, which gives the machine away. */
static void test_floor_moved_is_noisy(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "1", 0, 10, 12.0, 0.05)};
    struct row head[] = {timed("pooled", "1", 0, 10, 21.5, 0.05)};
    base[0].floor_ns = 10.7;
    head[0].floor_ns = 19.2;
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 1, head, 1, true);
    run_ok(&p, NULL, &r);
    const struct vtb_compare_entry *e = entry(&r, "pooled", "1", VTB_COMPARE_NS_PER_OP);
    assert_true(e->p_value < 0.001);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_NOISY);
    assert_false(e->regression);
    assert_non_null(strstr(e->note, "floor moved"));
    vtb_compare_result_free(&r);
    free_pair(&p);

    /* A floor that stayed put leaves the slowdown to be caught. */
    head[0].floor_ns = 10.9;
    make_pair(&p, base, 1, head, 1, true);
    run_ok(&p, NULL, &r);
    e = entry(&r, "pooled", "1", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(e->regression);
    vtb_compare_result_free(&r);
    free_pair(&p);
}

/* Significant (no overlap at all) but small: not worth a verdict. */
static void test_2_percent_shift_is_same(void **state)
{
    (void)state;
    struct row base[] = {timed("value-task", "1", 0, 10, 100.0, 0.005)};
    struct row head[] = {timed("value-task", "1", 0, 10, 102.0, 0.005)};
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 1, head, 1, true);
    run_ok(&p, NULL, &r);
    const struct vtb_compare_entry *e = entry(&r, "value-task", "1", VTB_COMPARE_NS_PER_OP);
    assert_true(e->p_value < 0.05);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SAME);
    assert_false(e->regression);
    assert_int_equal(r.regressions, 0);
    vtb_compare_result_free(&r);
    free_pair(&p);
}

static void test_noisy_pair_is_noisy(void **state)
{
    (void)state;
    /* CV of a +-30% spread is about 20%: far above the 10% limit. */
    struct row base[] = {timed("alloc-task", "0", 0, 10, 100.0, 0.30)};
    struct row head[] = {timed("alloc-task", "0", 0, 10, 160.0, 0.30)};
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 1, head, 1, true);
    run_ok(&p, NULL, &r);
    const struct vtb_compare_entry *e = entry(&r, "alloc-task", "0", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_NOISY);
    assert_true(e->base_cv > 0.1 && e->new_cv > 0.1);
    assert_false(e->regression);
    assert_non_null(strstr(e->note, "would be slower"));
    vtb_compare_result_free(&r);

    struct vtb_compare_options o;
    vtb_compare_options_default(&o);
    o.fail_on_noisy = true;
    run_ok(&p, &o, &r);
    assert_true(entry(&r, "alloc-task", "0", VTB_COMPARE_NS_PER_OP)->regression);
    assert_int_equal(r.regressions, 1);
    vtb_compare_result_free(&r);

    /* With the time gate off nothing about time fails, not even this. */
    o.time_gate = false;
    run_ok(&p, &o, &r);
    assert_int_equal(r.regressions, 0);
    vtb_compare_result_free(&r);
    free_pair(&p);
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
    make_pair(&p, base, 1, head, 1, true);
    run_ok(&p, &o, &r);
    const struct vtb_compare_entry *e = entry(&r, "pooled", "0", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_false(e->regression);
    assert_int_equal(r.regressions, 0);
    vtb_compare_result_free(&r);
    free_pair(&p);
}

/* 3 against 3 can never be significant: a warning, and "same". Without
 * samples a big ratio is "noisy", never "slower". */
static void test_few_repetitions_and_no_samples(void **state)
{
    (void)state;
    struct row base[] = {timed("pooled", "0", 0, 3, 100.0, 0.01)};
    struct row head[] = {timed("pooled", "0", 0, 3, 150.0, 0.01)};
    struct pair p;
    struct vtb_compare_result r;
    make_pair(&p, base, 1, head, 1, true);
    run_ok(&p, NULL, &r);
    const struct vtb_compare_entry *e = entry(&r, "pooled", "0", VTB_COMPARE_NS_PER_OP);
    assert_true(e->warnings & VTB_COMPARE_WARN_FEW_REPS);
    assert_true(e->p_value >= 0.05);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SAME);
    assert_non_null(strstr(e->note, "not significant"));
    vtb_compare_result_free(&r);
    free_pair(&p);

    make_pair(&p, base, 1, head, 1, false);
    run_ok(&p, NULL, &r);
    e = entry(&r, "pooled", "0", VTB_COMPARE_NS_PER_OP);
    assert_true(e->warnings & VTB_COMPARE_WARN_NO_SAMPLES);
    assert_true(isnan(e->p_value));
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_NOISY);
    assert_false(e->regression);
    vtb_compare_result_free(&r);
    free_pair(&p);
}

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
    assert_true(fabs(e->ratio - 6.0) < 1e-9);
    e = entry(&r, "value-task", "0.8", VTB_COMPARE_BYTES_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    e = entry(&r, "value-task", "1", VTB_COMPARE_ALLOCS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SLOWER);
    assert_true(isinf(e->ratio)); /* from zero */
    /* The hit cell also breaks the invariant, whatever the base said. */
    size_t broken = 0;
    for (size_t i = 0; i < r.entry_count; i++)
        if (r.entries[i].invariant != NULL && r.entries[i].regression) {
            assert_non_null(strstr(r.entries[i].invariant, "value-task allocates nothing"));
            broken++;
        }
    assert_int_equal(broken, 1);
    /* 3 metrics x 2 cells (allocs, bytes, requested bytes) + the invariant. */
    assert_int_equal(r.regressions, 7);
    /* Time did not move and is not involved. */
    assert_int_equal(entry(&r, "value-task", "1", VTB_COMPARE_NS_PER_OP)->verdict,
                     VTB_COMPARE_VERDICT_SAME);
    vtb_compare_result_free(&r);
    free_pair(&p);
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
    assert_true(fabs(e->new_value - 1.0 / 50000) < 1e-15); /* per op of all repetitions */
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
    vtb_compare_result_free(&r);
    free_pair(&p);
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
    assert_true(e->regression);
    /* Times under valgrind are not compared at all. */
    e = entry(&r, "pooled", "0", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SKIPPED);
    assert_false(e->regression);
    assert_int_equal(r.regressions, 1);
    vtb_compare_result_free(&r);

    struct vtb_compare_options o;
    struct vtb_error err = {0};
    vtb_compare_options_default(&o);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "instructions_per_op=0.03", &err), 0);
    run_ok(&p, &o, &r);
    assert_int_equal(r.regressions, 0);
    vtb_compare_result_free(&r);
    free_pair(&p);

    /* Counted in base but not in new: the gate lost its data. */
    head[0].instructions = head[1].instructions = NAN;
    make_pair(&p, base, 2, head, 2, true);
    run_ok(&p, NULL, &r);
    e = entry(&r, "pooled", "0", VTB_COMPARE_INSTRUCTIONS_PER_OP);
    assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_MISSING);
    assert_true(e->regression);
    vtb_compare_result_free(&r);
    free_pair(&p);
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
    /* Labels name only what varies: the hit ratio (impl has its own field). */
    assert_string_equal(r.cells[0].label, "hit_ratio=0");
    assert_string_equal(r.cells[0].impl, "alloc-task");
    assert_int_equal(r.cells[0].new_row, 1);
    assert_int_equal(r.cells[0].new_line, 3);
    vtb_compare_result_free(&r);
    free_pair(&p);
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
    assert_string_equal(r.cells[0].label, "hit_ratio=0");
    assert_int_equal(r.cells[0].new_row, -1);
    assert_int_equal(r.cells[0].base_line, 2);
    assert_string_equal(r.cells[2].label, "hit_ratio=1");
    assert_int_equal(r.cells[2].base_row, -1);
    assert_int_equal(r.cells[2].new_line, 3);
    assert_int_equal(r.regressions, 1); /* the invariant, nothing else */
    vtb_compare_result_free(&r);
    free_pair(&p);

    /* Nothing in common is an error, not a pass. */
    struct row other[] = {timed("pooled", "0.9", 0, 5, 100, 0.01)};
    make_pair(&p, base, 1, other, 1, true);
    struct vtb_error err = {0};
    assert_int_equal(vtb_compare_run(&p.base, &p.head, NULL, &r, &err), VTB_EINVAL);
    assert_string_equal(err.message, "base/results.csv and new/results.csv have no cell in "
                                     "common (different scenarios or axes?)");
    free_pair(&p);
}

static void test_bad_numbers_name_file_and_line(void **state)
{
    (void)state;
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01), timed("pooled", "1", 1, 5, 10, 0.01)};
    char *results, *samples;
    render(rows, 2, &results, &samples);
    /* Spoil allocs_per_op of the second row (line 3). */
    char *line3 = strstr(strstr(results, "\r\n") + 2, "\r\n") + 2;
    char *field = line3;
    for (int commas = 0; commas < 13; field++)
        commas += *field == ',';
    memcpy(field, "x", 1);
    struct pair p;
    memset(&p, 0, sizeof(p));
    parse(results, "r.csv", &p.tables[0]);
    parse(samples, "s.csv", &p.tables[1]);
    free(results);
    free(samples);
    render(rows, 2, &results, &samples); /* a valid new side */
    parse(results, "n.csv", &p.tables[2]);
    free(results);
    free(samples);
    p.base = (struct vtb_compare_side){&p.tables[0], &p.tables[1]};
    p.head = (struct vtb_compare_side){&p.tables[2], NULL};
    struct vtb_compare_result r;
    struct vtb_error err = {0};
    assert_int_equal(vtb_compare_run(&p.base, &p.head, NULL, &r, &err), VTB_ESYNTAX);
    assert_non_null(strstr(err.message, "r.csv:3: allocs_per_op: not a number: 'x"));
    free_pair(&p);
}

/* Parses the texts (NULL samples: no samples file on that side) and
 * compares them; returns vtb_compare_run's code, with its message in err.
 * When it returns 0, the caller frees r. */
static int compare_texts(const char *base_results, const char *base_samples,
                         const char *new_results, const char *new_samples,
                         struct vtb_compare_result *r, struct vtb_error *err)
{
    struct pair p;
    memset(&p, 0, sizeof(p));
    parse(base_results, "base/results.csv", &p.tables[0]);
    if (base_samples != NULL)
        parse(base_samples, "base/samples.csv", &p.tables[1]);
    parse(new_results, "new/results.csv", &p.tables[2]);
    if (new_samples != NULL)
        parse(new_samples, "new/samples.csv", &p.tables[3]);
    p.base = (struct vtb_compare_side){&p.tables[0], base_samples ? &p.tables[1] : NULL};
    p.head = (struct vtb_compare_side){&p.tables[2], new_samples ? &p.tables[3] : NULL};
    int rc = vtb_compare_run(&p.base, &p.head, NULL, r, err);
    free_pair(&p);
    return rc;
}

/* Expects compare_texts to refuse with VTB_ESYNTAX and exactly message. */
static void expect_refused(const char *base_results, const char *base_samples,
                           const char *new_results, const char *new_samples,
                           const char *message)
{
    struct vtb_compare_result r;
    struct vtb_error err = {0};
    int rc = compare_texts(base_results, base_samples, new_results, new_samples, &r, &err);
    if (rc == 0)
        vtb_compare_result_free(&r);
    if (rc != VTB_ESYNTAX || strcmp(err.message, message) != 0)
        fail_msg("got %d '%s', expected VTB_ESYNTAX '%s'", rc, err.message, message);
}

static void expect_accepted(const char *base_results, const char *base_samples,
                            const char *new_results, const char *new_samples)
{
    struct vtb_compare_result r;
    struct vtb_error err = {0};
    if (compare_texts(base_results, base_samples, new_results, new_samples, &r, &err) != 0)
        fail_msg("refused: %s", err.message);
    vtb_compare_result_free(&r);
}

/* Without one identifying column the rows cannot say which cell they are;
 * matching on the rest would pair different cells. */
static void test_missing_identifying_column_is_refused(void **state)
{
    (void)state;
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01)};
    char *results, *samples;
    render(rows, 1, &results, &samples);
    static const char *const columns[] = {"threads", "load", "keys", "hit_ratio_target"};
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        char *bad = with_field(results, 1, columns[i], "renamed"), expected[256];
        snprintf(expected, sizeof(expected),
                 "base/results.csv:1: missing column '%s', which identifies a cell: rows "
                 "cannot be matched without it",
                 columns[i]);
        expect_refused(bad, samples, results, samples, expected);
        snprintf(expected, sizeof(expected),
                 "new/results.csv:1: missing column '%s', which identifies a cell: rows "
                 "cannot be matched without it",
                 columns[i]);
        expect_refused(results, samples, bad, NULL, expected);
        free(bad);
    }
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
        {"ns_per_op_cv", "Infinity"},
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
    /* A time of one repetition in samples.csv. */
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

/* One repetition of one cell given twice in samples.csv is refused; a
 * sample of no results row is ignored. */
static void test_duplicate_samples_are_refused(void **state)
{
    (void)state;
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01),
                         timed("pooled", "1", 1, 5, 10, 0.01)};
    char *results, *samples;
    render(rows, 2, &results, &samples);
    /* Lines 2-6 are cell 0's repetitions 0-4; line 12 is appended. */
    char *dup = with_line(samples, "synthetic,0,pooled,3,100.000\r\n");
    expect_refused(results, dup, results, samples,
                   "base/samples.csv:12: duplicate sample: scenario 'synthetic', impl 'pooled', "
                   "cell_index 0, repetition 3 as on line 5");
    free(dup);
    /* Numbers are compared as numbers. */
    dup = with_line(samples, "synthetic,0.0,pooled,3e0,100.000\r\n");
    expect_refused(results, samples, results, dup,
                   "new/samples.csv:12: duplicate sample: scenario 'synthetic', impl 'pooled', "
                   "cell_index 0.0, repetition 3e0 as on line 5");
    free(dup);

    /* Samples of a cell the results do not have are ignored... */
    char *stray = with_line(samples, "synthetic,99,pooled,0,5.000\r\n");
    struct vtb_compare_result r;
    struct vtb_error err = {0};
    assert_int_equal(compare_texts(results, stray, results, samples, &r, &err), 0);
    const struct vtb_compare_entry *e = entry(&r, "pooled", "0", VTB_COMPARE_NS_PER_OP);
    assert_int_equal(e->base_n, 5);
    assert_int_equal(e->new_n, 5);
    vtb_compare_result_free(&r);
    /* ... but not when they repeat themselves. */
    dup = with_line(stray, "synthetic,99,pooled,0,6.000\r\n");
    expect_refused(results, dup, results, samples,
                   "base/samples.csv:13: duplicate sample: scenario 'synthetic', impl 'pooled', "
                   "cell_index 99, repetition 0 as on line 12");
    free(dup);
    free(stray);

    /* Another impl or scenario is another sample. */
    dup = with_line(samples, "synthetic,0,alloc-task,3,100.000\r\nother,0,pooled,3,100.000\r\n");
    expect_accepted(results, dup, results, samples);
    free(dup);
    free(results);
    free(samples);
}

/* The median time of generated row i: distinct enough that a sample joined
 * to the wrong row shows. */
static double large_value(size_t i)
{
    return 100.0 + (double)(i % 997) * 0.5;
}

/*
 * 20000 generated cells against a shuffled copy with other cell indexes,
 * some cells dropped, some added and some allocation counts changed: every
 * row must meet its own cell, and every sample its own row (each row's
 * median is its own).
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

    const struct vtb_csv_table *bt = &p.tables[0], *ht = &p.tables[2];
    static const char *const identity[] = {"impl", "hit_ratio_target", "keys"};
    for (size_t c = 0; c < r.cell_count; c++) {
        const struct vtb_compare_cell *cell = &r.cells[c];
        if (cell->base_row < 0 || cell->new_row < 0) {
            /* Exactly the dropped rows and the added ones are alone. */
            assert_true(cell->base_row < 0 ? cell->new_row >= (long)(nh - EXTRA)
                                           : cell->base_row % DROP_EVERY == 0);
            continue;
        }
        assert_int_equal(cell->base_row, (long)c); /* base order */
        for (size_t k = 0; k < ARRAY_SIZE(identity); k++) {
            long bc = vtb_csv_column(bt, identity[k]), hc = vtb_csv_column(ht, identity[k]);
            assert_string_equal(vtb_csv_cell(bt, (size_t)cell->base_row, (size_t)bc),
                                vtb_csv_cell(ht, (size_t)cell->new_row, (size_t)hc));
        }
        assert_int_equal(cell->new_line, (size_t)cell->new_row + 2);
    }
    size_t allocs_slower = 0, times = 0;
    for (size_t i = 0; i < r.entry_count; i++) {
        const struct vtb_compare_entry *e = &r.entries[i];
        const struct vtb_compare_cell *cell = &r.cells[e->cell];
        if (e->invariant != NULL)
            continue;
        if (e->metric == VTB_COMPARE_NS_PER_OP) {
            double expected = large_value((size_t)cell->base_row);
            assert_int_equal(e->base_n, 5);
            assert_int_equal(e->new_n, 5);
            assert_true(fabs(e->base_value - expected) < 1e-9);
            assert_true(fabs(e->new_value - expected) < 1e-9);
            assert_int_equal(e->verdict, VTB_COMPARE_VERDICT_SAME);
            times++;
        } else if (e->metric == VTB_COMPARE_ALLOCS_PER_OP &&
                   e->verdict == VTB_COMPARE_VERDICT_SLOWER) {
            assert_int_equal(cell->base_row % BUMP_EVERY, 0);
            allocs_slower++;
        }
    }
    assert_int_equal(times, r.matched);
    assert_int_equal(allocs_slower, bumped);
    vtb_compare_result_free(&r);
    free_pair(&p);
    free(base);
    free(head);
}

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
    fclose(f);
}

static void rm_dir(const char *dir)
{
    char command[600];
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

/* The identifying columns of a results file and a row of them, for files
 * written by hand. */
#define IDENTITY_HEADER                                                                    \
    "scenario,impl,hit_ratio_target,threads,concurrency,key_dist,keys,capacity,ttl_ms,"   \
    "miss_latency,completion,continuation,cache_lock,load"
#define IDENTITY_ROW "q,pooled,1,1,1,uniform,1024,3072,0,0,loop,posted,seqlock,closed"

static void test_malformed_files(void **state)
{
    (void)state;
    char dir[64], path[256];
    make_dir(dir, sizeof(dir));
    struct vtb_compare_input in;
    struct vtb_error err = {0};

    write_text(dir, "results.csv", "scenario,impl,ops,repetitions\r\nq,pooled,1,1\r\n\"q,x\r\n");
    assert_int_equal(vtb_compare_load(&in, dir, &err), VTB_ESYNTAX);
    snprintf(path, sizeof(path), "%s/results.csv:4: unterminated quoted field (opened on line 3)",
             dir);
    assert_string_equal(err.message, path);

    write_text(dir, "results.csv", "scenario,impl,repetitions\r\nq,pooled,1\r\n");
    assert_int_equal(vtb_compare_load(&in, dir, &err), VTB_ESYNTAX);
    snprintf(path, sizeof(path), "%s/results.csv:1: missing column 'ops'", dir);
    assert_string_equal(err.message, path);

    /* An identifying column missing (here load, an axis older files lack)
     * is refused on loading, before any matching. */
    write_text(dir, "results.csv",
               "scenario,impl,hit_ratio_target,threads,concurrency,key_dist,keys,capacity,"
               "ttl_ms,miss_latency,completion,continuation,cache_lock,ops,repetitions\r\n"
               "q,pooled,1,1,1,uniform,1024,3072,0,0,loop,posted,seqlock,1,1\r\n");
    assert_int_equal(vtb_compare_load(&in, dir, &err), VTB_ESYNTAX);
    snprintf(path, sizeof(path),
             "%s/results.csv:1: missing column 'load', which identifies a cell: rows cannot be "
             "matched without it",
             dir);
    assert_string_equal(err.message, path);

    /* A good results file with broken samples beside it. */
    write_text(dir, "results.csv", IDENTITY_HEADER ",ops,repetitions\r\n" IDENTITY_ROW ",1,1\r\n");
    write_text(dir, "samples.csv", "scenario,cell_index,impl,repetition,ns_per_op\r\nq,0\r\n");
    assert_int_equal(vtb_compare_load(&in, dir, &err), VTB_ESYNTAX);
    snprintf(path, sizeof(path), "%s/samples.csv:2: row has 2 fields, the header has 5", dir);
    assert_string_equal(err.message, path);
    /* A samples file must say which repetition each time is. */
    write_text(dir, "samples.csv", "scenario,cell_index,impl,ns_per_op\r\n");
    assert_int_equal(vtb_compare_load(&in, dir, &err), VTB_ESYNTAX);
    snprintf(path, sizeof(path), "%s/samples.csv:1: missing column 'repetition'", dir);
    assert_string_equal(err.message, path);

    /* Baseline layout: NAME.csv finds NAME.samples.csv. A byte-order mark
     * (a spreadsheet's export) does not hide the first column. */
    write_text(dir, "base.csv",
               "\xEF\xBB\xBF" IDENTITY_HEADER ",ops,repetitions\r\n" IDENTITY_ROW ",1,1\r\n");
    write_text(dir, "base.samples.csv", "scenario,cell_index,impl,repetition,ns_per_op\r\n");
    snprintf(path, sizeof(path), "%s/base.csv", dir);
    assert_int_equal(vtb_compare_load(&in, path, &err), 0);
    assert_true(in.has_samples);
    assert_non_null(strstr(in.samples_path, "base.samples.csv"));
    vtb_compare_input_free(&in);

    snprintf(path, sizeof(path), "%s/none", dir);
    assert_int_equal(vtb_compare_load(&in, path, &err), VTB_EIO);
    rm_dir(dir);
}

static void test_tolerance_parsing(void **state)
{
    (void)state;
    struct vtb_compare_options o;
    struct vtb_error err = {0};
    vtb_compare_options_default(&o);
    assert_true(o.tolerance[VTB_COMPARE_INSTRUCTIONS_PER_OP] == 0.01);
    assert_true(o.tolerance[VTB_COMPARE_ALLOCS_PER_OP] == 0);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "bytes_per_op=2%", &err), 0);
    assert_true(fabs(o.tolerance[VTB_COMPARE_BYTES_PER_OP] - 0.02) < 1e-15);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "bytes=1", &err), VTB_EINVAL);
    assert_non_null(strstr(err.message, "unknown metric 'bytes'"));
    assert_int_equal(vtb_compare_parse_tolerance(&o, "ns_per_op=0.1", &err), VTB_EINVAL);
    assert_non_null(strstr(err.message, "--threshold"));
    assert_int_equal(vtb_compare_parse_tolerance(&o, "errors=-1", &err), VTB_EINVAL);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "errors=lots", &err), VTB_EINVAL);
    assert_int_equal(vtb_compare_parse_tolerance(&o, "errors", &err), VTB_EINVAL);
    assert_string_equal(vtb_compare_verdict_name(VTB_COMPARE_VERDICT_NOISY), "noisy");
    assert_string_equal(vtb_compare_metric_name(VTB_COMPARE_POOL_MISSES_PER_OP),
                        "pool_misses_per_op");
}

static void test_baseline(void **state)
{
    (void)state;
    char run[64], dir[96], path[160], results_out[256], samples_out[256];
    make_dir(run, sizeof(run));
    snprintf(dir, sizeof(dir), "%s/baselines", run);
    struct row rows[] = {timed("pooled", "0", 0, 5, 100, 0.01)};
    char *results, *samples;
    render(rows, 1, &results, &samples);
    write_text(run, "results.csv", results);
    write_text(run, "samples.csv", samples);
    write_text(run, "context.json", "{\n  \"scenario\": \"q\",\n  \"complete\": true\n}\n");
    struct vtb_error err = {0};
    assert_int_equal(vtb_compare_save_baseline(run, dir, "quick", results_out, samples_out,
                                               sizeof(results_out), &err),
                     0);
    snprintf(path, sizeof(path), "%s/quick.csv", dir);
    assert_string_equal(results_out, path);
    struct vtb_csv_table t;
    assert_int_equal(vtb_csv_read(path, &t, &err), 0);
    assert_int_equal(t.rows, 1);
    vtb_csv_free(&t);
    snprintf(path, sizeof(path), "%s/quick.samples.csv", dir);
    assert_string_equal(samples_out, path);
    assert_int_equal(access(path, F_OK), 0);

    /* The saved baseline compares clean against its own run. */
    struct vtb_compare_input a, b;
    snprintf(path, sizeof(path), "%s/quick.csv", dir);
    assert_int_equal(vtb_compare_load(&a, path, &err), 0);
    assert_int_equal(vtb_compare_load(&b, run, &err), 0);
    struct vtb_compare_side sa = vtb_compare_input_side(&a), sb = vtb_compare_input_side(&b);
    struct vtb_compare_result r;
    assert_int_equal(vtb_compare_run(&sa, &sb, NULL, &r, &err), 0);
    assert_int_equal(r.regressions, 0);
    assert_int_equal(r.verdicts[VTB_COMPARE_VERDICT_SAME], r.entry_count);
    vtb_compare_result_free(&r);
    vtb_compare_input_free(&a);
    vtb_compare_input_free(&b);

    assert_int_equal(vtb_compare_save_baseline(run, dir, "../x", results_out, samples_out,
                                               sizeof(results_out), &err),
                     VTB_EINVAL);
    write_text(run, "context.json", "{\n  \"complete\": false,\n  \"cells_done\": 0\n}\n");
    assert_int_equal(vtb_compare_save_baseline(run, dir, "quick", results_out, samples_out,
                                               sizeof(results_out), &err),
                     VTB_EINVAL);
    assert_non_null(strstr(err.message, "interrupted"));
    write_text(run, "context.json", "{}\n");
    rows[0].errors = 3;
    free(results);
    free(samples);
    render(rows, 1, &results, &samples);
    write_text(run, "results.csv", results);
    assert_int_equal(vtb_compare_save_baseline(run, dir, "quick", results_out, samples_out,
                                               sizeof(results_out), &err),
                     VTB_EINVAL);
    snprintf(path, sizeof(path), "%s/results.csv:2: the run had failed operations", run);
    assert_non_null(strstr(err.message, path));
    free(results);
    free(samples);
    rm_dir(run);
}

/* The front-end's exit codes on the built binary: 0, 3 and 2. */
static int run_cli(const char *args)
{
    char command[1024];
    snprintf(command, sizeof(command), "%s/vtbench %s >/dev/null 2>&1", VTB_BINARY_DIR,
             args);
    int status = system(command);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_cli_exit_codes(void **state)
{
    (void)state;
    char dir[64], args[512];
    make_dir(dir, sizeof(dir));
    struct row base[] = {timed("pooled", "0", 0, 10, 100, 0.01)};
    struct row slow[] = {timed("pooled", "0", 0, 10, 150, 0.01)};
    char *results, *samples;
    render(base, 1, &results, &samples);
    write_text(dir, "base.csv", results);
    write_text(dir, "base.samples.csv", samples);
    free(results);
    free(samples);
    render(slow, 1, &results, &samples);
    write_text(dir, "slow.csv", results);
    write_text(dir, "slow.samples.csv", samples);
    free(results);
    free(samples);
    write_text(dir, "bad.csv", "scenario,impl,ops,repetitions\r\n\"x\r\n");
    /* Files the gate cannot judge: an identifying column missing, a cell
     * given twice, a negative allocation count. */
    render(base, 1, &results, &samples);
    char *bad = with_field(results, 1, "threads", "thread");
    write_text(dir, "nothreads.csv", bad);
    free(bad);
    bad = with_line(results, strstr(results, "\r\n") + 2);
    write_text(dir, "twice.csv", bad);
    free(bad);
    bad = with_field(results, 2, "allocs_per_op", "-1");
    write_text(dir, "negative.csv", bad);
    free(bad);
    free(results);
    free(samples);

    snprintf(args, sizeof(args), "compare %s/base.csv %s/base.csv", dir, dir);
    assert_int_equal(run_cli(args), 0);
    snprintf(args, sizeof(args), "compare %s/base.csv %s/slow.csv", dir, dir);
    assert_int_equal(run_cli(args), 3);
    snprintf(args, sizeof(args), "compare --time-gate off %s/base.csv %s/slow.csv", dir, dir);
    assert_int_equal(run_cli(args), 0);
    snprintf(args, sizeof(args), "compare %s/base.csv %s/bad.csv", dir, dir);
    assert_int_equal(run_cli(args), 2);
    static const char *const refused[] = {"nothreads", "twice", "negative"};
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        snprintf(args, sizeof(args), "compare --time-gate off %s/base.csv %s/%s.csv", dir, dir,
                 refused[i]);
        assert_int_equal(run_cli(args), 2);
        snprintf(args, sizeof(args), "compare --time-gate off %s/%s.csv %s/base.csv", dir,
                 refused[i], dir);
        assert_int_equal(run_cli(args), 2);
    }
    snprintf(args, sizeof(args), "compare --tolerance nope=1 %s/base.csv %s/base.csv", dir, dir);
    assert_int_equal(run_cli(args), 2);
    rm_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_20_percent_slowdown_is_caught),
        cmocka_unit_test(test_floor_moved_is_noisy),
        cmocka_unit_test(test_2_percent_shift_is_same),
        cmocka_unit_test(test_noisy_pair_is_noisy),
        cmocka_unit_test(test_time_gate_off_reports_slower),
        cmocka_unit_test(test_few_repetitions_and_no_samples),
        cmocka_unit_test(test_added_allocation_is_caught),
        cmocka_unit_test(test_exact_means_exact),
        cmocka_unit_test(test_instructions_tolerance),
        cmocka_unit_test(test_rows_matched_by_identity),
        cmocka_unit_test(test_one_sided_cells_are_reported),
        cmocka_unit_test(test_bad_numbers_name_file_and_line),
        cmocka_unit_test(test_missing_identifying_column_is_refused),
        cmocka_unit_test(test_duplicate_rows_are_refused),
        cmocka_unit_test(test_bad_figures_are_refused),
        cmocka_unit_test(test_duplicate_samples_are_refused),
        cmocka_unit_test(test_large_comparison_matches_every_row),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_tolerance_parsing),
        cmocka_unit_test(test_baseline),
        cmocka_unit_test(test_cli_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
