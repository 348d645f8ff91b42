/*
 * The regression gate behind `vtbench compare`: which metrics of which
 * cells got better, stayed the same, got worse, or cannot be told yet,
 * between a base run and a new one.
 *
 * The gate is four modules, each with its own header:
 *   compare_side.h   one side: the run read through run_input (so that a
 *                    run that is not complete is refused, or taken with a
 *                    warning when the caller allows it), checked (missing
 *                    identifying columns, duplicates, negative or
 *                    non-finite figures are refused) and reduced to rows
 *   compare_index.h  the hash joins: rows by identity, samples to rows
 *   compare_rules.h  the metrics, verdicts, options, the exact rule and the
 *                    invariants
 *   compare_time.h   the time rule (an interval against the threshold, on
 *                    floor-normalised per-round times)
 * and this one, which matches the two sides' rows and applies the rules.
 *
 * Rows are matched by identity, not by position: scenario, implementation
 * and every axis the scenario key table marks for comparison. A cell
 * present on one side only is reported as such; two sides with no cell in
 * common are an error (comparing unrelated files is a mistake, not a
 * pass). Then, per matched cell:
 *   - deterministic metrics (allocations, bytes, pool misses per op,
 *     errors, wrong values, instructions per op): the exact rule, within a
 *     relative tolerance (default 0; instructions_per_op 1%); slower and
 *     missing are regressions;
 *   - time (ns_per_op): the time rule; slower is a regression when the
 *     time gate is on, unknown too when fail_on_unknown is set. Rows of an
 *     instruction-count run (valgrind makes their times meaningless) get
 *     no time verdict.
 * And on every new row, matched or not, the invariants.
 *
 * Everything here returns plain data and prints nothing; the front-end
 * formats it and turns it into an exit code.
 */
#ifndef VTB_COMPARE_H
#define VTB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare_rules.h"
#include "compare_side.h"
#include "compare_time.h"
#include "vtb/error.h"

#define VTB_COMPARE_NO_TIME UINT32_MAX

/* A cell x implementation, matched across the two sides or present on one. */
struct vtb_compare_cell {
    int32_t base_row, new_row; /* row in each side, -1 when absent */
    uint32_t time;             /* index into times; VTB_COMPARE_NO_TIME when unmatched */
};

/* One metric of one cell, or one invariant check of one new row. Kept
 * small: a large run has hundreds of thousands; the figures are read from
 * the sides on demand (vtb_compare_entry_values). */
struct vtb_compare_entry {
    uint32_t cell;           /* index into cells */
    unsigned char metric;    /* enum vtb_compare_metric */
    unsigned char verdict;   /* enum vtb_compare_verdict */
    unsigned char note;      /* enum vtb_compare_note */
    unsigned char invariant; /* 0: a comparison; i + 1: invariant i was checked */
    bool regression;         /* fails the gate under the options */
};

struct vtb_compare_result {
    const struct vtb_compare_side *base, *head; /* borrowed: must outlive the result */
    bool varies[VTB_COMPARE_KEY_MAX]; /* identifying columns that vary over both sides */
    struct vtb_compare_cell *cells;
    size_t cell_count;
    struct vtb_compare_time *times; /* the time rule's answer per matched cell */
    size_t time_count;
    struct vtb_compare_entry *entries;
    size_t entry_count;
    size_t matched, base_only, new_only; /* cells */
    size_t regressions;                  /* entries with regression set */
    size_t verdicts[VTB_COMPARE_VERDICT_COUNT]; /* comparison entries per verdict */
    size_t floor_moved;                  /* matched cells whose floor moved */
};

/*
 * Compares head (new) against base under options (NULL = defaults) and
 * fills result (free with vtb_compare_result_free), which refers to both
 * sides. Returns 0 whatever the verdicts (see result->regressions);
 * VTB_EINVAL when the sides have no cell in common; VTB_ENOMEM.
 */
int vtb_compare_run(const struct vtb_compare_side *base, const struct vtb_compare_side *head,
                    const struct vtb_compare_options *options, struct vtb_compare_result *result,
                    struct vtb_error *err);

void vtb_compare_result_free(struct vtb_compare_result *result);

/* The figures of an entry: the base and new values (the median time for
 * ns_per_op; 0 and the new value for an invariant), their ratio new /
 * base (for time, the rule's estimate) and, for time, its 95% interval
 * (NaN otherwise). NaN where not measured. */
struct vtb_compare_values {
    double base, value, ratio, ci_low, ci_high;
};

void vtb_compare_entry_values(const struct vtb_compare_result *r,
                              const struct vtb_compare_entry *e, struct vtb_compare_values *out);

/* The time rule's answer for a cell, or NULL for a cell on one side. */
const struct vtb_compare_time *vtb_compare_cell_time(const struct vtb_compare_result *r,
                                                     size_t cell);

/* The cell's scenario and implementation (valid while the sides live). */
const char *vtb_compare_cell_scenario(const struct vtb_compare_result *r, size_t cell);
const char *vtb_compare_cell_impl(const struct vtb_compare_result *r, size_t cell);

/* The cell's line in base's (base true) or new's results file; 0 when the
 * cell is not on that side. */
size_t vtb_compare_cell_line(const struct vtb_compare_result *r, size_t cell, bool base);

/*
 * Writes the cell's label into buf (size bytes, cut to fit): name=value for
 * each identifying column but impl that varies over the two sides
 * ("hit_ratio=0.8 threads=2"), or the scenario when none does. Built on
 * demand, from the sides: a result holds no text of its own. Returns buf.
 * The texts are the files' and may hold any byte: escape before printing.
 */
const char *vtb_compare_cell_label(const struct vtb_compare_result *r, size_t cell, char *buf,
                                   size_t size);

#endif /* VTB_COMPARE_H */
