/*
 * value-task: the C counterpart of returning ValueTask<T>. A hit returns the
 * value itself inside the 16-byte result, allocating nothing; a miss returns a
 * heap task, exactly as alloc-task does.
 */
#include "vtb/impl.h"
#include "vtb/impl_list.h"
#include "vtb/service_internal.h"

static struct vtb_vresult value_task_get(void *state, struct vtb_worker *worker, uint64_t key)
{
    (void)state;
    uint64_t value;
    if (vtb_service_lookup(worker, key, &value)) {
        return vtb_vresult_from_value(value);
    }
    return vtb_service_start_task_miss(worker, key);
}

const struct vtb_impl_ops vtb_impl_value_task = {
    .version = VTB_IMPL_OPS_VERSION,
    .name = "value-task",
    .summary = "the value on a hit, a heap task on a miss (ValueTask<T>)",
    .get = value_task_get,
};
