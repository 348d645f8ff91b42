/*
 * Allocation counts kept at the library's own allocation sites.
 *
 * jemalloc can report bytes per thread cheaply, but its allocation counts
 * only move when a thread cache is flushed, and sanitizer builds cannot use
 * jemalloc at all. So every malloc/free the library does on behalf of an
 * operation (heap tasks, pool misses) goes through these wrappers, which
 * count calls and requested bytes in thread-local counters. The harness reads
 * them per thread and sums them; a test cross-checks them against jemalloc.
 * Counting is a thread-local increment: it adds no shared write.
 */
#ifndef VTB_ALLOC_COUNT_H
#define VTB_ALLOC_COUNT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct vtb_alloc_counts {
    uint64_t allocs;          /* successful malloc calls */
    uint64_t frees;           /* free calls on counted memory */
    uint64_t requested_bytes; /* sum of sizes passed to malloc */
    uint64_t freed_bytes;     /* sum of requested sizes of freed blocks */
};

/* The calling thread's counters. Internal: read them with
 * vtb_alloc_counts_get. initial-exec TLS keeps the increment one instruction
 * in the static library the harness links. */
extern __thread struct vtb_alloc_counts vtb__alloc_counts
    __attribute__((tls_model("initial-exec")));

/* Copies the calling thread's counters into *out. */
void vtb_alloc_counts_get(struct vtb_alloc_counts *out);

/* Field-wise dst += src (for summing threads) and dst = a - b (deltas). */
void vtb_alloc_counts_add(struct vtb_alloc_counts *dst, const struct vtb_alloc_counts *src);
void vtb_alloc_counts_sub(struct vtb_alloc_counts *dst, const struct vtb_alloc_counts *a,
                          const struct vtb_alloc_counts *b);

/* malloc that counts; returns NULL on failure (not counted). */
static inline void *vtb__counted_malloc(size_t size)
{
    void *p = malloc(size);
    if (p != NULL) {
        vtb__alloc_counts.allocs++;
        vtb__alloc_counts.requested_bytes += size;
    }
    return p;
}

/* free of a block obtained from vtb__counted_malloc(size). */
static inline void vtb__counted_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    vtb__alloc_counts.frees++;
    vtb__alloc_counts.freed_bytes += size;
    free(p);
}

#endif /* VTB_ALLOC_COUNT_H */
