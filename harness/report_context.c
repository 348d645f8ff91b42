/*
 * The "context" reporter: context.json, everything needed to judge and
 * reproduce a run apart from the results themselves.
 *
 *   {
 *     "scenario", "scenario_file",
 *     "complete": false when the run was interrupted, "cells_done",
 *     "cell_count", "impl_count", "instructions_mode",
 *     "floor_ns_per_hit", "timer_overhead_ns",
 *     "object_sizes": {"task": {"bytes": 72, "usable_bytes": 80}, ...},
 *     "context": {every field of vtb_context_fields, under its own key}
 *   }
 *
 * The file is opened at begin, so that an unwritable run directory stops
 * the run before any measurement, but written at end, when the run's status
 * (complete, cells_done) is known.
 */
#include "atomic_file.h"
#include "json_writer.h"
#include "report_common.h"
#include "reporter_list.h"

struct context_state {
    struct vtb_atomic_file file;
};

static int context_begin(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct context_state *s = state;
    return vtb_atomic_file_open(&s->file, info->run_dir, "context.json", err);
}

static int context_record(void *state, const struct vtb_record *rec, struct vtb_error *err)
{
    (void)state;
    (void)rec;
    (void)err;
    return 0;
}

static int context_end(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct context_state *s = state;
    struct vtb_json_writer w;
    int rc;

    if (s->file.fp == NULL)
        return vtb_error_set(err, VTB_ESTATE, "context.json: not open");
    vtb_json_init(&w, s->file.fp);
    vtb_json_object_begin(&w);
    vtb__report_json_run(&w, info, true);
    vtb_json_key(&w, "context");
    vtb_json_object_begin(&w);
    vtb__report_json_context(&w, vtb__report_context_or_empty(info), NULL);
    vtb_json_object_end(&w);
    vtb_json_object_end(&w);
    rc = vtb_json_finish(&w);
    if (rc == VTB_EINVAL) {
        vtb_atomic_file_abort(&s->file);
        return vtb_error_set(err, rc, "%s: internal error: malformed JSON document",
                             s->file.path);
    }
    return vtb_atomic_file_commit(&s->file, err);
}

static void context_abort(void *state)
{
    struct context_state *s = state;
    vtb_atomic_file_abort(&s->file);
}

const struct vtb_reporter_ops vtb_reporter_context = {
    .name = "context",
    .summary = "context.json: machine, build, clock, allocator and run status",
    .state_size = sizeof(struct context_state),
    .begin = context_begin,
    .record = context_record,
    .end = context_end,
    .abort = context_abort,
};
