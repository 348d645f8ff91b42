/*
 * The pooled, versioned completion source: the C counterpart of .NET's
 * IValueTaskSource<T> backed by ManualResetValueTaskSourceCore<T>.
 *
 * A source is rented from a pool for one operation, completed once, and
 * consumed once through a version token that the value result carries. The
 * consuming get_result bumps the version (the "reset"), so any later use of
 * the old token, a second consumption or a read after the source went back to
 * the pool, is refused with VTB_ESTALE instead of reading someone else's
 * result. Sources stay type-stable while their pool lives, so a stale handle
 * can always be checked safely.
 *
 * Limit: the token is checked on entry to each call. A continuation
 * registered through a stale copy of a handle at the very moment the owner
 * consumes and the pool re-rents the source can land on the next use (as
 * with .NET's OnCompleted); closing that window would need the generation
 * folded into the continuation slot word. Correct single-consumer use never
 * meets it.
 *
 * Tokens are VTB_TOKEN_BITS wide (16 by default, as .NET's short token) and
 * wrap around deliberately: a handle exactly 2^VTB_TOKEN_BITS generations
 * stale would alias; 32-bit tokens push that out of reach at a cost of
 * nothing but the value result's padding.
 *
 * Private to the library: a user meets a source only inside a value result.
 */
#ifndef VTB_SOURCE_H
#define VTB_SOURCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vtb/backend_internal.h"
#include "vtb/config.h"
#include "vtb/core.h"
#include "vtb/result.h"

#if VTB_TOKEN_BITS == 32
typedef uint32_t vtb_token;
#else
typedef uint16_t vtb_token;
#endif

struct vtb_pool;

struct vtb_source {
    struct vtb_core core;
    _Atomic vtb_token version;    /* current generation */
    struct vtb_pool *pool;        /* owner, for the return on consumption */
    struct vtb_source *all_next;  /* every source of the pool, for teardown */
    struct vtb_fetch fetch;       /* the backend request of the current use */
};

/* The source's current token; the renter hands it out with the source. */
vtb_token vtb_source_token(const struct vtb_source *source);

/* Completes the current generation; VTB_EALREADY on a second completion. */
int vtb_source_set_result(struct vtb_source *source, uint64_t value);
int vtb_source_set_error(struct vtb_source *source, int error);

/* Status of generation token: 0 and *status, or VTB_ESTALE. */
int vtb_source_status(const struct vtb_source *source, vtb_token token,
                      enum vtb_status *status);

/*
 * Registers the continuation for generation token. Returns 0, VTB_ESTALE for
 * an old token, or VTB_ECONTINUATION when one is already registered. A
 * continuation registered after completion is queued to the calling thread's
 * loop (run inline only when the thread has no loop).
 */
int vtb_source_on_completed(struct vtb_source *source, vtb_continuation_fn fn, void *state,
                            vtb_token token);

/*
 * Consumes generation token: stores the value (or returns the error the
 * source faulted with), bumps the version and returns the source to its
 * pool. VTB_ESTALE for an old token or a second consumption, VTB_ENOTREADY
 * before completion (it never blocks). Exactly one of two racing consumers
 * succeeds.
 */
int vtb_source_get_result(struct vtb_source *source, vtb_token token, uint64_t *value);

/* Sets or clears run-continuations-asynchronously; survives resets. */
void vtb_source_set_run_async(struct vtb_source *source, bool run_async);
bool vtb_source_run_async(const struct vtb_source *source);

/* A result holding generation token of source. */
static inline struct vtb_vresult vtb_vresult_from_source(struct vtb_source *source,
                                                         vtb_token token)
{
    struct vtb_vresult r = {(uintptr_t)source | VTB_VRESULT_WORD_SOURCE_BIT, token};
    return r;
}

/* Internal: initialises a fresh source for pool (called by the pool). */
void vtb__source_init(struct vtb_source *source, struct vtb_pool *pool, uint16_t core_flags);

/* Internal: forces the version (tests of wrap-around). */
void vtb__source_set_version(struct vtb_source *source, vtb_token version);

#endif /* VTB_SOURCE_H */
