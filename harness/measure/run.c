/*
 * One scenario run (see run.h): resolves cells into runner configurations,
 * feeds the runner's records to every reporter, and closes the reporters in
 * every outcome so that completed cells are never lost.
 */
#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "allocstats.h"
#include "clock.h"
#include "record.h"
#include "runner.h"
#include "vtb/service.h"

int vtb_run_make_dir(const char *root, const char *name, char *out, size_t size,
                     struct vtb_error *err)
{
    if (mkdir(root, 0777) != 0 && errno != EEXIST)
        return vtb_error_set(err, VTB_EIO, "%s: cannot create results directory: %s", root,
                             strerror(errno));
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    for (unsigned attempt = 1; attempt < 1000; attempt++) {
        int n = attempt == 1 ? snprintf(out, size, "%s/%s-%s", root, stamp, name)
                             : snprintf(out, size, "%s/%s-%s-%u", root, stamp, name, attempt);
        if (n < 0 || (size_t)n >= size)
            return vtb_error_set(err, VTB_ERANGE, "%s: run directory path too long", root);
        /* mkdir fails on an existing directory: an earlier run is never
         * overwritten, not even by a run started in the same second. */
        if (mkdir(out, 0777) == 0)
            return 0;
        if (errno != EEXIST)
            return vtb_error_set(err, VTB_EIO, "%s: cannot create run directory: %s", out,
                                 strerror(errno));
    }
    return vtb_error_set(err, VTB_EEXIST, "%s: too many runs named %s-%s", root, stamp, name);
}

/* Resolves a scenario cell into the runner's configuration. */
static void cell_config_from(const struct vtb_scenario *scenario, const struct vtb_cell *cell,
                             bool quick, bool force_async, struct vtb_cell_config *out)
{
    memset(out, 0, sizeof(*out));
    out->index = (unsigned)cell->index;
    out->threads = cell->threads;
    out->concurrency = cell->concurrency;
    out->exact = cell->exact_hit_ratio;
    out->hit_ratio = cell->hit_ratio;
    out->keys = cell->keys;
    out->capacity = cell->capacity;
    out->ttl_ms = cell->ttl_ms;
    out->key_dist = cell->key_dist;
    out->latency = cell->miss_latency;
    vtb_cell_format_axis(cell, VTB_AXIS_MISS_LATENCY, out->latency_text, sizeof(out->latency_text));
    out->completion = cell->completion;
    out->continuation = cell->continuation;
    out->cache_lock = cell->cache_lock;
    out->ops = scenario->ops;
    out->duration_ns = scenario->duration_ns;
    out->repetitions = scenario->repetitions;
    out->warmup_ops = scenario->warmup_ops;
    out->warmup_ns = scenario->warmup_ns;
    out->seed = scenario->seed;
    out->sample_every = scenario->latency_sample;
    out->pin_threads = scenario->pin_threads;
    out->force_async = force_async;
    if (cell->load.kind == VTB_LOAD_OPEN) {
        out->open_rate_per_s = cell->load.rate_per_s;
        out->open_poisson = cell->load.poisson;
    }
    vtb_cell_format_axis(cell, VTB_AXIS_LOAD, out->load_text, sizeof(out->load_text));
    if (quick) {
        /* --quick: a tenth of the work, at most three repetitions. */
        out->ops = out->ops / 10 > 0 ? out->ops / 10 : out->ops;
        out->duration_ns /= 10;
        out->warmup_ops /= 10;
        out->warmup_ns /= 10;
        if (out->repetitions > 3)
            out->repetitions = 3;
    }
}


struct run_state {
    struct vtb_run_info *info;
    struct vtb_run_outcome *outcome;
    const struct vtb_run_options *options;
    struct vtb_run_progress progress;
    uint64_t start_ns;
};

/* Keeps what context.json says about a cell, from its first record. */
static void note_cell(struct vtb_run_info *info, const struct vtb_record *record)
{
    if (info->cells == NULL || record->cell_index >= info->cell_count)
        return;
    struct vtb_cell_info *c = &info->cells[record->cell_index];
    if (c->done)
        return;
    c->done = true;
    c->threads = record->threads;
    c->pin_threads = record->pin_threads;
    snprintf(c->worker_cpus, sizeof(c->worker_cpus), "%s", record->worker_cpus);
    snprintf(c->cache_lock, sizeof(c->cache_lock), "%s", record->cache_lock);
    c->shared_writes_per_hit = record->shared_writes_per_hit;
    c->jemalloc_narenas = record->jemalloc_narenas;
    c->jemalloc_tcache = record->jemalloc_tcache;
    snprintf(c->load, sizeof(c->load), "%s", record->load);
    c->latency_sample_every = record->latency_sample_every;
}

static int feed_record(void *ctx, const struct vtb_record *record, struct vtb_error *err)
{
    struct run_state *state = ctx;
    if (isnan(state->info->floor_ns_per_hit))
        state->info->floor_ns_per_hit = record->floor_ns_per_hit;
    note_cell(state->info, record);
    if (record->errors > 0 || record->value_mismatches > 0)
        state->outcome->records_with_errors++;
    const struct vtb_record_sink *sink = state->options->sink;
    return sink->record(sink->ctx, record, err);
}

static void report_progress(void *ctx, unsigned runs_done_in_cell, unsigned runs_in_cell)
{
    (void)runs_in_cell;
    struct run_state *state = ctx;
    if (state->options->on_progress == NULL)
        return;
    struct vtb_run_progress p = state->progress;
    p.runs_done += runs_done_in_cell;
    p.elapsed_s = (double)(vtb_clock_monotonic_ns() - state->start_ns) / 1e9;
    state->options->on_progress(state->options->progress_ctx, &p);
}

/* Resolves the implementations: the options' list, or the scenario's. */
static int resolve_impls(const struct vtb_scenario *scenario, const struct vtb_run_options *options,
                         const struct vtb_impl_ops ***out, size_t *count, struct vtb_error *err)
{
    if (options->impls != NULL) {
        *out = malloc(sizeof(**out) * options->impl_count);
        if (*out == NULL)
            return vtb_error_set(err, VTB_ENOMEM, NULL);
        memcpy(*out, options->impls, sizeof(**out) * options->impl_count);
        *count = options->impl_count;
        return 0;
    }
    *out = malloc(sizeof(**out) * (scenario->impl_count > 0 ? scenario->impl_count : 1));
    if (*out == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t i = 0; i < scenario->impl_count; i++) {
        (*out)[i] = vtb_impl_find(scenario->impls[i]);
        if ((*out)[i] == NULL) {
            free(*out);
            return vtb_error_set(err, VTB_EINVAL, "%s: impls: unknown implementation '%s'",
                                 scenario->source, scenario->impls[i]);
        }
    }
    *count = scenario->impl_count;
    return 0;
}

int vtb_run_scenario(const struct vtb_scenario *scenario, const struct vtb_run_options *options,
                     struct vtb_run_outcome *outcome, struct vtb_error *err)
{
    memset(outcome, 0, sizeof(*outcome));
    const struct vtb_impl_ops **impls = NULL;
    size_t impl_count = 0;
    int rc = resolve_impls(scenario, options, &impls, &impl_count, err);
    if (rc != 0)
        return rc;
    if (impl_count == 0) {
        free(impls);
        return vtb_error_set(err, VTB_EINVAL, "no implementation to run");
    }
    size_t cell_count = vtb_scenario_cell_count(scenario);
    outcome->cell_count = (unsigned)cell_count;
    /* How each cell ran, for context.json (struct vtb_run_info.cells). */
    struct vtb_cell_info *cells = calloc(cell_count > 0 ? cell_count : 1, sizeof(*cells));
    if (cells == NULL) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        goto out_free_impls;
    }

    rc = vtb_run_make_dir(options->results_root, scenario->name, outcome->run_dir,
                          sizeof(outcome->run_dir), err);
    if (rc != 0) {
        outcome->run_dir[0] = '\0'; /* no directory: nothing to point the user at */
        goto out_free_impls;
    }

    struct vtb_run_info info;
    memset(&info, 0, sizeof(info));
    snprintf(info.scenario, sizeof(info.scenario), "%s", scenario->name);
    snprintf(info.scenario_file, sizeof(info.scenario_file), "%s", scenario->source);
    snprintf(info.run_dir, sizeof(info.run_dir), "%s", outcome->run_dir);
    info.context = options->context;
    vtb_object_sizes(&info.sizes);
    info.jemalloc_task_usable = vtb_allocstats_usable_size(info.sizes.task);
    info.jemalloc_task_pending_usable = vtb_allocstats_usable_size(info.sizes.task_pending);
    info.jemalloc_source_usable = vtb_allocstats_usable_size(info.sizes.source);
    info.timer_overhead_ns = options->timer_overhead_ns;
    info.floor_ns_per_hit = NAN;
    info.cell_count = (unsigned)cell_count;
    info.impl_count = (unsigned)impl_count;
    info.complete = false;
    /* Hooks exist only to count instructions (callgrind): times are then
     * meaningless, and context.json must say so. */
    info.instructions_mode = options->hooks != NULL;
    info.pin_threads = scenario->pin_threads;
    info.cells = cells;

    struct run_state state;
    memset(&state, 0, sizeof(state));
    state.info = &info;
    state.outcome = outcome;
    state.options = options;
    state.start_ns = vtb_clock_monotonic_ns();
    const struct vtb_record_sink *sink = options->sink;
    rc = sink->begin(sink->ctx, &info, err);
    if (rc != 0)
        goto out_free_impls;

    state.progress.cell_count = (unsigned)cell_count;
    for (size_t c = 0; c < cell_count; c++) {
        struct vtb_cell cell;
        struct vtb_cell_config config;
        rc = vtb_scenario_cell(scenario, c, &cell);
        if (rc != 0) {
            vtb_error_set(err, rc, "%s: cannot expand cell %zu", scenario->source, c);
            goto out_close_reporters;
        }
        cell_config_from(scenario, &cell, options->quick, options->force_async, &config);
        state.progress.runs_total += vtb_runner_runs_per_cell(&config, impl_count);
    }
    for (size_t c = 0; c < cell_count; c++) {
        struct vtb_cell cell;
        struct vtb_cell_config config;
        vtb_scenario_cell(scenario, c, &cell);
        cell_config_from(scenario, &cell, options->quick, options->force_async, &config);
        state.progress.cell = (unsigned)c + 1;
        struct vtb_runner_options runner = {
            .scenario = scenario->name,
            .impls = impls,
            .impl_count = impl_count,
            .stop_requested = options->stop_requested,
            .on_record = feed_record,
            .on_progress = report_progress,
            .ctx = &state,
            .hooks = options->hooks,
        };
        rc = vtb_runner_run_cell(&runner, &config, err);
        if (rc != 0) {
            if (rc == VTB_EINTR)
                vtb_error_set(err, rc, "interrupted during cell %zu of %zu; %u complete cells "
                              "written", c + 1, cell_count, outcome->cells_done);
            goto out_close_reporters;
        }
        state.progress.runs_done += vtb_runner_runs_per_cell(&config, impl_count);
        outcome->cells_done++;
        info.cells_done = outcome->cells_done;
    }
    info.complete = true;
    outcome->complete = true;

out_close_reporters:
    /* End the sink even after a failure or an interruption: the completed
     * cells are written and context.json says whether the run is complete. */
    info.cells_done = outcome->cells_done;
    {
        struct vtb_error end_err;
        vtb_error_clear(&end_err);
        int end_rc = sink->end(sink->ctx, &info, &end_err);
        if (end_rc != 0 && rc == 0) {
            rc = end_rc;
            if (err != NULL)
                *err = end_err;
        }
    }
out_free_impls:
    free(cells);
    free(impls);
    return rc;
}
