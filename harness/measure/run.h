/*
 * One run of one scenario file: the run directory, the reporters, the sweep
 * over cells, and the bookkeeping that keeps an interrupted or failed run
 * honest (every completed cell written, the run marked incomplete).
 */
#ifndef VTB_RUN_H
#define VTB_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "context.h"
#include "record.h"
#include "scenario.h"
#include "vtb/error.h"
#include "vtb/impl.h"


/* Progress of a whole run, for the terminal. */
struct vtb_run_progress {
    unsigned cell;        /* 1-based cell being measured */
    unsigned cell_count;
    unsigned runs_done;   /* timed runs done over the whole run */
    unsigned runs_total;
    double elapsed_s;
};

typedef void (*vtb_run_progress_fn)(void *ctx, const struct vtb_run_progress *progress);

struct vtb_run_options {
    const char *results_root;          /* parent of the run directory, e.g. "results" */
    const struct vtb_impl_ops *const *impls; /* NULL = the scenario's impls list */
    size_t impl_count;
    bool quick;                        /* scale ops down 10x, at most 3 repetitions */
    bool force_async;                  /* debug: disable the synchronous fast path */
    const struct vtb_context *context;
    double timer_overhead_ns;
    volatile sig_atomic_t *stop_requested;
    vtb_run_progress_fn on_progress;
    void *progress_ctx;
    const struct vtb_record_sink *sink;   /* where the records go (the caller's reporters) */
    const struct vtb_measure_hooks *hooks; /* NULL = none; set = instruction-count mode */
};

/* What a run produced. */
struct vtb_run_outcome {
    char run_dir[512];
    unsigned cells_done;
    unsigned cell_count;
    bool complete;
    unsigned records_with_errors; /* records whose operations failed or mismatched */
};

/*
 * Runs every cell of scenario and writes the results into a new directory
 * results_root/<UTC timestamp>-<scenario name>/ (never an existing one).
 * Returns 0; VTB_EINTR when stopped (completed cells are written and the
 * run is marked incomplete); another VTB_E... code with a message in err.
 */
int vtb_run_scenario(const struct vtb_scenario *scenario, const struct vtb_run_options *options,
                     struct vtb_run_outcome *outcome, struct vtb_error *err);

/*
 * Creates a fresh directory root/<stamp>-<name>, adding -2, -3, ... when
 * that exists, and stores its path in out. Returns 0 or VTB_EIO.
 */
int vtb_run_make_dir(const char *root, const char *name, char *out, size_t size,
                     struct vtb_error *err);

#endif /* VTB_RUN_H */
