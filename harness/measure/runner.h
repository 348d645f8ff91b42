/*
 * The runner: measures one cell of a sweep against a list of
 * implementations and produces one plain-data record per implementation.
 *
 * Per cell it builds a fresh service, starts the worker threads (they stay
 * for the whole cell and take every run from a gate), preloads the cache in
 * exact mode, then runs a warm-up and the repetitions with the
 * implementations interleaved (floor A B C, floor A B C, ...) so that drift
 * hits all of them alike. Allocation and counter snapshots are taken on
 * every thread that does work, outside the timed region.
 *
 * Stopping: while the workers run, the runner looks at the stop flag every
 * VTB_GATE_POLL_MS. Once it is set, the runner raises the cell's abort flag
 * (which the drivers read between chunks of operations and in every wait),
 * wakes every worker's loop and cuts the backend latencies short
 * (vtb_service_expedite), so that even a run of minute-long misses ends in
 * milliseconds; the cell is then abandoned (VTB_EINTR, no record).
 */
#ifndef VTB_RUNNER_H
#define VTB_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "keys.h"
#include "record.h"
#include "vtb/error.h"
#include "vtb/impl.h"

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

/* Receives the records of a finished cell, one per implementation in
 * implementation order; they and what they point to are valid only during
 * the call. Returns 0 or an error that stops the run. */
typedef int (*vtb_cell_fn)(void *ctx, const struct vtb_record *records, size_t count,
                           struct vtb_error *err);

/* Called after every timed run, for progress display. */
typedef void (*vtb_progress_fn)(void *ctx, unsigned runs_done_in_cell, unsigned runs_in_cell);

/* The most implementations one cell compares. */
#define VTB_RUNNER_MAX_IMPLS 64

struct vtb_runner_options {
    const char *scenario;                  /* name, copied into records */
    const struct vtb_settings *settings;   /* ops or duration, repetitions, warm-up, ... */
    const struct vtb_impl_ops *const *impls;
    size_t impl_count;
    bool force_async;                      /* debug: no synchronous fast path */
    volatile sig_atomic_t *stop_requested; /* may be NULL */
    vtb_cell_fn on_cell;
    vtb_progress_fn on_progress;           /* may be NULL */
    void *ctx;
    const struct vtb_measure_hooks *hooks; /* NULL = none */
};

/* Runs per cell (warm-up excluded): rounds x (implementations + floor),
 * with repetitions = auto counted at its least (VTB_ROUNDS_MIN rounds): an
 * estimate for progress display, not a promise. */
unsigned vtb_runner_runs_per_cell(const struct vtb_settings *settings, size_t impl_count);

/*
 * Measures cell and hands its records to on_cell. Returns 0; VTB_EINTR when
 * *stop_requested was set (no record of this cell is emitted);
 * VTB_EINVAL/VTB_ENOMEM/VTB_EAGAIN-like codes with a message in err for a
 * cell that cannot run (an impossible cache configuration, a worker thread
 * that cannot be started: "cannot start worker 37 of 64: Resource
 * temporarily unavailable"), or the error on_cell returned. Never hangs:
 * threads that were started are always stopped and joined.
 */
int vtb_runner_run_cell(const struct vtb_runner_options *options, const struct vtb_cell *cell,
                        struct vtb_error *err);

#endif /* VTB_RUNNER_H */
