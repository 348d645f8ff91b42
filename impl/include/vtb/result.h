/*
 * The value result: what every implementation's get returns, by value, in
 * 16 bytes (two registers on x86-64 and AArch64): the C counterpart of
 * ValueTask<T>.
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
 * so the low bits and the small words are free. Because results cross the
 * boundary between the library and a user's implementation by value, this
 * encoding is part of the ABI, and the paths that touch nothing but the
 * result (making a value or an error result, testing and consuming a value)
 * are inline here: a user's implementation and the harness pay the same for
 * a hit. Tasks and sources behind the other kinds are the library's.
 *
 * A result is consumed exactly once with vtb_vresult_get.
 */
#ifndef VTB_RESULT_H
#define VTB_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "vtb/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A continuation: called once when the operation completes. */
typedef void (*vtb_continuation_fn)(void *state);

enum vtb_status {
    VTB_STATUS_PENDING = 0,
    VTB_STATUS_SUCCEEDED = 1,
    VTB_STATUS_FAULTED = 2,
};

struct vtb_vresult {
    uintptr_t word;
    uint64_t payload;
};

#ifdef __cplusplus
static_assert(sizeof(struct vtb_vresult) <= 16, "a value result must fit in two registers");
#else
_Static_assert(sizeof(struct vtb_vresult) <= 16, "a value result must fit in two registers");
#endif

enum vtb_vresult_kind {
    VTB_VRESULT_VALUE = 0,
    VTB_VRESULT_TASK = 1,
    VTB_VRESULT_SOURCE = 2,
    VTB_VRESULT_CONSUMED = 3,
    VTB_VRESULT_ERROR = 4,
};

/* The special words of the encoding above. */
#define VTB_VRESULT_WORD_CONSUMED ((uintptr_t)2)
#define VTB_VRESULT_WORD_ERROR ((uintptr_t)4)
#define VTB_VRESULT_WORD_SPECIAL_LIMIT ((uintptr_t)8) /* words below are not objects */
#define VTB_VRESULT_WORD_SOURCE_BIT ((uintptr_t)1)

/* A result that already holds value: the hit path of an implementation. */
static inline struct vtb_vresult vtb_vresult_from_value(uint64_t value)
{
    struct vtb_vresult r = {0, value};
    return r;
}

/* A result that failed before anything was handed back; error < 0. */
static inline struct vtb_vresult vtb_vresult_from_error(int error)
{
    struct vtb_vresult r = {VTB_VRESULT_WORD_ERROR, (uint64_t)(int64_t)error};
    return r;
}

/* What r holds (without touching the task or source behind it). */
static inline enum vtb_vresult_kind vtb_vresult_kind(const struct vtb_vresult *r)
{
    if (r->word == 0)
        return VTB_VRESULT_VALUE;
    if (r->word == VTB_VRESULT_WORD_CONSUMED)
        return VTB_VRESULT_CONSUMED;
    if (r->word == VTB_VRESULT_WORD_ERROR)
        return VTB_VRESULT_ERROR;
    return (r->word & VTB_VRESULT_WORD_SOURCE_BIT) ? VTB_VRESULT_SOURCE : VTB_VRESULT_TASK;
}

/* The out-of-line parts of vtb_vresult_is_completed and vtb_vresult_get, for
 * every kind but a value; call those instead. */
bool vtb_vresult_is_completed_slow(const struct vtb_vresult *r);
int vtb_vresult_get_slow(struct vtb_vresult *r, uint64_t *value);

/* True when the result can be consumed without waiting. A consumed result
 * reports true (consuming it again gives VTB_ESTALE, not a wait). Any
 * thread; for a value it touches nothing but *r. */
static inline bool vtb_vresult_is_completed(const struct vtb_vresult *r)
{
    if (__builtin_expect(r->word == 0, 1))
        return true;
    return vtb_vresult_is_completed_slow(r);
}

/*
 * Consumes the result: stores the value and returns 0, or returns the error
 * the operation faulted with (synchronously or not), VTB_ENOTREADY before
 * completion (never blocks), or VTB_ESTALE for a second consumption (through
 * this handle, or through any copy of a pooled handle). A task is released,
 * a source returned to its pool; *r is marked consumed.
 */
static inline int vtb_vresult_get(struct vtb_vresult *r, uint64_t *value)
{
    if (__builtin_expect(r->word == 0, 1)) {
        *value = r->payload;
        r->word = VTB_VRESULT_WORD_CONSUMED;
        return 0;
    }
    return vtb_vresult_get_slow(r, value);
}

/*
 * Registers the continuation to run when the result completes (once). A
 * value or error result is already complete and has nothing to queue
 * through, so fn runs immediately on the calling thread (as an awaiter that
 * sees IsCompleted would continue). Otherwise fn runs in the completing call
 * or, when the service posts continuations, on the loop of the thread that
 * registered it (vtb_loop_current), once that loop runs. Returns 0,
 * VTB_EINVAL (fn NULL), VTB_ECONTINUATION (one is already registered) or
 * VTB_ESTALE (consumed or stale).
 */
int vtb_vresult_on_completed(const struct vtb_vresult *r, vtb_continuation_fn fn, void *state);

/* Status without consuming: 0 and *status, or VTB_ESTALE for a consumed or
 * stale result. */
int vtb_vresult_status(const struct vtb_vresult *r, enum vtb_status *status);

/*
 * Releases a result that will never be consumed (e.g. a pending operation
 * abandoned at shutdown): drops a task reference. Pooled sources cannot be
 * abandoned before completion; returns VTB_ENOTREADY for them, else 0.
 */
int vtb_vresult_discard(struct vtb_vresult *r);

#ifdef __cplusplus
}
#endif

#endif /* VTB_RESULT_H */
