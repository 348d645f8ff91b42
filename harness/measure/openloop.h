/*
 * The open-loop load driver: operations are issued on a schedule of
 * intended start times, whatever the service is doing, and latency is
 * measured from the intended start (as wrk2 does), so that a stall delays
 * the operations behind it and shows in their latency instead of silently
 * lowering the offered load. That silent lowering is "coordinated omission":
 * a closed loop that waits for each operation before issuing the next one
 * never issues the operations that would have queued behind a stall, so it
 * records one slow operation where a user would have seen hundreds.
 *
 * Each worker follows its own schedule at `rate` operations per second,
 * either evenly spaced or with exponential gaps (Poisson arrivals). At most
 * `concurrency` operations are in flight: when every slot is busy the next
 * operation waits for one, and that wait counts in its corrected latency.
 * Every operation's latency is recorded, twice: corrected (from the intended
 * start, into the driver's all/hit/miss histograms) and uncorrected (from
 * the actual issue, into a histogram of its own). No sampling: the clock is
 * read on every operation anyway to follow the schedule.
 *
 * The driver shares the closed loop's keys, slots and continuation
 * (driver.h); only the issuing policy and the recording differ. The
 * schedule and the correction are separate, pure pieces so that tests can
 * check them on synthetic times without sleeping.
 */
#ifndef VTB_OPENLOOP_H
#define VTB_OPENLOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"
#include "histogram.h"
#include "vtb/rng.h"

/* Intended start times of one worker's operations, in ticks. */
struct vtb_openloop_schedule {
    uint64_t start_ticks;  /* intended start of operation 0 */
    double interval_ticks; /* mean gap between intended starts */
    bool poisson;          /* exponential gaps instead of fixed ones */
    struct vtb_rng rng;    /* Poisson gaps */
    double offset_ticks;   /* Poisson: intended start of the next operation - start */
    uint64_t index;        /* operations handed out so far */
};

/*
 * Starts a schedule at start_ticks with rate_per_s operations per second
 * (> 0) on a clock of ticks_per_s (> 0). Fixed spacing puts operation i at
 * start + i / rate exactly (computed from i, so rounding never accumulates);
 * Poisson puts operation 0 at start and draws each later gap from an
 * exponential distribution of mean 1 / rate with the (seed, stream) random
 * sequence. Returns 0 or VTB_EINVAL.
 */
int vtb_openloop_schedule_init(struct vtb_openloop_schedule *s, uint64_t start_ticks,
                               double ticks_per_s, double rate_per_s, bool poisson,
                               uint64_t seed, uint64_t stream);

/* Returns the intended start of the next operation and advances. */
uint64_t vtb_openloop_schedule_next(struct vtb_openloop_schedule *s);

/* The histograms one open-loop worker records into (all owned by the caller;
 * hit and miss may be NULL). */
struct vtb_openloop_hists {
    struct vtb_hist *corrected;      /* every operation, from its intended start */
    struct vtb_hist *corrected_hit;  /* completed synchronously */
    struct vtb_hist *corrected_miss; /* completed through a continuation */
    struct vtb_hist *uncorrected;    /* every operation, from its actual issue */
};

/*
 * Records one operation: end - intended into the corrected histograms and
 * end - issued into the uncorrected one, converted with ns_per_tick. The
 * driver never issues an operation before its intended time; were that to
 * happen, the corrected latency is taken from the issue, so that it is
 * never below the uncorrected one. On the timed path: inline, no
 * allocation.
 */
static inline void vtb_openloop_record(const struct vtb_openloop_hists *h, uint64_t intended,
                                       uint64_t issued, uint64_t ended, bool hit,
                                       double ns_per_tick)
{
    uint64_t from = intended < issued ? intended : issued;
    int64_t corrected = (int64_t)((double)(ended - from) * ns_per_tick);
    int64_t uncorrected = (int64_t)((double)(ended - issued) * ns_per_tick);
    vtb_hist_record(h->corrected, corrected);
    struct vtb_hist *split = hit ? h->corrected_hit : h->corrected_miss;
    if (split != NULL)
        vtb_hist_record(split, corrected);
    vtb_hist_record(h->uncorrected, uncorrected);
}

struct vtb_openloop_config {
    double rate_per_s;         /* intended operations per second on this worker, > 0 */
    bool poisson;              /* exponential gaps */
    uint64_t seed;             /* Poisson gaps; the worker index is the stream */
    struct vtb_hist *uncorrected; /* required; all/hit/miss are the driver's */
};

/* How well one run kept to its schedule (ticks). */
struct vtb_openloop_result {
    uint64_t first_intended_ticks;
    uint64_t last_intended_ticks; /* of the last operation issued */
    uint64_t last_issued_ticks;   /* when it was really issued */
    uint64_t max_lag_ticks;       /* largest issue - intended of any operation */
    uint64_t slot_waits;          /* times an operation was due with every slot busy */
};

/*
 * True when the run kept up with its schedule: its achieved issue rate
 * (operations / (last issue - first intended)) was at least 99% of the
 * schedule's own rate (operations / (last intended - first intended)). A
 * saturated driver falls behind linearly and fails this; a transient stall
 * that the driver caught up on does not (it shows in max_lag_ticks and in
 * the corrected latencies instead). Comparing with the schedule's own span
 * rather than the nominal rate keeps Poisson's random span from counting
 * as a miss. A run of fewer than two operations is on time.
 */
bool vtb_openloop_rate_reached(const struct vtb_openloop_result *r, uint64_t ops);

/*
 * Runs config->ops_target operations on the open-loop schedule described by
 * open, on the calling (worker) thread, with driver's keys and slots (see
 * vtb_driver_run for the key modes; config->sample_every is ignored since
 * every operation is recorded). config->ops must not be NULL: the floor is
 * a closed-loop measure. Fills driver->result (start_ticks is the intended
 * start of operation 0) and *out. While it runs, the worker's loop spins
 * instead of sleeping for waits up to 200 us and the thread's timer slack is
 * 1 ns, so that kernel wake-up latency does not turn into issue lateness.
 * Returns 0, VTB_EINVAL, VTB_ENOMEM, or
 * the first error when every operation failed.
 */
int vtb_openloop_run(struct vtb_driver *driver, const struct vtb_driver_config *config,
                     const struct vtb_openloop_config *open, struct vtb_openloop_result *out);

#endif /* VTB_OPENLOOP_H */
