/*
 * Helpers shared by the impl/ library's tests: driving one operation to
 * completion on a worker's loop, a continuation that records where and how
 * often it ran, a gate that holds the completion thread so a test can order
 * itself against it without timing, and allocation snapshots that read the
 * library's own counters (and jemalloc's, in builds that link it) on the
 * worker and on the completion thread.
 *
 * Everything is static inline so that each test stays one source file; none
 * of it uses cmocka, so it is safe on threads other than the test's own.
 */
#ifndef VTB_TEST_SUPPORT_H
#define VTB_TEST_SUPPORT_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "vtb/alloc_count_internal.h"
#include "vtb/impl.h"
#include "vtb/loop_internal.h"
#include "vtb/pool_internal.h"
#include "vtb/result.h"
#include "vtb/service_internal.h"
#include "vtb/task.h"

#if defined(VTB_WITH_JEMALLOC) && VTB_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#define VTBT_JEMALLOC 1
#else
#define VTBT_JEMALLOC 0
#endif

/* A source pool of 8 with this thread's local cache attached, and a loop
 * attached as this thread's current one: the setting of the source and
 * result tests. */
struct vtbt_pool_fixture {
    struct vtb_pool pool;
    struct vtb_pool_local local;
    struct vtb_loop loop;
};

static inline int vtbt_pool_fixture_init(struct vtbt_pool_fixture *fx, bool run_async)
{
    struct vtb_pool_config config = {.max_sources = 8, .run_async = run_async};
    if (vtb_pool_init(&fx->pool, &config) != 0)
        return -1;
    vtb_pool_local_attach(&fx->pool, &fx->local);
    if (vtb_loop_init(&fx->loop, 4) != 0)
        return -1;
    vtb_loop_set_current(&fx->loop);
    return 0;
}

static inline void vtbt_pool_fixture_fini(struct vtbt_pool_fixture *fx)
{
    vtb_loop_fini(&fx->loop);
    vtb_pool_local_detach(&fx->local);
    vtb_pool_fini(&fx->pool);
}

/* The calling thread's library allocation counts, and their change since
 * an earlier snapshot. */
static inline struct vtb_alloc_counts vtbt_counts_now(void)
{
    struct vtb_alloc_counts c;
    vtb_alloc_counts_get(&c);
    return c;
}

static inline struct vtb_alloc_counts vtbt_counts_since(const struct vtb_alloc_counts *before)
{
    struct vtb_alloc_counts now = vtbt_counts_now(), delta;
    vtb_alloc_counts_sub(&delta, &now, before);
    return delta;
}

static inline void vtbt_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* One step of a spin-wait: yields now and then so that a spinning thread
 * cannot starve the one it waits for on a loaded two-core machine. */
static inline void vtbt_spin(unsigned *spins)
{
    if (++*spins % 64 == 0)
        sched_yield();
#if defined(__x86_64__) || defined(__i386__)
    else
        __builtin_ia32_pause();
#endif
}

/*
 * A continuation target. It counts its runs, notes whether it ran on a
 * thread other than the waiter's, and then wakes the waiter's loop, because
 * a continuation that runs inline on the completion thread posts nothing
 * there. It reads everything it needs before publishing the run: once runs
 * moves, the waiter may consume the result and let the waiter go out of
 * scope. The loop itself must outlive any wake (tests keep workers alive
 * until the service, and with it the completion thread, is gone).
 */
struct vtbt_waiter {
    atomic_uint runs;
    atomic_bool ran_elsewhere;
    pthread_t owner;
    struct vtb_loop *loop;
};

static inline void vtbt_waiter_init(struct vtbt_waiter *w, struct vtb_loop *loop)
{
    atomic_init(&w->runs, 0);
    atomic_init(&w->ran_elsewhere, false);
    w->owner = pthread_self();
    w->loop = loop;
}

static inline void vtbt_waiter_fn(void *state)
{
    struct vtbt_waiter *w = state;
    struct vtb_loop *loop = w->loop;
    bool elsewhere = !pthread_equal(pthread_self(), w->owner);
    atomic_store_explicit(&w->ran_elsewhere, elsewhere, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->runs, 1, memory_order_release);
    if (elsewhere && loop != NULL)
        vtb_loop_wake(loop);
}

static inline unsigned vtbt_waiter_runs(struct vtbt_waiter *w)
{
    return atomic_load_explicit(&w->runs, memory_order_acquire);
}

/*
 * Consumes r on the worker's thread. A result that is not complete gets a
 * waiter as its continuation and the worker's loop runs (VTB_LOOP_ONCE)
 * until the waiter ran. Returns what vtb_vresult_get returns, the
 * registration's error, or VTB_ESTATE when the continuation ran more than
 * once.
 */
static inline int vtbt_await(struct vtb_worker *worker, struct vtb_vresult *r, uint64_t *value)
{
    if (!vtb_vresult_is_completed(r)) {
        struct vtbt_waiter w;
        vtbt_waiter_init(&w, &worker->loop);
        int rc = vtb_vresult_on_completed(r, vtbt_waiter_fn, &w);
        if (rc != 0)
            return rc;
        while (vtbt_waiter_runs(&w) == 0)
            vtb_loop_run(&worker->loop, VTB_LOOP_ONCE);
        if (vtbt_waiter_runs(&w) != 1)
            return VTB_ESTATE;
    }
    return vtb_vresult_get(r, value);
}

/*
 * A gate: a work item posted to the completion thread's loop that holds that
 * thread until the gate is opened. Fetches posted after it cannot complete
 * before vtbt_gate_open, which lets a test observe a miss as pending, or
 * register its continuation strictly before completion, without any timing.
 * Services that complete on the worker's own loop need no gate: nothing
 * completes there until the worker runs its loop.
 */
struct vtbt_gate {
    struct vtb_work work;
    atomic_int state; /* 0 closed, 1 open, 2 passed (the holder let go) */
    bool posted;
};

static inline void vtbt_gate_hold(struct vtb_work *work)
{
    struct vtbt_gate *gate = (struct vtbt_gate *)work;
    unsigned spins = 0;
    while (atomic_load_explicit(&gate->state, memory_order_acquire) == 0)
        vtbt_spin(&spins);
    /* The last touch: from here on the gate belongs to the opener. */
    atomic_store_explicit(&gate->state, 2, memory_order_release);
}

static inline void vtbt_gate_close(struct vtb_service *svc, struct vtbt_gate *gate)
{
    gate->work.next = NULL;
    gate->work.fn = vtbt_gate_hold;
    atomic_init(&gate->state, 0);
    gate->posted = svc->has_completion_thread;
    if (gate->posted)
        vtb_loop_post(&svc->completion_worker->loop, &gate->work);
}

/* Opens the gate and waits until the completion thread has let go of it,
 * so that the gate may then go out of scope. */
static inline void vtbt_gate_open(struct vtbt_gate *gate)
{
    atomic_store_explicit(&gate->state, 1, memory_order_release);
    unsigned spins = 0;
    while (gate->posted && atomic_load_explicit(&gate->state, memory_order_acquire) != 2)
        vtbt_spin(&spins);
}

/*
 * What each built-in strategy allocates per call, by name: the object a hit
 * hands back and the object a miss hands back once the pool (if any) is
 * warm, 0 for none. One line per implementation in vtb/impl_list.h.
 */
struct vtbt_expectation {
    const char *name;
    size_t hit_object;  /* bytes of the one allocation a hit makes, or 0 */
    size_t miss_object; /* bytes of the one allocation a miss makes, or 0 */
};

/* The expectation for the implementation called name, or NULL. */
static inline const struct vtbt_expectation *vtbt_expectation_for(const char *name)
{
    static const struct vtbt_expectation table[] = {
        {"alloc-task", sizeof(struct vtb_task), sizeof(struct vtb_task_pending)},
        {"value-task", 0, sizeof(struct vtb_task_pending)},
        {"pooled", 0, 0},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

/* Allocation figures of the threads an operation can touch. */
struct vtbt_alloc {
    struct vtb_alloc_counts lib; /* the library's counters */
    uint64_t je_allocated;       /* jemalloc thread.allocated (0 without it) */
    uint64_t je_deallocated;     /* jemalloc thread.deallocated */
};

/* Reads the calling thread's figures. */
static inline void vtbt_alloc_thread(struct vtbt_alloc *out)
{
    vtb_alloc_counts_get(&out->lib);
    out->je_allocated = 0;
    out->je_deallocated = 0;
#if VTBT_JEMALLOC
    size_t size = sizeof(uint64_t);
    if (mallctl("thread.allocated", &out->je_allocated, &size, NULL, 0) != 0)
        out->je_allocated = UINT64_MAX;
    size = sizeof(uint64_t);
    if (mallctl("thread.deallocated", &out->je_deallocated, &size, NULL, 0) != 0)
        out->je_deallocated = UINT64_MAX;
#endif
}

static inline void vtbt_alloc_thread_cb(void *arg)
{
    vtbt_alloc_thread(arg);
}

static inline void vtbt_alloc_add(struct vtbt_alloc *dst, const struct vtbt_alloc *src)
{
    vtb_alloc_counts_add(&dst->lib, &src->lib);
    dst->je_allocated += src->je_allocated;
    dst->je_deallocated += src->je_deallocated;
}

static inline void vtbt_alloc_sub(struct vtbt_alloc *dst, const struct vtbt_alloc *a,
                                  const struct vtbt_alloc *b)
{
    vtb_alloc_counts_sub(&dst->lib, &a->lib, &b->lib);
    dst->je_allocated = a->je_allocated - b->je_allocated;
    dst->je_deallocated = a->je_deallocated - b->je_deallocated;
}

/*
 * The calling thread's figures plus, when svc has one, the completion
 * thread's (read on that thread, after everything it was already running
 * has finished, so a task it releases last is counted).
 */
static inline void vtbt_alloc_snapshot(struct vtb_service *svc, struct vtbt_alloc *out)
{
    vtbt_alloc_thread(out);
    if (svc != NULL && svc->has_completion_thread) {
        struct vtbt_alloc other;
        vtb_service_call_on_completion_thread(svc, vtbt_alloc_thread_cb, &other);
        vtbt_alloc_add(out, &other);
    }
}

/* The usable size jemalloc charges for a request of size bytes. */
static inline uint64_t vtbt_jemalloc_usable(size_t size)
{
#if VTBT_JEMALLOC
    return nallocx(size, 0);
#else
    return size;
#endif
}

#endif /* VTB_TEST_SUPPORT_H */
