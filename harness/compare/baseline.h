/*
 * Saving a run as a baseline (`vtbench baseline`): the files a later
 * `vtbench compare DIR/NAME.csv NEW` reads, copied from a run that the
 * gate itself would accept.
 *
 * A baseline is the run's results.csv, samples.csv and context.json, saved
 * as DIR/NAME.csv, DIR/NAME.samples.csv and DIR/NAME.context.json. The run
 * is read through the gate's own loading (compare_side.h), so a run that
 * is not complete is refused unless the caller allows it, and so is any
 * file the gate would refuse later; a run with failed operations or wrong
 * values is refused too (it would make failures look normal). The files
 * are copied byte for byte, each through an atomic file. All three
 * temporaries are written before any is renamed, so a full disk leaves the
 * old baseline as it was, and the old NAME.context.json is removed before
 * the renames and the new one renamed last, so that a crash between them
 * leaves a baseline without context, which the gate refuses, rather than
 * new tables under an old verdict. A file the run does not have (samples
 * of an instruction-count run, whose times mean nothing; the context.json
 * of a run that never wrote one) is removed from DIR so that a stale one
 * is not read with the new tables. A run recovered from its journal is
 * saved from the journal's tables.
 */
#ifndef VTB_BASELINE_H
#define VTB_BASELINE_H

#include <stddef.h>

#include "run_input.h"
#include "vtb/error.h"

/* What vtb_baseline_save wrote, and what the run was. */
struct vtb_baseline_saved {
    char results[VTB_RUN_INPUT_PATH_MAX]; /* DIR/NAME.csv */
    char samples[VTB_RUN_INPUT_PATH_MAX]; /* DIR/NAME.samples.csv, "" when none */
    char context[VTB_RUN_INPUT_PATH_MAX]; /* DIR/NAME.context.json, "" when none */
    size_t rows;                          /* results rows saved */
    enum vtb_run_state state;             /* the run's state (not complete only when allowed) */
    char reason[VTB_ERROR_MESSAGE_MAX];   /* why it is not complete; "" when it is */
};

/*
 * Saves the run at run_path (a run directory, its results.csv, or another
 * baseline) as the baseline NAME in dir (created when missing), under flags
 * (VTB_RUN_INPUT_ALLOW_INCOMPLETE). name is letters, digits, '.', '_' and
 * '-'. Returns 0; VTB_EINVAL (bad name, a run that is not complete, no
 * results, failed operations); the gate's refusals (VTB_ESYNTAX,
 * VTB_ENOTFOUND); VTB_EIO, VTB_ENOSPC, VTB_ENOMEM; with a message in err.
 */
int vtb_baseline_save(const char *run_path, const char *dir, const char *name, unsigned flags,
                      struct vtb_baseline_saved *out, struct vtb_error *err);

#endif /* VTB_BASELINE_H */
