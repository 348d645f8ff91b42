/*
 * The completion core's state machine (see vtb/core.h for the model).
 *
 * Slot word transitions:
 *   EMPTY     -> CLAIMING        registrant claims the slot
 *   CLAIMING  -> REGISTERED      registrant published fn/state/loop
 *   EMPTY     -> COMPLETED       completer, nobody registered yet
 *   CLAIMING  -> COMPLETED_CONT  completer; the registrant will dispatch
 *   REGISTERED-> COMPLETED_CONT  completer; it dispatches the continuation
 *   COMPLETED -> COMPLETED_CONT  late registrant; it queues the continuation
 * Any registration that finds CLAIMING, REGISTERED or COMPLETED_CONT is a
 * second continuation and is refused with VTB_ECONTINUATION. Completers are
 * serialised by the separate `completing` flag, claimed before the result is
 * written, so a losing second completer can never tear the winner's result.
 */
#include "vtb/core.h"

#include <stddef.h>

#include "vtb/error.h"

enum {
    SLOT_EMPTY = 0,
    SLOT_CLAIMING = 1,
    SLOT_REGISTERED = 2,
    SLOT_COMPLETED = 3,
    SLOT_COMPLETED_CONT = 4,
};

static void run_dispatched(struct vtb_work *work)
{
    struct vtb_core *core = (struct vtb_core *)((char *)work - offsetof(struct vtb_core, dispatch));
    core->cont_fn(core->cont_state);
}

void vtb__core_init(struct vtb_core *core, uint16_t flags)
{
    atomic_init(&core->slot, SLOT_EMPTY);
    atomic_init(&core->completing, 0);
    core->flags = flags;
    core->error = 0;
    core->value = 0;
    core->cont_fn = NULL;
    core->cont_state = NULL;
    core->cont_loop = NULL;
    core->dispatch.next = NULL;
    core->dispatch.fn = run_dispatched;
}

void vtb__core_init_completed(struct vtb_core *core, uint16_t flags, uint64_t value)
{
    /* Not yet visible to any other thread: plain initialisation publishes
     * nothing and needs no read-modify-write. */
    vtb__core_init(core, flags);
    core->value = value;
    atomic_init(&core->completing, 1);
    atomic_init(&core->slot, SLOT_COMPLETED);
}

void vtb__core_reset(struct vtb_core *core)
{
    /* Only the consumer resets, after it has claimed the result, so plain
     * stores suffice apart from the atomics' own initialisation; the pool's
     * hand-over publishes them to the next renter. The slot's store is a
     * release so that a racing reader who sees the reset also sees the
     * version bump that preceded it (see vtb_source_get_result). */
    atomic_store_explicit(&core->slot, SLOT_EMPTY, memory_order_release);
    atomic_store_explicit(&core->completing, 0, memory_order_relaxed);
    core->error = 0;
    core->value = 0;
    core->cont_fn = NULL;
    core->cont_state = NULL;
    core->cont_loop = NULL;
}

/* Queues the continuation to its loop: locally when that loop belongs to the
 * calling thread, through the inbox otherwise. Without a loop there is
 * nowhere to queue, so it runs here rather than being lost. */
static void queue_continuation(struct vtb_core *core, vtb_continuation_fn fn, void *state,
                               struct vtb_loop *loop)
{
    if (loop == NULL) {
        fn(state);
        return;
    }
    if (loop == vtb_loop_current())
        vtb_loop_queue(loop, &core->dispatch);
    else
        vtb_loop_post(loop, &core->dispatch);
}

int vtb__core_complete(struct vtb_core *core, uint64_t value, int error)
{
    if (atomic_exchange_explicit(&core->completing, 1, memory_order_acquire) != 0)
        return VTB_EALREADY;
    core->value = value;
    core->error = error;
    uintptr_t old = atomic_load_explicit(&core->slot, memory_order_acquire);
    for (;;) {
        uintptr_t next = old == SLOT_EMPTY ? SLOT_COMPLETED : SLOT_COMPLETED_CONT;
        /* Read the continuation before publishing completion: once the slot
         * says completed, the consumer may recycle the object. Only a
         * REGISTERED slot has its fields published (acquire above). */
        vtb_continuation_fn fn = NULL;
        void *state = NULL;
        struct vtb_loop *loop = NULL;
        uint16_t flags = core->flags;
        if (old == SLOT_REGISTERED) {
            fn = core->cont_fn;
            state = core->cont_state;
            loop = core->cont_loop;
        }
        if (atomic_compare_exchange_weak_explicit(&core->slot, &old, next, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            if (old == SLOT_REGISTERED) {
                if (flags & VTB_CORE_RUN_ASYNC)
                    queue_continuation(core, fn, state, loop);
                else
                    fn(state);
            }
            return 0;
        }
    }
}

int vtb__core_on_completed(struct vtb_core *core, vtb_continuation_fn fn, void *state)
{
    if (fn == NULL)
        return VTB_EINVAL;
    uintptr_t expected = SLOT_EMPTY;
    if (atomic_compare_exchange_strong_explicit(&core->slot, &expected, SLOT_CLAIMING,
                                                memory_order_acquire, memory_order_acquire)) {
        core->cont_fn = fn;
        core->cont_state = state;
        core->cont_loop = vtb_loop_current();
        expected = SLOT_CLAIMING;
        if (atomic_compare_exchange_strong_explicit(&core->slot, &expected, SLOT_REGISTERED,
                                                    memory_order_release,
                                                    memory_order_acquire))
            return 0;
        /* The completer ran while we were writing: it left the dispatch to
         * us, and the acquire above made its result visible. */
        queue_continuation(core, fn, state, core->cont_loop);
        return 0;
    }
    if (expected == SLOT_COMPLETED &&
        atomic_compare_exchange_strong_explicit(&core->slot, &expected, SLOT_COMPLETED_CONT,
                                                memory_order_acquire, memory_order_acquire)) {
        core->cont_fn = fn;
        core->cont_state = state;
        core->cont_loop = vtb_loop_current();
        queue_continuation(core, fn, state, core->cont_loop);
        return 0;
    }
    return VTB_ECONTINUATION;
}

bool vtb__core_is_completed(const struct vtb_core *core)
{
    uintptr_t slot = atomic_load_explicit(&core->slot, memory_order_acquire);
    return slot >= SLOT_COMPLETED;
}

enum vtb_status vtb__core_status(const struct vtb_core *core)
{
    if (!vtb__core_is_completed(core))
        return VTB_STATUS_PENDING;
    return core->error == 0 ? VTB_STATUS_SUCCEEDED : VTB_STATUS_FAULTED;
}
