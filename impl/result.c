/*
 * The slow paths of the value result: dispatch on the kind encoded in the
 * pointer word to the task or source behind it.
 */
#include "vtb/result.h"

#include <stddef.h>

#include "vtb/source.h"
#include "vtb/task.h"

static inline struct vtb_task *as_task(const struct vtb_vresult *r)
{
    return (struct vtb_task *)r->word;
}

static inline struct vtb_source *as_source(const struct vtb_vresult *r)
{
    return (struct vtb_source *)(r->word & ~VTB_VRESULT_WORD_SOURCE_BIT);
}

bool vtb_vresult_is_completed_slow(const struct vtb_vresult *r)
{
    switch (vtb_vresult_kind(r)) {
    case VTB_VRESULT_TASK:
        return vtb__core_is_completed(&as_task(r)->core);
    case VTB_VRESULT_SOURCE: {
        enum vtb_status status;
        if (vtb_source_status(as_source(r), (vtb_token)r->payload, &status) != 0)
            return true; /* stale: consuming reports it, never waits */
        return status != VTB_STATUS_PENDING;
    }
    default:
        return true;
    }
}

int vtb_vresult_get_slow(struct vtb_vresult *r, uint64_t *value)
{
    int rc;
    switch (vtb_vresult_kind(r)) {
    case VTB_VRESULT_VALUE:
        *value = r->payload;
        rc = 0;
        break;
    case VTB_VRESULT_TASK: {
        struct vtb_task *task = as_task(r);
        rc = vtb_task_get_result(task, value);
        if (rc == VTB_ENOTREADY)
            return rc;
        vtb_task_release(task);
        break;
    }
    case VTB_VRESULT_SOURCE:
        rc = vtb_source_get_result(as_source(r), (vtb_token)r->payload, value);
        if (rc == VTB_ENOTREADY)
            return rc;
        break;
    case VTB_VRESULT_ERROR:
        rc = (int)(int64_t)r->payload;
        break;
    default:
        return VTB_ESTALE;
    }
    r->word = VTB_VRESULT_WORD_CONSUMED;
    return rc;
}

int vtb_vresult_on_completed(const struct vtb_vresult *r, vtb_continuation_fn fn, void *state)
{
    if (fn == NULL)
        return VTB_EINVAL;
    switch (vtb_vresult_kind(r)) {
    case VTB_VRESULT_VALUE:
    case VTB_VRESULT_ERROR:
        /* Nothing is pending and there is no core to queue through; like an
         * awaiter that sees IsCompleted, the continuation simply runs now. */
        fn(state);
        return 0;
    case VTB_VRESULT_TASK:
        return vtb_task_on_completed(as_task(r), fn, state);
    case VTB_VRESULT_SOURCE:
        return vtb_source_on_completed(as_source(r), fn, state, (vtb_token)r->payload);
    default:
        return VTB_ESTALE;
    }
}

int vtb_vresult_status(const struct vtb_vresult *r, enum vtb_status *status)
{
    switch (vtb_vresult_kind(r)) {
    case VTB_VRESULT_VALUE:
        *status = VTB_STATUS_SUCCEEDED;
        return 0;
    case VTB_VRESULT_ERROR:
        *status = VTB_STATUS_FAULTED;
        return 0;
    case VTB_VRESULT_TASK:
        *status = vtb_task_status(as_task(r));
        return 0;
    case VTB_VRESULT_SOURCE:
        return vtb_source_status(as_source(r), (vtb_token)r->payload, status);
    default:
        return VTB_ESTALE;
    }
}

int vtb_vresult_discard(struct vtb_vresult *r)
{
    switch (vtb_vresult_kind(r)) {
    case VTB_VRESULT_TASK:
        vtb_task_release(as_task(r));
        break;
    case VTB_VRESULT_SOURCE: {
        uint64_t ignored;
        int rc = vtb_source_get_result(as_source(r), (vtb_token)r->payload, &ignored);
        if (rc == VTB_ENOTREADY)
            return rc;
        break;
    }
    default:
        break;
    }
    r->word = VTB_VRESULT_WORD_CONSUMED;
    return 0;
}
