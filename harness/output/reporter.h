/*
 * The reporter interface: formatters fed plain-data records.
 *
 * Each output format (results.csv, samples.csv, results.json, the .hgrm
 * files, context.json, the console summary) is one const struct
 * vtb_reporter_ops listed once in reporter_list.h and found by name. The
 * runner calls begin once, record once per cell x implementation in run
 * order, and end once, also after an interruption (info->complete false),
 * so that every completed cell is written. File reporters write to a
 * temporary name and rename on end, so no reader ever sees half a file; on
 * any failure they remove what they wrote and return the error.
 */
#ifndef VTB_REPORTER_H
#define VTB_REPORTER_H

#include <stddef.h>
#include <stdio.h>

#include "record.h"
#include "vtb/error.h"

struct vtb_reporter_ops {
    const char *name;      /* e.g. "csv" */
    const char *summary;   /* one line for `vtbench list` */
    size_t state_size;     /* bytes of state the runner allocates, zeroed */
    /* Prepares the output (files go in info->run_dir). */
    int (*begin)(void *state, const struct vtb_run_info *info, struct vtb_error *err);
    /* Formats one record. */
    int (*record)(void *state, const struct vtb_record *rec, struct vtb_error *err);
    /* Finishes and publishes the output (rename into place). */
    int (*end)(void *state, const struct vtb_run_info *info, struct vtb_error *err);
    /* Discards partial output after a failure elsewhere; may be NULL. */
    void (*abort)(void *state);
};


/* The reporter called name, or NULL. */
const struct vtb_reporter_ops *vtb_reporter_find(const char *name);

/* Number of reporters and the i-th in listing order. */
size_t vtb_reporter_count(void);
const struct vtb_reporter_ops *vtb_reporter_at(size_t index);

#endif /* VTB_REPORTER_H */
