/*
 * The claims of the .NET articles that report.md tests (docs/claims.md
 * lists them with their sources): each with the articles' figure, the
 * primary source's figure where there is one, the value measured in this
 * run, and a verdict computed from it. Nothing about the outcome is written
 * in advance: the figures are constants (they are what is being tested),
 * and each claim has an evaluator that picks the cells it needs from the
 * claims slice (hit ratio free, everything else held, one thread when
 * measured) and decides.
 *
 * Verdicts are three-way (ratios.h): a time claim is decided from the
 * paired ratio's 95% interval against the claimed range, confirmed only
 * when the whole interval lies inside it, refuted when wholly outside,
 * inconclusive when it straddles a boundary. A claim that holds because of
 * how the code is built (both strategies share one miss path, so "a miss
 * costs the same" cannot fail) is "by construction": reported with what
 * was measured, and never counted as a confirmation. Internal to reports/
 * (vtb__claim_ names); depends on report_data.h and report_slice.h, and
 * report_md.c writes the results.
 */
#ifndef VTB_CLAIMS_H
#define VTB_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>

#include "ratios.h"
#include "report.h"
#include "report_data.h"

/* Within this fraction of the articles' figure counts as "about" it for
 * sizes and totals, which are counted exactly (no interval). */
#define VTB__CLAIM_TOLERANCE 0.30

#define VTB__CLAIM_TEXT_MAX 512

/* What every claim is judged on. */
struct vtb__claim_ctx {
    const struct vtb__report_data *d;
    bool multi_threaded;             /* the claims slice has no one-thread cell */
    char held[VTB_REPORT_NOTE_MAX];  /* the slice's held axes ("threads=1"), or "" */
};

/* One claim, judged. */
struct vtb__claim_result {
    const char *text;     /* the claim */
    const char *articles; /* the articles' figure */
    const char *primary;  /* the primary source's figure and its source, or "none" */
    enum vtb_verdict verdict;
    char measured[VTB__CLAIM_TEXT_MAX]; /* the values measured here, with intervals */
    char why[VTB__CLAIM_TEXT_MAX];      /* the reason for the verdict */
};

/* How many claims got each verdict. */
struct vtb__claim_tally {
    unsigned count[VTB_VERDICT_NOT_MEASURED + 1]; /* by enum vtb_verdict */
};

/* Sets cx up for the run d: the claims slice and whether it is one thread. */
void vtb__claim_ctx_init(struct vtb__claim_ctx *cx, const struct vtb__report_data *d);

/* The number of claims. */
size_t vtb__claim_count(void);

/* Judges claim k (below vtb__claim_count) on cx into res. */
void vtb__claim_eval(const struct vtb__claim_ctx *cx, size_t k, struct vtb__claim_result *res);

/* Judges every claim and counts the verdicts. */
void vtb__claim_tally(const struct vtb__claim_ctx *cx, struct vtb__claim_tally *t);

/*
 * The verdict of a claim that a paired ratio lies in [lo, hi] (either
 * bound may be infinite): vtb_verdict_of on its 95% interval, except that
 * a ratio from fewer than 2 rounds (no interval) is inconclusive and a
 * missing one is not measured.
 */
enum vtb_verdict vtb__claim_judge_ratio(const struct vtb_ratio *r, double lo, double hi);

/*
 * The figures the alloc-1m chart draws as markers: the megabytes that
 * 1,000,000 calls allocate at hit ratio h by the articles' account and by
 * the primary sources' object sizes, for "alloc-task" (Task<T>) and
 * "value-task" (ValueTask<T>). Returns the number stored (at most max).
 */
struct vtb__claim_marker {
    double hit_ratio;
    const char *impl;
    const char *source; /* "articles" or "primary" */
    double mb;
};
size_t vtb__claim_markers(struct vtb__claim_marker *out, size_t max);

#endif /* VTB_CLAIMS_H */
