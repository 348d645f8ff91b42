/*
 * Helpers shared by several reporters, kept in one place so that the files
 * they write agree: the run-wide JSON members that both context.json and
 * results.json carry, the walk over the machine context, and the
 * sanitising of free text used in file and benchmark names. Internal to the
 * reporters (vtb__ names); not part of the reporter interface.
 */
#ifndef VTB_REPORT_COMMON_H
#define VTB_REPORT_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "context.h"
#include "json_writer.h"
#include "record.h"

/*
 * Maps a context key to the key to write, or NULL to leave the field out;
 * lets results.json avoid keys that Google Benchmark's schema already uses
 * with another meaning.
 */
typedef const char *(*vtb__context_key_fn)(const char *key);

/*
 * Writes every field of ctx (vtb_context_fields order) as a member of the
 * JSON object currently open in w: strings as strings, INT and REAL as
 * numbers, BOOL as true/false. rename may be NULL (keys as they are).
 */
void vtb__report_json_context(struct vtb_json_writer *w, const struct vtb_context *ctx,
                              vtb__context_key_fn rename);

/*
 * Writes the run-wide members of info into the JSON object open in w:
 * scenario, scenario_file, (with status: complete, cells_done,) cell_count,
 * impl_count, instructions_mode, floor_ns_per_hit, timer_overhead_ns and
 * object_sizes, an object giving each result object's size in bytes and,
 * for the heap-allocated ones, the usable size the allocator really
 * reserves for it (jemalloc's size class: a 72-byte request takes 80).
 */
void vtb__report_json_run(struct vtb_json_writer *w, const struct vtb_run_info *info,
                          bool with_status);

/*
 * Copies text into buf (size bytes, always terminated) with every '/' and
 * control character replaced by '_', so that it can be one component of a
 * file name or of a '/'-separated benchmark name (and cannot break a line
 * of the console or a terminal). Returns buf.
 */
const char *vtb__report_token(const char *text, char *buf, size_t size);

/* The context to format when info carries none: every field empty/zero. */
const struct vtb_context *vtb__report_context_or_empty(const struct vtb_run_info *info);

#endif /* VTB_REPORT_COMMON_H */
