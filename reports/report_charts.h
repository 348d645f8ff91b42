/*
 * The name under which the command line (harness/cli/cmd_report.c)
 * includes `vtbench report`, from before the report generator was split
 * into modules: it declares vtb_report_generate and its outcome by
 * including report.h, the public entry. New code includes report.h; the
 * charts themselves are declared in charts.h.
 */
#ifndef VTB_REPORT_CHARTS_H
#define VTB_REPORT_CHARTS_H

#include "report.h"

#endif /* VTB_REPORT_CHARTS_H */
