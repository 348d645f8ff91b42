/*
 * Heap tasks (see vtb/task.h). Every allocation goes through the counted
 * malloc so the harness can report allocations per operation exactly, even in
 * sanitizer builds where jemalloc is absent.
 */
#include "vtb/task.h"

#include <stddef.h>

#include "vtb/alloc_count_internal.h"
#include "vtb/error.h"

int vtb_task_new_completed(uint64_t value, uint16_t core_flags, struct vtb_task **out)
{
    struct vtb_task *task = vtb__counted_malloc(sizeof(*task));
    if (task == NULL)
        return VTB_ENOMEM;
    vtb__core_init_completed(&task->core, core_flags, value);
    atomic_init(&task->refs, 1);
    task->layout = VTB_TASK_LAYOUT_PLAIN;
    *out = task;
    return 0;
}

int vtb_task_new_pending(uint16_t core_flags, struct vtb_task_pending **out)
{
    struct vtb_task_pending *pending = vtb__counted_malloc(sizeof(*pending));
    if (pending == NULL)
        return VTB_ENOMEM;
    vtb__core_init(&pending->task.core, core_flags);
    atomic_init(&pending->task.refs, 2);
    pending->task.layout = VTB_TASK_LAYOUT_PENDING;
    vtb_timer_init(&pending->fetch.timer, NULL);
    pending->fetch.key = 0;
    pending->fetch.fire = NULL;
    *out = pending;
    return 0;
}

int vtb_task_set_result(struct vtb_task *task, uint64_t value)
{
    return vtb__core_complete(&task->core, value, 0);
}

int vtb_task_set_error(struct vtb_task *task, int error)
{
    if (error >= 0)
        return VTB_EINVAL;
    return vtb__core_complete(&task->core, 0, error);
}

int vtb_task_on_completed(struct vtb_task *task, vtb_continuation_fn fn, void *state)
{
    return vtb__core_on_completed(&task->core, fn, state);
}

int vtb_task_get_result(const struct vtb_task *task, uint64_t *value)
{
    if (!vtb__core_is_completed(&task->core))
        return VTB_ENOTREADY;
    return vtb__core_outcome(&task->core, value);
}

enum vtb_status vtb_task_status(const struct vtb_task *task)
{
    return vtb__core_status(&task->core);
}

void vtb_task_retain(struct vtb_task *task)
{
    atomic_fetch_add_explicit(&task->refs, 1, memory_order_relaxed);
}

void vtb_task_release(struct vtb_task *task)
{
    /* A sole owner frees without a read-modify-write: only holders of a
     * reference can add one, so a count of 1 read with acquire cannot grow.
     * Otherwise acq_rel: the last releaser must see every write of the
     * others before it frees the memory. */
    if (atomic_load_explicit(&task->refs, memory_order_acquire) != 1 &&
        atomic_fetch_sub_explicit(&task->refs, 1, memory_order_acq_rel) != 1)
        return;
    size_t size = task->layout == VTB_TASK_LAYOUT_PENDING ? sizeof(struct vtb_task_pending)
                                                          : sizeof(struct vtb_task);
    vtb__counted_free(task, size);
}
