/*
 * The one lifecycle of a reporter that writes one file: open the file under
 * a temporary name at begin, write each cell, check for write errors after
 * every cell (so a full disk stops the run at the cell it happened in),
 * finish and fsync it at the end without publishing, rename it at publish,
 * and remove it on any failure. A reporter supplies only what goes into
 * the file (struct vtb_file_format); its begin is one call to
 * vtb_file_reporter_begin and the other entries of its ops are the
 * functions below. Its state starts with a struct vtb_file_reporter.
 */
#ifndef VTB_FILE_REPORTER_H
#define VTB_FILE_REPORTER_H

#include <stdio.h>

#include "atomic_file.h"
#include "reporter.h"

struct vtb_file_format {
    const char *file_name; /* in the run directory, e.g. "results.csv" */
    /* Each writes to out and returns 0 or an error; write errors of the
     * stream are found by the lifecycle. state is the reporter's state.
     * header and footer may be NULL. */
    int (*header)(void *state, FILE *out, const struct vtb_run_info *info,
                  struct vtb_error *err);
    int (*cell)(void *state, FILE *out, const struct vtb_record *records, size_t count,
                struct vtb_error *err);
    int (*footer)(void *state, FILE *out, const struct vtb_run_info *info,
                  struct vtb_error *err);
};

/* The first member of a file reporter's state. */
struct vtb_file_reporter {
    const struct vtb_file_format *format;
    struct vtb_atomic_file file;
};

int vtb_file_reporter_begin(void *state, const struct vtb_file_format *format,
                            const struct vtb_run_info *info, struct vtb_error *err);
int vtb_file_reporter_cell(void *state, const struct vtb_run_info *info,
                           const struct vtb_record *records, size_t count,
                           struct vtb_error *err);
int vtb_file_reporter_finish(void *state, const struct vtb_run_info *info,
                             struct vtb_error *err);
int vtb_file_reporter_publish(void *state, struct vtb_error *err);
void vtb_file_reporter_abort(void *state);

/* The ops of a one-file reporter whose begin is begin_fn. */
#define VTB_FILE_REPORTER_OPS(rname, rsummary, state_type, begin_fn)                          \
    {                                                                                          \
        .name = rname, .summary = rsummary, .kind = VTB_REPORTER_FILE,                        \
        .state_size = sizeof(state_type), .begin = begin_fn, .cell = vtb_file_reporter_cell,  \
        .finish = vtb_file_reporter_finish, .publish = vtb_file_reporter_publish,             \
        .abort = vtb_file_reporter_abort,                                                      \
    }

#endif /* VTB_FILE_REPORTER_H */
