/*
 * Tests of `vtbench report` (reports/: the run's data, slices, paired
 * ratios, claims, charts, report.md, the gnuplot templates, and the
 * command's refusal of runs the gates refuse) and of the percentiles
 * reporter that feeds its latency chart.
 *
 * The reports are generated from fixed run directories under
 * tests/fixtures/report/, files a real vtbench wrote, so the templates see
 * exactly what a run writes: "sweep" (hit ratio 0/0.8/1 x threads 1/2,
 * with samples.csv, percentiles.csv of cell 2 and context.json), "single"
 * (one cell), "skew" (an emergent-mode key_dist sweep), "openloop" (a
 * --quick run of scenarios/open-loop.ini) and "killed" (a run SIGKILLed
 * after two of its four cells: a journal and no context.json). Variants
 * (a context.json that says incomplete, rows made noisy or imprecise, an
 * axis made to vary) are written by the tests from these. Nothing is
 * timed.
 *
 * The chart tests need gnuplot and are skipped without it. What reaches
 * gnuplot (the -e variables of every chart) is tested without it, through
 * a stand-in gnuplot (VTB_GNUPLOT) that records its arguments; the modules
 * below the charts (the run as loaded, slices, pairs, crossings, claims,
 * report.md) are tested through their internal headers.
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

#include "charts.h"
#include "claims.h"
#include "commands.h"
#include "histogram.h"
#include "keys.h"
#include "record.h"
#include "csv_columns.h"
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
                                         "open-loop", "backend"};
#define NCHARTS (sizeof(all_charts) / sizeof(all_charts[0]))

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
    unsetenv("VTB_GNUPLOT");
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

static void write_text(const char *path, const char *text)
{
    FILE *out = fopen(path, "wb");

    assert_non_null(out);
    assert_int_equal(fwrite(text, 1, strlen(text), out), strlen(text));
    assert_int_equal(fclose(out), 0);
}

static long file_size(const char *dir, const char *name, const char *ext)
{
    char path[1200];
    struct stat st;

    snprintf(path, sizeof(path), "%.1023s/%s.%s", dir, name, ext);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void assert_contains(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL)
        fail_msg("text lacks: %s", needle);
}

/* Copies the files of fixture into the new directory dir/name, and returns
 * its path (static storage: one at a time). */
static const char *copy_fixture(const char *dir, const char *fixture, const char *name)
{
    static char run[512];
    static const char *const files[] = {"results.csv", "samples.csv", "percentiles.csv",
                                        "context.json", "journal", "scenario.ini"};

    snprintf(run, sizeof(run), "%s/%s", dir, name);
    mkdir(run, 0777);
    for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
        char from[600], to[600], *text;

        snprintf(from, sizeof(from), "%s/%s/%s", FIXTURES, fixture, files[k]);
        text = read_text(from);
        if (text == NULL)
            continue;
        snprintf(to, sizeof(to), "%s/%s", run, files[k]);
        write_text(to, text);
        free(text);
    }
    return run;
}


/* One change to results.csv: the column of the rows of cell (-1: every
 * cell) and impl (NULL: every implementation) gets value; a column the
 * file lacks is added (empty elsewhere). */
struct edit {
    int cell;
    const char *impl;
    const char *column;
    const char *value;
};

/* Rewrites run/results.csv with the edits applied in order. */
static void edit_results(const char *run, const struct edit *edits, size_t nedits)
{
    struct vtb_csv_table t;
    struct vtb_error err = {0};
    char path[600];
    const char *added[32];
    size_t nadded = 0;
    FILE *out;

    snprintf(path, sizeof(path), "%s/results.csv", run);
    assert_int_equal(vtb_csv_read(path, &t, &err), 0);
    for (size_t e = 0; e < nedits; e++) {
        bool seen = vtb_csv_column(&t, edits[e].column) >= 0;
        for (size_t k = 0; k < nadded && !seen; k++)
            seen = strcmp(added[k], edits[e].column) == 0;
        if (!seen)
            added[nadded++] = edits[e].column;
    }
    out = fopen(path, "wb");
    assert_non_null(out);
    for (size_t r = 0; r <= t.rows; r++) {
        for (size_t c = 0; c < t.columns + nadded; c++) {
            const char *name = c < t.columns ? vtb_csv_header(&t, c) : added[c - t.columns];
            const char *value = r == 0 ? name : c < t.columns ? vtb_csv_cell(&t, r - 1, c) : "";

            for (size_t e = 0; e < nedits && r > 0; e++) {
                const char *cell = vtb_csv_cell(&t, r - 1, (size_t)vtb_csv_column(&t, "cell_index"));
                const char *impl = vtb_csv_cell(&t, r - 1, (size_t)vtb_csv_column(&t, "impl"));
                if (strcmp(edits[e].column, name) == 0 &&
                    (edits[e].cell < 0 || atoi(cell) == edits[e].cell) &&
                    (edits[e].impl == NULL || strcmp(edits[e].impl, impl) == 0))
                    value = edits[e].value;
            }
            if (c > 0)
                fputc(',', out);
            vtb_csv_write_text(out, value);
        }
        fputs("\r\n", out);
    }
    assert_int_equal(fclose(out), 0);
    vtb_csv_free(&t);
}

/* Generates the report of run into out; skips the test without gnuplot. */
static void generate_run(const char *run, const char *out, unsigned flags,
                         struct vtb_report_outcome *outcome)
{
    struct vtb_error err = {0};
    int rc = vtb_report_generate(run, out, flags, outcome, &err);

    if (rc == VTB_EUNSUPPORTED && strstr(err.message, "cannot run gnuplot") != NULL)
        skip();
    if (rc != 0)
        fail_msg("vtb_report_generate(%s): %s", run, err.message);
}

static void generate(const char *fixture, const char *out, struct vtb_report_outcome *outcome)
{
    char run_dir[512];

    snprintf(run_dir, sizeof(run_dir), "%s/%s", FIXTURES, fixture);
    generate_run(run_dir, out, 0, outcome);
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
    assert_int_equal(o->chart_count, NCHARTS);
}

/* ---- A stand-in for gnuplot: what the charts are told ---- */

/* Installs a gnuplot that appends its -e text to dir/gnuplot.log (one line
 * per rendering) and writes a one-byte chart, so that the variables a run
 * gives every template can be checked without gnuplot. */
static void fake_gnuplot(const char *dir)
{
    char path[512], script[1024];

    snprintf(path, sizeof(path), "%s/fake-gnuplot", dir);
    snprintf(script, sizeof(script),
             "#!/bin/sh\n"
             "printf '%%s\\n' \"$2\" >> '%s/gnuplot.log'\n"
             "out=$(printf '%%s' \"$2\" | sed -n \"s/.*out='\\([^']*\\)'.*/\\1/p\")\n"
             "printf x > \"$out\"\n",
             dir);
    write_text(path, script);
    chmod(path, 0755);
    setenv("VTB_GNUPLOT", path, 1);
}

/* The -e text of the last rendering of chart (as PNG) in dir/gnuplot.log,
 * or NULL; free it. */
static char *gnuplot_vars(const char *dir, const char *chart_name)
{
    char path[512], needle[128], *log, *found = NULL, *line;

    snprintf(path, sizeof(path), "%s/gnuplot.log", dir);
    snprintf(needle, sizeof(needle), "/%s.png.tmp'", chart_name);
    log = read_text(path);
    if (log == NULL)
        return NULL;
    for (line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n"))
        if (strstr(line, needle) != NULL)
            found = line;
    found = found != NULL ? strdup(found) : NULL;
    free(log);
    return found;
}

/* ---- The charts, drawn by gnuplot ---- */

static void test_sweep(void **state)
{
    struct vtb_report_outcome o;
    char *md;

    generate("sweep", *state, &o);
    check_files(&o);
    assert_false(o.incomplete);
    /* A closed-loop hit ratio x threads sweep fills everything but the
     * key-skew, open-loop and backend charts. */
    for (size_t k = 0; k < NCHARTS; k++)
        assert_int_equal(chart(&o, all_charts[k])->drawn,
                         strcmp(all_charts[k], "key-skew") != 0 &&
                             strcmp(all_charts[k], "open-loop") != 0 &&
                             strcmp(all_charts[k], "backend") != 0);
    assert_non_null(strstr(chart(&o, "backend")->note, "this run measures one backend"));
    assert_string_equal(chart(&o, "key-skew")->note,
                        "this run uses a single key distribution; a key_dist sweep is needed");
    /* Two thread counts are never mixed silently: lines per thread count,
     * or one held, and the note says which. */
    assert_non_null(strstr(chart(&o, "ns-per-op")->note, "one line style per threads"));
    assert_non_null(strstr(chart(&o, "threads")->note, "held at hit_ratio=1"));
    assert_non_null(strstr(chart(&o, "threads")->note, "only cache_lock=seqlock was measured"));
    assert_non_null(strstr(chart(&o, "alloc-1m")->note, "held at threads=1"));
    assert_non_null(strstr(chart(&o, "alloc-1m")->note, "markers: the articles' totals"));
    assert_non_null(strstr(chart(&o, "latency-spectrum")->note,
                           "cell 2, hit_ratio=0.8, threads=1"));
    assert_non_null(strstr(chart(&o, "latency-spectrum")->note, "ns timer overhead"));
    /* The break-even chart's paired figures are left beside it. */
    assert_true(file_size(o.out_dir, "break-even", "csv") > 0);
    assert_non_null(strstr(chart(&o, "break-even")->note,
                           "alloc-task/value-task above 1 beyond its interval at 2 of 3 hit "
                           "ratios, below at 0"));

    md = read_text(o.report_md);
    assert_non_null(md);
    assert_contains(md, "| allocator | jemalloc 5.3.0");
    assert_contains(md, "| object sizes | result 16 B; task 72 B (jemalloc size class 80 B)");
    assert_contains(md, "| cell | hit_ratio | threads | hits | impl | ns/op | 95% CI | ratio "
                        "[95% CI] |");
    assert_contains(md, "| 4 | 1 | 1 | 100.0% | alloc-task | 43.97 | [40.06, 47.88] | 2.11x "
                        "[1.93, 2.32] | ~50 | ");
    assert_contains(md, "| 4 | 1 | 1 | 100.0% | value-task | 20.77 | [20.44, 21.11] | 1 "
                        "(reference) |");
    /* A noisy row (CV 13%) is marked. */
    assert_contains(md, "| 1 | 0 | 2 | 0.0% | alloc-task | 314.65 ! | [263.42, 365.88] |");
    assert_contains(md, "![Time per call versus hit ratio](ns-per-op.svg)");
    assert_contains(md, "([PNG](break-even.png))");
    assert_contains(md, "Skipped: this run uses a single key distribution; a key_dist sweep is "
                        "needed.");
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
    assert_contains(md, "| Cache miss: Task vs ValueTask | 55 ns vs 55 ns |");
    assert_contains(md, "| - | **not measured**: no cell at hit ratio 0 |");
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
    assert_contains(md, "**not measured**: this run sets no hit ratio (emergent mode)");
    free(md);
}

/* An open-loop sweep (a --quick run of scenarios/open-loop.ini) draws the
 * hockey stick: the load axis of the key table is detected. */
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
    assert_contains(md, "| load |");
    free(md);
}

/* A second report into the same directory replaces the first, and removes
 * the charts the new run cannot fill (with the table beside one). */
static void test_rerun_replaces(void **state)
{
    struct vtb_report_outcome o;

    generate("sweep", *state, &o);
    assert_true(file_size(*state, "ns-per-op", "svg") > 0);
    assert_true(file_size(*state, "break-even", "csv") > 0);
    generate("single", *state, &o);
    assert_int_equal(file_size(*state, "ns-per-op", "svg"), -1);
    assert_int_equal(file_size(*state, "break-even", "csv"), -1);
    assert_true(file_size(*state, "alloc-1m", "svg") > 0);
}

static void test_missing_gnuplot(void **state)
{
    struct vtb_report_outcome o;
    struct vtb_error err = {0};
    int rc;

    setenv("VTB_GNUPLOT", "/nonexistent/gnuplot", 1);
    rc = vtb_report_generate(FIXTURES "/sweep", *state, 0, &o, &err);
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
    char missing[512];

    /* An empty directory holds no run and no journal; nothing at all is
     * not found. */
    assert_int_equal(vtb_report_generate(*state, NULL, VTB_REPORT_ALLOW_INCOMPLETE, &o, &err),
                     VTB_EINVAL);
    assert_non_null(strstr(err.message, "no results.csv"));
    snprintf(missing, sizeof(missing), "%s/nothing", (const char *)*state);
    assert_int_equal(vtb_report_generate(missing, NULL, 0, &o, &err), VTB_ENOTFOUND);
    assert_int_equal(vtb_report_generate(NULL, NULL, 0, &o, &err), VTB_EINVAL);
}

/* A sweep of backend = sim, redis (the sweep's two thread counts made
 * into two backends) draws simulated against real misses, and report.md
 * says from which hit ratio alloc-task and value-task differ beyond the
 * noise on each. Skipped when the key table has no backend axis. */
static void test_backends(void **state)
{
    static const struct edit two[] = {{-1, NULL, "threads", "1"},
                                      {-1, NULL, "backend", "sim"},
                                      {1, NULL, "backend", "redis"},
                                      {3, NULL, "backend", "redis"},
                                      {5, NULL, "backend", "redis"}};
    const char *run;
    struct vtb_report_outcome o;
    char *md;

    if (vtb__report_axis_named("backend") < 0)
        skip();
    run = copy_fixture(*state, "sweep", "run");
    edit_results(run, two, sizeof(two) / sizeof(two[0]));
    generate_run(run, NULL, 0, &o);
    check_files(&o);
    assert_true(chart(&o, "backend")->drawn);
    assert_non_null(strstr(chart(&o, "backend")->note, "one line style per backend"));
    assert_false(chart(&o, "threads")->drawn);
    md = read_text(o.report_md);
    assert_non_null(md);
    assert_contains(md, "## Simulated versus real misses");
    assert_contains(md, "| 1 | redis | 28.9 | 15.0 | 1.92x [1.69, 2.18] |");
    assert_contains(md, "- backend=sim: alloc-task and value-task differ beyond the 95% interval "
                        "of their paired ratio from hit ratio 0.8 on.");
    assert_contains(md, "- backend=redis: alloc-task and value-task differ beyond the 95% "
                        "interval of their paired ratio from hit ratio 1 on.");
    /* The claims hold the backend at its default. */
    assert_contains(md, "held at backend=sim");
    free(md);
}

/* ---- Runs the gates refuse ---- */

/* Exit code of `vtbench report ARGS...` (NULL-terminated). */
static int cli_report(const char *first, ...)
{
    char *argv[8];
    int argc = 0;
    va_list ap;

    argv[argc++] = (char *)"report";
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 7; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    return vtb_cmd_report(argc, argv);
}

/* A run that is incomplete, has no context.json or a corrupt one is
 * refused with one line saying why (exit 2), unless --allow-incomplete is
 * given: then the report is made, the outcome says incomplete and report.md
 * says so first. */
static void test_refuses_incomplete(void **state)
{
    static const struct {
        const char *context; /* NULL: no context.json */
        const char *why;     /* in the refusal */
    } cases[] = {
        {"{\"complete\": false, \"incomplete_reason\": \"interrupted by SIGINT\", "
         "\"cell_count\": 6}",
         "interrupted by SIGINT"},
        {NULL, "no context.json"},
        {"{\"complete\": tru", "corrupt context.json"},
        {"{\"cells_done\": 6}", "corrupt context.json"},
    };
    char out[600], ctx[600];

    fake_gnuplot(*state);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const char *run = copy_fixture(*state, "sweep", "run");
        struct vtb_report_outcome o;
        struct vtb_error err = {0};
        char *md;

        snprintf(ctx, sizeof(ctx), "%s/context.json", run);
        if (cases[k].context != NULL)
            write_text(ctx, cases[k].context);
        else
            unlink(ctx);
        snprintf(out, sizeof(out), "%s/out%zu", (const char *)*state, k);
        assert_int_equal(vtb_report_generate(run, out, 0, &o, &err), VTB_EINVAL);
        if (strstr(err.message, cases[k].why) == NULL ||
            strstr(err.message, "--allow-incomplete") == NULL || strchr(err.message, '\n'))
            fail_msg("case %zu: refusal: %s", k, err.message);
        /* Nothing was written. */
        assert_int_equal(file_size(out, "report", "md"), -1);
        assert_int_equal(cli_report(run, "--out", out, NULL), VTB_EXIT_USAGE);

        assert_int_equal(vtb_report_generate(run, out, VTB_REPORT_ALLOW_INCOMPLETE, &o, &err),
                         0);
        assert_true(o.incomplete);
        assert_non_null(strstr(o.incomplete_reason, cases[k].why));
        md = read_text(o.report_md);
        assert_non_null(md);
        assert_contains(md, "> **Incomplete run (");
        assert_contains(md, "and was made with --allow-incomplete.");
        free(md);
        assert_int_equal(cli_report(run, "--out", out, "--allow-incomplete", NULL), VTB_EXIT_OK);
        remove_tree(run);
    }
    /* A complete run is not refused. */
    assert_int_equal(cli_report(FIXTURES "/sweep", "--out", out, NULL), VTB_EXIT_OK);
}

/* A run killed after two cells (no context.json, no results.csv) is
 * recovered from its journal with --allow-incomplete: exactly its two
 * cells, and gnuplot gets the recovered tables as files to read. */
static void test_recovers_killed_run(void **state)
{
    const char *run = copy_fixture(*state, "killed", "killed");
    struct vtb_report_outcome o;
    struct vtb_error err = {0};
    char out[600], path[700], *md, *recovered;

    snprintf(out, sizeof(out), "%s/report", run);
    assert_int_equal(vtb_report_generate(run, NULL, 0, &o, &err), VTB_EINVAL);
    assert_non_null(strstr(err.message, "no context.json"));
    generate_run(run, NULL, VTB_REPORT_ALLOW_INCOMPLETE, &o);
    assert_string_equal(o.out_dir, out);
    assert_true(o.incomplete);
    assert_int_equal(o.cells, 2);
    check_files(&o);
    assert_true(chart(&o, "threads")->drawn);
    assert_true(chart(&o, "latency-spectrum")->drawn);
    snprintf(path, sizeof(path), "%s/recovered-results.csv", out);
    recovered = read_text(path);
    assert_non_null(recovered);
    assert_contains(recovered, "scenario,impl,cell_index,");
    free(recovered);
    assert_true(file_size(out, "recovered-percentiles", "csv") > 0);
    md = read_text(o.report_md);
    assert_non_null(md);
    assert_contains(md, "> **Incomplete run (recovered from its journal):** no context.json");
    assert_contains(md, "This report covers the 2 cells the run holds");
    assert_contains(md, "from the run's `journal` (its tables were never published)");
    free(md);
}

/* ---- What the charts are told, without gnuplot ---- */

/* The scale of every chart is fixed by what it shows: the same run with
 * its times squeezed into a narrow band, or spread over decades, gets the
 * same scales (ns per call and ratios log, throughput and bytes linear). */
static void test_fixed_scales(void **state)
{
    static const struct edit narrow[] = {
        {-1, NULL, "ns_per_op", "100"},         {-1, NULL, "ns_per_op_ci_low", "99"},
        {-1, NULL, "ns_per_op_ci_high", "101"}, {-1, NULL, "ops_per_sec", "1e7"},
        {-1, NULL, "ops_per_sec_ci_low", "9.9e6"}, {-1, NULL, "ops_per_sec_ci_high", "1.01e7"},
    };
    static const struct edit wide[] = {
        {0, NULL, "ns_per_op", "1e6"}, {0, NULL, "ns_per_op_ci_high", "2e6"},
        {4, NULL, "ns_per_op", "1"},   {4, NULL, "ns_per_op_ci_low", "0.5"},
    };
    const struct edit *variants[] = {NULL, narrow, wide};
    const size_t counts[] = {0, sizeof(narrow) / sizeof(narrow[0]),
                             sizeof(wide) / sizeof(wide[0])};

    fake_gnuplot(*state);
    for (size_t v = 0; v < 3; v++) {
        const char *run = copy_fixture(*state, "sweep", "run");
        struct vtb_report_outcome o;
        char out[600];

        if (counts[v] > 0)
            edit_results(run, variants[v], counts[v]);
        snprintf(out, sizeof(out), "%s/out", run);
        generate_run(run, out, 0, &o);
        for (size_t k = 0; k < vtb__chart_count; k++) {
            const struct vtb__chart_def *def = &vtb__charts[k];
            char *vars = gnuplot_vars(*state, def->name);
            char want[16];

            if (!chart(&o, def->name)->drawn)
                continue;
            assert_non_null(vars);
            snprintf(want, sizeof(want), "logy=%d;", def->y_scale == VTB__CHART_LOG);
            if (strstr(vars, want) == NULL)
                fail_msg("variant %zu, chart %s: not %s", v, def->name, want);
            free(vars);
        }
        remove_tree(run);
    }
    /* The scales themselves, as docs/report.md states them. */
    assert_int_equal(vtb__chart_find("ns-per-op")->y_scale, VTB__CHART_LOG);
    assert_int_equal(vtb__chart_find("key-skew")->y_scale, VTB__CHART_LOG);
    assert_int_equal(vtb__chart_find("break-even")->y_scale, VTB__CHART_LOG);
    assert_int_equal(vtb__chart_find("threads")->y_scale, VTB__CHART_LINEAR);
    assert_int_equal(vtb__chart_find("alloc")->y_scale, VTB__CHART_LINEAR);
    assert_int_equal(vtb__chart_find("alloc-1m")->y_scale, VTB__CHART_LINEAR);
}

/* Points of cells short of their precision are drawn hollow: the templates
 * are told the run has the columns, and the notes count the cells. */
static void test_hollow_points(void **state)
{
    static const struct edit imprecise[] = {
        {-1, NULL, "repetitions_auto", "true"},
        {-1, NULL, "precision_reached", "true"},
        {4, NULL, "precision_reached", "false"},
    };
    const char *run = copy_fixture(*state, "sweep", "run");
    struct vtb_report_outcome o;
    char out[600], *vars, *md;

    fake_gnuplot(*state);
    edit_results(run, imprecise, 3);
    snprintf(out, sizeof(out), "%s/out", run);
    generate_run(run, out, 0, &o);
    vars = gnuplot_vars(*state, "ns-per-op");
    assert_non_null(vars);
    assert_non_null(strstr(vars, "hasprec=1;"));
    free(vars);
    assert_non_null(strstr(chart(&o, "ns-per-op")->note,
                           "hollow points: 1 of 6 cells short of their precision"));
    md = read_text(o.report_md);
    assert_non_null(md);
    /* The cell is marked in the table, and counted. */
    assert_contains(md, "| 4 | 1 | 1 | 100.0% | alloc-task | 43.97 | [40.06, 47.88] | 2.11x "
                        "[1.93, 2.32] ? |");
    assert_contains(md, "1 of 6 cells are short of their precision");
    free(md);
}

/* A point of the threads chart above the ideal line by more than both
 * intervals is ringed, and the note names it with its reference's
 * disturbed rounds. The fixture has the case: its one-thread cell
 * at hit ratio 1 was slow (one round disturbed), so two threads look about
 * three times as fast. Brought within the intervals, nothing is ringed. */
static void test_superlinear_flagged(void **state)
{
    static const struct edit linear[] = {{5, NULL, "ops_per_sec_ci_low", "1e6"}};
    struct vtb_report_outcome o;
    const char *run;
    char out[600], *vars;

    fake_gnuplot(*state);
    generate("sweep", *state, &o);
    vars = gnuplot_vars(*state, "threads");
    assert_non_null(vars);
    assert_non_null(strstr(vars, "slflags=' 5:alloc-task 5:value-task 5:pooled ';"));
    free(vars);
    assert_non_null(strstr(chart(&o, "threads")->note,
                           "ringed: super-linear beyond the intervals, usually a slow reference "
                           "cell: alloc-task at 2 threads (seqlock) is 3.0x its 1-thread "
                           "throughput (1 of 5 rounds of that cell disturbed), value-task"));

    run = copy_fixture(*state, "sweep", "run");
    edit_results(run, linear, 1);
    snprintf(out, sizeof(out), "%s/out", run);
    generate_run(run, out, 0, &o);
    vars = gnuplot_vars(*state, "threads");
    assert_non_null(vars);
    assert_non_null(strstr(vars, "slflags=' ';"));
    free(vars);
    assert_null(strstr(chart(&o, "threads")->note, "ringed"));
}

/* The latency chart is told where quantization starts (ten clock steps)
 * and the timer overhead, and its lines carry their sample counts. */
static void test_latency_clock(void **state)
{
    struct vtb_report_outcome o;
    char *vars;

    fake_gnuplot(*state);
    generate("sweep", *state, &o);
    vars = gnuplot_vars(*state, "latency-spectrum");
    assert_non_null(vars);
    assert_non_null(strstr(vars, "qtop=100.1"));
    assert_non_null(strstr(vars, "overhead=19.38"));
    assert_non_null(strstr(vars, "samples='\""));
    free(vars);
    assert_non_null(strstr(chart(&o, "latency-spectrum")->note,
                           "shaded: below 100 ns, within 10 steps of the clock's 10 ns "
                           "resolution"));
}

/* alloc-1m draws the articles' and the primary sources' totals as markers
 * on the bars they are about: 4 of each at hit ratios 0.8 and 1. */
static void test_alloc_1m_markers(void **state)
{
    struct vtb_report_outcome o;
    char *vars;

    fake_gnuplot(*state);
    generate("sweep", *state, &o);
    vars = gnuplot_vars(*state, "alloc-1m");
    assert_non_null(vars);
    assert_non_null(strstr(vars, "mk='2 2 3 3 2 2 3 3';"));
    assert_non_null(strstr(vars, "mmb='25 6 30 0 81.6 25.6 72 0';"));
    assert_non_null(strstr(vars, "msrc='1 1 1 1 2 2 2 2';"));
    free(vars);
}

/* ---- The modules under the charts ---- */

/* The sweep as the report loads it: rows, cells, implementations, the
 * axes that vary, the values held, and context.json. */
static void test_data_load(void **state)
{
    struct vtb__report_data d;
    struct vtb_error err = {0};
    char build[256];
    (void)state;

    assert_int_equal(vtb__report_data_load(&d, FIXTURES "/sweep", 0, &err), 0);
    assert_true(vtb__report_complete(&d));
    assert_string_equal(d.scenario, "fixture");
    assert_int_equal(d.nrows, 18);
    assert_int_equal(d.ncells, 6);
    assert_int_equal(d.nimpls, 3);
    assert_string_equal(d.impls[2], "pooled");
    assert_true(d.has_percentiles);
    assert_true(d.has_samples);
    assert_int_equal(vtb__report_axis_distinct(&d, VTB_AXIS_hit_ratio), 3);
    assert_int_equal(vtb__report_axis_distinct(&d, VTB_AXIS_threads), 2);
    assert_int_equal(vtb__report_axis_distinct(&d, VTB_AXIS_key_dist), 1);
    assert_int_equal(vtb__report_axis_distinct(&d, VTB_AXIS_load), 1);
    assert_int_equal(vtb__report_primary_axis(&d), VTB_AXIS_hit_ratio);
    /* Held at the key's default, the hit ratio (no default) at its largest. */
    assert_string_equal(vtb__report_preferred_value(&d, VTB_AXIS_hit_ratio), "1");
    assert_string_equal(vtb__report_preferred_value(&d, VTB_AXIS_threads), "1");
    assert_string_equal(vtb__report_preferred_value(&d, VTB_AXIS_cache_lock), "seqlock");
    assert_string_equal(d.rows[0].ratio_to, "value-task");
    assert_true(fabs(d.rows[12].ratio - 2.11264) < 1e-9);
    assert_string_equal(d.context_error, "");
    assert_true(vtb__report_ctx_num(&d, "object_sizes.task.usable_bytes") == 80);
    assert_true(fabs(vtb__report_clock_resolution_ns(&d) - 10.0) < 0.5);
    assert_true(vtb__report_quantized(&d, 30));
    assert_false(vtb__report_quantized(&d, 160));
    vtb__report_build(&d, build, sizeof(build));
    assert_non_null(strstr(build, "GNU"));
    assert_non_null(strstr(build, "build, LTO "));
    vtb__report_data_fini(&d);

    assert_int_equal(vtb__report_data_load(&d, FIXTURES "/nothing-here", 0, &err),
                     VTB_ENOTFOUND);
}

/*
 * The axes are the key table's (keys.h): every key flagged VTB_KEY_CHART
 * is detected when it varies, load included, with no list of them in
 * reports/. The sweep's results.csv is given two values of each in turn
 * (and the column, when a key is newer than the fixture).
 */
static void test_axes_from_key_table(void **state)
{
    size_t charted = 0;
    bool saw_load = false;

    for (int a = 0; a < VTB_AXIS_COUNT; a++) {
        const struct vtb_key *k = vtb_axis_key((enum vtb_axis)a);
        struct edit two[2] = {{-1, NULL, k->column, "first-value"},
                              {5, NULL, k->column, "second-value"}};
        const char *run;
        struct vtb__report_data d;
        struct vtb_error err = {0};

        assert_int_equal(vtb__report_axis_charted(a), (k->flags & VTB_KEY_CHART) != 0);
        if (!vtb__report_axis_charted(a))
            continue;
        charted++;
        saw_load = saw_load || a == VTB_AXIS_load;
        run = copy_fixture(*state, "sweep", "axes");
        edit_results(run, two, 2);
        assert_int_equal(vtb__report_data_load(&d, run, 0, &err), 0);
        if (vtb__report_axis_distinct(&d, a) != 2)
            fail_msg("axis %s (column %s) is not detected as varying", k->name, k->column);
        assert_string_equal(vtb__report_axis_label(a), k->name);
        /* It takes part in slicing: held in a chart that does not draw it. */
        if (vtb__report_primary_axis(&d) == a) {
            struct vtb__report_slice s;
            vtb__report_slice_init(&d, &s, VTB_AXIS_threads, -1, false);
            assert_non_null(s.fixed[a]);
        }
        vtb__report_data_fini(&d);
        remove_tree(run);
    }
    assert_true(saw_load);
    assert_true(charted >= 12);
}

/* Slices hold every varying axis that is not drawn; pairs are the paired
 * ratios, the same from the ratio columns, inverted, or from the rounds;
 * crossings ignore what lies within the noise. */
static void test_slices_pairs_crossings(void **state)
{
    struct vtb__report_data d;
    struct vtb__report_slice s;
    struct vtb__report_crossings x;
    struct vtb_error err = {0};
    struct vtb_ratio r, inv, rounds;
    const struct vtb__report_row *row;
    unsigned cells[16];
    char held[64];
    size_t n;
    (void)state;

    assert_int_equal(vtb__report_data_load(&d, FIXTURES "/sweep", 0, &err), 0);
    vtb__report_slice_init(&d, &s, VTB_AXIS_hit_ratio, -1, true);
    assert_int_equal(s.series, VTB_AXIS_threads);
    assert_null(s.fixed[VTB_AXIS_threads]);
    assert_int_equal(vtb__report_slice_cells(&d, &s, "2", cells, 16), 3);
    assert_int_equal(cells[0], 1);
    vtb__report_slice_init(&d, &s, VTB_AXIS_hit_ratio, -1, false);
    assert_int_equal(s.series, -1);
    assert_string_equal(s.fixed[VTB_AXIS_threads], "1");
    vtb__report_slice_describe(&s, held, sizeof(held));
    assert_string_equal(held, "threads=1");

    n = vtb__report_claim_cells(&d, cells, 16);
    assert_int_equal(n, 3);
    assert_int_equal(cells[2], 4);
    row = vtb__report_claim_row(&d, "value-task", 0.8);
    assert_non_null(row);
    assert_int_equal(row->cell, 2);
    assert_null(vtb__report_claim_row(&d, "value-task", 0.5));

    /* alloc-task / value-task at hit ratio 1: the ratio columns. */
    assert_true(vtb__report_pair(&d, 4, "alloc-task", "value-task", &r));
    assert_true(fabs(r.ratio - 2.11264) < 1e-9);
    assert_true(fabs(r.ci_low - 1.92539) < 1e-9 && fabs(r.ci_high - 2.31811) < 1e-9);
    assert_int_equal(r.n, 5);
    /* Inverted: value-task / alloc-task, with ns saved negated. */
    assert_true(vtb__report_pair(&d, 4, "value-task", "alloc-task", &inv));
    assert_true(fabs(inv.ratio * r.ratio - 1) < 1e-9);
    assert_true(fabs(inv.ci_low * r.ci_high - 1) < 1e-9);
    assert_true(fabs(inv.diff + r.diff) < 1e-9);
    /* alloc-task / pooled has no column: from the rounds of samples.csv,
     * which agree with the columns where both exist. */
    assert_true(vtb__report_pair(&d, 4, "alloc-task", "pooled", &rounds));
    assert_int_equal(rounds.n, 5);
    assert_true(rounds.ci_low < rounds.ratio && rounds.ratio < rounds.ci_high);
    assert_true(fabs(rounds.ratio - r.ratio / 1.00702) < 0.05 * r.ratio);
    assert_false(vtb__report_pair(&d, 4, "alloc-task", "no-such-impl", &r));

    /* Paired alloc-task/value-task: beyond 1 at 0.8 and 1, not at 0. */
    assert_int_equal(vtb__report_crossings(&d, cells, n, "alloc-task", "value-task", &x), 0);
    assert_int_equal(x.points, 3);
    assert_int_equal(x.above, 2);
    assert_int_equal(x.below, 0);
    assert_true(x.max_at == 1.0);
    assert_int_equal(vtb__report_crossings(&d, cells, 1, "alloc-task", "value-task", &x), -1);
    vtb__report_data_fini(&d);
}

/* The verdict of claim number k on d. */
static enum vtb_verdict verdict_of(const struct vtb__report_data *d, size_t k,
                                   struct vtb__claim_result *res)
{
    struct vtb__claim_ctx cx;

    vtb__claim_ctx_init(&cx, d);
    vtb__claim_eval(&cx, k, res);
    return res->verdict;
}

/* The index of the claim whose text starts with prefix. */
static size_t claim_index(const char *prefix)
{
    struct vtb__report_data none;
    struct vtb__claim_ctx cx;
    struct vtb__claim_result res;

    memset(&none, 0, sizeof(none));
    vtb__claim_ctx_init(&cx, &none);
    for (size_t k = 0; k < vtb__claim_count(); k++) {
        vtb__claim_eval(&cx, k, &res);
        if (strncmp(res.text, prefix, strlen(prefix)) == 0)
            return k;
    }
    fail_msg("no claim %s", prefix);
    return 0;
}

/* The claims' verdicts on the sweep, computed without any chart: every
 * claim gets one of the five, each with the articles' and the primary
 * figures, and nothing says "within reach". */
static void test_claims(void **state)
{
    static const struct {
        const char *claim;
        enum vtb_verdict verdict;
    } want[] = {
        {"Task allocates on every call", VTB_VERDICT_BY_CONSTRUCTION},
        {"ValueTask allocates nothing", VTB_VERDICT_BY_CONSTRUCTION},
        {"On the async path", VTB_VERDICT_BY_CONSTRUCTION},
        {"Cache hit", VTB_VERDICT_REFUTED},
        {"Cache miss", VTB_VERDICT_BY_CONSTRUCTION},
        {"1,000,000 calls at 80%", VTB_VERDICT_REFUTED},
        {"1,000,000 calls, all hits", VTB_VERDICT_REFUTED},
        {"Pooled", VTB_VERDICT_BY_CONSTRUCTION},
        {"Break-even", VTB_VERDICT_INCONCLUSIVE},
    };
    struct vtb__report_data d;
    struct vtb__claim_result res;
    struct vtb_error err = {0};
    (void)state;

    assert_int_equal(vtb__report_data_load(&d, FIXTURES "/sweep", 0, &err), 0);
    assert_int_equal(vtb__claim_count(), sizeof(want) / sizeof(want[0]));
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        size_t c = claim_index(want[k].claim);
        if (verdict_of(&d, c, &res) != want[k].verdict)
            fail_msg("claim %s: %s: %s", res.text, vtb_verdict_name(res.verdict), res.why);
        assert_non_null(res.articles);
        assert_non_null(res.primary);
        assert_null(strstr(res.why, "within reach"));
    }
    verdict_of(&d, claim_index("Cache hit"), &res);
    assert_string_equal(res.measured, "alloc-task/value-task at hit ratio 1: 2.11x [1.93, 2.32] "
                                      "(paired, 5 rounds); 44.0 ns vs 20.8 ns per call");
    assert_non_null(strstr(res.why, "the whole 95% interval lies below the articles' 3x to 10x"));
    assert_non_null(strstr(res.primary, "1.6x"));
    verdict_of(&d, claim_index("Break-even"), &res);
    assert_non_null(strstr(res.primary, "no primary source"));
    vtb__report_data_fini(&d);
}

/* A paired interval that straddles a bound of the claimed range is
 * inconclusive, never confirmed; one wholly inside confirms, wholly
 * outside refutes: the hit-speed claim (3x to 10x) on edited rows. */
static void test_straddling_is_inconclusive(void **state)
{
    static const struct {
        const char *ratio, *low, *high;
        enum vtb_verdict verdict;
    } cases[] = {
        {"3.1", "2.9", "3.4", VTB_VERDICT_INCONCLUSIVE},
        {"9.5", "8", "11", VTB_VERDICT_INCONCLUSIVE},
        {"4", "3.2", "5", VTB_VERDICT_CONFIRMED},
        {"2.43", "2.37", "2.49", VTB_VERDICT_REFUTED},
        {"12", "10.5", "14", VTB_VERDICT_REFUTED},
    };
    struct vtb_ratio one = {.n = 1, .ratio = 4, .ci_low = 4, .ci_high = 4};
    struct vtb_ratio none = {.n = 0, .ratio = NAN, .ci_low = NAN, .ci_high = NAN};

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const struct edit e[] = {{4, "alloc-task", "ratio", cases[k].ratio},
                                 {4, "alloc-task", "ratio_ci_low", cases[k].low},
                                 {4, "alloc-task", "ratio_ci_high", cases[k].high}};
        const char *run = copy_fixture(*state, "sweep", "run");
        struct vtb__report_data d;
        struct vtb__claim_result res;
        struct vtb_error err = {0};

        edit_results(run, e, 3);
        assert_int_equal(vtb__report_data_load(&d, run, 0, &err), 0);
        if (verdict_of(&d, claim_index("Cache hit"), &res) != cases[k].verdict)
            fail_msg("[%s, %s]: %s (%s)", cases[k].low, cases[k].high,
                     vtb_verdict_name(res.verdict), res.why);
        vtb__report_data_fini(&d);
        remove_tree(run);
    }
    /* One round gives no interval; no ratio is not measured. */
    assert_int_equal(vtb__claim_judge_ratio(&one, 3, 10), VTB_VERDICT_INCONCLUSIVE);
    assert_int_equal(vtb__claim_judge_ratio(&none, 3, 10), VTB_VERDICT_NOT_MEASURED);
}

/* A claim true by construction says so and is not counted as a
 * confirmation, also when its measurement would confirm it: the miss-cost
 * claim with alloc-task and value-task exactly equal. */
static void test_by_construction_not_counted(void **state)
{
    static const struct edit equal[] = {{0, "alloc-task", "ratio", "1"},
                                        {0, "alloc-task", "ratio_ci_low", "0.999"},
                                        {0, "alloc-task", "ratio_ci_high", "1.001"}};
    const char *run = copy_fixture(*state, "sweep", "run");
    struct vtb__report_data d;
    struct vtb__claim_ctx cx;
    struct vtb__claim_tally t;
    struct vtb__claim_result res;
    struct vtb_report_outcome o;
    struct vtb_error err = {0};
    char *md;

    edit_results(run, equal, 3);
    assert_int_equal(vtb__report_data_load(&d, run, 0, &err), 0);
    assert_int_equal(verdict_of(&d, claim_index("Cache miss"), &res),
                     VTB_VERDICT_BY_CONSTRUCTION);
    assert_non_null(strstr(res.why, "one miss path"));
    assert_non_null(strstr(res.measured, "1.00x [1.00, 1.00]"));
    vtb__claim_ctx_init(&cx, &d);
    vtb__claim_tally(&cx, &t);
    assert_int_equal(t.count[VTB_VERDICT_CONFIRMED], 0);
    assert_int_equal(t.count[VTB_VERDICT_BY_CONSTRUCTION], 5);
    assert_int_equal(t.count[VTB_VERDICT_REFUTED], 3);
    assert_int_equal(t.count[VTB_VERDICT_INCONCLUSIVE], 1);
    vtb__report_data_fini(&d);

    fake_gnuplot(*state);
    generate_run(run, NULL, 0, &o);
    md = read_text(o.report_md);
    assert_non_null(md);
    assert_contains(md, "**0 confirmed, 3 refuted, 1 inconclusive**; 5 by construction (not "
                        "counted); 0 not measured in this run.");
    assert_contains(md, "| claim | articles | primary source | measured here | verdict |");
    assert_contains(md, "**by construction**: both strategies take one miss path");
    assert_null(strstr(md, "within reach"));
    free(md);
}

/* report.md (no charts) of the sweep with context (NULL: no context.json),
 * allowed when incomplete. */
static char *md_with_context(const char *dir, const char *context)
{
    struct vtb__report_data d;
    struct vtb_report_outcome o;
    struct vtb_error err = {0};
    const char *run = copy_fixture(dir, "sweep", "run");
    char path[600];

    snprintf(path, sizeof(path), "%s/context.json", run);
    if (context != NULL)
        write_text(path, context);
    else
        unlink(path);
    assert_int_equal(vtb__report_data_load(&d, run, VTB__REPORT_ALLOW_INCOMPLETE, &err), 0);
    memset(&o, 0, sizeof(o));
    snprintf(o.out_dir, sizeof(o.out_dir), "%s", dir);
    snprintf(o.report_md, sizeof(o.report_md), "%s/report.md", dir);
    assert_int_equal(vtb__report_md_write(&d, &o, &err), 0);
    vtb__report_data_fini(&d);
    return read_text(o.report_md);
}

/* What report.md says of context.json: the build, the clock, values that
 * are null or need escaping, and a file that is missing or malformed
 * (then not used at all). */
static void test_md_context(void **state)
{
    char *md;

    md = md_with_context(*state, "{\"complete\": false, \"cells_done\": 3, \"cell_count\": 6,\n"
                                 " \"scenario_file\": null, \"clock_resolution_ns\": 10.01,\n"
                                 " \"timer_overhead_ns\": 18.4, \"context\": {\"cpu_model\": "
                                 "\"caf\\u00e9 | x\", \"num_cpus\": 4, \"assertions\": true,\n"
                                 " \"compiler_id\": \"GNU 12.2.0\", \"c_flags\": \" -O2\",\n"
                                 " \"build_type\": \"Release\", \"lto\": true,\n"
                                 " \"allocator\": \"glibc\", \"kernel\": null}}\n");
    assert_non_null(md);
    assert_contains(md, "scenario file `?`: 6 cells x 3 implementations. Generated by `vtbench "
                        "report` from `results.csv`, `samples.csv`, `percentiles.csv`, "
                        "`context.json`;");
    assert_contains(md, "> **Incomplete run (incomplete):** context.json says");
    assert_contains(md, "This report covers the 6 cells the run holds of 6");
    assert_contains(md, "| CPU | caf\xc3\xa9 \\| x, 4 CPUs at n/a MHz, governor unknown |");
    assert_contains(md, "| kernel | unknown, unknown |");
    assert_contains(md, "link-time optimisation on");
    assert_contains(md, "Build: GNU 12.2.0, -O2, Release build, LTO on.");
    assert_contains(md, "resolution 10.0 ns");
    assert_contains(md, "| allocator | glibc |");
    /* The clock next to the latencies: the overhead, and '~' below ten
     * steps. */
    assert_contains(md, "Every latency includes the timer overhead, **18.4 ns** here");
    assert_contains(md, "values below 100 ns (`~`) are quantized");
    assert_contains(md, "| 1 | value-task | ~30 (");
    free(md);

    md = md_with_context(*state, "{\n  \"complete\": tru\n}\n");
    assert_non_null(md);
    assert_contains(md, "corrupt context.json");
    assert_contains(md, "so the machine, the build and the clock are unknown.");
    assert_null(strstr(md, "## Machine and build"));
    assert_contains(md, "Build: unknown (no usable context.json).");
    free(md);

    md = md_with_context(*state, "[1]");
    assert_non_null(md);
    assert_contains(md, "> context.json: is not a JSON object, so the machine");
    free(md);

    md = md_with_context(*state, NULL);
    assert_non_null(md);
    assert_contains(md, "> context.json: missing, so the machine, the build and the clock are "
                        "unknown.");
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
        cmocka_unit_test_setup_teardown(test_backends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_incomplete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovers_killed_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fixed_scales, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hollow_points, setup, teardown),
        cmocka_unit_test_setup_teardown(test_superlinear_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latency_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_1m_markers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_axes_from_key_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slices_pairs_crossings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_straddling_is_inconclusive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_by_construction_not_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_md_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_percentiles_reporter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
