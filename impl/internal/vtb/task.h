/*
 * The heap task: the C counterpart of .NET's Task<T>.
 *
 * A task is allocated with malloc for every operation that hands one back
 * (so jemalloc sees and counts it), carries a completion core (result, error,
 * one continuation slot) and a reference count, and is released by its
 * consumer. A completed task (the always-alloc strategy's cache hit) is just
 * the task; a pending task (a miss) also embeds the backend fetch it waits
 * on, the way .NET's async state-machine box is larger than Task.FromResult.
 * Private to the library: a user meets a task only inside a value result.
 */
#ifndef VTB_TASK_H
#define VTB_TASK_H

#include <stdatomic.h>
#include <stdint.h>

#include "vtb/backend_internal.h"
#include "vtb/core.h"
#include "vtb/result.h"

enum vtb_task_layout {
    VTB_TASK_LAYOUT_PLAIN = 0,   /* struct vtb_task */
    VTB_TASK_LAYOUT_PENDING = 1, /* struct vtb_task_pending */
};

struct vtb_task {
    struct vtb_core core;
    _Atomic uint32_t refs; /* consumer (+ producer while pending) */
    uint32_t layout;       /* enum vtb_task_layout, for accounting on free */
};

/* A task that a backend fetch will complete. */
struct vtb_task_pending {
    struct vtb_task task;
    struct vtb_fetch fetch;
};

/*
 * Allocates a task already completed with value (one malloc of
 * sizeof(struct vtb_task)). The caller owns the only reference. Returns 0 or
 * VTB_ENOMEM.
 */
int vtb_task_new_completed(uint64_t value, uint16_t core_flags, struct vtb_task **out);

/*
 * Allocates a pending task with two references: the consumer's and the
 * producer's (the code that will complete it). Returns 0 or VTB_ENOMEM.
 */
int vtb_task_new_pending(uint16_t core_flags, struct vtb_task_pending **out);

/* Completes the task; VTB_EALREADY if it was already completed. */
int vtb_task_set_result(struct vtb_task *task, uint64_t value);
int vtb_task_set_error(struct vtb_task *task, int error);

/* Registers the one continuation; VTB_ECONTINUATION for a second one. */
int vtb_task_on_completed(struct vtb_task *task, vtb_continuation_fn fn, void *state);

/* Reads the result without consuming: 0 and *value, the task's error, or
 * VTB_ENOTREADY while pending (never blocks). */
int vtb_task_get_result(const struct vtb_task *task, uint64_t *value);

enum vtb_status vtb_task_status(const struct vtb_task *task);

/* Adds a reference (e.g. for a second waiter). */
void vtb_task_retain(struct vtb_task *task);

/* Drops a reference; the last one frees the task. */
void vtb_task_release(struct vtb_task *task);

/* A result holding task (and its consumer's reference). */
static inline struct vtb_vresult vtb_vresult_from_task(struct vtb_task *task)
{
    struct vtb_vresult r = {(uintptr_t)task, 0};
    return r;
}

#endif /* VTB_TASK_H */
