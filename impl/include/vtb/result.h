/*
 * The value result: what every strategy's get returns, by value, in 16 bytes
 * (two registers on x86-64 and AArch64): the C counterpart of ValueTask<T>.
 *
 * It holds either the value itself (synchronous completion), a heap task, or
 * a pooled source plus its version token, or an error that happened before
 * anything could be handed back. The kind is derived from the one pointer
 * word rather than kept in a separate tag, so a result shared between
 * threads can never pair one kind's tag with another kind's payload:
 *   word == 0              the value, in payload
 *   word == 2              consumed (set by vtb_vresult_get)
 *   word == 4              failed synchronously: the VTB_E... code in payload
 *   word & 1 == 1          a source at word & ~1, token in payload
 *   otherwise              a task at word
 * Tasks and sources are at least 8-byte aligned objects far above address 8,
 * so the low bits and the small words are free. Because errors travel inside
 * the result, an implementation's get returns it by value, in registers.
 *
 * A result is consumed exactly once with vtb_vresult_get. The hit path is
 * inline and touches no memory but the result itself.
 */
#ifndef VTB_RESULT_H
#define VTB_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "vtb/core.h"
#include "vtb/error.h"
#include "vtb/source.h"
#include "vtb/task.h"

struct vtb_vresult {
    uintptr_t word;
    uint64_t payload;
};

_Static_assert(sizeof(struct vtb_vresult) <= 16, "a value result must fit in two registers");

enum vtb_vresult_kind {
    VTB_VRESULT_VALUE = 0,
    VTB_VRESULT_TASK = 1,
    VTB_VRESULT_SOURCE = 2,
    VTB_VRESULT_CONSUMED = 3,
    VTB_VRESULT_ERROR = 4,
};

#define VTB__VRESULT_CONSUMED_WORD ((uintptr_t)2)
#define VTB__VRESULT_ERROR_WORD ((uintptr_t)4)
#define VTB__VRESULT_SPECIAL_LIMIT ((uintptr_t)8)
#define VTB__VRESULT_SOURCE_BIT ((uintptr_t)1)

static inline struct vtb_vresult vtb_vresult_from_value(uint64_t value)
{
    struct vtb_vresult r = {0, value};
    return r;
}

/* A result that failed before anything was handed back; error < 0. */
static inline struct vtb_vresult vtb_vresult_from_error(int error)
{
    struct vtb_vresult r = {VTB__VRESULT_ERROR_WORD, (uint64_t)(int64_t)error};
    return r;
}

static inline struct vtb_vresult vtb_vresult_from_task(struct vtb_task *task)
{
    struct vtb_vresult r = {(uintptr_t)task, 0};
    return r;
}

static inline struct vtb_vresult vtb_vresult_from_source(struct vtb_source *source,
                                                         vtb_token token)
{
    struct vtb_vresult r = {(uintptr_t)source | VTB__VRESULT_SOURCE_BIT, token};
    return r;
}

static inline enum vtb_vresult_kind vtb_vresult_kind(const struct vtb_vresult *r)
{
    if (r->word == 0)
        return VTB_VRESULT_VALUE;
    if (r->word == VTB__VRESULT_CONSUMED_WORD)
        return VTB_VRESULT_CONSUMED;
    if (r->word == VTB__VRESULT_ERROR_WORD)
        return VTB_VRESULT_ERROR;
    return (r->word & VTB__VRESULT_SOURCE_BIT) ? VTB_VRESULT_SOURCE : VTB_VRESULT_TASK;
}

/* Slow paths (tasks and sources), in result.c. */
bool vtb__vresult_is_completed(const struct vtb_vresult *r);
int vtb__vresult_get(struct vtb_vresult *r, uint64_t *value);

/* True when the result can be consumed without waiting. A consumed result
 * reports true (consuming it again gives VTB_ESTALE, not a wait). */
static inline bool vtb_vresult_is_completed(const struct vtb_vresult *r)
{
    if (__builtin_expect(r->word == 0, 1))
        return true;
    return vtb__vresult_is_completed(r);
}

/*
 * Consumes the result: stores the value and returns 0, or returns the error
 * the operation faulted with (synchronously or not), VTB_ENOTREADY before
 * completion (never
 * blocks), or VTB_ESTALE for a second consumption (through this handle, or
 * through any copy of a pooled handle). A task is released, a source
 * returned to its pool; *r is marked consumed.
 */
static inline int vtb_vresult_get(struct vtb_vresult *r, uint64_t *value)
{
    if (__builtin_expect(r->word == 0, 1)) {
        *value = r->payload;
        r->word = VTB__VRESULT_CONSUMED_WORD;
        return 0;
    }
    return vtb__vresult_get(r, value);
}

/*
 * Registers the continuation to run when the result completes (once). A
 * value result is already complete and has nothing to queue through, so fn
 * runs immediately on the calling thread (as an awaiter that sees
 * IsCompleted would continue). Returns 0, VTB_ECONTINUATION, VTB_ESTALE.
 */
int vtb_vresult_on_completed(const struct vtb_vresult *r, vtb_continuation_fn fn, void *state);

/* Status without consuming; VTB_ESTALE for a consumed or stale result. */
int vtb_vresult_status(const struct vtb_vresult *r, enum vtb_status *status);

/*
 * Releases a result that will never be consumed (e.g. a pending operation
 * abandoned at shutdown): drops a task reference. Pooled sources cannot be
 * abandoned before completion; returns VTB_ENOTREADY for them.
 */
int vtb_vresult_discard(struct vtb_vresult *r);

#endif /* VTB_RESULT_H */
