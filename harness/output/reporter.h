/*
 * The reporter interface: formatters fed plain-data records, one cell at a
 * time.
 *
 * Each output format is one const struct vtb_reporter_ops. The caller (the
 * command line) chooses the reporters, hands each its own options, and
 * hands the set to the run (reporter_set.h); the run knows none of them,
 * as Google Benchmark's runner is handed its display and file reporters.
 *
 * Lifecycle: begin once; cell once per completed cell with the records of
 * every implementation; finish once (also after an interruption or a
 * failure, with info->complete false), which for a file reporter flushes,
 * fsyncs and closes its files under their temporary names; then publish,
 * which renames them into place. Splitting finish from publish lets the
 * set publish nothing unless every file could be finished, and write
 * context.json, which says whether the run is complete, last. abort
 * discards whatever is not published, at any point.
 *
 * File reporters (VTB_REPORTER_FILE) write into info->run_dir, and their
 * failure makes the run directory incomplete. Display reporters
 * (VTB_REPORTER_DISPLAY, the console) write to a stream; their failure is
 * reported but leaves the results complete.
 */
#ifndef VTB_REPORTER_H
#define VTB_REPORTER_H

#include <stddef.h>
#include <stdio.h>

#include "record.h"
#include "vtb/error.h"

enum vtb_reporter_kind {
    VTB_REPORTER_FILE,    /* files in the run directory */
    VTB_REPORTER_DISPLAY, /* a stream for a person */
};

struct vtb_reporter_ops {
    const char *name;    /* e.g. "csv" */
    const char *summary; /* one line for `vtbench list` */
    enum vtb_reporter_kind kind;
    size_t state_size;   /* bytes of state the set allocates, zeroed */
    /* Prepares the output. config is the reporter's own options, as the
     * caller handed them in (NULL: defaults). */
    int (*begin)(void *state, const void *config, const struct vtb_run_info *info,
                 struct vtb_error *err);
    /* Formats one completed cell: count records, one per implementation. */
    int (*cell)(void *state, const struct vtb_run_info *info, const struct vtb_record *records,
                size_t count, struct vtb_error *err);
    /* Completes the output with the run's final status (not yet published). */
    int (*finish)(void *state, const struct vtb_run_info *info, struct vtb_error *err);
    /* Publishes finished files under their final names; NULL for displays. */
    int (*publish)(void *state, struct vtb_error *err);
    /* Discards what is not published; safe at any point. May be NULL. */
    void (*abort)(void *state);
};

/* The built-in file reporter called name, or NULL. */
const struct vtb_reporter_ops *vtb_reporter_find(const char *name);

/* Number of built-in file reporters and the i-th in listing order. */
size_t vtb_reporter_count(void);
const struct vtb_reporter_ops *vtb_reporter_at(size_t index);

#endif /* VTB_REPORTER_H */
