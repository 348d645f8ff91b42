/*
 * The plan of a run, worded for the terminal (see run_plan.c).
 */
#ifndef VTB_CLI_RUN_PLAN_H
#define VTB_CLI_RUN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* What the runs of one command add up to: the limits of time and files
 * apply to the whole command, whose runs follow one another (memory is
 * per run). Zero it before the first plan. */
struct vtb_cli_plan_total {
    size_t runs;
    double seconds;
    uint64_t files;
};

/*
 * Plans the run of s with impl_count implementations (instructions: under
 * callgrind), prints the plan when dry_run, and refuses (with a message) a
 * run over a day, over 75% of the memory or over 100,000 files unless
 * force; adds the run's time and files to total. Returns VTB_EXIT_OK or
 * VTB_EXIT_USAGE.
 */
int vtb_cli_plan_or_refuse(const struct vtb_scenario *s, size_t impl_count, bool instructions,
                           bool dry_run, bool force, struct vtb_cli_plan_total *total);

/*
 * After every run is planned: prints the total of several runs when dry_run,
 * and refuses (with a message) runs that together take over a day or write
 * over 100,000 files, unless force. Returns VTB_EXIT_OK or VTB_EXIT_USAGE.
 */
int vtb_cli_plan_total_or_refuse(const struct vtb_cli_plan_total *total, bool dry_run,
                                 bool force);

#endif /* VTB_CLI_RUN_PLAN_H */
