/*
 * The plan of a run, worded for the terminal (see run_plan.c).
 */
#ifndef VTB_CLI_RUN_PLAN_H
#define VTB_CLI_RUN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

/*
 * Plans the run of s with impl_count implementations (instructions: under
 * callgrind), prints the plan when dry_run, and refuses (with a message) a
 * run over a day, over 75% of the memory or over 100,000 files unless
 * force. Returns VTB_EXIT_OK or VTB_EXIT_USAGE.
 */
int vtb_cli_plan_or_refuse(const struct vtb_scenario *s, size_t impl_count, bool instructions,
                           bool dry_run, bool force);

#endif /* VTB_CLI_RUN_PLAN_H */
