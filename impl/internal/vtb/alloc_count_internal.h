/*
 * The library's counting allocation wrappers (private; the counters' public
 * face is vtb/alloc_count.h).
 *
 * Every malloc/free the library does on behalf of an operation goes through
 * vtb__counted_malloc/vtb__counted_free, which bump the calling thread's
 * counters. They are inline and the counters use initial-exec TLS so that
 * counting stays one instruction per field in the static library the harness
 * links: the task allocation path is measured, and must not pay for a call.
 */
#ifndef VTB_ALLOC_COUNT_INTERNAL_H
#define VTB_ALLOC_COUNT_INTERNAL_H

#include <stddef.h>
#include <stdlib.h>

#include "vtb/alloc_count.h"

/* The calling thread's counters; read them with vtb_alloc_counts_get. */
extern __thread struct vtb_alloc_counts vtb__alloc_counts
    __attribute__((tls_model("initial-exec")));

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

#endif /* VTB_ALLOC_COUNT_INTERNAL_H */
