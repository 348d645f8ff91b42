/*
 * Allocator statistics for the harness: cheap per-thread byte counters read
 * around every timed region, and whole-process snapshots and configuration
 * read outside them.
 *
 * Two implementations share this header and the build links exactly one:
 * allocstats_jemalloc.c (normal builds, which link jemalloc, unprefixed) reads
 * jemalloc's mallctl namespace; allocstats_none.c (sanitizer builds, whose
 * runtime must own malloc) reports that nothing is available. Callers ask
 * vtb_allocstats_available() once and skip the allocator figures when it is
 * false; every int function of the _none build returns VTB_EUNSUPPORTED and
 * zero-fills its out-param, and its thread counters read as 0.
 *
 * jemalloc's counters have two granularities, and the difference matters when
 * reading results. The thread counters (thread.allocated / deallocated) count
 * the usable size of every request as it happens. The arena counters count
 * requests only as nrequests, and only after the thread's cache (tcache) merges
 * its counts, at a flush; nmalloc / ndalloc count the regions the arenas hand
 * to and take back from the tcaches, in batches. So "allocations per call" must
 * come from nrequests (after vtb_allocstats_thread_flush on every thread that
 * allocated, then vtb_allocstats_refresh), never from nmalloc.
 */
#ifndef VTB_ALLOCSTATS_H
#define VTB_ALLOCSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"

/*
 * One thread's cached pointers to its allocator byte counters. Filled by
 * vtb_allocstats_thread_init on the thread that will read it and valid only on
 * that thread, for its lifetime. The pointers are never NULL after init (they
 * point at a constant 0 when counters are unavailable), so reads need no
 * branch. Volatile because GCC assumes malloc touches no visible memory and
 * would otherwise reuse a value loaded before a malloc call.
 */
struct vtb_thread_alloc {
    const volatile uint64_t *allocated_bytes;
    const volatile uint64_t *deallocated_bytes;
};

/* Arena-level counters of one size category (or their total). */
struct vtb_arena_counts {
    uint64_t nmalloc;   /* regions/extents handed out by the arenas (tcache fills count per region) */
    uint64_t ndalloc;   /* regions/extents returned to the arenas */
    uint64_t nrequests; /* allocation requests, tcache hits included once merged */
};

/* Process-wide snapshot, consistent as of the last vtb_allocstats_refresh. */
struct vtb_alloc_global {
    size_t allocated_bytes; /* stats.allocated: bytes in live allocations (usable sizes) */
    size_t active_bytes;    /* stats.active: bytes in active pages */
    size_t resident_bytes;  /* stats.resident: physically resident allocator pages */
    size_t mapped_bytes;    /* stats.mapped: bytes in active extents */
    struct vtb_arena_counts small; /* stats.arenas.<all>.small.* */
    struct vtb_arena_counts large; /* stats.arenas.<all>.large.* */
    struct vtb_arena_counts total; /* small + large */
};


/* True when this build reads jemalloc statistics; false in the _none build. */
bool vtb_allocstats_available(void);

/*
 * Caches this thread's counter pointers in t (one mallctl pair per thread;
 * call on each worker before its first timed region). t must not be NULL.
 * Returns 0; VTB_EUNSUPPORTED in the _none build or if the allocator lacks
 * the counters (t then reads as 0); VTB_EINVAL if t is NULL.
 */
int vtb_allocstats_thread_init(struct vtb_thread_alloc *t);

/* Bytes (usable sizes) this thread has allocated since it started; only
 * differences are meaningful. t must have been initialised on this thread.
 * The empty asm keeps the compiler from moving the read across the code
 * around it, for the same reason the clock read carries a barrier. */
static inline uint64_t vtb_allocstats_thread_allocated(const struct vtb_thread_alloc *t)
{
    __asm__ __volatile__("" : : : "memory");
    return *t->allocated_bytes;
}

/* Bytes this thread has freed since it started; as above. */
static inline uint64_t vtb_allocstats_thread_deallocated(const struct vtb_thread_alloc *t)
{
    __asm__ __volatile__("" : : : "memory");
    return *t->deallocated_bytes;
}

/*
 * Flushes the calling thread's tcache (thread.tcache.flush), which returns
 * its cached regions to the arenas and merges its request counts into the
 * arena statistics. Does nothing, successfully, when tcaches are disabled.
 * Returns 0, VTB_EUNSUPPORTED (_none) or VTB_EIO.
 */
int vtb_allocstats_thread_flush(void);

/*
 * Refreshes jemalloc's statistics snapshot (writes "epoch"); later global
 * reads are consistent as of this moment. Returns 0, VTB_EUNSUPPORTED or
 * VTB_EIO.
 */
int vtb_allocstats_refresh(void);

/*
 * Reads the process-wide snapshot taken by the last vtb_allocstats_refresh.
 * out must not be NULL; it is zero-filled on any error.
 * Returns 0, VTB_EINVAL, VTB_EUNSUPPORTED, or VTB_ENOTFOUND / VTB_EIO if a
 * statistic is missing (jemalloc built without --enable-stats).
 */
int vtb_allocstats_global(struct vtb_alloc_global *out);

/*
 * Reads the allocator's version and options. out must not be NULL; it is
 * zero-filled on any error. Returns 0, VTB_EINVAL, VTB_EUNSUPPORTED, or
 * VTB_ENOTFOUND / VTB_EIO if a required control is missing.
 */
int vtb_allocstats_config(struct vtb_alloc_config *out);

/*
 * Bytes an allocation of request bytes really occupies, i.e. what the thread
 * counters move by for one malloc(request). jemalloc: nallocx(request, 0),
 * its size class (72 -> 80); a request of 0 is treated as 1, as malloc(0)
 * is. _none build: malloc_usable_size of a probe allocation, which is the
 * request itself under AddressSanitizer and the chunk payload under glibc
 * (72 -> 72, 48 -> 56), and allocates, so it must stay out of timed
 * regions. Returns 0 if the request is too large to allocate (the _none
 * build does not try above PTRDIFF_MAX, where sanitizers abort).
 */
size_t vtb_allocstats_usable_size(size_t request);

#endif /* VTB_ALLOCSTATS_H */
