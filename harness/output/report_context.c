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
 *     "pin_threads", "shared_writes_per_hit": {"global": 6, ...},
 *     "cells": [{"cell", "threads", "load", "latency_recording",
 *                "cache_lock", "shared_writes_per_hit", "pin_threads",
 *                "worker_cpus", "jemalloc_narenas", "jemalloc_tcache"}, ...],
 *     "context": {every field of vtb_context_fields, under its own key}
 *   }
 *
 * The file is opened at begin, so that an unwritable run directory stops
 * the run before any measurement, but written at end, when the run's status
 * (complete, cells_done) is known.
 */
#include <stdio.h>
#include <string.h>

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

/* How threads and load were set up, run-wide and per completed cell: what
 * the scaling figures must be read against. */
static void write_cells(struct vtb_json_writer *w, const struct vtb_run_info *info)
{
    static const enum vtb_cache_lock locks[] = {VTB_CACHE_LOCK_GLOBAL, VTB_CACHE_LOCK_SHARDED,
                                                VTB_CACHE_LOCK_SEQLOCK};
    char text[192];

    vtb_json_kv_bool(w, "pin_threads", info->pin_threads);
    vtb_json_key(w, "shared_writes_per_hit");
    vtb_json_object_begin(w);
    for (size_t i = 0; i < sizeof(locks) / sizeof(locks[0]); i++)
        vtb_json_kv_uint(w, vtb_cache_lock_name(locks[i]),
                         vtb_cache_shared_writes_per_hit(locks[i]));
    vtb_json_object_end(w);
    vtb_json_key(w, "cells");
    vtb_json_array_begin(w);
    for (unsigned i = 0; info->cells != NULL && i < info->cell_count; i++) {
        const struct vtb_cell_info *c = &info->cells[i];
        if (!c->done)
            continue;
        vtb_json_object_begin(w);
        vtb_json_kv_uint(w, "cell", i);
        vtb_json_kv_uint(w, "threads", c->threads);
        vtb_json_kv_string(w, "load", c->load);
        if (strncmp(c->load, "open", 4) == 0)
            snprintf(text, sizeof(text), "open loop: every operation, from its intended "
                                         "start (coordinated omission corrected); "
                                         "*_uncorrected from its actual issue");
        else if (c->latency_sample_every == 0)
            snprintf(text, sizeof(text), "closed loop: misses only");
        else
            snprintf(text, sizeof(text), "closed loop, sampled: 1 in %llu operations, "
                                         "weighted (exact mode: every miss)",
                     (unsigned long long)c->latency_sample_every);
        vtb_json_kv_string(w, "latency_recording", text);
        vtb_json_kv_string(w, "cache_lock", c->cache_lock);
        vtb_json_kv_uint(w, "shared_writes_per_hit", c->shared_writes_per_hit);
        vtb_json_kv_bool(w, "pin_threads", c->pin_threads);
        vtb_json_kv_string(w, "worker_cpus", c->worker_cpus);
        vtb_json_kv_uint(w, "jemalloc_narenas", c->jemalloc_narenas);
        vtb_json_kv_bool(w, "jemalloc_tcache", c->jemalloc_tcache);
        vtb_json_object_end(w);
    }
    vtb_json_array_end(w);
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
    write_cells(&w, info);
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
