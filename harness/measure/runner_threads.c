/*
 * The runner's worker threads (see runner.h and runner_internal.h): their
 * set-up on their own thread, the jobs they take from the gate, the start
 * line they cross together, and their shutdown.
 *
 * Threads: the floor and every implementation are measured on worker
 * threads, never on main, because glibc's mutex is much cheaper in a process
 * that never started a thread, and everything compared must run in the same
 * process state. Main only hands out jobs through the gate and reads the
 * per-thread results once every worker has checked in, which also
 * publishes them (the gate's mutex orders the accesses).
 */
#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner_internal.h"

int vtb__runner_init_hists(struct vtb_hist *all, struct vtb_hist *hit, struct vtb_hist *miss,
                           struct vtb_hist *uncorrected)
{
    struct vtb_hist *h[4] = {all, hit, miss, uncorrected};
    for (size_t i = 0; i < 4; i++) {
        int rc = vtb_hist_init(h[i], VTB__RUNNER_HIST_LOWEST, VTB__RUNNER_HIST_HIGHEST,
                               VTB__RUNNER_HIST_SIGFIGS);
        if (rc != 0) {
            while (i-- > 0)
                vtb_hist_fini(h[i]);
            return rc;
        }
    }
    return 0;
}

void vtb__runner_fini_hists(struct vtb_hist *all, struct vtb_hist *hit, struct vtb_hist *miss,
                            struct vtb_hist *uncorrected)
{
    vtb_hist_fini(all);
    vtb_hist_fini(hit);
    vtb_hist_fini(miss);
    vtb_hist_fini(uncorrected);
}

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

void vtb__runner_take_snapshot(struct thread_snapshot *s, const struct vtb_thread_alloc *talloc,
                               const struct vtb_worker *worker)
{
    vtb_alloc_counts_get(&s->lib);
    s->jemalloc_allocated = vtb_allocstats_thread_allocated(talloc);
    s->jemalloc_deallocated = vtb_allocstats_thread_deallocated(talloc);
    s->cache = worker->cache_counters;
    s->pool = worker->pool_local.counters;
}

void vtb__runner_delta(struct thread_delta *d, const struct thread_snapshot *before,
                       const struct thread_snapshot *after)
{
    vtb_alloc_counts_sub(&d->lib, &after->lib, &before->lib);
    d->jemalloc_allocated = after->jemalloc_allocated - before->jemalloc_allocated;
    d->jemalloc_deallocated = after->jemalloc_deallocated - before->jemalloc_deallocated;
    counters_sub_cache(&d->cache, &after->cache, &before->cache);
    counters_sub_pool(&d->pool, &after->pool, &before->pool);
}

static int setup_impl_states(struct worker_thread *t)
{
    const struct vtb_runner_options *options = t->run->options;
    t->impl_states = calloc(options->impl_count, sizeof(*t->impl_states));
    if (t->impl_states == NULL)
        return VTB_ENOMEM;
    for (size_t i = 0; i < options->impl_count; i++) {
        const struct vtb_impl_ops *ops = options->impls[i];
        if (ops->state_size == 0)
            continue;
        t->impl_states[i] = calloc(1, ops->state_size);
        if (t->impl_states[i] == NULL)
            return VTB_ENOMEM;
        int rc = ops->init != NULL ? ops->init(t->impl_states[i], &t->worker) : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int thread_setup(struct worker_thread *t)
{
    struct cell_run *run = t->run;
    const struct vtb_cell *cell = run->cell;
    int rc = vtb_worker_init(run->svc, &t->worker, t->index);
    if (rc != 0)
        return rc;
    /* Unsupported (no jemalloc) is fine: the counters then read 0. */
    vtb_allocstats_thread_init(&t->talloc);
    rc = vtb__runner_init_hists(&t->hist_all, &t->hist_hit, &t->hist_miss, &t->hist_uncorrected);
    if (rc != 0)
        return rc;
    t->hists_ready = true;
    struct vtb_keygen keys;
    rc = vtb_keygen_init(&keys, &cell->key_dist, cell->keys, run->plan.seed, t->index);
    if (rc != 0)
        return rc;
    rc = vtb_driver_init(&t->driver, &t->worker, &keys, run->plan.seed, cell->concurrency,
                         &t->hist_all, &t->hist_hit, &t->hist_miss);
    if (rc != 0)
        return rc;
    t->driver_ready = true;
    return setup_impl_states(t);
}

static void thread_teardown(struct worker_thread *t)
{
    const struct vtb_runner_options *options = t->run->options;
    if (t->impl_states != NULL) {
        for (size_t i = 0; i < options->impl_count; i++) {
            const struct vtb_impl_ops *ops = options->impls[i];
            if (t->impl_states[i] != NULL && ops->fini != NULL)
                ops->fini(t->impl_states[i]);
            free(t->impl_states[i]);
        }
        free(t->impl_states);
    }
    if (t->driver_ready)
        vtb_driver_fini(&t->driver);
    if (t->hists_ready)
        vtb__runner_fini_hists(&t->hist_all, &t->hist_hit, &t->hist_miss, &t->hist_uncorrected);
    if (t->worker.svc != NULL)
        vtb_worker_fini(&t->worker);
}

/* Crossing the start line: counts the worker in, once per job. */
static void arrive(struct worker_thread *t)
{
    if (t->arrived)
        return;
    t->arrived = true;
    atomic_fetch_add_explicit(&t->run->at_start, 1, memory_order_acq_rel);
}

/*
 * The drivers' start gate (struct vtb_driver_config): holds the calling
 * worker, once its keys are drawn, until every worker of the cell is at the
 * start line, spinning, so that the timed regions begin within a few
 * hundred nanoseconds of each other. Without it the starts spread over
 * milliseconds: the gate wakes workers from a futex one by one, and drawing
 * the keys takes each its own time (a key buffer grown for a longer run
 * page-faults, and two threads faulting at once contend in the kernel).
 * Aggregate throughput is measured over the wall time from the first start
 * to the last end, so that spread would count as lost throughput (on a 4 ms
 * run, 1 ms of skew reads as a 20% loss). Spinners yield now and then so
 * that with more workers than CPUs the late ones get to run; a stop lets
 * them go at once.
 */
static void start_together(void *ctx)
{
    struct worker_thread *t = ctx;
    struct cell_run *run = t->run;
    unsigned n = run->started;
    arrive(t);
    for (unsigned spins = 1; atomic_load_explicit(&run->at_start, memory_order_acquire) < n;
         spins++) {
        if (atomic_load_explicit(&run->abort, memory_order_relaxed))
            break;
        if (spins % 1024 == 0)
            sched_yield();
#if defined(__x86_64__) || defined(__i386__)
        else
            __builtin_ia32_pause();
#endif
    }
}

static void driver_config_of(struct worker_thread *t, const struct job *job,
                             struct vtb_driver_config *config)
{
    struct cell_run *run = t->run;
    *config = (struct vtb_driver_config){
        .ops = job->ops,
        .impl_state = job->ops != NULL ? t->impl_states[job->impl_index] : NULL,
        .ops_target = job->ops_target,
        .concurrency = run->cell->concurrency,
        .exact = run->plan.exact,
        .hit_ratio = run->plan.exact ? run->cell->hit_ratio : 0.0,
        .sample_every = run->plan.sample_every,
        .record = job->record,
        .start_gate = start_together,
        .start_gate_ctx = t,
        .abort = &run->abort,
    };
    if (job->hooked && t->index == 0) {
        const struct vtb_measure_hooks *hooks = run->options->hooks;
        config->hook_start = hooks->start;
        config->hook_stop = hooks->stop;
        config->hook_ctx = hooks->ctx;
    }
}

/* One job on the calling worker: the run and its snapshots. */
static void run_one_job(struct worker_thread *t, const struct job *job)
{
    struct cell_run *run = t->run;
    vtb_hist_reset(&t->hist_all);
    vtb_hist_reset(&t->hist_hit);
    vtb_hist_reset(&t->hist_miss);
    vtb_hist_reset(&t->hist_uncorrected);
    struct vtb_driver_config config;
    driver_config_of(t, job, &config);
    /* Only measured runs of an implementation are open-loop: warm-up
     * warms, and the floor is a cost, not a latency. */
    bool open = run->plan.open_rate_per_s > 0 && job->record && job->ops != NULL;
    struct vtb_openloop_config open_config = {
        .rate_per_s = run->plan.open_rate_per_s,
        .poisson = run->plan.open_poisson,
        .seed = run->plan.seed,
        .uncorrected = &t->hist_uncorrected,
    };
    struct thread_snapshot before, after;
    t->arrived = false;
    vtb__runner_take_snapshot(&before, &t->talloc, &t->worker);
    t->delta.rc = open ? vtb_openloop_run(&t->driver, &config, &open_config, &t->delta.schedule)
                       : vtb_driver_run(&t->driver, &config);
    arrive(t); /* a run that failed before its start line still counts in */
    vtb__runner_take_snapshot(&after, &t->talloc, &t->worker);
    t->delta.driver = t->driver.result;
    t->delta.open = open;
    vtb__runner_delta(&t->delta, &before, &after);
    /* Where the worker ran, for the context: outside the timed region, and
     * after every run, so that migrations show. */
    int cpu = sched_getcpu();
    if (cpu >= 0)
        t->cpus_seen |= UINT64_C(1) << (cpu < 63 ? cpu : 63);
}

static void *thread_main(void *arg)
{
    struct worker_thread *t = arg;
    struct cell_run *run = t->run;
    unsigned seen = 0;
    t->init_rc = thread_setup(t);
    vtb_gate_check_in(&run->gate); /* set-up done */
    for (;;) {
        vtb_gate_next(&run->gate, &seen);
        struct job job = run->job;
        if (job.kind == JOB_EXIT || t->init_rc != 0)
            break;
        run_one_job(t, &job);
        vtb_gate_check_in(&run->gate);
    }
    thread_teardown(t);
    return NULL;
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

bool vtb__runner_aborted(struct cell_run *run)
{
    return atomic_load_explicit(&run->abort, memory_order_relaxed) != 0;
}

/*
 * Called by the gate while the runner waits: turns a stop request into the
 * cell's abort, wakes every worker's loop (a worker may sleep until a
 * minute-long backend latency or an open-loop schedule says otherwise) and
 * cuts the completion thread's latencies short.
 */
static void poll_stop(void *ctx)
{
    struct cell_run *run = ctx;
    volatile sig_atomic_t *stop = run->options->stop_requested;
    if (stop == NULL || *stop == 0 || run->expedited)
        return;
    run->expedited = true;
    atomic_store_explicit(&run->abort, 1, memory_order_relaxed);
    for (unsigned i = 0; i < run->started; i++)
        vtb_loop_wake(&run->threads[i].worker.loop);
    vtb_service_expedite(run->svc);
}

static void publish_job(void *ctx)
{
    struct cell_run *run = ctx;
    atomic_store_explicit(&run->at_start, 0, memory_order_relaxed);
}

void vtb__runner_run_job(struct cell_run *run, const struct job *job)
{
    run->job = *job;
    vtb_gate_open(&run->gate, publish_job, run);
    vtb_gate_wait(&run->gate, run->started, poll_stop, run);
}

/*
 * Under an address-space limit (ulimit -v), a thread whose stack fits but
 * whose first allocations do not would crash inside the allocator (jemalloc
 * 5.3 faults when it cannot map a new thread's cache), so a worker is only
 * started while its stack and this much more fit under the limit.
 */
#define ADDRESS_SPACE_HEADROOM (UINT64_C(64) << 20)

static bool address_space_left(uint64_t need)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return true;
    FILE *statm = fopen("/proc/self/statm", "r");
    unsigned long long pages = 0;
    if (statm == NULL)
        return true;
    int got = fscanf(statm, "%llu", &pages);
    fclose(statm);
    if (got != 1)
        return true;
    uint64_t used = (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
    return used + need + ADDRESS_SPACE_HEADROOM <= (uint64_t)limit.rlim_cur;
}

static uint64_t default_stack_bytes(void)
{
    pthread_attr_t attr;
    size_t size = 8u << 20;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_getstacksize(&attr, &size);
        pthread_attr_destroy(&attr);
    }
    return size;
}

int vtb__runner_start_threads(struct cell_run *run, struct vtb_error *err)
{
    unsigned n = run->cell->threads;
    if (vtb_gate_init(&run->gate) != 0)
        return vtb_error_set(err, VTB_ENOMEM, "cannot create the workers' gate");
    run->gate_ready = true;
    run->threads = calloc(n, sizeof(*run->threads));
    if (run->threads == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (unsigned i = 0; i < n; i++) {
        struct worker_thread *t = &run->threads[i];
        t->run = run;
        t->index = i;
        if (!address_space_left(default_stack_bytes()))
            return vtb_error_set(err, VTB_ENOMEM,
                                 "cannot start worker %u of %u: %s (the address-space limit, "
                                 "ulimit -v, leaves no room for its stack)",
                                 i + 1, n, strerror(EAGAIN));
        int rc = pthread_create(&t->tid, NULL, thread_main, t);
        if (rc != 0)
            return vtb_error_set(err, rc == EAGAIN ? VTB_ENOMEM : VTB_EIO,
                                 "cannot start worker %u of %u: %s", i + 1, n, strerror(rc));
        run->started++;
        if (run->plan.pin_threads)
            pin_to_cpu(t->tid, i);
    }
    vtb_gate_wait(&run->gate, run->started, NULL, NULL);
    for (unsigned i = 0; i < n; i++)
        if (run->threads[i].init_rc != 0)
            return vtb_error_set(err, run->threads[i].init_rc,
                                 "worker thread %u failed to initialise: %s", i,
                                 vtb_strerror(run->threads[i].init_rc));
    return 0;
}

static void publish_exit(void *ctx)
{
    struct cell_run *run = ctx;
    run->job.kind = JOB_EXIT;
}

void vtb__runner_stop_threads(struct cell_run *run)
{
    if (run->threads != NULL && run->started > 0) {
        /* Workers still setting up see the exit job as soon as they are
         * done; none is left waiting for a thread that never started. */
        vtb_gate_open(&run->gate, publish_exit, run);
        for (unsigned i = 0; i < run->started; i++)
            pthread_join(run->threads[i].tid, NULL);
    }
    free(run->threads);
    run->threads = NULL;
    run->started = 0;
    if (run->gate_ready) {
        vtb_gate_fini(&run->gate);
        run->gate_ready = false;
    }
}
