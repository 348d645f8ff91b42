/*
 * The "json" reporter: results.json in Google Benchmark's JSON schema, so
 * that Google Benchmark's tools/compare.py and github-action-benchmark's
 * "googlecpp" tool read vtbench results as they read any benchmark's.
 *
 * Layout, as Google Benchmark writes it with --benchmark_repetitions=N:
 *   {"context": {...}, "benchmarks": [...]}
 * The context starts with Google Benchmark's own keys (date, host_name,
 * executable, num_cpus, mhz_per_cpu, cpu_scaling_enabled, caches, load_avg,
 * library_build_type), followed by every vtbench context field and the
 * run-wide figures of context.json. Two keys differ from context.json
 * because the schema already uses them: Google Benchmark's "caches" is an
 * array of cache objects (written empty: the sysfs summary is not parsed
 * into it), so our cache summary string is written as "cpu_caches"; date,
 * host_name and num_cpus are written once, under the schema's names.
 *
 * Each cell x implementation is one benchmark "run" whose name is stable
 * across runs and unique within one (scenario/impl/hit_ratio:.../threads:...
 * and every other axis of the cell), giving one entry per repetition
 * (run_type "iteration", real_time = that repetition's ns per operation)
 * and, when there are two repetitions or more, the aggregates mean, median,
 * stddev and cv (run_type "aggregate"; cv is a fraction, aggregate_unit
 * "percentage"), as Google Benchmark does. cpu_time equals real_time:
 * vtbench measures wall-clock time only, and the tools require the field.
 * iterations is the number of operations per repetition (for aggregates,
 * the number of repetitions, again as Google Benchmark). family_index is
 * the record's position in the run, so compare.py's sort keeps run order.
 *
 * Other figures are written as user counters are: plain numeric members of
 * the entry (bytes_per_op, allocs_per_op, p50_ns, ..., hit_ratio,
 * ops_per_sec), with the record's values in every iteration entry and in
 * the mean and median aggregates (they are not measured per repetition, so
 * stddev and cv entries carry none). A counter that is not a number (NaN:
 * not applicable or not measured) is left out rather than written as null.
 * Statistics warnings, when any, are the entry's "label". After
 * "benchmarks", two members outside the schema say whether the run was
 * complete: "complete" and "cells_done".
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "file_reporter.h"
#include "json_writer.h"
#include "report_common.h"
#include "reporter_list.h"
#include "stats.h"

/* Benchmark names: seven text fields of at most 63 bytes, numbers, keys. */
#define BENCH_NAME_MAX 1024

struct json_state {
    struct vtb_file_reporter base;
    struct vtb_json_writer w;
    unsigned records; /* records written so far: the next family_index */
};

/* Context keys that Google Benchmark's schema already uses (see above). */
static const char *gbench_context_key(const char *key)
{
    if (strcmp(key, "date") == 0 || strcmp(key, "host_name") == 0 ||
        strcmp(key, "num_cpus") == 0)
        return NULL;
    if (strcmp(key, "caches") == 0)
        return "cpu_caches";
    return key;
}

/* Google Benchmark's test: a cpufreq governor other than "performance". */
static bool cpu_scaling_enabled(const struct vtb_context *ctx)
{
    const char *g = ctx->cpu_governor;
    return g[0] != '\0' && strcmp(g, "unavailable") != 0 && strcmp(g, "unknown") != 0 &&
           strcmp(g, "performance") != 0;
}

static void write_context(struct vtb_json_writer *w, const struct vtb_run_info *info)
{
    const struct vtb_context *ctx = vtb__report_context_or_empty(info);

    vtb_json_key(w, "context");
    vtb_json_object_begin(w);
    vtb_json_kv_string(w, "date", ctx->date);
    vtb_json_kv_string(w, "host_name", ctx->host_name);
    /* The run info does not carry argv[0]; the program's name identifies
     * the producer, which is what readers of this field use it for. */
    vtb_json_kv_string(w, "executable", "vtbench");
    vtb_json_kv_int(w, "num_cpus", ctx->num_cpus);
    vtb_json_kv_int(w, "mhz_per_cpu", (int64_t)llround(ctx->cpu_mhz));
    vtb_json_kv_bool(w, "cpu_scaling_enabled", cpu_scaling_enabled(ctx));
    vtb_json_key(w, "caches");
    vtb_json_array_begin(w);
    vtb_json_array_end(w);
    vtb_json_key(w, "load_avg");
    vtb_json_array_begin(w);
    for (int i = 0; i < 3; i++)
        vtb_json_double(w, ctx->load_avg[i]);
    vtb_json_array_end(w);
    /* Google Benchmark warns about a "debug" library because timings of
     * unoptimised code mislead; optimisation is what decides that here. */
    vtb_json_kv_string(w, "library_build_type", ctx->optimized ? "release" : "debug");
    vtb__report_json_context(w, ctx, gbench_context_key);
    vtb__report_json_run(w, info, false);
    vtb_json_object_end(w);
}

/*
 * The stable, unique name of a record's benchmark: the scenario, the
 * implementation and every axis of the cell as key:value, '/'-separated as
 * in Google Benchmark's parameterised names. Free text is made '/'-free so
 * that the components stay unambiguous.
 */
static void bench_name(const struct vtb_record *rec, char *buf, size_t size)
{
    char token[VTB_RECORD_TEXT];
    size_t used = 0;
    int n = snprintf(buf, size, "%s/", vtb__report_token(rec->scenario, token, sizeof(token)));
    used = n > 0 ? (size_t)n : 0;
    n = snprintf(buf + used, size - used, "%s", vtb__report_token(rec->impl, token, sizeof(token)));
    used += n > 0 ? (size_t)n : 0;
    for (int a = 0; a < VTB_AXIS_COUNT && used < size; a++) {
        char value[VTB_AXIS_TEXT_MAX], clean[VTB_AXIS_TEXT_MAX];
        vtb_cell_format(&rec->cell, (enum vtb_axis)a, value, sizeof(value));
        n = snprintf(buf + used, size - used, "/%s:%s", vtb_axis_key((enum vtb_axis)a)->name,
                     vtb__report_token(value, clean, sizeof(clean)));
        used += n > 0 ? (size_t)n : 0;
    }
}

/* A counter, left out when it is not a number (see the file comment). */
static void counter(struct vtb_json_writer *w, const char *key, double v)
{
    if (!isnan(v))
        vtb_json_kv_double(w, key, v);
}

static void write_counters(struct vtb_json_writer *w, const struct vtb_record *rec)
{
    vtb_json_kv_uint(w, "cell_index", rec->cell.index);
    counter(w, "hit_ratio_target", rec->cell.hit_ratio);
    counter(w, "hit_ratio", rec->hit_ratio);
    counter(w, "ops_per_sec", rec->ops_per_sec);
    counter(w, "ops_per_sec_per_thread", rec->ops_per_sec_per_thread);
    counter(w, "p50_ns", rec->all.p50_ns);
    counter(w, "p90_ns", rec->all.p90_ns);
    counter(w, "p99_ns", rec->all.p99_ns);
    counter(w, "p999_ns", rec->all.p999_ns);
    counter(w, "p9999_ns", rec->all.p9999_ns);
    counter(w, "max_ns", rec->all.max_ns);
    counter(w, "hit_p50_ns", rec->hit.p50_ns);
    counter(w, "hit_p99_ns", rec->hit.p99_ns);
    counter(w, "miss_p50_ns", rec->miss.p50_ns);
    counter(w, "miss_p99_ns", rec->miss.p99_ns);
    counter(w, "bytes_per_op", rec->bytes_per_op);
    counter(w, "requested_bytes_per_op", rec->requested_bytes_per_op);
    counter(w, "allocs_per_op", rec->allocs_per_op);
    counter(w, "miss_latency_ns", rec->miss_latency_ns);
    counter(w, "floor_ns_per_hit", rec->floor_ns_per_hit);
    counter(w, "ratio", rec->ratio.ratio);
    counter(w, "ratio_ci_low", rec->ratio.ci_low);
    counter(w, "ratio_ci_high", rec->ratio.ci_high);
    counter(w, "ns_saved_per_op", rec->ratio.diff);
    counter(w, "ns_saved_ci_low", rec->ratio.diff_ci_low);
    counter(w, "ns_saved_ci_high", rec->ratio.diff_ci_high);
    counter(w, "floor_ratio", rec->floor_ratio.ratio);
    counter(w, "precision_reached", rec->precision_reached ? 1 : 0);
    counter(w, "rounds_disturbed", rec->rounds_disturbed);
    counter(w, "disturbed_excluded", rec->disturbed_excluded ? 1 : 0);
}

/* What differs between the entries of one record. */
struct entry {
    const char *suffix;         /* "" for iterations, "_mean" ... for aggregates */
    const char *aggregate_name; /* NULL for iterations */
    const char *aggregate_unit; /* "time" or "percentage" */
    long repetition_index;      /* iterations only */
    double time_ns;
    bool counters;
};

static void write_entry(struct json_state *s, const struct vtb_record *rec, const char *name,
                        const char *label, const struct entry *e)
{
    struct vtb_json_writer *w = &s->w;
    bool aggregate = e->aggregate_name != NULL;

    vtb_json_object_begin(w);
    vtb_json_key(w, "name");
    if (aggregate) {
        char full[BENCH_NAME_MAX + 16];
        snprintf(full, sizeof(full), "%s%s", name, e->suffix);
        vtb_json_string(w, full);
    } else {
        vtb_json_string(w, name);
    }
    vtb_json_kv_uint(w, "family_index", s->records);
    vtb_json_kv_uint(w, "per_family_instance_index", 0);
    vtb_json_kv_string(w, "run_name", name);
    vtb_json_kv_string(w, "run_type", aggregate ? "aggregate" : "iteration");
    vtb_json_kv_uint(w, "repetitions", rec->repetitions);
    if (!aggregate)
        vtb_json_kv_int(w, "repetition_index", e->repetition_index);
    vtb_json_kv_uint(w, "threads", rec->cell.threads);
    if (aggregate) {
        vtb_json_kv_string(w, "aggregate_name", e->aggregate_name);
        vtb_json_kv_string(w, "aggregate_unit", e->aggregate_unit);
    }
    vtb_json_kv_uint(w, "iterations", aggregate ? rec->repetitions : rec->ops);
    vtb_json_kv_double(w, "real_time", e->time_ns);
    vtb_json_kv_double(w, "cpu_time", e->time_ns);
    vtb_json_kv_string(w, "time_unit", "ns");
    if (e->counters) {
        write_counters(w, rec);
        vtb_json_kv_string(w, "ratio_to", rec->ratio_to);
    }
    if (label[0] != '\0')
        vtb_json_kv_string(w, "label", label);
    vtb_json_object_end(w);
}

static int json_header(void *state, FILE *out, const struct vtb_run_info *info,
                       struct vtb_error *err)
{
    struct json_state *s = state;
    (void)err;
    s->records = 0;
    vtb_json_init(&s->w, out);
    vtb_json_object_begin(&s->w);
    write_context(&s->w, info);
    vtb_json_key(&s->w, "benchmarks");
    vtb_json_array_begin(&s->w);
    return 0;
}

static void write_record(struct json_state *s, const struct vtb_record *rec)
{
    char name[BENCH_NAME_MAX], label[256];
    bench_name(rec, name, sizeof(name));
    vtb_stats_warnings_describe(rec->warnings, label, sizeof(label));

    for (unsigned i = 0; rec->samples_ns_per_op != NULL && i < rec->repetitions; i++) {
        struct entry e = {
            .suffix = "",
            .repetition_index = (long)i,
            .time_ns = rec->samples_ns_per_op[i],
            .counters = true,
        };
        write_entry(s, rec, name, label, &e);
    }
    /* Without the samples, the aggregates are all that describes the run,
     * so they are written even for a single repetition. */
    if (rec->repetitions >= 2 || rec->samples_ns_per_op == NULL) {
        const struct entry aggregates[] = {
            {"_mean", "mean", "time", 0, rec->ns_per_op.mean, true},
            {"_median", "median", "time", 0, rec->ns_per_op.median, true},
            {"_stddev", "stddev", "time", 0, rec->ns_per_op.stddev, false},
            {"_cv", "cv", "percentage", 0, rec->ns_per_op.cv, false},
        };
        for (size_t i = 0; i < sizeof(aggregates) / sizeof(aggregates[0]); i++)
            write_entry(s, rec, name, label, &aggregates[i]);
    }
    s->records++;
}

static int json_cell(void *state, FILE *out, const struct vtb_record *records, size_t count,
                     struct vtb_error *err)
{
    (void)out;
    (void)err;
    for (size_t i = 0; i < count; i++)
        write_record(state, &records[i]);
    return 0;
}

/* After "benchmarks", two members outside the schema: whether every cell
 * was measured (context.json says whether the whole run directory is). */
static int json_footer(void *state, FILE *out, const struct vtb_run_info *info,
                       struct vtb_error *err)
{
    struct json_state *s = state;
    (void)out;
    vtb_json_array_end(&s->w);
    vtb_json_kv_bool(&s->w, "complete", info->complete);
    vtb_json_kv_uint(&s->w, "cells_done", info->cells_done);
    vtb_json_object_end(&s->w);
    /* A stream error (VTB_EIO) is found by the file's own check, with its
     * errno; only a malformed document is this writer's error. */
    if (vtb_json_finish(&s->w) == VTB_EINVAL)
        return vtb_error_set(err, VTB_EINVAL, "results.json: internal error: malformed JSON");
    return 0;
}

static const struct vtb_file_format json_format = {
    .file_name = "results.json",
    .header = json_header,
    .cell = json_cell,
    .footer = json_footer,
};

static int json_begin(void *state, const void *config, const struct vtb_run_info *info,
                      struct vtb_error *err)
{
    (void)config;
    return vtb_file_reporter_begin(state, &json_format, info, err);
}

const struct vtb_reporter_ops vtb_reporter_json = VTB_FILE_REPORTER_OPS(
    "json", "results.json: Google Benchmark JSON (compare.py, github-action-benchmark)",
    struct json_state, json_begin);
