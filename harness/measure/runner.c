/*
 * The runner (see runner.h): worker threads, phases, snapshots and the
 * reduction of one cell's runs into records.
 *
 * Threads: the floor and every implementation are measured on worker
 * threads, never on main, because glibc's mutex is much cheaper in a process
 * that never started a thread, and everything compared must run in the same
 * process state. Main only hands out jobs through two barriers (start, end)
 * and reads the per-thread results after the end barrier, which also
 * publishes them.
 */
#include "runner.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocstats.h"
#include "clock.h"
#include "driver.h"
#include "openloop.h"
#include "vtb/alloc_count.h"
#include "vtb/service.h"

/* Histogram range: 1 ns to 100 s at 3 significant digits. */
#define HIST_LOWEST 1
#define HIST_HIGHEST INT64_C(100000000000)
#define HIST_SIGFIGS 3

/* Warnings: CV above 10% or fewer than 5 repetitions. */
#define WARN_CV 0.10
#define WARN_MIN_REPS 5

/* Ops bounds when deriving a count from a duration. */
#define DURATION_MIN_OPS 1000u
#define DURATION_MAX_OPS 2000000000u

enum job_kind { JOB_RUN, JOB_EXIT };

struct job {
    enum job_kind kind;
    bool hooked;                    /* worker 0 calls the measurement hooks */
    const struct vtb_impl_ops *ops; /* NULL = floor */
    size_t impl_index;              /* index into impls, floor = impl_count */
    uint64_t ops_target;
    bool record;
};

/* What a thread did during one run, as deltas. */
struct thread_delta {
    struct vtb_driver_result driver;
    bool open;                        /* an open-loop run: `schedule` is valid */
    struct vtb_openloop_result schedule;
    struct vtb_alloc_counts lib;      /* library allocation-site counts */
    uint64_t jemalloc_allocated;      /* usable bytes */
    uint64_t jemalloc_deallocated;
    struct vtb_cache_counters cache;
    struct vtb_pool_counters pool;
};

/* Per-thread snapshot used to compute deltas. */
struct thread_snapshot {
    struct vtb_alloc_counts lib;
    uint64_t jemalloc_allocated;
    uint64_t jemalloc_deallocated;
    struct vtb_cache_counters cache;
    struct vtb_pool_counters pool;
};

struct cell_run;

struct worker_thread {
    struct cell_run *run;
    pthread_t tid;
    unsigned index;
    bool started;
    int init_rc;
    struct vtb_worker worker;
    struct vtb_driver driver;
    bool driver_ready;
    struct vtb_hist hist_all, hist_hit, hist_miss;
    struct vtb_hist hist_uncorrected; /* open loop: from the actual issue */
    bool hist_uncorrected_ready;
    struct vtb_thread_alloc talloc;
    void **impl_states;
    struct thread_delta delta;
    cpu_set_t cpus_seen; /* CPUs this worker was on after its runs */
};

/* Accumulated results of one implementation (or the floor) over the cell. */
struct impl_acc {
    double *samples_ns;   /* ns per op, per repetition */
    double *samples_ops_per_sec;
    unsigned reps_done;
    uint64_t ops, sync_ops, errors, mismatches;
    int first_error;
    struct vtb_alloc_counts lib;
    uint64_t jemalloc_allocated;
    struct vtb_cache_counters cache;
    struct vtb_pool_counters pool;
    uint64_t resident_peak;
    struct vtb_hist hist_all, hist_hit, hist_miss;
    struct vtb_hist hist_uncorrected; /* open loop */
    bool hists_ready;
    uint64_t ops_target; /* per thread, for duration mode */
    double instructions; /* from the measurement hooks */
    bool open;           /* recorded runs were open-loop */
    bool rate_missed;    /* some thread fell behind its schedule in some repetition */
    double lag_max_ns;   /* largest issue - intended seen */
};

struct cell_run {
    const struct vtb_runner_options *options;
    const struct vtb_cell_config *cell;
    struct vtb_service *svc;
    struct worker_thread *threads;
    pthread_barrier_t start_barrier, end_barrier;
    bool barriers_ready;
    struct job job;
    /* Workers that reached the start line of the current job (see
     * start_together); reset by main before it releases the start barrier. */
    atomic_uint at_start;
    struct impl_acc *accs; /* impl_count + 1 (floor last) */
    struct vtb_keygen keygen_template;
    /* Completion thread snapshot state. */
    struct vtb_thread_alloc completion_talloc;
    bool completion_talloc_ready;
    struct vtb_alloc_config alloc_config; /* read once per cell; zero without jemalloc */
};

static void counters_sub_cache(struct vtb_cache_counters *d, const struct vtb_cache_counters *a,
                               const struct vtb_cache_counters *b)
{
    d->hits = a->hits - b->hits;
    d->misses = a->misses - b->misses;
    d->expirations = a->expirations - b->expirations;
    d->evictions = a->evictions - b->evictions;
    d->inserts = a->inserts - b->inserts;
    d->updates = a->updates - b->updates;
    d->read_retries = a->read_retries - b->read_retries;
}

static void counters_sub_pool(struct vtb_pool_counters *d, const struct vtb_pool_counters *a,
                              const struct vtb_pool_counters *b)
{
    d->rents = a->rents - b->rents;
    d->returns = a->returns - b->returns;
    d->misses = a->misses - b->misses;
    d->shared_takes = a->shared_takes - b->shared_takes;
    d->shared_spills = a->shared_spills - b->shared_spills;
    d->high_water = a->high_water;
}

/* Takes the calling thread's snapshot; worker may be NULL. */
static void take_snapshot(struct thread_snapshot *s, const struct vtb_thread_alloc *talloc,
                          const struct vtb_worker *worker)
{
    vtb_alloc_counts_get(&s->lib);
    s->jemalloc_allocated = vtb_allocstats_thread_allocated(talloc);
    s->jemalloc_deallocated = vtb_allocstats_thread_deallocated(talloc);
    s->cache = worker->cache_counters;
    s->pool = worker->pool_local.counters;
}

static void delta_from(struct thread_delta *d, const struct thread_snapshot *before,
                       const struct thread_snapshot *after)
{
    vtb_alloc_counts_sub(&d->lib, &after->lib, &before->lib);
    d->jemalloc_allocated = after->jemalloc_allocated - before->jemalloc_allocated;
    d->jemalloc_deallocated = after->jemalloc_deallocated - before->jemalloc_deallocated;
    counters_sub_cache(&d->cache, &after->cache, &before->cache);
    counters_sub_pool(&d->pool, &after->pool, &before->pool);
}

static int init_hists(struct vtb_hist *all, struct vtb_hist *hit, struct vtb_hist *miss)
{
    int rc = vtb_hist_init(all, HIST_LOWEST, HIST_HIGHEST, HIST_SIGFIGS);
    if (rc != 0)
        return rc;
    rc = vtb_hist_init(hit, HIST_LOWEST, HIST_HIGHEST, HIST_SIGFIGS);
    if (rc != 0) {
        vtb_hist_fini(all);
        return rc;
    }
    rc = vtb_hist_init(miss, HIST_LOWEST, HIST_HIGHEST, HIST_SIGFIGS);
    if (rc != 0) {
        vtb_hist_fini(all);
        vtb_hist_fini(hit);
    }
    return rc;
}

static void fini_hists(struct vtb_hist *all, struct vtb_hist *hit, struct vtb_hist *miss)
{
    vtb_hist_fini(all);
    vtb_hist_fini(hit);
    vtb_hist_fini(miss);
}

static int thread_setup(struct worker_thread *t)
{
    struct cell_run *run = t->run;
    const struct vtb_cell_config *cell = run->cell;
    size_t impl_count = run->options->impl_count;
    int rc = vtb_worker_init(run->svc, &t->worker, t->index);
    if (rc != 0)
        return rc;
    /* Unsupported (no jemalloc) is fine: the counters then read 0. */
    vtb_allocstats_thread_init(&t->talloc);
    rc = init_hists(&t->hist_all, &t->hist_hit, &t->hist_miss);
    if (rc != 0)
        return rc;
    rc = vtb_hist_init(&t->hist_uncorrected, HIST_LOWEST, HIST_HIGHEST, HIST_SIGFIGS);
    if (rc != 0)
        return rc;
    t->hist_uncorrected_ready = true;
    CPU_ZERO(&t->cpus_seen);
    struct vtb_keygen keys = run->keygen_template;
    rc = vtb_keygen_init(&keys, &cell->key_dist, cell->keys, cell->seed, t->index);
    if (rc != 0)
        return rc;
    rc = vtb_driver_init(&t->driver, &t->worker, &keys, cell->seed, cell->concurrency,
                         &t->hist_all, &t->hist_hit, &t->hist_miss);
    if (rc != 0)
        return rc;
    t->driver_ready = true;
    t->impl_states = calloc(impl_count, sizeof(*t->impl_states));
    if (t->impl_states == NULL)
        return VTB_ENOMEM;
    for (size_t i = 0; i < impl_count; i++) {
        const struct vtb_impl_ops *ops = run->options->impls[i];
        if (ops->state_size == 0)
            continue;
        t->impl_states[i] = calloc(1, ops->state_size);
        if (t->impl_states[i] == NULL)
            return VTB_ENOMEM;
        if (ops->init != NULL && (rc = ops->init(t->impl_states[i], &t->worker)) != 0)
            return rc;
    }
    return 0;
}

static void thread_teardown(struct worker_thread *t)
{
    struct cell_run *run = t->run;
    if (t->impl_states != NULL) {
        for (size_t i = 0; i < run->options->impl_count; i++) {
            const struct vtb_impl_ops *ops = run->options->impls[i];
            if (t->impl_states[i] != NULL && ops->fini != NULL)
                ops->fini(t->impl_states[i]);
            free(t->impl_states[i]);
        }
        free(t->impl_states);
    }
    if (t->driver_ready)
        vtb_driver_fini(&t->driver);
    fini_hists(&t->hist_all, &t->hist_hit, &t->hist_miss);
    if (t->hist_uncorrected_ready)
        vtb_hist_fini(&t->hist_uncorrected);
    if (t->worker.svc != NULL)
        vtb_worker_fini(&t->worker);
}

/*
 * The drivers' start gate (struct vtb_driver_config): holds the calling
 * worker, once its keys are drawn, until every worker of the cell is at the
 * start line, spinning, so that the timed regions begin within a few
 * hundred nanoseconds of each other. Without it the starts spread over
 * milliseconds: the barrier wakes workers from a futex one by one, and
 * drawing the keys takes each its own time (a key buffer grown for a longer
 * run page-faults, and two threads faulting at once contend in the kernel).
 * Aggregate throughput is measured over the wall time from the first start
 * to the last end, so that spread would count as lost throughput (on a 4 ms
 * run, 1 ms of skew reads as a 20% loss). Spinners yield now and then so
 * that with more workers than CPUs the late ones get to run.
 */
static void start_together(void *ctx)
{
    struct cell_run *run = ctx;
    unsigned n = run->cell->threads;
    atomic_fetch_add_explicit(&run->at_start, 1, memory_order_acq_rel);
    for (unsigned spins = 1; atomic_load_explicit(&run->at_start, memory_order_acquire) < n;
         spins++) {
        if (spins % 1024 == 0)
            sched_yield();
#if defined(__x86_64__) || defined(__i386__)
        else
            __builtin_ia32_pause();
#endif
    }
}

static void *thread_main(void *arg)
{
    struct worker_thread *t = arg;
    struct cell_run *run = t->run;
    const struct vtb_cell_config *cell = run->cell;
    t->init_rc = thread_setup(t);
    pthread_barrier_wait(&run->end_barrier); /* setup done */
    for (;;) {
        pthread_barrier_wait(&run->start_barrier);
        struct job job = run->job;
        if (job.kind == JOB_EXIT || t->init_rc != 0)
            break;
        vtb_hist_reset(&t->hist_all);
        vtb_hist_reset(&t->hist_hit);
        vtb_hist_reset(&t->hist_miss);
        vtb_hist_reset(&t->hist_uncorrected);
        struct vtb_driver_config config = {
            .ops = job.ops,
            .impl_state = job.ops != NULL ? t->impl_states[job.impl_index] : NULL,
            .ops_target = job.ops_target,
            .concurrency = cell->concurrency,
            .exact = cell->exact,
            .hit_ratio = cell->hit_ratio,
            .sample_every = cell->sample_every,
            .record = job.record,
        };
        if (job.hooked && t->index == 0) {
            const struct vtb_measure_hooks *hooks = run->options->hooks;
            config.hook_start = hooks->start;
            config.hook_stop = hooks->stop;
            config.hook_ctx = hooks->ctx;
        }
        /* Only measured runs of an implementation are open-loop: warm-up
         * warms, and the floor is a cost, not a latency. */
        bool open = cell->open_rate_per_s > 0 && job.record && job.ops != NULL;
        struct vtb_openloop_config open_config = {
            .rate_per_s = cell->open_rate_per_s,
            .poisson = cell->open_poisson,
            .seed = cell->seed,
            .uncorrected = &t->hist_uncorrected,
        };
        config.start_gate = start_together;
        config.start_gate_ctx = run;
        struct thread_snapshot before, after;
        take_snapshot(&before, &t->talloc, &t->worker);
        if (open)
            vtb_openloop_run(&t->driver, &config, &open_config, &t->delta.schedule);
        else
            vtb_driver_run(&t->driver, &config);
        take_snapshot(&after, &t->talloc, &t->worker);
        t->delta.driver = t->driver.result;
        t->delta.open = open;
        delta_from(&t->delta, &before, &after);
        /* Where the worker ran, for the context: outside the timed region,
         * and after every run, so that migrations show. */
        int cpu = sched_getcpu();
        if (cpu >= 0 && cpu < CPU_SETSIZE)
            CPU_SET(cpu, &t->cpus_seen);
        pthread_barrier_wait(&run->end_barrier);
    }
    thread_teardown(t);
    return NULL;
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
    take_snapshot(&call->snapshot, &run->completion_talloc, vtb_worker_current());
}

static void pin_to_cpu(pthread_t tid, unsigned index)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu <= 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(index % (unsigned)ncpu, &set);
    pthread_setaffinity_np(tid, sizeof(set), &set);
}

static int start_threads(struct cell_run *run, struct vtb_error *err)
{
    const struct vtb_cell_config *cell = run->cell;
    unsigned n = cell->threads;
    if (pthread_barrier_init(&run->start_barrier, NULL, n + 1) != 0 ||
        pthread_barrier_init(&run->end_barrier, NULL, n + 1) != 0)
        return vtb_error_set(err, VTB_ENOMEM, "cannot create the run barriers");
    run->barriers_ready = true;
    run->threads = calloc(n, sizeof(*run->threads));
    if (run->threads == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (unsigned i = 0; i < n; i++) {
        struct worker_thread *t = &run->threads[i];
        t->run = run;
        t->index = i;
        if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
            /* The barriers count n + 1 parties: without all threads the run
             * cannot proceed, so this is fatal for the process. */
            return vtb_error_set(err, VTB_ENOMEM, "cannot start worker thread %u of %u", i + 1, n);
        }
        t->started = true;
        if (cell->pin_threads)
            pin_to_cpu(t->tid, i);
    }
    pthread_barrier_wait(&run->end_barrier);
    for (unsigned i = 0; i < n; i++)
        if (run->threads[i].init_rc != 0)
            return vtb_error_set(err, run->threads[i].init_rc,
                                 "worker thread %u failed to initialise: %s", i,
                                 vtb_strerror(run->threads[i].init_rc));
    return 0;
}

static void stop_threads(struct cell_run *run)
{
    if (run->threads == NULL)
        return;
    bool all_started = true;
    for (unsigned i = 0; i < run->cell->threads; i++)
        all_started = all_started && run->threads[i].started;
    if (all_started) {
        run->job.kind = JOB_EXIT;
        pthread_barrier_wait(&run->start_barrier);
    }
    for (unsigned i = 0; i < run->cell->threads; i++)
        if (run->threads[i].started)
            pthread_join(run->threads[i].tid, NULL);
    free(run->threads);
    run->threads = NULL;
}

/* One timed (or warm-up) run of one implementation on every thread. */
static int run_job(struct cell_run *run, const struct vtb_impl_ops *ops, size_t impl_index,
                   uint64_t ops_target, bool record, struct vtb_driver_result *total,
                   double *ns_per_op, double *ops_per_sec)
{
    const struct vtb_cell_config *cell = run->cell;
    struct impl_acc *acc = &run->accs[impl_index];
    struct completion_snapshot_call cbefore, cafter;
    memset(&cbefore, 0, sizeof(cbefore));
    memset(&cafter, 0, sizeof(cafter));
    cbefore.run = cafter.run = run;
    bool has_completion = run->svc->has_completion_thread;
    if (has_completion)
        vtb_service_call_on_completion_thread(run->svc, completion_snapshot, &cbefore);

    bool hooked = record && ops != NULL && run->options->hooks != NULL;
    run->job = (struct job){JOB_RUN, hooked, ops, impl_index, ops_target, record};
    atomic_store_explicit(&run->at_start, 0, memory_order_relaxed); /* published by the barrier */
    pthread_barrier_wait(&run->start_barrier);
    pthread_barrier_wait(&run->end_barrier);

    struct thread_delta completion = {0};
    if (has_completion) {
        vtb_service_call_on_completion_thread(run->svc, completion_snapshot, &cafter);
        delta_from(&completion, &cbefore.snapshot, &cafter.snapshot);
    }

    memset(total, 0, sizeof(*total));
    uint64_t min_start = UINT64_MAX, max_end = 0;
    double thread_ns_sum = 0;
    for (unsigned i = 0; i < cell->threads; i++) {
        const struct thread_delta *d = &run->threads[i].delta;
        total->ops += d->driver.ops;
        total->sync_ops += d->driver.sync_ops;
        total->errors += d->driver.errors;
        total->value_mismatches += d->driver.value_mismatches;
        if (total->first_error == 0)
            total->first_error = d->driver.first_error;
        if (d->driver.start_ticks < min_start)
            min_start = d->driver.start_ticks;
        if (d->driver.end_ticks > max_end)
            max_end = d->driver.end_ticks;
        thread_ns_sum += vtb_clock_ticks_to_ns(d->driver.end_ticks - d->driver.start_ticks);
    }
    *ns_per_op = total->ops > 0 ? thread_ns_sum / (double)total->ops : NAN;
    double wall_ns = vtb_clock_ticks_to_ns(max_end - min_start);
    *ops_per_sec = wall_ns > 0 ? (double)total->ops * 1e9 / wall_ns : NAN;

    if (!record)
        return 0;
    if (hooked) {
        double instructions = 0;
        int rc = run->options->hooks->collect(run->options->hooks->ctx, &instructions);
        if (rc != 0)
            return rc;
        acc->instructions += instructions;
    }
    for (unsigned i = 0; i < cell->threads; i++) {
        const struct thread_delta *d = &run->threads[i].delta;
        if (!d->open)
            continue;
        acc->open = true;
        if (!vtb_openloop_rate_reached(&d->schedule, d->driver.ops))
            acc->rate_missed = true;
        double lag_ns = vtb_clock_ticks_to_ns(d->schedule.max_lag_ticks);
        if (lag_ns > acc->lag_max_ns)
            acc->lag_max_ns = lag_ns;
        if (acc->hists_ready)
            vtb_hist_merge(&acc->hist_uncorrected, &run->threads[i].hist_uncorrected);
    }
    acc->ops += total->ops;
    acc->sync_ops += total->sync_ops;
    acc->errors += total->errors;
    acc->mismatches += total->value_mismatches;
    if (acc->first_error == 0)
        acc->first_error = total->first_error;
    for (unsigned i = 0; i <= cell->threads; i++) {
        const struct thread_delta *d = i < cell->threads ? &run->threads[i].delta : &completion;
        vtb_alloc_counts_add(&acc->lib, &d->lib);
        acc->jemalloc_allocated += d->jemalloc_allocated;
        vtb_cache_counters_add(&acc->cache, &d->cache);
        vtb_pool_counters_add(&acc->pool, &d->pool);
        if (i < cell->threads && acc->hists_ready) {
            vtb_hist_merge(&acc->hist_all, &run->threads[i].hist_all);
            vtb_hist_merge(&acc->hist_hit, &run->threads[i].hist_hit);
            vtb_hist_merge(&acc->hist_miss, &run->threads[i].hist_miss);
        }
    }
    struct vtb_alloc_global global;
    if (vtb_allocstats_refresh() == 0 && vtb_allocstats_global(&global) == 0 &&
        global.resident_bytes > acc->resident_peak)
        acc->resident_peak = global.resident_bytes;
    return 0;
}

static void summarize_latency(const struct vtb_hist *h, struct vtb_latency_summary *out)
{
    out->count = (uint64_t)vtb_hist_total_count(h);
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

/* Formats the CPUs each worker was seen on (see VTB_RECORD_CPUS_TEXT). */
static void format_worker_cpus(const struct cell_run *run, char *buf, size_t size)
{
    static const char cut[] = "...";
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < run->cell->threads; i++) {
        const cpu_set_t *seen = &run->threads[i].cpus_seen;
        bool first = true;
        if (i > 0 && len + 1 < size)
            buf[len++] = ' ';
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
            if (!CPU_ISSET(cpu, seen))
                continue;
            int n = snprintf(buf + len, size - len, first ? "%d" : "+%d", cpu);
            first = false;
            if (n < 0 || (size_t)n >= size - len) {
                /* Too long: end with the cut mark in the last bytes. */
                snprintf(buf + size - sizeof(cut), sizeof(cut), "%s", cut);
                return;
            }
            len += (size_t)n;
        }
        if (first && len + 1 < size)
            buf[len++] = '?'; /* never ran a job (the cell stopped early) */
        buf[len] = '\0';
    }
}

static int emit_record(struct cell_run *run, size_t impl_index, double floor_ns,
                       struct vtb_error *err)
{
    const struct vtb_cell_config *cell = run->cell;
    const struct vtb_runner_options *options = run->options;
    struct impl_acc *acc = &run->accs[impl_index];
    struct vtb_record rec;
    memset(&rec, 0, sizeof(rec));
    copy_text(rec.scenario, sizeof(rec.scenario), options->scenario);
    copy_text(rec.impl, sizeof(rec.impl), options->impls[impl_index]->name);
    rec.cell_index = cell->index;
    rec.threads = cell->threads;
    rec.concurrency = cell->concurrency;
    vtb_key_dist_format(&cell->key_dist, rec.key_dist, sizeof(rec.key_dist));
    rec.hit_ratio_target = cell->exact ? cell->hit_ratio : NAN;
    rec.keys = cell->keys;
    rec.capacity = vtb_cache_config(run->svc->cache)->capacity;
    rec.ttl_ms = cell->ttl_ms;
    copy_text(rec.miss_latency, sizeof(rec.miss_latency), cell->latency_text);
    rec.miss_latency_ns = vtb_latency_mean_ns(&cell->latency);
    copy_text(rec.completion, sizeof(rec.completion), vtb_completion_mode_name(cell->completion));
    copy_text(rec.continuation, sizeof(rec.continuation),
              vtb_continuation_mode_name(cell->continuation));
    copy_text(rec.cache_lock, sizeof(rec.cache_lock), vtb_cache_lock_name(cell->cache_lock));
    rec.repetitions = acc->reps_done;
    rec.ops = acc->reps_done > 0 ? acc->ops / acc->reps_done : 0;
    rec.latency_sample_every = acc->open ? 1 : cell->sample_every;

    int rc = vtb_stats_summarize(acc->samples_ns, acc->reps_done, &rec.ns_per_op);
    if (rc != 0)
        return vtb_error_set(err, rc, "no repetition completed for %s", rec.impl);
    rec.samples_ns_per_op = acc->samples_ns;
    rec.warnings = vtb_stats_warnings(&rec.ns_per_op, WARN_CV, WARN_MIN_REPS);
    double median_ops_per_sec = NAN;
    vtb_stats_median(acc->samples_ops_per_sec, acc->reps_done, &median_ops_per_sec);
    rec.ops_per_sec = median_ops_per_sec;
    rec.ops_per_sec_per_thread = median_ops_per_sec / cell->threads;

    summarize_latency(&acc->hist_all, &rec.all);
    summarize_latency(&acc->hist_hit, &rec.hit);
    summarize_latency(&acc->hist_miss, &rec.miss);
    rec.hist_all = &acc->hist_all;
    rec.hist_hit = &acc->hist_hit;
    rec.hist_miss = &acc->hist_miss;

    uint64_t lookups = acc->cache.hits + acc->cache.misses;
    rec.hit_ratio = lookups > 0 ? (double)acc->cache.hits / (double)lookups : NAN;
    if (cell->force_async)
        rec.hit_ratio = 0.0;

    double ops = (double)acc->ops;
    rec.allocs_per_op = ops > 0 ? (double)acc->lib.allocs / ops : NAN;
    rec.requested_bytes_per_op = ops > 0 ? (double)acc->lib.requested_bytes / ops : NAN;
    rec.bytes_are_usable = vtb_allocstats_available();
    if (rec.bytes_are_usable) {
        rec.bytes_per_op = ops > 0 ? (double)acc->jemalloc_allocated / ops : NAN;
        rec.total_alloc_bytes = acc->reps_done > 0 ? acc->jemalloc_allocated / acc->reps_done : 0;
    } else {
        rec.bytes_per_op = NAN;
        rec.total_alloc_bytes = acc->reps_done > 0 ? acc->lib.requested_bytes / acc->reps_done : 0;
    }
    rec.resident_peak_bytes = acc->resident_peak;
    rec.cache = acc->cache;
    rec.pool = acc->pool;
    rec.pool.high_water = vtb_pool_created(&run->svc->pool);
    rec.floor_ns_per_hit = floor_ns;
    rec.instructions_per_op =
        options->hooks != NULL && ops > 0 ? acc->instructions / ops : NAN;
    rec.errors = acc->errors;
    rec.first_error = acc->first_error;
    rec.value_mismatches = acc->mismatches;

    copy_text(rec.load, sizeof(rec.load), cell->load_text[0] != '\0' ? cell->load_text : "closed");
    rec.rate_reached = !acc->rate_missed;
    if (acc->open) {
        rec.intended_ops_per_sec = cell->open_rate_per_s * cell->threads;
        rec.achieved_ops_per_sec = median_ops_per_sec;
        rec.schedule_lag_max_ns = acc->lag_max_ns;
        summarize_latency(&acc->hist_uncorrected, &rec.uncorrected);
        rec.hist_uncorrected = &acc->hist_uncorrected;
    } else {
        rec.intended_ops_per_sec = rec.achieved_ops_per_sec = rec.schedule_lag_max_ns = NAN;
        summarize_latency(&acc->hist_uncorrected, &rec.uncorrected); /* empty: NaN */
        rec.hist_uncorrected = NULL;
    }
    rec.shared_writes_per_hit = vtb_cache_shared_writes_per_hit(cell->cache_lock);
    rec.pin_threads = cell->pin_threads;
    format_worker_cpus(run, rec.worker_cpus, sizeof(rec.worker_cpus));
    rec.jemalloc_narenas = run->alloc_config.narenas;
    rec.jemalloc_tcache = run->alloc_config.opt_tcache;
    return options->on_record(options->ctx, &rec, err);
}

/* Creates the service and preloads the hit set in exact mode. */
static int build_service(struct cell_run *run, struct vtb_error *err)
{
    const struct vtb_cell_config *cell = run->cell;
    struct vtb_service_config config;
    vtb_service_config_default(&config);
    config.cache.capacity = cell->capacity;
    if (cell->exact) {
        /* The hit set is pinned and must fit with room to spare in every
         * stripe, and the misses need unpinned room to come and go. */
        uint64_t needed = 2 * cell->keys + 1024;
        if (config.cache.capacity < needed)
            config.cache.capacity = needed;
    }
    config.cache.ttl_ns = cell->ttl_ms * 1000000u;
    config.cache.lock = cell->cache_lock;
    config.backend.latency = cell->latency;
    config.backend.completion = cell->completion;
    config.backend.continuation = cell->continuation;
    config.timer_capacity = cell->concurrency + 16;
    config.pool_max_sources = cell->threads * cell->concurrency * 4 + 1024;
    config.seed = cell->seed;
    config.force_async = cell->force_async;
    int rc = vtb_service_new(&config, &run->svc, err);
    if (rc != 0)
        return rc;
    if (cell->exact) {
        struct vtb_cache_counters ignored = {0};
        for (uint64_t key = 0; key < cell->keys; key++) {
            rc = vtb_cache_put(run->svc->cache, key, vtb_backend_value(key), VTB_CACHE_PIN,
                               &ignored);
            if (rc != 0)
                return vtb_error_set(err, rc,
                                     "cannot pin the hit set of %llu keys in a cache of "
                                     "capacity %zu: %s",
                                     (unsigned long long)cell->keys, config.cache.capacity,
                                     vtb_strerror(rc));
        }
    }
    return 0;
}

unsigned vtb_runner_runs_per_cell(const struct vtb_cell_config *cell, size_t impl_count)
{
    return cell->repetitions * (unsigned)(impl_count + 1);
}

static bool stop_requested(const struct vtb_runner_options *options)
{
    return options->stop_requested != NULL && *options->stop_requested != 0;
}

static uint64_t ops_from_duration(uint64_t duration_ns, double ns_per_op, unsigned threads)
{
    /* ns_per_op is per thread: each thread does duration / ns_per_op ops. */
    (void)threads;
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

int vtb_runner_run_cell(const struct vtb_runner_options *options,
                        const struct vtb_cell_config *cell, struct vtb_error *err)
{
    size_t n_impl = options->impl_count;
    size_t n_acc = n_impl + 1; /* the floor is last */
    if (cell->threads == 0 || cell->concurrency == 0 || cell->repetitions == 0)
        return vtb_error_set(err, VTB_EINVAL, "threads, concurrency and repetitions must be >= 1");
    struct cell_run run;
    memset(&run, 0, sizeof(run));
    run.options = options;
    run.cell = cell;
    int rc = 0;
    run.accs = calloc(n_acc, sizeof(*run.accs));
    if (run.accs == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t i = 0; i < n_acc; i++) {
        run.accs[i].samples_ns = calloc(cell->repetitions, sizeof(double));
        run.accs[i].samples_ops_per_sec = calloc(cell->repetitions, sizeof(double));
        if (run.accs[i].samples_ns == NULL || run.accs[i].samples_ops_per_sec == NULL) {
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
            goto out_free_accs;
        }
        rc = init_hists(&run.accs[i].hist_all, &run.accs[i].hist_hit, &run.accs[i].hist_miss);
        if (rc != 0) {
            vtb_error_set(err, rc, "cannot allocate latency histograms");
            goto out_free_accs;
        }
        rc = vtb_hist_init(&run.accs[i].hist_uncorrected, HIST_LOWEST, HIST_HIGHEST,
                           HIST_SIGFIGS);
        if (rc != 0) {
            fini_hists(&run.accs[i].hist_all, &run.accs[i].hist_hit, &run.accs[i].hist_miss);
            vtb_error_set(err, rc, "cannot allocate latency histograms");
            goto out_free_accs;
        }
        run.accs[i].hists_ready = true;
    }
    rc = build_service(&run, err);
    if (rc != 0)
        goto out_free_service;
    /* Zero-filled (and so reported as 0 arenas) without jemalloc. */
    vtb_allocstats_config(&run.alloc_config);
    rc = start_threads(&run, err);
    if (rc != 0)
        goto out_stop_threads;

    /* Warm-up, interleaved like the measurement: it also warms the pool, the
     * cache and the allocator's thread caches. In duration mode it sets
     * each implementation's operation count. */
    unsigned runs_in_cell = vtb_runner_runs_per_cell(cell, n_impl), runs_done = 0;
    for (size_t i = 0; i < n_acc; i++) {
        const struct vtb_impl_ops *ops = i < n_impl ? options->impls[i] : NULL;
        run.accs[i].ops_target = cell->ops;
        uint64_t warmup = cell->warmup_ops;
        /* An open-loop run's length is its rate times the duration; only
         * closed-loop runs need the probe's rate to turn time into ops. */
        bool open = cell->open_rate_per_s > 0 && ops != NULL;
        bool need_rate = (cell->ops == 0 && !open) || (warmup == 0 && cell->warmup_ns > 0);
        struct vtb_driver_result total;
        double ns_per_op = NAN, ops_per_sec;
        if (need_rate) {
            /* A short probe gives the rate that turns durations into counts. */
            run_job(&run, ops, i, DURATION_MIN_OPS * 10, false, &total, &ns_per_op,
                    &ops_per_sec);
            if (warmup == 0 && cell->warmup_ns > 0)
                warmup = ops_from_duration(cell->warmup_ns, ns_per_op, cell->threads);
        }
        if (warmup > 0)
            run_job(&run, ops, i, warmup, false, &total, &ns_per_op, &ops_per_sec);
        if (cell->ops == 0)
            run.accs[i].ops_target =
                open ? ops_from_rate(cell->duration_ns, cell->open_rate_per_s)
                     : ops_from_duration(cell->duration_ns, ns_per_op, cell->threads);
        if (stop_requested(options)) {
            rc = VTB_EINTR;
            goto out_stop_threads;
        }
    }

    for (unsigned rep = 0; rep < cell->repetitions; rep++) {
        /* The floor first, then the implementations in order. */
        for (size_t k = 0; k < n_acc; k++) {
            size_t i = (k + n_impl) % n_acc;
            const struct vtb_impl_ops *ops = i < n_impl ? options->impls[i] : NULL;
            struct vtb_driver_result total;
            double ns_per_op, ops_per_sec;
            rc = run_job(&run, ops, i, run.accs[i].ops_target, true, &total, &ns_per_op,
                         &ops_per_sec);
            if (rc != 0) {
                vtb_error_set(err, rc, "cell %u, %s: cannot collect the measurement: %s",
                              cell->index, ops != NULL ? ops->name : "floor", vtb_strerror(rc));
                goto out_stop_threads;
            }
            run.accs[i].samples_ns[rep] = ns_per_op;
            run.accs[i].samples_ops_per_sec[rep] = ops_per_sec;
            run.accs[i].reps_done = rep + 1;
            runs_done++;
            if (options->on_progress != NULL)
                options->on_progress(options->ctx, runs_done, runs_in_cell);
            if (stop_requested(options)) {
                rc = VTB_EINTR;
                goto out_stop_threads;
            }
        }
    }

    double floor_ns = NAN;
    vtb_stats_median(run.accs[n_impl].samples_ns, run.accs[n_impl].reps_done, &floor_ns);
    for (size_t i = 0; i < n_impl && rc == 0; i++)
        rc = emit_record(&run, i, floor_ns, err);

out_stop_threads:
    stop_threads(&run);
    if (run.barriers_ready) {
        pthread_barrier_destroy(&run.start_barrier);
        pthread_barrier_destroy(&run.end_barrier);
    }
out_free_service:
    vtb_service_free(run.svc);
out_free_accs:
    for (size_t i = 0; i < n_acc; i++) {
        free(run.accs[i].samples_ns);
        free(run.accs[i].samples_ops_per_sec);
        if (run.accs[i].hists_ready) {
            fini_hists(&run.accs[i].hist_all, &run.accs[i].hist_hit, &run.accs[i].hist_miss);
            vtb_hist_fini(&run.accs[i].hist_uncorrected);
        }
    }
    free(run.accs);
    return rc;
}
