/*
 * context.json: everything needed to judge and reproduce a run apart from
 * the results themselves, and the run directory's verdict on itself.
 *
 *   {
 *     "complete": true only when every cell was measured and every output
 *                 file was published; written in the last file of the run,
 *     "status": "complete", "interrupted", "failed" or "outputs failed",
 *     "incomplete_reason": why not complete (absent when complete),
 *     "outputs": [{"reporter": "csv", "ok": true}, {"reporter": ...,
 *                 "ok": false, "error": "..."}, ...],
 *     "journal": "journal" while it is kept (an incomplete run), else absent,
 *     "vtbench": {"version", "git_revision", "command_line": [...]},
 *     "scenario", "scenario_file", "scenario_ini": "scenario.ini",
 *     "cells_done", "cell_count", "impl_count", "instructions_mode",
 *     "floor_ns_per_hit", "timer_overhead_ns",
 *     "object_sizes": {"task": {"bytes": 72, "usable_bytes": 80}, ...},
 *     "pin_threads", "shared_writes_per_hit": {"global": 6, ...},
 *     "cells": [{"cell", "threads", "load", "latency_recording",
 *                "cache_lock", "shared_writes_per_hit", "pin_threads",
 *                "worker_cpus", "jemalloc_narenas", "jemalloc_tcache"}, ...],
 *     "context": {every field of vtb_context_fields, under its own key}
 *   }
 */
#ifndef VTB_CONTEXT_JSON_H
#define VTB_CONTEXT_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"
#include "vtb/error.h"

#define VTB_CONTEXT_JSON_NAME "context.json"

/* How one completed cell ran, kept from its records for context.json. */
struct vtb_cell_note {
    size_t cell;
    unsigned threads;
    bool pin_threads;
    char worker_cpus[128];
    enum vtb_cache_lock cache_lock;
    unsigned shared_writes_per_hit;
    unsigned jemalloc_narenas;
    bool jemalloc_tcache;
    struct vtb_load load;
    uint64_t latency_sample_every; /* 1 in open loop: every operation */
};

/* Fills note from a cell's first record. */
void vtb_cell_note_from(struct vtb_cell_note *note, const struct vtb_record *rec);

/* One output file's fate. */
struct vtb_output_status {
    const char *reporter; /* its name: "csv", "hgrm", ... */
    bool ok;
    char error[VTB_ERROR_MESSAGE_MAX];
};

/* The run directory's verdict and the facts only the command line knows. */
struct vtb_context_status {
    bool complete;
    const char *status;            /* "complete", "interrupted", ... */
    const char *reason;            /* why not complete; NULL when complete */
    const struct vtb_output_status *outputs;
    size_t output_count;
    bool journal_kept;
    int argc;                      /* the command line, for reproduction */
    char *const *argv;
    const struct vtb_cell_note *cells;
    size_t cell_count;
};

/* Writes RUN_DIR/context.json atomically (fsynced, renamed, directory
 * synced). Returns 0 or the error of writing it. */
int vtb_context_json_write(const struct vtb_run_info *info, const struct vtb_context_status *st,
                           struct vtb_error *err);

#endif /* VTB_CONTEXT_JSON_H */
