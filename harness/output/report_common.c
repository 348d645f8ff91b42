/*
 * Helpers shared by the reporters (see report_common.h).
 */
#include "report_common.h"

#include <ctype.h>

const struct vtb_context *vtb__report_context_or_empty(const struct vtb_run_info *info)
{
    static const struct vtb_context empty;
    return info != NULL && info->context != NULL ? info->context : &empty;
}

void vtb__report_json_context(struct vtb_json_writer *w, const struct vtb_context *ctx,
                              vtb__context_key_fn rename)
{
    struct vtb_context_field fields[VTB_CONTEXT_FIELDS_MAX];
    size_t n = vtb_context_fields(ctx, fields, VTB_CONTEXT_FIELDS_MAX);

    /* The header promises n never exceeds the maximum; clamp regardless. */
    if (n > VTB_CONTEXT_FIELDS_MAX)
        n = VTB_CONTEXT_FIELDS_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct vtb_context_field *f = &fields[i];
        const char *key = rename != NULL ? rename(f->key) : f->key;

        if (key == NULL)
            continue;
        vtb_json_key(w, key);
        switch (f->kind) {
        case VTB_CONTEXT_STRING:
            vtb_json_string(w, f->value.str);
            break;
        case VTB_CONTEXT_INT:
            vtb_json_int(w, f->value.i);
            break;
        case VTB_CONTEXT_REAL:
            vtb_json_double(w, f->value.real);
            break;
        case VTB_CONTEXT_BOOL:
            vtb_json_bool(w, f->value.b);
            break;
        default:
            vtb_json_null(w); /* a kind newer than this reporter */
        }
    }
}

/* One entry of object_sizes; usable 0 means "not allocated on its own". */
static void object_size(struct vtb_json_writer *w, const char *name, size_t bytes,
                        size_t usable)
{
    vtb_json_key(w, name);
    vtb_json_object_begin(w);
    vtb_json_kv_uint(w, "bytes", bytes);
    if (usable != 0)
        vtb_json_kv_uint(w, "usable_bytes", usable);
    vtb_json_object_end(w);
}

void vtb__report_json_run(struct vtb_json_writer *w, const struct vtb_run_info *info,
                          bool with_status)
{
    const struct vtb_object_sizes *z = &info->sizes;

    vtb_json_kv_string(w, "scenario", info->scenario);
    vtb_json_kv_string(w, "scenario_file", info->scenario_file);
    if (with_status) {
        vtb_json_kv_bool(w, "complete", info->complete);
        vtb_json_kv_uint(w, "cells_done", info->cells_done);
    }
    vtb_json_kv_uint(w, "cell_count", info->cell_count);
    vtb_json_kv_uint(w, "impl_count", info->impl_count);
    vtb_json_kv_bool(w, "instructions_mode", info->instructions_mode);
    vtb_json_kv_double(w, "floor_ns_per_hit", info->floor_ns_per_hit);
    vtb_json_kv_double(w, "timer_overhead_ns", info->timer_overhead_ns);
    vtb_json_kv_double(w, "clock_resolution_ns", info->clock_resolution_ns);

    /* Sizes as compiled, next to what the allocator reserves for the
     * heap-allocated ones: the bytes per operation the reports show are
     * usable sizes, so a reader needs both to tell padding from payload. */
    vtb_json_key(w, "object_sizes");
    vtb_json_object_begin(w);
    object_size(w, "vresult", z->vresult, 0);
    object_size(w, "task", z->task, info->jemalloc_task_usable);
    object_size(w, "task_pending", z->task_pending, info->jemalloc_task_pending_usable);
    object_size(w, "source", z->source, info->jemalloc_source_usable);
    object_size(w, "core", z->core, 0);
    object_size(w, "fetch", z->fetch, 0);
    vtb_json_object_end(w);
}

const char *vtb__report_token(const char *text, char *buf, size_t size)
{
    size_t i = 0;

    if (size == 0)
        return buf;
    for (; text[i] != '\0' && i + 1 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        buf[i] = c == '/' || iscntrl(c) ? '_' : (char)c;
    }
    buf[i] = '\0';
    return buf;
}
