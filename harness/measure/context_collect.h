/*
 * Collects the machine and build context of a run (results/context.h) at
 * run start.
 */
#ifndef VTB_CONTEXT_COLLECT_H
#define VTB_CONTEXT_COLLECT_H

#include "context.h"

/*
 * Fills ctx with the context of a run starting now. clock is what
 * vtb_clock_init reported (copied). Reads /proc and /sys; what cannot be read
 * is recorded as "unknown"/"unavailable" (or 0 / -1 for numbers) rather than
 * failing, because a missing governor must not stop a benchmark. The
 * allocator configuration comes from vtb_allocstats_config.
 * Returns 0, or VTB_EINVAL if ctx or clock is NULL.
 */
int vtb_context_collect(struct vtb_context *ctx, const struct vtb_clock_info *clock);

#endif /* VTB_CONTEXT_COLLECT_H */
