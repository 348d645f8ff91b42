/*
 * The runner: measures one cell of a sweep against a list of
 * implementations and produces one plain-data record per implementation.
 *
 * Per cell it builds a fresh service, starts the worker threads (they stay
 * for the whole cell and start every run on a barrier), preloads the cache
 * in exact mode, then runs a warm-up and the repetitions with the
 * implementations interleaved (floor A B C, floor A B C, ...) so that drift
 * hits all of them alike. Allocation and counter snapshots are taken on
 * every thread that does work, outside the timed region.
 */
#ifndef VTB_RUNNER_H
#define VTB_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "keygen.h"
#include "record.h"
#include "vtb/backend.h"
#include "vtb/cache.h"
#include "vtb/error.h"
#include "vtb/impl.h"

/* One cell, fully resolved (every axis has one value). */
struct vtb_cell_config {
    unsigned index;
    unsigned threads;
    unsigned concurrency;
    bool exact;          /* exact hit-ratio mode */
    double hit_ratio;    /* exact mode: probability of a hit */
    uint64_t keys;       /* key space (exact mode: the pinned hit set) */
    uint64_t capacity;   /* cache capacity */
    uint64_t ttl_ms;
    struct vtb_key_dist key_dist;
    struct vtb_latency latency;
    char latency_text[VTB_RECORD_TEXT];
    enum vtb_completion_mode completion;
    enum vtb_continuation_mode continuation;
    enum vtb_cache_lock cache_lock;
    uint64_t ops;         /* per thread per repetition; 0 = derive from duration_ns */
    uint64_t duration_ns; /* per repetition, when ops is 0 */
    unsigned repetitions;
    uint64_t warmup_ops;  /* per thread, per implementation */
    uint64_t warmup_ns;   /* alternative to warmup_ops: warm up for this long */
    uint64_t seed;
    uint64_t sample_every;
    bool pin_threads;
    bool force_async;
    /* Load: 0 = closed loop; otherwise the open-loop rate per thread
     * (openloop.h), used for the measured repetitions (warm-up and the
     * floor stay closed-loop: they warm up and measure cost, not latency). */
    double open_rate_per_s;
    bool open_poisson;
    char load_text[VTB_RECORD_TEXT]; /* as written: "closed", "open:100000" */
};

/*
 * Optional measurement hooks around every recorded run of an implementation
 * (not the floor, not warm-up): start and stop run on worker 0 right around
 * its timed region, collect on the runner's thread after the run and adds
 * to the implementation's instruction count. The instruction-count mode
 * (callgrind) is built on them.
 */
struct vtb_measure_hooks {
    void (*start)(void *ctx);
    void (*stop)(void *ctx);
    int (*collect)(void *ctx, double *instructions);
    void *ctx;
};

/* Receives each finished record; the record and what it points to are
 * valid only during the call. Returns 0 or an error that stops the run. */
typedef int (*vtb_record_fn)(void *ctx, const struct vtb_record *record, struct vtb_error *err);

/* Called after every timed run, for progress display. */
typedef void (*vtb_progress_fn)(void *ctx, unsigned runs_done_in_cell, unsigned runs_in_cell);

struct vtb_runner_options {
    const char *scenario;                  /* name, copied into records */
    const struct vtb_impl_ops *const *impls;
    size_t impl_count;
    volatile sig_atomic_t *stop_requested; /* checked between runs; may be NULL */
    vtb_record_fn on_record;
    vtb_progress_fn on_progress;
    void *ctx;
    const struct vtb_measure_hooks *hooks; /* NULL = none */
};

/* Runs per cell (warm-up excluded): repetitions x (implementations + floor). */
unsigned vtb_runner_runs_per_cell(const struct vtb_cell_config *cell, size_t impl_count);

/*
 * Measures cell and hands one record per implementation to on_record, in
 * implementation order. Returns 0; VTB_EINTR when *stop_requested was set
 * (no record of this cell is emitted); VTB_EINVAL/VTB_ENOMEM/... with a
 * message in err for a cell that cannot run (e.g. an impossible cache
 * configuration), or the error on_record returned.
 */
int vtb_runner_run_cell(const struct vtb_runner_options *options,
                        const struct vtb_cell_config *cell, struct vtb_error *err);

#endif /* VTB_RUNNER_H */
