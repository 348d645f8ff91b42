/*
 * The closed-loop load driver that runs on each worker thread.
 *
 * A driver keeps `concurrency` operations in flight on its worker: each slot
 * issues a get, consumes the result at once when it completed synchronously,
 * or registers a continuation and lets the worker's loop run until it fires.
 * It is the only code on the timed path besides the implementation itself,
 * so it allocates nothing, formats nothing and reads the clock only for the
 * operations whose latency it samples.
 *
 * Keys: in exact mode each operation is a hit with probability hit_ratio
 * (a key drawn from the preloaded, pinned hit set) or a miss (a fresh key
 * that was never cached); in emergent mode keys come from the distribution
 * and hits are whatever the cache holds.
 */
#ifndef VTB_DRIVER_H
#define VTB_DRIVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "histogram.h"
#include "keygen.h"
#include "vtb/impl.h"
#include "vtb/loop.h"
#include "vtb/result.h"
#include "vtb/rng.h"
#include "vtb/service_internal.h"

/* Miss keys in exact mode live far above any hit key: bit 62 set, the
 * worker's index in bits 40..61, a per-worker counter below. */
#define VTB_DRIVER_MISS_KEY_BASE (UINT64_C(1) << 62)

/* A timed loop looks at its stop flag once per this many operations (a
 * power of two): between two looks it runs without any extra instruction
 * per operation, and a look every 4096 hits of tens of nanoseconds is a
 * look every few hundred microseconds. An operation that waits for a miss
 * is a look of its own. */
#ifndef VTB_DRIVER_POLL_OPS /* overridden only to measure its cost: scripts/bench-poll-cost.sh */
#define VTB_DRIVER_POLL_OPS 4096u
#endif

/* Keys are drawn before the timed region into a buffer of at most this many
 * entries; longer runs reuse the buffer cyclically (exact-mode misses still
 * get fresh keys, so a reused sequence never turns a miss into a hit). */
#define VTB_DRIVER_KEY_BUFFER (UINT64_C(1) << 20)

/*
 * One operation in flight. Internal to the drivers (driver.c, openloop.c):
 * it is in the header only so that the open-loop driver can share the slot,
 * continuation and key code instead of repeating it.
 */
struct vtb_driver_slot {
    struct vtb_work done_work; /* on the worker: finishes the operation; fn is the mode's */
    struct vtb_driver *driver;
    struct vtb_driver_slot *next_free; /* open loop: free-slot list */
    struct vtb_vresult result;
    uint64_t key;
    uint64_t value;
    uint64_t intended_ticks; /* open loop: when the schedule wanted it issued */
    uint64_t start_ticks;
    uint64_t end_ticks;
    int rc;
    bool sampled;
    bool hit;                /* open loop: completed synchronously */
};

/* What a driver measures in one run. */
struct vtb_driver_result {
    uint64_t ops;          /* operations completed */
    uint64_t sync_ops;     /* completed synchronously */
    uint64_t errors;       /* gets or consumptions that returned an error */
    int first_error;       /* the first such error code, 0 if none */
    uint64_t value_mismatches; /* sampled results that were not the backend's value */
    uint64_t start_ticks;
    uint64_t end_ticks;
    bool aborted;          /* the stop flag ended the run early */
};

struct vtb_driver_config {
    const struct vtb_impl_ops *ops; /* NULL = the floor: direct lookups, hits only */
    void *impl_state;
    uint64_t ops_target;            /* operations to complete in this run */
    unsigned concurrency;           /* >= 1 */
    bool exact;                     /* exact hit-ratio mode */
    double hit_ratio;               /* exact mode only */
    uint64_t sample_every;          /* record latency of every k-th hit; 0 = off */
    bool record;                    /* false during warm-up */
    /* Optional, called right before and right after the timed region (the
     * instruction-count mode toggles callgrind's collection here). */
    void (*hook_start)(void *ctx);
    void (*hook_stop)(void *ctx);
    void *hook_ctx;
    /* Optional, called once everything before the timed region is done
     * (keys drawn), before hook_start: the runner holds every worker there
     * until all are ready, so that their timed regions start together. */
    void (*start_gate)(void *ctx);
    void *start_gate_ctx;
    /* Optional: once it is non-zero the run stops issuing, cuts short the
     * backend latencies it waits for (vtb_worker_expedite) and returns as
     * soon as its operations in flight are done; the result is then marked
     * aborted and is not a measurement. Set by another thread, which also
     * wakes the worker's loop. */
    const atomic_int *abort;
};

struct vtb_driver {
    struct vtb_worker *worker;
    struct vtb_keygen keys;
    struct vtb_rng rng;          /* hit/miss draws in exact mode */
    uint64_t miss_key_next;      /* next fresh miss key (exact mode) */
    uint64_t hit_threshold;      /* hit when rng < threshold (exact mode) */
    struct vtb_hist *hist_all, *hist_hit, *hist_miss; /* owned by the caller */
    struct vtb_driver_config config;
    struct vtb_driver_result result;
    uint64_t issued;
    uint64_t sample_countdown;
    unsigned pending;            /* slots waiting for a continuation */
    struct vtb_driver_slot *slots;
    unsigned slot_capacity;
    double tick_ns;              /* ns per clock tick, read once per run */
    uint64_t *key_buffer;        /* pre-drawn keys; bit 63 marks a planned miss */
    size_t key_capacity, key_count, key_next;
    void *open_run;              /* open loop: the run in progress (openloop.c) */
};

/*
 * Initialises a driver for worker (on the worker's thread). keys is copied.
 * Histograms are the caller's and must outlive the driver. max_concurrency
 * sizes the slot array (allocated here, outside any timed region). Returns
 * 0, VTB_EINVAL or VTB_ENOMEM.
 */
int vtb_driver_init(struct vtb_driver *driver, struct vtb_worker *worker,
                    const struct vtb_keygen *keys, uint64_t seed, unsigned max_concurrency,
                    struct vtb_hist *hist_all, struct vtb_hist *hist_hit,
                    struct vtb_hist *hist_miss);

void vtb_driver_fini(struct vtb_driver *driver);

/*
 * Runs config->ops_target operations to completion on the calling (worker)
 * thread and fills driver->result. Returns 0, or the first error when every
 * slot failed to issue (the run cannot make progress); operations that fail
 * individually are counted in result.errors and do not stop the run.
 */
int vtb_driver_run(struct vtb_driver *driver, const struct vtb_driver_config *config);

/*
 * Internal, shared with the open-loop driver (openloop.c).
 *
 * vtb__driver_begin does everything a run does before its timed region:
 * checks and copies config, resets the result and counters, resolves the
 * hit threshold, wires every slot to the driver with the closed loop's
 * finishing step, and pre-draws the keys. Returns 0, VTB_EINVAL or
 * VTB_ENOMEM.
 */
int vtb__driver_begin(struct vtb_driver *driver, const struct vtb_driver_config *config);

/* The continuation every driver registers on a pending result: consumes it
 * at once (where it completed, as an inline continuation would), stamps the
 * end time when slot->sampled, and runs slot->done_work.fn on the worker,
 * directly when already there, else by posting it. */
void vtb__driver_slot_continuation(void *state);

/* Counts a failed get or consumption, keeping the first error code. */
void vtb__driver_note_error(struct vtb_driver *driver, int rc);

/* True once the run's stop flag is set. */
static inline bool vtb__driver_aborted(const struct vtb_driver *d)
{
    return d->config.abort != NULL &&
           atomic_load_explicit(d->config.abort, memory_order_relaxed) != 0;
}

/* Stops the run where it is: no further operation is issued, and the
 * pending ones have their backend latency cut short. */
void vtb__driver_abort(struct vtb_driver *d);

#define VTB__DRIVER_PLANNED_MISS (UINT64_C(1) << 63)

/* The next pre-drawn key; *planned_miss is true for an exact-mode miss,
 * which gets a fresh key that was never cached. On the timed path. */
static inline uint64_t vtb__driver_next_key(struct vtb_driver *d, bool *planned_miss)
{
    uint64_t key = d->key_buffer[d->key_next];
    if (__builtin_expect(++d->key_next == d->key_count, 0))
        d->key_next = 0;
    *planned_miss = (key & VTB__DRIVER_PLANNED_MISS) != 0;
    if (__builtin_expect(*planned_miss, 0))
        return VTB_DRIVER_MISS_KEY_BASE | ((uint64_t)d->worker->index << 40) | d->miss_key_next++;
    return key;
}

#endif /* VTB_DRIVER_H */
