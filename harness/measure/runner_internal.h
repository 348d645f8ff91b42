/*
 * The state of one cell's measurement, shared by the runner's three parts:
 * runner.c (the phases of a cell), runner_threads.c (the worker threads
 * and the gate they take jobs from) and runner_record.c (the reduction of
 * a cell's runs into records). Internal to the runner.
 */
#ifndef VTB_RUNNER_INTERNAL_H
#define VTB_RUNNER_INTERNAL_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "allocstats.h"
#include "driver.h"
#include "gate.h"
#include "histogram.h"
#include "openloop.h"
#include "rounds.h"
#include "runner.h"
#include "vtb/alloc_count.h"
#include "vtb/service_internal.h"

/* Histogram range: 1 ns to 100 s at 3 significant digits. */
#define VTB__RUNNER_HIST_LOWEST 1
#define VTB__RUNNER_HIST_HIGHEST INT64_C(100000000000)
#define VTB__RUNNER_HIST_SIGFIGS 3

/* What a cell's settings and axes mean for its runs. */
struct cell_plan {
    bool exact;               /* exact hit-ratio mode (hit_ratio not NaN) */
    uint64_t ops;             /* per thread per repetition; 0 = from duration_ns */
    uint64_t duration_ns;
    struct vtb_rounds_policy rounds; /* how many rounds (rounds.h) */
    uint64_t warmup_ops;      /* per thread, per implementation */
    uint64_t warmup_ns;
    uint64_t seed;
    uint64_t sample_every;
    bool pin_threads;
    double open_rate_per_s;   /* 0 = closed loop */
    bool open_poisson;
};

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
    int rc;                           /* what the driver returned */
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
    int init_rc;
    bool arrived; /* reached the start line of the current job */
    struct vtb_worker worker;
    struct vtb_driver driver;
    bool driver_ready;
    bool hists_ready;
    struct vtb_hist hist_all, hist_hit, hist_miss;
    struct vtb_hist hist_uncorrected; /* open loop: from the actual issue */
    struct vtb_thread_alloc talloc;
    void **impl_states;
    struct thread_delta delta;
    vtb_cpu_mask cpus_seen; /* CPUs this worker was on after its runs */
};

/* Accumulated results of one implementation (or the floor) over the cell. */
struct impl_acc {
    double *samples_ns; /* ns per op, per round (struct cell_rounds.capacity) */
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

/* The rounds of a cell: how many ran, which are disturbed, which are used. */
struct cell_rounds {
    size_t capacity;  /* of these arrays and of every impl_acc's samples */
    unsigned done;
    bool *disturbed;
    bool *used;       /* used[i]: round i counts (not disturbed, or not excluded) */
    unsigned disturbed_count;
    bool excluded;
    size_t reference; /* impl index every ratio is taken to */
    double widest;    /* widest ratio half-width over the used rounds */
};

struct cell_run {
    const struct vtb_runner_options *options;
    const struct vtb_cell *cell;
    struct cell_plan plan;
    struct vtb_service *svc;
    struct worker_thread *threads;
    unsigned started; /* worker threads running */
    struct vtb_gate gate;
    bool gate_ready;
    struct job job;
    /* Workers that reached the start line of the current job (see
     * vtb__runner_start_together); reset before the gate opens. */
    atomic_uint at_start;
    /* Set once a stop was requested: the drivers stop issuing and the cell
     * is abandoned. */
    atomic_int abort;
    bool expedited;
    struct impl_acc *accs; /* impl_count + 1 (floor last) */
    struct cell_rounds rounds;
    unsigned runs_done;     /* measured runs of the cell, for progress */
    struct vtb_error *err;  /* where the rounds' errors go */
    /* Completion thread snapshot state. */
    struct vtb_thread_alloc completion_talloc;
    bool completion_talloc_ready;
    struct vtb_alloc_config alloc_config; /* read once per cell; zero without jemalloc */
};

/* runner_threads.c */
int vtb__runner_start_threads(struct cell_run *run, struct vtb_error *err);
void vtb__runner_stop_threads(struct cell_run *run);
/* Publishes job and waits for every worker to finish it (stop-aware). */
void vtb__runner_run_job(struct cell_run *run, const struct job *job);
/* True once the cell is being abandoned (a stop request was seen). */
bool vtb__runner_aborted(struct cell_run *run);
void vtb__runner_take_snapshot(struct thread_snapshot *s, const struct vtb_thread_alloc *talloc,
                               const struct vtb_worker *worker);
void vtb__runner_delta(struct thread_delta *d, const struct thread_snapshot *before,
                       const struct thread_snapshot *after);
/* The four histograms of a worker or an accumulator (all, hit, miss,
 * uncorrected): all or none are initialised. */
int vtb__runner_init_hists(struct vtb_hist *all, struct vtb_hist *hit, struct vtb_hist *miss,
                           struct vtb_hist *uncorrected);
void vtb__runner_fini_hists(struct vtb_hist *all, struct vtb_hist *hit, struct vtb_hist *miss,
                            struct vtb_hist *uncorrected);

/* runner_record.c */
/* Builds the cell's records from the accumulators and hands them on. */
int vtb__runner_emit(struct cell_run *run, struct vtb_error *err);

#endif /* VTB_RUNNER_INTERNAL_H */
