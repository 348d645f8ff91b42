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

#include <stdbool.h>
#include <stdint.h>

#include "histogram.h"
#include "keygen.h"
#include "vtb/impl.h"
#include "vtb/rng.h"
#include "vtb/service.h"

/* Miss keys in exact mode live far above any hit key: bit 62 set, the
 * worker's index in bits 40..61, a per-worker counter below. */
#define VTB_DRIVER_MISS_KEY_BASE (UINT64_C(1) << 62)

/* Keys are drawn before the timed region into a buffer of at most this many
 * entries; longer runs reuse the buffer cyclically (exact-mode misses still
 * get fresh keys, so a reused sequence never turns a miss into a hit). */
#define VTB_DRIVER_KEY_BUFFER (UINT64_C(1) << 20)

struct vtb_driver_slot;

/* What a driver measures in one run. */
struct vtb_driver_result {
    uint64_t ops;          /* operations completed */
    uint64_t sync_ops;     /* completed synchronously */
    uint64_t errors;       /* gets or consumptions that returned an error */
    int first_error;       /* the first such error code, 0 if none */
    uint64_t value_mismatches; /* sampled results that were not the backend's value */
    uint64_t start_ticks;
    uint64_t end_ticks;
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
    uint64_t *key_buffer;        /* pre-drawn keys; bit 63 marks a planned miss */
    size_t key_capacity, key_count, key_next;
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

#endif /* VTB_DRIVER_H */
