/*
 * The closed-loop driver (see driver.h).
 *
 * Latency sampling: reading the clock twice costs about as much as a cache
 * hit on this kind of machine, so recording every hit would double the cost
 * being measured. Hits are therefore sampled every k-th operation and
 * recorded with weight k in the combined histogram; misses (planned ones in
 * exact mode) cost microseconds and are all recorded. In emergent mode the
 * driver cannot know in advance whether an operation will miss, so every
 * k-th operation is sampled whatever its outcome, with weight k.
 * "Hit" and "miss" in the histograms mean completed synchronously or not.
 */
#include "driver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "vtb/backend.h"
#include "vtb/loop.h"

int vtb_driver_init(struct vtb_driver *driver, struct vtb_worker *worker,
                    const struct vtb_keygen *keys, uint64_t seed, unsigned max_concurrency,
                    struct vtb_hist *hist_all, struct vtb_hist *hist_hit,
                    struct vtb_hist *hist_miss)
{
    if (max_concurrency == 0)
        return VTB_EINVAL;
    memset(driver, 0, sizeof(*driver));
    driver->slots = calloc(max_concurrency, sizeof(*driver->slots));
    if (driver->slots == NULL)
        return VTB_ENOMEM;
    driver->slot_capacity = max_concurrency;
    driver->worker = worker;
    driver->keys = *keys;
    vtb_rng_seed(&driver->rng, seed ^ UINT64_C(0x6A09E667F3BCC909), worker->index);
    driver->miss_key_next = 0;
    driver->hist_all = hist_all;
    driver->hist_hit = hist_hit;
    driver->hist_miss = hist_miss;
    return 0;
}

void vtb_driver_fini(struct vtb_driver *driver)
{
    free(driver->slots);
    driver->slots = NULL;
    free(driver->key_buffer);
    driver->key_buffer = NULL;
}

/* Draws one key for the buffer (outside the timed region). The floor is
 * measured on hits only, so it never draws a planned miss. */
static uint64_t draw_key(struct vtb_driver *d)
{
    if (!d->config.exact || d->config.ops == NULL || d->hit_threshold == UINT64_MAX)
        return vtb_keygen_next(&d->keys);
    if (vtb_rng_next(&d->rng) < d->hit_threshold)
        return vtb_keygen_next(&d->keys);
    return VTB__DRIVER_PLANNED_MISS;
}

/* Fills the key buffer for a run of ops_target operations. Key generation
 * (a zipf draw costs tens of ns) stays out of the timed region. */
static int fill_keys(struct vtb_driver *d, uint64_t ops_target)
{
    size_t need = ops_target < VTB_DRIVER_KEY_BUFFER ? (size_t)ops_target : VTB_DRIVER_KEY_BUFFER;
    if (need == 0)
        need = 1;
    if (need > d->key_capacity) {
        uint64_t *grown = realloc(d->key_buffer, need * sizeof(*grown));
        if (grown == NULL)
            return VTB_ENOMEM;
        d->key_buffer = grown;
        d->key_capacity = need;
    }
    for (size_t i = 0; i < need; i++)
        d->key_buffer[i] = draw_key(d);
    d->key_count = need;
    d->key_next = 0;
    return 0;
}

static inline void record_latency(struct vtb_driver *d, uint64_t start, uint64_t end, bool hit,
                                  int64_t weight, double tick_ns)
{
    int64_t ns = (int64_t)((double)(end - start) * tick_ns);
    vtb_hist_record_n(d->hist_all, ns, weight);
    vtb_hist_record(hit ? d->hist_hit : d->hist_miss, ns);
}

void vtb__driver_note_error(struct vtb_driver *d, int rc)
{
    d->result.errors++;
    if (d->result.first_error == 0)
        d->result.first_error = rc;
}

static void issue_from(struct vtb_driver *d, struct vtb_driver_slot *slot);

void vtb__driver_abort(struct vtb_driver *d)
{
    if (d->result.aborted)
        return;
    d->result.aborted = true;
    d->config.ops_target = d->issued;
    vtb_worker_expedite(d->worker);
}

/* Back on the worker: record, then keep the slot busy. */
static void slot_finish(struct vtb_driver *d, struct vtb_driver_slot *slot)
{
    if (slot->rc != 0)
        vtb__driver_note_error(d, slot->rc);
    else if (slot->sampled && slot->value != vtb_backend_value(slot->key))
        d->result.value_mismatches++;
    if (slot->sampled) {
        int64_t weight = d->config.exact ? 1 : (int64_t)d->config.sample_every;
        record_latency(d, slot->start_ticks, slot->end_ticks, false, weight, d->tick_ns);
    }
    d->result.ops++;
    d->pending--;
    issue_from(d, slot);
}

static void slot_done_work(struct vtb_work *work)
{
    struct vtb_driver_slot *slot = (struct vtb_driver_slot *)work;
    slot_finish(slot->driver, slot);
}

/* The continuation: consume at once (possibly on the completion thread, as
 * an inline continuation would), and hand the slot back to its worker. The
 * finishing step is the mode's (closed: record and reissue; open: record and
 * free the slot), called through done_work.fn: one indirect call on the
 * miss path, which costs microseconds anyway, keeps a single continuation. */
void vtb__driver_slot_continuation(void *state)
{
    struct vtb_driver_slot *slot = state;
    struct vtb_driver *d = slot->driver;
    slot->rc = vtb_vresult_get(&slot->result, &slot->value);
    if (slot->sampled)
        slot->end_ticks = vtb_clock_ticks();
    if (vtb_loop_current() == &d->worker->loop)
        slot->done_work.fn(&slot->done_work);
    else
        vtb_loop_post(&d->worker->loop, &slot->done_work);
}

/*
 * Issues operations on slot until one has to wait or the target is reached.
 * The floor (floor == true) takes exactly the same path, key draw, sampling
 * and bookkeeping included, but calls the service's lookup directly instead
 * of an implementation's get and has no result to consume: the difference
 * between the two is the cost of the strategy's call and result wrapper.
 * The hot counters live in locals and are written back before anything that
 * can run other code (a continuation registration) and at the end, so the
 * indirect call does not force them through memory on every operation.
 */
static inline __attribute__((always_inline)) void
issue_loop(struct vtb_driver *d, struct vtb_driver_slot *slot, const bool floor)
{
    const struct vtb_impl_ops *ops = d->config.ops;
    void *state = d->config.impl_state;
    struct vtb_worker *worker = d->worker;
    const bool record = d->config.record;
    const uint64_t sample_every = d->config.sample_every;
    const uint64_t target = d->config.ops_target;
    uint64_t issued = d->issued;
    uint64_t countdown = d->sample_countdown;
    uint64_t done_ops = 0, sync_ops = 0;
    while (issued < target) {
        /* The stop flag is read between chunks of VTB_DRIVER_POLL_OPS
         * operations, so the inner loop is the same code as without it. */
        const uint64_t chunk_end =
            target - issued > VTB_DRIVER_POLL_OPS ? issued + VTB_DRIVER_POLL_OPS : target;
        if (__builtin_expect(vtb__driver_aborted(d), 0)) {
            d->issued = issued;
            vtb__driver_abort(d);
            break;
        }
        while (issued < chunk_end) {
            issued++;
            bool planned_miss;
            uint64_t key = vtb__driver_next_key(d, &planned_miss);
            bool sampled = false;
            uint64_t start = 0;
            if (record && (planned_miss || (sample_every != 0 && --countdown == 0))) {
                if (!planned_miss)
                    countdown = sample_every;
                sampled = true;
                start = vtb_clock_ticks();
            }
            uint64_t value;
            int rc;
            if (floor) {
                /* A floor miss (emergent mode) is looked up but not fetched. */
                if (!vtb_service_lookup(worker, key, &value))
                    value = vtb_backend_value(key);
                rc = 0;
            } else {
                /* The result stays in registers unless it has to wait. */
                struct vtb_vresult result = ops->get(state, worker, key);
                if (__builtin_expect(!vtb_vresult_is_completed(&result), 0)) {
                    slot->result = result;
                    slot->key = key;
                    slot->sampled = sampled;
                    slot->start_ticks = start;
                    d->pending++;
                    d->issued = issued;
                    d->sample_countdown = countdown;
                    d->result.ops += done_ops;
                    d->result.sync_ops += sync_ops;
                    rc = vtb_vresult_on_completed(&slot->result, vtb__driver_slot_continuation,
                                                  slot);
                    if (rc == 0)
                        return;
                    /* Cannot wait for it: count the error, drop the operation. */
                    d->pending--;
                    vtb__driver_note_error(d, rc);
                    vtb_vresult_discard(&slot->result);
                    issued = d->issued;
                    countdown = d->sample_countdown;
                    done_ops = 1;
                    sync_ops = 0;
                    continue;
                }
                rc = vtb_vresult_get(&result, &value);
            }
            if (sampled) {
                uint64_t end = vtb_clock_ticks();
                if (rc == 0 && value != vtb_backend_value(key))
                    d->result.value_mismatches++;
                int64_t weight = (d->config.exact && planned_miss) ? 1 : (int64_t)sample_every;
                record_latency(d, start, end, true, weight, d->tick_ns);
            }
            if (__builtin_expect(rc != 0, 0))
                vtb__driver_note_error(d, rc);
            done_ops++;
            sync_ops++;
        }
    }
    d->issued = issued;
    d->sample_countdown = countdown;
    d->result.ops += done_ops;
    d->result.sync_ops += sync_ops;
}

/*
 * The two instances of the loop are kept out of line and start on a cache
 * line, so that both are placed alike whatever code surrounds them. Inlined
 * into vtb_driver_run, the floor's loop moved whenever that function or its
 * neighbours changed, and its cost moved with it by up to 1.5 ns (11.1 to
 * 12.9 ns between builds of identical loop code), which is more than the
 * difference the floor exists to show.
 */
static __attribute__((noinline, aligned(64))) void issue_from(struct vtb_driver *d,
                                                              struct vtb_driver_slot *slot)
{
    issue_loop(d, slot, false);
}

static __attribute__((noinline, aligned(64))) void issue_floor(struct vtb_driver *d,
                                                               struct vtb_driver_slot *slot)
{
    issue_loop(d, slot, true);
}

int vtb__driver_begin(struct vtb_driver *driver, const struct vtb_driver_config *config)
{
    if (config->concurrency == 0 || config->concurrency > driver->slot_capacity)
        return VTB_EINVAL;
    driver->config = *config;
    memset(&driver->result, 0, sizeof(driver->result));
    driver->issued = 0;
    driver->pending = 0;
    driver->sample_countdown = config->sample_every;
    driver->tick_ns = vtb_clock_ticks_to_ns(1000000000u) / 1e9;
    if (!config->exact || config->hit_ratio >= 1.0)
        driver->hit_threshold = UINT64_MAX;
    else if (config->hit_ratio <= 0.0)
        driver->hit_threshold = 0;
    else
        driver->hit_threshold = (uint64_t)ldexp(config->hit_ratio, 64);
    for (unsigned i = 0; i < config->concurrency; i++) {
        driver->slots[i].driver = driver;
        driver->slots[i].done_work.fn = slot_done_work;
    }
    return fill_keys(driver, config->ops_target);
}

int vtb_driver_run(struct vtb_driver *driver, const struct vtb_driver_config *config)
{
    int rc = vtb__driver_begin(driver, config);
    /* The gate holds every worker until all arrive: arrive even when the
     * run cannot start, or the others would wait for this one forever. */
    if (config->start_gate != NULL)
        config->start_gate(config->start_gate_ctx);
    if (rc != 0)
        return rc;
    if (config->hook_start != NULL)
        config->hook_start(config->hook_ctx);
    driver->result.start_ticks = vtb_clock_ticks();
    if (config->ops == NULL) {
        issue_floor(driver, &driver->slots[0]);
    } else {
        for (unsigned i = 0; i < config->concurrency; i++)
            issue_from(driver, &driver->slots[i]);
        while (driver->pending > 0) {
            /* A miss may wait for a backend latency of up to a minute; a
             * stop wakes the loop, and is acted on here. */
            if (vtb__driver_aborted(driver))
                vtb__driver_abort(driver);
            vtb_loop_run(&driver->worker->loop, VTB_LOOP_ONCE);
        }
    }
    driver->result.end_ticks = vtb_clock_ticks();
    if (config->hook_stop != NULL)
        config->hook_stop(config->hook_ctx);
    if (driver->result.ops > 0 && driver->result.errors == driver->result.ops)
        return driver->result.first_error;
    return 0;
}
