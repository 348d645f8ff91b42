/*
 * Comparison of two runs for regression gating (`vtbench compare`): which
 * metrics of which cells got better, stayed the same, got worse, or were
 * too noisy to tell, under rules strict enough to catch a real regression
 * and loose enough that two runs of the same build on a busy CI machine do
 * not raise a false alarm.
 *
 * Inputs are results.csv files (a run directory's, or a baseline under
 * results/baselines/) plus, when present, the per-repetition samples.csv
 * next to them. Rows are matched by identity, not by position: scenario,
 * implementation and every axis column (threads, hit_ratio_target, keys,
 * load, ...: key_columns[] at the top of compare.c is the one list). A cell
 * present on one side only is reported as such.
 *
 * The gate fails closed: what it cannot judge it refuses, with the file,
 * the line and the column, rather than passing it. Refused are
 *   - a results file without one of the identifying columns (a row of it
 *     cannot say which cell it is);
 *   - two rows of one file with the same identity (naming both lines: which
 *     of them to compare would be a guess), and two rows with the same
 *     scenario, impl and cell_index when samples.csv must be joined on
 *     those;
 *   - a count, size or time that is negative or not finite ("inf", "nan")
 *     in any column the rules read: the metrics below, ns_per_op and its
 *     median, ns_per_op_cv, ops, repetitions, pool_misses,
 *     floor_ns_per_hit, and the samples' ns_per_op. An empty field means
 *     "not measured" (NaN), as vtbench writes it, and is allowed;
 *   - a samples.csv that gives one repetition of one cell twice (the same
 *     scenario, impl, cell_index and repetition). A samples row of no
 *     results row is ignored.
 *
 * Rules, per metric (VTB_COMPARE_METRICS):
 *   - Deterministic metrics (allocations, bytes, pool misses per op,
 *     errors, wrong values, instructions per op) are compared exactly, or
 *     within a relative tolerance (default 0, instructions_per_op 1%): more
 *     than base * (1 + tolerance) is "slower" (worse: a regression), less
 *     than base * (1 - tolerance) is "faster" (better), else "same". A
 *     zero base therefore tolerates nothing. A metric measured in base but
 *     not in new is "missing", a regression too (the gate lost its data).
 *   - Invariants are checked on every new row whatever the base says: an
 *     implementation that must not allocate (value-task and pooled on hits,
 *     pooled everywhere once warm) has allocs_per_op == 0.
 *   - Time (ns_per_op, the median of the repetitions) needs evidence twice
 *     over: a two-sided Mann-Whitney U test at alpha (default 0.05) on the
 *     repetitions AND a median ratio beyond the threshold (default 10%)
 *     make "slower" or "faster". A coefficient of variation above cv_max
 *     (default 10%) on either side makes "noisy" whatever the test says:
 *     the environment changed under the measurement and nothing can be
 *     concluded. Likewise when the cell's floor (floor_ns_per_hit: the bare
 *     cache lookup, measured interleaved with the implementations in the
 *     same run) moved beyond the threshold too: the machine, not the code,
 *     changed between the runs. Without samples.csv there is no test, so a
 *     ratio beyond the threshold is "noisy" rather than "slower". Fewer
 *     than min_reps (default 5) repetitions is a warning: with 3 against 3
 *     the exact test can never reach p < 0.05. Rows from an
 *     instruction-count run (valgrind makes their times meaningless) get no
 *     time verdict.
 *
 * Everything here returns plain data and prints nothing; cmd_compare.c
 * formats it and turns it into an exit code.
 */
#ifndef VTB_COMPARE_H
#define VTB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_reader.h"
#include "vtb/error.h"

/*
 * XX(ID, name, kind, default tolerance, what it is). kind is TIME (the
 * statistical rule) or EXACT (the deterministic rule). name is the metric's
 * name in results.csv, except pool_misses_per_op, which is pool_misses
 * divided by ops x repetitions.
 */
#define VTB_COMPARE_METRICS(XX)                                                             \
    XX(NS_PER_OP, ns_per_op, TIME, 0.0, "ns per operation, median of the repetitions")     \
    XX(ALLOCS_PER_OP, allocs_per_op, EXACT, 0.0, "library allocations per operation")      \
    XX(BYTES_PER_OP, bytes_per_op, EXACT, 0.0, "jemalloc usable bytes per operation")      \
    XX(REQUESTED_BYTES_PER_OP, requested_bytes_per_op, EXACT, 0.0,                          \
       "bytes asked of malloc per operation")                                               \
    XX(POOL_MISSES_PER_OP, pool_misses_per_op, EXACT, 0.0,                                  \
       "pool misses (a source allocated) per operation")                                    \
    XX(ERRORS, errors, EXACT, 0.0, "failed gets or consumptions")                          \
    XX(VALUE_MISMATCHES, value_mismatches, EXACT, 0.0, "results that differed from the "    \
                                                       "backend's value")                   \
    XX(INSTRUCTIONS_PER_OP, instructions_per_op, EXACT, 0.01,                               \
       "instructions per operation (callgrind, vtbench run --instructions)")

enum vtb_compare_metric {
#define VTB__COMPARE_METRIC_ENUM(id, name, kind, tolerance, text) VTB_COMPARE_##id,
    VTB_COMPARE_METRICS(VTB__COMPARE_METRIC_ENUM)
#undef VTB__COMPARE_METRIC_ENUM
    VTB_COMPARE_METRIC_COUNT
};

/* XX(ID, text) */
#define VTB_COMPARE_VERDICTS(XX)                                                     \
    XX(SAME, "same")       /* no change beyond the rules' margins */               \
    XX(FASTER, "faster")   /* better: less time, fewer allocations, ... */          \
    XX(SLOWER, "slower")   /* worse: a regression */                               \
    XX(NOISY, "noisy")     /* too much spread to conclude */                       \
    XX(MISSING, "missing") /* measured in base, not in new */                      \
    XX(SKIPPED, "n/a")     /* not compared (see the entry's note) */

enum vtb_compare_verdict {
#define VTB__COMPARE_VERDICT_ENUM(id, text) VTB_COMPARE_VERDICT_##id,
    VTB_COMPARE_VERDICTS(VTB__COMPARE_VERDICT_ENUM)
#undef VTB__COMPARE_VERDICT_ENUM
    VTB_COMPARE_VERDICT_COUNT
};

/* Warning bits of an entry. */
enum vtb_compare_warn {
    VTB_COMPARE_WARN_FEW_REPS = 1u << 0,   /* fewer than min_reps repetitions on a side */
    VTB_COMPARE_WARN_NO_SAMPLES = 1u << 1, /* no samples.csv: significance not tested */
};

struct vtb_compare_options {
    double threshold;    /* time: relative change of the median that matters, 0.10 */
    double alpha;        /* time: significance level of the Mann-Whitney test, 0.05 */
    double cv_max;       /* time: CV above which a side is noisy, 0.10 */
    unsigned min_reps;   /* time: fewer repetitions is a warning, 5 */
    bool time_gate;      /* false: time verdicts are reported but never fail */
    bool fail_on_noisy;  /* a noisy time verdict fails (when time_gate is on) */
    double tolerance[VTB_COMPARE_METRIC_COUNT]; /* EXACT metrics: relative, >= 0 */
};

/* Fills o with the defaults above and each metric's default tolerance. */
void vtb_compare_options_default(struct vtb_compare_options *o);

/*
 * Applies "METRIC=VALUE" to o: VALUE is a relative tolerance as a fraction
 * ("0.02") or a percentage ("2%"), finite and >= 0. Returns 0, or VTB_EINVAL
 * with a message naming the unknown metric, a TIME metric (whose margin is
 * the threshold) or the bad value.
 */
int vtb_compare_parse_tolerance(struct vtb_compare_options *o, const char *spec,
                                struct vtb_error *err);

/* The metric's name ("allocs_per_op") and description; NULL when out of range. */
const char *vtb_compare_metric_name(enum vtb_compare_metric metric);
const char *vtb_compare_metric_text(enum vtb_compare_metric metric);

/* The verdict's text ("slower"); "?" when out of range. */
const char *vtb_compare_verdict_name(enum vtb_compare_verdict verdict);

/* One side of a comparison as parsed tables (for callers that have them in
 * memory, such as tests). samples may be NULL. */
struct vtb_compare_side {
    const struct vtb_csv_table *results;
    const struct vtb_csv_table *samples;
};

/* One side loaded from disk. */
struct vtb_compare_input {
    char results_path[1024];
    char samples_path[1024]; /* "" when there is no samples file */
    struct vtb_csv_table results;
    struct vtb_csv_table samples;
    bool has_samples;
};

/*
 * Loads path: a run directory (DIR/results.csv, DIR/samples.csv) or a
 * results file (X/results.csv with X/samples.csv, or NAME.csv with
 * NAME.samples.csv, the baseline layout). A missing samples file is fine;
 * a malformed one is an error. Returns 0; VTB_EIO (cannot read, with the
 * path), VTB_ESYNTAX/VTB_ERANGE ("FILE:LINE: ..." from the CSV reader, or a
 * missing column: an identifying one, ops, repetitions, or one of samples.csv's
 * scenario, cell_index, impl, repetition, ns_per_op), VTB_ENOMEM. Free with
 * vtb_compare_input_free.
 */
int vtb_compare_load(struct vtb_compare_input *in, const char *path, struct vtb_error *err);

void vtb_compare_input_free(struct vtb_compare_input *in);

/* The side of a loaded input, for vtb_compare_run. */
struct vtb_compare_side vtb_compare_input_side(const struct vtb_compare_input *in);

#define VTB_COMPARE_TEXT 64
#define VTB_COMPARE_LABEL 256
#define VTB_COMPARE_NOTE 160

/* A cell x implementation, matched across the two sides or present on one. */
struct vtb_compare_cell {
    char scenario[VTB_COMPARE_TEXT];
    char impl[VTB_COMPARE_TEXT];
    char label[VTB_COMPARE_LABEL]; /* axis=value for the axes that vary, or the scenario */
    long base_row, new_row;        /* data row in each results table, -1 when absent */
    size_t base_line, new_line;    /* its line in the file, 0 when absent */
};

/* One metric of one cell (or one invariant check of one new row). */
struct vtb_compare_entry {
    size_t cell; /* index into cells */
    enum vtb_compare_metric metric;
    const char *invariant; /* the rule checked (static text), or NULL for a comparison */
    double base_value, new_value;
    double ratio;          /* new / base; NaN when either is NaN, inf when base is 0 */
    enum vtb_compare_verdict verdict;
    bool regression;       /* fails the gate under the options */
    unsigned warnings;     /* VTB_COMPARE_WARN_... */
    /* Time metrics only (NaN / 0 otherwise). */
    double p_value;
    double base_cv, new_cv;
    double floor_ratio;     /* new / base floor_ns_per_hit of the cell */
    unsigned base_n, new_n; /* repetitions behind each median */
    char note[VTB_COMPARE_NOTE]; /* why a verdict is what it is; "" when obvious */
};

struct vtb_compare_result {
    struct vtb_compare_cell *cells;
    size_t cell_count;
    struct vtb_compare_entry *entries;
    size_t entry_count;
    size_t matched, base_only, new_only; /* cells */
    size_t regressions;                  /* entries with regression set */
    size_t verdicts[VTB_COMPARE_VERDICT_COUNT]; /* entries per verdict */
    size_t warned;                       /* entries with any warning bit */
};

/*
 * Compares new against base under options (NULL = defaults) and fills
 * result (free with vtb_compare_result_free). Returns 0 (whatever the
 * verdicts: see result->regressions); VTB_ESYNTAX with "FILE:LINE: ..." for
 * a required column that is missing, a number that does not parse, a
 * negative or non-finite figure, a duplicate row or a duplicate sample (see
 * above); VTB_EINVAL when the two sides have no cell in common (comparing
 * unrelated files is a mistake, not a pass); VTB_ENOMEM.
 */
int vtb_compare_run(const struct vtb_compare_side *base, const struct vtb_compare_side *head,
                    const struct vtb_compare_options *options, struct vtb_compare_result *result,
                    struct vtb_error *err);

void vtb_compare_result_free(struct vtb_compare_result *result);

/*
 * Saves the run at run_path (a run directory or its results.csv) as the
 * baseline dir/NAME.csv, with its samples as dir/NAME.samples.csv (an
 * older NAME.samples.csv is removed when the run has none, or when it is
 * an instruction-count run, whose times mean nothing), each written
 * atomically. The files are copied byte for byte after they parsed and the
 * run was checked: complete (its context.json does not say
 * "complete": false) and without failed operations or wrong values. name
 * is letters, digits, '.', '_' and '-'. The paths written are stored in
 * results_out / samples_out (size bytes each; samples_out "" when none).
 * Returns 0; VTB_EINVAL (bad name, incomplete or failed run), VTB_EIO,
 * VTB_ESYNTAX, VTB_ENOSPC, VTB_ENOMEM, with a message in err.
 */
int vtb_compare_save_baseline(const char *run_path, const char *dir, const char *name,
                              char *results_out, char *samples_out, size_t size,
                              struct vtb_error *err);

#endif /* VTB_COMPARE_H */
