/*
 * What the two files of report.md share (report_md.c writes the document
 * and its first sections, report_md_findings.c the findings): the
 * Markdown helpers and the sections of the second file. Internal to
 * reports/ (vtb__md_ names).
 */
#ifndef VTB_REPORT_MD_INTERNAL_H
#define VTB_REPORT_MD_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "report_data.h"

/* Writes text for a table cell: '|' escaped, line breaks as spaces. */
void vtb__md_cell(FILE *out, const char *text);

/* Formats v with fmt into buf, or "n/a" when it is not finite; returns buf. */
const char *vtb__md_num(char *buf, size_t size, const char *fmt, double v);

/* A latency for a table into buf: "~30" when it is quantized (within ten
 * clock steps), "n/a" when unknown; returns buf. */
const char *vtb__md_latency(char *buf, size_t size, const struct vtb__report_data *d,
                            double v);

/* The latency of hits and misses of the claims' cells, with the timer
 * overhead and the clock's resolution stated beside them. */
void vtb__md_write_latency(FILE *out, const struct vtb__report_data *d);

/* Simulated against real misses, when the run sweeps the backend. */
void vtb__md_write_backends(FILE *out, const struct vtb__report_data *d);

/* The articles' claims: the tally, and a row per claim with the articles'
 * and primary figures, what was measured and the verdict. */
void vtb__md_write_claims(FILE *out, const struct vtb__report_data *d);

#endif /* VTB_REPORT_MD_INTERNAL_H */
