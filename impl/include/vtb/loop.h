/*
 * A small per-thread event loop: a run queue, a timer heap and an inbox that
 * other threads post to.
 *
 * Each worker thread owns one loop (caller-owned, vtb_loop_init/fini). The
 * loop never allocates in steady state: work items and timers are intrusive
 * nodes embedded in the objects that use them (tasks, pooled sources, backend
 * fetches), and the timer heap is an array that only grows when more timers
 * are pending than ever before. Other threads hand work over with
 * vtb_loop_post, a lock-free multi-producer push that wakes the owner only
 * when it is asleep, so a busy loop pays no system call per completion.
 */
#ifndef VTB_LOOP_H
#define VTB_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vtb_work;
typedef void (*vtb_work_fn)(struct vtb_work *work);

/* An intrusive unit of work; embed it and recover the owner in fn. */
struct vtb_work {
    struct vtb_work *next;
    vtb_work_fn fn;
};

/* An intrusive one-shot timer: work.fn runs on the loop when due_ns passes. */
struct vtb_timer {
    struct vtb_work work;
    uint64_t due_ns;     /* CLOCK_MONOTONIC deadline */
    uint64_t seq;        /* insertion order: timers due together fire FIFO */
    uint32_t heap_index; /* position in the heap, VTB_TIMER_INACTIVE if none */
};

#define VTB_TIMER_INACTIVE UINT32_MAX

/* Per-loop counters, owned by the loop's thread. */
struct vtb_loop_counters {
    uint64_t turns;          /* passes that ran at least one item */
    uint64_t works_run;      /* queued and posted work items run */
    uint64_t timers_fired;
    uint64_t posts_received; /* items that came through the inbox */
    uint64_t sleeps;         /* times the loop blocked in the kernel */
};

enum vtb_loop_run_mode {
    VTB_LOOP_NOWAIT = 0, /* one pass over what is ready now */
    VTB_LOOP_ONCE = 1,   /* block until something is ready, then one pass */
};

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

/* Queues work to run on a later pass of this loop. Owner thread only. */
void vtb_loop_queue(struct vtb_loop *loop, struct vtb_work *work);

/* Hands work to the loop from any thread and wakes it if it sleeps.
 * Release/acquire: everything written before the post is visible to fn. */
void vtb_loop_post(struct vtb_loop *loop, struct vtb_work *work);

/* Wakes the loop without giving it work (e.g. to make it notice a stop). */
void vtb_loop_wake(struct vtb_loop *loop);

/*
 * Arms timer to fire at due_ns (CLOCK_MONOTONIC). Owner thread only; the
 * timer must be inactive. Returns 0, or VTB_ENOMEM if the heap could not
 * grow.
 */
int vtb_loop_timer_start(struct vtb_loop *loop, struct vtb_timer *timer, uint64_t due_ns);

/* Disarms timer if it is pending; returns true when it was. */
bool vtb_loop_timer_stop(struct vtb_loop *loop, struct vtb_timer *timer);

/* Initialises a timer node as inactive with the given callback. */
void vtb_timer_init(struct vtb_timer *timer, vtb_work_fn fn);

/*
 * Runs one pass: drains the inbox, fires due timers, then runs the queued
 * items, including those the timers just queued (a posted continuation of a
 * completion runs in the pass of its timer); items queued by those items
 * wait for the next pass, which is what "completes on the next loop turn"
 * means. In
 * VTB_LOOP_ONCE mode, first waits (spinning for short waits, sleeping in the
 * kernel otherwise) until a timer is due or work arrives; it returns without
 * running anything when only woken by vtb_loop_wake. Returns the number of
 * items run.
 */
size_t vtb_loop_run(struct vtb_loop *loop, enum vtb_loop_run_mode mode);

/* Makes every pending timer due now: they fire, in the order they were
 * armed, on the next pass. For abandoning a measurement without waiting
 * out its backend latencies. Owner thread only. */
void vtb_loop_expire_timers(struct vtb_loop *loop);

/* True when timers are pending or work is queued. Owner thread only. */
bool vtb_loop_has_pending(const struct vtb_loop *loop);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vtb_monotonic_ns(void);

/* The loop attached to the calling thread (NULL if none); continuations
 * that must not run inline are queued there. */
struct vtb_loop *vtb_loop_current(void);

/* Attaches loop (or NULL) to the calling thread. */
void vtb_loop_set_current(struct vtb_loop *loop);

#endif /* VTB_LOOP_H */
