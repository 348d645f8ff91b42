/*
 * A test plugin for scripts/aa-check.sh: "delay-task", which is value-task
 * (the value on a hit, a heap task on a miss) plus a busy-wait of
 * VTB_DELAY_NS nanoseconds per hit (paid every 16th hit, see BATCH). It gives the regression gate a
 * slowdown of known size on the hit path, measured by the same binary and
 * under the same implementation name as the run it is compared with: only
 * the environment differs. VTB_DELAY_NS unset or 0 is no delay at all.
 *
 * Two kinds of slowdown. The busy-wait (VTB_DELAY_NS or VTB_DELAY_SPINS)
 * is work of another kind than the hit path: what it costs a hit moves
 * with the machine's state unlike the lookup's own cost (on the dev VM the
 * same count slowed hits by anything from 0% to 45% from one process to
 * the next). VTB_DELAY_LOOKUPS=L instead makes L extra cache lookups per 64
 * hits, spread evenly: more of the hit path's own work, whose share of a
 * hit stays the same whatever the machine does, so its slowdown is the
 * same in every process. That is the one a gate's detection rate should be
 * measured with; the busy-wait shows what a slowdown of a different kind
 * does.
 *
 * The wait is a loop of empty iterations, not a clock: reading a clock
 * costs about as much as the few nanoseconds to be added. Its count is
 * calibrated once, when the plugin is loaded, from the fastest of several
 * timed runs of the loop (the fastest is the one least disturbed by the
 * machine). VTB_DELAY_SPINS gives the count itself instead: runs that must
 * wait exactly alike (scripts/aa-check.sh) should not each calibrate, since
 * one iteration more or less is a tenth of a 2 ns delay. Either way the
 * cost to a hit is measured, not assumed: a few nanoseconds of waiting
 * partly overlap the lookup's own latency. Built as a user builds a plugin (docs/plugins.md): the public
 * headers only, libvtb's functions taken from vtbench.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "vtb/impl.h"
#include "vtb/result.h"
#include "vtb/service.h"

/* Iterations of the loop per hit, on average; 0 for no delay. Set once at
 * load. */
static uint64_t spins;

/* Extra lookups per 64 hits (VTB_DELAY_LOOKUPS, at most 64); 0 for none. */
static uint64_t lookups_per_64;

static inline void spin(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("" ::: "memory");
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Nanoseconds per iteration of the loop: the fastest of 7 runs of 2M. */
static double ns_per_spin(void)
{
    const uint64_t n = 2000000;
    double best = 0;
    for (int trial = 0; trial < 7; trial++) {
        double start = now_ns();
        spin(n);
        double took = (now_ns() - start) / (double)n;
        if (trial == 0 || took < best)
            best = took;
    }
    return best;
}

__attribute__((constructor)) static void read_delay(void)
{
    const char *lookups = getenv("VTB_DELAY_LOOKUPS");
    if (lookups != NULL && lookups[0] != '\0') {
        lookups_per_64 = strtoull(lookups, NULL, 10);
        if (lookups_per_64 > 64)
            lookups_per_64 = 64;
    }
    /* An exact count of iterations, for runs that must all wait alike. */
    const char *text = getenv("VTB_DELAY_SPINS");
    if (text != NULL && text[0] != '\0') {
        spins = strtoull(text, NULL, 10);
        return;
    }
    text = getenv("VTB_DELAY_NS");
    double delay_ns = text != NULL ? strtod(text, NULL) : 0;
    if (!(delay_ns > 0))
        return;
    double per = ns_per_spin();
    spins = per > 0 ? (uint64_t)(delay_ns / per + 0.5) : 0;
    if (spins == 0)
        spins = 1;
}

/* The wait is paid in one piece every BATCH hits (BATCH times the delay):
 * a wait of a few iterations costs a hit anything from nothing to twice
 * its length, by how much of it hides behind the lookup's own latency
 * and how the loop happens to be aligned in this process, while a long one
 * costs its length. On average every hit is as much slower. */
#define BATCH 16

/* Per worker: hits seen (for the busy-wait's batches) and the lookup
 * credit, in 64ths of a lookup. */
struct delay_state {
    uint64_t hits;
    uint64_t lookup_credit;
};

static int delay_task_init(void *state, struct vtb_worker *worker)
{
    (void)worker;
    *(struct delay_state *)state = (struct delay_state){0, 0};
    return 0;
}

static struct vtb_vresult delay_task_get(void *state, struct vtb_worker *worker, uint64_t key)
{
    uint64_t value;
    if (vtb_worker_lookup(worker, key, &value)) {
        struct delay_state *s = state;
        if (spins != 0 && ++s->hits % BATCH == 0)
            spin(spins * BATCH);
        s->lookup_credit += lookups_per_64;
        if (s->lookup_credit >= 64) {
            /* The same lookup again: the extra work is the hit path's own. */
            uint64_t again;
            s->lookup_credit -= 64;
            if (!vtb_worker_lookup(worker, key, &again) || again != value)
                return vtb_vresult_from_error(VTB_EINVAL);
        }
        return vtb_vresult_from_value(value);
    }
    return vtb_service_start_task_miss(worker, key);
}

static const struct vtb_impl_ops delay_task = {
    .version = VTB_IMPL_OPS_VERSION,
    .name = "delay-task",
    .summary = "value-task slowed on hits by VTB_DELAY_NS/_SPINS busy-waiting or VTB_DELAY_LOOKUPS (a test plugin)",
    .state_size = sizeof(struct delay_state),
    .init = delay_task_init,
    .get = delay_task_get,
};

/* The entry point (vtb/impl.h), declared for -Wmissing-prototypes. */
const struct vtb_impl_ops *const *vtb_plugin_impls(void);

const struct vtb_impl_ops *const *vtb_plugin_impls(void)
{
    static const struct vtb_impl_ops *const impls[] = {&delay_task, NULL};
    return impls;
}
