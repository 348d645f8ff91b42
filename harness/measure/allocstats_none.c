/*
 * Allocator statistics for builds without jemalloc (the ASan/UBSan and TSan
 * builds, whose runtimes replace malloc themselves). Nothing jemalloc-specific
 * can be read, so every query says so with VTB_EUNSUPPORTED and zero-filled
 * results, and the thread counters read as a constant 0; only the usable size
 * of an allocation can still be answered, from a probe allocation.
 */
#include "allocstats.h"

#include "vtb/error.h"

#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What the thread counters read in this build. */
static const uint64_t zero_counter = 0;

bool vtb_allocstats_available(void)
{
    return false;
}

int vtb_allocstats_thread_init(struct vtb_thread_alloc *t)
{
    if (t == NULL)
        return VTB_EINVAL;
    t->allocated_bytes = &zero_counter;
    t->deallocated_bytes = &zero_counter;
    return VTB_EUNSUPPORTED;
}

int vtb_allocstats_thread_flush(void)
{
    return VTB_EUNSUPPORTED;
}

int vtb_allocstats_refresh(void)
{
    return VTB_EUNSUPPORTED;
}

int vtb_allocstats_global(struct vtb_alloc_global *out)
{
    if (out == NULL)
        return VTB_EINVAL;
    memset(out, 0, sizeof(*out));
    return VTB_EUNSUPPORTED;
}

int vtb_allocstats_config(struct vtb_alloc_config *out)
{
    if (out == NULL)
        return VTB_EINVAL;
    memset(out, 0, sizeof(*out));
    return VTB_EUNSUPPORTED;
}

size_t vtb_allocstats_usable_size(size_t request)
{
    /* Asking the allocator in charge is the only answer that is right for
     * glibc, ASan and TSan alike; this runs outside timed regions. */
    if (request > PTRDIFF_MAX)
        return 0; /* sanitizer allocators abort rather than fail here */
    void *probe = malloc(request);
    if (probe == NULL)
        return 0;
    size_t usable = malloc_usable_size(probe);
    free(probe);
    return usable;
}
