/*
 * A side of a comparison made of several runs: a set.
 *
 * Why. The rounds of one run share one process, and on a noisy machine the
 * same build's time per operation differs from one process to the next by
 * more than the rounds of one run spread (compare_time.h). A comparison of
 * one run against one run then either calls that difference a change or,
 * to avoid false alarms, misses real ones. Several short runs per side,
 * alternated with the other side's as Chromium's Pinpoint does, let the
 * interval carry that variation: the time rule takes the run as its unit
 * when both sides are sets of at least two runs.
 *
 * What. A set is a directory that is not a run itself (no results.csv,
 * samples.csv, context.json or journal of its own) and holds at least one
 * subdirectory; every subdirectory (names beginning with '.' aside) is one
 * run of the set, in name order: what `vtbench run SCENARIO --out DIR`
 * leaves after being run several times. Files beside them are ignored.
 *
 * Every run is read through run_input like a side of its own (so a run
 * that is not complete is refused unless allowed), and the set fails
 * closed on top of that, naming the run:
 *   - a subdirectory that is not a complete run is refused (as a side);
 *   - the runs must agree on the build and machine their context.json
 *     names (version, revision, build type, flags, LTO, sanitizer,
 *     compiler, host, CPU, allocator): a set measures one build;
 *   - they must hold the same cells (every identity in each, no more) and
 *     either all or none have samples.csv;
 *   - at most VTB_COMPARE_SET_MAX_RUNS runs.
 * The merged side has the first run's rows, labels and lines; each row's
 * rounds are all its runs' rounds in order, with how many each gave
 * (run_rounds); a deterministic metric is the largest of its runs' (so the
 * gate asks that no run of the new set cost more than the costliest of the
 * base), NaN when a run did not measure it; the time shown is the median of
 * the runs' medians. Its state is complete only when every run is.
 */
#ifndef VTB_COMPARE_SET_H
#define VTB_COMPARE_SET_H

#include <stdbool.h>

#include "compare_side.h"
#include "vtb/error.h"

#define VTB_COMPARE_SET_MAX_RUNS 1000

/* Whether path is a set (above): a directory without results.csv,
 * samples.csv, context.json or journal, with a subdirectory. */
bool vtb_compare_set_is_set(const char *path);

/*
 * Opens the side at path: a set is loaded whole (its rounds too, so that
 * vtb_compare_side_read_rounds has nothing left to do), anything else with
 * vtb_compare_side_open. Returns 0; a run's refusal, prefixed with its path;
 * VTB_EINVAL for a set whose runs disagree (above) or that has too many;
 * VTB_EIO; VTB_ENOMEM. Free with vtb_compare_side_free (also after an
 * error).
 */
int vtb_compare_side_open_any(struct vtb_compare_side *s, const char *path, unsigned flags,
                              struct vtb_error *err);

#endif /* VTB_COMPARE_SET_H */
