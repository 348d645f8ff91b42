/*
 * report.md, the written part of `vtbench report` (see report_charts.h):
 * the machine context from context.json, the summary table of results.csv,
 * the charts with what each shows or why it was skipped, and the claims of
 * the .NET articles (../shared/background.md) each with the value measured
 * in this run and a verdict computed from it. Internal to the report
 * modules.
 */
#ifndef VTB_REPORT_MD_H
#define VTB_REPORT_MD_H

#include "report_charts.h"
#include "vtb/error.h"

/*
 * Writes outcome->report_md (in outcome->out_dir, through a temporary and a
 * rename) for the run d, linking the charts of outcome. A missing or
 * unreadable context.json is said in the report, not an error. Returns 0,
 * or the error of writing the file (VTB_EIO, VTB_ENOSPC, ...).
 */
int vtb__report_md_write(const struct vtb__report_data *d,
                         const struct vtb_report_outcome *outcome, struct vtb_error *err);

#endif /* VTB_REPORT_MD_H */
