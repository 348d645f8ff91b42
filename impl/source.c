/*
 * Pooled, versioned completion sources (see vtb/source.h).
 *
 * The version is the only thing a stale handle can safely look at, so every
 * entry point checks it first. Consumption claims the generation with a
 * compare-and-swap on the version, which both refuses a second consumer and
 * is the "reset" that makes all outstanding copies of the token stale.
 */
#include "vtb/source.h"

#include <stddef.h>

#include "vtb/error.h"
#include "vtb/pool_internal.h"

void vtb__source_init(struct vtb_source *source, struct vtb_pool *pool, uint16_t core_flags)
{
    vtb__core_init(&source->core, core_flags);
    atomic_init(&source->version, 0);
    source->pool = pool;
    source->all_next = NULL;
    vtb_timer_init(&source->fetch.timer, NULL);
    source->fetch.key = 0;
    source->fetch.fire = NULL;
}

void vtb__source_set_version(struct vtb_source *source, vtb_token version)
{
    atomic_store_explicit(&source->version, version, memory_order_release);
}

vtb_token vtb_source_token(const struct vtb_source *source)
{
    return atomic_load_explicit(&source->version, memory_order_acquire);
}

static bool token_current(const struct vtb_source *source, vtb_token token)
{
    return atomic_load_explicit(&source->version, memory_order_acquire) == token;
}

int vtb_source_set_result(struct vtb_source *source, uint64_t value)
{
    return vtb__core_complete(&source->core, value, 0);
}

int vtb_source_set_error(struct vtb_source *source, int error)
{
    if (error >= 0)
        return VTB_EINVAL;
    return vtb__core_complete(&source->core, 0, error);
}

int vtb_source_status(const struct vtb_source *source, vtb_token token, enum vtb_status *status)
{
    if (!token_current(source, token))
        return VTB_ESTALE;
    enum vtb_status current = vtb__core_status(&source->core);
    /* A racing consumer may have claimed and reset the generation after the
     * check above, so the status read may belong to the next one: check the
     * token again (the reset's release store orders the bump before it). */
    if (!token_current(source, token))
        return VTB_ESTALE;
    *status = current;
    return 0;
}

int vtb_source_on_completed(struct vtb_source *source, vtb_continuation_fn fn, void *state,
                            vtb_token token)
{
    if (!token_current(source, token))
        return VTB_ESTALE;
    return vtb__core_on_completed(&source->core, fn, state);
}

int vtb_source_get_result(struct vtb_source *source, vtb_token token, uint64_t *value)
{
    if (!token_current(source, token))
        return VTB_ESTALE;
    if (!vtb__core_is_completed(&source->core)) {
        /* Pending, or consumed and reset by a racing consumer after the
         * check above: the latter is a stale token, not an early read. */
        return token_current(source, token) ? VTB_ENOTREADY : VTB_ESTALE;
    }
    /* The next generation wraps at 2^VTB_TOKEN_BITS by the type's own
     * arithmetic; that is the deliberate wrap-around. */
    vtb_token next = (vtb_token)(token + 1);
    vtb_token expected = token;
    if (!atomic_compare_exchange_strong_explicit(&source->version, &expected, next,
                                                 memory_order_acq_rel, memory_order_acquire))
        return VTB_ESTALE;
    int error = vtb__core_outcome(&source->core, value);
    vtb__core_reset(&source->core);
    vtb__pool_return(source->pool, source);
    return error;
}

void vtb_source_set_run_async(struct vtb_source *source, bool run_async)
{
    if (run_async)
        source->core.flags |= VTB_CORE_RUN_ASYNC;
    else
        source->core.flags &= (uint16_t)~VTB_CORE_RUN_ASYNC;
}

bool vtb_source_run_async(const struct vtb_source *source)
{
    return (source->core.flags & VTB_CORE_RUN_ASYNC) != 0;
}
