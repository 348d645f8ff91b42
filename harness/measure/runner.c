/*
 * The runner (see runner.h): the phases of one cell. A fresh service,
 * the worker threads (runner_threads.c), the cache preloaded in exact mode,
 * a warm-up that also turns durations into operation counts, then the
 * interleaved repetitions, and finally the records (runner_record.c).
 */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "redis_admin.h"
#include "runner_internal.h"
#include "stats.h"

/* Ops bounds when deriving a count from a duration. */
#define DURATION_MIN_OPS 1000u
#define DURATION_MAX_OPS 2000000000u

/* The preload looks at the stop flag once per this many keys (a cache of
 * millions of keys takes seconds to fill). */
#define PRELOAD_POLL_KEYS 65536u

static void plan_cell(const struct vtb_runner_options *o, const struct vtb_cell *cell,
                      struct cell_plan *p)
{
    const struct vtb_settings *st = o->settings;
    memset(p, 0, sizeof(*p));
    p->exact = !isnan(cell->hit_ratio);
    p->ops = st->ops;
    p->duration_ns = st->duration;
    p->rounds.fixed = st->repetitions; /* 0: auto */
    p->rounds.precision = st->precision;
    p->rounds.max_ns = st->max_time;
    p->warmup_ops = st->warmup.ops;
    p->warmup_ns = st->warmup.ns;
    p->seed = st->seed;
    p->sample_every = st->latency_sample;
    p->pin_threads = st->pin_threads;
    if (cell->load.kind == VTB_LOAD_OPEN) {
        p->open_rate_per_s = cell->load.rate_per_s;
        p->open_poisson = cell->load.poisson;
    }
}

unsigned vtb_runner_runs_per_cell(const struct vtb_settings *settings, size_t impl_count)
{
    unsigned rounds = settings->repetitions > 0 ? settings->repetitions : VTB_ROUNDS_MIN;
    return rounds * (unsigned)(impl_count + 1);
}

static bool stop_requested(const struct vtb_runner_options *options)
{
    return options->stop_requested != NULL && *options->stop_requested != 0;
}

/* Pins the hit set into the cache in exact mode, looking at the stop flag
 * now and then. */
static int preload(struct cell_run *run, size_t capacity, struct vtb_error *err)
{
    const struct vtb_cell *cell = run->cell;
    struct vtb_cache_counters ignored = {0};
    for (uint64_t key = 0; key < cell->keys; key++) {
        if (key % PRELOAD_POLL_KEYS == 0 && stop_requested(run->options))
            return vtb_error_set(err, VTB_EINTR, "interrupted while filling the cache");
        int rc = vtb_cache_put(run->svc->cache, key, vtb_backend_value(key), VTB_CACHE_PIN,
                               &ignored);
        if (rc != 0)
            return vtb_error_set(err, rc,
                                 "cannot pin the hit set of %llu keys in a cache of capacity "
                                 "%zu: %s",
                                 (unsigned long long)cell->keys, capacity, vtb_strerror(rc));
    }
    return 0;
}

/* Creates the service and preloads the hit set in exact mode. */
static int build_service(struct cell_run *run, struct vtb_error *err)
{
    const struct vtb_cell *cell = run->cell;
    struct vtb_service_config config;
    vtb_service_config_default(&config);
    config.cache.capacity = cell->capacity;
    if (run->plan.exact) {
        /* The hit set is pinned and must fit with room to spare in every
         * stripe, and the misses need unpinned room to come and go. */
        uint64_t needed = 2 * cell->keys + 1024;
        if (config.cache.capacity < needed)
            config.cache.capacity = needed;
    }
    config.cache.ttl_ns = cell->ttl_ms * 1000000u;
    config.cache.lock = cell->cache_lock;
    config.cache.stop = run->options->stop_requested;
    config.backend.latency = cell->miss_latency;
    config.backend.completion = cell->completion;
    config.backend.continuation = cell->continuation;
    config.timer_capacity = cell->concurrency + 16;
    config.pool_max_sources = cell->threads * cell->concurrency * 4 + 1024;
    config.seed = run->plan.seed;
    config.force_async = run->options->force_async;
    /* Backend: a server cell connects to the run's server (backend_run.h,
     * which points backend_url at it) and reads the run's keys; its
     * exact-mode misses read stand-ins in the cell's key space. */
    char prefix[VTB_BACKEND_PREFIX_MAX];
    config.backend.kind = cell->backend;
    config.backend.url = run->options->settings->backend_url;
    config.backend.key_prefix = vtb_redis_run_prefix(prefix, sizeof(prefix));
    config.backend.key_space = cell->keys;
    config.backend.timeout_ns = run->options->settings->backend_timeout;
    int rc = vtb_service_new(&config, &run->svc, err);
    if (rc != 0 || !run->plan.exact)
        return rc;
    return preload(run, config.cache.capacity, err);
}

static uint64_t ops_from_duration(uint64_t duration_ns, double ns_per_op)
{
    /* ns_per_op is per thread: each thread does duration / ns_per_op ops. */
    if (!(ns_per_op > 0))
        return DURATION_MIN_OPS;
    double ops = (double)duration_ns / ns_per_op;
    if (ops < DURATION_MIN_OPS)
        return DURATION_MIN_OPS;
    if (ops > DURATION_MAX_OPS)
        return DURATION_MAX_OPS;
    return (uint64_t)ops;
}

/* Operations one open-loop thread issues in duration_ns at rate_per_s. */
static uint64_t ops_from_rate(uint64_t duration_ns, double rate_per_s)
{
    double ops = (double)duration_ns * rate_per_s / 1e9;
    if (ops < 1)
        return 1;
    if (ops > DURATION_MAX_OPS)
        return DURATION_MAX_OPS;
    return (uint64_t)ops;
}

/* The times of one run over all threads: per-thread ns per operation and
 * the aggregate rate over the wall time from the first start to the last
 * end. */
static void run_times(const struct cell_run *run, double *ns_per_op, double *ops_per_sec,
                      uint64_t *total_ops)
{
    uint64_t min_start = UINT64_MAX, max_end = 0, ops = 0;
    double thread_ns_sum = 0;
    for (unsigned i = 0; i < run->started; i++) {
        const struct vtb_driver_result *d = &run->threads[i].delta.driver;
        ops += d->ops;
        if (d->start_ticks < min_start)
            min_start = d->start_ticks;
        if (d->end_ticks > max_end)
            max_end = d->end_ticks;
        thread_ns_sum += vtb_clock_ticks_to_ns(d->end_ticks - d->start_ticks);
    }
    *total_ops = ops;
    *ns_per_op = ops > 0 ? thread_ns_sum / (double)ops : NAN;
    double wall_ns = vtb_clock_ticks_to_ns(max_end - min_start);
    *ops_per_sec = wall_ns > 0 ? (double)ops * 1e9 / wall_ns : NAN;
}

/* Snapshot of the completion thread, taken on that thread. */
struct completion_snapshot_call {
    struct cell_run *run;
    struct thread_snapshot snapshot;
};

static void completion_snapshot(void *arg)
{
    struct completion_snapshot_call *call = arg;
    struct cell_run *run = call->run;
    if (!run->completion_talloc_ready) {
        vtb_allocstats_thread_init(&run->completion_talloc);
        run->completion_talloc_ready = true;
    }
    vtb__runner_take_snapshot(&call->snapshot, &run->completion_talloc, vtb_worker_current());
}

/* Adds one recorded run's per-thread figures to its accumulator. */
static void accumulate(struct cell_run *run, struct impl_acc *acc,
                       const struct thread_delta *completion)
{
    for (unsigned i = 0; i < run->started; i++) {
        const struct worker_thread *t = &run->threads[i];
        const struct thread_delta *d = &t->delta;
        acc->ops += d->driver.ops;
        acc->sync_ops += d->driver.sync_ops;
        acc->errors += d->driver.errors;
        acc->mismatches += d->driver.value_mismatches;
        if (acc->first_error == 0)
            acc->first_error = d->driver.first_error;
        vtb_hist_merge(&acc->hist_all, &t->hist_all);
        vtb_hist_merge(&acc->hist_hit, &t->hist_hit);
        vtb_hist_merge(&acc->hist_miss, &t->hist_miss);
        if (d->open) {
            acc->open = true;
            if (!vtb_openloop_rate_reached(&d->schedule, d->driver.ops))
                acc->rate_missed = true;
            double lag_ns = vtb_clock_ticks_to_ns(d->schedule.max_lag_ticks);
            if (lag_ns > acc->lag_max_ns)
                acc->lag_max_ns = lag_ns;
            vtb_hist_merge(&acc->hist_uncorrected, &t->hist_uncorrected);
        }
    }
    for (unsigned i = 0; i <= run->started; i++) {
        const struct thread_delta *d = i < run->started ? &run->threads[i].delta : completion;
        vtb_alloc_counts_add(&acc->lib, &d->lib);
        acc->jemalloc_allocated += d->jemalloc_allocated;
        vtb_cache_counters_add(&acc->cache, &d->cache);
        vtb_pool_counters_add(&acc->pool, &d->pool);
    }
    struct vtb_alloc_global global;
    if (vtb_allocstats_refresh() == 0 && vtb_allocstats_global(&global) == 0 &&
        global.resident_bytes > acc->resident_peak)
        acc->resident_peak = global.resident_bytes;
}

/* One timed (or warm-up) run of one implementation on every thread. Returns
 * 0, VTB_EINTR when the run was abandoned, or the hooks' error. */
static int run_job(struct cell_run *run, size_t impl_index, uint64_t ops_target, bool record,
                   double *ns_per_op, double *ops_per_sec)
{
    size_t n_impl = run->options->impl_count;
    const struct vtb_impl_ops *ops = impl_index < n_impl ? run->options->impls[impl_index] : NULL;
    struct impl_acc *acc = &run->accs[impl_index];
    struct completion_snapshot_call cbefore = {.run = run}, cafter = {.run = run};
    bool has_completion = run->svc->has_completion_thread;
    if (has_completion)
        vtb_service_call_on_completion_thread(run->svc, completion_snapshot, &cbefore);

    bool hooked = record && ops != NULL && run->options->hooks != NULL;
    struct job job = {JOB_RUN, hooked, ops, impl_index, ops_target, record};
    vtb__runner_run_job(run, &job);
    if (vtb__runner_aborted(run))
        return VTB_EINTR;

    struct thread_delta completion = {0};
    if (has_completion) {
        vtb_service_call_on_completion_thread(run->svc, completion_snapshot, &cafter);
        vtb__runner_delta(&completion, &cbefore.snapshot, &cafter.snapshot);
    }
    uint64_t total_ops;
    run_times(run, ns_per_op, ops_per_sec, &total_ops);
    if (!record)
        return 0;
    if (hooked) {
        double instructions = 0;
        int rc = run->options->hooks->collect(run->options->hooks->ctx, &instructions);
        if (rc != 0)
            return rc;
        acc->instructions += instructions;
    }
    accumulate(run, acc, &completion);
    return 0;
}

/* Warm-up, interleaved like the measurement: it also warms the pool, the
 * cache and the allocator's thread caches. In duration mode it sets each
 * implementation's operation count. */
static int warm_up(struct cell_run *run)
{
    const struct cell_plan *p = &run->plan;
    size_t n_impl = run->options->impl_count;
    for (size_t i = 0; i <= n_impl; i++) {
        run->accs[i].ops_target = p->ops;
        uint64_t warmup = p->warmup_ops;
        /* An open-loop run's length is its rate times the duration; only
         * closed-loop runs need the probe's rate to turn time into ops. */
        bool open = p->open_rate_per_s > 0 && i < n_impl;
        bool need_rate = (p->ops == 0 && !open) || (warmup == 0 && p->warmup_ns > 0);
        double ns_per_op = NAN, ops_per_sec;
        int rc = 0;
        if (need_rate) {
            /* A short probe gives the rate that turns durations into counts. */
            rc = run_job(run, i, DURATION_MIN_OPS * 10, false, &ns_per_op, &ops_per_sec);
            if (warmup == 0 && p->warmup_ns > 0)
                warmup = ops_from_duration(p->warmup_ns, ns_per_op);
        }
        if (rc == 0 && warmup > 0)
            rc = run_job(run, i, warmup, false, &ns_per_op, &ops_per_sec);
        if (rc != 0)
            return rc;
        if (p->ops == 0)
            run->accs[i].ops_target = open ? ops_from_rate(p->duration_ns, p->open_rate_per_s)
                                           : ops_from_duration(p->duration_ns, ns_per_op);
        if (stop_requested(run->options))
            return VTB_EINTR;
    }
    return 0;
}

/* Makes room for at least `rounds` rounds in every per-round array. */
static int grow_rounds(struct cell_run *run, size_t rounds, struct vtb_error *err)
{
    struct cell_rounds *r = &run->rounds;
    if (rounds <= r->capacity)
        return 0;
    size_t cap = r->capacity > 0 ? r->capacity : 8;
    while (cap < rounds)
        cap *= 2;
    bool *disturbed = realloc(r->disturbed, cap * sizeof(*disturbed));
    if (disturbed != NULL)
        r->disturbed = disturbed;
    bool *used = realloc(r->used, cap * sizeof(*used));
    if (used != NULL)
        r->used = used;
    if (disturbed == NULL || used == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t i = 0; i <= run->options->impl_count; i++) {
        struct impl_acc *a = &run->accs[i];
        double *ns = realloc(a->samples_ns, cap * sizeof(*ns));
        if (ns != NULL)
            a->samples_ns = ns;
        double *rate = realloc(a->samples_ops_per_sec, cap * sizeof(*rate));
        if (rate != NULL)
            a->samples_ops_per_sec = rate;
        if (ns == NULL || rate == NULL)
            return vtb_error_set(err, VTB_ENOMEM, NULL);
    }
    r->capacity = cap;
    return 0;
}

/* The implementation every ratio is taken to: baseline_impl when it runs,
 * otherwise the first one. */
static size_t reference_impl(const struct vtb_runner_options *o)
{
    const char *wanted = o->settings->baseline_impl;
    for (size_t i = 0; wanted != NULL && i < o->impl_count; i++)
        if (strcmp(o->impls[i]->name, wanted) == 0)
            return i;
    return 0;
}

/* After a round: which rounds are disturbed and used, and how wide the
 * widest ratio interval is over the used ones. With one implementation
 * there is no pair to compare: its ratio to the floor decides. */
static double review_rounds(void *ctx, size_t done)
{
    struct cell_run *run = ctx;
    struct cell_rounds *r = &run->rounds;
    size_t n_impl = run->options->impl_count;
    const double *floor_ns = run->accs[n_impl].samples_ns;
    r->done = (unsigned)done;
    r->disturbed_count = (unsigned)vtb_rounds_mark_disturbed(floor_ns, done, r->disturbed);
    r->excluded = vtb_rounds_exclude_disturbed(done, r->disturbed_count);
    for (size_t i = 0; i < done; i++)
        r->used[i] = !(r->excluded && r->disturbed[i]);
    const double *series[VTB_RUNNER_MAX_IMPLS];
    for (size_t i = 0; i < n_impl; i++)
        series[i] = run->accs[i].samples_ns;
    const double *reference = n_impl > 1 ? run->accs[r->reference].samples_ns : floor_ns;
    r->widest = vtb_rounds_widest(series, n_impl, reference, done, r->used);
    return r->widest;
}

/* One round: the floor first, then the implementations in order. */
static int measure_round(struct cell_run *run, unsigned round, struct vtb_error *err)
{
    size_t n_impl = run->options->impl_count, n_acc = n_impl + 1;
    unsigned estimate = vtb_runner_runs_per_cell(run->options->settings, n_impl);
    for (size_t k = 0; k < n_acc; k++) {
        size_t i = (k + n_impl) % n_acc;
        double ns_per_op, ops_per_sec;
        int rc = run_job(run, i, run->accs[i].ops_target, true, &ns_per_op, &ops_per_sec);
        if (rc == VTB_EINTR)
            return rc;
        if (rc != 0)
            return vtb_error_set(err, rc, "cell %zu, %s: cannot collect the measurement: %s",
                                 run->cell->index,
                                 i < n_impl ? run->options->impls[i]->name : "floor",
                                 vtb_strerror(rc));
        run->accs[i].samples_ns[round] = ns_per_op;
        run->accs[i].samples_ops_per_sec[round] = ops_per_sec;
        run->accs[i].reps_done = round + 1;
        run->runs_done++;
        if (run->options->on_progress != NULL)
            run->options->on_progress(run->options->ctx, run->runs_done,
                                      run->runs_done > estimate ? run->runs_done : estimate);
        if (stop_requested(run->options))
            return VTB_EINTR;
    }
    return 0;
}

static int run_round(void *ctx, size_t index)
{
    struct cell_run *run = ctx;
    int rc = grow_rounds(run, index + 1, run->err);
    return rc != 0 ? rc : measure_round(run, (unsigned)index, run->err);
}

static uint64_t monotonic_ns(void *ctx)
{
    (void)ctx;
    return vtb_clock_monotonic_ns();
}

/* The rounds, until the policy says stop (rounds.h): a fixed count, or
 * with repetitions = auto until every ratio is known to the precision. */
static int measure(struct cell_run *run, struct vtb_error *err)
{
    run->rounds.reference = reference_impl(run->options);
    run->err = err;
    struct vtb_rounds_source src = {run_round, review_rounds, monotonic_ns, run};
    size_t done;
    enum vtb_rounds_decision why;
    return vtb_rounds_loop(&run->plan.rounds, &src, &done, &why);
}

static int alloc_accs(struct cell_run *run, struct vtb_error *err)
{
    size_t n_acc = run->options->impl_count + 1;
    run->accs = calloc(n_acc, sizeof(*run->accs));
    if (run->accs == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t i = 0; i < n_acc; i++) {
        struct impl_acc *a = &run->accs[i];
        if (vtb__runner_init_hists(&a->hist_all, &a->hist_hit, &a->hist_miss,
                                   &a->hist_uncorrected) != 0)
            return vtb_error_set(err, VTB_ENOMEM, "cannot allocate latency histograms");
        a->hists_ready = true;
    }
    unsigned fixed = run->plan.rounds.fixed;
    return grow_rounds(run, fixed > 0 ? fixed : VTB_ROUNDS_MIN * 2, err);
}

static void free_accs(struct cell_run *run)
{
    for (size_t i = 0; run->accs != NULL && i <= run->options->impl_count; i++) {
        struct impl_acc *a = &run->accs[i];
        free(a->samples_ns);
        free(a->samples_ops_per_sec);
        if (a->hists_ready)
            vtb__runner_fini_hists(&a->hist_all, &a->hist_hit, &a->hist_miss,
                                   &a->hist_uncorrected);
    }
    free(run->accs);
    run->accs = NULL;
    free(run->rounds.disturbed);
    free(run->rounds.used);
    memset(&run->rounds, 0, sizeof(run->rounds));
}

int vtb_runner_run_cell(const struct vtb_runner_options *options, const struct vtb_cell *cell,
                        struct vtb_error *err)
{
    if (cell->threads == 0 || cell->concurrency == 0)
        return vtb_error_set(err, VTB_EINVAL, "threads and concurrency must be >= 1");
    if (options->impl_count == 0 || options->impl_count > VTB_RUNNER_MAX_IMPLS)
        return vtb_error_set(err, VTB_EINVAL, "between 1 and %d implementations per cell",
                             VTB_RUNNER_MAX_IMPLS);
    struct cell_run run;
    memset(&run, 0, sizeof(run));
    run.options = options;
    run.cell = cell;
    plan_cell(options, cell, &run.plan);
    atomic_init(&run.abort, 0);
    atomic_init(&run.at_start, 0);
    int rc = alloc_accs(&run, err);
    if (rc == 0)
        rc = build_service(&run, err);
    /* Zero-filled (and so reported as 0 arenas) without jemalloc. */
    vtb_allocstats_config(&run.alloc_config);
    if (rc == 0)
        rc = vtb__runner_start_threads(&run, err);
    if (rc == 0)
        rc = warm_up(&run);
    if (rc == 0)
        rc = measure(&run, err);
    /* Backend: a request that failed (refused, lost, timed out, a wrong
     * value) fails the cell with the server's message, not just counts. */
    if (rc != VTB_EINTR && run.svc != NULL && vtb_service_backend_status(run.svc, NULL) != 0)
        rc = vtb_service_backend_status(run.svc, err);
    if (rc == 0)
        rc = vtb__runner_emit(&run, err);
    if (rc == VTB_EINTR && err != NULL && err->code != VTB_EINTR)
        vtb_error_set(err, rc, "interrupted");
    vtb__runner_stop_threads(&run);
    vtb_service_free(run.svc);
    free_accs(&run);
    return rc;
}
