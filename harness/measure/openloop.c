/*
 * The open-loop driver (see openloop.h): a schedule of intended start
 * times, a free list of slots, and the worker's loop to wait on.
 *
 * Waiting: between operations the driver arms one timer on the worker's own
 * loop for the next intended start and runs the loop, so that completions
 * of earlier operations are handled while it waits and a single wait covers
 * both. The loop spins for short waits and sleeps in the kernel for long
 * ones; for the run, its spin threshold is raised to 200 us and the
 * thread's timer slack lowered to 1 ns, because a futex sleep wakes tens of
 * microseconds late on a VM (50 us of default slack alone) and every
 * microsecond of lateness would be charged to the operations as (corrected)
 * latency. Longer waits still sleep, so that a low rate does not burn a
 * core, and wake 100 us early to spin the rest.
 */
#include "openloop.h"

#include <math.h>
#include <string.h>
#include <sys/prctl.h>

#include "clock.h"
#include "vtb/backend.h"
#include "vtb/loop_internal.h"

/* Waits up to this long spin instead of sleeping (see above). */
#define OPEN_SPIN_NS UINT64_C(200000)

/* Operations issued back to back, when behind schedule, before the loop
 * gets a pass: completions keep flowing under overload, as in a server
 * that interleaves new requests with finished I/O, for about 1 ns per
 * operation (a pass reads the clock). */
#define OPEN_BURST 16

/* A run keeps to its schedule when its issue rate is at least this share of
 * the schedule's own rate. */
#define RATE_REACHED_SHARE 0.99

int vtb_openloop_schedule_init(struct vtb_openloop_schedule *s, uint64_t start_ticks,
                               double ticks_per_s, double rate_per_s, bool poisson,
                               uint64_t seed, uint64_t stream)
{
    if (s == NULL || !(ticks_per_s > 0) || !(rate_per_s > 0) || !isfinite(ticks_per_s / rate_per_s))
        return VTB_EINVAL;
    memset(s, 0, sizeof(*s));
    s->start_ticks = start_ticks;
    s->interval_ticks = ticks_per_s / rate_per_s;
    s->poisson = poisson;
    /* A constant distinct from the key streams', so that gaps and keys are
     * independent even with the same seed and worker index. */
    vtb_rng_seed(&s->rng, seed ^ UINT64_C(0xBB67AE8584CAA73B), stream);
    return 0;
}

uint64_t vtb_openloop_schedule_next(struct vtb_openloop_schedule *s)
{
    uint64_t t;
    if (s->poisson) {
        t = s->start_ticks + (uint64_t)s->offset_ticks;
        s->offset_ticks += vtb_rng_exp(&s->rng, s->interval_ticks);
    } else {
        /* From the index, not by adding gaps: no rounding error builds up. */
        t = s->start_ticks + (uint64_t)((double)s->index * s->interval_ticks);
    }
    s->index++;
    return t;
}

bool vtb_openloop_rate_reached(const struct vtb_openloop_result *r, uint64_t ops)
{
    if (ops < 2 || r->last_intended_ticks <= r->first_intended_ticks)
        return true;
    double intended_span = (double)(r->last_intended_ticks - r->first_intended_ticks);
    double issued_span = (double)(r->last_issued_ticks - r->first_intended_ticks);
    return intended_span >= RATE_REACHED_SHARE * issued_span;
}

/* The state of one run, reached from the slots through driver->open_run. */
struct open_run {
    struct vtb_openloop_hists hists;
    struct vtb_driver_slot *free; /* slots not in flight */
    double tick_ns;
};

/* Back on the worker after a continuation: record and free the slot. */
static void open_slot_done(struct vtb_work *work)
{
    struct vtb_driver_slot *slot = (struct vtb_driver_slot *)work;
    struct vtb_driver *d = slot->driver;
    struct open_run *run = d->open_run;
    if (slot->rc != 0)
        vtb__driver_note_error(d, slot->rc);
    else if (slot->value != vtb_backend_value(slot->key))
        d->result.value_mismatches++;
    vtb_openloop_record(&run->hists, slot->intended_ticks, slot->start_ticks, slot->end_ticks,
                        false, run->tick_ns);
    d->result.ops++;
    d->pending--;
    slot->next_free = run->free;
    run->free = slot;
}

/* The wake-up timer only has to end the loop's wait. */
static void wake_fired(struct vtb_work *work)
{
    (void)work;
}

/*
 * Issues one operation intended at `intended` on a free slot. Returns the
 * tick count after it: its end when it completed synchronously, else its
 * issue time.
 */
static uint64_t issue_one(struct vtb_driver *d, struct open_run *run, uint64_t intended,
                          struct vtb_openloop_result *out)
{
    const struct vtb_impl_ops *ops = d->config.ops;
    bool planned_miss;
    uint64_t key = vtb__driver_next_key(d, &planned_miss);
    uint64_t issued = vtb_clock_ticks();
    if (issued - intended > out->max_lag_ticks)
        out->max_lag_ticks = issued - intended;
    out->last_intended_ticks = intended;
    out->last_issued_ticks = issued;
    struct vtb_vresult result = ops->get(d->config.impl_state, d->worker, key);
    if (__builtin_expect(vtb_vresult_is_completed(&result), 1)) {
        uint64_t value;
        int rc = vtb_vresult_get(&result, &value);
        uint64_t ended = vtb_clock_ticks();
        if (rc != 0)
            vtb__driver_note_error(d, rc);
        else if (value != vtb_backend_value(key))
            d->result.value_mismatches++;
        vtb_openloop_record(&run->hists, intended, issued, ended, true, run->tick_ns);
        d->result.ops++;
        d->result.sync_ops++;
        return ended;
    }
    /* Take the slot before registering: the continuation may run inline
     * and give it back at once. */
    struct vtb_driver_slot *slot = run->free;
    run->free = slot->next_free;
    slot->result = result;
    slot->key = key;
    slot->intended_ticks = intended;
    slot->start_ticks = issued;
    d->pending++;
    int rc = vtb_vresult_on_completed(&slot->result, vtb__driver_slot_continuation, slot);
    if (rc != 0) {
        /* Cannot wait for it: count the error and drop the operation. */
        d->pending--;
        vtb__driver_note_error(d, rc);
        vtb_vresult_discard(&slot->result);
        d->result.ops++;
        slot->next_free = run->free;
        run->free = slot;
    }
    return issued;
}

int vtb_openloop_run(struct vtb_driver *driver, const struct vtb_driver_config *config,
                     const struct vtb_openloop_config *open, struct vtb_openloop_result *out)
{
    if (config == NULL || config->ops == NULL || open == NULL || open->uncorrected == NULL ||
        out == NULL || !(open->rate_per_s > 0))
        return VTB_EINVAL;
    int rc = vtb__driver_begin(driver, config);
    if (rc != 0) {
        /* Arrive at the start gate anyway: the other workers wait for all. */
        if (config->start_gate != NULL)
            config->start_gate(config->start_gate_ctx);
        return rc;
    }
    memset(out, 0, sizeof(*out));

    struct open_run run = {
        .hists = {driver->hist_all, driver->hist_hit, driver->hist_miss, open->uncorrected},
        .free = NULL,
        .tick_ns = vtb_clock_ticks_to_ns(1000000000u) / 1e9,
    };
    for (unsigned i = config->concurrency; i-- > 0;) {
        struct vtb_driver_slot *slot = &driver->slots[i];
        slot->done_work.fn = open_slot_done;
        slot->sampled = true; /* every operation's end is stamped */
        slot->next_free = run.free;
        run.free = slot;
    }
    driver->open_run = &run;
    struct vtb_loop *loop = &driver->worker->loop;
    uint64_t saved_spin_ns = loop->spin_ns;
    if (loop->spin_ns < OPEN_SPIN_NS)
        loop->spin_ns = OPEN_SPIN_NS;
    int saved_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct vtb_timer wake;
    vtb_timer_init(&wake, wake_fired);
    uint64_t wake_for = 0; /* the intended start the armed timer is for */
    uint64_t target = config->ops_target;
    uint64_t issued = 0;

    if (config->start_gate != NULL)
        config->start_gate(config->start_gate_ctx);
    if (config->hook_start != NULL)
        config->hook_start(config->hook_ctx);
    uint64_t now = vtb_clock_ticks();
    struct vtb_openloop_schedule schedule;
    vtb_openloop_schedule_init(&schedule, now, 1e9 / run.tick_ns, open->rate_per_s,
                               open->poisson, open->seed, driver->worker->index);
    uint64_t next = vtb_openloop_schedule_next(&schedule);
    driver->result.start_ticks = now;
    out->first_intended_ticks = next;
    for (;;) {
        if (__builtin_expect(vtb__driver_aborted(driver), 0) && !driver->result.aborted) {
            /* Stop issuing, and cut short what is in flight. */
            driver->issued = issued;
            vtb__driver_abort(driver);
            target = issued;
        }
        for (unsigned burst = 0;
             burst < OPEN_BURST && issued < target && next <= now && run.free != NULL; burst++) {
            now = issue_one(driver, &run, next, out);
            issued++;
            next = vtb_openloop_schedule_next(&schedule);
        }
        if (issued == target && driver->pending == 0)
            break;
        if (issued < target && next <= now && run.free != NULL) {
            /* Behind schedule: let completions in, then carry on. */
            vtb_loop_run(loop, VTB_LOOP_NOWAIT);
            now = vtb_clock_ticks();
            continue;
        }
        if (issued < target && run.free != NULL) {
            /* The next operation is not due yet: wake up for it. */
            if (wake.heap_index != VTB_TIMER_INACTIVE && wake_for != next)
                vtb_loop_timer_stop(loop, &wake);
            if (wake.heap_index == VTB_TIMER_INACTIVE) {
                now = vtb_clock_ticks();
                if (next <= now)
                    continue;
                uint64_t wait_ns = (uint64_t)((double)(next - now) * run.tick_ns);
                wake_for = next;
                /* Cannot fail below the heap's initial size; if it could
                 * not grow, spin on the clock instead. */
                if (vtb_loop_timer_start(loop, &wake, vtb_monotonic_ns() + wait_ns) != 0) {
                    vtb_loop_run(loop, VTB_LOOP_NOWAIT);
                    now = vtb_clock_ticks();
                    continue;
                }
            }
        } else if (issued < target && next <= now) {
            /* Due, but every slot is busy: it waits for a completion, and
             * the wait counts in its corrected latency. */
            out->slot_waits++;
        }
        vtb_loop_run(loop, VTB_LOOP_ONCE);
        now = vtb_clock_ticks();
    }
    vtb_loop_timer_stop(loop, &wake);
    driver->result.end_ticks = vtb_clock_ticks();
    if (config->hook_stop != NULL)
        config->hook_stop(config->hook_ctx);
    loop->spin_ns = saved_spin_ns;
    if (saved_slack > 0)
        prctl(PR_SET_TIMERSLACK, (unsigned long)saved_slack, 0, 0, 0);
    driver->open_run = NULL;
    if (driver->result.ops > 0 && driver->result.errors == driver->result.ops)
        return driver->result.first_error;
    return 0;
}
