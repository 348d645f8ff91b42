/*
 * The writer of a run directory: the reporters the caller chose, the
 * per-cell journal, and context.json, fed as one sink (results/record.h)
 * that the caller hands to the run.
 *
 * Completeness is earned, not assumed. At the end, every file reporter is
 * finished (its files flushed and fsynced under temporary names), every
 * finished one is published, and only then is context.json written, last,
 * with "complete": true when every cell was measured and every file was
 * published, and otherwise false with the reason and the fate of each file.
 * The journal is removed only after a complete context.json is in place.
 * A display reporter (the console) failing, a closed or full stdout, is
 * kept apart: it is reported once and never makes the results incomplete.
 * A cell that reached the run but not every output (the journal or a file
 * failed on it) is not counted in context.json's cells_done: the directory
 * says what it holds, not what was measured.
 */
#ifndef VTB_RUN_WRITER_H
#define VTB_RUN_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "context_json.h"
#include "journal.h"
#include "reporter.h"

struct vtb_reporter_slot {
    const struct vtb_reporter_ops *ops;
    const void *config;
    void *state;
    bool begun, finished, failed;
    struct vtb_error error;
};

/* Caller-owned; vtb_run_writer_init before use, vtb_run_writer_fini after. */
struct vtb_run_writer {
    struct vtb_reporter_slot *slots;
    size_t count;
    bool journaling;      /* keep a journal (set by init) */
    struct vtb_journal journal;
    bool journal_open, journal_failed;
    struct vtb_cell_note *cells; /* for context.json */
    size_t cell_count, cell_capacity;
    int argc;
    char *const *argv;
    /* What is on disk, for the caller to say: cells in the journal (fsynced;
     * recoverable while the journal is kept), cells every file reporter
     * took (the rows the published files hold), and whether context.json
     * was written (if not, why). */
    bool journal_created;
    unsigned cells_journaled;
    unsigned cells_written;
    bool cell_failed; /* a cell did not reach every output */
    bool context_written;
    struct vtb_error context_error;
    /* The outcome, once ended. */
    bool complete;              /* context.json says complete: true */
    bool display_failed;        /* a display reporter failed (reported, not fatal) */
    struct vtb_error display_error;
};

/* argc/argv: the command line, for context.json (borrowed). journal: keep
 * the per-cell journal (runs do; tests of single reporters need not). */
void vtb_run_writer_init(struct vtb_run_writer *w, int argc, char *const *argv, bool journal);

/* Adds a reporter with its own options (config may be NULL), in the order
 * they are fed. Returns 0 or VTB_ENOMEM. */
int vtb_run_writer_add(struct vtb_run_writer *w, const struct vtb_reporter_ops *ops,
                       const void *config, struct vtb_error *err);

/* The writer as a run sink; valid while w lives. */
void vtb_run_writer_sink(struct vtb_run_writer *w, struct vtb_record_sink *sink);

/* Discards whatever was not published and frees everything. */
void vtb_run_writer_fini(struct vtb_run_writer *w);

#endif /* VTB_RUN_WRITER_H */
