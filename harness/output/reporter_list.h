/*
 * The single list of built-in reporters: adding one is one line here plus
 * its report_*.c file. The order is the listing order of `vtbench list` and
 * the order in which the runner feeds them: the file reporters first, the
 * console last, so that the summary is printed once the files are safe.
 */
#ifndef VTB_REPORTER_LIST_H
#define VTB_REPORTER_LIST_H

#include "reporter.h"

#define VTB_REPORTER_LIST(XX)      \
    XX(vtb_reporter_csv)           \
    XX(vtb_reporter_samples)       \
    XX(vtb_reporter_json)          \
    XX(vtb_reporter_context)       \
    XX(vtb_reporter_hgrm)          \
    XX(vtb_reporter_percentiles)

/* Built-in reporters, one const table each. */
#define VTB__REPORTER_DECLARE(symbol) extern const struct vtb_reporter_ops symbol;
VTB_REPORTER_LIST(VTB__REPORTER_DECLARE)
#undef VTB__REPORTER_DECLARE

#endif /* VTB_REPORTER_LIST_H */
