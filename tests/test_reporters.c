/*
 * Tests of the reporters and the modules under them (atomic_file,
 * json_writer, the CSV column table, the registry).
 *
 * The core is a golden-output test per reporter: three hand-made records
 * in two cells (fixed numbers, small histograms, a scenario name with a
 * comma and a quote, an emergent-mode cell with NaN fields and a warning)
 * and a machine context built by hand, so that nothing depends on the
 * machine, are fed through begin/cell/finish/publish into a fresh
 * directory, and every file produced is compared byte for byte with
 * tests/golden/reporters/<file>. To accept a
 * deliberate change of format, run the test with VTB_UPDATE_GOLDEN=1, which
 * rewrites the golden files, and review the diff. The golden directory comes
 * from the VTB_GOLDEN_DIR macro, which the build passes.
 *
 * Around it: a simulated full disk (and a device error) must make every file
 * reporter fail with a message naming the file and leave no file at all,
 * final or temporary; the run writer must write context.json last and say
 * "complete": true only when every cell and every file made it, keep the
 * journal otherwise, and not count a failing console against the results;
 * the journal must give back exactly the rows the files hold.
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
#include "context_json.h"
#include "csv_files.h"
#include "journal.h"
#include "reporter.h"
#include "reporter_list.h"
#include "run_writer.h"
#include "console.h"
#include "ratios.h"
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
    s->samples = s->count;
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
    r->cell.index = cell;
    r->cell.threads = 2;
    r->cell.concurrency = 4;
    r->cell.key_dist = (struct vtb_key_dist){.kind = VTB_KEY_DIST_UNIFORM};
    r->cell.hit_ratio = 0.8;
    r->cell.keys = 1000;
    r->cell.capacity = 1024;
    r->cell.ttl_ms = 0;
    r->cell.miss_latency = (struct vtb_latency){.kind = VTB_LATENCY_EXP, .a_ns = 100000};
    r->cell.completion = VTB_COMPLETE_ON_LOOP;
    r->cell.continuation = VTB_CONTINUE_POSTED;
    r->cell.cache_lock = VTB_CACHE_LOCK_SEQLOCK;
    r->cell.load = (struct vtb_load){.kind = VTB_LOAD_CLOSED};
    r->cache_capacity = 3024;
    r->miss_latency_ns = 100000.0;
    r->ops = 1000000;
    r->latency_sample_every = 1;
    r->bytes_are_usable = true;
    r->floor_ns_per_hit = 3.25;
    r->resident_peak_bytes = 12582912;
    r->rate_reached = true;
    r->intended_ops_per_sec = r->achieved_ops_per_sec = r->schedule_lag_max_ns = NAN;
    r->uncorrected.p50_ns = r->uncorrected.p90_ns = r->uncorrected.p99_ns = NAN;
    r->uncorrected.p999_ns = r->uncorrected.p9999_ns = r->uncorrected.max_ns = NAN;
    r->uncorrected.mean_ns = NAN;
    r->instructions_per_op = NAN;
    r->shared_writes_per_hit = 0;
}

/* Where each worker of the fixture's cells ran. */
static const vtb_cpu_mask fixture_cpus[2] = {0x1, 0x3};

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
    f->info.clock_resolution_ns = 10;
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
    c->cell.hit_ratio = NAN;
    c->cell.key_dist = (struct vtb_key_dist){.kind = VTB_KEY_DIST_ZIPF, .theta = 0.99};
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

    /* The paired comparison of cell 0, as the runner computes it: per
     * round, alloc-task over value-task; round 2's floor strayed (kept: too
     * few rounds to leave it out). Cell 1 has one implementation. */
    static const double floor_ns[] = {3.25, 3.3, 4.0};
    static const bool disturbed[] = {false, false, true};
    for (int i = 0; i < NRECORDS; i++) {
        struct vtb_record *r = &f->recs[i];
        const struct vtb_record *ref = i < 2 ? b : c;
        set_text(r->ratio_to, sizeof(r->ratio_to), ref->impl);
        assert_int_equal(vtb_ratio_paired(r->samples_ns_per_op, ref->samples_ns_per_op, NULL,
                                          r->repetitions, &r->ratio), 0);
        assert_int_equal(vtb_ratio_paired(r->samples_ns_per_op, floor_ns, NULL,
                                          r->repetitions, &r->floor_ratio), 0);
        r->samples_floor_ns = floor_ns;
        r->samples_disturbed = disturbed;
        r->repetitions_auto = i < 2;
        r->precision = 0.02;
        r->precision_reached = i == 1;
        r->rounds_disturbed = i < 2 ? 1 : 0;
        r->ops_per_sec_ci_low = r->ops_per_sec * 0.98;
        r->ops_per_sec_ci_high = r->ops_per_sec * 1.02;
        r->ops_per_sec_wall = r->ops_per_sec * 0.99;
    }
    for (int i = 0; i < NRECORDS; i++) {
        f->recs[i].worker_cpus = fixture_cpus;
        f->recs[i].hist_all = &f->hists[i][0];
        f->recs[i].hist_hit = i == 2 ? NULL : &f->hists[i][1];
        f->recs[i].hist_miss = i == 2 ? NULL : &f->hists[i][2];
        summarize_hist(&f->hists[i][0], &f->recs[i].all);
        summarize_hist(&f->hists[i][1], &f->recs[i].hit);
        summarize_hist(&f->hists[i][2], &f->recs[i].miss);
        /* "all" weights each hit by the sampling interval (10 here). */
        f->recs[i].all.samples = f->recs[i].hit.samples + f->recs[i].miss.samples;
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
enum phase { PHASE_NONE, PHASE_BEGIN, PHASE_CELL, PHASE_FINISH, PHASE_PUBLISH };

/* The fixture's cells: records [0, 2) are cell 0, [2, 3) cell 1. */
static const size_t cell_start[] = {0, 2, NRECORDS};

/*
 * Runs one reporter over the fixture as the run writer would and returns
 * the first error, with the phase it came from in *failed_in (may be
 * NULL). After a failure, the directory is checked to be empty BEFORE
 * abort is called (a reporter cleans up after itself), and abort is called
 * after, as the writer does.
 */
static int run_reporter_config(const struct vtb_reporter_ops *ops, const void *config,
                               struct fixture *f, struct vtb_error *err, enum phase *failed_in)
{
    void *state = calloc(1, ops->state_size > 0 ? ops->state_size : 1);
    enum phase phase = PHASE_BEGIN;
    int rc;

    assert_non_null(state);
    rc = ops->begin(state, config, &f->info, err);
    for (int c = 0; rc == 0 && c < 2; c++) {
        phase = PHASE_CELL;
        rc = ops->cell(state, &f->info, &f->recs[cell_start[c]],
                       cell_start[c + 1] - cell_start[c], err);
    }
    if (rc == 0) {
        phase = PHASE_FINISH;
        rc = ops->finish(state, &f->info, err);
    }
    if (rc == 0 && ops->publish != NULL) {
        phase = PHASE_PUBLISH;
        rc = ops->publish(state, err);
    }
    if (rc != 0 && ops->kind == VTB_REPORTER_FILE) {
        struct dirent *e;
        DIR *d = opendir(f->dir);
        assert_non_null(d);
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                fail_msg("%s left %s behind after failing", ops->name, e->d_name);
        closedir(d);
    }
    if (rc != 0 && ops->abort != NULL)
        ops->abort(state);
    if (failed_in != NULL)
        *failed_in = rc != 0 ? phase : PHASE_NONE;
    free(state);
    return rc;
}

static int run_reporter_phase(const struct vtb_reporter_ops *ops, struct fixture *f,
                              struct vtb_error *err, enum phase *failed_in)
{
    return run_reporter_config(ops, NULL, f, err, failed_in);
}

static int run_reporter(const struct vtb_reporter_ops *ops, struct fixture *f,
                        struct vtb_error *err)
{
    return run_reporter_phase(ops, f, err, NULL);
}

static void run_ok(const char *reporter, struct fixture *f)
{
    struct vtb_error err = {0};
    const struct vtb_reporter_ops *ops = vtb_reporter_find(reporter);
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

static void test_percentiles_golden(void **state)
{
    struct fixture *f = *state;
    char names[512];

    run_ok("percentiles", f);
    assert_string_equal(list_dir(f->dir, names, sizeof(names)), "percentiles.csv\n");
    check_golden_file(f, "percentiles.csv");
}

/* context.json as the run writer writes it for a complete run. */
static void write_context(struct fixture *f, bool complete, const char *reason)
{
    static char arg0[] = "run", arg1[] = "scenarios/golden.ini";
    static char *const argv[] = {arg0, arg1};
    struct vtb_cell_note notes[2];
    struct vtb_output_status outputs[2] = {{.reporter = "csv", .ok = true},
                                           {.reporter = "json", .ok = complete}};
    if (!complete)
        snprintf(outputs[1].error, sizeof(outputs[1].error), "%s", reason);
    vtb_cell_note_from(&notes[0], &f->recs[0]);
    vtb_cell_note_from(&notes[1], &f->recs[2]);
    struct vtb_context_status st = {
        .complete = complete,
        .status = complete ? "complete" : "outputs failed",
        .reason = complete ? NULL : reason,
        .outputs = outputs,
        .output_count = 2,
        .journal_kept = !complete,
        .argc = 2,
        .argv = argv,
        .cells = notes,
        .cell_count = 2,
    };
    struct vtb_error err = {0};
    if (vtb_context_json_write(&f->info, &st, &err) != 0)
        fail_msg("context.json: %s", err.message);
}

static void test_context_golden(void **state)
{
    struct fixture *f = *state;
    char names[512];

    write_context(f, true, NULL);
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
    struct vtb_console_options options = {.out = out, .color = color, .quiet = quiet};
    struct vtb_error err = {0};

    assert_non_null(out);
    if (run_reporter_config(&vtb_reporter_console, &options, f, &err, NULL) != 0)
        fail_msg("console: %s", err.message);
    assert_int_equal(fclose(out), 0);
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
    assert_non_null(strstr(text, "run incomplete: 1 of 2 cells done\n"));
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

    write_context(f, false, "results.json: write failed: No space left on device");
    snprintf(path, sizeof(path), "%s/context.json", f->dir);
    text = read_file(path, &size);
    assert_non_null(text);
    assert_non_null(strstr(text, "{\n  \"complete\": false,\n  \"status\": \"outputs failed\",\n"
                                 "  \"incomplete_reason\": \"results.json: write failed: No "
                                 "space left on device\",\n"));
    assert_non_null(strstr(text, "\"journal\": \"journal\""));
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
        {"json", "results.json"},     {"percentiles", "percentiles.csv"},
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
    assert_int_equal(phase, PHASE_CELL);
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

/* Bytes that are not UTF-8 (a stray byte, a cut sequence, an overlong
 * form, a surrogate) become U+FFFD: a JSON text must be UTF-8. */
static void build_bad_utf8(struct vtb_json_writer *w)
{
    vtb_json_string(w, "a\xff b\xc3 c\xc0\xaf d\xed\xa0\x80 e\xf0\x9f\x98\x80");
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

    text = json_of(build_bad_utf8, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(text, "\"a\\ufffd b\\ufffd c\\ufffd\\ufffd d\\ufffd\\ufffd\\ufffd "
                              "e\xf0\x9f\x98\x80\"\n");
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

/* ---- The run writer: completeness, the journal, a failing console ---- */

/* A file reporter that fails at its second cell, as a full disk would. */
static int failing_begin(void *state, const void *config, const struct vtb_run_info *info,
                         struct vtb_error *err)
{
    (void)state, (void)config, (void)info, (void)err;
    return 0;
}
static int failing_cell(void *state, const struct vtb_run_info *info,
                        const struct vtb_record *records, size_t count, struct vtb_error *err)
{
    int *cells = state;
    (void)info, (void)records, (void)count;
    if (++*cells == 2)
        return vtb_error_set(err, VTB_ENOSPC, "broken.csv: write failed: No space left on device");
    return 0;
}
static int failing_finish(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    (void)state, (void)info, (void)err;
    return 0;
}
static int failing_publish(void *state, struct vtb_error *err)
{
    (void)state, (void)err;
    return 0;
}
static const struct vtb_reporter_ops failing_reporter = {
    .name = "broken", .summary = "fails at the second cell", .kind = VTB_REPORTER_FILE,
    .state_size = sizeof(int), .begin = failing_begin, .cell = failing_cell,
    .finish = failing_finish, .publish = failing_publish,
};

/* Feeds the fixture through a run writer; returns what end returned. */
static int run_writer(struct fixture *f, struct vtb_run_writer *w, int *cell_rc,
                      struct vtb_error *err)
{
    struct vtb_record_sink sink;
    vtb_run_writer_sink(w, &sink);
    int rc = sink.begin(sink.ctx, &f->info, err);
    *cell_rc = 0;
    for (int c = 0; rc == 0 && *cell_rc == 0 && c < 2; c++)
        *cell_rc = sink.cell(sink.ctx, &f->info, &f->recs[cell_start[c]],
                             cell_start[c + 1] - cell_start[c], err);
    if (*cell_rc != 0) {
        f->info.complete = false;
        f->info.cells_done = 1;
        snprintf(f->info.status_note, sizeof(f->info.status_note), "%s", err->message);
    }
    struct vtb_error end_err = {0};
    return sink.end(sink.ctx, &f->info, &end_err);
}

static char *dir_file(const struct fixture *f, const char *name)
{
    char path[1024];
    size_t size;
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    return read_file(path, &size);
}

static void test_writer_complete(void **state)
{
    struct fixture *f = *state;
    struct vtb_run_writer w;
    struct vtb_error err = {0};
    char names[1024];
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct vtb_console_options console = {.out = out};
    int cell_rc;

    vtb_run_writer_init(&w, 0, NULL, true);
    for (size_t i = 0; i < vtb_reporter_count(); i++)
        assert_int_equal(vtb_run_writer_add(&w, vtb_reporter_at(i), NULL, &err), 0);
    assert_int_equal(vtb_run_writer_add(&w, &vtb_reporter_console, &console, &err), 0);
    assert_int_equal(run_writer(f, &w, &cell_rc, &err), 0);
    assert_int_equal(cell_rc, 0);
    assert_true(w.complete);
    assert_false(w.display_failed);
    vtb_run_writer_fini(&w);
    fclose(out);
    assert_non_null(strstr(text, "cell 1 of"));
    free(text);
    /* Every file, context.json among them; no journal, no temporary. */
    assert_string_equal(list_dir(f->dir, names, sizeof(names)),
                        "0-alloc-task-all.hgrm\n0-alloc-task-hit.hgrm\n0-alloc-task-miss.hgrm\n"
                        "0-value-task-all.hgrm\n0-value-task-hit.hgrm\n1-pooled-all.hgrm\n"
                        "context.json\npercentiles.csv\nresults.csv\nresults.json\n"
                        "samples.csv\n");
    char *context = dir_file(f, "context.json");
    assert_non_null(strstr(context, "{\n  \"complete\": true,\n  \"status\": \"complete\",\n"));
    assert_null(strstr(context, "incomplete_reason"));
    free(context);
    check_golden_file(f, "results.csv");
}

static void test_writer_output_fails(void **state)
{
    struct fixture *f = *state;
    struct vtb_run_writer w;
    struct vtb_error err = {0};
    int cell_rc;

    vtb_run_writer_init(&w, 0, NULL, true);
    assert_int_equal(vtb_run_writer_add(&w, vtb_reporter_find("csv"), NULL, &err), 0);
    assert_int_equal(vtb_run_writer_add(&w, &failing_reporter, NULL, &err), 0);
    int rc = run_writer(f, &w, &cell_rc, &err);
    assert_int_equal(cell_rc, VTB_ENOSPC);
    assert_int_equal(rc, VTB_EIO);
    assert_false(w.complete);
    vtb_run_writer_fini(&w);
    /* The run stopped at the failing cell: context.json says so and why,
     * the journal that holds the completed cell stays, and results.csv
     * holds exactly what was measured. */
    char *context = dir_file(f, "context.json");
    assert_non_null(context);
    assert_non_null(strstr(context, "\"complete\": false"));
    assert_non_null(strstr(context, "\"status\": \"failed\""));
    assert_non_null(strstr(context, "broken.csv: write failed"));
    assert_non_null(strstr(context, "\"reporter\": \"broken\",\n      \"ok\": false"));
    assert_non_null(strstr(context, "\"journal\": \"journal\""));
    free(context);
    char *journal = dir_file(f, "journal");
    assert_non_null(journal);
    free(journal);
    char *csv = dir_file(f, "results.csv");
    assert_non_null(csv);
    free(csv);
}

static void test_writer_console_fails(void **state)
{
    struct fixture *f = *state;
    struct vtb_run_writer w;
    struct vtb_error err = {0};
    FILE *full = fopen("/dev/full", "w");
    struct vtb_console_options console = {.out = full};
    int cell_rc;

    assert_non_null(full);
    vtb_run_writer_init(&w, 0, NULL, true);
    assert_int_equal(vtb_run_writer_add(&w, vtb_reporter_find("csv"), NULL, &err), 0);
    assert_int_equal(vtb_run_writer_add(&w, &vtb_reporter_console, &console, &err), 0);
    assert_int_equal(run_writer(f, &w, &cell_rc, &err), 0);
    assert_int_equal(cell_rc, 0);
    /* stdout failing is the console's failure, not the results'. */
    assert_true(w.complete);
    assert_true(w.display_failed);
    assert_non_null(strstr(w.display_error.message, "stdout: write failed"));
    vtb_run_writer_fini(&w);
    fclose(full);
    char *context = dir_file(f, "context.json");
    assert_non_null(strstr(context, "\"complete\": true"));
    free(context);
}

/* The rows a file reporter writes for the fixture, as one string. */
static char *expected_csv(const struct fixture *f, enum vtb_csv_file file)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    vtb_csv_file_header(file, out);
    vtb_csv_file_rows(file, out, f->recs, NRECORDS);
    fclose(out);
    return text;
}

static void test_journal_recovers(void **state)
{
    struct fixture *f = *state;
    struct vtb_journal j = {.fd = -1};
    struct vtb_journal_contents c;
    struct vtb_error err = {0};

    assert_int_equal(vtb_journal_create(&j, f->dir, &err), 0);
    assert_int_equal(vtb_journal_append(&j, &f->recs[0], 2, &err), 0);
    assert_int_equal(vtb_journal_append(&j, &f->recs[2], 1, &err), 0);
    vtb_journal_close(&j, false); /* as a SIGKILL would leave it */

    assert_int_equal(vtb_journal_read(f->dir, &c, &err), 0);
    assert_int_equal(c.cells, 2);
    assert_false(c.torn);
    for (int file = 0; file < VTB_CSV_FILE_COUNT; file++) {
        char *want = expected_csv(f, (enum vtb_csv_file)file);
        assert_string_equal(c.csv[file], want);
        free(want);
    }
    vtb_journal_contents_free(&c);

    /* A torn last cell (a power cut mid-write) is dropped, the rest kept. */
    char path[1024];
    snprintf(path, sizeof(path), "%s/journal", f->dir);
    FILE *jf = fopen(path, "a");
    assert_non_null(jf);
    fputs("C 2 5000 0123456789abcdef\nR results half a ro", jf);
    fclose(jf);
    assert_int_equal(vtb_journal_read(f->dir, &c, &err), 0);
    assert_int_equal(c.cells, 2);
    assert_true(c.torn);
    vtb_journal_contents_free(&c);

    /* A damaged cell (its hash does not match) ends the recovery there. */
    jf = fopen(path, "r+");
    assert_non_null(jf);
    fseek(jf, -200, SEEK_END);
    fputc('#', jf);
    fclose(jf);
    assert_int_equal(vtb_journal_read(f->dir, &c, &err), 0);
    assert_true(c.cells < 2);
    assert_true(c.torn);
    vtb_journal_contents_free(&c);

    /* Not a journal at all, and no journal. */
    jf = fopen(path, "w");
    fputs("hello\n", jf);
    fclose(jf);
    assert_int_equal(vtb_journal_read(f->dir, &c, &err), VTB_ESYNTAX);
    unlink(path);
    assert_int_equal(vtb_journal_read(f->dir, &c, &err), VTB_ENOTFOUND);
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
    /* Identity, then one column per axis of the key table, in its order. */
    (void)state;
    assert_string_equal(vtb_csv_columns[0].name, "scenario");
    assert_string_equal(vtb_csv_columns[1].name, "impl");
    assert_string_equal(vtb_csv_columns[2].name, "cell_index");
    for (int a = 0; a < VTB_AXIS_COUNT; a++) {
        assert_int_equal(vtb_csv_columns[3 + a].type, VTB_CSV_AXIS);
        assert_ptr_equal(vtb_csv_columns[3 + a].key, vtb_axis_key((enum vtb_axis)a));
        assert_string_equal(vtb_csv_columns[3 + a].name, vtb_axis_key((enum vtb_axis)a)->column);
    }
    assert_string_equal(vtb_csv_columns[3].name, "hit_ratio_target");
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
    static const char *const names[] = {"csv", "samples", "json", "hgrm", "percentiles"};
    (void)state;
    assert_int_equal(vtb_reporter_count(), sizeof(names) / sizeof(names[0]));
    for (size_t i = 0; i < vtb_reporter_count(); i++) {
        const struct vtb_reporter_ops *ops = vtb_reporter_at(i);
        assert_string_equal(ops->name, names[i]);
        assert_ptr_equal(vtb_reporter_find(names[i]), ops);
        assert_non_null(ops->summary);
        assert_int_equal(ops->kind, VTB_REPORTER_FILE);
        assert_non_null(ops->begin);
        assert_non_null(ops->cell);
        assert_non_null(ops->finish);
        assert_non_null(ops->publish);
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
        cmocka_unit_test_setup_teardown(test_percentiles_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_output_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_console_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_recovers, setup, teardown),
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
