/*
 * The single list of built-in file reporters: adding one is one line here
 * plus its file. The order is the listing order of `vtbench list` and the
 * order in which the set feeds them. context.json is not a reporter: the
 * run directory writes it last (run_writer.h), once it knows whether every
 * file here was published.
 */
#ifndef VTB_REPORTER_LIST_H
#define VTB_REPORTER_LIST_H

#include "reporter.h"

#define VTB_REPORTER_LIST(XX)      \
    XX(vtb_reporter_csv)           \
    XX(vtb_reporter_samples)       \
    XX(vtb_reporter_json)          \
    XX(vtb_reporter_hgrm)          \
    XX(vtb_reporter_percentiles)

/* Built-in reporters, one const table each. */
#define VTB__REPORTER_DECLARE(symbol) extern const struct vtb_reporter_ops symbol;
VTB_REPORTER_LIST(VTB__REPORTER_DECLARE)
#undef VTB__REPORTER_DECLARE

#endif /* VTB_REPORTER_LIST_H */
