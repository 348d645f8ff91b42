/*
 * One scenario run (see run.h): the run-wide information, the sweep over
 * cells with the runner, and the sink ended in every outcome so that
 * completed cells are never lost.
 */
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocstats.h"
#include "backend_run.h"
#include "clock.h"
#include "vtb/service.h"

struct run_state {
    struct vtb_run_info *info;
    struct vtb_run_outcome *outcome;
    const struct vtb_run_options *options;
    struct vtb_run_progress progress;
    uint64_t start_ns;
    struct vtb_backend_run *backend; /* the run's server, if any */
};

static int on_cell(void *ctx, const struct vtb_record *records, size_t count,
                   struct vtb_error *err)
{
    struct run_state *state = ctx;
    if (isnan(state->info->floor_ns_per_hit) && count > 0)
        state->info->floor_ns_per_hit = records[0].floor_ns_per_hit;
    for (size_t i = 0; i < count; i++)
        if (records[i].errors > 0 || records[i].value_mismatches > 0)
            state->outcome->records_with_errors++;
    /* The cell counts as done before the sink sees it, so that a journal
     * written in the same call can say how many cells it holds. */
    state->info->cells_done = ++state->outcome->cells_done;
    const struct vtb_record_sink *sink = state->options->sink;
    return sink->cell(sink->ctx, state->info, records, count, err);
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

static void fill_info(const struct vtb_scenario *scenario, const struct vtb_run_options *options,
                      struct vtb_run_info *info)
{
    memset(info, 0, sizeof(*info));
    snprintf(info->scenario, sizeof(info->scenario), "%s", scenario->settings.name);
    snprintf(info->scenario_file, sizeof(info->scenario_file), "%s", scenario->source);
    snprintf(info->run_dir, sizeof(info->run_dir), "%s", options->run_dir);
    info->context = options->context;
    vtb_object_sizes_get(&info->sizes);
    info->jemalloc_task_usable = vtb_allocstats_usable_size(info->sizes.task);
    info->jemalloc_task_pending_usable = vtb_allocstats_usable_size(info->sizes.task_pending);
    info->jemalloc_source_usable = vtb_allocstats_usable_size(info->sizes.source);
    info->timer_overhead_ns = options->timer_overhead_ns;
    info->clock_resolution_ns =
        options->context != NULL ? options->context->clock.resolution_ns : NAN;
    info->floor_ns_per_hit = NAN;
    info->cell_count = (unsigned)vtb_scenario_cell_count(scenario);
    info->impl_count = (unsigned)options->impl_count;
    /* Hooks exist only to count instructions (callgrind): times are then
     * meaningless, and context.json must say so. */
    info->instructions_mode = options->hooks != NULL;
    info->pin_threads = scenario->settings.pin_threads;
}

/* Runs the cells in order; returns 0 or the first error. */
static int sweep(const struct vtb_scenario *scenario, struct run_state *state,
                 struct vtb_error *err)
{
    const struct vtb_run_options *options = state->options;
    size_t cell_count = state->info->cell_count;
    unsigned runs_per_cell = vtb_runner_runs_per_cell(&scenario->settings, options->impl_count);
    state->progress.cell_count = (unsigned)cell_count;
    state->progress.runs_total = runs_per_cell * (unsigned)cell_count;
    /* Backend: the runner connects to the run's server (backend_run.h). */
    struct vtb_settings settings;
    vtb_backend_run_settings(state->backend, &scenario->settings, &settings);
    struct vtb_runner_options runner = {
        .scenario = scenario->settings.name,
        .settings = &settings,
        .impls = options->impls,
        .impl_count = options->impl_count,
        .force_async = options->force_async,
        .stop_requested = options->stop_requested,
        .on_cell = on_cell,
        .on_progress = report_progress,
        .ctx = state,
        .hooks = options->hooks,
    };
    for (size_t c = 0; c < cell_count; c++) {
        struct vtb_cell cell;
        int rc = vtb_scenario_cell(scenario, c, &cell);
        if (rc != 0)
            return vtb_error_set(err, rc, "%s: cannot expand cell %zu", scenario->source, c);
        /* miss_latency = measured: the server is probed right before. */
        rc = vtb_backend_run_resolve(state->backend, &cell, options->stop_requested, err);
        if (rc != 0)
            return rc;
        state->progress.cell = (unsigned)c + 1;
        rc = vtb_runner_run_cell(&runner, &cell, err);
        if (rc != 0) {
            if (rc == VTB_EINTR)
                vtb_error_set(err, rc, "interrupted during cell %zu of %zu; %u complete cells "
                              "written", c + 1, cell_count, state->outcome->cells_done);
            else if (err != NULL && strncmp(err->message, "cell ", 5) != 0) {
                char inner[VTB_ERROR_MESSAGE_MAX];
                snprintf(inner, sizeof(inner), "%s", err->message);
                vtb_error_set(err, rc, "cell %zu of %zu: %s", c + 1, cell_count, inner);
            }
            return rc;
        }
        state->progress.runs_done += runs_per_cell;
    }
    return 0;
}

int vtb_run_scenario(const struct vtb_scenario *scenario, const struct vtb_run_options *options,
                     struct vtb_run_outcome *outcome, struct vtb_error *err)
{
    memset(outcome, 0, sizeof(*outcome));
    if (options->impl_count == 0)
        return vtb_error_set(err, VTB_EINVAL, "no implementation to run");
    struct vtb_run_info info;
    fill_info(scenario, options, &info);
    outcome->cell_count = info.cell_count;
    struct run_state state = {
        .info = &info,
        .outcome = outcome,
        .options = options,
        .start_ns = vtb_clock_monotonic_ns(),
    };
    const struct vtb_record_sink *sink = options->sink;
    /* A sink that cannot begin (an unwritable run directory) still ends,
     * so that what it managed to create says why the run did not happen. */
    int rc = sink->begin(sink->ctx, &info, err);
    /* Backend: the run's server is set up before the first cell and taken
     * down on every path, a signal's included, before the sink ends. */
    struct vtb_backend_run backend;
    memset(&backend, 0, sizeof(backend));
    state.backend = &backend;
    if (rc == 0)
        rc = vtb_backend_run_begin(&backend, scenario, options->stop_requested, err);
    info.backend = backend.active ? &backend.note : NULL;
    if (rc == 0)
        rc = sweep(scenario, &state, err);
    if (rc == VTB_EINTR && options->stop_cause != NULL && err != NULL) {
        char inner[VTB_ERROR_MESSAGE_MAX];
        snprintf(inner, sizeof(inner), "%s", err->message[0] != '\0' ? err->message : "interrupted");
        vtb_error_set(err, rc, "%s (stopped by %s)", inner, options->stop_cause());
    }
    struct vtb_error backend_err;
    vtb_error_clear(&backend_err);
    if (vtb_backend_run_end(&backend, options->stop_requested, &backend_err) != 0) {
        if (rc == 0) {
            rc = backend_err.code;
            if (err != NULL)
                *err = backend_err;
        } else if (err != NULL) {
            /* The run failed or was stopped already: its reason stays
             * first, and the clean-up's failure is added to it. */
            char first[VTB_ERROR_MESSAGE_MAX];
            snprintf(first, sizeof(first), "%s", err->message);
            vtb_error_set(err, rc, "%s; %s", first, backend_err.message);
        }
    }
    info.complete = rc == 0;
    outcome->complete = info.complete;
    if (rc != 0)
        snprintf(info.status_note, sizeof(info.status_note), "%s",
                 err != NULL && err->message[0] != '\0' ? err->message : vtb_strerror(rc));
    /* End the sink even after a failure or an interruption: the completed
     * cells are kept and the run is marked incomplete with the reason. */
    struct vtb_error end_err;
    vtb_error_clear(&end_err);
    int end_rc = sink->end(sink->ctx, &info, &end_err);
    if (end_rc != 0 && rc == 0) {
        rc = end_rc;
        if (err != NULL)
            *err = end_err;
    }
    return rc;
}
