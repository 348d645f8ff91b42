/*
 * The backend's in-flight fetch and latency draws (private; the public face
 * is vtb/backend.h).
 *
 * A fetch is an intrusive request embedded in the pending operation (a
 * pending task or a pooled source), so starting one allocates nothing. It
 * completes either on the requesting worker's own loop (a timer) or on the
 * completion thread, where the continuation either runs inline or is posted
 * back to the worker, as the operation's RUN_ASYNC flag says. The machinery
 * lives in service.c, next to the worker it runs on.
 */
#ifndef VTB_BACKEND_INTERNAL_H
#define VTB_BACKEND_INTERNAL_H

#include <stdint.h>

#include "vtb/backend.h"
#include "vtb/loop_internal.h"
#include "vtb/rng.h"

/* An in-flight fetch, embedded in the operation that waits for it. */
struct vtb_fetch {
    struct vtb_timer timer; /* fires on the completing loop */
    uint64_t key;
    vtb_work_fn fire;       /* called on the completing thread when due */
};

/* Draws one latency in ns from spec with rng. */
uint64_t vtb_latency_draw(const struct vtb_latency *spec, struct vtb_rng *rng);

#endif /* VTB_BACKEND_INTERNAL_H */
