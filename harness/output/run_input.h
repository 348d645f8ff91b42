/*
 * Reading a run's results back, for the gates and the report (`vtbench
 * compare`, `baseline`, `report`): the one place that decides whether a
 * run can be trusted.
 *
 * A run is given as a run directory, as its results.csv, or as a baseline
 * NAME.csv; its companions are found beside it:
 *   DIR/results.csv       DIR/samples.csv       DIR/percentiles.csv   DIR/context.json
 *   NAME.csv              NAME.samples.csv      NAME.percentiles.csv  NAME.context.json
 * and a run directory may hold DIR/journal (output/journal.h).
 *
 * The verdict comes from context.json, which a run writes last:
 *   - "complete": true and the results there: complete, used as is;
 *   - "complete": false: incomplete, with the reason it gives;
 *   - no context.json: the run never finished (killed, crashed, a power
 *     cut); what its journal holds is recovered, and the run is incomplete;
 *   - a context.json that is not JSON, or has no boolean "complete":
 *     corrupt, incomplete.
 * A baseline is judged by its NAME.context.json, which `vtbench baseline`
 * copies from the run. A baseline saved before it did so has none, and is
 * judged like any table without a context.json: nothing says it is
 * complete (the message says to save it again).
 * A run that is not complete is refused (VTB_EINVAL, one line saying why)
 * unless the caller allows it, and then its tables are what it holds: the
 * files, or the journal's cells when the files were never published.
 *
 * A run whose context.json says complete must also agree with itself, or
 * it is inconsistent, refused the same way (a cut file must not pass for a
 * run that measured less):
 *   - context.json has what vtbench always writes there: "status" (and it
 *     is "complete"), the counts "cell_count", "cells_done" (equal to
 *     cell_count) and "impl_count", and "outputs", each {"reporter", "ok"}
 *     with ok true and one of them csv; a name given twice in any object
 *     makes the file corrupt (json_reader.h);
 *   - results.csv is there, with columns cell_index, impl and repetitions,
 *     and exactly cells_done x impl_count rows: every cell of the run
 *     (cell_index below cell_count) with one row per implementation, as the
 *     runner emits them (measure/runner.h: a cell yields a record for
 *     every implementation, or the run fails);
 *   - when outputs says samples.csv was written (a baseline of an
 *     instruction-count run is saved without it, baseline.h), it is there
 *     and holds, for each results row, as many rounds as its repetitions
 *     say, and none of a row that results.csv does not have.
 * cell_index and repetitions must be plain decimal counts (no "0x10",
 * " 3" or "3.0"): VTB_ESYNTAX, "FILE:LINE: COLUMN: ...".
 */
#ifndef VTB_RUN_INPUT_H
#define VTB_RUN_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_reader.h"
#include "json_reader.h"
#include "vtb/error.h"

#define VTB_RUN_INPUT_PATH_MAX 1024

/* Flags of vtb_run_input_open. */
#define VTB_RUN_INPUT_ALLOW_INCOMPLETE 1u /* accept an incomplete run (the caller warns) */
#define VTB_RUN_INPUT_PERCENTILES 2u      /* read percentiles.csv too (the report) */
#define VTB_RUN_INPUT_SAMPLES_LATER 4u    /* leave samples to vtb_run_input_read_samples */

enum vtb_run_state {
    VTB_RUN_COMPLETE,   /* context.json says complete */
    VTB_RUN_INCOMPLETE, /* context.json says not, or is corrupt */
    VTB_RUN_RECOVERED,  /* no context.json: the tables come from the journal */
    VTB_RUN_UNKNOWN,    /* no context.json and no journal: a bare table */
    VTB_RUN_INCONSISTENT, /* context.json says complete, the files disagree (see the top) */
};

/* What the context.json of a run that says it is complete claims. */
struct vtb_run_claim {
    unsigned cell_count, cells_done, impl_count;
    bool instructions_mode;
    bool samples_written; /* outputs has the samples reporter */
};

/* A results row's rounds, for checking samples.csv against it (private). */
struct vtb__run_rounds;

struct vtb_run_input {
    char path[VTB_RUN_INPUT_PATH_MAX];        /* as given */
    char results_path[VTB_RUN_INPUT_PATH_MAX];
    char samples_path[VTB_RUN_INPUT_PATH_MAX];
    char percentiles_path[VTB_RUN_INPUT_PATH_MAX];
    char context_path[VTB_RUN_INPUT_PATH_MAX];
    char dir[VTB_RUN_INPUT_PATH_MAX];         /* the run directory, "" for a baseline */
    enum vtb_run_state state;
    char reason[VTB_ERROR_MESSAGE_MAX];       /* why it is not complete ("" when it is) */
    unsigned cells_recovered;                 /* from the journal (from_journal) */
    bool from_journal;                        /* the tables were rebuilt from DIR/journal */
    bool journal_torn;                        /* a damaged last record of it was dropped */
    size_t journal_damaged_line;              /* damage before its end, at this line; 0: none */
    struct vtb_csv_table results;
    struct vtb_csv_table samples;             /* valid when has_samples */
    struct vtb_csv_table percentiles;         /* valid when has_percentiles */
    bool has_samples, has_percentiles;
    struct vtb_json_doc context;              /* valid when has_context */
    bool has_context;
    unsigned flags;                           /* as opened */
    struct vtb_run_claim claim;               /* what context.json claims, when complete */
    struct vtb__run_rounds *rounds;           /* results rows' rounds, sorted; NULL unless */
    size_t round_rows;                        /* samples.csv is still to be checked */
};

/*
 * Opens the run at path (see the top). Returns 0; VTB_EINVAL when the run is
 * not complete and that is not allowed ("PATH: not a complete run: REASON;
 * refused (pass --allow-incomplete ...)", one line; "PATH: inconsistent
 * run: ..." for an inconsistent one), or a run with no results at all; VTB_ENOTFOUND when nothing is there; the CSV reader's
 * VTB_ESYNTAX/VTB_ERANGE for a malformed table; VTB_EIO; VTB_ENOMEM. Free
 * with vtb_run_input_close (also after an error).
 */
int vtb_run_input_open(struct vtb_run_input *in, const char *path, unsigned flags,
                       struct vtb_error *err);

/*
 * As vtb_run_input_open, keeping only the named columns of results.csv and
 * of samples.csv (NULL-terminated lists; NULL keeps every column): a gate
 * that reads a few of a large run's ninety columns holds only those
 * (vtb_csv_read_columns). A table rebuilt from the journal keeps every
 * column (it is a killed run's, which is small). Check for the columns the
 * caller needs with vtb_csv_column or vtb_csv_require.
 */
int vtb_run_input_open_columns(struct vtb_run_input *in, const char *path, unsigned flags,
                               const char *const *results_columns,
                               const char *const *samples_columns, struct vtb_error *err);

/*
 * Reads the samples now, keeping only columns (NULL: all), for a caller
 * that opened with VTB_RUN_INPUT_SAMPLES_LATER so as not to hold both
 * tables at once (it may vtb_csv_free in->results first; close stays
 * safe). From the journal when the results came from it. Returns 0 also
 * when there are no samples (has_samples stays false); the CSV reader's
 * and the journal's errors otherwise. Checks the samples of a complete run
 * (see the top): VTB_EINVAL for an inconsistent one unless allowed, which
 * then returns 0 with state and reason saying so.
 */
int vtb_run_input_read_samples(struct vtb_run_input *in, const char *const *columns,
                               struct vtb_error *err);

void vtb_run_input_close(struct vtb_run_input *in);

/* "complete", "incomplete", "recovered from its journal", "without
 * context.json", "inconsistent". */
const char *vtb_run_state_name(enum vtb_run_state state);

#endif /* VTB_RUN_INPUT_H */
