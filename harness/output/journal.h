/*
 * The per-cell journal of a run: what survives a SIGKILL, an OOM kill or a
 * power cut.
 *
 * The result files of a run are written under temporary names and renamed
 * into place only at the end, so that nobody reads half a file; a process
 * killed before the end therefore leaves no result file at all. The
 * journal, RUN_DIR/journal, is the run's other copy: one record per
 * completed cell, appended with one write and fsynced before the next cell
 * starts, holding that cell's rows of results.csv, samples.csv and
 * percentiles.csv exactly as those files hold them (csv_files.h). A reader
 * that finds a run directory without context.json rebuilds the three tables
 * from it (vtb_journal_read), so every cell that had completed is
 * recoverable. The journal is removed once context.json says the run is
 * complete.
 *
 * Format (text, one item per line, LF):
 *   vtbench-journal 1
 *   H <file> <header row>                   once per CSV file
 *   C <cell index> <bytes> <checksum>       then exactly <bytes> bytes:
 *   R <file> <row>                          the cell's rows
 * <file> is results, samples or percentiles; <bytes> is the length of the
 * R lines that follow and <checksum> their FNV-1a 64-bit hash in hex. A
 * cell whose bytes are short or whose hash differs is not recovered, and
 * nor is anything after it. Only the last append can be torn (a crash in
 * the middle of its write): a damaged cell at the end of the file is that,
 * and benign; one followed by more of the file (its declared end short of
 * the file's, or an intact cell after it) is damage done to the journal
 * after it was written, and its reader says so (damaged).
 */
#ifndef VTB_JOURNAL_H
#define VTB_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_files.h"
#include "record.h"
#include "vtb/error.h"

#define VTB_JOURNAL_NAME "journal"

/* An open journal (the writer). Caller-owned; zero it before use. */
struct vtb_journal {
    int fd;          /* -1 when closed */
    char path[1024];
};

/* Creates RUN_DIR/journal (exclusively) with its header lines, fsynced.
 * Returns 0, VTB_ENOSPC, VTB_EIO, VTB_EEXIST, VTB_ENOMEM. */
int vtb_journal_create(struct vtb_journal *j, const char *run_dir, struct vtb_error *err);

/* Appends one completed cell's records and fsyncs. Returns 0 or an error
 * naming the journal (after which the journal is closed). */
int vtb_journal_append(struct vtb_journal *j, const struct vtb_record *records, size_t count,
                       struct vtb_error *err);

/* Closes the journal; with remove, deletes it too. Safe on a closed one. */
void vtb_journal_close(struct vtb_journal *j, bool remove);

/* What a journal held. */
struct vtb_journal_contents {
    char *csv[VTB_CSV_FILE_COUNT]; /* the rebuilt files: header and rows, NUL-terminated */
    size_t size[VTB_CSV_FILE_COUNT];
    unsigned cells;                /* cells recovered */
    bool torn;                     /* a partial or damaged cell was dropped, and all after it */
    bool damaged;                  /* and it was not the torn last write but damage before
                                    * the end of the journal */
    size_t damaged_line;           /* the journal's line where that cell begins, from 1 */
};

/*
 * Reads RUN_DIR/journal. Returns 0 and fills out (free with
 * vtb_journal_contents_free); VTB_ENOTFOUND when there is no journal;
 * VTB_ESYNTAX for a file that is not a journal; VTB_EIO, VTB_ENOMEM.
 */
int vtb_journal_read(const char *run_dir, struct vtb_journal_contents *out,
                     struct vtb_error *err);

void vtb_journal_contents_free(struct vtb_journal_contents *c);

#endif /* VTB_JOURNAL_H */
