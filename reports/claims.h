/*
 * The claims of the .NET articles (../shared/background.md) that report.md
 * tests: each with the articles' figure, the value measured in this run,
 * and a verdict computed from it. Nothing about the outcome is written in
 * advance: the articles' figures are constants (they are what is being
 * tested), and each claim has an evaluator that picks the cells it needs
 * from the claims slice (hit ratio free, everything else held, one thread
 * when measured) and decides. Internal to reports/ (vtb__claim_ names);
 * depends on report_data.h and report_slice.h, and report_md.c writes the
 * results.
 */
#ifndef VTB_CLAIMS_H
#define VTB_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "report_data.h"

/* Within this fraction of the articles' figure counts as "the same" for
 * sizes and totals (times are judged on their 95% confidence intervals). */
#define VTB__CLAIM_TOLERANCE 0.30

#define VTB__CLAIM_TEXT_MAX 384

enum vtb__claim_verdict {
    VTB__CLAIM_NOT_MEASURED,   /* the run has no cell the claim needs */
    VTB__CLAIM_CONFIRMED,
    VTB__CLAIM_REFUTED,
    VTB__CLAIM_NOT_COMPARABLE, /* measured, but not as the articles did */
};

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
    enum vtb__claim_verdict verdict;
    char measured[VTB__CLAIM_TEXT_MAX]; /* the values measured here */
    char why[VTB__CLAIM_TEXT_MAX];      /* the reason for the verdict */
};

/* Sets cx up for the run d: the claims slice and whether it is one thread. */
void vtb__claim_ctx_init(struct vtb__claim_ctx *cx, const struct vtb__report_data *d);

/* The number of claims. */
size_t vtb__claim_count(void);

/* Judges claim k (below vtb__claim_count) on cx into res. */
void vtb__claim_eval(const struct vtb__claim_ctx *cx, size_t k, struct vtb__claim_result *res);

/* "confirmed", "refuted", "not comparable", "not measured in this run". */
const char *vtb__claim_verdict_name(enum vtb__claim_verdict v);

#endif /* VTB_CLAIMS_H */
