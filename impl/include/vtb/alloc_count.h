/*
 * Allocation counts kept at the library's own allocation sites.
 *
 * jemalloc can report bytes per thread cheaply, but its allocation counts
 * only move when a thread cache is flushed, and sanitizer builds cannot use
 * jemalloc at all. So every malloc/free the library does on behalf of an
 * operation (heap tasks, pool misses) is counted in thread-local counters:
 * calls and requested bytes. A user reads them per thread (before and after
 * a measured stretch, on the thread that ran it) and sums or subtracts them
 * here; a test cross-checks them against jemalloc. Counting is a
 * thread-local increment: it adds no shared write. The counting wrappers
 * themselves are the library's own.
 */
#ifndef VTB_ALLOC_COUNT_H
#define VTB_ALLOC_COUNT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vtb_alloc_counts {
    uint64_t allocs;          /* successful malloc calls */
    uint64_t frees;           /* free calls on counted memory */
    uint64_t requested_bytes; /* sum of sizes passed to malloc */
    uint64_t freed_bytes;     /* sum of requested sizes of freed blocks */
};

/* Copies the calling thread's counters into *out. */
void vtb_alloc_counts_get(struct vtb_alloc_counts *out);

/* Field-wise dst += src (for summing threads). */
void vtb_alloc_counts_add(struct vtb_alloc_counts *dst, const struct vtb_alloc_counts *src);

/* Field-wise dst = a - b (the change between two snapshots). */
void vtb_alloc_counts_sub(struct vtb_alloc_counts *dst, const struct vtb_alloc_counts *a,
                          const struct vtb_alloc_counts *b);

#ifdef __cplusplus
}
#endif

#endif /* VTB_ALLOC_COUNT_H */
