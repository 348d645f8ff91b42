/*
 * Tests of the reporters and the modules under them (atomic_file,
 * json_writer, the CSV column table, the registry).
 *
 * The core is a golden-output test per reporter: three hand-made records
 * (fixed numbers, small histograms, a scenario name with a comma and a
 * quote, an emergent-mode cell with NaN fields and a warning) and a machine
 * context built by hand, so that nothing depends on the machine, are fed
 * through begin/record/end into a fresh directory, and every file produced
 * is compared byte for byte with tests/golden/reporters/<file>. To accept a
 * deliberate change of format, run the test with VTB_UPDATE_GOLDEN=1, which
 * rewrites the golden files, and review the diff. The golden directory comes
 * from the VTB_GOLDEN_DIR macro, which the build passes.
 *
 * Around it: a simulated full disk (and a device error) must make every file
 * reporter fail with a message naming the file and leave no file at all,
 * final or temporary; context.json must say when a run was interrupted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "csv_columns.h"
#include "histogram.h"
#include "json_writer.h"
#include "record.h"
#include "reporter.h"
#include "reporter_list.h"
#include "console.h"
#include "stats.h"

#ifndef VTB_GOLDEN_DIR
#error "VTB_GOLDEN_DIR must name the tests/golden directory"
#endif
#define GOLDEN_SUBDIR VTB_GOLDEN_DIR "/reporters"

#define NRECORDS 3

/* Everything the reporters are fed, with the storage records point into. */
struct fixture {
    char dir[256];
    struct vtb_context ctx;
    struct vtb_run_info info;
    struct vtb_hist hists[NRECORDS][3]; /* all, hit, miss */
    double samples[NRECORDS][3];
    struct vtb_record recs[NRECORDS];
};

static void set_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* A context with every field fixed, including escaping material: a tab,
 * quotes and non-ASCII UTF-8 in the CPU model. */
static void make_context(struct vtb_context *c)
{
    memset(c, 0, sizeof(*c));
    set_text(c->date, sizeof(c->date), "2025-01-31T12:00:00Z");
    set_text(c->host_name, sizeof(c->host_name), "golden-host");
    set_text(c->cpu_model, sizeof(c->cpu_model),
             "Example \"Golden\" CPU\t@ 3.00GHz \xc3\xbcnic\xc3\xb8" "de");
    c->num_cpus = 8;
    c->cpu_mhz = 2999.6;
    set_text(c->cpu_governor, sizeof(c->cpu_governor), "powersave");
    set_text(c->caches, sizeof(c->caches), "L1d 48K, L1i 32K, L2 2048K");
    c->load_avg[0] = 0.5;
    c->load_avg[1] = 0.25;
    c->load_avg[2] = 0.125;
    set_text(c->kernel, sizeof(c->kernel), "Linux 6.1.0-golden");
    set_text(c->kernel_version, sizeof(c->kernel_version), "#1 SMP PREEMPT_DYNAMIC");
    set_text(c->arch, sizeof(c->arch), "x86_64");
    set_text(c->compiler_id, sizeof(c->compiler_id), "GNU");
    set_text(c->compiler_version, sizeof(c->compiler_version), "12.2.0");
    set_text(c->c_flags, sizeof(c->c_flags), "-O2 -g");
    set_text(c->build_type, sizeof(c->build_type), "RelWithDebInfo");
    set_text(c->git_revision, sizeof(c->git_revision), "0123abcd");
    set_text(c->vtb_version, sizeof(c->vtb_version), "0.1.0");
    set_text(c->sanitizer, sizeof(c->sanitizer), "none");
    c->optimized = true;
    c->assertions = true;
    set_text(c->allocator, sizeof(c->allocator), "jemalloc");
    c->allocator_stats = true;
    set_text(c->alloc.version, sizeof(c->alloc.version), "5.3.0-0-g54eaed1d");
    c->alloc.narenas = 32;
    c->alloc.opt_narenas = 0;
    c->alloc.opt_tcache = true;
    c->alloc.opt_tcache_max_bytes = 32768;
    c->alloc.opt_background_thread = false;
    c->alloc.opt_dirty_decay_ms = 10000;
    c->alloc.opt_muzzy_decay_ms = 0;
    set_text(c->alloc.malloc_conf, sizeof(c->alloc.malloc_conf), "");
    set_text(c->clock.source, sizeof(c->clock.source), "tsc");
    c->clock.ticks_per_ns = 2.9;
    set_text(c->clock.kernel_clocksource, sizeof(c->clock.kernel_clocksource), "tsc");
    c->clock.invariant_tsc = true;
    c->clock.tsc_ticks_per_ns = 2.9;
    c->clock.tsc_spread_ppm = 1.5;
    c->clock.rdtsc_overhead_ns = 6.5;
    c->clock.tsc_overhead_ns = 7.25;
    c->clock.clock_gettime_overhead_ns = 18.5;
    c->clock.ticks_overhead_ns = 7.25;
    set_text(c->clock.note, sizeof(c->clock.note), "invariant TSC, consistent calibration");
}

static void summarize_hist(const struct vtb_hist *h, struct vtb_latency_summary *s)
{
    s->count = (uint64_t)vtb_hist_total_count(h);
    if (s->count == 0) {
        s->p50_ns = s->p90_ns = s->p99_ns = s->p999_ns = s->p9999_ns = NAN;
        s->max_ns = s->mean_ns = NAN;
        return;
    }
    s->p50_ns = (double)vtb_hist_value_at_percentile(h, 50.0);
    s->p90_ns = (double)vtb_hist_value_at_percentile(h, 90.0);
    s->p99_ns = (double)vtb_hist_value_at_percentile(h, 99.0);
    s->p999_ns = (double)vtb_hist_value_at_percentile(h, 99.9);
    s->p9999_ns = (double)vtb_hist_value_at_percentile(h, 99.99);
    s->max_ns = (double)vtb_hist_max(h);
    s->mean_ns = vtb_hist_mean(h);
}

/* Records hit and miss latencies into a record's three histograms. */
static void fill_hists(struct vtb_hist h[3], const int64_t *hits, size_t nhits,
                       const int64_t *misses, size_t nmisses)
{
    for (int k = 0; k < 3; k++)
        assert_int_equal(vtb_hist_init(&h[k], 1, INT64_C(10000000000), 3), 0);
    for (size_t i = 0; i < nhits; i++) {
        vtb_hist_record_n(&h[0], hits[i], 10);
        vtb_hist_record_n(&h[1], hits[i], 10);
    }
    for (size_t i = 0; i < nmisses; i++) {
        vtb_hist_record(&h[0], misses[i]);
        vtb_hist_record(&h[2], misses[i]);
    }
}

static void set_repetitions(struct vtb_record *r, double *samples, const double *values,
                            unsigned n)
{
    memcpy(samples, values, n * sizeof(*values));
    r->repetitions = n;
    r->samples_ns_per_op = samples;
    assert_int_equal(vtb_stats_summarize(samples, n, &r->ns_per_op), 0);
    r->warnings = vtb_stats_warnings(&r->ns_per_op, 0.05, 3);
}

/* Fields the three records share: one scenario, mostly one shape of cell. */
static void make_common(struct vtb_record *r, unsigned cell, const char *impl)
{
    memset(r, 0, sizeof(*r));
    set_text(r->scenario, sizeof(r->scenario), "hit \"ratio\", golden");
    set_text(r->impl, sizeof(r->impl), impl);
    r->cell_index = cell;
    r->threads = 2;
    r->concurrency = 4;
    set_text(r->key_dist, sizeof(r->key_dist), "uniform");
    r->hit_ratio_target = 0.8;
    r->keys = 1000;
    r->capacity = 1024;
    r->ttl_ms = 0;
    set_text(r->miss_latency, sizeof(r->miss_latency), "exp:100us");
    r->miss_latency_ns = 100000.0;
    set_text(r->completion, sizeof(r->completion), "loop");
    set_text(r->continuation, sizeof(r->continuation), "posted");
    set_text(r->cache_lock, sizeof(r->cache_lock), "seqlock");
    r->ops = 1000000;
    r->latency_sample_every = 1;
    r->bytes_are_usable = true;
    r->floor_ns_per_hit = 3.25;
    r->resident_peak_bytes = 12582912;
}

static void make_fixture(struct fixture *f)
{
    static const int64_t hits[] = {40, 42, 45, 47, 50, 61};
    static const int64_t misses[] = {98000, 101000, 150000};
    static const double samples_a[] = {52.0, 52.5, 51.75};
    static const double samples_b[] = {12.5, 12.25, 12.75};
    static const double samples_c[] = {14.0};
    struct vtb_record *a = &f->recs[0], *b = &f->recs[1], *c = &f->recs[2];

    make_context(&f->ctx);
    memset(&f->info, 0, sizeof(f->info));
    set_text(f->info.scenario, sizeof(f->info.scenario), "hit \"ratio\", golden");
    set_text(f->info.scenario_file, sizeof(f->info.scenario_file), "scenarios/golden.ini");
    set_text(f->info.run_dir, sizeof(f->info.run_dir), f->dir);
    f->info.context = &f->ctx;
    f->info.sizes = (struct vtb_object_sizes){
        .vresult = 16, .task = 72, .task_pending = 120, .source = 104, .core = 40, .fetch = 48,
    };
    f->info.jemalloc_task_usable = 80;
    f->info.jemalloc_task_pending_usable = 128;
    f->info.jemalloc_source_usable = 112;
    f->info.timer_overhead_ns = 7.25;
    f->info.floor_ns_per_hit = 3.25;
    f->info.cell_count = 2;
    f->info.impl_count = 2;
    f->info.instructions_mode = false;
    f->info.complete = true;
    f->info.cells_done = 2;

    /* Cell 0, the always-allocating task: exact mode, hits and misses. */
    make_common(a, 0, "alloc-task");
    fill_hists(f->hists[0], hits, 6, misses, 3);
    set_repetitions(a, f->samples[0], samples_a, 3);
    a->ops_per_sec = 38461538.461538464;
    a->ops_per_sec_per_thread = 19230769.230769232;
    a->hit_ratio = 0.79985;
    a->allocs_per_op = 1.0;
    a->requested_bytes_per_op = 81.6;
    a->bytes_per_op = 86.4;
    a->total_alloc_bytes = 86400000;
    a->cache = (struct vtb_cache_counters){
        .hits = 2399550, .misses = 600450, .inserts = 600450, .evictions = 599426,
    };

    /* Cell 0, value-task: its miss histogram is empty (no miss file). */
    make_common(b, 0, "value-task");
    fill_hists(f->hists[1], hits, 6, NULL, 0);
    set_repetitions(b, f->samples[1], samples_b, 3);
    b->ops_per_sec = 160000000.0;
    b->ops_per_sec_per_thread = 80000000.0;
    b->hit_ratio = 0.80012;
    b->allocs_per_op = 0.2;
    b->requested_bytes_per_op = 24.0;
    b->bytes_per_op = 25.6;
    b->total_alloc_bytes = 25600000;

    /* Cell 1, pooled: emergent mode (no target), one repetition (a
     * warning), no allocator statistics (NaN bytes), only "all" kept. */
    make_common(c, 1, "pooled");
    c->hit_ratio_target = NAN;
    set_text(c->key_dist, sizeof(c->key_dist), "zipf:0.99");
    fill_hists(f->hists[2], hits, 6, misses, 3);
    set_repetitions(c, f->samples[2], samples_c, 1);
    c->ops_per_sec = 142857142.85714287;
    c->ops_per_sec_per_thread = 71428571.428571433;
    c->hit_ratio = 0.9321;
    c->allocs_per_op = 0.0;
    c->requested_bytes_per_op = 0.0;
    c->bytes_per_op = NAN;
    c->bytes_are_usable = false;
    c->pool = (struct vtb_pool_counters){
        .rents = 67900, .returns = 67900, .misses = 64, .shared_takes = 3, .high_water = 64,
    };
    c->floor_ns_per_hit = 3.5;

    for (int i = 0; i < NRECORDS; i++) {
        f->recs[i].hist_all = &f->hists[i][0];
        f->recs[i].hist_hit = i == 2 ? NULL : &f->hists[i][1];
        f->recs[i].hist_miss = i == 2 ? NULL : &f->hists[i][2];
        summarize_hist(&f->hists[i][0], &f->recs[i].all);
        summarize_hist(&f->hists[i][1], &f->recs[i].hit);
        summarize_hist(&f->hists[i][2], &f->recs[i].miss);
    }
    assert_int_equal(f->recs[2].warnings, VTB_STATS_WARN_FEW_REPS);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/vtb-reporters-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    make_fixture(f);
    vtb_atomic_file_inject_failure(-1, 0);
    *state = f;
    return 0;
}

/* Removes every file of a (flat) directory. */
static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    vtb_atomic_file_inject_failure(-1, 0);
    vtb_console_configure(NULL);
    empty_dir(f->dir);
    rmdir(f->dir);
    for (int i = 0; i < NRECORDS; i++)
        for (int k = 0; k < 3; k++)
            vtb_hist_fini(&f->hists[i][k]);
    free(f);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in dir, one per line, in buf. */
static const char *list_dir(const char *dir, char *buf, size_t size)
{
    char *names[64];
    size_t n = 0, len = 0;
    DIR *d = opendir(dir);
    struct dirent *e;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), compare_names);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(buf + len, size - len, "%s\n", names[i]);
        free(names[i]);
        assert_true(len < size);
    }
    return buf;
}

static char *read_file(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    char *data;
    long n;

    if (fp == NULL)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
    data[n] = '\0';
    fclose(fp);
    *size = (size_t)n;
    return data;
}

static void write_golden(const char *name, const char *data, size_t size)
{
    char path[1024];
    FILE *fp;

    mkdir(GOLDEN_SUBDIR, 0755);
    snprintf(path, sizeof(path), "%s/%s", GOLDEN_SUBDIR, name);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, size, fp), size);
    assert_int_equal(fclose(fp), 0);
}

/* Compares data with the golden file called name, reporting the first
 * differing line; or rewrites the golden file under VTB_UPDATE_GOLDEN. */
static void check_golden_data(const char *name, const char *data, size_t size)
{
    char path[1024];
    char *golden;
    size_t golden_size, line = 1;

    if (getenv("VTB_UPDATE_GOLDEN") != NULL) {
        write_golden(name, data, size);
        return;
    }
    snprintf(path, sizeof(path), "%s/%s", GOLDEN_SUBDIR, name);
    golden = read_file(path, &golden_size);
    if (golden == NULL)
        fail_msg("golden file %s is missing (run with VTB_UPDATE_GOLDEN=1)", path);
    for (size_t i = 0; i < size && i < golden_size; i++) {
        if (data[i] != golden[i]) {
            free(golden);
            fail_msg("%s differs from its golden file at line %zu, byte %zu", name, line, i);
        }
        if (data[i] == '\n')
            line++;
    }
    free(golden);
    if (size != golden_size)
        fail_msg("%s: %zu bytes, golden file %zu bytes", name, size, golden_size);
}

static void check_golden_file(const struct fixture *f, const char *name)
{
    char path[1024];
    size_t size;
    char *data;

    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    data = read_file(path, &size);
    if (data == NULL)
        fail_msg("reporter did not produce %s", name);
    check_golden_data(name, data, size);
    free(data);
}

/* Which call of a reporter failed. */
enum phase { PHASE_NONE, PHASE_BEGIN, PHASE_RECORD, PHASE_END };

/*
 * Runs one reporter over the fixture as the runner would and returns the
 * first error, with the phase it came from in *failed_in (may be NULL).
 * After a failure, the directory is checked to be empty BEFORE abort is
 * called (a reporter cleans up after itself), and abort is called after,
 * as the runner does.
 */
static int run_reporter_phase(const struct vtb_reporter_ops *ops, struct fixture *f,
                              struct vtb_error *err, enum phase *failed_in)
{
    void *state = calloc(1, ops->state_size > 0 ? ops->state_size : 1);
    enum phase phase = PHASE_BEGIN;
    int rc;

    assert_non_null(state);
    rc = ops->begin(state, &f->info, err);
    for (int i = 0; rc == 0 && i < NRECORDS; i++) {
        phase = PHASE_RECORD;
        rc = ops->record(state, &f->recs[i], err);
    }
    if (rc == 0) {
        phase = PHASE_END;
        rc = ops->end(state, &f->info, err);
    }
    if (rc != 0) {
        struct dirent *e;
        DIR *d = opendir(f->dir);
        assert_non_null(d);
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                fail_msg("%s left %s behind after failing", ops->name, e->d_name);
        closedir(d);
        if (ops->abort != NULL)
            ops->abort(state);
    }
    if (failed_in != NULL)
        *failed_in = rc != 0 ? phase : PHASE_NONE;
    free(state);
    return rc;
}

static int run_reporter(const struct vtb_reporter_ops *ops, struct fixture *f,
                        struct vtb_error *err)
{
    return run_reporter_phase(ops, f, err, NULL);
}

static void run_ok(const char *reporter, struct fixture *f)
{
    struct vtb_error err = {0};
    /* The console is the command line's reporter, not a file reporter. */
    const struct vtb_reporter_ops *ops = strcmp(reporter, "console") == 0
                                             ? &vtb_reporter_console
                                             : vtb_reporter_find(reporter);
    int rc;

    assert_non_null(ops);
    rc = run_reporter(ops, f, &err);
    if (rc != 0)
        fail_msg("%s reporter: %s (%s)", reporter, err.message, vtb_err_name(rc));
}

static void test_csv_golden(void **state)
{
    struct fixture *f = *state;
    char names[512];

    run_ok("csv", f);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "results.csv\n");
    check_golden_file(f, "results.csv");
}

static void test_samples_golden(void **state)
{
    struct fixture *f = *state;
    char names[512];

    run_ok("samples", f);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "samples.csv\n");
    check_golden_file(f, "samples.csv");
}

static void test_json_golden(void **state)
{
    struct fixture *f = *state;
    char names[512];

    run_ok("json", f);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "results.json\n");
    check_golden_file(f, "results.json");
}

static void test_context_golden(void **state)
{
    struct fixture *f = *state;
    char names[512];

    run_ok("context", f);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "context.json\n");
    check_golden_file(f, "context.json");
}

static void test_hgrm_golden(void **state)
{
    static const char *const files[] = {
        "0-alloc-task-all.hgrm", "0-alloc-task-hit.hgrm", "0-alloc-task-miss.hgrm",
        "0-value-task-all.hgrm", "0-value-task-hit.hgrm", "1-pooled-all.hgrm",
    };
    struct fixture *f = *state;
    char names[512], expected[512] = "";

    run_ok("hgrm", f);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        strcat(expected, files[i]);
        strcat(expected, "\n");
    }
    /* Empty histograms (value-task's misses) and absent ones (pooled's hit
     * and miss) produce no file. */
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), expected);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        check_golden_file(f, files[i]);
}

/* Runs the console reporter into a memory stream; returns the text. */
static char *console_output(struct fixture *f, bool color, bool quiet, size_t *size)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, size);

    assert_non_null(out);
    vtb_console_configure(&(struct vtb_console_options){.out = out, .color = color,
                                                        .quiet = quiet});
    run_ok("console", f);
    assert_int_equal(fclose(out), 0);
    vtb_console_configure(NULL);
    return text;
}

static void test_console_golden(void **state)
{
    struct fixture *f = *state;
    char names[512];
    size_t size;
    char *text;

    unsetenv("NO_COLOR");
    text = console_output(f, false, false, &size);
    check_golden_data("console.txt", text, size);
    free(text);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "");

    /* An interrupted run says so at the end. */
    f->info.complete = false;
    f->info.cells_done = 1;
    text = console_output(f, false, false, &size);
    assert_non_null(strstr(text, "run interrupted: 1 of 2 cells done\n"));
    free(text);
}

static void test_console_quiet_and_color(void **state)
{
    struct fixture *f = *state;
    size_t size;
    char *text;

    text = console_output(f, true, true, &size);
    assert_int_equal(size, 0);
    free(text);

    unsetenv("NO_COLOR");
    text = console_output(f, true, false, &size);
    assert_non_null(strstr(text, "\033[1m"));
    assert_non_null(strstr(text, "\033[33m")); /* the warning of pooled */
    free(text);

    /* NO_COLOR wins over a caller that asked for colour. */
    setenv("NO_COLOR", "1", 1);
    text = console_output(f, true, false, &size);
    assert_null(strchr(text, '\033'));
    free(text);
    unsetenv("NO_COLOR");
}

static void test_context_incomplete(void **state)
{
    struct fixture *f = *state;
    char path[1024];
    size_t size;
    char *text;

    f->info.complete = false;
    f->info.cells_done = 1;
    run_ok("context", f);
    snprintf(path, sizeof(path), "%s/context.json", f->dir);
    text = read_file(path, &size);
    assert_non_null(text);
    assert_non_null(strstr(text, "\n  \"complete\": false,\n  \"cells_done\": 1,\n"));
    free(text);
}

/* A full disk (or a device error) after fail_after bytes, for one reporter:
 * the run fails with err_expected, the message names the file, and no
 * file is left behind. */
static void check_fault(struct fixture *f, const char *reporter, const char *file,
                        long long fail_after, int errno_value, int err_expected)
{
    const struct vtb_reporter_ops *ops = vtb_reporter_find(reporter);
    struct vtb_error err = {0};
    char names[512];
    int rc;

    assert_non_null(ops);
    vtb_atomic_file_inject_failure(fail_after, errno_value);
    rc = run_reporter(ops, f, &err);
    vtb_atomic_file_inject_failure(-1, 0);
    if (rc != err_expected)
        fail_msg("%s after %lld bytes: got %s (%s), expected %s", reporter, fail_after,
                 vtb_err_name(rc), err.message, vtb_err_name(err_expected));
    if (strstr(err.message, file) == NULL)
        fail_msg("%s: message \"%s\" does not name %s", reporter, err.message, file);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "");
}

static void test_full_disk(void **state)
{
    static const struct {
        const char *reporter, *file;
    } cases[] = {
        {"csv", "results.csv"},       {"samples", "samples.csv"},
        {"json", "results.json"},     {"context", "context.json"},
        {"hgrm", "0-alloc-task-all.hgrm"},
    };
    struct fixture *f = *state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* At the first byte, in the middle (a failure surfacing at the
         * final flush for the small files, while recording for results.json,
         * which outgrows the stream buffer), and as a device error. */
        check_fault(f, cases[i].reporter, cases[i].file, 0, ENOSPC, VTB_ENOSPC);
        check_fault(f, cases[i].reporter, cases[i].file, 100, ENOSPC, VTB_ENOSPC);
        check_fault(f, cases[i].reporter, cases[i].file, 100, EIO, VTB_EIO);
    }
    /* A later hgrm file fails after the first one was written in full
     * (0-alloc-task-all.hgrm is 1941 bytes): the first goes too. */
    check_fault(f, "hgrm", "0-alloc-task-hit.hgrm", 2041, ENOSPC, VTB_ENOSPC);
    check_fault(f, "json", "results.json", 9000, ENOSPC, VTB_ENOSPC);
}

static void test_full_disk_while_recording(void **state)
{
    struct fixture *f = *state;
    struct vtb_error err = {0};
    enum phase phase;
    int rc;

    /* results.json outgrows the stream's buffer during the records, so
     * the failure is seen there, before the run ends. */
    vtb_atomic_file_inject_failure(100, ENOSPC);
    rc = run_reporter_phase(vtb_reporter_find("json"), f, &err, &phase);
    vtb_atomic_file_inject_failure(-1, 0);
    assert_int_equal(rc, VTB_ENOSPC);
    assert_int_equal(phase, PHASE_RECORD);
    assert_non_null(strstr(err.message, "results.json: write failed: No space left"));
}

static void test_atomic_file(void **state)
{
    struct fixture *f = *state;
    struct vtb_atomic_file af = {0}, other = {0};
    struct vtb_error err = {0};
    char names[512];

    assert_int_equal(vtb_atomic_file_open(&af, f->dir, "x.txt", &err), 0);
    fputs("hello\n", af.fp);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "x.txt.tmp\n");
    /* The temporary is exclusive: a second writer is refused. */
    assert_int_equal(vtb_atomic_file_open(&other, f->dir, "x.txt", &err), VTB_EEXIST);
    assert_non_null(strstr(err.message, "x.txt.tmp"));
    assert_int_equal(vtb_atomic_file_check(&af, &err), 0);
    assert_int_equal(vtb_atomic_file_commit(&af, &err), 0);
    assert_null(af.fp);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "x.txt\n");
    vtb_atomic_file_abort(&af); /* harmless after commit: keeps the file */
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "x.txt\n");

    assert_int_equal(vtb_atomic_file_open(&af, f->dir, "y.txt", &err), 0);
    fputs("discarded\n", af.fp);
    vtb_atomic_file_abort(&af);
    vtb_atomic_file_abort(&af);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "x.txt\n");

    assert_int_equal(vtb_atomic_file_open(&af, f->dir, "a/b", &err), VTB_EINVAL);
    assert_int_equal(vtb_atomic_file_open(&af, "/nonexistent-vtb-dir", "z", &err), VTB_EIO);
    assert_int_equal(vtb_atomic_file_commit(&af, &err), VTB_ESTATE);
}

static char *json_of(void (*build)(struct vtb_json_writer *), int *rc)
{
    char *text = NULL;
    size_t size;
    FILE *out = open_memstream(&text, &size);
    struct vtb_json_writer w;

    assert_non_null(out);
    vtb_json_init(&w, out);
    build(&w);
    *rc = vtb_json_finish(&w);
    fclose(out);
    return text;
}

static void build_escapes(struct vtb_json_writer *w)
{
    vtb_json_object_begin(w);
    vtb_json_kv_string(w, "s", "q\"b\\n\nt\tc\x01\x1f\x7f \xc3\xa9");
    vtb_json_kv_double(w, "nan", NAN);
    vtb_json_kv_double(w, "inf", -INFINITY);
    vtb_json_kv_double(w, "tenth", 0.1);
    vtb_json_kv_double(w, "third", 1.0 / 3.0);
    vtb_json_kv_double(w, "big", 1e300);
    vtb_json_kv_int(w, "neg", INT64_MIN);
    vtb_json_kv_uint(w, "max", UINT64_MAX);
    vtb_json_key(w, "empty");
    vtb_json_array_begin(w);
    vtb_json_array_end(w);
    vtb_json_key(w, "list");
    vtb_json_array_begin(w);
    vtb_json_bool(w, true);
    vtb_json_null(w);
    vtb_json_string(w, NULL);
    vtb_json_object_begin(w);
    vtb_json_object_end(w);
    vtb_json_array_end(w);
    vtb_json_object_end(w);
}

static void build_value_without_key(struct vtb_json_writer *w)
{
    vtb_json_object_begin(w);
    vtb_json_int(w, 1);
    vtb_json_object_end(w);
}

static void build_unclosed(struct vtb_json_writer *w)
{
    vtb_json_array_begin(w);
}

static void build_mismatched(struct vtb_json_writer *w)
{
    vtb_json_array_begin(w);
    vtb_json_object_end(w);
}

static void build_two_documents(struct vtb_json_writer *w)
{
    vtb_json_int(w, 1);
    vtb_json_int(w, 2);
}

static void test_json_writer(void **state)
{
    int rc;
    char *text;

    (void)state;
    text = json_of(build_escapes, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(text, "{\n"
                              "  \"s\": \"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\x7f \xc3\xa9\",\n"
                              "  \"nan\": null,\n"
                              "  \"inf\": null,\n"
                              "  \"tenth\": 0.1,\n"
                              "  \"third\": 0.3333333333333333,\n"
                              "  \"big\": 1e+300,\n"
                              "  \"neg\": -9223372036854775808,\n"
                              "  \"max\": 18446744073709551615,\n"
                              "  \"empty\": [],\n"
                              "  \"list\": [\n"
                              "    true,\n"
                              "    null,\n"
                              "    null,\n"
                              "    {}\n"
                              "  ]\n"
                              "}\n");
    free(text);

    text = json_of(build_value_without_key, &rc);
    assert_int_equal(rc, VTB_EINVAL);
    free(text);
    text = json_of(build_unclosed, &rc);
    assert_int_equal(rc, VTB_EINVAL);
    free(text);
    text = json_of(build_mismatched, &rc);
    assert_int_equal(rc, VTB_EINVAL);
    free(text);
    text = json_of(build_two_documents, &rc);
    assert_int_equal(rc, VTB_EINVAL);
    free(text);
}

static void test_csv_text_quoting(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"", ""},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\r", "\"cr\r\""},
        {" spaced ", " spaced "},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = NULL;
        size_t size;
        FILE *out = open_memstream(&text, &size);
        assert_int_equal(vtb_csv_write_text(out, cases[i].in), 0);
        fclose(out);
        assert_string_equal(text, cases[i].out);
        free(text);
    }
}

static void test_csv_columns(void **state)
{
    /* The stable prefix, in order, that readers and plots rely on. */
    static const char *const prefix[] = {
        "scenario", "impl", "threads", "concurrency", "key_dist", "hit_ratio_target",
        "hit_ratio", "miss_latency_ns", "completion", "cache_lock", "ops", "repetitions",
        "ns_per_op", "ns_per_op_ci_low", "ns_per_op_ci_high", "ns_per_op_cv", "ops_per_sec",
        "p50_ns", "p90_ns", "p99_ns", "p999_ns", "p9999_ns", "max_ns", "hit_p50_ns",
        "hit_p99_ns", "miss_p50_ns", "miss_p99_ns", "bytes_per_op", "allocs_per_op",
        "total_alloc_bytes", "resident_peak_bytes",
    };
    (void)state;
    assert_true(VTB_CSV_COLUMN_COUNT > sizeof(prefix) / sizeof(prefix[0]));
    for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
        assert_string_equal(vtb_csv_columns[i].name, prefix[i]);
    for (size_t i = 0; i < VTB_CSV_COLUMN_COUNT; i++) {
        assert_ptr_equal(vtb_csv_column_find(vtb_csv_columns[i].name), &vtb_csv_columns[i]);
        assert_true((vtb_csv_columns[i].type == VTB_CSV_REAL) ==
                    (vtb_csv_columns[i].format != NULL));
    }
    assert_null(vtb_csv_column_find("no_such_column"));
    assert_int_equal(vtb_csv_column_find("ns_per_op")->offset,
                     offsetof(struct vtb_record, ns_per_op.mean));
}

static void test_registry(void **state)
{
    static const char *const names[] = {"csv", "samples", "json", "context", "hgrm", "percentiles"};
    (void)state;
    assert_int_equal(vtb_reporter_count(), sizeof(names) / sizeof(names[0]));
    for (size_t i = 0; i < vtb_reporter_count(); i++) {
        const struct vtb_reporter_ops *ops = vtb_reporter_at(i);
        assert_string_equal(ops->name, names[i]);
        assert_ptr_equal(vtb_reporter_find(names[i]), ops);
        assert_non_null(ops->summary);
        assert_non_null(ops->begin);
        assert_non_null(ops->record);
        assert_non_null(ops->end);
    }
    assert_null(vtb_reporter_at(vtb_reporter_count()));
    assert_null(vtb_reporter_find("xml"));
    assert_null(vtb_reporter_find(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_samples_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hgrm_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_quiet_and_color, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_incomplete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk_while_recording, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_file, setup, teardown),
        cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_csv_text_quoting),
        cmocka_unit_test(test_csv_columns),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
