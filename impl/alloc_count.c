/*
 * Thread-local allocation counters behind vtb/alloc_count.h and
 * vtb/alloc_count_internal.h.
 */
#include "vtb/alloc_count_internal.h"

__thread struct vtb_alloc_counts vtb__alloc_counts __attribute__((tls_model("initial-exec")));

void vtb_alloc_counts_get(struct vtb_alloc_counts *out)
{
    *out = vtb__alloc_counts;
}

void vtb_alloc_counts_add(struct vtb_alloc_counts *dst, const struct vtb_alloc_counts *src)
{
    dst->allocs += src->allocs;
    dst->frees += src->frees;
    dst->requested_bytes += src->requested_bytes;
    dst->freed_bytes += src->freed_bytes;
}

void vtb_alloc_counts_sub(struct vtb_alloc_counts *dst, const struct vtb_alloc_counts *a,
                          const struct vtb_alloc_counts *b)
{
    dst->allocs = a->allocs - b->allocs;
    dst->frees = a->frees - b->frees;
    dst->requested_bytes = a->requested_bytes - b->requested_bytes;
    dst->freed_bytes = a->freed_bytes - b->freed_bytes;
}
