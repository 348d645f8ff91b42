/*
 * A small per-thread event loop: a run queue, a timer heap and an inbox that
 * other threads post to.
 *
 * Every worker owns one loop (vtb_worker_loop); it is where a pending
 * operation's continuation runs when continuations are posted, and where a
 * backend fetch completes when it completes on the worker's own loop. A user
 * drives it with vtb_loop_run until the continuation it waits for has run.
 * The loop never allocates in steady state: work items are intrusive nodes
 * (struct vtb_work) embedded in the objects that use them. Other threads
 * hand work over with vtb_loop_post, a lock-free multi-producer push that
 * wakes the owner only when it is asleep, so a busy loop pays no system call
 * per completion. A loop also waits for the socket of a real backend
 * (backend = redis) when its worker has one. The loop itself is opaque here;
 * its layout, its timers, its descriptor watchers and its initialisation
 * are the library's.
 */
#ifndef VTB_LOOP_H
#define VTB_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vtb_work;
typedef void (*vtb_work_fn)(struct vtb_work *work);

/* An intrusive unit of work; embed it and recover the owner in fn. */
struct vtb_work {
    struct vtb_work *next; /* the loop's link; free while the item is not queued */
    vtb_work_fn fn;        /* run once, on the loop's thread */
};

/* Per-loop counters, owned by the loop's thread. */
struct vtb_loop_counters {
    uint64_t turns;          /* passes that ran at least one item */
    uint64_t works_run;      /* queued and posted work items run */
    uint64_t timers_fired;
    uint64_t posts_received; /* items that came through the inbox */
    uint64_t sleeps;         /* times the loop blocked in the kernel */
    uint64_t io_events;      /* descriptor readiness events dispatched (a real
                                backend's socket) */
};

enum vtb_loop_run_mode {
    VTB_LOOP_NOWAIT = 0, /* one pass over what is ready now */
    VTB_LOOP_ONCE = 1,   /* block until something is ready, then one pass */
};

/* Opaque: a worker owns its loop (vtb_worker_loop). */
struct vtb_loop;

/* Queues work to run on a later pass of this loop. Owner thread only; work
 * must not be queued or posted already. */
void vtb_loop_queue(struct vtb_loop *loop, struct vtb_work *work);

/* Hands work to the loop from any thread and wakes it if it sleeps.
 * Release/acquire: everything written before the post is visible to fn. */
void vtb_loop_post(struct vtb_loop *loop, struct vtb_work *work);

/* Wakes the loop without giving it work (e.g. to make it notice a stop).
 * Any thread. */
void vtb_loop_wake(struct vtb_loop *loop);

/*
 * Runs one pass on the owner thread: drains the inbox, fires due timers,
 * then runs the queued items, including those the timers just queued (a
 * posted continuation of a completion runs in the pass of its timer); items
 * queued by those items wait for the next pass, which is what "completes on
 * the next loop turn" means. In VTB_LOOP_ONCE mode, first waits (spinning
 * for short waits, sleeping in the kernel otherwise) until a timer is due or
 * work arrives; it returns without running anything when only woken by
 * vtb_loop_wake. Returns the number of items run.
 */
size_t vtb_loop_run(struct vtb_loop *loop, enum vtb_loop_run_mode mode);

/* True when timers are pending or work is queued. Owner thread only. */
bool vtb_loop_has_pending(const struct vtb_loop *loop);

/* Copies the loop's counters into *out. Owner thread only. */
void vtb_loop_counters_get(const struct vtb_loop *loop, struct vtb_loop_counters *out);

/* The loop attached to the calling thread (a worker's, set when the worker
 * was created on it), or NULL. Continuations that must not run inline are
 * queued there. */
struct vtb_loop *vtb_loop_current(void);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vtb_monotonic_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* VTB_LOOP_H */
