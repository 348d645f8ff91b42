/*
 * The vocabulary and the deterministic rules of the regression gate: which
 * metrics it compares and how, the verdicts and the notes that explain
 * them, the options, the exact rule for counts and the invariants every
 * new run must hold. The time rule has its own module (compare_time.h);
 * compare.h puts them together and describes the whole gate.
 */
#ifndef VTB_COMPARE_RULES_H
#define VTB_COMPARE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "vtb/error.h"

/*
 * XX(ID, name, kind, default tolerance, what it is). kind is TIME (the time
 * rule, compare_time.h) or EXACT (vtb_compare_judge_exact). name is the
 * metric's column in results.csv, except pool_misses_per_op, which is
 * pool_misses divided by ops x repetitions.
 */
#define VTB_COMPARE_METRICS(XX)                                                             \
    XX(NS_PER_OP, ns_per_op, TIME, 0.0, "ns per operation (per-round times, see the rule)") \
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
#define VTB_COMPARE_VERDICTS(XX)                                                        \
    XX(SAME, "same")       /* no change beyond the rules' margins */                  \
    XX(FASTER, "faster")   /* better: less time, fewer allocations, ... */             \
    XX(SLOWER, "slower")   /* worse: a regression */                                  \
    XX(UNKNOWN, "unknown") /* time: the interval cannot tell; more rounds would */     \
    XX(MISSING, "missing") /* measured in base, not in new */                         \
    XX(SKIPPED, "n/a")     /* not compared (see the entry's note) */

enum vtb_compare_verdict {
#define VTB__COMPARE_VERDICT_ENUM(id, text) VTB_COMPARE_VERDICT_##id,
    VTB_COMPARE_VERDICTS(VTB__COMPARE_VERDICT_ENUM)
#undef VTB__COMPARE_VERDICT_ENUM
    VTB_COMPARE_VERDICT_COUNT
};

/* Why a verdict is what it is, where that is not obvious. XX(ID, text) */
#define VTB_COMPARE_NOTES(XX)                                                               \
    XX(NONE, "")                                                                           \
    XX(NOT_MEASURED, "not measured on either side")                                        \
    XX(LOST, "measured in base, not in new")                                               \
    XX(NOT_IN_BASE, "not measured in base")                                                \
    XX(TOLERANCE, "beyond the tolerance")                                                  \
    XX(INSTRUCTIONS, "instruction-count run: times under valgrind are not comparable")     \
    XX(NO_TIME_NEW, "no time in new")                                                      \
    XX(NO_TIME_BASE, "no time in base")                                                    \
    XX(NO_SAMPLES, "no per-round times (samples.csv) on a side")                           \
    XX(FEW_ROUNDS, "fewer than 2 usable rounds on a side: needs more rounds")              \
    XX(STRADDLES, "the interval reaches across the threshold: needs more rounds")           \
    XX(DISAGREE, "the raw times do not show that change: the floor moved unlike the cell") \
    XX(FEW_RUNS, "fewer than 2 usable runs on a side: needs more runs")                    \
    XX(STRADDLES_RUNS, "the interval reaches across the threshold: needs more runs")

enum vtb_compare_note {
#define VTB__COMPARE_NOTE_ENUM(id, text) VTB_COMPARE_NOTE_##id,
    VTB_COMPARE_NOTES(VTB__COMPARE_NOTE_ENUM)
#undef VTB__COMPARE_NOTE_ENUM
    VTB_COMPARE_NOTE_COUNT
};

struct vtb_compare_options {
    double threshold;     /* time: the change that matters, relative (0.10) */
    bool time_gate;       /* false: time verdicts are reported but never fail */
    bool fail_on_unknown; /* an unknown time verdict fails too (when time_gate is on) */
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

/* True for the metrics judged by the exact rule. */
bool vtb_compare_metric_exact(enum vtb_compare_metric metric);

/* The verdict's text ("slower"); "?" when out of range. */
const char *vtb_compare_verdict_name(enum vtb_compare_verdict verdict);

/* The note's text ("" for VTB_COMPARE_NOTE_NONE); "?" when out of range. */
const char *vtb_compare_note_text(enum vtb_compare_note note);

/* value / base; NaN when either is NaN; 1 when both are 0; inf from a zero base. */
double vtb_compare_ratio(double base, double value);

/*
 * The exact rule, for a deterministic metric: more than base x (1 +
 * tolerance) is slower (a regression), less than base x (1 - tolerance)
 * faster, else same; so a zero base tolerates nothing. NaN is "not
 * measured": in base and not in new is missing (the gate lost its data, a
 * regression too), in new only or on neither side is not compared. Sets
 * *note (never NULL) and returns the verdict.
 */
enum vtb_compare_verdict vtb_compare_judge_exact(double base, double value, double tolerance,
                                                 enum vtb_compare_note *note);

/*
 * The invariants: what must hold in every row of a new run whatever the
 * base says, the claims of the design (background.md) that a regression
 * would silently break. Each says an implementation allocates nothing
 * (allocs_per_op == 0), on hits only or everywhere.
 */
size_t vtb_compare_invariant_count(void);

/* The rule of invariant i as a sentence; NULL when out of range. */
const char *vtb_compare_invariant_text(size_t i);

/* Whether invariant i applies to a row of impl at hit_ratio_target (NaN:
 * an emergent hit ratio, which a hits-only rule does not cover). */
bool vtb_compare_invariant_applies(size_t i, const char *impl, double hit_ratio_target);

#endif /* VTB_COMPARE_RULES_H */
