/*
 * alloc-task: the C counterpart of returning Task<T>. Every call allocates a
 * heap task, even when the value is already in the cache; the caller consumes
 * and releases it. The miss path is the service's, as for value-task.
 */
#include "vtb/impl.h"
#include "vtb/impl_list.h"
#include "vtb/service_internal.h"
#include "vtb/task.h"

static struct vtb_vresult alloc_task_get(void *state, struct vtb_worker *worker, uint64_t key)
{
    (void)state;
    uint64_t value;
    if (vtb_service_lookup(worker, key, &value)) {
        struct vtb_task *task;
        int rc = vtb_task_new_completed(value, worker->task_flags, &task);
        if (rc != 0)
            return vtb_vresult_from_error(rc);
        return vtb_vresult_from_task(task);
    }
    return vtb_service_start_task_miss(worker, key);
}

const struct vtb_impl_ops vtb_impl_alloc_task = {
    .version = VTB_IMPL_OPS_VERSION,
    .name = "alloc-task",
    .summary = "a heap task on every call, hits included (Task<T>)",
    .get = alloc_task_get,
};
