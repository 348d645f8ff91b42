/*
 * The event loop's layout, timers and life cycle (private; the public face
 * is vtb/loop.h).
 *
 * A loop is caller-owned and embedded in the worker that runs it, so its
 * fields are laid out here for the library and the harness only: the
 * fields other threads write (the inbox and the wake-up word) are atomics
 * kept on their own cache line. Timers are intrusive nodes embedded in the
 * backend fetches that wait on them, and the timer heap is an array that only
 * grows when more timers are pending than ever before.
 */
#ifndef VTB_LOOP_INTERNAL_H
#define VTB_LOOP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vtb/loop.h"

/* An intrusive one-shot timer: work.fn runs on the loop when due_ns passes. */
struct vtb_timer {
    struct vtb_work work;
    uint64_t due_ns;     /* CLOCK_MONOTONIC deadline */
    uint64_t seq;        /* insertion order: timers due together fire FIFO */
    uint32_t heap_index; /* position in the heap, VTB_TIMER_INACTIVE if none */
};

#define VTB_TIMER_INACTIVE UINT32_MAX

/* Padding keeps the fields other threads write (the inbox and the wake-up
 * word) off the cache line of the fields only the owner touches. */
#define VTB_CACHE_LINE 64

struct vtb_loop {
    /* Owner-only state. */
    struct vtb_work *runq_head;
    struct vtb_work **runq_tail;
    struct vtb_timer **heap;
    uint32_t heap_len;
    uint32_t heap_cap;
    uint64_t timer_seq;
    uint64_t now_ns;  /* cached clock, refreshed each pass */
    uint64_t spin_ns; /* waits shorter than this spin instead of sleeping */
    struct vtb_loop_counters counters;
    char pad0[VTB_CACHE_LINE];
    /* Written by other threads. */
    _Atomic(struct vtb_work *) inbox; /* LIFO stack, reversed when drained */
    _Atomic uint32_t wake_seq;        /* futex word */
    _Atomic uint32_t sleeping;        /* owner is (about to be) in futex_wait */
    _Atomic uint32_t wake_requested;  /* a bare vtb_loop_wake not yet seen */
    char pad1[VTB_CACHE_LINE];
};

/*
 * Initialises a loop with room for timer_capacity pending timers (the heap
 * grows beyond that when needed, outside steady state). Returns 0,
 * VTB_EINVAL or VTB_ENOMEM. The default spin threshold is 20 us.
 */
int vtb_loop_init(struct vtb_loop *loop, uint32_t timer_capacity);

/* Releases the loop's memory. Pending work and timers are dropped. */
void vtb_loop_fini(struct vtb_loop *loop);

/*
 * Arms timer to fire at due_ns (CLOCK_MONOTONIC). Owner thread only; the
 * timer must be inactive. Returns 0, VTB_ESTATE for an active timer, or
 * VTB_ENOMEM if the heap could not grow.
 */
int vtb_loop_timer_start(struct vtb_loop *loop, struct vtb_timer *timer, uint64_t due_ns);

/* Disarms timer if it is pending; returns true when it was. */
bool vtb_loop_timer_stop(struct vtb_loop *loop, struct vtb_timer *timer);

/* Initialises a timer node as inactive with the given callback. */
void vtb_timer_init(struct vtb_timer *timer, vtb_work_fn fn);

/* Makes every pending timer due now: they fire, in the order they were
 * armed, on the next pass. For abandoning a measurement without waiting
 * out its backend latencies. Owner thread only. */
void vtb_loop_expire_timers(struct vtb_loop *loop);

/* Attaches loop (or NULL) to the calling thread. */
void vtb_loop_set_current(struct vtb_loop *loop);

#endif /* VTB_LOOP_INTERNAL_H */
