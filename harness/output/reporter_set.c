/*
 * The reporter set behind reporter_set.h: begins every reporter, feeds each
 * record to all of them in order, and ends every reporter that began, also
 * after a failure, so that completed cells are never lost.
 */
#include "reporter_set.h"

#include <stdlib.h>
#include <string.h>

void vtb_reporter_set_init(struct vtb_reporter_set *set)
{
    memset(set, 0, sizeof(*set));
}

int vtb_reporter_set_add(struct vtb_reporter_set *set, const struct vtb_reporter_ops *ops,
                         struct vtb_error *err)
{
    struct vtb_reporter_slot *grown = realloc(set->slots, (set->count + 1) * sizeof(*grown));
    if (grown == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    set->slots = grown;
    struct vtb_reporter_slot *slot = &set->slots[set->count];
    memset(slot, 0, sizeof(*slot));
    slot->ops = ops;
    if (ops->state_size > 0 && (slot->state = calloc(1, ops->state_size)) == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    set->count++;
    return 0;
}

static int set_begin(void *ctx, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct vtb_reporter_set *set = ctx;
    for (size_t i = 0; i < set->count; i++) {
        struct vtb_reporter_slot *slot = &set->slots[i];
        int rc = slot->ops->begin(slot->state, info, err);
        if (rc != 0)
            return rc;
        slot->begun = true;
    }
    return 0;
}

static int set_record(void *ctx, const struct vtb_record *record, struct vtb_error *err)
{
    struct vtb_reporter_set *set = ctx;
    for (size_t i = 0; i < set->count; i++) {
        struct vtb_reporter_slot *slot = &set->slots[i];
        int rc = slot->ops->record(slot->state, record, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int set_end(void *ctx, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct vtb_reporter_set *set = ctx;
    int rc = 0;
    for (size_t i = 0; i < set->count; i++) {
        struct vtb_reporter_slot *slot = &set->slots[i];
        if (!slot->begun)
            continue;
        struct vtb_error end_err;
        vtb_error_clear(&end_err);
        int end_rc = slot->ops->end(slot->state, info, &end_err);
        slot->begun = false;
        if (end_rc != 0 && rc == 0) {
            rc = end_rc;
            if (err != NULL)
                *err = end_err;
        }
    }
    return rc;
}

void vtb_reporter_set_sink(struct vtb_reporter_set *set, struct vtb_record_sink *sink)
{
    sink->begin = set_begin;
    sink->record = set_record;
    sink->end = set_end;
    sink->ctx = set;
}

void vtb_reporter_set_fini(struct vtb_reporter_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        struct vtb_reporter_slot *slot = &set->slots[i];
        if (slot->ops->abort != NULL && slot->state != NULL)
            slot->ops->abort(slot->state);
        free(slot->state);
    }
    free(set->slots);
    memset(set, 0, sizeof(*set));
}
