/*
 * pooled: the C counterpart of ValueTask<T> over a pooled IValueTaskSource<T>.
 * A hit returns the value as value-task does; a miss rents a versioned source
 * from the pool, so once the pool is warm neither path allocates.
 */
#include "vtb/impl.h"
#include "vtb/impl_list.h"
#include "vtb/service_internal.h"

static struct vtb_vresult pooled_get(void *state, struct vtb_worker *worker, uint64_t key)
{
    (void)state;
    uint64_t value;
    if (vtb_service_lookup(worker, key, &value)) {
        return vtb_vresult_from_value(value);
    }
    return vtb_service_start_source_miss(worker, key);
}

const struct vtb_impl_ops vtb_impl_pooled = {
    .version = VTB_IMPL_OPS_VERSION,
    .name = "pooled",
    .summary = "the value on a hit, a pooled versioned source on a miss "
               "(IValueTaskSource<T>)",
    .get = pooled_get,
};
