/*
 * The writer of context.json (see context_json.h).
 */
#include "context_json.h"

#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "csv_files.h"
#include "json_writer.h"
#include "report_common.h"
#include "types.h"


void vtb_cell_note_from(struct vtb_cell_note *note, const struct vtb_record *rec)
{
    memset(note, 0, sizeof(*note));
    note->cell = rec->cell.index;
    note->threads = rec->cell.threads;
    note->pin_threads = rec->pin_threads;
    vtb_csv_format_cpus(rec, note->worker_cpus, sizeof(note->worker_cpus));
    note->cache_lock = rec->cell.cache_lock;
    note->shared_writes_per_hit = rec->shared_writes_per_hit;
    note->jemalloc_narenas = rec->jemalloc_narenas;
    note->jemalloc_tcache = rec->jemalloc_tcache;
    note->load = rec->cell.load;
    note->latency_sample_every = rec->latency_sample_every;
}

static const char *recording_text(const struct vtb_cell_note *c, char *buf, size_t size)
{
    if (c->load.kind == VTB_LOAD_OPEN)
        snprintf(buf, size, "open loop: every operation, from its intended start (coordinated "
                            "omission corrected); *_uncorrected from its actual issue");
    else if (c->latency_sample_every == 0)
        snprintf(buf, size, "closed loop: misses only");
    else
        snprintf(buf, size, "closed loop, sampled: 1 in %llu operations, weighted (exact "
                            "mode: every miss)",
                 (unsigned long long)c->latency_sample_every);
    return buf;
}

/* How threads and load were set up, run-wide and per completed cell: what
 * the scaling figures must be read against. */
static void write_cells(struct vtb_json_writer *w, const struct vtb_run_info *info,
                        const struct vtb_context_status *st)
{
    char text[192];
    const struct vtb_key *load_key = vtb_axis_key(VTB_AXIS_load);
    vtb_json_kv_bool(w, "pin_threads", info->pin_threads);
    vtb_json_key(w, "shared_writes_per_hit");
    vtb_json_object_begin(w);
    for (int lock = 0; lock < VTB_CACHE_LOCK_COUNT; lock++)
        vtb_json_kv_uint(w, vtb_cache_lock_name((enum vtb_cache_lock)lock),
                         vtb_cache_shared_writes_per_hit((enum vtb_cache_lock)lock));
    vtb_json_object_end(w);
    vtb_json_key(w, "cells");
    vtb_json_array_begin(w);
    for (size_t i = 0; i < st->cell_count; i++) {
        const struct vtb_cell_note *c = &st->cells[i];
        vtb_json_object_begin(w);
        vtb_json_kv_uint(w, "cell", c->cell);
        vtb_json_kv_uint(w, "threads", c->threads);
        vtb_json_kv_string(w, "load", load_key->type->format(load_key, &c->load, text,
                                                             sizeof(text)));
        vtb_json_kv_string(w, "latency_recording", recording_text(c, text, sizeof(text)));
        vtb_json_kv_string(w, "cache_lock", vtb_cache_lock_name(c->cache_lock));
        vtb_json_kv_uint(w, "shared_writes_per_hit", c->shared_writes_per_hit);
        vtb_json_kv_bool(w, "pin_threads", c->pin_threads);
        vtb_json_kv_string(w, "worker_cpus", c->worker_cpus);
        vtb_json_kv_uint(w, "jemalloc_narenas", c->jemalloc_narenas);
        vtb_json_kv_bool(w, "jemalloc_tcache", c->jemalloc_tcache);
        vtb_json_object_end(w);
    }
    vtb_json_array_end(w);
}

static void write_status(struct vtb_json_writer *w, const struct vtb_context_status *st)
{
    vtb_json_kv_bool(w, "complete", st->complete);
    vtb_json_kv_string(w, "status", st->status);
    if (!st->complete && st->reason != NULL)
        vtb_json_kv_string(w, "incomplete_reason", st->reason);
    vtb_json_key(w, "outputs");
    vtb_json_array_begin(w);
    for (size_t i = 0; i < st->output_count; i++) {
        vtb_json_object_begin(w);
        vtb_json_kv_string(w, "reporter", st->outputs[i].reporter);
        vtb_json_kv_bool(w, "ok", st->outputs[i].ok);
        if (!st->outputs[i].ok)
            vtb_json_kv_string(w, "error", st->outputs[i].error);
        vtb_json_object_end(w);
    }
    vtb_json_array_end(w);
    if (st->journal_kept)
        vtb_json_kv_string(w, "journal", "journal");
}

static void write_reproduction(struct vtb_json_writer *w, const struct vtb_run_info *info,
                               const struct vtb_context_status *st)
{
    const struct vtb_context *ctx = vtb__report_context_or_empty(info);
    vtb_json_key(w, "vtbench");
    vtb_json_object_begin(w);
    vtb_json_kv_string(w, "version", ctx->vtb_version);
    vtb_json_kv_string(w, "git_revision", ctx->git_revision);
    vtb_json_key(w, "command_line");
    vtb_json_array_begin(w);
    for (int i = 0; i < st->argc; i++)
        vtb_json_string(w, st->argv[i]);
    vtb_json_array_end(w);
    vtb_json_object_end(w);
    vtb_json_kv_string(w, "scenario_ini", "scenario.ini");
}

/* Backend: the run's server (docs/backends.md), or null when every cell
 * used the simulated backend:
 *   "backend": {"kind", "url", "started_by_vtbench", "pid", "version",
 *               "key_prefix", "keys_loaded", "load_seconds", "keys_deleted",
 *               "timeout_ns", "probe": {"requests", "count", "p50_ns",
 *               "p99_ns", "p50_min_ns", "p50_max_ns"},
 *               "settings": {NAME: VALUE, ...}} */
static void write_backend(struct vtb_json_writer *w, const struct vtb_backend_note *b)
{
    vtb_json_key(w, "backend");
    if (b == NULL) {
        vtb_json_null(w);
        return;
    }
    vtb_json_object_begin(w);
    vtb_json_kv_string(w, "kind", b->kind);
    vtb_json_kv_string(w, "url", b->url);
    vtb_json_kv_bool(w, "started_by_vtbench", b->started);
    vtb_json_kv_int(w, "pid", b->pid);
    vtb_json_kv_string(w, "version", b->version);
    vtb_json_kv_string(w, "key_prefix", b->key_prefix);
    vtb_json_kv_uint(w, "keys_loaded", b->keys_loaded);
    vtb_json_kv_double(w, "load_seconds", b->load_seconds);
    vtb_json_kv_uint(w, "keys_deleted", b->keys_deleted);
    vtb_json_kv_uint(w, "timeout_ns", b->timeout_ns);
    vtb_json_key(w, "probe");
    vtb_json_object_begin(w);
    vtb_json_kv_uint(w, "requests", b->probe_requests);
    vtb_json_kv_uint(w, "count", b->probes);
    vtb_json_kv_double(w, "p50_ns", b->probe_p50_ns);
    vtb_json_kv_double(w, "p99_ns", b->probe_p99_ns);
    vtb_json_kv_double(w, "p50_min_ns", b->probe_p50_min_ns);
    vtb_json_kv_double(w, "p50_max_ns", b->probe_p50_max_ns);
    vtb_json_object_end(w);
    vtb_json_key(w, "settings");
    vtb_json_object_begin(w);
    for (size_t i = 0; i < b->setting_count; i++)
        vtb_json_kv_string(w, b->settings[i].name, b->settings[i].value);
    vtb_json_object_end(w);
    vtb_json_object_end(w);
}

int vtb_context_json_write(const struct vtb_run_info *info, const struct vtb_context_status *st,
                           struct vtb_error *err)
{
    struct vtb_atomic_file file = {0};
    struct vtb_json_writer w;
    int rc = vtb_atomic_file_open(&file, info->run_dir, VTB_CONTEXT_JSON_NAME, err);
    if (rc != 0)
        return rc;
    vtb_json_init(&w, file.fp);
    vtb_json_object_begin(&w);
    write_status(&w, st);
    write_reproduction(&w, info, st);
    vtb__report_json_run(&w, info, false);
    vtb_json_kv_uint(&w, "cells_done", info->cells_done);
    write_cells(&w, info, st);
    write_backend(&w, info->backend);
    vtb_json_key(&w, "context");
    vtb_json_object_begin(&w);
    vtb__report_json_context(&w, vtb__report_context_or_empty(info), NULL);
    vtb_json_object_end(&w);
    vtb_json_object_end(&w);
    if (vtb_json_finish(&w) == VTB_EINVAL) {
        vtb_atomic_file_abort(&file);
        return vtb_error_set(err, VTB_EINVAL, "%s: internal error: malformed JSON document",
                             file.path);
    }
    return vtb_atomic_file_commit(&file, err);
}
