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
 *
 * File descriptors: a loop also waits for readiness of the descriptors a
 * watcher (struct vtb_io) asks for, which is how a real backend's socket
 * completes fetches on the loop. The loop creates its epoll set and an
 * eventfd only when the first watcher starts, so the simulated backend's
 * loops keep their futex sleep and pay nothing for this: while watchers are
 * registered the loop sleeps in epoll instead, and posters wake it through
 * the eventfd (the `sleeping` word says which of the two sleeps it is in).
 */
#ifndef VTB_LOOP_INTERNAL_H
#define VTB_LOOP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "vtb/loop.h"

/* An intrusive one-shot timer: work.fn runs on the loop when due_ns passes. */
struct vtb_timer {
    struct vtb_work work;
    uint64_t due_ns;     /* CLOCK_MONOTONIC deadline */
    uint64_t seq;        /* insertion order: timers due together fire FIFO */
    uint32_t heap_index; /* position in the heap, VTB_TIMER_INACTIVE if none */
};

#define VTB_TIMER_INACTIVE UINT32_MAX

/* Values of the loop's `sleeping` word. */
enum {
    VTB_LOOP_AWAKE = 0,
    VTB_LOOP_SLEEP_FUTEX = 1, /* wake with the futex on wake_seq */
    VTB_LOOP_SLEEP_EPOLL = 2, /* wake by writing wake_fd */
};

/* Readiness a watcher asks for and is told of (bits). */
enum {
    VTB_IO_READ = 1u << 0,
    VTB_IO_WRITE = 1u << 1,
};

struct vtb_io;
/* Called on the loop's thread with the readiness seen (VTB_IO_... bits; an
 * error or hang-up on the descriptor is reported as both, so the handler
 * finds it in its next read or write). */
typedef void (*vtb_io_fn)(struct vtb_io *io, unsigned ready);

/* An intrusive descriptor watcher, owned by the caller. */
struct vtb_io {
    int fd;
    unsigned interest; /* VTB_IO_... bits the loop watches now; 0: not in the set */
    vtb_io_fn fn;
};

/* Readiness events taken from epoll in one wait, dispatched in the pass. */
#define VTB_LOOP_IO_BATCH 16

/* A loop kept busy by queued or posted work, which never waits, still polls
 * its descriptors once per this many passes. */
#define VTB_LOOP_IO_POLL_PASSES 8u

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
    /* Descriptors (see the top of this file); epoll_fd and wake_fd are -1
     * until the first watcher starts. wake_fd is read by posters only after
     * they saw `sleeping` say epoll, which the owner stores after creating
     * it. */
    int epoll_fd;
    int wake_fd;
    unsigned io_watchers;      /* watchers in the epoll set */
    unsigned io_ready_len;     /* events in io_ready not yet dispatched */
    unsigned passes_unpolled;  /* passes since the descriptors were last polled */
    struct epoll_event io_ready[VTB_LOOP_IO_BATCH];
    char pad0[VTB_CACHE_LINE];
    /* Written by other threads. */
    _Atomic(struct vtb_work *) inbox; /* LIFO stack, reversed when drained */
    _Atomic uint32_t wake_seq;        /* futex word */
    _Atomic uint32_t sleeping;        /* owner is (about to be) asleep: VTB_LOOP_SLEEP_... */
    _Atomic uint32_t wake_requested;  /* a bare vtb_loop_wake not yet seen */
    char pad1[VTB_CACHE_LINE];
};

/*
 * Initialises a loop with room for timer_capacity pending timers (the heap
 * grows beyond that when needed, outside steady state). Returns 0,
 * VTB_EINVAL or VTB_ENOMEM. The default spin threshold is 20 us.
 */
int vtb_loop_init(struct vtb_loop *loop, uint32_t timer_capacity);

/* Releases the loop's memory and descriptors. Pending work and timers are
 * dropped; every watcher must have been stopped. */
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

/* Initialises a watcher of fd, inactive, with its callback. */
void vtb_io_init(struct vtb_io *io, int fd, vtb_io_fn fn);

/*
 * Makes the loop watch io's descriptor for interest (VTB_IO_... bits): adds
 * it to the loop's set, changes what is watched (no system call when it is
 * unchanged), or with 0 removes it. Level-triggered: a descriptor that stays
 * ready is reported on every pass until the watcher acts or changes its
 * interest. Owner thread only. Returns 0, VTB_ENOMEM (no epoll set or
 * eventfd could be made) or VTB_EIO (epoll refused the descriptor).
 */
int vtb_loop_io_watch(struct vtb_loop *loop, struct vtb_io *io, unsigned interest);

/* Removes io from the loop's set (if it is there) and drops any of its
 * readiness not yet dispatched in this pass, so its owner may free it from
 * inside a callback. Owner thread only. */
void vtb_loop_io_stop(struct vtb_loop *loop, struct vtb_io *io);

/* Attaches loop (or NULL) to the calling thread. */
void vtb_loop_set_current(struct vtb_loop *loop);

#endif /* VTB_LOOP_INTERNAL_H */
