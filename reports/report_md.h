/*
 * report.md, the written part of `vtbench report` (see report.h), written
 * by report_md.c and report_md_findings.c: the machine, build and clock
 * from context.json, the noise, the summary table of results.csv, the
 * latency of hits and misses, simulated against real misses, the charts
 * with what each shows or why it was skipped, and the articles' claims
 * with their verdicts (claims.h). It only formats: every figure and verdict
 * comes from the run's data, its slices and the claims module. Internal to
 * reports/; report.c calls it last.
 */
#ifndef VTB_REPORT_MD_H
#define VTB_REPORT_MD_H

#include "report.h"
#include "report_data.h"
#include "vtb/error.h"

/*
 * Writes outcome->report_md (in outcome->out_dir, through a temporary and a
 * rename) for the run d, linking the charts of outcome. A missing or
 * unusable context.json is said in the report, not an error. Returns 0,
 * or the error of writing the file (VTB_EIO, VTB_ENOSPC, ...).
 */
int vtb__report_md_write(const struct vtb__report_data *d,
                         const struct vtb_report_outcome *outcome, struct vtb_error *err);

#endif /* VTB_REPORT_MD_H */
