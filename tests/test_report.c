/*
 * Tests of `vtbench report` (reports/: the run's data, slices, charts,
 * claims, report.md, and the gnuplot templates) and of the percentiles
 * reporter that feeds its latency chart.
 *
 * The reports are generated from fixed run directories under
 * tests/fixtures/report/ (CSV and JSON files taken from real runs, so the
 * templates see exactly what a run writes): "sweep" (hit ratio 0/0.8/1 x
 * threads 1/2, with percentiles.csv and context.json), "single" (one cell,
 * nothing else) and "skew" (an emergent-mode key_dist sweep). The checks
 * are on what is produced: each chart's SVG and PNG exist and are not
 * empty, charts a sweep cannot fill are skipped with their note, and
 * report.md holds the expected table rows and claim verdicts, which follow
 * from the fixed numbers of the fixtures. Nothing is timed.
 *
 * The chart tests need gnuplot; where it is missing they are skipped. The
 * modules below the charts (the run as loaded, its slices and crossings,
 * the claims, report.md with its context.json section) are tested without
 * it, through their internal headers, and so is the missing-gnuplot error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "claims.h"
#include "histogram.h"
#include "record.h"
#include "report.h"
#include "report_data.h"
#include "report_md.h"
#include "report_slice.h"
#include "reporter.h"

#ifndef VTB_SOURCE_DIR
#error "VTB_SOURCE_DIR must name the source tree"
#endif
#define FIXTURES VTB_SOURCE_DIR "/tests/fixtures/report"

static const char *const all_charts[] = {"ns-per-op",  "threads",  "alloc",    "key-skew",
                                         "latency-spectrum", "break-even", "alloc-1m",
                                         "open-loop"};

/* A fresh empty directory per test, removed with what is in it. */
static int setup(void **state)
{
    char *dir = strdup("/tmp/vtb_test_report_XXXXXX");

    if (dir == NULL || mkdtemp(dir) == NULL)
        return -1;
    /* The templates of this source tree, and the gnuplot on PATH. */
    setenv("VTB_REPORTS_DIR", VTB_SOURCE_DIR "/reports", 1);
    unsetenv("VTB_GNUPLOT");
    *state = dir;
    return 0;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        struct stat st;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    remove_tree(*state);
    free(*state);
    return 0;
}

static char *read_text(const char *path)
{
    FILE *in = fopen(path, "rb");
    char *text;
    long size;

    if (in == NULL)
        return NULL;
    fseek(in, 0, SEEK_END);
    size = ftell(in);
    fseek(in, 0, SEEK_SET);
    text = malloc((size_t)size + 1);
    if (text != NULL) {
        size_t got = fread(text, 1, (size_t)size, in);
        text[got] = '\0';
    }
    fclose(in);
    return text;
}

static long file_size(const char *dir, const char *name, const char *ext)
{
    char path[1024];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void assert_contains(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL)
        fail_msg("report.md lacks: %s", needle);
}

/* Generates the report of fixture into out; skips the test without gnuplot. */
static void generate(const char *fixture, const char *out, struct vtb_report_outcome *outcome)
{
    char run_dir[512];
    struct vtb_error err = {0};
    int rc;

    snprintf(run_dir, sizeof(run_dir), "%s/%s", FIXTURES, fixture);
    rc = vtb_report_generate(run_dir, out, outcome, &err);
    if (rc == VTB_EUNSUPPORTED && strstr(err.message, "cannot run gnuplot") != NULL)
        skip();
    if (rc != 0)
        fail_msg("vtb_report_generate(%s): %s", fixture, err.message);
}

static const struct vtb_report_chart *chart(const struct vtb_report_outcome *o, const char *name)
{
    for (unsigned k = 0; k < o->chart_count; k++)
        if (strcmp(o->charts[k].name, name) == 0)
            return &o->charts[k];
    fail_msg("no chart %s in the outcome", name);
    return NULL;
}

/* Drawn charts have a non-empty SVG and PNG; skipped ones have neither. */
static void check_files(const struct vtb_report_outcome *o)
{
    for (unsigned k = 0; k < o->chart_count; k++) {
        const struct vtb_report_chart *c = &o->charts[k];
        if (c->drawn) {
            if (file_size(o->out_dir, c->name, "svg") <= 0 ||
                file_size(o->out_dir, c->name, "png") <= 0)
                fail_msg("chart %s: missing or empty SVG/PNG", c->name);
        } else {
            assert_true(c->note[0] != '\0');
            assert_int_equal(file_size(o->out_dir, c->name, "svg"), -1);
            assert_int_equal(file_size(o->out_dir, c->name, "png"), -1);
        }
    }
    assert_int_equal(o->drawn + o->skipped, o->chart_count);
    assert_int_equal(o->chart_count, sizeof(all_charts) / sizeof(all_charts[0]));
}

static void test_sweep(void **state)
{
    struct vtb_report_outcome o;
    char *md;

    generate("sweep", *state, &o);
    check_files(&o);
    /* A closed-loop hit ratio x threads sweep fills everything but the
     * key-skew and open-loop charts. */
    for (size_t k = 0; k < sizeof(all_charts) / sizeof(all_charts[0]); k++)
        assert_int_equal(chart(&o, all_charts[k])->drawn,
                         strcmp(all_charts[k], "key-skew") != 0 &&
                             strcmp(all_charts[k], "open-loop") != 0);
    assert_string_equal(chart(&o, "key-skew")->note,
                        "this run uses a single key distribution; a key_dist sweep is needed");
    assert_string_equal(chart(&o, "open-loop")->note,
                        "no open-loop cells (load = open:RATE); see scenarios/open-loop.ini");
    /* Two thread counts are never mixed silently: lines per thread count,
     * or one held, and the note says which. */
    assert_non_null(strstr(chart(&o, "ns-per-op")->note, "one line style per threads"));
    assert_non_null(strstr(chart(&o, "threads")->note, "held at hit ratio=1"));
    assert_non_null(strstr(chart(&o, "alloc-1m")->note, "held at threads=1"));
    assert_non_null(strstr(chart(&o, "latency-spectrum")->note, "cell 2, hit ratio=0.8, threads=1"));

    md = read_text(o.report_md);
    assert_non_null(md);
    /* Machine context from context.json. */
    assert_contains(md, "| allocator | jemalloc 5.3.0");
    assert_contains(md, "| object sizes | result 16 B; task 72 B (jemalloc size class 80 B)");
    /* Summary rows. */
    assert_contains(md, "| cell | hit ratio | threads | hits | impl | ns/op | 95% CI |");
    assert_contains(md, "| 4 | 1 | 1 | 100.0% | alloc-task | 27.94 | [27.21, 28.67] | 49 | 99 | "
                        "468 | 80.0 | 1.000 |");
    assert_contains(md, "| 2 | 0.8 | 1 | 80.0% | value-task | 84.21 | [57.43, 110.99] | 40 | "
                        "407 | 577 | 25.7 | 0.200 |");
    assert_contains(md, "| 3 | 0.8 | 2 | 80.0% | value-task | 106.23 | [-21.85, 234.32] |");
    /* Charts, linked relatively, and the skipped one with its note. */
    assert_contains(md, "![Time per call versus hit ratio](ns-per-op.svg)");
    assert_contains(md, "([PNG](break-even.png))");
    assert_contains(md, "Skipped: this run uses a single key distribution; a key_dist sweep is "
                        "needed.");
    /* The claims, on the one-thread slice, with computed verdicts. */
    assert_contains(md, "against the cells of this run at the hit ratio it concerns, held at "
                        "threads=1.");
    assert_contains(md, "| alloc-task allocs/op at hit ratio 1 = 1.000, 80 bytes/op (72-byte "
                        "task, 80-byte jemalloc size class) | **confirmed**: every hit allocates "
                        "one task; the size differs: 80 B, not 32/72 B |");
    assert_contains(md, "| value-task at hit ratio 1: 0.000 allocs/op, 0.0 bytes/op | "
                        "**confirmed**: a hit returns the value inside the 16-byte result, with "
                        "no allocation |");
    assert_contains(md, "**confirmed**: both allocate one task per miss; the size differs: 128 "
                        "B, not 72/80 B");
    assert_contains(md, "at hit ratio 1: alloc-task 27.9 ns [27.2, 28.7] vs value-task 12.1 ns "
                        "[11.8, 12.3]: 2.32x (2.21x to 2.43x within the 95% CIs) | **refuted**: "
                        "value-task is faster, but by 2.3x (at most 2.4x within the CIs), not "
                        "the articles' 3x to 10x |");
    assert_contains(md, "| alloc-task 89.7 MB, value-task 25.7 MB per 1,000,000 calls (one "
                        "repetition of 20000 calls, scaled x 1,000,000 / 20000) | **refuted**: "
                        "the totals are 3.6x and 4.3x the articles'; value-task saves 71% "
                        "(articles: 76%) |");
    assert_contains(md, "**refuted**: value-task allocates nothing, as claimed, but alloc-task "
                        "allocates 80.0 MB, 2.7x the articles' 30 MB (80 B per call) |");
    assert_contains(md, "| pooled at hit ratio 0: 0.000 allocs/op, 0.0 bytes/op | **confirmed**");
    assert_contains(md, "never crosses 1.0 beyond the noise | **refuted**: value-task is never "
                        "slower beyond the noise");
    free(md);
}

static void test_single_cell_skips(void **state)
{
    struct vtb_report_outcome o;
    char *md;

    generate("single", *state, &o);
    check_files(&o);
    /* One cell: only the allocation bars can be drawn. */
    assert_int_equal(o.drawn, 1);
    assert_true(chart(&o, "alloc-1m")->drawn);
    assert_string_equal(chart(&o, "ns-per-op")->note,
                        "this run measures a single hit ratio (1); a hit-ratio sweep is needed");
    md = read_text(o.report_md);
    assert_non_null(md);
    assert_contains(md, "### Time per call versus hit ratio\n\nSkipped: this run measures a "
                        "single hit ratio (1); a hit-ratio sweep is needed.\n");
    assert_contains(md, "### Latency percentile spectrum, hits and misses\n\nSkipped: the run "
                        "directory has no percentiles.csv");
    assert_contains(md, "> context.json: missing, so the machine context is unknown.");
    /* Claims at hit ratio 1 are measured, the others are not. */
    assert_contains(md, "| 1,000,000 calls, all hits | Task ~30 MB, ValueTask 0 MB | alloc-task "
                        "80.0 MB, value-task 0.0 MB");
    assert_contains(md, "| Cache miss: Task vs ValueTask | 55 ns vs 55 ns | not measured in "
                        "this run | **not measured in this run**: no cell at hit ratio 0 |");
    assert_contains(md, "| Break-even: use ValueTask when the hit rate is above 70% | 70% | not "
                        "measured in this run |");
    free(md);
}

static void test_key_skew(void **state)
{
    struct vtb_report_outcome o;
    char *md;

    generate("skew", *state, &o);
    check_files(&o);
    assert_true(chart(&o, "key-skew")->drawn);
    assert_false(chart(&o, "ns-per-op")->drawn);
    assert_non_null(strstr(chart(&o, "ns-per-op")->note, "emergent mode"));
    md = read_text(o.report_md);
    assert_non_null(md);
    assert_contains(md, "![Time per call versus key skew](key-skew.svg)");
    assert_contains(md, "| 1,000,000 calls at 80% hit rate | Task ~25 MB, ValueTask ~6 MB "
                        "allocated | not measured in this run | **not measured in this run**: "
                        "this run sets no hit ratio (emergent mode)");
    free(md);
}

/* An open-loop sweep (a real --quick run of scenarios/open-loop.ini) draws
 * the hockey stick. */
static void test_open_loop(void **state)
{
    struct vtb_report_outcome o;
    char *md;

    generate("openloop", *state, &o);
    check_files(&o);
    assert_true(chart(&o, "open-loop")->drawn);
    assert_non_null(strstr(chart(&o, "open-loop")->note, "intended start"));
    md = read_text(o.report_md);
    assert_non_null(md);
    assert_contains(md, "![p99 latency versus offered load (open loop)](open-loop.svg)");
    free(md);
}

/* A second report into the same directory replaces the first, and removes
 * the charts the new run cannot fill. */
static void test_rerun_replaces(void **state)
{
    struct vtb_report_outcome o;

    generate("sweep", *state, &o);
    assert_true(file_size(*state, "ns-per-op", "svg") > 0);
    generate("single", *state, &o);
    assert_int_equal(file_size(*state, "ns-per-op", "svg"), -1);
    assert_true(file_size(*state, "alloc-1m", "svg") > 0);
}

static void test_missing_gnuplot(void **state)
{
    struct vtb_report_outcome o;
    struct vtb_error err = {0};
    int rc;

    setenv("VTB_GNUPLOT", "/nonexistent/gnuplot", 1);
    rc = vtb_report_generate(FIXTURES "/sweep", *state, &o, &err);
    unsetenv("VTB_GNUPLOT");
    assert_int_equal(rc, VTB_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "/nonexistent/gnuplot"));
    assert_non_null(strstr(err.message, "install the Debian package gnuplot-nox"));
    /* Nothing half-made is left: no chart and no temporary. */
    assert_int_equal(file_size(*state, "ns-per-op", "svg"), -1);
    assert_int_equal(file_size(*state, "ns-per-op", "svg.tmp"), -1);
}

static void test_not_a_run_dir(void **state)
{
    struct vtb_report_outcome o;
    struct vtb_error err = {0};

    assert_int_equal(vtb_report_generate(*state, NULL, &o, &err), VTB_ENOTFOUND);
    assert_non_null(strstr(err.message, "no results.csv"));
    assert_int_equal(vtb_report_generate(NULL, NULL, &o, &err), VTB_EINVAL);
}

/* The sweep as the report loads it: rows, cells, implementations, the
 * axes that vary, and context.json through the JSON reader. */
static void test_data_load(void **state)
{
    struct vtb__report_data d;
    struct vtb_error err = {0};
    (void)state;

    assert_int_equal(vtb__report_data_load(&d, FIXTURES "/sweep", &err), 0);
    assert_string_equal(d.scenario, "fixture");
    assert_int_equal(d.nrows, 18);
    assert_int_equal(d.ncells, 6);
    assert_int_equal(d.nimpls, 3);
    assert_string_equal(d.impls[2], "pooled");
    assert_true(d.has_percentiles);
    assert_int_equal(vtb__report_axis_distinct(&d, VTB__AX_HIT_RATIO), 3);
    assert_int_equal(vtb__report_axis_distinct(&d, VTB__AX_THREADS), 2);
    assert_int_equal(vtb__report_axis_distinct(&d, VTB__AX_KEY_DIST), 1);
    assert_int_equal(vtb__report_primary_axis(&d), VTB__AX_HIT_RATIO);
    assert_string_equal(vtb__report_preferred_value(&d, VTB__AX_HIT_RATIO), "1");
    assert_string_equal(vtb__report_preferred_value(&d, VTB__AX_THREADS), "1");
    assert_string_equal(d.context_error, "");
    assert_true(vtb__report_ctx_num(&d, "object_sizes.task.usable_bytes") == 80);
    assert_string_equal(vtb__report_ctx_text(&d, "cells_done", "?"), "6");
    assert_string_equal(vtb__report_ctx_text(&d, "context.nothing", "fallback"), "fallback");
    assert_true(vtb__report_ctx_bool(&d, "complete", false));
    assert_true(isnan(vtb__report_ctx_num(&d, "context.cpu_model")));
    vtb__report_data_fini(&d);

    assert_int_equal(vtb__report_data_load(&d, *state, &err), VTB_ENOTFOUND);
}

/* Slices hold every varying axis that is not drawn, and the crossings of
 * a cost ratio ignore what lies within the noise. */
static void test_slices_and_crossings(void **state)
{
    struct vtb__report_data d;
    struct vtb__report_slice s;
    struct vtb__report_crossings x;
    struct vtb_error err = {0};
    const struct vtb__report_row *row;
    unsigned cells[16];
    char held[64];
    size_t n;
    (void)state;

    assert_int_equal(vtb__report_data_load(&d, FIXTURES "/sweep", &err), 0);
    /* Two thread counts: a line each where series are allowed ... */
    vtb__report_slice_init(&d, &s, VTB__AX_HIT_RATIO, -1, true);
    assert_int_equal(s.series, VTB__AX_THREADS);
    assert_null(s.fixed[VTB__AX_THREADS]);
    assert_int_equal(vtb__report_slice_cells(&d, &s, "2", cells, 16), 3);
    assert_int_equal(cells[0], 1);
    /* ... else held at one, and said so. */
    vtb__report_slice_init(&d, &s, VTB__AX_HIT_RATIO, -1, false);
    assert_int_equal(s.series, -1);
    assert_string_equal(s.fixed[VTB__AX_THREADS], "1");
    vtb__report_slice_describe(&s, held, sizeof(held));
    assert_string_equal(held, "threads=1");

    n = vtb__report_claim_cells(&d, cells, 16);
    assert_int_equal(n, 3);
    assert_int_equal(cells[0], 0);
    assert_int_equal(cells[1], 2);
    assert_int_equal(cells[2], 4);
    row = vtb__report_claim_row(&d, "value-task", 0.8);
    assert_non_null(row);
    assert_int_equal(row->cell, 2);
    assert_null(vtb__report_claim_row(&d, "value-task", 0.5));
    assert_null(vtb__report_claim_row(&d, "no-such-impl", 1.0));

    /* alloc-task/value-task: significantly above 1 only at hit ratio 1. */
    assert_int_equal(vtb__report_crossings(&d, cells, n, "alloc-task", "value-task", &x), 0);
    assert_int_equal(x.points, 3);
    assert_int_equal(x.above, 1);
    assert_int_equal(x.below, 0);
    assert_true(x.max_at == 1.0);
    assert_true(fabs(x.max_ratio - 2.316) < 0.01);
    assert_int_equal(vtb__report_crossings(&d, cells, 1, "alloc-task", "value-task", &x), -1);
    vtb__report_data_fini(&d);
}

/* The claims' verdicts on the sweep, computed without any chart. */
static void test_claims(void **state)
{
    static const enum vtb__claim_verdict want[] = {
        VTB__CLAIM_CONFIRMED, VTB__CLAIM_CONFIRMED, VTB__CLAIM_CONFIRMED,
        VTB__CLAIM_REFUTED,   VTB__CLAIM_CONFIRMED, VTB__CLAIM_REFUTED,
        VTB__CLAIM_REFUTED,   VTB__CLAIM_CONFIRMED, VTB__CLAIM_REFUTED,
    };
    struct vtb__report_data d;
    struct vtb__claim_ctx cx;
    struct vtb__claim_result res;
    struct vtb_error err = {0};
    (void)state;

    assert_int_equal(vtb__report_data_load(&d, FIXTURES "/sweep", &err), 0);
    vtb__claim_ctx_init(&cx, &d);
    assert_string_equal(cx.held, "threads=1");
    assert_false(cx.multi_threaded);
    assert_int_equal(vtb__claim_count(), sizeof(want) / sizeof(want[0]));
    for (size_t k = 0; k < vtb__claim_count(); k++) {
        vtb__claim_eval(&cx, k, &res);
        if (res.verdict != want[k])
            fail_msg("claim %zu (%s): %s: %s", k, res.text,
                     vtb__claim_verdict_name(res.verdict), res.why);
    }
    vtb__claim_eval(&cx, 0, &res);
    assert_string_equal(res.text, "Task allocates on every call, even a cache hit");
    assert_non_null(strstr(res.measured, "(72-byte task, 80-byte jemalloc size class)"));
    vtb__report_data_fini(&d);
}

static void write_text(const char *path, const char *text)
{
    FILE *out = fopen(path, "wb");

    assert_non_null(out);
    assert_int_equal(fwrite(text, 1, strlen(text), out), strlen(text));
    assert_int_equal(fclose(out), 0);
}

/* report.md (no charts) of the sweep's results.csv with context (NULL: no
 * context.json) in a run directory under dir. */
static char *md_with_context(const char *dir, const char *context)
{
    struct vtb__report_data d;
    struct vtb_report_outcome o;
    struct vtb_error err = {0};
    char run[512], path[600], *results;

    snprintf(run, sizeof(run), "%s/run", dir);
    mkdir(run, 0777);
    results = read_text(FIXTURES "/sweep/results.csv");
    assert_non_null(results);
    snprintf(path, sizeof(path), "%s/results.csv", run);
    write_text(path, results);
    free(results);
    snprintf(path, sizeof(path), "%s/context.json", run);
    if (context != NULL)
        write_text(path, context);
    else
        unlink(path);
    assert_int_equal(vtb__report_data_load(&d, run, &err), 0);
    memset(&o, 0, sizeof(o));
    snprintf(o.out_dir, sizeof(o.out_dir), "%s", dir);
    snprintf(o.report_md, sizeof(o.report_md), "%s/report.md", dir);
    assert_int_equal(vtb__report_md_write(&d, &o, &err), 0);
    vtb__report_data_fini(&d);
    return read_text(o.report_md);
}

/* What report.md says of context.json: an incomplete run, values that are
 * null or need escaping, and a file that is missing or malformed (named
 * with its line and column, and then not used at all). */
static void test_md_context(void **state)
{
    char *md;

    md = md_with_context(*state, "{\"complete\": false, \"cells_done\": 3, \"cell_count\": 6,\n"
                                 " \"scenario_file\": null, \"context\": {\"cpu_model\": "
                                 "\"caf\\u00e9 | x\", \"num_cpus\": 4, \"assertions\": true,\n"
                                 " \"allocator\": \"glibc\", \"kernel\": null}}\n");
    assert_non_null(md);
    assert_contains(md, "scenario file `?`: 6 cells x 3 implementations (**incomplete run**: "
                        "3 of 6 cells done). Generated by `vtbench report` from `results.csv`, "
                        "`context.json`;");
    assert_contains(md, "| CPU | caf\xc3\xa9 \\| x, 4 CPUs at n/a MHz, governor unknown |");
    assert_contains(md, "| kernel | unknown, unknown |");
    assert_contains(md, "assertions on |");
    assert_contains(md, "| allocator | glibc |");
    free(md);

    md = md_with_context(*state, "{\n  \"complete\": tru\n}\n");
    assert_non_null(md);
    assert_contains(md, "> context.json:2:15: bad literal: expected true, so the machine "
                        "context is unknown.");
    assert_null(strstr(md, "## Machine and build"));
    assert_null(strstr(md, "`context.json`;"));
    free(md);

    md = md_with_context(*state, "[1]");
    assert_non_null(md);
    assert_contains(md, "> context.json: is not a JSON object, so the machine context is "
                        "unknown.");
    free(md);

    md = md_with_context(*state, NULL);
    assert_non_null(md);
    assert_contains(md, "> context.json: missing, so the machine context is unknown.");
    assert_contains(md, "| Cache miss: Task vs ValueTask | 55 ns vs 55 ns |");
    free(md);
}

/* percentiles.csv: the levels of the .hgrm files, as CSV, per histogram. */
static void test_percentiles_reporter(void **state)
{
    const struct vtb_reporter_ops *ops = vtb_reporter_find("percentiles");
    struct vtb_run_info info;
    struct vtb_record rec;
    struct vtb_hist all, hit;
    struct vtb_hist_pct_iter it;
    struct vtb_error err = {0};
    void *rs;
    char path[1024], *text, *line;
    size_t rows = 0, levels = 0;

    assert_non_null(ops);
    assert_int_equal(vtb_hist_init(&all, 1, 1000000, 3), 0);
    assert_int_equal(vtb_hist_init(&hit, 1, 1000000, 3), 0);
    for (int v = 1; v <= 1000; v++) {
        vtb_hist_record(&all, v);
        if (v <= 800)
            vtb_hist_record(&hit, v);
    }
    memset(&info, 0, sizeof(info));
    snprintf(info.run_dir, sizeof(info.run_dir), "%s", (const char *)*state);
    memset(&rec, 0, sizeof(rec));
    snprintf(rec.scenario, sizeof(rec.scenario), "a,b");
    snprintf(rec.impl, sizeof(rec.impl), "pooled");
    rec.cell.index = 7;
    rec.hist_all = &all;
    rec.hist_hit = &hit;
    rec.hist_miss = NULL; /* no misses: no rows */
    rec.all.samples = 1000;
    rec.hit.samples = 800;

    rs = calloc(1, ops->state_size);
    assert_non_null(rs);
    assert_int_equal(ops->begin(rs, NULL, &info, &err), 0);
    assert_int_equal(ops->cell(rs, &info, &rec, 1, &err), 0);
    assert_int_equal(ops->finish(rs, &info, &err), 0);
    assert_int_equal(ops->publish(rs, &err), 0);
    free(rs);

    snprintf(path, sizeof(path), "%s/percentiles.csv", (const char *)*state);
    text = read_text(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "scenario,cell_index,impl,kind,percentile,value_ns,count,samples\r\n"
                                 "\"a,b\",7,pooled,all,0,1,1,1000\r\n"));
    assert_non_null(strstr(text, "\"a,b\",7,pooled,all,50,500,500,1000\r\n"));
    /* The spectrum stops at 1 - 1/N: 99.9% of 1000 samples, 99.875% of 800. */
    assert_null(strstr(text, ",all,100,"));
    assert_null(strstr(text, ",hit,100,"));
    assert_null(strstr(text, ",miss,"));
    /* One row per level of each histogram's iteration, up to its cut. */
    for (line = text; (line = strstr(line, "\r\n")) != NULL; line += 2)
        rows++;
    assert_int_equal(vtb_hist_pct_iter_init(&it, &all, 5), 0);
    while (vtb_hist_pct_iter_next(&it))
        levels += it.percentile <= 99.9 + 1e-9 || it.percentile == 0;
    assert_int_equal(vtb_hist_pct_iter_init(&it, &hit, 5), 0);
    while (vtb_hist_pct_iter_next(&it))
        levels += it.percentile <= 99.875 + 1e-9 || it.percentile == 0;
    assert_int_equal(rows, 1 + levels);
    free(text);
    vtb_hist_fini(&all);
    vtb_hist_fini(&hit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_cell_skips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_skew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rerun_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_gnuplot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_run_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slices_and_crossings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_md_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_percentiles_reporter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
