/*
 * The reduction of one cell's runs into its records (see runner.h): the
 * repetition statistics, the latency percentiles, allocations and counters
 * per operation, the open-loop figures and how the cell ran. Numbers only:
 * the record carries the cell as the scenario resolved it, and the
 * reporters turn it into text.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner_internal.h"
#include "ratios.h"
#include "stats.h"

/* Warnings: CV above 10% or fewer than 5 repetitions. */
#define WARN_CV 0.10
#define WARN_MIN_REPS 5

static void summarize_latency(const struct vtb_hist *h, struct vtb_latency_summary *out)
{
    out->count = (uint64_t)vtb_hist_total_count(h);
    out->samples = out->count; /* unweighted; the caller corrects "all" */
    if (out->count == 0) {
        out->p50_ns = out->p90_ns = out->p99_ns = out->p999_ns = out->p9999_ns = NAN;
        out->max_ns = out->mean_ns = NAN;
        return;
    }
    out->p50_ns = (double)vtb_hist_value_at_percentile(h, 50.0);
    out->p90_ns = (double)vtb_hist_value_at_percentile(h, 90.0);
    out->p99_ns = (double)vtb_hist_value_at_percentile(h, 99.0);
    out->p999_ns = (double)vtb_hist_value_at_percentile(h, 99.9);
    out->p9999_ns = (double)vtb_hist_value_at_percentile(h, 99.99);
    out->max_ns = (double)vtb_hist_max(h);
    out->mean_ns = vtb_hist_mean(h);
}

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* The values of the rounds in use, into out (n long); returns how many. */
static size_t used_values(const double *all, const struct cell_rounds *rounds, double *out)
{
    size_t count = 0;
    for (size_t i = 0; i < rounds->done; i++)
        if (rounds->used[i])
            out[count++] = all[i];
    return count;
}

/* Time over the rounds in use: the summary of ns per op, throughput from
 * the same estimator, and the wall-clock rate of the median round. */
static int fill_time(struct vtb_record *rec, const struct cell_run *run,
                     const struct impl_acc *acc, double *scratch)
{
    const struct cell_rounds *rounds = &run->rounds;
    size_t n = used_values(acc->samples_ns, rounds, scratch);
    int rc = vtb_stats_summarize(scratch, n, &rec->ns_per_op);
    if (rc != 0)
        return rc;
    rec->warnings = vtb_stats_warnings(&rec->ns_per_op, WARN_CV, WARN_MIN_REPS);
    double threads = run->cell->threads;
    rec->ops_per_sec = threads * 1e9 / rec->ns_per_op.mean;
    rec->ops_per_sec_ci_low = threads * 1e9 / rec->ns_per_op.ci_high;
    /* An interval of ns/op that reaches 0 (few, scattered rounds) bounds
     * the rate from below only. */
    rec->ops_per_sec_ci_high =
        rec->ns_per_op.ci_low > 0 ? threads * 1e9 / rec->ns_per_op.ci_low : INFINITY;
    rec->ops_per_sec_per_thread = rec->ops_per_sec / threads;
    rec->ops_per_sec_wall = NAN;
    n = used_values(acc->samples_ops_per_sec, rounds, scratch);
    if (n > 0)
        vtb_stats_median(scratch, n, &rec->ops_per_sec_wall);
    rec->samples_ns_per_op = acc->samples_ns;
    rec->samples_floor_ns = run->accs[run->options->impl_count].samples_ns;
    rec->samples_disturbed = rounds->disturbed;
    return 0;
}

/* The paired ratios to the reference implementation and to the floor, and
 * how the rounds went. */
static void fill_ratios(struct vtb_record *rec, const struct cell_run *run,
                        const struct impl_acc *acc)
{
    const struct cell_rounds *rounds = &run->rounds;
    const struct impl_acc *reference = &run->accs[rounds->reference];
    const struct impl_acc *floor = &run->accs[run->options->impl_count];
    copy_text(rec->ratio_to, sizeof(rec->ratio_to),
              run->options->impls[rounds->reference]->name);
    vtb_ratio_paired(acc->samples_ns, reference->samples_ns, rounds->used, rounds->done,
                     &rec->ratio);
    vtb_ratio_paired(acc->samples_ns, floor->samples_ns, rounds->used, rounds->done,
                     &rec->floor_ratio);
    rec->repetitions_auto = run->plan.rounds.fixed == 0;
    rec->precision = run->plan.rounds.precision;
    rec->precision_reached = rounds->widest <= run->plan.rounds.precision;
    rec->rounds_disturbed = rounds->disturbed_count;
    rec->disturbed_excluded = rounds->excluded;
}

/* Allocations per operation, from the library's counts and jemalloc's. */
static void fill_allocations(struct vtb_record *rec, const struct impl_acc *acc)
{
    double ops = (double)acc->ops;
    rec->allocs_per_op = ops > 0 ? (double)acc->lib.allocs / ops : NAN;
    rec->requested_bytes_per_op = ops > 0 ? (double)acc->lib.requested_bytes / ops : NAN;
    rec->bytes_are_usable = vtb_allocstats_available();
    if (rec->bytes_are_usable) {
        rec->bytes_per_op = ops > 0 ? (double)acc->jemalloc_allocated / ops : NAN;
        rec->total_alloc_bytes = acc->reps_done > 0 ? acc->jemalloc_allocated / acc->reps_done : 0;
    } else {
        rec->bytes_per_op = NAN;
        rec->total_alloc_bytes =
            acc->reps_done > 0 ? acc->lib.requested_bytes / acc->reps_done : 0;
    }
    rec->resident_peak_bytes = acc->resident_peak;
}

static void fill_load(struct vtb_record *rec, const struct cell_run *run,
                      const struct impl_acc *acc)
{
    rec->rate_reached = !acc->rate_missed;
    summarize_latency(&acc->hist_uncorrected, &rec->uncorrected); /* empty when closed: NaN */
    if (acc->open) {
        rec->intended_ops_per_sec = run->plan.open_rate_per_s * run->cell->threads;
        rec->achieved_ops_per_sec = rec->ops_per_sec;
        rec->schedule_lag_max_ns = acc->lag_max_ns;
        rec->hist_uncorrected = &acc->hist_uncorrected;
    } else {
        rec->intended_ops_per_sec = rec->achieved_ops_per_sec = rec->schedule_lag_max_ns = NAN;
        rec->hist_uncorrected = NULL;
    }
}

static int fill_record(struct cell_run *run, size_t impl_index, double floor_ns,
                       const vtb_cpu_mask *cpus, double *scratch, struct vtb_record *rec)
{
    const struct vtb_cell *cell = run->cell;
    const struct vtb_runner_options *options = run->options;
    struct impl_acc *acc = &run->accs[impl_index];
    memset(rec, 0, sizeof(*rec));
    copy_text(rec->scenario, sizeof(rec->scenario), options->scenario);
    copy_text(rec->impl, sizeof(rec->impl), options->impls[impl_index]->name);
    rec->cell = *cell;
    rec->cache_capacity = vtb_cache_config(run->svc->cache)->capacity;
    rec->miss_latency_ns = vtb_latency_mean_ns(&cell->miss_latency);
    rec->repetitions = acc->reps_done;
    rec->ops = acc->reps_done > 0 ? acc->ops / acc->reps_done : 0;
    rec->latency_sample_every = acc->open ? 1 : run->plan.sample_every;
    int rc = fill_time(rec, run, acc, scratch);
    if (rc != 0)
        return rc;
    fill_ratios(rec, run, acc);
    summarize_latency(&acc->hist_all, &rec->all);
    summarize_latency(&acc->hist_hit, &rec->hit);
    summarize_latency(&acc->hist_miss, &rec->miss);
    /* Every timed operation goes into "all" and one of hit or miss. */
    rec->all.samples = rec->hit.samples + rec->miss.samples;
    rec->hist_all = &acc->hist_all;
    rec->hist_hit = &acc->hist_hit;
    rec->hist_miss = &acc->hist_miss;
    uint64_t lookups = acc->cache.hits + acc->cache.misses;
    rec->hit_ratio = options->force_async ? 0.0
                     : lookups > 0        ? (double)acc->cache.hits / (double)lookups
                                          : NAN;
    fill_allocations(rec, acc);
    rec->cache = acc->cache;
    rec->pool = acc->pool;
    rec->pool.high_water = vtb_pool_created(&run->svc->pool);
    rec->floor_ns_per_hit = floor_ns;
    rec->instructions_per_op =
        options->hooks != NULL && acc->ops > 0 ? acc->instructions / (double)acc->ops : NAN;
    rec->errors = acc->errors;
    rec->first_error = acc->first_error;
    rec->value_mismatches = acc->mismatches;
    fill_load(rec, run, acc);
    rec->shared_writes_per_hit = vtb_cache_shared_writes_per_hit(cell->cache_lock);
    rec->pin_threads = run->plan.pin_threads;
    rec->worker_cpus = cpus;
    rec->jemalloc_narenas = run->alloc_config.narenas;
    rec->jemalloc_tcache = run->alloc_config.opt_tcache;
    return 0;
}

int vtb__runner_emit(struct cell_run *run, struct vtb_error *err)
{
    size_t n = run->options->impl_count;
    struct vtb_record *records = calloc(n, sizeof(*records));
    vtb_cpu_mask *cpus = calloc(run->started > 0 ? run->started : 1, sizeof(*cpus));
    double *scratch = calloc(run->rounds.done > 0 ? run->rounds.done : 1, sizeof(*scratch));
    int rc = 0;
    if (records == NULL || cpus == NULL || scratch == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    for (unsigned i = 0; rc == 0 && i < run->started; i++)
        cpus[i] = run->threads[i].cpus_seen;
    /* The floor of the cell: the median of its rounds in use. */
    double floor_ns = NAN;
    size_t floors = rc == 0 ? used_values(run->accs[n].samples_ns, &run->rounds, scratch) : 0;
    if (floors > 0)
        vtb_stats_median(scratch, floors, &floor_ns);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (fill_record(run, i, floor_ns, cpus, scratch, &records[i]) != 0)
            rc = vtb_error_set(err, VTB_EINVAL, "no repetition completed for %s",
                               run->options->impls[i]->name);
    if (rc == 0)
        rc = run->options->on_cell(run->options->ctx, records, n, err);
    free(scratch);
    free(cpus);
    free(records);
    return rc;
}
