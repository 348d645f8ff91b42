/*
 * The completion core shared by heap tasks and pooled sources.
 *
 * Both strategies need the same thing: a result (value or error) written once,
 * one continuation slot, and a way to publish "completed" to another thread.
 * The core does exactly that, modelled on .NET's
 * ManualResetValueTaskSourceCore<T>: the continuation slot is one atomic word
 * whose states are EMPTY, CLAIMING (a registration is writing the callback),
 * REGISTERED, COMPLETED and COMPLETED_WITH_CONTINUATION. Completion is only
 * ever reported through that word, so an operation is never seen complete
 * before its continuation slot is resolved, and the release/acquire pair on
 * the word publishes the result across threads. A continuation registered
 * after completion is queued to the registering thread's loop, never lost
 * and not run re-entrantly inside the registration call; only a thread with
 * no loop, where nothing could ever run it, runs it inline.
 *
 * Private to the library: tasks and sources embed it, and the value
 * result's out-of-line paths reach it through them.
 */
#ifndef VTB_CORE_H
#define VTB_CORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vtb/loop.h"
#include "vtb/result.h" /* vtb_continuation_fn, enum vtb_status */

/* Core flags (survive vtb__core_reset). */
enum {
    /* Continuations never run inline in the completing call: they are queued
     * to the loop of the thread that registered them (.NET's
     * RunContinuationsAsynchronously). */
    VTB_CORE_RUN_ASYNC = 1u << 0,
};

struct vtb_core {
    _Atomic uintptr_t slot;       /* continuation-slot state, see core.c */
    _Atomic uint16_t completing;  /* 1 once a completer has claimed the result */
    uint16_t flags;               /* VTB_CORE_... */
    int32_t error;                /* 0 or the VTB_E... code it faulted with */
    uint64_t value;
    vtb_continuation_fn cont_fn;
    void *cont_state;
    struct vtb_loop *cont_loop;   /* where a queued continuation runs */
    struct vtb_work dispatch;     /* node used to queue the continuation */
};

/* Internal interface shared by task.c, source.c and result.c. */
void vtb__core_init(struct vtb_core *core, uint16_t flags);
/* Initialises a core that is already completed with value, for an object
 * no other thread can see yet (no atomic read-modify-write). */
void vtb__core_init_completed(struct vtb_core *core, uint16_t flags, uint64_t value);
void vtb__core_reset(struct vtb_core *core);
int vtb__core_complete(struct vtb_core *core, uint64_t value, int error);
int vtb__core_on_completed(struct vtb_core *core, vtb_continuation_fn fn, void *state);
bool vtb__core_is_completed(const struct vtb_core *core);
enum vtb_status vtb__core_status(const struct vtb_core *core);

/* Reads the outcome of a completed core: returns its error (0 on success)
 * and stores the value. The caller has checked completion. */
static inline int vtb__core_outcome(const struct vtb_core *core, uint64_t *value)
{
    *value = core->value;
    return core->error;
}

#endif /* VTB_CORE_H */
