/*
 * One run of one scenario: every cell measured in order, each cell's
 * records handed to the caller's sink as soon as the cell is done, and the
 * bookkeeping that keeps an interrupted or failed run honest (the sink is
 * always ended, with the run marked incomplete and the reason).
 *
 * The run writes nothing itself: the caller creates the run directory and
 * hands in its reporters as a struct vtb_record_sink (results/record.h).
 */
#ifndef VTB_RUN_H
#define VTB_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "context.h"
#include "record.h"
#include "runner.h"
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
    const char *run_dir;                     /* where the sink writes (for the run info) */
    const struct vtb_impl_ops *const *impls; /* the implementations, in order */
    size_t impl_count;
    bool force_async;                        /* debug: disable the synchronous fast path */
    const struct vtb_context *context;
    double timer_overhead_ns;
    volatile sig_atomic_t *stop_requested;   /* may be NULL */
    /* Who asked the run to stop ("SIGTERM from process 812 (timeout)"),
     * added to the reason an interrupted run records; may be NULL. A run
     * stopped by something the user did not send should say what sent it. */
    const char *(*stop_cause)(void);
    vtb_run_progress_fn on_progress;         /* may be NULL */
    void *progress_ctx;
    const struct vtb_record_sink *sink;      /* where the records go */
    const struct vtb_measure_hooks *hooks;   /* NULL = none; set = instruction-count mode */
};

/* What a run produced. */
struct vtb_run_outcome {
    unsigned cells_done;
    unsigned cell_count;
    bool complete;                /* every cell measured */
    unsigned records_with_errors; /* records whose operations failed or mismatched */
};

/*
 * Runs every cell of scenario and hands the records to options->sink.
 * Returns 0; VTB_EINTR when stopped (the cell in progress is abandoned, the
 * completed cells went to the sink, which was ended with the run marked
 * incomplete); another VTB_E... code with a message in err (a cell that
 * could not run, a worker that could not start, the sink's own error).
 */
int vtb_run_scenario(const struct vtb_scenario *scenario, const struct vtb_run_options *options,
                     struct vtb_run_outcome *outcome, struct vtb_error *err);

#endif /* VTB_RUN_H */
